"""``sunshine points``: points-based admission (随迁子女积分入学) from a rule set, two tables and a seed.

Reads ``--rules`` (TOML, docs/points-rules.md), ``--applicants`` and ``--schools``
(CSV/XLSX, Chinese or English headers), optionally ``--corrections`` (复核), and writes
ranking, results, per-school lines, breakdown and the masked publication lists
atomically into ``--out`` (docs/points.md). Bad input exits with status 2 and a
bilingual message naming file/row/column or rule key; ``--out`` is left untouched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.app import app
from api.cli.common import ensure_group, out_console, prepare_from_paths, print_summary, progress, seed_bytes
from api.runs.publish import publish_run

__all__ = ["points"]

ensure_group(app)


@app.command("points")
def points(
    rules: Annotated[Path, typer.Option("--rules", help="积分规则 rule set (TOML)")],
    applicants: Annotated[Path, typer.Option("--applicants", help="申请表 applicants table (CSV/XLSX)")],
    schools: Annotated[Path, typer.Option("--schools", help="学校指标表 schools and quotas (CSV/XLSX)")],
    seed: Annotated[str, typer.Option("--seed", help="64 hex digits (32 bytes), final tie-break lottery")],
    out: Annotated[Path, typer.Option("--out", help="output directory (replaced atomically)")],
    corrections: Annotated[
        Path | None, typer.Option("--corrections", help="复核更正表 corrections; writes review_diff.csv")
    ] = None,
    second_pass: Annotated[bool, typer.Option("--second-pass", help="二次排位: fill leftover seats district-wide")
                           ] = False,
) -> None:
    """Points admission: score, rank per town, place by preference (ranking.csv, results.csv, schools.csv…)."""
    seed_raw = seed_bytes(seed)
    with progress() as step:
        run = step("读取并校验输入 reading inputs", lambda: prepare_from_paths(
            "points", {"rules": rules, "applicants": applicants, "schools": schools, "corrections": corrections},
            {"second_pass": second_pass}))
        published = step("积分排名与录取 scoring, ranking, placing", lambda: publish_run(run, seed_raw, out))
    print_summary(published.summary, practice=True)
    out_console.print(f"排名 ranking: {published.out / 'ranking.csv'}")
