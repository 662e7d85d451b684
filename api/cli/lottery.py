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
from api.cli.common import ensure_group, out_console, prepare_from_paths, print_summary, progress, seed_bytes
from api.runs.lottery import check_mechanism
from api.runs.publish import publish_run

__all__ = ["lottery"]

ensure_group(app)


@app.command("lottery")
def lottery(
    schools: Annotated[Path, typer.Option("--schools", help="学校表 schools table (CSV/XLSX)")],
    applicants: Annotated[Path, typer.Option("--applicants", help="报名表 applicants table (CSV/XLSX)")],
    seed: Annotated[str, typer.Option("--seed", help="64 hex digits (32 bytes)")],
    out: Annotated[Path, typer.Option("--out", help="output directory (replaced atomically)")],
    mechanism: Annotated[str, typer.Option("--mechanism", help="da (default) | boston | serial")] = "da",
    round2: Annotated[bool, typer.Option("--round2", help="run 二次派位 for applicants unplaced in round 1")] = False,
) -> None:
    """Zone lottery: draw numbers from SEED and place applicants (results.csv, schools.csv, summary.json)."""
    seed_raw = seed_bytes(seed)
    mech = check_mechanism(mechanism)
    with progress() as step:
        run = step("读取并校验输入 reading inputs", lambda: prepare_from_paths(
            "lottery", {"schools": schools, "applicants": applicants}, {"mechanism": mech, "round2": round2}))
        published = step("派位 drawing and placing", lambda: publish_run(run, seed_raw, out))
    print_summary(published.summary, practice=True)
    out_console.print(f"结果 results: {published.out / 'results.csv'}")
