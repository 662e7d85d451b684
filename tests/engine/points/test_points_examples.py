"""Hand-computed known answers for each shipped rule set (totals, ranks, the cascade level that decided).

Every total below was worked out by hand from the rule tables (comments show the sums);
each rule set has ties resolved at several levels of its tie-break cascade.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from points_helpers import FOSHAN_DEFAULTS, applicant

from engine.points import (
    School,
    admit_by_points,
    parse_rule_set,
    shipped_rule_set,
    shipped_rule_set_text,
)
from engine.randomness import lottery_numbers

SEED = bytes(range(32))
D = dt.date
T = dt.datetime


def foshan_applicants() -> list:
    a = applicant
    f = FOSHAN_DEFAULTS
    late = T(2024, 5, 2, 8, 0, 0)
    return [
        a("N", f, priority="现役军人", prefs=("S1", "S2", "S3")),  # 20 + 10 = 30, but priority
        a("A", f, education="博士", permit_date=D(2012, 5, 31), owns_property=True, prefs=("S1", "S2", "S3")),
        # 120 + min(12y*5, 50) + 80 = 250
        a("B", f, education="本科", skill="中级工", prefs=("S1", "S2", "S3")),  # 80 + 40 + 10 = 130
        a("C", f, education="大专", insurance_gd=2000, insurance_fs=2000, volunteer_hours=50000,
          prefs=("S1", "S2", "S3")),  # 60 + (30 + 10) + 10 + min(20, 20) = 130
        a("D", f, education="大专", insurance_gd=1000, insurance_fs=1000, prefs=("S1",)),  # 60 + 15 + 5 + 10 = 90
        a("E", f, education="大专", volunteer_hours=25000, tax_yuan=500000, prefs=("S1",)),  # 60 + 10 + 10 + 10 = 90
        a("F", f, owns_property=True, prefs=("S1",)),  # 20 + 80 + 10 = 110
        a("G", f, permit_date=D(2016, 5, 31), family_planning=True, district_points=2000,
          prefs=("S1",)),  # 20 + 40 + 30 + 20 = 110
        a("H", f, prefs=("S1",)),  # 30, applied 09:00
        a("I", f, application_time=T(2024, 5, 1, 10, 0, 0), prefs=("S1",)),  # 30, applied 10:00
        a("J", f, housing_fund_open=True, application_time=late, prefs=("S1",)),  # 33
        a("K", f, housing_fund_open=True, application_time=late, prefs=("S1",)),  # 33
        a("L", f, permit_date=D(2023, 6, 30)),  # 11 full months → 0 permit points, 20; ineligible
        a("M", f, false_documents=100),  # 30 - 40 = -10 → below minimum
        a("P", f, child_birth_date=D(2018, 9, 1)),  # born after Aug 31 → ineligible
        a("Q", f, insurance_months=1100),  # 11 months insurance → ineligible
    ]


FOSHAN_SCHOOLS = [School("S1", "大良", 1), School("S2", "大良", 2), School("S3", "大良", 1), School("R1", "容桂", 2)]


def by_id(outcome):
    return {a.id: i for i, a in enumerate(outcome.applicants)}


def test_foshan_totals_ranks_and_cascade_levels() -> None:
    out = admit_by_points(shipped_rule_set("foshan-2014"), foshan_applicants(), FOSHAN_SCHOOLS, SEED)
    ix = by_id(out)
    totals = {k: int(out.scores.total[i]) for k, i in ix.items()}
    assert totals == {"N": 3000, "A": 25000, "B": 13000, "C": 13000, "D": 9000, "E": 9000, "F": 11000,
                      "G": 11000, "H": 3000, "I": 3000, "J": 3300, "K": 3300, "L": 2000, "M": -1000,
                      "P": 3000, "Q": 3000}
    j_first = lottery_numbers(SEED, "points", [["J"], ["K"]])
    jk = ["J", "K"] if j_first[0] < j_first[1] else ["K", "J"]
    order = ["N", "A", "B", "C", "F", "G", "D", "E", *jk, "H", "I"]
    assert {k: int(out.ranking.rank[ix[k]]) for k in order} == {k: r for r, k in enumerate(order, start=1)}
    decided = {k: out.ranking.decided_by[ix[k]] for k in order}
    assert decided == {"N": "tier", "A": "total", "B": "group:personal_quality", "C": "group:personal_quality",
                       "F": "group:residence", "G": "group:residence", "D": "group:insurance",
                       "E": "group:insurance", "J": "lottery", "K": "lottery",
                       "H": "field:application_time", "I": "field:application_time"}
    failed = {k: out.rule_set.gates[int(out.scores.failed_gate[ix[k]])].id for k in ("L", "P", "Q")}
    assert failed == {"L": "permit_12_months", "P": "child_age", "Q": "insurance_12_months"}
    assert out.result(ix["M"]) == "below_minimum"
    # Serial allocation: N→S1, A→S2 (S1 full), B→S2, C→S3; everyone else finds their schools full.
    schools = {k: out.placement.school[ix[k]] for k in order}
    assert [out.schools[s].id if s >= 0 else "" for s in schools.values()] == [
        "S1", "S2", "S2", "S3", "", "", "", "", "", "", "", ""]
    assert out.admission_lines() == {1: 13000, 2: 13000}  # S2 and S3 lines; S1 went to priority only


def test_foshan_second_pass_fills_leftover_seats_district_wide() -> None:
    out = admit_by_points(shipped_rule_set("foshan-2014"), foshan_applicants(), FOSHAN_SCHOOLS, SEED,
                          second_pass=True)
    ix = by_id(out)
    # R1 (容桂, 2 seats, nobody applied) goes to the two best unplaced applicants district-wide: F and G.
    assert {k for k, i in ix.items() if out.placement.round[i] == 2} == {"F", "G"}
    assert all(out.schools[int(out.placement.school[ix[k]])].id == "R1" for k in ("F", "G"))
    assert out.result(ix["D"]) == "unplaced"


def test_joint_ranks_share_rank_and_overflow_is_reported() -> None:
    text = shipped_rule_set_text("foshan-2014").replace('final_tie_break = "lottery"', 'final_tie_break = "joint"')
    rules = parse_rule_set(text)
    f = FOSHAN_DEFAULTS
    late = T(2024, 5, 2, 8, 0, 0)
    people = [applicant("X", f, owns_property=True, prefs=("S1",)),
              applicant("J", f, housing_fund_open=True, application_time=late, prefs=("S1", "S2")),
              applicant("K", f, housing_fund_open=True, application_time=late, prefs=("S1", "S2")),
              applicant("H", f, prefs=("S1", "S2"))]
    out = admit_by_points(rules, people, [School("S1", "大良", 2), School("S2", "大良", 5)], SEED)
    ix = by_id(out)
    assert [int(out.ranking.rank[ix[k]]) for k in ("X", "J", "K", "H")] == [1, 2, 2, 4]
    assert out.ranking.decided_by[ix["J"]] == "joint"
    # One seat of S1 was left when the tied pair came up: both are admitted, quota exceeded by one.
    assert out.placement.school[ix["J"]] == out.placement.school[ix["K"]] == 0
    assert int(out.placement.over_quota[0]) == 1
    assert out.placement.school[ix["H"]] == 1


def xiamen(aid: str, **values) -> object:
    defaults = {"insurance_months": 2400, "backpaid_months": 0, "work_years": 0, "housing": "租赁",
                "family_planning": False, "child_birth_date": D(2018, 1, 1),
                "application_time": T(2024, 4, 20, 9, 0, 0)}
    return applicant(aid, defaults, scope="思明", **values)


def test_xiamen_pro_rata_insurance_backpay_caps_and_ties() -> None:
    people = [
        xiamen("X1", insurance_months=2500),  # 25*4/12 = 8.333 → 8.33; + 30 = 38.33
        xiamen("X2", insurance_months=3000, backpaid_months=600, work_years=300, housing="自有",
               family_planning=True),  # (30-6)*4/12 = 8; 6; 42; 20 → 76
        xiamen("X3", insurance_months=20000, work_years=700, housing="自有", family_planning=True),
        # min(66.66, 48) + min(14, 10) = 58 (group cap 58) + 42 + 20 = 120
        xiamen("X4", insurance_months=3600, housing="宿舍", family_planning=True),  # 12 + 20 + 20 = 52
        xiamen("X5", insurance_months=3000, work_years=100, housing="宿舍", family_planning=True),
        # 10 + 2 + 20 + 20 = 52 → behind X4 on the insurance item (10 < 12)
        xiamen("X6", housing="自有"),  # 8 + 42 = 50
        xiamen("X7", housing="宿舍", family_planning=True, work_years=100),  # 8 + 2 + 20 + 20 = 50 → residence
        xiamen("X8", insurance_months=1500, backpaid_months=600),  # 9 months without back pay → ineligible
        xiamen("X9", housing="自有", application_time=T(2024, 4, 20, 8, 0, 0)),  # 50, same as X6, earlier
    ]
    out = admit_by_points(shipped_rule_set("xiamen-120"), people, [], SEED)
    ix = by_id(out)
    totals = {k: int(out.scores.total[i]) for k, i in ix.items()}
    assert totals == {"X1": 3833, "X2": 7600, "X3": 12000, "X4": 5200, "X5": 5200, "X6": 5000, "X7": 5000,
                      "X8": 3300, "X9": 5000}
    order = ["X3", "X2", "X4", "X5", "X9", "X6", "X7", "X1"]
    assert [int(out.ranking.rank[ix[k]]) for k in order] == list(range(1, 9))
    assert out.ranking.decided_by[ix["X4"]] == "item:insurance"
    assert out.ranking.decided_by[ix["X9"]] == "field:application_time"
    assert out.ranking.decided_by[ix["X7"]] == "group:residence"
    assert out.rule_set.gates[int(out.scores.failed_gate[ix["X8"]])].id == "insurance_12_months"


def zhongshan(aid: str, **values) -> object:
    defaults = {"education": "初中", "skill": None, "insurance_months": 0, "permit_date": D(2022, 4, 30),
                "owns_property": False, "child_birth_date": D(2018, 1, 1), "false_documents": 0,
                "application_time": T(2024, 4, 1, 9, 0, 0)}
    return applicant(aid, defaults, scope="石岐", **values)


def test_zhongshan_threshold_and_art13_cascade() -> None:
    people = [
        zhongshan("Z1", education="本科", insurance_months=2400),  # 80 + 12 + 4 = 96
        zhongshan("Z2", insurance_months=12000, permit_date=D(2010, 4, 30), owns_property=True),
        # 5 + min(60, 50) + min(28, 20) + 20 = 95
        zhongshan("Z3", education="高中", insurance_months=4000),  # 20 + 20 + 4 = 44
        zhongshan("Z4", skill="中级工", insurance_months=1000),  # 5 + 30 + 5 + 4 = 44 → personal quality 35 > 20
        zhongshan("Z5", insurance_months=4000),  # 5 + 20 + 4 = 29 < 30
        zhongshan("Z6", education="高中", insurance_months=2000, application_time=T(2024, 4, 2, 9, 0, 0)),  # 34
        zhongshan("Z7", education="高中", insurance_months=2000),  # 34, applied a day earlier
        zhongshan("Z8", education="高中", insurance_months=3000, owns_property=True, permit_date=D(2023, 4, 30)),
        # 20 + 15 + 20 + 2 = 57
        zhongshan("Z9", education="高中", insurance_months=3600, permit_date=D(2018, 4, 30)),
        # 20 + 18 + 12 = 50... + 0 → 50
    ]
    out = admit_by_points(shipped_rule_set("zhongshan-2014"), people, [], SEED)
    ix = by_id(out)
    totals = {k: int(out.scores.total[i]) for k, i in ix.items()}
    assert totals == {"Z1": 9600, "Z2": 9500, "Z3": 4400, "Z4": 4400, "Z5": 2900, "Z6": 3400, "Z7": 3400,
                      "Z8": 5700, "Z9": 5000}
    order = ["Z1", "Z2", "Z8", "Z9", "Z4", "Z3", "Z7", "Z6"]
    assert [int(out.ranking.rank[ix[k]]) for k in order] == list(range(1, 9))
    assert out.ranking.decided_by[ix["Z4"]] == "group:personal_quality"
    assert out.ranking.decided_by[ix["Z7"]] == "field:application_time"
    assert out.result(ix["Z5"]) == "below_minimum"


def shenzhen(aid: str, **values) -> object:
    defaults = {"category": "非深户+租房", "months_since": D(2022, 3, 31), "family_planning": None,
                "insurance_months": 1200, "child_birth_date": D(2018, 1, 1)}
    return applicant(aid, defaults, scope="宝安", **values)


def test_shenzhen_baoan_base_categories_and_monthly_points() -> None:
    people = [
        shenzhen("S1", category="非深户+自有住房", family_planning="独生子女"),  # 75 + 24 + 60 = 159
        shenzhen("S2", category="宝安户籍+自有住房", months_since=D(2023, 3, 31)),  # 105 + 12 = 117
        shenzhen("S3", months_since=D(2019, 3, 31)),  # 60 + 60 = 120
        shenzhen("S4", category="宝安户籍+租房有房", months_since=D(2020, 1, 31)),  # 70 + 50 = 120 → base
        shenzhen("S5", months_since=D(2021, 3, 31)),  # 60 + 36 = 96
        shenzhen("S6", months_since=D(2021, 3, 31)),  # 96, same date → lottery
        shenzhen("S7", months_since=D(2021, 3, 15)),  # 96, earlier date first
        shenzhen("S8", insurance_months=1100),  # 11 months of Shenzhen insurance → ineligible
    ]
    out = admit_by_points(shipped_rule_set("shenzhen-baoan"), people, [], SEED)
    ix = by_id(out)
    totals = {k: int(out.scores.total[i]) // 100 for k, i in ix.items()}
    assert totals == {"S1": 159, "S2": 117, "S3": 120, "S4": 120, "S5": 96, "S6": 96, "S7": 96, "S8": 84}
    n5, n6 = lottery_numbers(SEED, "points", [["S5"], ["S6"]])
    tail = ["S5", "S6"] if n5 < n6 else ["S6", "S5"]
    order = ["S1", "S4", "S3", "S2", "S7", *tail]
    assert [int(out.ranking.rank[ix[k]]) for k in order] == list(range(1, 8))
    assert out.ranking.decided_by[ix["S4"]] == "group:base"
    assert out.ranking.decided_by[ix["S7"]] == "field:months_since"
    assert out.ranking.decided_by[ix["S5"]] == "lottery"
    assert out.result(ix["S8"]) == "ineligible"


def test_single_preference_is_a_cutoff_line_per_school() -> None:
    people = [shenzhen(f"P{k}", months_since=D(2024 - k, 3, 31), prefs=("B1",)) for k in range(1, 7)]
    out = admit_by_points(shipped_rule_set("shenzhen-baoan"), people, [School("B1", "宝安", 3)], SEED)
    admitted = sorted(int(out.scores.total[i]) for i in range(6) if out.placement.school[i] == 0)
    rejected = [int(out.scores.total[i]) for i in range(6) if out.placement.school[i] < 0]
    assert out.admission_lines() == {0: admitted[0]}
    assert all(t < admitted[0] for t in rejected)


def test_rule_set_digests_are_of_the_shipped_bytes() -> None:
    import hashlib

    for name in ("foshan-2014", "zhongshan-2014", "xiamen-120", "shenzhen-baoan"):
        text = shipped_rule_set_text(name)
        assert shipped_rule_set(name).digest == hashlib.sha256(text.encode()).hexdigest()


def test_applicant_with_too_many_preferences_is_rejected() -> None:
    from engine.errors import EngineError

    rules = dataclasses.replace(shipped_rule_set("shenzhen-baoan"), max_preferences=1)
    people = [shenzhen("P1", prefs=("B1", "B2"))]
    with pytest.raises(EngineError, match="more than 1"):
        admit_by_points(rules, people, [School("B1", "宝安", 1), School("B2", "宝安", 1)], SEED)
