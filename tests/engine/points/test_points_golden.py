"""Golden digest: a rolling SHA-256 over every public output of the sample run for seeds 0..4.

Pins byte-identical outputs across versions (style guide §12). If a change is *meant*
to alter outputs, update GOLDEN in the same commit and say why in the message.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from api.inputs import read_input_file
from api.runs.points import execute, prepare_points

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "points"
GOLDEN = "bfaf624317f9d520a05070d2a01d55b016d7ae80adbf4e68228b8b2ada299953"


def rolling_digest() -> str:
    run = prepare_points(*(read_input_file(SAMPLES / n) for n in ("rules.toml", "applicants.csv", "schools.csv")),
                         corrections=read_input_file(SAMPLES / "corrections.csv"), second_pass=True)
    rolling = hashlib.sha256()
    for n in range(5):
        seed = n.to_bytes(32, "big")
        files = execute(run.config, [dict(r) for r in run.roster], seed)
        for name in sorted(files):
            rolling.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return rolling.hexdigest()


def test_sample_outputs_match_golden_digest() -> None:
    assert rolling_digest() == GOLDEN
