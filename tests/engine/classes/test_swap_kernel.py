"""The numba swap kernel agrees bit for bit with the numpy reference; the final polish keeps every rule."""

from __future__ import annotations

import random

import numpy as np
from classes_strategies import cohorts
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.classes import Cohort, PlacementRules
from engine.classes.construct import construct_start
from engine.classes.problem import build_problem
from engine.classes.report import balance_report
from engine.classes.search import POLISH_SD_GAP, _change_codes, _State, polish_total

SEED = bytes(range(32))


def _check_all_pairs(state: _State) -> int:
    p = state.p
    checked = 0
    for c in range(p.k):
        for d in range(p.k):
            if c == d:
                continue
            for size in sorted({int(s) for s in p.unit_size}):
                pu, qu, fast = state.swap_scores(c, d, size)
                pu2, qu2, ref = state.swap_scores_numpy(c, d, size)
                assert np.array_equal(pu, pu2) and np.array_equal(qu, qu2)
                assert fast.shape == ref.shape
                assert np.array_equal(fast, ref), (c, d, size)  # exact, inf where forbidden
                checked += fast.size
    return checked


@settings(max_examples=60, deadline=None)
@given(cohorts(), st.integers(0, 2**32 - 1))
def test_kernel_matches_numpy(case: tuple[Cohort, PlacementRules], mix: int) -> None:
    cohort, rules = case
    p = build_problem(cohort, rules, SEED)
    slot = construct_start(p)
    if slot is None:
        return
    state = _State(p, slot)
    _check_all_pairs(state)
    # Arbitrary swaps (they may break count bounds and apart groups) exercise every branch.
    rnd = random.Random(mix)
    movable = [u for u in range(len(p.units)) if p.unit_fixed[u] < 0]
    for _ in range(6):
        u, v = rnd.choice(movable), rnd.choice(movable)
        if u != v and state.slot[u] != state.slot[v] and p.unit_size[u] == p.unit_size[v]:
            state.apply(u, v)
        _check_all_pairs(state)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(-2, 2), min_size=4, max_size=4), min_size=1, max_size=30))
def test_change_codes_pair_opposite_rows(rows: list[list[int]]) -> None:
    change = np.array(rows, dtype=np.int64)
    radix = 5 ** np.arange(4, dtype=np.int64)
    for codes in (_change_codes(change, radix), _change_codes(change, None)):
        code, negated = codes
        for t in range(len(rows)):
            partners = {s for s in range(len(rows)) if code[s] == negated[t]}
            assert partners == {s for s in range(len(rows)) if (change[s] == -change[t]).all()}


@settings(max_examples=40, deadline=None)
@given(cohorts())
def test_polish_keeps_counts_and_never_worsens_gaps(case: tuple[Cohort, PlacementRules]) -> None:
    cohort, rules = case
    p = build_problem(cohort, rules, SEED)
    slot = construct_start(p)
    if slot is None:
        return
    state = _State(p, slot)
    if state.violations():
        return
    before = balance_report(p, state.slot[p.unit_of])
    cnt, apart_ok = state.cnt.copy(), before.violations
    moves, gained = polish_total(state, 4 * p.k)
    after = balance_report(p, state.slot[p.unit_of])
    assert np.array_equal(state.cnt, cnt)  # every count exactly where it was
    assert after.violations == apart_ok == 0
    assert after.gaps["size"] == before.gaps["size"]
    names = cohort.score_names
    assert after.gaps[f"mean {names[0]}"] <= before.gaps[f"mean {names[0]}"] + 1e-9
    cap = max(before.gaps[f"mean {s}"] for s in names[1:])
    assert max(after.gaps[f"mean {s}"] for s in names[1:]) <= cap + 1e-9
    sd_cap = max(max(before.gaps[f"sd {s}"] for s in names), POLISH_SD_GAP / 100)
    assert max(after.gaps[f"sd {s}"] for s in names) <= sd_cap + 1e-9
    if moves == 0:
        assert not gained
    # The same input gives the same moves (deterministic).
    again = _State(p, slot)
    polish_total(again, 4 * p.k)
    assert np.array_equal(again.slot, state.slot)
