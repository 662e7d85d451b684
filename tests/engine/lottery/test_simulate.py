"""Monte Carlo over seeds (engine.lottery.simulate): invariants, draw i = a lottery with draw i's seed,
chunking, and agreement with an independent plain-Python Monte Carlo kept here."""

from __future__ import annotations

import hashlib
import hmac
import math
import struct

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from lottery_strategies import problems

from engine.errors import EngineError
from engine.lottery import Applicant, LotteryProblem, School, build_market, run_lottery
from engine.lottery.data import MECHANISMS
from engine.lottery.simulate import merge_tallies, simulate_draws, slot_layout, slot_owner
from engine.randomness import simulation_draw_seed

SEED = bytes(range(32))


def _enc(s: str) -> bytes:
    b = s.encode("utf-8")
    return struct.pack(">I", len(b)) + b


@given(problems(), st.sampled_from(MECHANISMS), st.booleans())
@settings(max_examples=40, deadline=None)
def test_each_unit_lands_in_exactly_one_slot_per_draw(problem: LotteryProblem, mechanism: str, round2: bool) -> None:
    market = build_market(problem)
    tally = simulate_draws(market, mechanism, round2, SEED, 0, 7)  # type: ignore[arg-type]
    l1, l2, n_slots = slot_layout(market)
    per_unit = np.zeros(market.n_units, dtype=np.int64)
    np.add.at(per_unit, slot_owner(market), tally.slot_counts)
    assert per_unit.tolist() == [7] * market.n_units
    assert tally.slot_counts.shape == (n_slots,)
    if not round2:
        assert int(tally.slot_counts[l1:l1 + l2].sum()) == 0
    seats = tally.filled.sum(axis=1)
    assert (seats <= 7 * market.capacity).all()


@given(problems(), st.sampled_from(MECHANISMS), st.booleans(), st.integers(0, 40))
@settings(max_examples=30, deadline=None)
def test_draw_i_is_the_lottery_with_draw_i_seed(problem: LotteryProblem, mechanism: str, round2: bool,
                                                i: int) -> None:
    market = build_market(problem)
    one = simulate_draws(market, mechanism, round2, SEED, i, i + 1)  # type: ignore[arg-type]
    result = run_lottery(problem, simulation_draw_seed(SEED, i), mechanism, round2)  # type: ignore[arg-type]
    l1, l2, _ = slot_layout(market)
    expected = np.zeros_like(one.slot_counts)
    for u in range(market.n_units):
        c = int(result.choice_rank[u])
        if result.round[u] == 1:
            expected[market.ptr[u] + c - 1] = 1
        elif result.round[u] == 2:
            expected[l1 + market.r2_ptr[u] + c - 1] = 1
        else:
            expected[l1 + l2 + u] = 1
    assert one.slot_counts.tolist() == expected.tolist()
    assert int(one.unplaced[0]) == int(market.size[result.school < 0].sum())


@given(problems(), st.sampled_from(MECHANISMS), st.integers(1, 9))
@settings(max_examples=25, deadline=None)
def test_any_chunking_merges_to_the_same_tally(problem: LotteryProblem, mechanism: str, chunk: int) -> None:
    market = build_market(problem)
    whole = simulate_draws(market, mechanism, True, SEED, 0, 17)  # type: ignore[arg-type]
    parts = [simulate_draws(market, mechanism, True, SEED, s, min(17, s + chunk))  # type: ignore[arg-type]
             for s in range(0, 17, chunk)]
    merged = merge_tallies(list(reversed(parts)))
    for name in ("slot_counts", "filled", "cutoff", "first_choice", "top3", "unplaced"):
        assert getattr(merged, name).tolist() == getattr(whole, name).tolist(), name


def test_merge_rejects_gaps() -> None:
    market = build_market(LotteryProblem.create([School("S", "", 1)], [Applicant("A", ("S",))]))
    a = simulate_draws(market, "da", False, SEED, 0, 2)
    b = simulate_draws(market, "da", False, SEED, 3, 4)
    with pytest.raises(EngineError, match="not consecutive"):
        merge_tallies([a, b])
    with pytest.raises(EngineError, match="no simulation chunks"):
        merge_tallies([])
    with pytest.raises(EngineError, match="invalid draw range"):
        simulate_draws(market, "da", False, SEED, 3, 2)


@given(problems(), st.sampled_from(MECHANISMS))
@settings(max_examples=40, deadline=None)
def test_enough_seats_gives_first_choice_for_sure(problem: LotteryProblem, mechanism: str) -> None:
    market = build_market(problem)
    first = market.school[market.ptr[:-1]]
    owner = np.repeat(np.arange(market.n_units), np.diff(market.ptr))
    demand = np.bincount(market.school, weights=market.size[owner], minlength=market.n_schools)  # anywhere listed
    roomy = np.flatnonzero(market.capacity >= demand)
    units = np.flatnonzero(np.isin(first, roomy))
    assume(units.size > 0)
    tally = simulate_draws(market, mechanism, False, SEED, 0, 8)  # type: ignore[arg-type]
    assert tally.slot_counts[market.ptr[units]].tolist() == [8] * units.size


@st.composite
def twin_lists(draw: st.DrawFn) -> tuple[LotteryProblem, str, str]:
    """A problem (no multiples, no per-school priorities) with applicants X (tier 1) and Y (tier 2), same list."""
    n_schools = draw(st.integers(1, 4))
    schools = [School(f"S{i}", "", draw(st.integers(0, 4))) for i in range(n_schools)]
    ids = [s.id for s in schools]
    prefs = tuple(draw(st.permutations(ids))[: draw(st.integers(1, n_schools))])
    others = [Applicant(f"A{i:02d}", tuple(draw(st.permutations(ids))[: draw(st.integers(1, n_schools))]),
                        draw(st.integers(0, 3))) for i in range(draw(st.integers(0, 10)))]
    return LotteryProblem.create(schools, [*others, Applicant("X", prefs, 1), Applicant("Y", prefs, 2)]), "X", "Y"


