"""Splicing one unit into a built market equals building the market of both rosters together.

The what-if (api.simulate.what_if, the service's POST /runs/{id}/what-if) keeps a run's market
and inserts each hypothetical family with :func:`insert_unit`; every draw of that market must
be the lottery of the extended roster, so the arrays must be exactly build_market's.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from lottery_strategies import problems
from test_lottery_columns import same_market

from engine.errors import EngineError
from engine.lottery import LotteryProblem, build_market
from engine.lottery.data import Applicant, School, insert_unit


def _split(problem: LotteryProblem, unit: int) -> tuple[LotteryProblem, LotteryProblem]:
    market = build_market(problem)
    members = market.member_idx[market.member_ptr[unit]:market.member_ptr[unit + 1]].tolist()
    inside = [a for i, a in enumerate(problem.applicants) if i in members]
    rest = [a for i, a in enumerate(problem.applicants) if i not in members]
    return LotteryProblem.create(problem.schools, rest), LotteryProblem.create(problem.schools, inside)


@settings(max_examples=150, deadline=None)
@given(problems(), st.data())
def test_inserting_a_unit_equals_building_the_whole_market(problem: LotteryProblem, data: st.DataObject) -> None:
    whole = build_market(problem)
    assume(whole.n_units >= 2)
    unit = data.draw(st.integers(0, whole.n_units - 1))
    members = whole.member_idx[whole.member_ptr[unit]:whole.member_ptr[unit + 1]].tolist()
    assume(members == list(range(members[0], members[0] + len(members))))  # contiguous ids (the what-if's case)
    rest, alone = _split(problem, unit)
    same_market(insert_unit(build_market(rest), build_market(alone)), whole)


def test_an_id_that_collides_or_sorts_inside_the_unit_is_refused() -> None:
    schools = [School("S1", "一小", 2)]
    roster = build_market(LotteryProblem.create(schools, [Applicant("B", ("S1",)), Applicant("D", ("S1",))]))
    same = build_market(LotteryProblem.create(schools, [Applicant("B", ("S1",))]))
    with pytest.raises(EngineError, match="collides with the roster"):
        insert_unit(roster, same)
    twins = build_market(LotteryProblem.create(schools, [Applicant("C", ("S1",), group="T"),
                                                           Applicant("E", ("S1",), group="T")]))
    with pytest.raises(EngineError, match="collides with the roster"):
        insert_unit(roster, twins)  # D sorts between C and E
    other = build_market(LotteryProblem.create([School("S2", "二小", 1)], [Applicant("A", ("S2",))]))
    with pytest.raises(EngineError, match="same schools"):
        insert_unit(roster, other)
