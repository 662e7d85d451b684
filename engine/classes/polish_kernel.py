"""Numba kernels of the polish phase: count-identical set exchanges between two classes.

:func:`subset_table` lists every set of one to three free units of a class with its code
(the sum of the units' codes: equal codes, equal counts and sizes), its score sums and its
squared-score sums. :func:`exchange_kernel` joins the tables of classes ``a`` and ``d``: a
move sends a set out of ``a`` and takes in a set of ``d`` with the same code, so every count
(gender, flags, bands, top/bottom-N) and both sizes end exactly where they were.

Every move is judged by the same key, compared lexicographically and exactly (integer
scaled means): (total gap, classes at the total's extremes, worst subject gap, classes at
the extremes of the worst subjects), with two caps: no subject gap above ``subj_cap`` and
no SD gap above ``sd_cap``. The best move wins; ties go to the first in enumeration order,
so the result is deterministic. All arithmetic on means is exact; SDs are IEEE floats
computed the same way on every machine.
"""

from __future__ import annotations

import numpy as np

from engine.arrays import Float64Array, Int64Array
from engine.compiled import inlined_kernel, kernel

__all__ = ["exchange_kernel", "subset_table"]




@kernel
def _sd(s1: int, s2: int, n: int) -> float:
    var = float(n * s2 - s1 * s1) / float(n * n)
    return float(np.sqrt(max(var, 0.0)))


@kernel
def _rest_extremes(rest_m: Int64Array, rest_sd: Float64Array) -> tuple[Int64Array, Float64Array]:
    """Per column, over the classes other than ``a`` and ``d`` (fixed during one join): the highest
    and lowest scaled mean and how many classes sit at each (rows 0–3), the highest and lowest SD.

    Why: every candidate move changes only ``a`` and ``d``, so a column's extremes after the move
    are the extremes of three numbers (``a``, ``d``, the rest's extreme) and the classes at an
    extreme are ``a``/``d`` plus the rest's count there (when the rest's extreme is the extreme).
    This is exactly what a scan over the rest computes (max/min of integers, and of non-negative,
    non-NaN floats, return one of their arguments whatever the order) in O(1) per column instead
    of O(K) — judging a candidate was ~90 % of the polish.
    """
    n_r, n_s = rest_m.shape
    ext = np.zeros((4, n_s), dtype=np.int64)
    sd = np.empty((2, n_s), dtype=np.float64)
    for j in range(n_s):
        hi, lo = rest_m[0, j], rest_m[0, j]
        sd_hi, sd_lo = rest_sd[0, j], rest_sd[0, j]
        for r in range(n_r):
            hi, lo = max(hi, rest_m[r, j]), min(lo, rest_m[r, j])
            sd_hi, sd_lo = max(sd_hi, rest_sd[r, j]), min(sd_lo, rest_sd[r, j])
        ext[0, j], ext[1, j] = hi, lo
        for r in range(n_r):
            ext[2, j] += rest_m[r, j] == hi
            ext[3, j] += rest_m[r, j] == lo
        sd[0, j], sd[1, j] = sd_hi, sd_lo
    return ext, sd


@inlined_kernel
def _gap_and_ends(ma: int, md: int, ext: Int64Array, j: int) -> tuple[int, int]:
    """Column ``j``'s gap (max − min) with ``a`` at ``ma`` and ``d`` at ``md``, and how many classes
    sit at its top or bottom (a class at both, when all are equal, counts twice)."""
    hi, lo = max(ma, md, ext[0, j]), min(ma, md, ext[1, j])
    ends = (ma == hi) + (ma == lo) + (md == hi) + (md == lo)
    ends += (ext[2, j] if ext[0, j] == hi else 0) + (ext[3, j] if ext[1, j] == lo else 0)
    return hi - lo, ends


@kernel
def _same_counts(ucs: Int64Array, out: Int64Array, into: Int64Array) -> bool:
    # The units leaving and the units entering carry exactly the same counts and sizes.
    for q in range(ucs.shape[1]):
        diff = 0
        for p in range(3):
            if out[p] >= 0:
                diff -= ucs[out[p], q]
            if into[p] >= 0:
                diff += ucs[into[p], q]
        if diff != 0:
            return False
    return True


