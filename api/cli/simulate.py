"""``sunshine simulate``: admission chances before placement day (Monte Carlo over lottery seeds).

Same input files as ``sunshine lottery``; ``--draws N`` lotteries with seeds derived from
``--seed`` (docs/randomness.md §9), in-process, on a local Dask cluster (``--workers K``)
or on a running Dask scheduler (``--scheduler tcp://host:port``); in-process, ``--threads T``
chunks run side by side (default: the machine's cores). Writes
``probabilities.csv``, ``schools.csv``, ``summary.json``, ``draws.csv`` and ``charts/``
atomically into ``--out``; with ``--what-if-preferences`` only ``what_if.json`` (the chances
of one hypothetical family added to the roster). Formats: docs/simulate.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.app import app
from api.cli.common import ensure_group, out_console, progress, seed_bytes
from api.distributed import compute_backend, default_threads
from api.inputs import read_input_file
from api.runs.lottery import check_mechanism
from api.simulate import _json_bytes, prepare_simulation, render_outputs, run_simulation, summary, what_if
from api.simulate_charts import render_charts
from api.store.result_folder import write_result_folder
from api.tables import split_list
from engine.errors import ConfigError

__all__ = ["simulate"]

ensure_group(app)
KIND = "simulation"  # the result folder's marker kind


def _priority(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in split_list(text):
        school, sep, tier = item.replace("：", ":").partition(":")
        if not sep or not tier.strip().lstrip("+-").isdigit():
            raise ConfigError("--what-if-priority", item, f"「{item}」应写成 学校代码:类别，如 S0002:0",
                              f"'{item}' should be SCHOOL:TIER, e.g. S0002:0")
        out[school.strip()] = int(tier)
    return out


@app.command("simulate")
def simulate(
    schools: Annotated[Path, typer.Option("--schools", help="学校表 schools table (CSV/XLSX)")],
    applicants: Annotated[Path, typer.Option("--applicants", help="报名表 applicants table (CSV/XLSX)")],
    draws: Annotated[int, typer.Option("--draws", help="模拟次数 number of lottery draws")],
    seed: Annotated[str, typer.Option("--seed", help="simulation seed, 64 hex digits (never an official seed)")],
    out: Annotated[Path, typer.Option("--out", help="output directory (replaced atomically)")],
    mechanism: Annotated[str, typer.Option("--mechanism", help="da (default) | boston | serial")] = "da",
    round2: Annotated[bool, typer.Option("--round2", help="include 二次派位 in every draw")] = False,
    workers: Annotated[int | None, typer.Option("--workers", help="start a local Dask cluster of K processes")] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="use a running Dask scheduler tcp://host:port")] = None,
    chunk: Annotated[int | None, typer.Option("--chunk", help="draws per task (results never depend on it)")] = None,
    threads: Annotated[int | None, typer.Option(
        "--threads", help="in-process threads (default: this machine's cores; results never depend on it)")] = None,
    charts: Annotated[bool, typer.Option("--charts/--no-charts", help="write charts/*.png")] = True,
    what_if_preferences: Annotated[str | None, typer.Option(
        "--what-if-preferences", help="一个假设家庭的志愿 a hypothetical family's list, e.g. \"S0001;S0002\"")] = None,
    what_if_tier: Annotated[int, typer.Option("--what-if-tier", help="that family's tier (default 1)")] = 1,
    what_if_priority: Annotated[str, typer.Option("--what-if-priority", help="per-school tiers, e.g. S0002:0")] = "",
    what_if_round2: Annotated[str, typer.Option("--what-if-round2", help="that family's 二轮志愿")] = "",
    what_if_multiples: Annotated[int, typer.Option(
        "--what-if-multiples", help="多胞胎人数 twins 2, triplets 3 (default 1: one child)")] = 1,
) -> None:
    """Admission chances: run DRAWS lotteries with per-draw seeds derived from SEED and tally the outcomes."""
    seed_raw = seed_bytes(seed)
    mech = check_mechanism(mechanism)
    family = None
    if what_if_preferences is not None:
        family = {"preferences": split_list(what_if_preferences), "tier": what_if_tier,
                  "priority": _priority(what_if_priority), "round2": split_list(what_if_round2),
                  "multiples": what_if_multiples}
    with progress() as step:
        run = step("读取并校验输入 reading inputs", lambda: prepare_simulation(
            {"schools": read_input_file(schools), "applicants": read_input_file(applicants)}, mech, round2))
        run_id = f"simulation-{seed_raw.hex()[:16]}"
        in_process = workers is None and scheduler is None
        with compute_backend(workers, scheduler, default_threads() if threads is None and in_process
                             else threads) as backend:
            if family is not None:
                answer = step(f"模拟 {draws} 次 simulating ({backend.name})",
                              lambda: what_if(run.config, run.roster, family, draws, seed_raw, backend, chunk))
                write_result_folder(out, {"what_if.json": _json_bytes(answer)}, run_id=run_id, kind=KIND)
                for c in answer["choices"]:
                    out_console.print(f"{'二轮' if c['round'] == 'round2' else ''}第{c['choice_rank']}志愿 "
                                      f"{c['school_id']} {c['school_name']}: "
                                      f"{c['probability']:.1%} (95% {c['ci_low']:.1%}–{c['ci_high']:.1%})")
                ns = answer["no_seat"]
                out_console.print(f"未录取 no seat: {ns['probability']:.1%} "
                                  f"(95% {ns['ci_low']:.1%}–{ns['ci_high']:.1%})")
                out_console.print(f"结果 result: {out / 'what_if.json'}")
                return
            sim = step(f"模拟 {draws} 次 simulating ({backend.name})",
                       lambda: run_simulation(run.config, run.roster, seed_raw, draws, backend, chunk))
        files = step("写出结果 writing outputs",
                     lambda: {**render_outputs(sim), **(render_charts(sim) if charts else {})})
        write_result_folder(out, files, run_id=run_id, kind=KIND)
    s = summary(sim)
    out_console.print(f"模拟 draws: {s['draws']}  派位方式 mechanism: {s['mechanism']}  "
                      f"报名 applicants: {s['applicants']}  学位 seats: {s['seats']}")
    for key, label in (("first_choice", "第一志愿 first choice"), ("top3", "前三志愿 top 3"),
                       ("unplaced", "未录取 unplaced")):
        d = s[key]
        out_console.print(f"{label}: 平均 mean {d['mean']:.1f}  5%–95%: {d['p05']}–{d['p95']}")
    out_console.print(f"最大区间半宽 widest 95% half-width: {s['max_ci_half_width']:.2%}")
    out_console.print(f"结果 results: {out / 'probabilities.csv'}")
