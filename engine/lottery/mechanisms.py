"""Placement kernels: student-proposing DA, Boston (immediate acceptance), serial dictatorship.

Spec: docs/lottery.md §2–§3. All three see the same inputs: per preference entry
``k`` of unit ``u`` a school ``school[k]`` and the unit's priority there,
``tier[k] * n_units + rank[u]`` (smaller is better; ``rank`` comes from the one lottery draw, so the
tie-break is single, STB). Units take ``size[u]`` seats and are admitted whole.

School choice rule, shared by every mechanism ("greedy fit"): given applicants for
its seats, a school goes through them best priority first and admits each one
whose whole unit still fits; a unit that does not fit is turned away and smaller,
lower-priority units may still take the leftover seats.

The hot loops are numba-compiled (``cache=True``) over flat int64 arrays; plain
Python versions with the same semantics live with the tests
(``tests/engine/lottery/lottery_reference.py``) and are cross-checked there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.arrays import BoolArray, Int64Array
from engine.compiled import kernel
from engine.errors import EngineError
from engine.lottery.data import Mechanism

__all__ = ["Placement", "listed_school_with_seats", "place"]




@dataclass(frozen=True)
class Placement:
    """Outcome of one round: ``school[u]`` (-1 when unplaced) and the preference entry used (-1)."""

    school: Int64Array
    entry: Int64Array


@kernel
def _heap_push(hk: Int64Array, hu: Int64Array, base: int, n: int, key: int, unit: int) -> None:
    # Max-heap on key (worst held unit on top) stored in hk/hu[base : base + capacity].
    i = n
    while i > 0:
        p = (i - 1) // 2
        if hk[base + p] >= key:
            break
        hk[base + i] = hk[base + p]
        hu[base + i] = hu[base + p]
        i = p
    hk[base + i] = key
    hu[base + i] = unit


@kernel
def _heap_pop(hk: Int64Array, hu: Int64Array, base: int, n: int) -> None:
    # Remove the top of a heap of length n (n >= 1); the caller reads the top first.
    last_k = hk[base + n - 1]
    last_u = hu[base + n - 1]
    n -= 1
    if n == 0:
        return
    i = 0
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n and hk[base + c + 1] > hk[base + c]:
            c += 1
        if hk[base + c] <= last_k:
            break
        hk[base + i] = hk[base + c]
        hu[base + i] = hu[base + c]
        i = c
    hk[base + i] = last_k
    hu[base + i] = last_u


@kernel
def _da_kernel(
    ptr: Int64Array, school: Int64Array, tier: Int64Array, rank: Int64Array, size: Int64Array,
    capacity: Int64Array, order: Int64Array,
) -> tuple[Int64Array, Int64Array]:
    """Student-proposing DA (Gale–Shapley 1962; McVitie–Wilson proposal order).

    1. Units in ``order`` (master order: base tier, then lottery rank) enter a FIFO queue.
    2. The unit at the front proposes down its list; a school holding seats applies
       the greedy-fit rule to (held ∪ {proposer}). Units it no longer holds are
       appended to the queue; a rejected proposer tries its next choice at once.
    3. Stop when the queue is empty. Each unit proposes to a school at most once,
       so the loop is O(L · log capacity) with a per-school max-heap.

    Greedy fit with a heap: pop held units worse than the proposer until it fits
    (or none worse remain); admit it if it fits; re-admit the popped units best
    first while each still fits. Units better than the proposer are untouched —
    they fitted before, so greedy fit keeps them.
    """
    n_units = size.shape[0]
    n_schools = capacity.shape[0]
    base = np.zeros(n_schools + 1, dtype=np.int64)
    max_cap = 1
    for s in range(n_schools):
        base[s + 1] = base[s] + capacity[s]
        if capacity[s] > max_cap:
            max_cap = capacity[s]
    hk = np.empty(base[n_schools], dtype=np.int64)
    hu = np.empty(base[n_schools], dtype=np.int64)
    hlen = np.zeros(n_schools, dtype=np.int64)
    used = np.zeros(n_schools, dtype=np.int64)
    nxt = ptr[:-1].copy()
    assigned = np.full(n_units, -1, dtype=np.int64)
    entry = np.full(n_units, -1, dtype=np.int64)
    qn = order.shape[0] + 1
    queue = np.empty(qn, dtype=np.int64)
    head = 0
    tail = 0
    for u in order:
        queue[tail] = u
        tail += 1
    pk = np.empty(max_cap, dtype=np.int64)
    pu = np.empty(max_cap, dtype=np.int64)
    while head != tail:
        u = queue[head]
        head = (head + 1) % qn
        sz = size[u]
        while nxt[u] < ptr[u + 1]:
            k = nxt[u]
            nxt[u] += 1
            s = school[k]
            key = tier[k] * n_units + rank[u]  # (tier, lottery rank) packed into one int64, smaller is better
            cap = capacity[s]
            b = base[s]
            if used[s] + sz <= cap:
                _heap_push(hk, hu, b, hlen[s], key, u)
                hlen[s] += 1
                used[s] += sz
                assigned[u] = s
                entry[u] = k
                break
            npop = 0
            while hlen[s] > 0 and used[s] + sz > cap and hk[b] > key:
                pk[npop] = hk[b]
                pu[npop] = hu[b]
                _heap_pop(hk, hu, b, hlen[s])
                hlen[s] -= 1
                used[s] -= size[pu[npop]]
                npop += 1
            accepted = used[s] + sz <= cap
            if accepted:
                _heap_push(hk, hu, b, hlen[s], key, u)
                hlen[s] += 1
                used[s] += sz
                assigned[u] = s
                entry[u] = k
            for i in range(npop - 1, -1, -1):
                r = pu[i]
                if used[s] + size[r] <= cap:
                    _heap_push(hk, hu, b, hlen[s], pk[i], r)
                    hlen[s] += 1
                    used[s] += size[r]
                else:
                    assigned[r] = -1
                    entry[r] = -1
                    queue[tail] = r
                    tail = (tail + 1) % qn
            if accepted:
                break
    return assigned, entry


@kernel
def _boston_kernel(
    ptr: Int64Array, school: Int64Array, tier: Int64Array, rank: Int64Array, size: Int64Array,
    capacity: Int64Array, order: Int64Array, n_keys: int,
) -> tuple[Int64Array, Int64Array]:
    """Immediate acceptance (Boston, 志愿优先): choice round by choice round, seats final.

    Round r = 0, 1, ...: every still-unplaced unit applies to its (r+1)-th choice;
    each school takes its applicants of this round best priority first by greedy fit
    into the seats left from earlier rounds. Admissions are final.
    """
    n_units = size.shape[0]
    remaining = capacity.copy()
    assigned = np.full(n_units, -1, dtype=np.int64)
    entry = np.full(n_units, -1, dtype=np.int64)
    longest = 0
    for u in order:
        if ptr[u + 1] - ptr[u] > longest:
            longest = ptr[u + 1] - ptr[u]
    cu = np.empty(order.shape[0], dtype=np.int64)
    ck = np.empty(order.shape[0], dtype=np.int64)
    for r in range(longest):
        cnt = 0
        for u in order:
            if assigned[u] < 0 and ptr[u] + r < ptr[u + 1]:
                k = ptr[u] + r
                cu[cnt] = u
                ck[cnt] = school[k] * n_keys + tier[k] * n_units + rank[u]
                cnt += 1
        idx = np.argsort(ck[:cnt])
        for j in idx:
            u = cu[j]
            k = ptr[u] + r
            s = school[k]
            if remaining[s] >= size[u]:
                remaining[s] -= size[u]
                assigned[u] = s
                entry[u] = k
    return assigned, entry


@kernel
def _serial_kernel(
    ptr: Int64Array, school: Int64Array, size: Int64Array, capacity: Int64Array, order: Int64Array,
) -> tuple[Int64Array, Int64Array]:
    """Serial dictatorship: in master order, each unit takes its best choice that still fits."""
    n_units = size.shape[0]
    remaining = capacity.copy()
    assigned = np.full(n_units, -1, dtype=np.int64)
    entry = np.full(n_units, -1, dtype=np.int64)
    for u in order:
        for k in range(ptr[u], ptr[u + 1]):
            s = school[k]
            if remaining[s] >= size[u]:
                remaining[s] -= size[u]
                assigned[u] = s
                entry[u] = k
                break
    return assigned, entry


@kernel
def _master_order(rank: Int64Array, base_tier: Int64Array, active: BoolArray) -> Int64Array:
    """The active units by (base tier, lottery rank): what ``np.argsort(base_tier * n + rank)`` gives.

    Why not that argsort: a simulation builds this order once per draw and round, and a
    comparison sort of every unit cost a sixth of a draw. ``rank`` is a permutation, so
    units in rank order are ``rank``'s inverse (one scatter), and one counting pass over the
    (few, small) tiers keeps that order within each tier: O(n), exactly the same order.
    """
    n = rank.shape[0]
    by_rank = np.empty(n, dtype=np.int64)
    for u in range(n):
        by_rank[rank[u]] = u
    top = 0
    n_active = 0
    for u in range(n):
        if active[u]:
            n_active += 1
            if base_tier[u] > top:
                top = base_tier[u]
    start = np.zeros(top + 2, dtype=np.int64)
    for u in range(n):
        if active[u]:
            start[base_tier[u] + 1] += 1
    for t in range(1, top + 2):
        start[t] += start[t - 1]
    out = np.empty(n_active, dtype=np.int64)
    for i in range(n):
        u = by_rank[i]
        if active[u]:
            out[start[base_tier[u]]] = u
            start[base_tier[u]] += 1
    return out


def place(
    mechanism: Mechanism,
    *,
    ptr: Int64Array,
    school: Int64Array,
    tier: Int64Array,
    size: Int64Array,
    capacity: Int64Array,
    rank: Int64Array,
    base_tier: Int64Array,
    active: BoolArray,
) -> Placement:
    """Place the ``active`` units with ``mechanism`` into ``capacity`` seats.

    Requires ``rank`` to be a permutation of ``0..n_units-1`` and ``tier >= 0``.
    ``da`` and ``boston`` use the per-school score; ``serial`` uses one master order
    by (base tier, rank). Raises :class:`EngineError` for an unknown mechanism.
    """
    n_units = rank.shape[0]
    if mechanism not in ("da", "boston", "serial"):
        raise EngineError(f"未知的派位方式 {mechanism!r}", f"unknown mechanism {mechanism!r} (da, boston, serial)")
    if mechanism == "boston":  # each order is a pass over every unit: only the one the mechanism uses is built
        lottery_order = _master_order(rank, np.zeros(n_units, dtype=np.int64), active)
        n_keys = (int(tier.max()) + 1 if tier.size else 1) * n_units
        s, e = _boston_kernel(ptr, school, tier, rank, size, capacity, lottery_order, n_keys)
        return Placement(school=s, entry=e)
    master = _master_order(rank, base_tier, active)
    if mechanism == "da":
        # Proposals start in master order (base tier, number). Without multiples the DA
        # outcome does not depend on proposal order; with multiples this order makes DA
        # coincide with serial dictatorship (stable) whenever priorities are common.
        s, e = _da_kernel(ptr, school, tier, rank, size, capacity, master)
    else:
        s, e = _serial_kernel(ptr, school, size, capacity, master)
    return Placement(school=s, entry=e)


@kernel
def _listed_with_seats(ptr: Int64Array, school: Int64Array, left: Int64Array, units: Int64Array) -> BoolArray:
    out = np.zeros(units.shape[0], dtype=np.bool_)
    for i in range(units.shape[0]):
        u = units[i]
        for k in range(ptr[u], ptr[u + 1]):
            if left[school[k]] > 0:
                out[i] = True
                break
    return out


def listed_school_with_seats(
    ptr: Int64Array, school: Int64Array, left: Int64Array, units: Int64Array
) -> BoolArray:
    """For each unit in ``units``: does any school on its list still have at least one seat?"""
    return _listed_with_seats(ptr, school, left, units)
