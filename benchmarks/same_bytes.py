"""Digest of every output of a lottery practice build with the roster secret pinned: compare two trees' bytes.

    .venv/bin/python benchmarks/same_bytes.py lottery-200k > after.txt
    PYTHONPATH=/tmp/before-lotteryfast .venv/bin/python /tmp/before-lotteryfast/benchmarks/same_bytes.py \\
        lottery-200k > before.txt    # (or this file run with the other tree first on sys.path)
    diff before.txt after.txt

Why: a practice run draws a fresh random roster secret, so roster.jsonl, roster_private.json and
bundle.zip differ from run to run; with ``secrets.token_bytes`` pinned, every output file of the
same inputs and seed must be byte-identical across a change that claims to keep the bytes.
Inputs are those of ``benchmarks/e2e.py`` (``--work``, default ``/tmp/sunshine-e2e``).
"""

from __future__ import annotations

import argparse
import hashlib
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("case", help="an input folder under --work, e.g. lottery-200k")
    ap.add_argument("--work", type=Path, default=Path("/tmp/sunshine-e2e"))
    args = ap.parse_args()
    secrets.token_bytes = lambda n=32: b"\x07" * (n or 32)  # the build's roster secret, pinned

    from api.cli.common import prepare_from_paths, seed_bytes
    from api.runs.build import build_practice

    folder = args.work / args.case
    run = prepare_from_paths("lottery", {"schools": folder / "schools.csv", "applicants": folder / "applicants.csv"},
                             {})
    for name, data in sorted(build_practice(run, seed_bytes("5eed" * 16)).files().items()):
        print(hashlib.sha256(data).hexdigest()[:16], len(data), name)


if __name__ == "__main__":
    main()
