"""``sunshine classes``: balanced class placement (阳光编班) from a students table and a seed.

Writes ``placement.csv`` (with names), ``placement_public.csv``, ``classes.csv``,
``balance.json``, ``balance.md`` and ``chart.png`` atomically into ``--out``. Bad input
exits with status 2 and a bilingual message naming file, row and column; ``--out`` is
left untouched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.app import app
from api.cli.common import (
    OUT_HELP,
    SEED_HELP,
    ensure_group,
    out_console,
    prepare_from_paths,
    print_summary,
    progress,
    seed_bytes,
)
from api.runs.publish import publish_run

__all__ = ["classes"]

ensure_group(app)


EPILOG = (
    "示例 Example:\n\n"
    "  sunshine classes --students students.csv --classes 10 --seed <64位十六进制> --out 编班结果/\n\n"
    "学生表必需列 students columns: 学号 student_id, 姓名 name, 性别 gender, 以及成绩列 and score columns "
    "（总分 或 各科，如 语文、数学）；可选 optional: 捆绑, 分开, 预设班级, 是/否 列 yes/no flags\n\n"
    "输出 outputs: placement.csv/.xlsx（含姓名 with names）, placement_public.csv, classes.csv, balance.json, "
    "balance.md, chart.png — docs/classes.md"
)


@app.command("classes", epilog=EPILOG)
def classes(
    students: Annotated[Path, typer.Option("--students", help="学生表（CSV/XLSX） students table")],
    seed: Annotated[str, typer.Option("--seed", help=SEED_HELP)],
    out: Annotated[Path, typer.Option("--out", help=OUT_HELP)],
    n_classes: Annotated[int | None, typer.Option("--classes", help="班级数 number of classes")] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="编班配置（TOML，可选） placement config (optional)")] = None,
) -> None:
    """均衡编班：分班后由种子抽签定班号和班主任。 Balanced class placement; labels and head teachers drawn from SEED."""
    seed_raw = seed_bytes(seed)
    with progress() as step:
        run = step("读取并校验输入 reading inputs", lambda: prepare_from_paths(
            "classes", {"students": students, "config": config}, {"classes": n_classes}))
        published = step("编班 placing", lambda: publish_run(run, seed_raw, out))
    print_summary(published.summary, practice=True)
    out_console.print(f"名单 class lists: {published.out / 'placement.csv'}")
