"""Deflate level for ``bundle.zip``: size against time for levels 1–9 on a real bundle (issue 12).

    .venv/bin/python benchmarks/zip_levels.py /tmp/sunshine-e2e/out/lottery-1m/bundle

Times :func:`audit.bundle.zip_bytes` (the deterministic writer, every member) at each level,
best of ``--runs``, and prints the zip size; the load average is printed too (shared machine).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audit.bundle import zip_bytes


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("bundle", type=Path, help="a bundle/ folder")
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    paths = sorted(p for p in args.bundle.rglob("*") if p.is_file())
    files = {p.relative_to(args.bundle).as_posix(): p.read_bytes() for p in paths}
    raw = sum(map(len, files.values()))
    print(f"bundle: {len(files)} files, {raw / 1e6:.1f} MB; load {os.getloadavg()[0]:.1f}")
    print("level  zip MB  ratio  best s  cpu s")
    for level in range(1, 10):
        best = cpu = float("inf")
        for _ in range(args.runs):
            t0, c0 = time.perf_counter(), time.process_time()
            data = zip_bytes(files, level=level)
            best, cpu = min(best, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
        print(f"{level:>5}  {len(data) / 1e6:6.1f}  {len(data) / raw:5.3f}  {best:6.2f}  {cpu:5.2f}", flush=True)


if __name__ == "__main__":
    main()
