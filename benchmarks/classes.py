"""Benchmark: balanced class placement (issue #4) against snake, stratified snake and plain CP-SAT.

Deterministic generator (hashlib-derived numbers, no numpy RNG) with correlated subject
scores: ability a ~ N(0,1); subject = clip(100 + 15·(0.75·a + 0.66·e), 0, 150), in
half points; gender 50/50; flags ~15 % and ~25 %; twin pairs (together), apart groups of
2–3 and presets.

    .venv/bin/python benchmarks/classes.py                 # 450/10, 1200/24 (+CP-SAT 30 s), 3000/60
    .venv/bin/python benchmarks/classes.py --city 100      # 60,000 students in 100 schools, 2 Dask workers
    .venv/bin/python benchmarks/classes.py --sizes "" --cpsat none --cohorts 5   # 5 more 1200/24 cohorts
"""

from __future__ import annotations

import argparse
import hashlib
import math
import struct
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.distributed import compute_backend
from engine.classes import Cohort, PlacementRules, Student, place_students
from engine.classes.cpsat import solve_cpsat
from engine.classes.problem import build_problem
from engine.classes.report import balance_report

SEED = bytes(range(32))


class _Gen:
    def __init__(self, label: str) -> None:
        self.label, self.i = label, 0

    def uniform(self) -> float:
        self.i += 1
        h = hashlib.sha256(f"{self.label}/{self.i}".encode()).digest()
        return (struct.unpack(">Q", h[:8])[0] >> 11) / float(1 << 53)

    def normal(self) -> float:
        u1, u2 = max(self.uniform(), 1e-12), self.uniform()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2 * math.pi * u2)


