"""The set-exchange polish: codes identify count vectors, the kernel finds what brute force finds,
and a full polish keeps every rule and never worsens a published gap."""

from __future__ import annotations

import itertools

import numpy as np
from classes_strategies import cohorts, started
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.classes import Cohort, PlacementRules
from engine.classes.polish import SD_GAP, Polish, polish_total, unit_codes
from engine.classes.report import balance_report
from engine.classes.state import SearchState

SEED = bytes(range(32))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 2), min_size=5, max_size=5), min_size=2, max_size=9), st.booleans())
def test_set_codes_match_exactly_when_counts_match(rows: list[list[int]], hashed: bool) -> None:
    ucs = np.array(rows, dtype=np.int64)
    if hashed:  # 40 columns of digits cannot fit in 63 bits: the hash path
        ucs = np.tile(ucs, (1, 8))
    code = unit_codes(ucs, 3)
    sets = [s for r in (1, 2, 3) for s in itertools.combinations(range(len(rows)), r)]
    for x, y in itertools.combinations(sets, 2):
        same_counts = bool((ucs[list(x)].sum(axis=0) == ucs[list(y)].sum(axis=0)).all())
        same_code = int(code[list(x)].sum()) == int(code[list(y)].sum())
        if same_counts:
            assert same_code
        elif not hashed:
            assert not same_code


def _key_after(pol: Polish, a: int, d: int, out: tuple[int, ...], into: tuple[int, ...]) -> list[int] | None:
    """Independent judge: the key after moving ``out`` from a to d and ``into`` from d to a (None if a cap breaks)."""
    s1, s2 = pol.s1.copy(), pol.s2.copy()
    for units, src, dst in ((out, a, d), (into, d, a)):
        for u in units:
            s1[src] -= pol.us[u]
            s1[dst] += pol.us[u]
            s2[src] -= pol.usq[u]
            s2[dst] += pol.usq[u]
    m = s1 * pol.mult[:, None]
    n = pol.sizes[:, None]
    sds = np.sqrt(np.maximum((n * s2 - s1 * s1).astype(np.float64) / (n * n).astype(np.float64), 0.0))
    if (sds.max(axis=0) - sds.min(axis=0)).max() > pol.sd_cap:
        return None
    hi, lo = m.max(axis=0), m.min(axis=0)
    if m.shape[1] > 1 and (hi - lo)[1:].max() > pol.subject_cap:
        return None
    at = (m == hi).sum(axis=0) + (m == lo).sum(axis=0)
    subj = int((hi - lo)[1:].max()) if m.shape[1] > 1 else 0
    sub_ext = sum(int(at[j]) for j in range(1, m.shape[1]) if int(hi[j] - lo[j]) == subj)
    return [int(hi[0] - lo[0]), int(at[0]), subj, sub_ext]


@settings(max_examples=40, deadline=None)
@given(cohorts(), st.sampled_from([1, 2, 3]))
def test_exchange_kernel_finds_the_brute_force_best(case: tuple[Cohort, PlacementRules], r_max: int) -> None:
    start_of = started(case, SEED)
    assume(start_of is not None and start_of[0].k >= 3)
    assert start_of is not None
    p, slot = start_of
    pol = Polish(SearchState(p, slot))
    start = pol.key()
    for a, d in itertools.permutations(range(p.k), 2):
        free_a = [int(u) for u in np.flatnonzero((pol.state.slot == a) & pol.free)]
        free_d = [int(u) for u in np.flatnonzero((pol.state.slot == d) & pol.free)]
        best: list[int] | None = None
        for ra in range(1, r_max + 1):
            for out in itertools.combinations(free_a, ra):
                for rd in range(1, r_max + 1):
                    for into in itertools.combinations(free_d, rd):
                        if not (pol.ucs[list(out)].sum(axis=0) == pol.ucs[list(into)].sum(axis=0)).all():
                            continue
                        key = _key_after(pol, a, d, out, into)
                        if key is not None and key < start and (best is None or key < best):
                            best = key
        caps_best = np.array([pol.subject_cap, *start], dtype=np.int64)
        move = pol.search(a, d, caps_best, r_max)
        if best is None:
            assert move == [] and list(caps_best[1:]) == start
        else:
            assert list(caps_best[1:]) == best
            out = tuple(u for u, c in move if c == d)
            into = tuple(u for u, c in move if c == a)
            assert _key_after(pol, a, d, out, into) == best


# cohorts() draws rules and cohorts freely, so many draws have no feasible start (``started``
# answers None) or start with a violation; those are assumed away, never returned from, and the
# invariant is asserted on every instance that remains. How many are filtered varies from run to
# run, so Hypothesis' filter health check is off for this test alone (it failed one suite run).
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(cohorts())
def test_polish_keeps_counts_and_never_worsens_gaps(case: tuple[Cohort, PlacementRules]) -> None:
    cohort = case[0]
    start_of = started(case, SEED)
    assume(start_of is not None)
    assert start_of is not None
    p, slot = start_of
    state = SearchState(p, slot)
    assume(not state.violations())
    before = balance_report(p, state.slot[p.unit_of])
    cnt = state.cnt.copy()
    moves, gained = polish_total(state, 4 * p.k)
    after = balance_report(p, state.slot[p.unit_of])
    assert np.array_equal(state.cnt, cnt)  # every count exactly where it was
    assert after.violations == before.violations == 0
    assert after.gaps["size"] == before.gaps["size"]
    names = cohort.score_names
    assert after.gaps[f"mean {names[0]}"] <= before.gaps[f"mean {names[0]}"] + 1e-9
    cap = max(before.gaps[f"mean {s}"] for s in names[1:])
    assert max(after.gaps[f"mean {s}"] for s in names[1:]) <= cap + 1e-9
    sd_cap = max(max(before.gaps[f"sd {s}"] for s in names), SD_GAP / 100)
    assert max(after.gaps[f"sd {s}"] for s in names) <= sd_cap + 1e-9
    if moves == 0:
        assert not gained
    # The same input gives the same moves (deterministic).
    again = SearchState(p, slot)
    polish_total(again, 4 * p.k)
    assert np.array_equal(again.slot, state.slot)
