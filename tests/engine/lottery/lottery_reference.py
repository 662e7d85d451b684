"""Plain-Python reference implementations of the three mechanisms (docs/lottery.md §2–§3); test-only code.

Deliberately simple and slow: the school's greedy-fit choice is recomputed from
scratch by sorting at every proposal. Tests check the numba kernels in
:func:`engine.lottery.mechanisms.place` against these on every generated instance, with
the same proposal order (units in master order — base tier, then lottery
number — through a FIFO queue; a rejected unit proposes again at once), which matters only when multiples are present.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from engine.lottery.data import Mechanism

__all__ = ["greedy_fit", "reference_place"]


def greedy_fit(candidates: Sequence[tuple[int, int, int]], capacity: int) -> list[tuple[int, int, int]]:
    """The school choice rule: ``(score, unit, size)`` best score first, each admitted if it still fits."""
    chosen: list[tuple[int, int, int]] = []
    used = 0
    for cand in sorted(candidates):
        if used + cand[2] <= capacity:
            chosen.append(cand)
            used += cand[2]
    return chosen


def reference_place(
    mechanism: Mechanism,
    prefs: Sequence[Sequence[int]],
    tiers: Sequence[Sequence[int]],
    sizes: Sequence[int],
    capacity: Sequence[int],
    rank: Sequence[int],
    base_tier: Sequence[int],
    active: Sequence[bool],
) -> list[tuple[int, int]]:
    """``(school, choice index)`` per unit, ``(-1, -1)`` when unplaced."""
    n = len(sizes)
    scores = [[t * n + rank[u] for t in tiers[u]] for u in range(n)]
    lottery = sorted((u for u in range(n) if active[u]), key=lambda u: rank[u])
    out = [(-1, -1)] * n
    master = sorted(lottery, key=lambda u: (base_tier[u], rank[u]))
    if mechanism == "serial":
        left = list(capacity)
        for u in master:
            for k, s in enumerate(prefs[u]):
                if left[s] >= sizes[u]:
                    left[s] -= sizes[u]
                    out[u] = (s, k)
                    break
        return out
    if mechanism == "boston":
        left = list(capacity)
        longest = max((len(prefs[u]) for u in lottery), default=0)
        for r in range(longest):
            applying: dict[int, list[tuple[int, int, int]]] = {}
            for u in lottery:
                if out[u][0] < 0 and r < len(prefs[u]):
                    applying.setdefault(prefs[u][r], []).append((scores[u][r], u, sizes[u]))
            for s, cands in applying.items():
                for _, u, size in greedy_fit(cands, left[s]):
                    left[s] -= size
                    out[u] = (s, r)
        return out
    if mechanism != "da":
        raise ValueError(mechanism)
    held: list[list[tuple[int, int, int]]] = [[] for _ in capacity]
    nxt = [0] * n
    queue = deque(master)  # DA proposals start in master order, as in the kernel
    while queue:
        u = queue.popleft()
        while nxt[u] < len(prefs[u]):
            k = nxt[u]
            nxt[u] += 1
            s = prefs[u][k]
            me = (scores[u][k], u, sizes[u])
            chosen = greedy_fit([*held[s], me], capacity[s])
            kept = {c[1] for c in chosen}
            for c in sorted(held[s]):  # displaced units queue best first, as in the kernel
                if c[1] not in kept:
                    out[c[1]] = (-1, -1)
                    queue.append(c[1])
            held[s] = chosen
            if u in kept:
                out[u] = (s, k)
                break
    return out
