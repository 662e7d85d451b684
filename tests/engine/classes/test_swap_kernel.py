"""The numba swap kernel agrees bit for bit with the numpy reference."""

from __future__ import annotations

import random

import numpy as np
from classes_strategies import cohorts, started
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from reference_swap import swap_scores_numpy

from engine.classes import Cohort, PlacementRules
from engine.classes.state import SearchState

SEED = bytes(range(32))


def _check_all_pairs(state: SearchState) -> int:
    p = state.p
    checked = 0
    for c in range(p.k):
        for d in range(p.k):
            if c == d:
                continue
            for size in sorted({int(s) for s in p.unit_size}):
                pu, qu, fast = state.swap_scores(c, d, size)
                pu2, qu2, ref = swap_scores_numpy(state, c, d, size)
                assert np.array_equal(pu, pu2) and np.array_equal(qu, qu2)
                assert fast.shape == ref.shape
                assert np.array_equal(fast, ref), (c, d, size)  # exact, inf where forbidden
                checked += fast.size
    return checked


@settings(max_examples=60, deadline=None)
@given(cohorts(), st.integers(0, 2**32 - 1))
def test_kernel_matches_numpy(case: tuple[Cohort, PlacementRules], mix: int) -> None:
    start_of = started(case, SEED)
    assume(start_of is not None)
    assert start_of is not None
    p, slot = start_of
    state = SearchState(p, slot)
    _check_all_pairs(state)
    # Arbitrary swaps (they may break count bounds and apart groups) exercise every branch.
    rnd = random.Random(mix)
    movable = [u for u in range(len(p.units)) if p.unit_fixed[u] < 0]
    for _ in range(6):
        u, v = rnd.choice(movable), rnd.choice(movable)
        if u != v and state.slot[u] != state.slot[v] and p.unit_size[u] == p.unit_size[v]:
            state.apply(u, v)
        _check_all_pairs(state)
