"""复核 corrections benchmark: a corrected zone lottery against the plain run on the same roster.

    .venv/bin/python benchmarks/review.py                  # zone (20k) and city (200k)
    .venv/bin/python benchmarks/review.py --sizes zone

For each size: the plain ``execute`` of the lottery kind, then ``execute`` with corrections
(0.5 % withdrawals, 0.5 % tier corrections 1→0), both with the same seed, on a roster
generated from SHA-256 (deterministic, no PRNG stream): popularity-skewed choices, tiers
1/2/3 = 60/30/10 %. Reports wall and CPU seconds of each, the rows of ``review_diff.csv``
and how many were knock-on moves. Figures go into benchmarks/RESULTS.md by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.runs.lottery import execute

SIZES = {"zone": (20_000, 30, 5), "city": (200_000, 500, 10)}  # applicants, schools, choices
SEED = bytes.fromhex("5eed" * 16)


def _word(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("/".join(map(str, parts)).encode()).digest()[:8], "big")


def roster(n: int, n_schools: int, k: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Config and roster records; school s has popularity weight about 1/(s+1)^0.8."""
    weights = [1 / (s + 1) ** 0.8 for s in range(n_schools)]
    total = sum(weights)
    cdf, acc = [], 0.0
    for w in weights:
        acc += w / total
        cdf.append(acc)
    seats = max(1, int(n * 0.95) // n_schools)
    schools = [{"id": f"S{s:04d}", "name": None, "capacity": seats} for s in range(n_schools)]
    records = []
    for i in range(n):
        prefs: list[str] = []
        j = 0
        while len(prefs) < min(k, n_schools):
            u = _word(i, j) / 2**64
            s = next((x for x, c in enumerate(cdf) if c >= u), n_schools - 1)
            if f"S{s:04d}" not in prefs:
                prefs.append(f"S{s:04d}")
            j += 1
        t = _word(i, "tier") % 10
        records.append({"id": f"A{i:07d}", "preferences": prefs, "tier": 1 if t < 6 else 2 if t < 9 else 3,
                        "priority": {}, "group": "", "round2": []})
    return {"mechanism": "da", "round2": False, "schools": schools}, records


def corrections(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    step = 100
    for i in range(0, len(records), step):
        r = records[i]
        out.append({"id": r["id"], "field": "withdraw", "old": None, "new": None, "reason": "放弃"})
        r2 = records[i + step // 2]
        if r2["tier"] != 0:
            out.append({"id": r2["id"], "field": "tier", "old": r2["tier"], "new": 0, "reason": "复核"})
    return sorted(out, key=lambda c: (c["id"], c["field"]))


def timed(config: dict[str, Any], records: list[dict[str, Any]]) -> tuple[dict[str, bytes], float, float]:
    """``execute`` of the lottery kind, with its wall and CPU seconds."""
    w, c = time.perf_counter(), time.process_time()
    out = execute(config, records, SEED)
    return out, time.perf_counter() - w, time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", nargs="*", default=list(SIZES))
    args = ap.parse_args()
    print("| size | applicants × schools × k | corrections | plain s (wall/cpu) | corrected s (wall/cpu) | "
          "review_diff rows | knock-on rows |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name in args.sizes:
        n, n_schools, k = SIZES[name]
        config, records = roster(n, n_schools, k)
        fixes = corrections(records)
        timed(config, records[:100])  # compile the kernels outside the timings
        _, pw, pc = timed(config, records)
        files, cw, cc = timed({**config, "corrections": fixes}, records)
        lines = files["review_diff.csv"].decode().splitlines()[1:]
        knock = sum(1 for line in lines if ",knock_on," in line)
        print(f"| {name} | {n:,} × {n_schools} × {k} | {len(fixes):,} | {pw:.2f} / {pc:.2f} | {cw:.2f} / {cc:.2f} | "
              f"{len(lines):,} | {knock:,} |")


if __name__ == "__main__":
    main()
