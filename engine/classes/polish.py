"""Final phase of the search: close the gap of the class means of the total exactly.

Why a separate phase: the exchange search minimises squared deviations, a smooth stand-in.
What is published is the max − min gap of the class means, which near the end moves in
steps of one score granule (half a point over 50 students is 0.01). Closing the last steps
needs a move that shifts two classes' totals by exactly a granule while every count stays
put and no subject mean or SD drifts. Single swaps almost never offer one and pairs rarely
do; exchanging a *set* of up to three units for a set of another class offers thousands of
times more combinations, and a meet-in-the-middle join
(:func:`~engine.classes.polish_kernel.exchange_kernel`) finds the fitting ones in
milliseconds.

A move exchanges a set of one to ``MAX_SET`` free units of class ``a`` for a set of class
``d`` with exactly the same counts (gender, flags, bands, top/bottom-N) and the same number
of students; presets and apart groups are never moved. Each step:

1. sets of one or two units between an extreme class (of the total or of the worst
   subject) and every other class; the best move by the key wins;
2. if there is none, sets of up to ``MAX_SET`` units between the ``TRIPLE_SEARCHES`` pairs
   of classes farthest apart in the total, then in the worst subject; the first pair
   with an improving move wins.

A move must strictly lower the key (total gap, classes at the total's extremes, worst
subject gap, classes at its extremes). Two caps hold throughout: no subject gap above the
worst subject gap at phase start, no SD gap above ``max(worst SD gap at phase start,
SD_GAP)``. Everything is exact integer arithmetic on hundredths except the SDs, which are
IEEE floats computed identically everywhere; ties go to the first candidate in a fixed
order. The work limit is a number of steps, never the clock.
"""

from __future__ import annotations

import hashlib

import numpy as np

from engine.arrays import Float64Array, Int64Array
from engine.classes.polish_kernel import exchange_kernel, subset_table
from engine.classes.state import SearchState

__all__ = ["MAX_SET", "SD_GAP", "TRIPLE_SEARCHES", "Polish", "polish_total", "unit_codes"]

SD_GAP = 50  # hundredths: the polish may let an SD gap grow up to 0.5 points (never past the start's)
TRIPLE_SEARCHES = 8
MAX_SET = 3  # largest set of units exchanged in one move


def unit_codes(ucs: Int64Array, r_max: int) -> Int64Array:
    """One integer per unit such that a set's code (the sum) identifies its counts and sizes.

    ``ucs`` holds per unit its count memberships and its size. With digits up to ``r_max``
    times the largest entry, base-``b`` positional codes add without carries, so two sets of
    at most ``r_max`` units have equal codes exactly when they carry equal counts. When such a
    code would not fit in 63 bits the multipliers are fixed 62-bit constants from SHA-256
    instead (a hash: the kernel confirms every match count by count).
    """
    base = r_max * int(ucs.max(initial=0)) + 1
    dims = ucs.shape[1]
    if base ** dims < 2**62:
        mult = base ** np.arange(dims, dtype=np.int64)
    else:
        mult = np.array([int.from_bytes(hashlib.sha256(f"polish-code/{q}".encode()).digest()[:8], "big") >> 2
                         for q in range(dims)], dtype=np.int64)
    with np.errstate(over="ignore"):
        out: Int64Array = ucs @ mult  # wraps modulo 2^64 in the hash case, identically everywhere
    return out


class _Table:
    """All sets of one to ``r_max`` free units of a class, sorted by (code, total) for joins."""

    def __init__(self, polish: Polish, c: int, r_max: int) -> None:
        units = np.flatnonzero((polish.state.slot == c) & polish.free).astype(np.int64)
        self.code, self.s1, self.s2, self.members = subset_table(units, r_max, polish.us, polish.usq, polish.ucode)
        self.order = np.lexsort((self.s1[:, 0], self.code)).astype(np.int64)


