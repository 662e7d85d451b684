"""Numba kernel: objective change of every swap between two classes.

It computes exactly what the tests' numpy reference (``tests/engine/classes/reference_swap.py``) computes,
with the same float operations in the same order (no fastmath, no parallel reductions),
so the two agree bit for bit. Count, violation and apart terms are exact integers.
"""

from __future__ import annotations

import numpy as np

from engine.arrays import Float64Array, Int64Array
from engine.compiled import kernel

__all__ = ["swap_scores_kernel"]




@kernel
def _apart_ok(ap: Int64Array, mover: int, leaver: int, present: Int64Array) -> bool:
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


@kernel
def swap_scores_kernel(pu: Int64Array, qu: Int64Array, uf: Float64Array,
                       uc: Int64Array, ap: Int64Array, apart_c: Int64Array,
                       apart_d: Int64Array, scale: Float64Array, lin: Float64Array,
                       coef: Int64Array, n: int, wn: float, big: float,
                       cnt_c: Int64Array, cnt_d: Int64Array, lo_c: Int64Array,
                       hi_c: Int64Array, lo_d: Int64Array, hi_d: Int64Array,
                       out: Float64Array) -> None:
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
