"""Zone-lottery benchmark: draw + placement time, peak memory and rank distribution.

    .venv/bin/python benchmarks/lottery.py                 # all sizes, baselines, table
    .venv/bin/python benchmarks/lottery.py --sizes school zone

Instances are generated deterministically (splitmix64 over a fixed salt, no numpy
Generator): popularity-skewed (Zipf-like) preferences, three tiers (60/30/10 %), 5 %
siblings (tier 0 at their first choice), 2 % of applicants in twin pairs, seats
≈ 95 % of applicants. Each size runs in its own subprocess so ``ru_maxrss`` is that
size's peak. Baselines in the same run: ``matching`` (daffidwilde) HospitalResident
and a plain-Python heap DA, on the same tie-broken priorities with twins removed;
agreement with our DA is checked, not assumed.
"""

from __future__ import annotations

import argparse
import heapq
import json
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.lottery.data import Market
from engine.lottery.numbers import draw_numbers, priority_ranks
from engine.lottery.rounds import place_market

SIZES = {  # name: (applicants, schools, choices)
    "school": (2_000, 1, 1),
    "zone": (20_000, 30, 5),
    "city": (200_000, 500, 10),
    "stress": (1_000_000, 1_000, 10),
}
BASELINE_SIZES = {"hr-2k": (2_000, 30, 5), "hr-10k": (10_000, 30, 5)}
SEED = bytes.fromhex("5eed" * 16)


@numba.njit(cache=True)
def _splitmix(state: np.uint64) -> tuple[np.uint64, np.uint64]:
    state = state + np.uint64(0x9E3779B97F4A7C15)
    z = state
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return state, z ^ (z >> np.uint64(31))


@numba.njit(cache=True)
def _generate(n: int, n_schools: int, k: int, cdf: np.ndarray, salt: int):  # type: ignore[no-untyped-def]
    """Per applicant: k distinct schools by popularity, tier, sibling flag, twin-with-next flag."""
    state = np.uint64(salt)
    prefs = np.empty(n * k, dtype=np.int64)
    tier = np.empty(n, dtype=np.int64)
    sibling = np.zeros(n, dtype=np.bool_)
    twin = np.zeros(n, dtype=np.bool_)
    kk = min(k, n_schools)
    i = 0
    while i < n:
        for j in range(kk):
            while True:
                state, z = _splitmix(state)
                x = (z >> np.uint64(11)) * (1.0 / 9007199254740992.0)
                s = np.searchsorted(cdf, x, side="right")
                if s >= n_schools:
                    s = n_schools - 1
                dup = False
                for q in range(j):
                    if prefs[i * k + q] == s:
                        dup = True
                if not dup:
                    break
            prefs[i * k + j] = s
        state, z = _splitmix(state)
        r = z % np.uint64(100)
        tier[i] = 1 if r < 60 else (2 if r < 90 else 3)
        state, z = _splitmix(state)
        sibling[i] = z % np.uint64(100) < 5
        state, z = _splitmix(state)
        if z % np.uint64(100) < 1 and i + 1 < n:  # 1 % of starts → 2 % of applicants are twins
            twin[i] = True
            for j in range(kk):
                prefs[(i + 1) * k + j] = prefs[i * k + j]
            tier[i + 1] = tier[i]
            i += 2
            continue
        i += 1
    return prefs, tier, sibling, twin


