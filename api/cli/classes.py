"""``sunshine classes``: balanced class placement (阳光编班) from a students table and a seed.

Writes ``placement.csv`` (with names), ``placement_public.csv``, ``classes.csv``,
``balance.json``, ``balance.md`` and ``chart.png`` atomically into ``--out``. Bad input
exits with status 2 and a bilingual message naming file, row and column; ``--out`` is
left untouched.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

import typer

from api.cli.app import app
from api.cli.common import ensure_group, out_console, print_summary, progress, read_inputs, seed_bytes
from api.runs import get_kind
from api.runs.classes import ColumnChoice, classes_columns
from api.runs.publish import publish_run

__all__ = ["classes", "print_columns"]

ensure_group(app)


def print_columns(choice: ColumnChoice) -> None:
    """Say which columns are balanced and which are left out, before placing (the clerk may override in the config)."""
    say = functools.partial(out_console.print, markup=False, highlight=False, soft_wrap=True)
    none = "（无）none"
    say(f"均衡的成绩列 balanced scores: {'、'.join(choice.scores) or none}")
    say(f"均衡的是/否列 balanced flags: {'、'.join(choice.flags) or none}")
    for header, zh, en in choice.ignored:
        say(f"不参与均衡 ignored: {header}（{zh}; {en}）")
    if choice.ignored:
        say("如需改变，请在配置文件中写 scores = [...] / flags = [...] "
            "(to change this, list the columns in the config: scores = [...], flags = [...])")


@app.command("classes")
def classes(
    students: Annotated[Path, typer.Option("--students", help="学生表 students table (CSV/XLSX)")],
    seed: Annotated[str, typer.Option("--seed", help="64 hex digits (32 bytes)")],
    out: Annotated[Path, typer.Option("--out", help="output directory (replaced atomically)")],
    n_classes: Annotated[int | None, typer.Option("--classes", help="班级数 number of classes")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="编班配置 TOML (optional)")] = None,
) -> None:
    """Balanced class placement: form classes, then draw labels and head teachers from SEED."""
    seed_raw = seed_bytes(seed)
    with progress() as step:
        inputs = read_inputs({"students": students, "config": config})
        run = step("读取并校验输入 reading inputs", lambda: get_kind("classes").prepare(inputs, {"classes": n_classes}))
        print_columns(classes_columns(inputs["students"], inputs.get("config")))
        published = step("编班 placing", lambda: publish_run(run, seed_raw, out))
    print_summary(published.summary, practice=True)
    out_console.print(f"名单 class lists: {published.out / 'placement.csv'}")
