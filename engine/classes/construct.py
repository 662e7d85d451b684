"""A feasible stratified start: presets first, then a snake within strata.

Steps:

1. Units pinned by presets go to their slot.
2. Free units are dealt in one continuous snake (slots 0…K−1, K−1…0, …) — restarting
   the snake per stratum would spread class sizes by 2 (reference §2.1 sim pitfall).
   Order: together groups (largest first), then units in apart groups, then singles
   stratified by gender and flags, each stratum by total descending, ties by the
   seeded order among equals.
3. A unit skips slots that are full or already hold a member of one of its apart
   groups. If no slot fits, construction fails and the caller falls back to CP-SAT.
"""

from __future__ import annotations

import numpy as np

from engine.arrays import Int64Array
from engine.classes.problem import Problem

__all__ = ["construct_start"]


def _snake(k: int) -> list[int]:
    return list(range(k)) + list(range(k - 1, -1, -1))


def construct_start(p: Problem) -> Int64Array | None:
    """Slot per unit, or ``None`` when the greedy deal cannot honour every apart group."""
    students = p.cohort.students
    slot = np.full(len(p.units), -1, dtype=np.int64)
    free = p.sizes.copy()
    used: list[set[int]] = [set() for _ in range(p.k)]
    for u in range(len(p.units)):
        c = int(p.unit_fixed[u])
        if c >= 0:
            slot[u] = c
            free[c] -= p.unit_size[u]
            used[c].update(int(g) for g in p.unit_apart[u] if g >= 0)

    def key(u: int) -> tuple[int, int, tuple[int, ...], int, int]:
        members = p.units[u]
        lead = members[0]
        s = students[lead]
        category = 0 if len(members) > 1 else (1 if (p.unit_apart[u] >= 0).any() else 2)
        stratum = (0 if s.gender == "M" else 1, *(0 if f else 1 for f in s.flags))
        total = sum(students[m].scores[0] for m in members)
        return (category, -len(members), stratum, -total, int(p.tie_rank[lead]))

    order = sorted((u for u in range(len(p.units)) if slot[u] < 0), key=key)
    snake = _snake(p.k)
    pos = 0
    for u in order:
        groups = {int(g) for g in p.unit_apart[u] if g >= 0}
        size = int(p.unit_size[u])
        for step in range(len(snake)):
            c = snake[(pos + step) % len(snake)]
            if free[c] >= size and not (used[c] & groups):
                slot[u] = c
                free[c] -= size
                used[c] |= groups
                pos = (pos + step + 1) % len(snake)
                break
        else:
            return None
    return slot
