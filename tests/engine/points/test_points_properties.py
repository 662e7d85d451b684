"""Properties of scoring, ranking and placement, asserted on every generated instance.

* one more qualifying month never lowers a total;
* item and group caps are never exceeded;
* the vectorised scorer equals the slow Fraction reference (points_helpers);
* ranking is a strict total order (lottery) or explicit joint ranks (equal keys ⇔ equal rank);
* placement is serial dictatorship: nobody prefers a school that went to someone ranked below them,
  and no school exceeds its quota except through a joint-rank group;
* results do not depend on row order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from points_helpers import FOSHAN_DEFAULTS, reference_item, reference_total

from engine.points import Applicant, School, admit_by_points, parse_rule_set, shipped_rule_set, shipped_rule_set_text
from engine.points.scoring import build_columns, score_applicants

FOSHAN = shipped_rule_set("foshan-2014")
XIAMEN = shipped_rule_set("xiamen-120")
FOSHAN_JOINT = parse_rule_set(
    shipped_rule_set_text("foshan-2014").replace('final_tie_break = "lottery"', 'final_tie_break = "joint"'))
SCHOOLS = [School(f"{t}{k}", t, q) for t, qs in (("DL", (1, 2, 0, 3)), ("RG", (2, 1, 1))) for k, q in enumerate(qs)]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

dates = st.dates(dt.date(2005, 1, 1), dt.date(2024, 12, 31))
hundredths = st.integers(0, 20000)


@st.composite
def foshan_values(draw: st.DrawFn) -> dict:
    return {
        **FOSHAN_DEFAULTS,
        "education": draw(st.sampled_from(["初中", "高中", "中专", "大专", "本科", "硕士", "博士"])),
        "skill": draw(st.sampled_from([None, "初级工", "中级工", "高级工", "技师", "高级技师", "高级职称"])),
        "insurance_gd": draw(st.integers(0, 80)) * 100,
        "insurance_fs": draw(st.integers(0, 80)) * 100,
        "insurance_months": draw(st.integers(0, 200)) * 100,
        "owns_property": draw(st.booleans()),
        "permit_date": draw(st.none() | dates),
        "child_birth_date": draw(st.sampled_from([dt.date(2018, 1, 1), dt.date(2018, 8, 31), dt.date(2018, 9, 1)])),
        "talent": draw(st.sampled_from([None, "市级", "区级"])),
        "patents": tuple(draw(st.lists(st.sampled_from(["发明", "实用新型", "外观设计"]), max_size=3))),
        "awards": tuple(draw(st.lists(st.sampled_from(["县级", "市级以上"]), max_size=4))),
        "volunteer_hours": draw(st.integers(0, 1000)) * 100,
        "blood_ml": draw(st.sampled_from([0, 20000, 40000, 100000, 150000])),
        "housing_fund_open": draw(st.booleans()),
        "housing_fund_months": draw(hundredths),
        "family_planning": draw(st.booleans()),
        "false_documents": draw(st.sampled_from([0, 0, 0, 100, 200])),
        "district_points": draw(st.integers(0, 3000)),
        "application_time": dt.datetime(2024, 5, 1, 9, 0, 0) + dt.timedelta(minutes=draw(st.integers(0, 3))),
    }


@st.composite
def foshan_roster(draw: st.DrawFn, max_size: int = 25) -> list[Applicant]:
    n = draw(st.integers(1, max_size))
    out = []
    for i in range(n):
        scope = draw(st.sampled_from(["DL", "RG"]))
        own = [s.id for s in SCHOOLS if s.scope == scope]
        prefs = tuple(draw(st.lists(st.sampled_from(own), max_size=3, unique=True)))
        priority = draw(st.sampled_from(["", "", "", "", "", "公安"]))
        out.append(Applicant(f"A{i:03d}", scope, draw(foshan_values()), prefs, priority))
    return out


def _scores(rule_set, values_list):
    apps = [Applicant(f"A{i}", "X", v) for i, v in enumerate(values_list)]
    return score_applicants(rule_set, build_columns(rule_set, apps))


@SETTINGS
@given(foshan_values())
def test_vectorised_scorer_matches_reference(values: dict) -> None:
    s = _scores(FOSHAN, [values])
    for item in FOSHAN.items:
        assert Fraction(int(s.items[item.id][0]), 100) == reference_item(FOSHAN, item, values), item.id
    assert Fraction(int(s.total[0]), 100) == reference_total(FOSHAN, values)


@SETTINGS
@given(foshan_values())
def test_caps_never_exceeded(values: dict) -> None:
    s = _scores(FOSHAN, [values])
    for item in FOSHAN.items:
        if item.cap is not None:
            assert abs(int(s.items[item.id][0])) <= item.cap
    for group in FOSHAN.groups:
        if group.cap is not None:
            assert int(s.groups[group.id][0]) <= group.cap


def _month_earlier(d: dt.date) -> dt.date:
    y, m = (d.year, d.month - 1) if d.month > 1 else (d.year - 1, 12)
    return dt.date(y, m, min(d.day, 28))


@SETTINGS
@given(foshan_values())
def test_one_more_month_never_lowers_foshan_total(values: dict) -> None:
    more = dict(values, insurance_months=values["insurance_months"] + 100,
                housing_fund_months=values["housing_fund_months"] + 100)
    if values["permit_date"] is not None:
        more["permit_date"] = _month_earlier(values["permit_date"])
    s = _scores(FOSHAN, [values, more])
    assert s.total[1] >= s.total[0]
    assert not (s.failed_gate[0] < 0 <= s.failed_gate[1])  # never loses eligibility either


@SETTINGS
@given(st.integers(0, 300), st.integers(0, 300), st.integers(0, 20))
def test_one_more_month_never_lowers_xiamen_insurance(months: int, backpaid: int, work: int) -> None:
    base = {"insurance_months": months * 100, "backpaid_months": backpaid * 100, "work_years": work * 100,
            "housing": "租赁", "family_planning": False, "child_birth_date": dt.date(2018, 1, 1),
            "application_time": None}
    s = _scores(XIAMEN, [base, dict(base, insurance_months=(months + 1) * 100)])
    assert s.total[1] >= s.total[0]
    assert int(s.items["insurance"][0]) <= 4800 and int(s.groups["work_insurance"][0]) <= 5800


def _check_ranking_and_placement(outcome) -> None:
    rs, ranking, placement = outcome.rule_set, outcome.ranking, outcome.placement
    # Ranks within each scope: lottery → 1..n strictly; joint → competition ranking, equal ranks only
    # inside one rank group.
    by_scope: dict[str, list[int]] = {}
    for g in ranking.groups:
        by_scope.setdefault(outcome.applicants[g[0]].scope, []).append(len(g))
        assert len({int(ranking.rank[i]) for i in g}) == 1
        assert len({outcome.applicants[i].scope for i in g}) == 1
        if rs.final_tie_break == "lottery":
            assert len(g) == 1
    for scope, sizes in by_scope.items():
        ranks = [int(ranking.rank[g[0]]) for g in ranking.groups if outcome.applicants[g[0]].scope == scope]
        expected, r = [], 1
        for size in sizes:
            expected.append(r)
            r += size
        assert ranks == expected
    # Serial dictatorship over rank groups.
    position = {i: p for p, g in enumerate(ranking.groups) for i in g}
    worst_taker: dict[int, int] = {}
    for i, p in position.items():
        s = int(placement.school[i])
        if s >= 0:
            worst_taker[s] = max(worst_taker.get(s, -1), p)
    for i, p in position.items():
        for s in outcome.applicants[i].preferences:
            k = next(j for j, sc in enumerate(outcome.schools) if sc.id == s)
            if k == placement.school[i]:
                break
            assert worst_taker.get(k, -1) <= p, "a school I prefer went to someone ranked below me"
    # Quotas: only joint-rank overflow may exceed, and it is reported exactly.
    for k, school in enumerate(outcome.schools):
        taken = int((placement.school == k).sum())
        assert taken - school.quota == int(placement.over_quota[k]) or (
            taken <= school.quota and placement.over_quota[k] == 0)
        if rs.final_tie_break == "lottery":
            assert taken <= school.quota
    # Only ranked (priority or eligible above the minimum) applicants are ever placed.
    for i, status in enumerate(ranking.status):
        if status in ("ineligible", "below_minimum"):
            assert placement.school[i] < 0


@SETTINGS
@given(foshan_roster(), st.booleans())
def test_ranking_order_and_serial_dictatorship(roster: list[Applicant], joint: bool) -> None:
    rules = FOSHAN_JOINT if joint else FOSHAN
    _check_ranking_and_placement(admit_by_points(rules, roster, SCHOOLS, bytes(32)))


def _signature(outcome) -> dict[str, tuple]:
    return {a.id: (int(outcome.scores.total[i]), int(outcome.ranking.rank[i]), int(outcome.placement.school[i]),
                   int(outcome.placement.round[i]), outcome.ranking.decided_by[i])
            for i, a in enumerate(outcome.applicants)}


@SETTINGS
@given(foshan_roster(), st.booleans(), st.booleans(), st.randoms(use_true_random=False))
def test_row_order_independence(roster: list[Applicant], joint: bool, second: bool, rnd: random.Random) -> None:
    rules = FOSHAN_JOINT if joint else FOSHAN
    shuffled = list(roster)
    rnd.shuffle(shuffled)
    schools = list(SCHOOLS)
    rnd.shuffle(schools)
    a = admit_by_points(rules, roster, SCHOOLS, bytes(32), second_pass=second)
    b = admit_by_points(rules, shuffled, schools, bytes(32), second_pass=second)
    sa = {k: (*v[:2], SCHOOLS[v[2]].id if v[2] >= 0 else "", *v[3:]) for k, v in _signature(a).items()}
    sb = {k: (*v[:2], schools[v[2]].id if v[2] >= 0 else "", *v[3:]) for k, v in _signature(b).items()}
    assert sa == sb


@SETTINGS
@given(foshan_roster())
def test_second_pass_only_adds_placements(roster: list[Applicant]) -> None:
    first = admit_by_points(FOSHAN, roster, SCHOOLS, bytes(32))
    both = admit_by_points(FOSHAN, roster, SCHOOLS, bytes(32), second_pass=True)
    round1 = first.placement.school[first.placement.round == 1]
    assert (round1 == both.placement.school[both.placement.round == 1]).all()
    # Round 2 never leaves a seat empty while a ranked applicant stays unplaced.
    ranked_unplaced = [i for g in both.ranking.groups for i in g if both.placement.school[i] < 0]
    if ranked_unplaced:
        assert (both.placement.seats_left <= 0).all()


def test_duplicate_ids_rejected() -> None:
    import pytest

    from engine.errors import EngineError

    a = Applicant("A1", "DL", FOSHAN_DEFAULTS)
    with pytest.raises(EngineError, match="duplicate applicant"):
        admit_by_points(FOSHAN, [a, dataclasses.replace(a)], SCHOOLS, bytes(32))
