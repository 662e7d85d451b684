"""Result rows tree benchmark: the ``rows`` of ``run.execute`` over a 1,000,000-row lottery results.csv.

    .venv/bin/python benchmarks/result_rows.py            # 1M rows
    .venv/bin/python benchmarks/result_rows.py --n 200000

What execute/publish add per run (``rows_commitment``, also verify step 7 on the second core) and what
the HTTP lookup builds once per run for receipts (``ResultRows.of``, all tree levels kept). The rows
have the lottery's ``results.csv`` shape (8 columns, ASCII); the instance is a deterministic LCG
draw (benchmark input only). Prints wall and CPU time of the best of three.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audit.result_rows import ResultRows, rows_commitment

HEADER = "applicant_id,lottery_number,tier,school_id,choice_rank,round,reason,unit_size"


def results_csv(n: int) -> bytes:
    x = 12345
    lines = [HEADER]
    for i in range(n):
        x = (x * 6364136223846793005 + 1442695040888963407) % 2**64
        placed = x % 10 < 9
        lines.append(f"2026{i:07d},{x:016x},{1 + x % 3},{f'S{x % 1000:04d}' if placed else ''},"
                     f"{1 + x % 5 if placed else ''},{1 if placed else ''},{'' if placed else 'all_choices_full'},1")
    return ("\n".join(lines) + "\n").encode()


def best_of(fn, repeat: int = 3) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        best = min(best, (time.perf_counter() - w, time.process_time() - c))
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    n = ap.parse_args().n
    results = {"results.csv": results_csv(n), "schools.csv": b"school_id,capacity\nS0001,1\n"}
    rows_commitment(results)  # compile / load the numba kernel once
    print(f"results.csv: {n:,} rows, {len(results['results.csv']) / 1e6:.1f} MB")
    wall, cpu = best_of(lambda: rows_commitment(results))
    print(f"rows_commitment (run.execute rows, verify step 7): wall {wall:.2f} s, cpu {cpu:.2f} s")
    wall, cpu = best_of(lambda: ResultRows.of(results))
    print(f"ResultRows.of (lookup: tree with all levels, once per run): wall {wall:.2f} s, cpu {cpu:.2f} s")


if __name__ == "__main__":
    main()
