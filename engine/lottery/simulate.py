"""Monte Carlo over lottery seeds: admission chances before placement day (docs/simulate.md).

A simulation is many ordinary lotteries on one fixed market. Draw ``i`` uses the seed
``simulation_draw_seed(simulation_seed, i)`` (docs/randomness.md §9) and is exactly the
lottery ``sunshine lottery --seed <that seed>`` would run: same numbers
(:func:`~engine.lottery.numbers.number_drawer`), same ranks, same rounds
(:func:`~engine.lottery.rounds.assign_rounds`). The market is built once; per draw only
the numbers and the placement are recomputed, by the engine's compiled kernels, and the
outcome is folded into integer count arrays (no Python loop over applicants).

Counts are integers and per-draw series are kept in draw order, so tallies over any
split of the draws into chunks merge (:func:`merge_tallies`) into the same arrays:
results do not depend on the chunk size, the worker count or the backend.

Outcome *slots* of a unit: one per round-1 list entry (market CSR order), then one per
round-2 list entry, then one "no seat" slot per unit. Every draw puts each unit in
exactly one slot, so a unit's slot counts sum to the number of draws.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import cast

import numpy as np

from engine.arrays import Int64Array, UInt64Array
from engine.compiled import kernel
from engine.errors import EngineError
from engine.lottery.data import Market, Mechanism
from engine.lottery.numbers import number_drawer, priority_ranks
from engine.lottery.rounds import assign_rounds
from engine.randomness import simulation_draw_seed

__all__ = ["Tally", "merge_tallies", "n_tiers", "simulate_draws", "slot_layout", "slot_owner", "slot_school"]


@dataclass(frozen=True)
class Tally:
    """What draws ``start .. start + draws - 1`` produced (mergeable, see :func:`merge_tallies`).

    * ``slot_counts[k]``: draws in which the unit owning slot ``k`` ended there (:func:`slot_layout`).
    * ``filled[s, t]``: seats of school ``s`` taken by units admitted with tier ``t``, summed over draws.
    * ``cutoff[d, s]``: the worst admitted priority ``tier * n_units + rank`` of round 1 at school ``s``
      in draw ``d``, or -1 when the school still had seats after round 1 (no one was turned away for lack
      of seats, so there is no cutoff).
    * ``first_choice[d]``, ``top3[d]``, ``unplaced[d]``: applicants (not units) placed at their first
      round-1 choice, within their first three, and nowhere, in draw ``d``.
    """

    start: int
    draws: int
    slot_counts: Int64Array
    filled: Int64Array
    cutoff: Int64Array
    first_choice: Int64Array
    top3: Int64Array
    unplaced: Int64Array


def n_tiers(market: Market) -> int:
    """Number of tier values to count (0 .. the largest tier anywhere in the market)."""
    top = max((int(a.max()) for a in (market.tier, market.r2_tier, market.base_tier) if a.size), default=0)
    return top + 1


def slot_layout(market: Market) -> tuple[int, int, int]:
    """``(round-1 entries, round-2 entries, total slots)``; unit ``u``'s "no seat" slot is ``L1 + L2 + u``."""
    l1 = int(market.ptr[-1])
    l2 = int(market.r2_ptr[-1])
    return l1, l2, l1 + l2 + market.n_units


def slot_owner(market: Market) -> Int64Array:
    """The unit each slot belongs to."""
    units = np.arange(market.n_units, dtype=np.int64)
    return np.concatenate([np.repeat(units, np.diff(market.ptr)), np.repeat(units, np.diff(market.r2_ptr)), units])


def slot_school(market: Market) -> Int64Array:
    """The school of each slot; ``n_schools`` (one past the last) for the "no seat" slots."""
    return np.concatenate([market.school, market.r2_school,
                           np.full(market.n_units, market.n_schools, dtype=np.int64)])


_DRAWERS: dict[int, tuple[weakref.ref[Market], Callable[[bytes], UInt64Array]]] = {}


def _drawer(market: Market) -> Callable[[bytes], UInt64Array]:
    """``number_drawer(market.keys)``, made once per market object while it lives.

    Why: its preparation (the units' inner SHA-256 schedules) costs about one draw's hashing,
    ≈1.2 s of CPU for the 200,000-applicant city, and every chunk of a simulation used to redo
    it; chunks running on threads of one process now share it (read-only). A pure memo: the
    drawer depends on the keys only, a market is immutable, and an entry is dropped with its market.
    """
    key = id(market)
    hit = _DRAWERS.get(key)
    if hit is not None and hit[0]() is market:
        return hit[1]
    draw = number_drawer(market.keys)
    _DRAWERS[key] = (weakref.ref(market, lambda _ref: _DRAWERS.pop(key, None)), draw)
    return draw


