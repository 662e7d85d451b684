"""Benchmark: points admission on Foshan 2014 rules — scoring + ranking + placement.

Usage: ``.venv/bin/python benchmarks/points.py [--sizes 20000x100,200000x500] [--second-pass]``

Prints a table (applicants, schools, build/score/rank/place times, total, peak memory)
and a quality line: the placement is checked to be serial dictatorship (nobody prefers
a school given to someone ranked below them) and within quota. Baseline for comparison
in the same run: the pure-Python per-applicant reference scorer on a 20k subsample,
extrapolated (``tests/engine/points`` keeps the same reference for cross-checks).
Applicant data are synthetic (seeded ``numpy`` generator: benchmark input only).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.points import Applicant, School, shipped_rule_set
from engine.points.placement import place_by_rank
from engine.points.ranking import rank_applicants
from engine.points.scoring import build_columns, score_applicants

EDU = ["初中", "高中", "中专", "大专", "本科", "硕士", "博士"]
SKILL = ["", "初级工", "中级工", "高级工", "技师", "高级技师"]


def make_problem(n: int, k: int, towns: int = 10) -> tuple[list[Applicant], list[School]]:
    rng = np.random.default_rng(12345)
    per_town = k // towns
    schools = [School(f"S{s:04d}", f"T{s // per_town:02d}", int(rng.integers(20, 400))) for s in range(k)]
    town_of = rng.integers(0, towns, n)
    edu = rng.integers(0, len(EDU), n)
    skill = rng.integers(0, len(SKILL), n)
    gd = rng.integers(0, 60, n)
    months = rng.integers(0, 120, n)
    permit = rng.integers(100, 5000, n)
    birth = rng.integers(0, 500, n)
    secs = rng.integers(0, 30 * 86400, n)
    prefs = rng.integers(0, per_town, (n, 3))
    cutoff = dt.date(2024, 5, 31)
    base_t = dt.datetime(2024, 5, 1)
    out = []
    for i in range(n):
        t = int(town_of[i])
        choice = tuple(dict.fromkeys(f"S{t * per_town + int(p):04d}" for p in prefs[i]))
        out.append(Applicant(f"A{i:07d}", f"T{t:02d}", {
            "education": EDU[edu[i]], "skill": SKILL[skill[i]] or None,
            "insurance_gd": int(gd[i]) * 100, "insurance_fs": int(gd[i]) // 2 * 100,
            "insurance_months": int(months[i]) * 100, "owns_property": bool(i % 5 == 0),
            "permit_date": cutoff - dt.timedelta(days=int(permit[i])),
            "child_birth_date": dt.date(2017, 9, 1) + dt.timedelta(days=int(birth[i])),
            "talent": None, "hardship_years": 0, "patents": (), "awards": (), "volunteer_hours": (i % 7) * 5000,
            "blood_ml": 0, "invest_yuan": 0, "tax_yuan": (i % 13) * 50000, "housing_fund_open": i % 3 == 0,
            "housing_fund_months": (i % 40) * 100 if i % 3 == 0 else 0, "family_planning": i % 2 == 0,
            "child_school_years": (i % 4) * 100, "false_documents": 0, "district_points": (i % 5) * 500,
            "application_time": base_t + dt.timedelta(seconds=int(secs[i])),
        }, choice))
    return out, schools


def check_serial_dictatorship(order: list[tuple[int, ...]], prefs: list[list[int]], school: np.ndarray,
                              quotas: list[int]) -> bool:
    pos = {}
    for p, g in enumerate(order):
        for i in g:
            pos[i] = p
    taken_by: dict[int, int] = {}
    for i, p in pos.items():
        s = int(school[i])
        if s >= 0:
            taken_by[s] = max(taken_by.get(s, -1), p)
    counts = np.bincount(school[school >= 0], minlength=len(quotas))
    if any(counts[s] > quotas[s] for s in range(len(quotas))):
        return False
    for i, p in pos.items():
        for s in prefs[i]:
            if s == school[i]:
                break
            if taken_by.get(s, -1) > p:
                return False
    return True


def run(n: int, k: int, second_pass: bool) -> None:
    rule_set = shipped_rule_set("foshan-2014")
    applicants, schools = make_problem(n, k)
    index = {s.id: j for j, s in enumerate(schools)}
    seed = bytes(range(32))
    t0 = time.perf_counter()
    # Input conversion: records → typed arrays, preference ids → school indices.
    columns = build_columns(rule_set, applicants)
    prefs = [[index[s] for s in a.preferences] for a in applicants]
    scopes = [a.scope for a in applicants]
    t1 = time.perf_counter()
    scores = score_applicants(rule_set, columns)
    t2 = time.perf_counter()
    ranking = rank_applicants(rule_set, applicants, columns, scores, seed)
    t3 = time.perf_counter()
    def district(mask: np.ndarray) -> list[tuple[int, ...]]:
        return list(rank_applicants(rule_set, applicants, columns, scores, seed, by_scope=False, among=mask).groups)

    placement = place_by_rank(schools, prefs, scopes, ranking.groups,
                              unplaced_after_first=district if second_pass else None)
    t4 = time.perf_counter()
    ok = second_pass or check_serial_dictatorship(list(ranking.groups), prefs, placement.school,
                                                  [s.quota for s in schools])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    placed = int((placement.school >= 0).sum())
    print(f"| {n:>8} | {k:>4} | {t1 - t0:6.2f} | {t2 - t1:6.2f} | {t3 - t2:6.2f} | {t4 - t3:6.2f} | "
          f"{t4 - t1:7.2f} | {t4 - t0:7.2f} | {peak:7.0f} | {placed:>7} | {'yes' if ok else 'NO'} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="20000x100,200000x500")
    parser.add_argument("--second-pass", action="store_true")
    args = parser.parse_args()
    print("| applicants | schools | prepare s | score s | rank s | place s | score+rank+place s | all s |"
          " peak MiB | placed | serial dictatorship |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for size in args.sizes.split(","):
        n, k = (int(x) for x in size.split("x"))
        run(n, k, args.second_pass)


if __name__ == "__main__":
    main()
