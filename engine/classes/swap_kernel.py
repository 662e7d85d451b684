"""Numba kernel: objective change of every swap between two classes.

It computes exactly what :meth:`engine.classes.search._State.swap_scores_numpy` computes,
with the same float operations in the same order (no fastmath, no parallel reductions),
so the two agree bit for bit. Count, violation and apart terms are exact integers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = ["swap_scores_kernel"]

F = TypeVar("F", bound=Callable[..., Any])


def _jit(fn: F) -> F:
    # numba is untyped; the cast keeps mypy --strict honest about our own signatures.
    return cast(F, numba.njit(cache=True, nogil=True)(fn))


@_jit
def _apart_ok(ap: NDArray[np.int64], mover: int, leaver: int, present: NDArray[np.int64]) -> bool:
    # Unit ``mover`` may enter the class whose apart counts are ``present`` while ``leaver`` leaves it.
    width = ap.shape[1]
    for a in range(width):
        g = ap[mover, a]
        if g < 0:
            continue
        leaving = 0
        for b in range(width):
            if ap[leaver, b] == g:
                leaving += 1
        if present[g] - leaving != 0:
            return False
    return True


@_jit
def swap_scores_kernel(pu: NDArray[np.int64], qu: NDArray[np.int64], uf: NDArray[np.float64],
                       uc: NDArray[np.int64], ap: NDArray[np.int64], apart_c: NDArray[np.int64],
                       apart_d: NDArray[np.int64], scale: NDArray[np.float64], lin: NDArray[np.float64],
                       coef: NDArray[np.int64], n: int, wn: float, big: float,
                       cnt_c: NDArray[np.int64], cnt_d: NDArray[np.int64], lo_c: NDArray[np.int64],
                       hi_c: NDArray[np.int64], lo_d: NDArray[np.int64], hi_d: NDArray[np.int64],
                       out: NDArray[np.float64]) -> None:
    """Fill ``out[i, j]`` with the change of swapping ``pu[i]`` (class c) and ``qu[j]`` (class d); inf if forbidden."""
    n_p, n_q = pu.shape[0], qu.shape[0]
    n_f, n_d = uf.shape[1], uc.shape[1]
    lin_p = np.zeros(n_p)
    lin_q = np.zeros(n_q)
    for f in range(n_f):
        for i in range(n_p):
            lin_p[i] += uf[pu[i], f] * lin[f]
        for j in range(n_q):
            lin_q[j] += uf[qu[j], f] * lin[f]
    before = 0
    for k in range(n_d):
        before += (max(cnt_c[k] - hi_c[k], 0) + max(lo_c[k] - cnt_c[k], 0)
                   + max(cnt_d[k] - hi_d[k], 0) + max(lo_d[k] - cnt_d[k], 0))
    nn2 = 2 * n * n
    for i in range(n_p):
        u = pu[i]
        for j in range(n_q):
            v = qu[j]
            if ap.shape[1] and not (_apart_ok(ap, u, v, apart_d) and _apart_ok(ap, v, u, apart_c)):
                out[i, j] = np.inf
                continue
            after = 0
            pen = 0
            for k in range(n_d):
                step = uc[v, k] - uc[u, k]
                new_c, new_d = cnt_c[k] + step, cnt_d[k] - step
                after += (max(new_c - hi_c[k], 0) + max(lo_c[k] - new_c, 0)
                          + max(new_d - hi_d[k], 0) + max(lo_d[k] - new_d, 0))
                pen += step * coef[k] + nn2 * step * step
            viol = after - before
            if viol > 0:
                out[i, j] = np.inf
                continue
            acc = 0.0
            for f in range(n_f):
                t = uf[v, f] * scale[f] - uf[u, f] * scale[f]
                acc += t * t
            acc += lin_q[j] - lin_p[i]
            acc += float(pen) * wn
            out[i, j] = acc + big * float(viol)


@_jit
def _sd(s1: int, s2: int, n: int) -> float:
    var = float(n * s2 - s1 * s1) / float(n * n)
    return float(np.sqrt(max(var, 0.0)))


@_jit
def polish_kernel(su: NDArray[np.int64], sv: NDArray[np.int64], step1: NDArray[np.int64],
                  step2: NDArray[np.int64], s1a: NDArray[np.int64], s1d: NDArray[np.int64],
                  s2a: NDArray[np.int64], s2d: NDArray[np.int64], na: int, nd: int, mult_a: int, mult_d: int,
                  rest_m: NDArray[np.int64], rest_sd: NDArray[np.float64], subj_cap: int, sd_cap: float,
                  single: NDArray[np.int64], order: NDArray[np.int64], part_lo: NDArray[np.int64],
                  part_hi: NDArray[np.int64], best: NDArray[np.int64]) -> tuple[int, int]:
    """Best single swap or pair of disjoint swaps between an extreme class ``a`` and class ``d``.

    Candidate ``t`` swaps unit ``su[t]`` (in a) with ``sv[t]`` (in d) and moves the score sums
    of ``a`` by ``step1[t]`` (squares: ``step2[t]``). ``rest_m`` holds the other classes' scaled
    means (classes × scores, exact integers), ``rest_sd`` their SDs. The key (total gap, classes
    at the total extremes, worst subject gap, classes at the extremes of the worst subjects) is
    compared lexicographically against ``best`` (updated in place). Returns the winning
    candidates (-1 when none; second -1 for a single swap). A single swap must leave every
    count unchanged (``single[t] = 1``); a pair must have opposite count changes (the partners
    of ``t`` are ``order[part_lo[t]:part_hi[t]]``), so every count ends where it was. Ties go
    to the first in (t1, t2) order, the single first.
    """
    n_t, n_s = step1.shape[0], step1.shape[1]
    n_r = rest_m.shape[0]
    r_hi = np.empty(n_s, dtype=np.int64)
    r_lo = np.empty(n_s, dtype=np.int64)
    sd_hi = np.empty(n_s)
    sd_lo = np.empty(n_s)
    for j in range(n_s):
        r_hi[j], r_lo[j] = -(1 << 62), 1 << 62
        sd_hi[j], sd_lo[j] = -np.inf, np.inf
        for r in range(n_r):
            r_hi[j] = max(r_hi[j], rest_m[r, j])
            r_lo[j] = min(r_lo[j], rest_m[r, j])
            sd_hi[j] = max(sd_hi[j], rest_sd[r, j])
            sd_lo[j] = min(sd_lo[j], rest_sd[r, j])
    w1, w2 = -1, -1
    mj_a = np.empty(n_s, dtype=np.int64)
    mj_d = np.empty(n_s, dtype=np.int64)
    for t1 in range(n_t):
        for pos in range(part_lo[t1] - 1, part_hi[t1]):
            if pos < part_lo[t1]:
                if single[t1] == 0:
                    continue
                t2 = t1
            else:
                t2 = order[pos]
                if t2 <= t1 or su[t2] == su[t1] or sv[t2] == sv[t1]:
                    continue
            # Total first (cheap reject).
            d1 = step1[t1, 0] + (step1[t2, 0] if t2 != t1 else 0)
            ma, md = (s1a[0] + d1) * mult_a, (s1d[0] - d1) * mult_d
            hi, lo = max(r_hi[0], max(ma, md)), min(r_lo[0], min(ma, md))
            if hi - lo > best[0]:
                continue
            ext = 0
            for r in range(n_r):
                ext += (rest_m[r, 0] == hi) + (rest_m[r, 0] == lo)
            ext += (ma == hi) + (ma == lo) + (md == hi) + (md == lo)
            subj = 0
            ok = True
            for j in range(n_s):
                a1 = s1a[j] + step1[t1, j] + (step1[t2, j] if t2 != t1 else 0)
                a2 = s2a[j] + step2[t1, j] + (step2[t2, j] if t2 != t1 else 0)
                b1 = s1d[j] - (a1 - s1a[j])
                b2 = s2d[j] - (a2 - s2a[j])
                mj_a[j], mj_d[j] = a1 * mult_a, b1 * mult_d
                if j > 0:
                    g = max(r_hi[j], max(mj_a[j], mj_d[j])) - min(r_lo[j], min(mj_a[j], mj_d[j]))
                    if g > subj_cap:
                        ok = False
                        break
                    subj = max(subj, g)
                sa, sd = _sd(a1, a2, na), _sd(b1, b2, nd)
                if max(sd_hi[j], max(sa, sd)) - min(sd_lo[j], min(sa, sd)) > sd_cap:
                    ok = False
                    break
            if not ok:
                continue
            key0, key1 = hi - lo, ext
            if key0 == best[0] and key1 == best[1] and subj > best[2]:
                continue
            sub_ext = 0
            for j in range(1, n_s):
                hj = max(r_hi[j], max(mj_a[j], mj_d[j]))
                lj = min(r_lo[j], min(mj_a[j], mj_d[j]))
                if hj - lj != subj:
                    continue
                for r in range(n_r):
                    sub_ext += (rest_m[r, j] == hj) + (rest_m[r, j] == lj)
                sub_ext += (mj_a[j] == hj) + (mj_a[j] == lj) + (mj_d[j] == hj) + (mj_d[j] == lj)
            key = (key0, key1, subj, sub_ext)
            if key < (best[0], best[1], best[2], best[3]):
                best[0], best[1], best[2], best[3] = key
                w1, w2 = t1, (t2 if t2 != t1 else -1)
    return w1, w2
