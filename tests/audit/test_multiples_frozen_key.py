"""A multiples unit keeps the lottery key of its frozen membership (issue 13, docs/lottery.md §3).

The attack: after the roster is frozen, one twin withdraws. If the other twin were keyed by the
members still in the roster, it would draw a fresh number (another chance at a good number for the
family, or a way for the office to move a child). The key is the sorted ids of the group's members
in the FROZEN roster, so the remaining twin keeps the pair's number, and both verifiers recompute it.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from api.audit_runs import load_bundle_files
from api.inputs import read_input_file
from api.runs.lottery import prepare_lottery
from audit.verify import spec_lottery_numbers

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "lottery"
TWINS = ("202600130", "202600131")  # group T0013 of the sample roster


def _numbers(out: Path) -> tuple[dict[str, str], bytes]:
    files = load_bundle_files(out)
    rows = csv.DictReader(io.StringIO(files["results/results.csv"].decode()))
    seed = bytes.fromhex(json.loads(files["seed.json"])["seed"])
    return {r["applicant_id"]: r["lottery_number"] for r in rows}, seed


def test_withdrawn_twin_leaves_the_other_the_pairs_number(tmp_path: Path, operator: Any, run_ceremony: Any,
                                                          verify_files: Any) -> None:
    run = prepare_lottery(read_input_file(SAMPLES / "schools.csv"), read_input_file(SAMPLES / "applicants.csv"))
    run_ceremony(tmp_path / "both", operator, run, out=tmp_path / "both-out")
    run_ceremony(tmp_path / "one", operator, run, withdraw=TWINS[1], out=tmp_path / "one-out")
    both, seed = _numbers(tmp_path / "both-out")
    one, seed_one = _numbers(tmp_path / "one-out")
    assert seed == seed_one  # the seed depends on the public roster, which a withdrawal does not change
    pair = spec_lottery_numbers(seed, "lottery", [list(TWINS)])[0]
    assert both[TWINS[0]] == both[TWINS[1]] == pair
    assert TWINS[1] not in one  # withdrawn: not placed
    assert one[TWINS[0]] == pair  # not a fresh number of its own
    assert one[TWINS[0]] != spec_lottery_numbers(seed, "lottery", [[TWINS[0]]])[0]
    lines = verify_files(load_bundle_files(tmp_path / "one-out"), [operator.verifier])
    assert any(line.startswith("replay:") for line in lines)  # the engine replays it, step 8 recomputes it
