"""End-to-end benchmark of the commands a bureau runs (issue 12): files in, result folder and signed bundle out.

    .venv/bin/python benchmarks/e2e.py                       # every case, three runs each
    .venv/bin/python benchmarks/e2e.py --cases lottery-200k verify-1m --runs 1

Each measurement is a fresh process. ``cli`` rows run the real ``sunshine`` command
(imports, numba cache loads and exit included) and report wall time and the child's
peak RSS. ``stages`` rows run the same build in a fresh process with the build's
functions wrapped by timers (nothing in the product is changed for this): read
(``read_table``), validate (the rest of ``prepare``), market, draw, place, render, commit
roster, result rows (``rows_commitment``), log/sign/receipts (the rest of the build), bundle,
zip, write; points and classes time their own steps in place of market/draw/place
(:func:`kind_stages_child`). The yardstick is
a plain-Python heap DA (``benchmarks/lottery.py``) on the same instance, which is the
one the CSV files are written from (``benchmarks.lottery.build`` without twins: 3 tiers,
5 % siblings as ``S:0`` school priority, Zipf-like preferences, seats ≈ 95 %).
Inputs are generated once into ``--work`` (default ``/tmp/sunshine-e2e``). The load
average is printed with every row: the machine is shared.
"""

from __future__ import annotations

import argparse
import csv
import functools
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEED = "5eed" * 16
LOTTERY = {"lottery-100k": (100_000, 300, 10), "lottery-200k": (200_000, 500, 10),
           "lottery-1m": (1_000_000, 1_000, 10)}
CASES = ["lottery-200k", "lottery-1m", "points-200k", "classes-1200", "verify-1m"]


def _sunshine() -> str:
    return str(Path(sys.executable).parent / "sunshine")


def lottery_inputs(work: Path, name: str) -> tuple[Path, Path]:
    """schools.csv and applicants.csv of ``name`` (written once)."""
    n, n_schools, k = LOTTERY[name]
    folder = work / name
    schools, applicants = folder / "schools.csv", folder / "applicants.csv"
    if applicants.is_file():
        return schools, applicants
    from benchmarks.lottery import build

    market = build(n, n_schools, k, twins=False)
    folder.mkdir(parents=True, exist_ok=True)
    sid = market.school_ids
    with schools.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["学校代码", "学校名称", "招生计划"])
        w.writerows([s, f"第{i + 1}小学", int(c)] for i, (s, c) in enumerate(zip(sid, market.capacity.tolist(),
                                                                                   strict=True)))
    ptr, school, tier = market.ptr.tolist(), market.school.tolist(), market.tier.tolist()
    base = market.base_tier.tolist()
    with applicants.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["报名号", "志愿", "类别", "优先"])
        for u, aid in enumerate(market.applicant_ids):
            a, b = ptr[u], ptr[u + 1]
            prio = f"{sid[school[a]]}:0" if tier[a] == 0 else ""
            w.writerow([aid, ";".join(sid[s] for s in school[a:b]), base[u], prio])
    return schools, applicants


def points_inputs(work: Path) -> dict[str, Path]:
    """The sample points applicants replicated 1,000 times (new ids), quotas × 1,000."""
    folder = work / "points-200k"
    files = {"rules": ROOT / "samples/points/rules.toml", "applicants": folder / "applicants.csv",
             "schools": folder / "schools.csv"}
    if files["applicants"].is_file():
        return files
    folder.mkdir(parents=True, exist_ok=True)
    rows = list(csv.reader((ROOT / "samples/points/applicants.csv").read_text("utf-8-sig").splitlines()))
    with files["applicants"].open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(rows[0])
        for copy in range(1000):
            for r in rows[1:]:
                w.writerow([f"{r[0]}{copy:04d}", *r[1:]])
    srows = list(csv.reader((ROOT / "samples/points/schools.csv").read_text("utf-8-sig").splitlines()))
    with files["schools"].open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(srows[0])
        w.writerows([*r[:-1], int(r[-1]) * 1000] for r in srows[1:])
    return files


def classes_inputs(work: Path) -> Path:
    """1,200 students (学号, 姓名, 性别, three scores), deterministic from SHA-256."""
    path = work / "classes-1200" / "students.csv"
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)

    def u(*key: object) -> int:
        return int.from_bytes(hashlib.sha256(repr(key).encode()).digest()[:4], "big")

    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["学号", "姓名", "性别", "语文", "数学", "英语"])
        for i in range(1200):
            w.writerow([f"2025{i:05d}", "学生" + "甲乙丙丁戊己庚辛"[u(i, 0) % 8] + str(i), "男女"[u(i, 1) % 2],
                        50 + u(i, 2) % 51, 50 + u(i, 3) % 51, 50 + u(i, 4) % 51])
    return path