def build(n: int, n_schools: int, k: int, *, twins: bool = True) -> Market:
    """A deterministic instance as a :class:`Market` (built directly from arrays, as the engine sees it)."""
    w = 1.0 / np.arange(1, n_schools + 1) ** 0.8
    cdf = np.cumsum(w / w.sum())
    kk = min(k, n_schools)
    prefs, tier, sibling, twin = _generate(n, n_schools, k, cdf, 12345 + n)
    prefs = prefs.reshape(n, k)[:, :kk]
    # capacities: ~95 % of applicants, spread with ±50 % noise
    noise = (np.arange(n_schools) * 2654435761 % 1000) / 1000.0
    cap = np.maximum(1, np.round(0.95 * n / n_schools * (0.5 + noise))).astype(np.int64)
    if n_schools == 1:
        cap[:] = int(0.25 * n)  # a single oversubscribed school, 4:1
    starts = np.ones(n, dtype=np.bool_)
    if twins:
        starts[1:] = ~twin[:-1]
    else:
        keep = ~twin
        keep[1:] &= ~twin[:-1]
        prefs, tier, sibling = prefs[keep], tier[keep], sibling[keep]
        n = int(keep.sum())
        starts = np.ones(n, dtype=np.bool_)
    unit_first = np.flatnonzero(starts)
    n_units = unit_first.size
    member_ptr = np.append(unit_first, n).astype(np.int64)
    size = np.diff(member_ptr)
    ids = tuple(f"A{i:07d}" for i in range(n))
    keys = tuple(tuple(ids[member_ptr[u]:member_ptr[u + 1]]) for u in range(n_units))
    uprefs = prefs[unit_first]
    utier = np.minimum(tier[unit_first], tier[member_ptr[1:] - 1])
    tiers = np.repeat(utier[:, None], kk, axis=1)
    sib = sibling[unit_first]
    tiers[sib, 0] = 0
    ptr = np.arange(0, (n_units + 1) * kk, kk, dtype=np.int64)
    empty = np.zeros(0, dtype=np.int64)
    return Market(
        school_ids=tuple(f"S{s:04d}" for s in range(n_schools)), capacity=cap, applicant_ids=ids,
        applicant_tier=tier.astype(np.int64), keys=keys, size=size, base_tier=utier.astype(np.int64),
        member_ptr=member_ptr, member_idx=np.arange(n, dtype=np.int64), ptr=ptr,
        school=uprefs.reshape(-1).astype(np.int64), tier=tiers.reshape(-1).astype(np.int64),
        r2_ptr=np.zeros(n_units + 1, dtype=np.int64), r2_school=empty, r2_tier=empty,
    )


@dataclass
class Row:
    name: str
    shape: str
    what: str
    draw_s: float
    place_s: float
    rss_mb: float
    first: float
    top3: float
    unplaced: float
    note: str = ""


def _distribution(market: Market, school: np.ndarray, choice: np.ndarray) -> tuple[float, float, float]:
    per_app = np.repeat(choice, market.size)
    placed = np.repeat(school, market.size) >= 0
    n = per_app.size
    return (100 * np.count_nonzero(placed & (per_app == 1)) / n,
            100 * np.count_nonzero(placed & (per_app <= 3)) / n, 100 * np.count_nonzero(~placed) / n)


def run_size(name: str, n: int, n_schools: int, k: int, mechanism: str) -> dict[str, object]:
    warm = build(50, 3, 2)
    place_market(warm, np.zeros(warm.n_units, dtype=np.uint64), np.arange(warm.n_units, dtype=np.int64),
                 mechanism, False)  # type: ignore[arg-type]
    market = build(n, n_schools, k)
    t0, c0 = time.perf_counter(), time.process_time()
    numbers = draw_numbers(SEED, market.keys)
    rank = priority_ranks(numbers, market.keys)
    t1, c1 = time.perf_counter(), time.process_time()
    result = place_market(market, numbers, rank, mechanism, False)  # type: ignore[arg-type]
    t2, c2 = time.perf_counter(), time.process_time()
    first, top3, unplaced = _distribution(market, result.school, result.choice_rank)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"name": name, "shape": f"{n:,}×{n_schools:,}×{k}", "what": f"sunshine {mechanism}",
            "draw_s": t1 - t0, "place_s": t2 - t1, "rss_mb": rss, "first": first, "top3": top3,
            "unplaced": unplaced,
            "note": f"cpu {c1 - c0:.2f}+{c2 - c1:.2f}s; {int((market.size > 1).sum()):,} twin units"}


def python_heap_da(market: Market, rank: np.ndarray) -> list[int]:
    """Textbook student-proposing DA with a heap per school, plain Python, singletons only."""
    n = market.n_units
    ptr, school, tier = market.ptr.tolist(), market.school.tolist(), market.tier.tolist()
    rk = rank.tolist()
    cap = market.capacity.tolist()
    held: list[list[tuple[int, int]]] = [[] for _ in cap]
    nxt = ptr[:-1]
    match = [-1] * n
    free = sorted(range(n), key=lambda u: rk[u], reverse=True)
    while free:
        u = free.pop()
        while nxt[u] < ptr[u + 1]:
            e = nxt[u]
            nxt[u] += 1
            s = school[e]
            key = -(tier[e] * n + rk[u])
            if len(held[s]) < cap[s]:
                heapq.heappush(held[s], (key, u))
                match[u] = s
                break
            if held[s] and held[s][0][0] < key:
                _, v = heapq.heapreplace(held[s], (key, u))
                match[v] = -1
                match[u] = s
                free.append(v)
                break
    return match


