"""Golden digest: pins the exact bytes of ``results.csv``/``schools.csv``/``summary.json``.

A rolling SHA-256 over seeds 0..19 × the three mechanisms on the sample zone
(``samples/lottery``, with round 2). Any change to numbers, tie-breaks, mechanisms or
output formatting changes the digest; such a change is a new engine version and must
be deliberate (update ``GOLDEN`` and say why in the commit).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from api.inputs import read_input_file
from api.runs.lottery import execute, prepare_lottery

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "lottery"
CONTRACT_FILES = ("results.csv", "schools.csv", "summary.json")
GOLDEN = "bf30547c894dc294f75ae682e289addbfec0152640732fc7139dac34af04f477"


def rolling_digest() -> str:
    run = prepare_lottery(read_input_file(SAMPLES / "schools.csv"), read_input_file(SAMPLES / "applicants.csv"),
                          "da", True)
    digest = hashlib.sha256()
    for seed in range(20):
        for mech in ("da", "boston", "serial"):
            files = execute({**run.config, "mechanism": mech}, run.roster, hashlib.sha256(bytes([seed])).digest())
            for name in CONTRACT_FILES:  # the people-facing XLSX is pinned by tests/api/test_xlsx_outputs.py
                digest.update(name.encode() + b"\0" + files[name])
            digest = hashlib.sha256(digest.digest())
    return digest.hexdigest()


def test_golden_digest() -> None:
    assert rolling_digest() == GOLDEN