def commands(work: Path, case: str) -> list[str]:
    out = work / "out" / case
    if case in LOTTERY:
        schools, applicants = lottery_inputs(work, case)
        return ["lottery", "--schools", str(schools), "--applicants", str(applicants), "--seed", SEED, "--out",
                str(out)]
    if case == "points-200k":
        p = points_inputs(work)
        return ["points", "--rules", str(p["rules"]), "--applicants", str(p["applicants"]), "--schools",
                str(p["schools"]), "--seed", SEED, "--out", str(out)]
    if case == "classes-1200":
        return ["classes", "--students", str(classes_inputs(work)), "--classes", "24", "--seed", SEED, "--out",
                str(out)]
    bundle = work / "out" / "lottery-1m" / "bundle.zip"
    if not bundle.is_file():
        run_cli(work, "lottery-1m")
    return ["verify", str(bundle)]


def run_cli(work: Path, case: str) -> dict[str, Any]:
    """One fresh ``sunshine`` process: wall seconds, peak RSS (MB), exit status."""
    argv = [_sunshine(), *commands(work, case)]
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode() if proc.stderr else ""
    if status:
        raise SystemExit(f"{' '.join(argv)} failed ({status}):\n{err[-2000:]}")
    return {"case": case, "what": "cli", "wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "rss_mb": round(usage.ru_maxrss / 1024), "load": round(load, 1), "command": "sunshine " + " ".join(
                a.replace(str(work), "$WORK") for a in argv[1:])}


