"""Round 1, optional round 2 (二次派位) and unplaced reasons (docs/lottery.md §4–§5).

Round 2 uses the same mechanism and the same lottery ranks on the seats left after
round 1, for the units still unplaced that gave round-2 choices. Anyone unplaced
after the last round is listed for 统筹 (administrative placement) with a
:class:`Reason`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from engine.arrays import BoolArray, Int64Array, UInt64Array
from engine.lottery.data import LotteryProblem, Market, Mechanism, build_market
from engine.lottery.mechanisms import listed_school_with_seats, place
from engine.lottery.numbers import draw_numbers, priority_ranks

__all__ = ["LotteryResult", "Reason", "place_market", "run_lottery"]



class Reason(StrEnum):
    """Why a unit ends unplaced (published in ``results.csv`` column ``reason``)."""

    ALL_CHOICES_FULL = "all_choices_full"
    """Every school on the (last round's) list was full for this unit's priority."""
    NOT_ENOUGH_SEATS_FOR_MULTIPLES = "not_enough_seats_for_multiples"
    """A listed school had seats left, but fewer than the multiples unit needs together."""
    NO_PREFERENCE_IN_ROUND2 = "no_preference_in_round2"
    """Unplaced in round 1 and gave no round-2 choices."""


@dataclass(frozen=True)
class LotteryResult:
    """Per-unit outcome of a lottery (arrays indexed by unit, see :class:`Market`).

    ``school[u]`` is -1 when unplaced; ``choice_rank[u]`` is 1-based within the list
    of the round that placed it (0 when unplaced); ``round[u]`` is 1, 2 or 0;
    ``admit_tier[u]`` is the tier the mechanism used for the admission (per-school
    tier for da/boston, base tier for serial; -1 when unplaced); ``reason[u]`` is
    empty for placed units.
    """

    market: Market
    mechanism: Mechanism
    round2: bool
    numbers: UInt64Array
    rank: Int64Array
    school: Int64Array
    choice_rank: Int64Array
    round: Int64Array
    admit_tier: Int64Array
    reason: tuple[str, ...]

    def remaining(self) -> Int64Array:
        """Seats left per school after all rounds."""
        used = np.bincount(self.school[self.school >= 0], weights=self.market.size[self.school >= 0],
                           minlength=self.market.n_schools)
        return self.market.capacity - used.astype(np.int64)


def _round(
    market: Market, mechanism: Mechanism, rank: Int64Array, capacity: Int64Array, active: BoolArray,
    second: bool,
) -> tuple[Int64Array, Int64Array, Int64Array]:
    ptr, school, tier = (
        (market.r2_ptr, market.r2_school, market.r2_tier) if second else (market.ptr, market.school, market.tier)
    )
    p = place(mechanism, ptr=ptr, school=school, tier=tier, size=market.size, capacity=capacity, rank=rank,
              base_tier=market.base_tier, active=active)
    placed = p.school >= 0
    choice = np.where(placed, p.entry - ptr[:-1] + 1, 0)
    if mechanism == "serial":
        admit = np.where(placed, market.base_tier, -1)
    else:
        admit = np.where(placed, tier[np.maximum(p.entry, 0)], -1)
    return p.school, choice.astype(np.int64), admit.astype(np.int64)


def place_market(
    market: Market, numbers: UInt64Array, rank: Int64Array, mechanism: Mechanism, round2: bool
) -> LotteryResult:
    """Run round 1 and, when ``round2``, round 2 on an already drawn market.

    1. Round 1 over every unit's round-1 list with full capacity.
    2. Round 2 (optional) over units unplaced in round 1 that have round-2 choices,
       with the seats left by round 1, the same mechanism and the same ranks.
    3. Reasons for units still unplaced (see :class:`Reason`).
    """
    n = market.n_units
    everyone = np.ones(n, dtype=np.bool_)
    school, choice, admit = _round(market, mechanism, rank, market.capacity, everyone, second=False)
    rnd = np.where(school >= 0, 1, 0).astype(np.int64)
    if round2:
        used = np.bincount(school[school >= 0], weights=market.size[school >= 0], minlength=market.n_schools)
        left = market.capacity - used.astype(np.int64)
        has_r2 = np.diff(market.r2_ptr) > 0
        active = (school < 0) & has_r2
        if active.any():
            s2, c2, a2 = _round(market, mechanism, rank, left, active, second=True)
            got = active & (s2 >= 0)
            school = np.where(got, s2, school)
            choice = np.where(got, c2, choice)
            admit = np.where(got, a2, admit)
            rnd = np.where(got, 2, rnd)
    used_all = np.bincount(school[school >= 0], weights=market.size[school >= 0], minlength=market.n_schools)
    left_all = market.capacity - used_all.astype(np.int64)
    reasons = [""] * n
    unplaced = np.flatnonzero(school < 0).astype(np.int64)
    if round2:
        no_r2 = (market.r2_ptr[unplaced + 1] - market.r2_ptr[unplaced]) == 0
        near = listed_school_with_seats(market.r2_ptr, market.r2_school, left_all, unplaced)
    else:
        no_r2 = np.zeros(unplaced.shape[0], dtype=np.bool_)
        near = listed_school_with_seats(market.ptr, market.school, left_all, unplaced)
    near &= market.size[unplaced] > 1
    for u, none, multi in zip(unplaced.tolist(), no_r2.tolist(), near.tolist(), strict=True):
        if none:
            reasons[u] = Reason.NO_PREFERENCE_IN_ROUND2.value
        elif multi:
            reasons[u] = Reason.NOT_ENOUGH_SEATS_FOR_MULTIPLES.value
        else:
            reasons[u] = Reason.ALL_CHOICES_FULL.value
    return LotteryResult(
        market=market, mechanism=mechanism, round2=round2, numbers=numbers, rank=rank, school=school,
        choice_rank=choice, round=rnd, admit_tier=admit, reason=tuple(reasons),
    )


def run_lottery(
    problem: LotteryProblem, seed: bytes, mechanism: Mechanism = "da", round2: bool = False
) -> LotteryResult:
    """Draw lottery numbers from ``seed`` and place ``problem`` (the whole engine in one call).

    The result depends only on (problem as a set, seed, mechanism, round2): the
    problem is canonical (sorted by id), numbers depend on each unit's own key.
    """
    market = build_market(problem)
    numbers = draw_numbers(seed, market.keys)
    rank = priority_ranks(numbers, market.keys)
    return place_market(market, numbers, rank, mechanism, round2)