class Polish:
    """Exact integer sums per class and the per-step move search."""

    def __init__(self, state: SearchState) -> None:
        p = self.p = state.p
        self.state = state
        n_s = len(p.cohort.score_names)
        raw = np.array([s.scores for s in p.cohort.students], dtype=np.int64).reshape(p.n, n_s)
        self.us = np.zeros((len(p.units), n_s), dtype=np.int64)
        self.usq = np.zeros((len(p.units), n_s), dtype=np.int64)
        for u, members in enumerate(p.units):
            self.us[u] = raw[list(members)].sum(axis=0)
            self.usq[u] = (raw[list(members)] ** 2).sum(axis=0)
        self.sizes = p.sizes.astype(np.int64)
        self.mult = int(np.lcm.reduce(self.sizes)) // self.sizes  # scaled mean = sum · mult, exact
        self.s1 = np.zeros((p.k, n_s), dtype=np.int64)
        self.s2 = np.zeros((p.k, n_s), dtype=np.int64)
        for c in range(p.k):
            in_c = state.slot == c
            self.s1[c], self.s2[c] = self.us[in_c].sum(axis=0), self.usq[in_c].sum(axis=0)
        apart = (p.unit_apart < 0).all(axis=1) if p.unit_apart.shape[1] else True
        self.free = state.movable & apart
        self.ucs = np.ascontiguousarray(np.hstack([state.uc, p.unit_size[:, None]]).astype(np.int64))
        self.ucode = unit_codes(self.ucs, MAX_SET)
        self.tables: dict[tuple[int, int], _Table] = {}
        means, sds = self.means(), self.sds()
        self.subject_cap = int(_ranges(means[:, 1:]).max()) if n_s > 1 else 0
        self.sd_cap = max(float(_ranges(sds).max()), float(SD_GAP))

    def means(self) -> Int64Array:
        out: Int64Array = self.s1 * self.mult[:, None]
        return out

    def sds(self) -> Float64Array:
        n = self.sizes[:, None]
        var = (n * self.s2 - self.s1 * self.s1).astype(np.float64) / (n * n).astype(np.float64)
        out: Float64Array = np.sqrt(np.maximum(var, 0.0))
        return out

    def key(self) -> list[int]:
        """(total gap, classes at its extremes, worst subject gap, classes at the worst subjects' extremes)."""
        m = self.means()
        hi, lo = m.max(axis=0), m.min(axis=0)
        at = (m == hi).sum(axis=0) + (m == lo).sum(axis=0)
        subj = int((hi - lo)[1:].max()) if m.shape[1] > 1 else 0
        sub_ext = int(sum(int(at[j]) for j in range(1, m.shape[1]) if int(hi[j] - lo[j]) == subj))
        return [int(hi[0] - lo[0]), int(at[0]), subj, sub_ext]

    def extremes(self) -> list[int]:
        """Classes at the top and bottom of the total and of the worst subjects, in that order."""
        m = self.means()
        rng = _ranges(m)
        cols = [0] + [j for j in range(1, m.shape[1]) if rng[j] == rng[1:].max()]
        return list(dict.fromkeys(c for j in cols for c in (int(np.argmax(m[:, j])), int(np.argmin(m[:, j])))))

    def table(self, c: int, r_max: int) -> _Table:
        if (c, r_max) not in self.tables:
            self.tables[c, r_max] = _Table(self, c, r_max)
        return self.tables[c, r_max]

    def search(self, a: int, d: int, caps_best: Int64Array, r_max: int) -> list[tuple[int, int]]:
        """The best improving exchange of sets of at most ``r_max`` units between ``a`` and ``d``
        as (unit, class it moves to) pairs; empty if none beats ``caps_best``."""
        ta, td = self.table(a, r_max), self.table(d, r_max)
        if len(ta.code) == 0 or len(td.code) == 0:
            return []
        rest = np.ones(self.p.k, dtype=np.bool_)
        rest[[a, d]] = False
        i, j = exchange_kernel(ta.code, ta.s1, ta.s2, ta.members, td.code, td.s1, td.s2, td.members, td.order,
                               self.ucs, np.ascontiguousarray(self.s1[[a, d]]),
                               np.ascontiguousarray(self.s2[[a, d]]),
                               np.array([self.sizes[a], self.sizes[d], self.mult[a], self.mult[d]], dtype=np.int64),
                               np.ascontiguousarray(self.means()[rest]), np.ascontiguousarray(self.sds()[rest]),
                               caps_best, self.sd_cap)
        if i < 0:
            return []
        return ([(int(u), d) for u in ta.members[i] if u >= 0] + [(int(u), a) for u in td.members[j] if u >= 0])

    def step(self) -> list[tuple[int, int]]:
        """The move of this step (see the module docstring), or an empty list."""
        k = self.p.k
        caps_best = np.array([self.subject_cap, *self.key()], dtype=np.int64)
        move: list[tuple[int, int]] = []
        for a in self.extremes():
            for d in range(k):
                if d != a:
                    move = self.search(a, d, caps_best, 2) or move
        if move:
            return move
        m = self.means()
        rng = _ranges(m)
        worst = [0] + [j for j in range(1, m.shape[1]) if rng[j] == rng[1:].max()]
        tried: set[tuple[int, int]] = set()
        for j in worst:
            pairs = sorted(((a, d) for a in range(k) for d in range(k) if m[a, j] > m[d, j]),
                           key=lambda ad: (-int(m[ad[0], j] - m[ad[1], j]), ad))
            for a, d in [ad for ad in pairs if ad not in tried][:TRIPLE_SEARCHES]:
                tried.add((a, d))
                move = self.search(a, d, caps_best, MAX_SET)
                if move:
                    return move
        return []

    def apply(self, move: list[tuple[int, int]]) -> None:
        """Move each unit to its class; the sets had equal counts and sizes, so every rule still holds."""
        for u, c in move:
            old = int(self.state.slot[u])
            self.s1[old] -= self.us[u]
            self.s2[old] -= self.usq[u]
            self.s1[c] += self.us[u]
            self.s2[c] += self.usq[u]
            for key in [key for key in self.tables if key[0] in (old, c)]:
                del self.tables[key]
        self.state.move_units(move)


def _ranges(m: Int64Array | Float64Array) -> Int64Array | Float64Array:
    out: Int64Array | Float64Array = m.max(axis=0) - m.min(axis=0)
    return out


def polish_total(state: SearchState, max_steps: int) -> tuple[int, bool]:
    """Run the polish on ``state`` (changed in place) for at most ``max_steps`` moves.

    Returns the number of swaps made and whether (total gap, worst subject gap) ended
    lexicographically lower than at the start; the caller keeps the exchange-search result
    otherwise.
    """
    p = state.p
    if p.k < 3 or len(p.cohort.score_names) == 0:
        return 0, False
    polish = Polish(state)
    start = polish.key()
    swaps = 0
    for _ in range(max_steps):
        move = polish.step()
        if not move:
            break
        polish.apply(move)
        swaps += len(move)
    end = polish.key()
    return swaps, (end[0], end[2]) < (start[0], start[2])
