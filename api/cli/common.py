"""Options and helpers shared by the engine commands (seed, progress, summaries)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from engine.randomness import parse_seed

T = TypeVar("T")

console = Console(stderr=True)
out_console = Console()


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

        yield step  # type: ignore[misc]


def seed_bytes(seed_hex: str) -> bytes:
    """Parse ``--seed`` (raises SeedError, exit 2)."""
    return parse_seed(seed_hex)
