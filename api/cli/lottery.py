"""``sunshine lottery``: zone lottery (多校划片 电脑随机派位) from two tables and a seed.

Reads ``--schools`` and ``--applicants`` (CSV/XLSX, Chinese or English headers),
places applicants with ``--mechanism`` (da | boston | serial) and writes
``results.csv``, ``schools.csv`` and ``summary.json`` atomically into ``--out``.
Bad input exits with status 2 and a bilingual message; ``--out`` is left untouched.
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
from api.runs.lottery import check_mechanism
from api.runs.publish import publish_run

__all__ = ["lottery"]

ensure_group(app)


EPILOG = (
    "示例 Example:\n\n"
    "  sunshine lottery --schools schools.csv --applicants applicants.csv --seed <64位十六进制> --out 结果/\n\n"
    "学校表必需列 schools columns: 学校代码 school_id, 招生计划 capacity（可选 optional: 学校名称 name）\n\n"
    "报名表必需列 applicants columns: 报名号 applicant_id, 志愿 preferences（可选 optional: 类别 tier, "
    "优先 priority, 多胞胎组 group, 二轮志愿 round2）\n\n"
    "复核更正表 corrections columns: 报名号, 更正项目（退出、类别、优先、志愿、二轮志愿）, 原值, 新值, 理由\n\n"
    "输出 outputs: results.csv, schools.csv, summary.json, results_by_school.xlsx"
    "（--corrections: review_diff.csv）— docs/lottery.md"
)


@app.command("lottery", epilog=EPILOG)
def lottery(
    schools: Annotated[Path, typer.Option("--schools", help="学校表（CSV/XLSX） schools table")],
    applicants: Annotated[Path, typer.Option("--applicants", help="报名表（CSV/XLSX） applicants table")],
    seed: Annotated[str, typer.Option("--seed", help=SEED_HELP)],
    out: Annotated[Path, typer.Option("--out", help=OUT_HELP)],
    mechanism: Annotated[str, typer.Option(
        "--mechanism", help="派位方式 mechanism: da（默认 default）| boston | serial")] = "da",
    round2: Annotated[bool, typer.Option(
        "--round2", help="二次派位：一轮未录取者按二轮志愿补录 round 2 for the unplaced")] = False,
    corrections: Annotated[Path | None, typer.Option(
        "--corrections", help="复核更正表（原运行的种子与输入），生成 review_diff.csv corrections after review: "
                              "rerun with the original inputs and seed")] = None,
) -> None:
    """多校划片电脑派位：由种子抽派位号并录取。 Zone lottery: draw numbers from SEED and place applicants."""
    seed_raw = seed_bytes(seed)
    mech = check_mechanism(mechanism)
    with progress() as step:
        run = step("读取并校验输入 reading inputs", lambda: prepare_from_paths(
            "lottery", {"schools": schools, "applicants": applicants, "corrections": corrections},
            {"mechanism": mech, "round2": round2}))
        published = step("派位 drawing and placing", lambda: publish_run(run, seed_raw, out))
    print_summary(published.summary, practice=True)
    out_console.print(f"结果 results: {published.out / 'results.csv'}")
