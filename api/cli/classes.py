"""``sunshine classes``: balanced class placement (阳光编班) from a students table and a seed.

Writes ``placement.csv`` (with names), ``placement_public.csv``, ``formed_classes.csv``, ``classes.csv``,
``balance.json``, ``balance.md`` and ``chart.png`` atomically into ``--out``. Bad input
exits with status 2 and a bilingual message naming file, row and column; ``--out`` is
left untouched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.app import app
from api.cli.common import ensure_group, out_console, prepare_from_paths, print_summary, progress, seed_bytes
from api.runs.publish import publish_run

__all__ = ["classes"]

ensure_group(app)


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
        run = step("读取并校验输入 reading inputs", lambda: prepare_from_paths(
            "classes", {"students": students, "config": config}, {"classes": n_classes}))
        published = step("编班 placing", lambda: publish_run(run, seed_raw, out))
    print_summary(published.summary, practice=True)
    out_console.print(f"名单 class lists: {published.out / 'placement.csv'}")