@given(twin_lists(), st.sampled_from(MECHANISMS))
@settings(max_examples=50, deadline=None)
def test_tier_one_never_has_a_lower_chance_than_tier_two_with_the_same_list(
    case: tuple[LotteryProblem, str, str], mechanism: str
) -> None:
    problem, x, y = case
    market = build_market(problem)
    tally = simulate_draws(market, mechanism, False, SEED, 0, 12)  # type: ignore[arg-type]
    ux, uy = (market.keys.index((a,)) for a in (x, y))
    cx = tally.slot_counts[market.ptr[ux]:market.ptr[ux + 1]]
    cy = tally.slot_counts[market.ptr[uy]:market.ptr[uy + 1]]
    # the first choice, and a seat at choice k or better, for every k
    assert cx[0] >= cy[0]
    assert (np.cumsum(cx) >= np.cumsum(cy)).all()


# ---- an independent Monte Carlo: plain-Python DA, its own numbers ---------------------------------


def _spec_number(seed: bytes, applicant: str) -> int:
    """docs/randomness.md §3.2 written out: first 8 bytes of the item digest."""
    msg = _enc("sunshine/v1/item") + _enc("lottery") + _enc("lottery-number") + struct.pack(">I", 1) + _enc(applicant)
    return int.from_bytes(hmac.new(seed, msg, hashlib.sha256).digest()[:8], "big")


def _plain_da(problem: LotteryProblem, order_key: dict[str, int]) -> dict[str, int]:
    """Textbook applicant-proposing DA (single applicants); returns applicant -> 1-based choice (0: none)."""
    cap = {s.id: s.capacity for s in problem.schools}
    apps = {a.id: a for a in problem.applicants}
    held: dict[str, list[str]] = {s: [] for s in cap}
    nxt = dict.fromkeys(apps, 0)
    free = sorted(apps)
    while free:
        a = free.pop()
        prefs = apps[a].preferences
        if nxt[a] >= len(prefs):
            continue
        s = prefs[nxt[a]]
        nxt[a] += 1
        held[s].append(a)
        held[s].sort(key=lambda b: (apps[b].tier_at(s), order_key[b]))
        while len(held[s]) > cap[s]:
            free.append(held[s].pop())
    out = dict.fromkeys(apps, 0)
    for s, members in held.items():
        for a in members:
            out[a] = apps[a].preferences.index(s) + 1
    return out


def _small_problem() -> LotteryProblem:
    schools = [School("S1", "", 3), School("S2", "", 2), School("S3", "", 2)]
    lists = [("S1", "S2"), ("S1", "S3"), ("S1",), ("S2", "S1"), ("S1", "S2", "S3"), ("S2",), ("S1", "S3"),
             ("S3", "S1"), ("S1", "S2"), ("S2", "S3")]
    tiers = [1, 2, 1, 1, 2, 1, 0, 1, 2, 1]
    return LotteryProblem.create(schools, [Applicant(f"A{i}", p, t, ((("S1", 0),) if i == 3 else ()))
                                           for i, (p, t) in enumerate(zip(lists, tiers, strict=True))])


def _counts(problem: LotteryProblem, outcomes: list[dict[str, int]]) -> dict[tuple[str, int], int]:
    counts: dict[tuple[str, int], int] = {}
    for o in outcomes:
        for a, c in o.items():
            counts[(a, c)] = counts.get((a, c), 0) + 1
    return counts


def _engine_counts(problem: LotteryProblem, draws: int) -> dict[tuple[str, int], int]:
    market = build_market(problem)
    tally = simulate_draws(market, "da", False, SEED, 0, draws)
    l1, l2, _ = slot_layout(market)
    out: dict[tuple[str, int], int] = {}
    for u, (a,) in enumerate(market.keys):
        for k in range(int(market.ptr[u + 1] - market.ptr[u])):
            out[(a, k + 1)] = int(tally.slot_counts[market.ptr[u] + k])
        out[(a, 0)] = int(tally.slot_counts[l1 + l2 + u])
    return out


def test_engine_equals_plain_python_da_on_the_same_seeds() -> None:
    problem = _small_problem()
    draws = 300
    plain = [_plain_da(problem, {a.id: _spec_number(simulation_draw_seed(SEED, i), a.id) for a in problem.applicants})
             for i in range(draws)]
    expected = _counts(problem, plain)
    got = _engine_counts(problem, draws)
    assert {k: v for k, v in got.items() if v} == expected


def test_engine_agrees_with_an_independent_monte_carlo_within_intervals() -> None:
    """Own numbers: SHA-256 of a counter (not the spec's seeds); agreement within 4 standard errors."""
    problem = _small_problem()
    n_engine, n_plain = 2000, 2000
    plain = []
    for i in range(n_plain):
        keys = {a.id: hashlib.sha256(f"independent/{i}/{a.id}".encode()).digest() for a in problem.applicants}
        plain.append(_plain_da(problem, {a: int.from_bytes(k[:8], "big") for a, k in keys.items()}))
    theirs = _counts(problem, plain)
    ours = _engine_counts(problem, n_engine)
    for key in sorted(set(ours) | set(theirs)):
        p, q = ours.get(key, 0) / n_engine, theirs.get(key, 0) / n_plain
        se = math.sqrt(p * (1 - p) / n_engine + q * (1 - q) / n_plain)
        assert abs(p - q) <= 4 * se + 2 / n_engine, (key, p, q)
