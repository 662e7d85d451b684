"""Numpy reference of the swap kernel (test-only code: it used to ship in the package as
``_State.swap_scores_numpy``). It does the same float operations in the same order as
:func:`engine.classes.swap_kernel.swap_scores_kernel`, so the two must agree bit for bit."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from engine.classes.state import BIG, W_COUNT, SearchState

__all__ = ["swap_scores_numpy"]


def violation_change(state: SearchState, c: int, d: int, pm: NDArray[np.int64], qm: NDArray[np.int64]
                     ) -> NDArray[np.int64]:
    """Change of the total count-bound violation per candidate swap.

    Only dimensions where ``c`` or ``d`` lacks the slack to absorb any swap are
    examined; elsewhere no swap can change the violation.
    """
    lo_c, hi_c, lo_d, hi_d = state.lo[c], state.hi[c], state.lo[d], state.hi[d]
    cc, cd = state.cnt[c], state.cnt[d]
    lo_step = np.maximum(lo_c - cc, cd - hi_d)
    hi_step = np.minimum(hi_c - cc, cd - lo_d)
    reach = int(max(pm.max(initial=0), qm.max(initial=0)))
    tight = np.flatnonzero((lo_step > -reach) | (hi_step < reach))
    if len(tight) and (lo_step[tight] <= 0).all() and (hi_step[tight] >= 0).all():
        # Both classes within bounds: a swap can only create a violation, so 1 marks "forbidden".
        if reach == 1:
            # 0/1 memberships: dimension k breaks iff (P_k=1, Q_k=0, lo_step_k = 0) or
            # (P_k=0, Q_k=1, hi_step_k = 0). Counting these with exact integer products:
            a = (lo_step >= 0).astype(np.int64)
            b = (hi_step <= 0).astype(np.int64)
            broken = (pm @ a)[:, None] + (qm @ b)[None, :] - (pm * (a + b)) @ qm.T
            forbidden: NDArray[np.int64] = (broken > 0).astype(np.int64)
            return forbidden
        step3 = qm[None, :, tight] - pm[:, None, tight]
        bad: NDArray[np.int64] = ((step3 < lo_step[tight]) | (step3 > hi_step[tight])).any(axis=2).astype(np.int64)
        return bad
    out = np.zeros((len(pm), len(qm)), dtype=np.int64)
    for k in tight:
        step = qm[:, k][None, :] - pm[:, k][:, None]
        new_c, new_d = cc[k] + step, cd[k] - step
        after = (np.maximum(new_c - hi_c[k], 0) + np.maximum(lo_c[k] - new_c, 0)
                 + np.maximum(new_d - hi_d[k], 0) + np.maximum(lo_d[k] - new_d, 0))
        before = (max(cc[k] - hi_c[k], 0) + max(lo_c[k] - cc[k], 0)
                  + max(cd[k] - hi_d[k], 0) + max(lo_d[k] - cd[k], 0))
        out += after - int(before)
    return out


def apart_ok(state: SearchState, movers: NDArray[np.int64], leavers: NDArray[np.int64], dest: int) -> NDArray[np.bool_]:
    """``ok[i, j]``: unit movers[i] may enter ``dest`` while leavers[j] leaves it."""
    ap = state.p.unit_apart
    ok = np.ones((len(movers), len(leavers)), dtype=np.bool_)
    for col in range(ap.shape[1]):
        g = ap[movers, col]
        has = g >= 0
        if not has.any():
            continue
        present = np.where(has, state.apart[dest, np.maximum(g, 0)], 0)
        leaving = np.zeros((len(movers), len(leavers)), dtype=np.int64)
        for col2 in range(ap.shape[1]):
            leaving += (ap[leavers, col2][None, :] == g[:, None]) & has[:, None]
        ok &= (present[:, None] - leaving) == 0
    return ok


def swap_scores_numpy(state: SearchState, c: int, d: int, size: int
                      ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Reference of :meth:`SearchState.swap_scores` in vectorised numpy: the kernel must agree bit for bit."""
    p = state.p
    pu, qu = state.candidates(c, d, size)
    if len(pu) == 0 or len(qu) == 0:
        return pu, qu, np.zeros((0, 0))
    ic, id_ = float(state.inv_sq[c]), float(state.inv_sq[d])
    quad = ic + id_
    # w·[((a+δ)² − a²)/n_c² + ((b−δ)² − b²)/n_d²] = (sδ)² + w·lin·δ with s = √(w·quad),
    # lin = 2(a/n_c² − b/n_d²); the linear part separates into a row term and a column term.
    fp, fq = state.uf[pu], state.uf[qu]
    lin_p = np.zeros(len(pu), dtype=np.float64)
    lin_q = np.zeros(len(qu), dtype=np.float64)
    delta = np.zeros((len(pu), len(qu)), dtype=np.float64)
    for j in range(state.uf.shape[1]):
        w = float(p.feature_weights[j])
        scale = math.sqrt(w * quad)
        step = (fq[:, j] * scale)[None, :] - (fp[:, j] * scale)[:, None]
        step *= step
        delta += step
        lin = w * 2.0 * (float(state.dev[c, j]) * ic - float(state.dev[d, j]) * id_)
        lin_p += fp[:, j] * lin
        lin_q += fq[:, j] * lin
    delta += lin_q[None, :] - lin_p[:, None]
    # Count terms in exact integers: with e = n·count − total·size (n times the distance
    # from the share) a swap changes Σ_d e² by Σ_d 2n·δ_d·(e_c − e_d) + 2n²·δ_d², δ = Q − P.
    n = p.n
    pm, qm = state.uc[pu], state.uc[qu]
    viol = violation_change(state, c, d, pm, qm)
    coef = 2 * n * (state.excess_row(c) - state.excess_row(d))
    pen = (qm @ coef)[None, :] - (pm @ coef)[:, None]
    sq_p, sq_q = (pm * pm).sum(axis=1), (qm * qm).sum(axis=1)
    pen += 2 * n * n * (sq_q[None, :] + sq_p[:, None] - 2 * (pm @ qm.T))
    delta += pen.astype(np.float64) * (W_COUNT / float(n * n))
    score = delta + BIG * viol
    allowed = viol <= 0
    if p.unit_apart.shape[1]:
        allowed &= apart_ok(state, pu, qu, d) & apart_ok(state, qu, pu, c).T
    out: NDArray[np.float64] = np.where(allowed, score, np.inf)
    return pu, qu, out