def _timed(table: dict[str, float], label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            table[label] = table.get(label, 0.0) + time.perf_counter() - t0
    return wrapper


def _build_timers(t: dict[str, float]) -> Any:
    """The build's own steps timed (the same wrappers for every kind); returns the ``publish`` module."""
    import api.runs.build as build
    import api.runs.publish as publish

    build.execute_run = _timed(t, "execute", build.execute_run)
    build.commit_roster = _timed(t, "commit roster", build.commit_roster)
    build.rows_commitment = _timed(t, "result rows", build.rows_commitment)
    build.build_bundle = _timed(t, "bundle", build.build_bundle)
    build.zip_bytes = _timed(t, "zip", build.zip_bytes)
    publish.build_practice = _timed(t, "build", publish.build_practice)
    publish.write_result_folder = _timed(t, "write", publish.write_result_folder)
    return publish


def _log_sign(t: dict[str, float]) -> float:
    """The build's time outside the timed steps: the in-memory log, signing, receipts' private file, summary."""
    return t["build"] - t["execute"] - t["commit roster"] - t["result rows"] - t["bundle"] - t["zip"]


def stages_child(work: Path, case: str) -> None:
    """In this fresh process: the lottery command's build with its functions timed (JSON on stdout)."""
    import resource

    import api.runs.lottery as lottery
    from api.cli.common import prepare_from_paths, seed_bytes

    t: dict[str, float] = {}
    lottery.read_table = _timed(t, "read", lottery.read_table)
    lottery._columns_market = _timed(t, "market", lottery._columns_market)
    lottery.draw_numbers = _timed(t, "draw", lottery.draw_numbers)
    lottery.place_market = _timed(t, "place", lottery.place_market)
    publish = _build_timers(t)
    argv = commands(work, case)
    schools, applicants, out = Path(argv[2]), Path(argv[4]), Path(argv[8])
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    run = prepare_from_paths("lottery", {"schools": schools, "applicants": applicants}, {})
    t["prepare"] = time.perf_counter() - t0
    publish.publish_run(run, seed_bytes(SEED), out)
    total = time.perf_counter() - t0
    row = {
        "read": t["read"], "validate": t["prepare"] - t["read"], "market": t["market"], "draw": t["draw"],
        "place": t["place"], "render": t["execute"] - t["market"] - t["draw"] - t["place"],
        "commit roster": t["commit roster"], "result rows": t["result rows"], "log, sign, receipts": _log_sign(t),
        "bundle": t["bundle"], "zip": t["zip"], "write": t["write"],
    }
    print(json.dumps({"case": case, "what": "stages", "total_s": round(total, 2), "load": round(load, 1),
                      "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                      "stages": {k: round(v, 2) for k, v in row.items()}}))


def kind_stages_child(work: Path, case: str) -> None:
    """In this fresh process: the points or classes command's build with its functions timed (JSON on stdout).

    points: read (``read_table``/``read_columns``), validate (rest of prepare), applicants (roster
    records → engine applicants), engine (``admit_by_points``), xlsx (``xlsx_bytes``), render (rest of
    ``execute``), private (``render_private``: contacts.csv). classes: read, validate (with the wait for
    the pinyin helper), engine (``place_students``), chart (``chart.png``: the wait for the chart helper,
    :mod:`api.classes_chart`), render (rest of execute), private (placement.csv/.xlsx,
    of which xlsx). Then for both: commit roster, result rows (``rows_commitment``), log/sign/receipts
    (rest of the build), bundle, zip, write.
    """
    import resource

    import api.runs.points as points
    from api.cli.common import prepare_from_paths, seed_bytes

    t: dict[str, float] = {}
    kind = case.split("-")[0]
    if kind == "points":
        points.read_table = _timed(t, "read", points.read_table)
        points.read_columns = _timed(t, "read", points.read_columns)
        points._applicants = _timed(t, "applicants", points._applicants)
        points._outcome = _timed(t, "engine", points._outcome)
        points.xlsx_bytes = _timed(t, "xlsx", points.xlsx_bytes)
        kind_obj: Any = points.POINTS
        argv = commands(work, case)
        paths = {"rules": Path(argv[2]), "applicants": Path(argv[4]), "schools": Path(argv[6])}
        options: dict[str, Any] = {}
        out = Path(argv[10])
    else:
        import api.runs.classes as classes

        classes.read_table = _timed(t, "read", classes.read_table)
        classes.place_students = _timed(t, "engine", classes.place_students)
        classes._chart_png = _timed(t, "chart", classes._chart_png)
        classes.xlsx_bytes = _timed(t, "xlsx", classes.xlsx_bytes)
        kind_obj = classes.CLASSES
        argv = commands(work, case)
        paths, options, out = {"students": Path(argv[2])}, {"classes": int(argv[4])}, Path(argv[8])
    type(kind_obj).render_private = _timed(t, "private", type(kind_obj).render_private)
    publish = _build_timers(t)
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    run = prepare_from_paths(kind, paths, options)
    t["prepare"] = time.perf_counter() - t0
    publish.publish_run(run, seed_bytes(SEED), out)
    total = time.perf_counter() - t0
    row = {"read": t["read"], "validate": t["prepare"] - t["read"]}
    execute = t["execute"] - t["private"]
    if kind == "points":
        row |= {"applicants": t["applicants"], "engine": t["engine"], "xlsx": t["xlsx"],
                "render": execute - t["applicants"] - t["engine"] - t["xlsx"], "private": t["private"]}
    else:
        row |= {"engine": t["engine"], "chart": t["chart"], "render": execute - t["engine"] - t["chart"],
                "private (of which xlsx)": t["private"], "xlsx": t["xlsx"]}
    row |= {"commit roster": t["commit roster"], "result rows": t["result rows"], "log, sign, receipts": _log_sign(t),
            "bundle": t["bundle"], "zip": t["zip"], "write": t["write"]}
    print(json.dumps({"case": case, "what": "stages", "total_s": round(total, 2), "load": round(load, 1),
                      "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                      "stages": {k: round(v, 2) for k, v in row.items()}}))


def heap_child(case: str) -> None:
    """The yardstick: plain-Python heap DA on the instance the CSV files were written from."""
    from benchmarks.lottery import SEED as BSEED
    from benchmarks.lottery import build, python_heap_da
    from engine.lottery.numbers import draw_numbers, priority_ranks

    n, s, k = LOTTERY[case]
    market = build(n, s, k, twins=False)
    rank = priority_ranks(draw_numbers(BSEED, market.keys), market.keys)
    t0 = time.perf_counter()
    python_heap_da(market, rank)
    print(json.dumps({"case": case, "what": "python heap DA (placement only)",
                      "wall_s": round(time.perf_counter() - t0, 2), "load": round(os.getloadavg()[0], 1)}))


def _child(*args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", nargs="*", default=CASES, choices=CASES)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path("/tmp/sunshine-e2e"))
    ap.add_argument("--no-stages", action="store_true")
    ap.add_argument("--no-heap", action="store_true")
    ap.add_argument("--stages-child", help=argparse.SUPPRESS)
    ap.add_argument("--heap-child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.stages_child:
        (stages_child if args.stages_child in LOTTERY else kind_stages_child)(args.work, args.stages_child)
        return
    if args.heap_child:
        heap_child(args.heap_child)
        return
    for case in args.cases:
        commands(args.work, case)  # inputs first, outside the timings
        for _ in range(args.runs):
            print(json.dumps(run_cli(args.work, case), ensure_ascii=False), flush=True)
        if not args.no_stages and case != "verify-1m":
            print(json.dumps(_child("--work", str(args.work), "--stages-child", case), ensure_ascii=False),
                  flush=True)
        if case in LOTTERY and not args.no_heap:
            print(json.dumps(_child("--heap-child", case), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