def _narrow_lists(market: Market) -> Market:
    """``market`` with its choice lists (``ptr``, ``school``, ``tier`` and the round-2 ones) held as int32.

    Why: a draw's DA reads the lists in the random order of that draw, just after the number draw
    has swept the caches, so a simulation's DA time is mostly memory traffic; lists half as wide made
    the DA of a 20,000-applicant zone draw 20–27 % faster (benchmarks/RESULTS.md § Simulation). The
    compiled kernels take any integer width and compute keys in 64 bits, so every placement is the
    same. Lists too long for int32 are left as they are. The arrays keep the field's declared type
    for the type checker: only their width changes, never a value.
    """
    if max(int(market.ptr[-1]), int(market.r2_ptr[-1]), market.n_schools) >= 2**31:
        return market

    def narrow(a: Int64Array) -> Int64Array:
        return cast(Int64Array, a.astype(np.int32))

    return replace(market, ptr=narrow(market.ptr), school=narrow(market.school), tier=narrow(market.tier),
                   r2_ptr=narrow(market.r2_ptr), r2_school=narrow(market.r2_school), r2_tier=narrow(market.r2_tier))


def simulate_draws(
    market: Market, mechanism: Mechanism, round2: bool, simulation_seed: bytes, start: int, stop: int
) -> Tally:
    """Run draws ``start .. stop - 1`` of the simulation seeded by ``simulation_seed`` and tally them."""
    if not 0 <= start <= stop:
        raise EngineError(f"模拟次数区间无效 {start}..{stop}", f"invalid draw range {start}..{stop}")
    draws = stop - start
    n_schools = market.n_schools
    l1, l2, n_slots = slot_layout(market)
    tiers = n_tiers(market)
    draw = _drawer(market)
    placing = _narrow_lists(market)
    slot_counts = np.zeros(n_slots, dtype=np.int64)
    filled = np.zeros(n_schools * tiers, dtype=np.int64)
    cutoff = np.full((draws, n_schools), -1, dtype=np.int64)
    first_choice = np.zeros(draws, dtype=np.int64)
    top3 = np.zeros(draws, dtype=np.int64)
    unplaced = np.zeros(draws, dtype=np.int64)
    used = np.zeros(n_schools, dtype=np.int64)
    for d in range(draws):
        numbers = draw(simulation_draw_seed(simulation_seed, start + d))
        rank = priority_ranks(numbers, market.keys)
        a = assign_rounds(placing, rank, mechanism, round2)
        first_choice[d], top3[d], unplaced[d] = _tally_draw(
            a.school, a.choice_rank, a.round, a.admit_tier, rank, market.size, market.ptr, market.r2_ptr, l1, l2,
            market.capacity, tiers, slot_counts, filled, cutoff[d], used)
    return Tally(start=start, draws=draws, slot_counts=slot_counts, filled=filled.reshape(n_schools, tiers),
                 cutoff=cutoff, first_choice=first_choice, top3=top3, unplaced=unplaced)


@kernel
def _tally_draw(
    school: Int64Array, choice: Int64Array, rnd: Int64Array, admit: Int64Array, rank: Int64Array, size: Int64Array,
    ptr: Int64Array, r2_ptr: Int64Array, l1: int, l2: int, capacity: Int64Array, tiers: int,
    slot_counts: Int64Array, filled: Int64Array, cutoff: Int64Array, used: Int64Array,
) -> tuple[int, int, int]:
    # One pass over the units of one draw: its slot, the seats filled per (school, tier), round 1's worst
    # admitted priority per school (kept only where round 1 filled the school) and the applicant totals.
    n_units = size.shape[0]
    used[:] = 0
    cutoff[:] = -1
    first = 0
    top3 = 0
    unplaced = 0
    for u in range(n_units):
        s = school[u]
        if rnd[u] == 1:
            slot_counts[ptr[u] + choice[u] - 1] += 1
            key = admit[u] * n_units + rank[u]
            if key > cutoff[s]:
                cutoff[s] = key
            used[s] += size[u]
            if choice[u] == 1:
                first += size[u]
            if choice[u] <= 3:
                top3 += size[u]
        elif rnd[u] == 2:
            slot_counts[l1 + r2_ptr[u] + choice[u] - 1] += 1
        else:
            slot_counts[l1 + l2 + u] += 1
            unplaced += size[u]
        if s >= 0:
            filled[s * tiers + admit[u]] += size[u]
    for s in range(capacity.shape[0]):
        if used[s] < capacity[s]:
            cutoff[s] = -1
    return first, top3, unplaced


def merge_tallies(tallies: Sequence[Tally]) -> Tally:
    """One tally from chunks covering consecutive draws (any order given; gaps or overlaps are errors)."""
    if not tallies:
        raise EngineError("没有模拟结果可合并", "no simulation chunks to merge")
    ordered = sorted(tallies, key=lambda t: t.start)
    position = ordered[0].start
    for t in ordered:
        if t.start != position:
            raise EngineError("模拟分块不连续", f"simulation chunks are not consecutive at draw {position}")
        position += t.draws
    return Tally(
        start=ordered[0].start,
        draws=position - ordered[0].start,
        slot_counts=np.sum([t.slot_counts for t in ordered], axis=0, dtype=np.int64),
        filled=np.sum([t.filled for t in ordered], axis=0, dtype=np.int64),
        cutoff=np.concatenate([t.cutoff for t in ordered], axis=0),
        first_choice=np.concatenate([t.first_choice for t in ordered]),
        top3=np.concatenate([t.top3 for t in ordered]),
        unplaced=np.concatenate([t.unplaced for t in ordered]),
    )
