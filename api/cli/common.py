"""Options and helpers shared by the commands: reading inputs from paths, seeds, progress, summaries.

This is the only place the command line turns paths into :class:`~api.inputs.InputFile`
and options into a :class:`~api.runs.kind.PreparedRun`; after that every command calls the
shared run layer (:mod:`api.runs`, :mod:`api.service`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from api.inputs import InputFile, read_input_file
from api.runs import get_kind
from api.runs.kind import OptionValue, PreparedRun, RunSummary
from engine.randomness import parse_seed

__all__ = ["OUT_HELP", "SEED_HELP", "console", "ensure_group", "out_console", "prepare_from_paths", "print_summary",
           "progress", "read_inputs", "seed_bytes"]

T = TypeVar("T")

#: Help texts shared by the engine commands (Chinese, then English).
SEED_HELP = "练习种子：64 位十六进制 practice seed: 64 hex digits"
OUT_HELP = "结果文件夹（空的或以前的结果文件夹） result folder (empty or a previous result)"

console = Console(stderr=True)
out_console = Console(soft_wrap=True)  # long bilingual lines stay whole when piped or logged


def ensure_group(app: typer.Typer) -> None:
    """Give ``app`` a group callback once, so ``sunshine lottery …`` stays a sub-command.

    Typer runs a lone command as the whole program ("sunshine --schools …"); a group callback
    keeps every command a sub-command however many are registered.
    """
    if app.registered_callback is None:
        @app.callback()
        def _commands() -> None:
            """Sunshine: seeded, auditable admission lottery, points admission and balanced class placement."""


@contextmanager
def progress() -> Iterator[Callable[[str, Callable[[], T]], T]]:
    """Yield ``step(label, fn)`` which runs ``fn`` under a rich progress line (on stderr)."""
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=False) as bar:
        def step(label: str, fn: Callable[[], T]) -> T:
            task = bar.add_task(label, total=None)
            try:
                return fn()
            finally:
                bar.update(task, total=1, completed=1)

        yield step


def seed_bytes(seed_hex: str) -> bytes:
    """Parse ``--seed`` (raises SeedError, exit 2)."""
    return parse_seed(seed_hex)


def prepare_from_paths(kind_name: str, paths: Mapping[str, Path | None],
                       options: Mapping[str, OptionValue]) -> PreparedRun:
    """Read each given input file once and prepare a run of ``kind_name`` through its RunKind."""
    return get_kind(kind_name).prepare(read_inputs(paths), options)


def read_inputs(paths: Mapping[str, Path | None]) -> dict[str, InputFile]:
    """Each given input file, read once."""
    return {key: read_input_file(p) for key, p in paths.items() if p is not None}


def print_summary(summary: RunSummary, *, practice: bool) -> None:
    """Print a run summary for a person: title, figures three to a line, warnings, the practice notice."""
    if practice:
        out_console.print("[bold]练习运行（种子为手动输入，不是正式结果） "
                          "PRACTICE RUN: manual seed, not an official result[/bold]")
    out_console.print(f"{summary.title_zh} {summary.title_en}")
    cells = []
    for f in summary.figures:
        value = ("是 yes" if f.value else "否 no") if isinstance(f.value, bool) else str(f.value)
        cells.append(f"{f.label_zh} {f.label_en}: {value}")
    for i in range(0, len(cells), 3):
        out_console.print("  ".join(cells[i:i + 3]), markup=False, highlight=False)
    for w in summary.warnings:
        out_console.print(f"警告 warning: {w}", markup=False, highlight=False)
