"""Review (复核): corrections must match the value on file; the diff names who moved and why."""

from __future__ import annotations

import datetime as dt

import pytest
from points_helpers import FOSHAN_DEFAULTS, applicant

from engine.errors import EngineError
from engine.points import (
    Correction,
    School,
    admit_by_points,
    apply_corrections,
    diff_outcomes,
    parse_rule_set,
    shipped_rule_set,
)

FOSHAN = shipped_rule_set("foshan-2014")
SEED = bytes(32)


def test_correction_moves_applicant_and_pushes_others_down() -> None:
    f = FOSHAN_DEFAULTS
    people = [applicant("A", f, education="本科", prefs=("S1",)),  # 80 + 10 = 90
              applicant("B", f, education="大专", prefs=("S1",)),  # 60 + 10 = 70
              applicant("C", f, prefs=("S1",))]  # 30
    schools = [School("S1", "大良", 1)]
    fix = [Correction("C", "owns_property", False, True, "房产证核验有效")]  # 30 + 80 = 110
    before = admit_by_points(FOSHAN, people, schools, SEED)
    after = admit_by_points(FOSHAN, apply_corrections(FOSHAN, people, fix), schools, SEED)
    changes = {c.applicant_id: c for c in diff_outcomes(before, after, fix)}
    assert set(changes) == {"A", "B", "C"}
    assert (changes["C"].old_total, changes["C"].new_total) == (3000, 11000)
    assert (changes["C"].old_rank, changes["C"].new_rank) == (3, 1)
    assert (changes["C"].old_school, changes["C"].new_school) == ("", "S1")
    assert changes["C"].reason == "owns_property: 房产证核验有效"
    assert (changes["A"].old_school, changes["A"].new_school) == ("S1", "")
    assert "others" in changes["A"].reason


def test_correction_old_value_must_match() -> None:
    people = [applicant("A", FOSHAN_DEFAULTS)]
    with pytest.raises(EngineError, match="does not match"):
        apply_corrections(FOSHAN, people, [Correction("A", "education", "本科", "硕士", "")])
    with pytest.raises(EngineError, match="unknown applicant"):
        apply_corrections(FOSHAN, people, [Correction("Z", "education", "初中", "硕士", "")])
    with pytest.raises(EngineError, match="unknown field"):
        apply_corrections(FOSHAN, people, [Correction("A", "degree", "初中", "硕士", "")])


DONGGUAN = """
[ruleset]
id = "dongguan-test"
name = "东莞式居住证 30 天 1 分（测试）"
source = "http://jingyanla.com/a/13/112612630H2022.html (1 point per full 30 days to the end of registration)"
evidence_cutoff = 2024-04-30
tie_break = ["field:permit_date"]
final_tie_break = "joint"

[fields]
permit_date = { type = "date", header = "居住证首次签发日期" }

[groups]
residence = { label = "居住证" }

[[items]]
id = "permit"
group = "residence"
field = "permit_date"
unit = "30days"
points = 1
"""


def test_thirty_day_periods_and_joint_ranks_on_dates() -> None:
    rules = parse_rule_set(DONGGUAN)
    people = [applicant(k, {}, permit_date=d) for k, d in (
        ("P1", dt.date(2024, 4, 1)),   # 29 days → 0
        ("P2", dt.date(2024, 3, 31)),  # 30 days → 1
        ("P3", dt.date(2023, 5, 1)),   # 365 days → 12
        ("P4", dt.date(2023, 5, 1)),   # same date → joint with P3
        ("P5", dt.date(2024, 5, 2)),   # after the cutoff → 0
    )]
    out = admit_by_points(rules, people, [], SEED)
    assert [int(t) for t in out.scores.total] == [0, 100, 1200, 1200, 0]
    assert [int(r) for r in out.ranking.rank] == [4, 3, 1, 1, 5]  # P1 before P5: earlier date
    assert out.ranking.decided_by[2] == "joint"
