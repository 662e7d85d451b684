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
from engine.compiled import kernel

__all__ = ["exchange_kernel", "subset_table"]




@kernel
def _sd(s1: int, s2: int, n: int) -> float:
    var = float(n * s2 - s1 * s1) / float(n * n)
    return float(np.sqrt(max(var, 0.0)))


@kernel
def _improves(d1: Int64Array, d2: Int64Array, s1: Int64Array, s2: Int64Array,
              size_mult: Int64Array, rest_m: Int64Array, rest_sd: Float64Array,
              caps_best: Int64Array, sd_cap: float) -> bool:
    """Judge the move that changes ``a``'s sums by ``d1`` (squares ``d2``); record it if it beats the best."""
    n_s, n_r = s1.shape[1], rest_m.shape[0]
    na, nd, mult_a, mult_d = size_mult[0], size_mult[1], size_mult[2], size_mult[3]
    subj_cap = caps_best[0]
    ma, md = (s1[0, 0] + d1[0]) * mult_a, (s1[1, 0] - d1[0]) * mult_d
    hi, lo = max(ma, md), min(ma, md)
    for r in range(n_r):
        hi, lo = max(hi, rest_m[r, 0]), min(lo, rest_m[r, 0])
    if hi - lo > caps_best[1]:
        return False
    ext = (ma == hi) + (ma == lo) + (md == hi) + (md == lo)
    for r in range(n_r):
        ext += (rest_m[r, 0] == hi) + (rest_m[r, 0] == lo)
    if hi - lo == caps_best[1] and ext > caps_best[2]:
        return False
    subj = 0
    for j in range(n_s):
        a1, b1 = s1[0, j] + d1[j], s1[1, j] - d1[j]
        sa, sb = _sd(a1, s2[0, j] + d2[j], na), _sd(b1, s2[1, j] - d2[j], nd)
        sd_hi, sd_lo = max(sa, sb), min(sa, sb)
        for r in range(n_r):
            sd_hi, sd_lo = max(sd_hi, rest_sd[r, j]), min(sd_lo, rest_sd[r, j])
        if sd_hi - sd_lo > sd_cap:
            return False
        if j > 0:
            mj_a, mj_d = a1 * mult_a, b1 * mult_d
            hj, lj = max(mj_a, mj_d), min(mj_a, mj_d)
            for r in range(n_r):
                hj, lj = max(hj, rest_m[r, j]), min(lj, rest_m[r, j])
            if hj - lj > subj_cap:
                return False
            subj = max(subj, hj - lj)
    key0, key1 = hi - lo, ext
    if key0 == caps_best[1] and key1 == caps_best[2] and subj > caps_best[3]:
        return False
    sub_ext = 0
    for j in range(1, n_s):
        mj_a, mj_d = (s1[0, j] + d1[j]) * mult_a, (s1[1, j] - d1[j]) * mult_d
        hj, lj = max(mj_a, mj_d), min(mj_a, mj_d)
        for r in range(n_r):
            hj, lj = max(hj, rest_m[r, j]), min(lj, rest_m[r, j])
        if hj - lj != subj:
            continue
        sub_ext += (mj_a == hj) + (mj_a == lj) + (mj_d == hj) + (mj_d == lj)
        for r in range(n_r):
            sub_ext += (rest_m[r, j] == hj) + (rest_m[r, j] == lj)
    if (key0, key1, subj, sub_ext) < (caps_best[1], caps_best[2], caps_best[3], caps_best[4]):
        caps_best[1], caps_best[2], caps_best[3], caps_best[4] = key0, key1, subj, sub_ext
        return True
    return False


@kernel
def _total_change_range(s1: Int64Array, size_mult: Int64Array, rest_m: Int64Array,
                        gap: int) -> tuple[int, int]:
    """Changes ``D`` of ``a``'s total sum that keep the total gap at most ``gap``."""
    mult_a, mult_d = size_mult[2], size_mult[3]
    hi_r, lo_r = rest_m[0, 0], rest_m[0, 0]
    for r in range(rest_m.shape[0]):
        hi_r, lo_r = max(hi_r, rest_m[r, 0]), min(lo_r, rest_m[r, 0])
    low, high = hi_r - gap, lo_r + gap  # every scaled mean must land in [low, high]
    d_lo = max(-(-low // mult_a) - s1[0, 0], s1[1, 0] - high // mult_d)
    d_hi = min(high // mult_a - s1[0, 0], s1[1, 0] - (-(-low // mult_d)))
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
    Returns the winning rows (-1 when no exchange beats ``caps_best``).
    """
    n_d, n_s = d_order.shape[0], s1.shape[1]
    keys_code = d_code[d_order]
    keys_t = d_s1[d_order, 0].copy()
    d1 = np.empty(n_s, dtype=np.int64)
    d2 = np.empty(n_s, dtype=np.int64)
    win_a, win_d = -1, -1
    d_lo, d_hi = _total_change_range(s1, size_mult, rest_m, caps_best[1])
    for i in range(a_code.shape[0]):
        t = a_s1[i, 0]
        pos = _first_at_least(keys_code, keys_t, a_code[i], t + d_lo)
        while pos < n_d and keys_code[pos] == a_code[i] and keys_t[pos] <= t + d_hi:
            j = d_order[pos]
            pos += 1
            if not _same_counts(ucs, a_mem[i], d_mem[j]):
                continue
            for q in range(n_s):
                d1[q] = d_s1[j, q] - a_s1[i, q]
                d2[q] = d_s2[j, q] - a_s2[i, q]
            if _improves(d1, d2, s1, s2, size_mult, rest_m, rest_sd, caps_best, sd_cap):
                win_a, win_d = i, j
                d_lo, d_hi = _total_change_range(s1, size_mult, rest_m, caps_best[1])
    return win_a, win_d