@inlined_kernel
def _improves(a_s1: Int64Array, a_s2: Int64Array, a_mem: Int64Array, i: int,
              d_s1: Int64Array, d_s2: Int64Array, d_mem: Int64Array, j: int, ucs: Int64Array,
              s1: Int64Array, s2: Int64Array, size_mult: Int64Array, ext: Int64Array, sd_ext: Float64Array,
              caps_best: Int64Array, sd_cap: float) -> bool:
    """Judge the exchange of row ``i`` of ``a``'s table (sums, squared sums, units) for row ``j``
    of ``d``'s; record it if it beats the best.

    The move is taken when both sets carry the same counts (:func:`_same_counts`), no cap
    breaks and its key is lexicographically below the best so far. The conditions are checked
    cheapest first (integer means, then the counts, then the SDs, which need square roots): a
    conjunction, so the order cannot change which move is taken, and nearly every candidate is
    rejected on its integer means.
    """
    n_s = s1.shape[1]
    na, nd, mult_a, mult_d = size_mult[0], size_mult[1], size_mult[2], size_mult[3]
    d = d_s1[j, 0] - a_s1[i, 0]
    key0, key1 = _gap_and_ends((s1[0, 0] + d) * mult_a, (s1[1, 0] - d) * mult_d, ext, 0)
    if key0 > caps_best[1] or (key0 == caps_best[1] and key1 > caps_best[2]):
        return False
    subj = 0
    for q in range(1, n_s):
        d = d_s1[j, q] - a_s1[i, q]
        gap, _ = _gap_and_ends((s1[0, q] + d) * mult_a, (s1[1, q] - d) * mult_d, ext, q)
        if gap > caps_best[0]:
            return False
        subj = max(subj, gap)
    if key0 == caps_best[1] and key1 == caps_best[2] and subj > caps_best[3]:
        return False
    sub_ext = 0
    for q in range(1, n_s):
        d = d_s1[j, q] - a_s1[i, q]
        gap, ends = _gap_and_ends((s1[0, q] + d) * mult_a, (s1[1, q] - d) * mult_d, ext, q)
        if gap == subj:
            sub_ext += ends
    if not (key0, key1, subj, sub_ext) < (caps_best[1], caps_best[2], caps_best[3], caps_best[4]):
        return False
    if not _same_counts(ucs, a_mem[i], d_mem[j]):
        return False
    for q in range(n_s):
        d, d2 = d_s1[j, q] - a_s1[i, q], d_s2[j, q] - a_s2[i, q]
        sa, sb = _sd(s1[0, q] + d, s2[0, q] + d2, na), _sd(s1[1, q] - d, s2[1, q] - d2, nd)
        if max(sa, sb, sd_ext[0, q]) - min(sa, sb, sd_ext[1, q]) > sd_cap:
            return False
    caps_best[1], caps_best[2], caps_best[3], caps_best[4] = key0, key1, subj, sub_ext
    return True