def make_cohort(n: int, k: int, *, subjects: int = 3, twins: int = 0, apart: int = 0, presets: int = 0,
                label: str = "bench") -> Cohort:
    g = _Gen(f"{label}/{n}/{k}")
    names = ("语文", "数学", "英语", "物理", "化学")[:subjects]
    students = []
    for i in range(n):
        a = g.normal()
        subj = [round(2 * min(150.0, max(0.0, 100 + 15 * (0.75 * a + 0.66 * g.normal())))) * 50
                for _ in names]
        students.append(Student(
            student_id=f"S{i:05d}", gender="M" if g.uniform() < 0.5 else "F", scores=(sum(subj), *subj),
            flags=(g.uniform() < 0.15, g.uniform() < 0.25)))
    # Twins: consecutive pairs; apart groups after them; presets after those.
    out = []
    for i, s in enumerate(students):
        together = f"T{i // 2}" if i < 2 * twins else ""
        j = i - 2 * twins
        ap = (f"A{j // 3}",) if 0 <= j < 3 * apart and (j % 3 < 2 or j // 3 % 2 == 0) else ()
        pj = i - 2 * twins - 3 * apart
        preset = (pj % k) + 1 if 0 <= pj < presets else None
        out.append(Student(s.student_id, s.gender, s.scores, s.flags, together, ap, preset))
    return Cohort(("总分", *names), ("住校", "随迁子女"), tuple(out))


def _slots_snake(order: list[int], k: int) -> np.ndarray:
    slot = np.empty(len(order), dtype=np.int64)
    for r, i in enumerate(order):
        rnd, pos = divmod(r, k)
        slot[i] = pos if rnd % 2 == 0 else k - 1 - pos
    return slot


def snake_baseline(cohort: Cohort, k: int, by_gender: bool) -> np.ndarray:
    st = cohort.students
    key = (lambda i: (st[i].gender, -st[i].scores[0], i)) if by_gender else (lambda i: (-st[i].scores[0], i))
    return _slots_snake(sorted(range(len(st)), key=key), k)


def describe(name: str, cohort: Cohort, rules: PlacementRules, slot: np.ndarray, secs: float,
             cpu: float | None = None) -> dict[str, object]:
    p = build_problem(cohort, rules, SEED)
    rep = balance_report(p, slot)
    gaps = rep.gaps
    subj = cohort.score_names[1:]
    counts = [gaps[r.name] for r in p.counts]
    row = {
        "method": name, "n": cohort.size, "k": rules.classes, "hard violations": rep.violations,
        "total mean gap": gaps[f"mean {cohort.score_names[0]}"],
        "worst subject mean gap": max(gaps[f"mean {s}"] for s in subj),
        "worst SD gap": max(gaps[f"sd {s}"] for s in cohort.score_names),
        "worst count gap": max([*counts, gaps["girls"]]), "size gap": gaps["size"], "seconds": secs,
        "cpu": secs if cpu is None else cpu,
    }
    return row


def run_sunshine(cohort: Cohort, rules: PlacementRules) -> tuple[np.ndarray, float, float, str]:
    t, c = time.perf_counter(), time.process_time()
    pl = place_students(cohort, rules, SEED)
    info = f"{pl.method}, {pl.stats.passes} passes, {pl.stats.swaps} swaps"
    return pl.slot_of_student, time.perf_counter() - t, time.process_time() - c, info


def fmt(row: dict[str, object]) -> str:
    return (f"| {row['method']} | {row['n']}/{row['k']} | {row['hard violations']} | {row['total mean gap']:.3f} | "
            f"{row['worst subject mean gap']:.3f} | {row['worst SD gap']:.2f} | {row['worst count gap']:.0f} | "
            f"{row['size gap']:.0f} | {row['seconds']:.1f} | {row['cpu']:.1f} |")


def _school(args: tuple[int, int]) -> tuple[int, float, float, float, int]:
    school, n = args
    k = max(2, round(n / 45))
    cohort = make_cohort(n, k, twins=n // 60, apart=n // 80, presets=0, label=f"city{school}")
    rules = PlacementRules(classes=k)
    t = time.process_time()
    pl = place_students(cohort, rules, SEED)
    g = pl.report.gaps
    subj = max(g[f"mean {s}"] for s in cohort.score_names[1:])
    return school, g["mean 总分"], subj, time.process_time() - t, pl.report.violations


def city(schools: int, processes: int, scheduler: str | None = None) -> None:
    g = _Gen("city-sizes")
    sizes = [450 + int(300 * g.uniform()) for _ in range(schools)]
    scale = 60000 * schools / 100 / sum(sizes)
    sizes = [max(90, round(s * scale)) for s in sizes]
    # The same Dask backend as `sunshine classes --batch` / `sunshine simulate` (api/distributed.py).
    with compute_backend(workers=processes if scheduler is None else None, scheduler=scheduler) as backend:
        t = time.perf_counter()
        res = backend.map(_school, [((i, n),) for i, n in enumerate(sizes)], {})
        wall = time.perf_counter() - t
    print(f"city batch: {sum(sizes)} students, {schools} schools, {backend.name}: {wall:.1f} s wall "
          f"(cluster start-up excluded); "
          f"worst total mean gap {max(r[1] for r in res):.3f}, worst subject mean gap {max(r[2] for r in res):.3f}, "
          f"slowest school {max(r[3] for r in res):.1f} s CPU, total CPU {sum(r[3] for r in res):.0f} s, "
          f"hard violations {sum(r[4] for r in res)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="450/10,1200/24,3000/60")
    ap.add_argument("--cpsat", default="1200/24", help="instances (n/k) that also run plain CP-SAT")
    ap.add_argument("--cpsat-seconds", type=float, default=30.0)
    ap.add_argument("--city", type=int, default=0, help="number of schools in the city batch (0 = skip)")
    ap.add_argument("--processes", type=int, default=2, help="city batch: Dask LocalCluster worker processes")
    ap.add_argument("--scheduler", default=None, help="city batch: a running Dask scheduler tcp://host:port instead")
    ap.add_argument("--cohorts", type=int, default=0,
                    help="also run Sunshine on this many other generated 1200/24 cohorts (robustness)")
    a = ap.parse_args()
    print("| method | n/K | hard viol. | total mean gap | worst subject mean gap | worst SD gap | "
          "worst count gap | size gap | wall s | cpu s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for spec in filter(None, a.sizes.split(",")):
        n, k = (int(x) for x in spec.split("/"))
        full = spec == "1200/24"
        cohort = make_cohort(n, k, subjects=3, twins=30 if full else n // 40, apart=20 if full else n // 60,
                             presets=10 if full else 0)
        rules = PlacementRules(classes=k)
        for name, by_gender in (("snake by total", False), ("gender-stratified snake", True)):
            t = time.perf_counter()
            slot = snake_baseline(cohort, k, by_gender)
            print(fmt(describe(name, cohort, rules, slot, time.perf_counter() - t)), flush=True)
        if spec in a.cpsat.split(","):
            p = build_problem(cohort, rules, SEED)
            t = time.perf_counter()
            r = solve_cpsat(p, SEED, feasibility_only=False, deterministic_time=1e9, time_limit=a.cpsat_seconds)
            secs = time.perf_counter() - t
            if r.unit_slot is not None:
                print(fmt(describe(f"plain CP-SAT {a.cpsat_seconds:.0f} s ({r.status.value})", cohort, rules,
                                   r.unit_slot[p.unit_of], secs)), flush=True)
            else:
                print(f"| plain CP-SAT {a.cpsat_seconds:.0f} s | {n}/{k} | no solution ({r.status.value}) |",
                      flush=True)
        slot, secs, cpu, info = run_sunshine(cohort, rules)
        print(fmt(describe("Sunshine", cohort, rules, slot, secs, cpu)) + f" <!-- {info} -->",
              flush=True)
        if spec in a.cpsat.split(","):
            # CP-SAT again, hinted with Sunshine's result: can it improve on it in the same time?
            p = build_problem(cohort, rules, SEED)
            hint = np.array([slot[members[0]] for members in p.units], dtype=np.int64)
            t = time.perf_counter()
            r = solve_cpsat(p, SEED, feasibility_only=False, hint=hint, deterministic_time=1e9,
                            time_limit=a.cpsat_seconds)
            if r.unit_slot is not None:
                print(fmt(describe(f"CP-SAT {a.cpsat_seconds:.0f} s hinted with Sunshine ({r.status.value})", cohort,
                                   rules, r.unit_slot[p.unit_of], time.perf_counter() - t)), flush=True)
            else:
                print(f"| CP-SAT {a.cpsat_seconds:.0f} s hinted with Sunshine | {n}/{k} | no solution "
                      f"({r.status.value}) |", flush=True)
    for i in range(a.cohorts):
        label = f"cohort-{i + 1}"
        cohort = make_cohort(1200, 24, subjects=3, twins=30, apart=20, presets=10, label=label)
        rules = PlacementRules(classes=24)
        slot, secs, cpu, info = run_sunshine(cohort, rules)
        print(fmt(describe(f"Sunshine ({label})", cohort, rules, slot, secs, cpu)) + f" <!-- {info} -->", flush=True)
    if a.city:
        city(a.city, a.processes, a.scheduler)


if __name__ == "__main__":
    main()
