"""复核 corrections in the audit layer: a corrected lottery through the two-witness ceremony verifies."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from api.audit_runs import load_bundle_files
from api.inputs import InputFile
from api.runs.lottery import prepare_lottery
from audit.signing import Signer


def test_corrected_lottery_through_the_ceremony_verifies(tmp_path: Path, operator: Signer, run_ceremony: Any,
                                                         verify_files: Any) -> None:
    """The kind's ``corrections`` input survives the run store and the bundle: replay reproduces review_diff.csv.

    S1 has one seat and A1…A3 list only S1, so whoever holds it and withdraws frees it for the next in line.
    """
    schools = InputFile("schools.csv", "学校代码,招生计划\nS1,1\n".encode())
    applicants = InputFile("applicants.csv", "报名号,志愿\nA1,S1\nA2,S1\nA3,S1\n".encode())
    plain = prepare_lottery(schools, applicants)
    run_ceremony(tmp_path / "plain", operator, plain, out=tmp_path / "plain-out")
    holder = next(r["applicant_id"] for r in csv.DictReader(io.StringIO(
        (tmp_path / "plain-out" / "results.csv").read_text("utf-8"))) if r["school_id"])
    fix = InputFile("corrections.csv", f"报名号,更正项目,原值,新值,理由\n{holder},退出,,退出,家长放弃学位\n".encode())
    run = prepare_lottery(schools, applicants, corrections=fix)
    out = tmp_path / "out"
    run_ceremony(tmp_path / "run", operator, run, out=out)
    files = load_bundle_files(out)
    lines = verify_files(files, keys=[operator.verifier])
    assert any(line.startswith("replay:") and "reproduced byte for byte" in line for line in lines)
    diff = list(csv.DictReader(io.StringIO(files["results/review_diff.csv"].decode())))
    assert [r["cause"] for r in diff if r["applicant_id"] == holder] == ["own"]
    assert [r["cause"] for r in diff if r["applicant_id"] != holder] == ["freed_seat"]
    # the same roster as the original run (the withdrawn applicant included): the linked run commits it again
    assert (out / "bundle" / "roster.jsonl").read_text().count("\n") == 3
