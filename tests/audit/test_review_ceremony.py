"""复核 corrections in the audit layer: a corrected lottery through the two-witness ceremony verifies,
and the review_diff.csv bytes written in docs/outputs.md are what the code produces."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from api.audit_runs import load_bundle_files
from api.inputs import InputFile, read_input_file
from api.runs import get_kind
from api.runs.classes import prepare_classes
from api.runs.lottery import prepare_lottery
from audit.signing import Signer

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SEED = bytes(31) + b"\x07"
SCHOOLS = ("学校代码,学校名称,招生计划\nS0001,阳光实验小学,2\nS0002,东城第一小学,1\nS0003,西湖路小学,1\n"
           "S0004,育才小学,1\nS0006,新华街小学,2\n")
APPLICANTS = ("报名号,志愿,类别,优先,多胞胎组,二轮志愿\n202600010,S0001;S0002,2,,,S0003；S0001\n"
              "202600110,S0002;S0001;S0004,1,S0002:0,,\n202601230,S0001;S0003,1,,T0123,S0006\n"
              "202601231,S0001;S0003,1,,T0123,S0006\n")


def _blocks_after(text: str, heading: str) -> list[str]:
    """The fenced code blocks of the subsection that starts at ``heading`` (up to the next heading)."""
    start = text.index(heading)
    end = text.find("\n#", start + len(heading))
    return re.findall(r"```[a-z]*\n(.*?)```", text[start:end if end >= 0 else None], flags=re.S)


def _corrected_lottery(corrections: str) -> Any:
    return prepare_lottery(InputFile("schools.csv", SCHOOLS.encode()), InputFile("applicants.csv", APPLICANTS.encode()),
                           round2=True, corrections=InputFile("corrections.csv", corrections.encode()))


def test_outputs_md_lottery_review_example_is_the_real_output() -> None:
    doc = (DOCS / "outputs.md").read_text(encoding="utf-8")
    section = doc[doc.index("## 2. Zone lottery"):doc.index("## 3. Points admission")]
    corrections, results, diff = _blocks_after(section, "### `review_diff.csv`")
    run = _corrected_lottery(corrections)
    files = get_kind("lottery").execute(run.config, run.roster, SEED)
    assert files["results.csv"].decode() == results
    assert files["review_diff.csv"].decode() == diff


def test_outputs_md_classes_review_lines_are_real_rows() -> None:
    doc = (DOCS / "outputs.md").read_text(encoding="utf-8")
    (block,) = _blocks_after(doc, "## Class placement `review_diff.csv`")
    samples = ROOT / "samples" / "classes"
    run = prepare_classes(read_input_file(samples / "students.csv"), None, read_input_file(samples / "config.toml"),
                          read_input_file(samples / "corrections.csv"))
    real = get_kind("classes").execute(run.config, run.roster, bytes(range(32)))["review_diff.csv"].decode()
    assert block.splitlines()[0] == real.splitlines()[0]
    assert set(block.splitlines()) <= set(real.splitlines())


def test_corrected_lottery_through_the_ceremony_verifies(tmp_path: Path, operator: Signer, run_ceremony: Any,
                                                         verify_files: Any) -> None:
    """The kind's ``corrections`` input survives the run store and the bundle: replay reproduces review_diff.csv."""
    run = _corrected_lottery("报名号,更正项目,原值,新值,理由\n202600110,退出,,退出,家长放弃学位\n")
    out = tmp_path / "out"
    run_ceremony(tmp_path / "run", operator, run, out=out)
    files = load_bundle_files(out)
    lines = verify_files(files, keys=[operator.verifier])
    assert any(line.startswith("replay:") and "reproduced byte for byte" in line for line in lines)
    diff = list(csv.DictReader(io.StringIO(files["results/review_diff.csv"].decode())))
    assert {r["applicant_id"]: r["cause"] for r in diff} == {"202600010": "freed_seat", "202600110": "own"}
    roster = (out / "bundle" / "roster.jsonl").read_text().splitlines()
    assert len(roster) == 4  # the original roster, the withdrawn applicant included