def run_baselines(name: str, n: int, n_schools: int, k: int, with_hr: bool) -> list[dict[str, object]]:
    warm = build(50, 3, 2)
    place_market(warm, np.zeros(warm.n_units, dtype=np.uint64), np.arange(warm.n_units, dtype=np.int64), "da", False)
    market = build(n, n_schools, k, twins=False)
    numbers = draw_numbers(SEED, market.keys)
    rank = priority_ranks(numbers, market.keys)
    t0 = time.perf_counter()
    ours = place_market(market, numbers, rank, "da", False)
    t_ours = time.perf_counter() - t0
    shape = f"{market.n_units:,}×{n_schools:,}×{k}"
    rows: list[dict[str, object]] = []
    t0 = time.perf_counter()
    heap = python_heap_da(market, rank)
    t_heap = time.perf_counter() - t0
    agree = heap == ours.school.tolist()
    rows.append({"name": name, "shape": shape, "what": "python heap DA", "draw_s": 0.0, "place_s": t_heap,
                 "rss_mb": 0.0, "first": float("nan"), "top3": float("nan"), "unplaced": float("nan"),
                 "note": f"agrees with sunshine da: {agree} (sunshine {t_ours:.3f}s)"})
    if with_hr:
        from matching.games import HospitalResident

        sid = market.school_ids
        resident_prefs: dict[str, list[str]] = {}
        by_school: dict[str, list[tuple[int, str]]] = {s: [] for s in sid}
        for u in range(market.n_units):
            rid = market.keys[u][0]
            lst = []
            for e in range(int(market.ptr[u]), int(market.ptr[u + 1])):
                s = sid[int(market.school[e])]
                lst.append(s)
                by_school[s].append((int(market.tier[e]) * market.n_units + int(rank[u]), rid))
            resident_prefs[rid] = lst
        hospital_prefs = {s: [r for _, r in sorted(v)] for s, v in by_school.items()}
        caps = {s: int(c) for s, c in zip(sid, market.capacity.tolist(), strict=True)}
        t0 = time.perf_counter()
        game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs, caps)
        solution = game.solve(optimal="resident")
        t_hr = time.perf_counter() - t0
        theirs = {r.name: h.name for h, rs in solution.items() for r in rs}
        mine = {market.keys[u][0]: sid[int(s)] for u, s in enumerate(ours.school.tolist()) if s >= 0}
        rows.append({"name": name, "shape": shape, "what": "matching HospitalResident", "draw_s": 0.0,
                     "place_s": t_hr, "rss_mb": 0.0, "first": float("nan"), "top3": float("nan"),
                     "unplaced": float("nan"), "note": f"agrees with sunshine da: {theirs == mine}"})
    return rows


def _child(args: list[str]) -> list[dict[str, object]]:
    out = subprocess.run([sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="*", default=list(SIZES))
    parser.add_argument("--mechanisms", nargs="*", default=["da", "boston", "serial"])
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        kind, name, mech = args.child
        if kind == "size":
            n, s, k = SIZES[name]
            rows = [run_size(name, n, s, k, mech)]
        else:
            n, s, k = BASELINE_SIZES.get(name, SIZES.get(name, (0, 0, 0)))
            rows = run_baselines(name, n, s, k, with_hr=name in BASELINE_SIZES)
        print(json.dumps(rows))
        return
    rows: list[dict[str, object]] = []
    for name in args.sizes:
        for mech in args.mechanisms:
            rows += _child(["size", name, mech])
            print(f"... {name} {mech} done", file=sys.stderr)
    if not args.no_baselines:
        for name in ["hr-2k", "hr-10k", "zone", "city"]:
            rows += _child(["base", name, "da"])
            print(f"... baseline {name} done", file=sys.stderr)
    print(f"{'size':<8} {'n×schools×k':<20} {'what':<26} {'draw s':>7} {'place s':>8} {'peak MB':>8} "
          f"{'1st %':>6} {'top3 %':>7} {'unpl %':>7}  note")
    for r in rows:
        def f(x: object, fmt: str) -> str:
            return "-" if not isinstance(x, float) or x != x or x == 0.0 else format(x, fmt)
        print(f"{r['name']:<8} {r['shape']:<20} {r['what']:<26} {f(r['draw_s'], '.3f'):>7} "
              f"{f(r['place_s'], '.3f'):>8} {f(r['rss_mb'], '.0f'):>8} {f(r['first'], '.1f'):>6} "
              f"{f(r['top3'], '.1f'):>7} {f(r['unplaced'], '.1f'):>7}  {r['note']}")


if __name__ == "__main__":
    main()
