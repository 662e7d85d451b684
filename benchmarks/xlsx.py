"""Writing speed of the people-facing XLSX (api/xlsx.py): seconds for N rows × 10 typed columns.

Why: the workbooks are public results, so every replay and verify writes them again; this
figure sets XLSX_MAX_APPLICANTS. Run: .venv/bin/python benchmarks/xlsx.py [--rows 20000 50000]
"""

from __future__ import annotations

import argparse
import time
from decimal import Decimal

from api.xlsx import Sheet, xlsx_bytes


def rows(n: int) -> list[list[object]]:
    return [[f"A{i:08d}", i, "张*三", "440601********1234", Decimal(i % 1000) / 10, "录取", "S001", "阳光实验小学",
             "大良", i % 3] for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[20000, 50000])
    for n in parser.parse_args().rows:
        data = rows(n)
        start = time.perf_counter()
        size = len(xlsx_bytes([Sheet("名单", "benchmark", [f"c{j}" for j in range(10)], data)]))  # type: ignore[arg-type]
        took = time.perf_counter() - start
        print(f"| {n:>7,} | {n * 10:>9,} | {took:6.2f} | {took / (n * 10) * 1e6:5.1f} | {size / 1e6:5.1f} |")


if __name__ == "__main__":
    main()
