"""The columnar fast path (records → Market, results.csv built column-wise) equals the object path byte for byte."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from lottery_strategies import problems

from api.outputs import csv_bytes
from api.runs.lottery import execute
from engine.lottery import LotteryProblem, build_market, run_lottery
from engine.lottery.data import Applicant, Market, School, market_from_columns
from engine.lottery.report import APPLICANT_COLUMNS, applicant_rows

SEED = bytes(range(32))


def columns(problem: LotteryProblem) -> Market | None:
    apps = problem.applicants
    return market_from_columns(
        list(reversed(problem.schools)), [a.id for a in apps], [list(a.preferences) for a in apps],
        [a.tier for a in apps], {i: dict(a.priorities) for i, a in enumerate(apps) if a.priorities},
        [a.group for a in apps], [list(a.round2) for a in apps],
    )


def same_market(a: Market, b: Market) -> None:
    for name in Market.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y), name
        else:
            assert x == y, name


def records(problem: LotteryProblem) -> tuple[dict[str, object], list[dict[str, object]]]:
    config = {"mechanism": "da", "round2": True,
              "schools": [{"id": s.id, "name": s.name, "capacity": s.capacity} for s in problem.schools]}
    roster: list[dict[str, object]] = [
        {"id": a.id, "preferences": list(a.preferences), "tier": a.tier, "priority": dict(a.priorities),
         "group": a.group, "round2": list(a.round2)} for a in problem.applicants]
    return config, roster


@settings(max_examples=200, deadline=None)
@given(problems())
def test_columns_equal_build_market(problem: LotteryProblem) -> None:
    market = columns(problem)
    assert market is not None
    same_market(market, build_market(problem))


@settings(max_examples=100, deadline=None)
@given(problems())
def test_execute_matches_object_path(problem: LotteryProblem) -> None:
    config, roster = records(problem)
    for mechanism in ("da", "boston", "serial"):
        for round2 in (False, True):
            result = run_lottery(problem, SEED, mechanism, round2)
            expected = csv_bytes(APPLICANT_COLUMNS, (r.as_tuple() for r in applicant_rows(result)))
            got = execute({**config, "mechanism": mechanism, "round2": round2}, roster, SEED)
            assert got["results.csv"] == expected
            shuffled = list(roster)
            random.Random(1).shuffle(shuffled)  # unsorted records take the object path
            assert execute({**config, "mechanism": mechanism, "round2": round2}, shuffled, SEED) == got


def test_unusual_input_is_left_to_the_object_path() -> None:
    problem = LotteryProblem.create([], [])
    assert columns(problem) is None
    config = {"mechanism": "da", "schools": [{"id": "S1", "capacity": 1}, {"id": 'S,"2"', "capacity": 1}]}
    roster = [{"id": "A,1", "preferences": ["S1", 'S,"2"']}, {"id": "A\n2", "preferences": ['S,"2"']},
              {"id": "A3", "preferences": ["S1"], "priority": {'S,"2"': 0}}]
    text = execute(config, roster, SEED)["results.csv"].decode()
    assert '"A\n2",' in text and '"A,1",' in text and ',"S,""2""",' in text
    # The object path, built from the public engine types (same records; no priority tier = the default).
    problem = LotteryProblem.create(
        [School("S1", "", 1), School('S,"2"', "", 1)],
        [Applicant("A,1", ("S1", 'S,"2"')), Applicant("A\n2", ('S,"2"',)),
         Applicant("A3", ("S1",), priorities=(('S,"2"', 0),))])
    result = run_lottery(problem, SEED, "da", False)
    assert text.encode() == csv_bytes(APPLICANT_COLUMNS, (r.as_tuple() for r in applicant_rows(result)))
