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

__all__ = ["points"]

ensure_group(app)


EPILOG = (
    "示例 Example:\n\n"
    "  sunshine points --rules engine/points/rulesets/foshan-2014.toml --applicants 申请表.xlsx "
    "--schools 学校指标.csv --seed <64位十六进制> --out 结果/\n\n"
    "学校指标表必需列 schools columns: 学校编号 school_id, 镇街 scope, 积分入学指标 quota"
    "（可选 optional: 学校名称）\n\n"
    "申请表必需列 applicants columns: 申请编号 applicant_id, 镇街 scope, 规则中每个字段的列 every field of the "
    "rule set（如 学历、居住证登记日期），志愿 or 志愿1…志愿N\n\n"
    "复核更正表 corrections columns: 申请编号, 字段, 原值, 新值（可选 理由）\n\n"
    "输出 outputs: ranking.csv, results.csv, schools.csv, breakdown.csv, publication.csv/.xlsx, ranking.xlsx, "
    "results_by_school.xlsx — docs/points.md, docs/points-rules.md"
)


@app.command("points", epilog=EPILOG)
def points(
    rules: Annotated[Path, typer.Option("--rules", help="积分规则（TOML） rule set")],
    applicants: Annotated[Path, typer.Option("--applicants", help="申请表（CSV/XLSX） applicants table")],
    schools: Annotated[Path, typer.Option("--schools", help="学校指标表（CSV/XLSX） schools and quotas")],
    seed: Annotated[str, typer.Option("--seed", help=SEED_HELP + "（同分抽签 final tie-break）")],
    out: Annotated[Path, typer.Option("--out", help=OUT_HELP)],
    corrections: Annotated[
        Path | None, typer.Option("--corrections", help="复核更正表，生成 review_diff.csv corrections after review")
    ] = None,
    second_pass: Annotated[bool, typer.Option(
        "--second-pass", help="二次排位：全区补录剩余学位 fill leftover seats district-wide")
                           ] = False,
) -> None:
    """积分入学：计分、分镇街排名、按志愿录取。 Points admission: score, rank per town, place by preference."""
    seed_raw = seed_bytes(seed)
    with progress() as step:
        run = step("读取并校验输入 reading inputs", lambda: prepare_from_paths(
            "points", {"rules": rules, "applicants": applicants, "schools": schools, "corrections": corrections},
            {"second_pass": second_pass}))
        published = step("积分排名与录取 scoring, ranking, placing", lambda: publish_run(run, seed_raw, out))
    print_summary(published.summary, practice=True)
    out_console.print(f"排名 ranking: {published.out / 'ranking.csv'}")
