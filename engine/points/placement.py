"""Placing ranked applicants into per-school points quotas (积分优先、遵循志愿).

Spec: ``docs/points.md`` §Placement. Round 1 is serial allocation in rank order (serial
dictatorship under one common priority, which equals deferred acceptance): each
applicant in turn gets the first of their preferences that still has a seat. With one
preference per applicant this is exactly a cut-off line (录取分数线) per school.

Joint ranks: the applicants of a joint-rank group are served together against the seat
counts as they stood when the group's turn came, so a school with one seat left admits
*every* member of the group who wants it. The quota is then exceeded and the excess is
reported per school (``over_quota``) rather than hidden — Guangzhou's rule that all tied
applicants qualify.

Round 2 (optional, Foshan 二次排位): the applicants still unplaced are re-ranked
district-wide and, in that order, take leftover seats: first among their own
preferences, then the lowest-numbered school with seats in their own town, then the
lowest-numbered school with seats anywhere (the engine knows no distances; the office's
proximity rule is approximated by town, then school number). Whoever is still unplaced
is 统筹 (allocated by the office).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from engine.arrays import BoolArray, Int64Array
from engine.errors import EngineError

__all__ = ["Placement", "School", "place_by_rank"]



@dataclass(frozen=True)
class School:
    """A school's points-admission quota (积分入学指标) in a ranking scope."""

    id: str
    scope: str
    quota: int
    name: str = ""

    def __post_init__(self) -> None:
        if self.quota < 0:
            raise EngineError(f"学校 {self.id} 的指标数为负", f"school {self.id} has a negative quota")


@dataclass(frozen=True)
class Placement:
    """Where each applicant went: ``school[i]`` index into the schools (-1 none),
    ``choice[i]`` the 1-based preference used (0 = not one of theirs), ``round[i]`` 1/2/0;
    ``seats_left[s]`` may be negative (joint-rank overflow) and ``over_quota[s]`` says by how much."""

    school: Int64Array
    choice: Int64Array
    round: Int64Array
    seats_left: Int64Array
    over_quota: Int64Array


def _serve(groups: Sequence[tuple[int, ...]], pick: Callable[[int, list[int]], tuple[int, int]], seats: list[int],
           school: list[int], choice: list[int], rnd: list[int], round_no: int) -> None:
    # Plain lists, not numpy: this loop touches single elements 10^5-10^6 times.
    for group in groups:
        if len(group) == 1:
            i = group[0]
            s, c = pick(i, seats)
            if s >= 0:
                school[i], choice[i], rnd[i] = s, c, round_no
                seats[s] -= 1
            continue
        snapshot = list(seats)  # joint group: every member sees the seats as they stood
        for i in group:
            s, c = pick(i, snapshot)
            if s >= 0:
                school[i], choice[i], rnd[i] = s, c, round_no
        for i in group:
            if rnd[i] == round_no:
                seats[school[i]] -= 1


def place_by_rank(
    schools: Sequence[School],
    preferences: Sequence[Sequence[int]],
    scopes: Sequence[str],
    first_round: Sequence[tuple[int, ...]],
    unplaced_after_first: Callable[[BoolArray], Sequence[tuple[int, ...]]] | None = None,
) -> Placement:
    """Serial allocation by rank (round 1) and, if ``unplaced_after_first`` is given, round 2.

    ``preferences[i]`` lists school indices in the applicant's order (earlier = better);
    ``first_round`` is the rank-group order (see :class:`engine.points.ranking.Ranking`).
    ``unplaced_after_first(mask)`` returns the district-wide rank groups of the applicants
    in ``mask`` (still unplaced); it is called after round 1 so round 2 ranks exactly
    the leftover applicants. Raises :class:`EngineError` on a preference index out of range.
    """
    n = len(preferences)
    k = len(schools)
    for i, prefs in enumerate(preferences):
        if any(not 0 <= s < k for s in prefs):
            raise EngineError(f"第 {i} 个申请的志愿学校无效", f"applicant #{i} names an unknown school")
    seats = [s.quota for s in schools]
    school = [-1] * n
    choice = [0] * n
    rnd = [0] * n

    def first_preference(i: int, avail: list[int]) -> tuple[int, int]:
        for c, s in enumerate(preferences[i], start=1):
            if avail[s] > 0:
                return s, c
        return -1, 0

    _serve(first_round, first_preference, seats, school, choice, rnd, 1)

    if unplaced_after_first is not None:
        ranked = np.zeros(n, dtype=np.bool_)
        ranked[[i for group in first_round for i in group]] = True
        groups = unplaced_after_first(ranked & (np.asarray(school, dtype=np.int64).reshape(n) < 0))
        by_scope: dict[str, list[int]] = {}
        order = sorted(range(k), key=lambda s: schools[s].id)
        for s in order:
            by_scope.setdefault(schools[s].scope, []).append(s)

        # Seat counts only ever fall, so a cursor past the schools without seats stays
        # valid for everyone after; this keeps round 2 linear in applicants + schools.
        cursor: dict[str | None, int] = {}

        def first_open(key: str | None, candidates: list[int], avail: list[int]) -> int:
            p = cursor.get(key, 0)
            while p < len(candidates) and avail[candidates[p]] <= 0:
                p += 1
            cursor[key] = p
            return candidates[p] if p < len(candidates) else -1

        def leftover(i: int, avail: list[int]) -> tuple[int, int]:
            s, c = first_preference(i, avail)
            if s >= 0:
                return s, c
            t = first_open(scopes[i], by_scope.get(scopes[i], []), avail)
            if t < 0:
                t = first_open(None, order, avail)
            return t, 0

        _serve(groups, leftover, seats, school, choice, rnd, 2)
    def arr(values: list[int]) -> Int64Array:
        return np.asarray(values, dtype=np.int64).reshape(len(values))

    left = arr(seats)
    return Placement(arr(school), arr(choice), arr(rnd), left, np.maximum(-left, 0).astype(np.int64))