@kernel
def _change_range(s1: Int64Array, size_mult: Int64Array, ext: Int64Array, q: int,
                  gap: int) -> tuple[int, int]:
    """Changes ``D`` of ``a``'s sum in column ``q`` (``d``'s changes by −D) that keep both classes'
    scaled means within ``gap`` of the other classes' extremes: necessary for a gap of at most
    ``gap`` in that column (not sufficient: ``a`` and ``d`` may still be farther apart), so a
    filter whose survivors are judged in full."""
    mult_a, mult_d = size_mult[2], size_mult[3]
    hi_r, lo_r = ext[0, q], ext[1, q]
    low, high = hi_r - gap, lo_r + gap  # every scaled mean must land in [low, high]
    d_lo = max(-(-low // mult_a) - s1[0, q], s1[1, q] - high // mult_d)
    d_hi = min(high // mult_a - s1[0, q], s1[1, q] - (-(-low // mult_d)))
    return d_lo, d_hi


@kernel
def _first_at_least(keys_code: Int64Array, keys_d0: Int64Array, code: int, d0: int) -> int:
    lo, hi = 0, keys_code.shape[0]
    while lo < hi:
        mid = (lo + hi) // 2
        if keys_code[mid] < code or (keys_code[mid] == code and keys_d0[mid] < d0):
            lo = mid + 1
        else:
            hi = mid
    return lo


@kernel
def subset_table(units: Int64Array, r_max: int, us: Int64Array, usq: Int64Array,
                 ucode: Int64Array) -> tuple[Int64Array, Int64Array, Int64Array,
                                                    Int64Array]:
    """Every set of 1 to ``r_max`` of ``units`` (in lexicographic order of positions): its code
    (sum of the units' codes), score sums, squared-score sums and members (-1 padded)."""
    m = units.shape[0]
    count = 0
    for r in range(1, r_max + 1):
        c = 1
        for i in range(r):
            c = c * (m - i) // (i + 1)
        count += c
    n_s = us.shape[1]
    code = np.zeros(count, dtype=np.int64)
    s1 = np.zeros((count, n_s), dtype=np.int64)
    s2 = np.zeros((count, n_s), dtype=np.int64)
    members = np.full((count, 3), -1, dtype=np.int64)
    row = 0
    for i in range(m):
        members[row, 0] = units[i]
        row += 1
    if r_max >= 2:
        for i in range(m):
            for j in range(i + 1, m):
                members[row, 0], members[row, 1] = units[i], units[j]
                row += 1
    if r_max >= 3:
        for i in range(m):
            for j in range(i + 1, m):
                for k in range(j + 1, m):
                    members[row, 0], members[row, 1], members[row, 2] = units[i], units[j], units[k]
                    row += 1
    for row in range(count):
        for p in range(3):
            u = members[row, p]
            if u < 0:
                break
            code[row] += ucode[u]
            for q in range(n_s):
                s1[row, q] += us[u, q]
                s2[row, q] += usq[u, q]
    return code, s1, s2, members


@inlined_kernel
def _within(a_s1: Int64Array, i: int, d_s1: Int64Array, j: int, lo: Int64Array, hi: Int64Array) -> bool:
    """Whether the change of ``a``'s sums (row ``j`` of ``d`` in, row ``i`` of ``a`` out) lies in
    ``[lo, hi]`` for every subject (columns 1…)."""
    for q in range(1, lo.shape[0]):
        change = d_s1[j, q] - a_s1[i, q]
        if change < lo[q] or change > hi[q]:
            return False
    return True


@kernel
def exchange_kernel(a_code: Int64Array, a_s1: Int64Array, a_s2: Int64Array,
                    a_mem: Int64Array, d_code: Int64Array, d_s1: Int64Array,
                    d_s2: Int64Array, d_mem: Int64Array, d_order: Int64Array,
                    ucs: Int64Array, s1: Int64Array, s2: Int64Array,
                    size_mult: Int64Array, rest_m: Int64Array, rest_sd: Float64Array,
                    caps_best: Int64Array, sd_cap: float) -> tuple[int, int]:
    """Best exchange of a set of ``a``'s units (a row of ``a``'s table) for a set of ``d``'s.

    Meet in the middle: ``d_order`` sorts ``d``'s table by (code, total), so for each set
    out of ``a`` the sets of ``d`` with the same code (the same counts and sizes) and a total
    that keeps the total gap within the best so far are found by binary search. Equal codes
    are confirmed count by count (:func:`_same_counts`), so a code that is a hash is safe.
    Candidates are filtered by necessary conditions (:func:`_change_range`, :func:`_within`)
    and judged in full by :func:`_improves`: the filters only skip moves that cannot win, so
    the move found is the one a full judgement of every candidate finds (first best in the
    same enumeration order). Returns the winning rows (-1 when no exchange beats ``caps_best``).
    """
    n_d = d_order.shape[0]
    keys_code = d_code[d_order]
    keys_t = d_s1[d_order, 0].copy()
    # d's rows gathered in sorted order: the scan below reads them one after the other.
    sorted_s1, sorted_s2, sorted_mem = d_s1[d_order], d_s2[d_order], d_mem[d_order]
    win_a, win_d = -1, -1
    ext, sd_ext = _rest_extremes(rest_m, rest_sd)
    d_lo, d_hi = _change_range(s1, size_mult, ext, 0, caps_best[1])
    # The subject cap is fixed during a join: a pair of sets whose change in a subject lies outside
    # that subject's range breaks the cap (99.7 % of the candidates at 1,200 × 24), rejected in
    # two comparisons per subject.
    n_s = s1.shape[1]
    sub_lo, sub_hi = np.zeros(n_s, dtype=np.int64), np.zeros(n_s, dtype=np.int64)
    for q in range(1, n_s):
        sub_lo[q], sub_hi[q] = _change_range(s1, size_mult, ext, q, caps_best[0])
    for i in range(a_code.shape[0]):
        t = a_s1[i, 0]
        pos = _first_at_least(keys_code, keys_t, a_code[i], t + d_lo)
        while pos < n_d and keys_code[pos] == a_code[i] and keys_t[pos] <= t + d_hi:
            if (_within(a_s1, i, sorted_s1, pos, sub_lo, sub_hi)
                    and _improves(a_s1, a_s2, a_mem, i, sorted_s1, sorted_s2, sorted_mem, pos, ucs,
                                  s1, s2, size_mult, ext, sd_ext, caps_best, sd_cap)):
                win_a, win_d = i, d_order[pos]
                d_lo, d_hi = _change_range(s1, size_mult, ext, 0, caps_best[1])
            pos += 1
    return win_a, win_d
