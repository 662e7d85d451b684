"""Deterministic exchange search: swap equal-sized units between two classes.

Objective (minimised), per slot ``c`` with size ``n_c``:

* ``Σ_f w_f · (dev_cf / n_c)²`` where ``dev_cf`` is the slot's sum of standardised
  feature ``f`` minus ``n_c`` times the cohort mean. Features are each score's ``z``
  (class means) and ``z²`` (class spread — the k-plus idea of Papenberg 2024), so
  balancing means never lets SDs drift apart;
* ``w_count · Σ_d (count_cd − share_cd)²`` for every counted attribute (boys, flags,
  rank bands), which pulls counts to ⌊share⌋/⌈share⌉;
* hard count bounds (``|count − share| ≤ 1``) enter as a violation total that a move
  may never increase and that dominates the objective while positive.

Every move keeps sizes, together groups, presets and apart groups intact. The search
visits slot pairs in a fixed order and applies the best improving swap (first on ties,
numpy ``argmin``). It stops after a pass without improvement or after ``max_passes``
passes: a deterministic work limit, never the clock. All float arithmetic is element-wise
in a fixed order, so the result is bit-identical across processes. (Pairs of swaps out of
each class pair's best singles were tried here until v2; the polish below does better in
less time, so they went.)

Swap scoring runs in a numba kernel (:mod:`engine.classes.swap_kernel`, no fastmath, no
parallel reductions) that performs the numpy reference's float operations in the same
order; :meth:`_State.swap_scores_numpy` stays as that reference and tests compare the two
bit for bit.

A final phase (:func:`~engine.classes.polish.polish_total`) then works on the metric that is
published rather than on squares: the max−min gap of the class means of the total, then of
the worst subject, in exact integer hundredths, exchanging count-identical sets of up to
three units between two classes. Its result is kept only if (total gap, worst subject gap)
ends lower than the exchange search left it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from engine.classes.polish import polish_total
from engine.classes.problem import Problem
from engine.classes.swap_kernel import swap_scores_kernel

__all__ = ["SearchStats", "improve"]

W_COUNT = 1.0
BIG = 1.0e6
SWAPS_PER_VISIT = 2
POLISH_STEPS_PER_CLASS = 10


@dataclass(frozen=True)
class SearchStats:
    passes: int
    swaps: int
    evaluations: int
    objective: float
    violations: int


class _State:
    def __init__(self, p: Problem, slot: NDArray[np.int64]) -> None:
        self.p = p
        self.slot = slot.copy()
        n_units = len(p.units)
        f = p.features.shape[1]
        self.uf = np.zeros((n_units, f), dtype=np.float64)
        self.uc = np.zeros((n_units, len(p.counts)), dtype=np.int64)
        for u, members in enumerate(p.units):
            for j in range(f):
                self.uf[u, j] = math.fsum(float(p.features[m, j]) for m in members)
            for d, rule in enumerate(p.counts):
                self.uc[u, d] = int(rule.member[list(members)].sum())
        means = [math.fsum(p.features[:, j].tolist()) / max(p.n, 1) for j in range(f)]
        self.dev = np.zeros((p.k, f), dtype=np.float64)
        for c in range(p.k):
            in_c = np.flatnonzero(self.slot == c)
            for j in range(f):
                self.dev[c, j] = math.fsum(self.uf[in_c, j].tolist()) - float(p.sizes[c]) * means[j]
        self.cnt = np.zeros((p.k, len(p.counts)), dtype=np.int64)
        for c in range(p.k):
            self.cnt[c] = self.uc[self.slot == c].sum(axis=0)
        self.lo = np.stack([r.lo for r in p.counts], axis=1) if p.counts else np.zeros((p.k, 0), np.int64)
        self.hi = np.stack([r.hi for r in p.counts], axis=1) if p.counts else np.zeros((p.k, 0), np.int64)
        self.share = np.stack([r.share for r in p.counts], axis=1) if p.counts else np.zeros((p.k, 0))
        totals = np.array([int(r.member.sum()) for r in p.counts], dtype=np.int64)
        self.tshare = p.sizes[:, None] * totals[None, :]  # n · share, exact
        self.apart = np.zeros((p.k, len(p.apart_names)), dtype=np.int64)
        for u in range(n_units):
            for g in p.unit_apart[u]:
                if g >= 0:
                    self.apart[self.slot[u], g] += 1
        self.inv_sq = 1.0 / (p.sizes.astype(np.float64) ** 2)
        self.movable = p.unit_fixed < 0
        self.unit_apart2 = np.ascontiguousarray(p.unit_apart, dtype=np.int64)
        if self.unit_apart2.shape[1] == 0 or len(p.apart_names) == 0:
            self.unit_apart2 = np.zeros((n_units, 0), dtype=np.int64)

    def excess_row(self, c: int) -> NDArray[np.int64]:
        row: NDArray[np.int64] = self.p.n * self.cnt[c] - self.tshare[c]
        return row

    @property
    def violated(self) -> bool:
        return bool((self.cnt > self.hi).any() or (self.cnt < self.lo).any())

    def _violation_change(self, c: int, d: int, pm: NDArray[np.int64], qm: NDArray[np.int64]) -> NDArray[np.int64]:
        """Change of the total count-bound violation per candidate swap.

        Only dimensions where ``c`` or ``d`` lacks the slack to absorb any swap are
        examined; elsewhere no swap can change the violation.
        """
        lo_c, hi_c, lo_d, hi_d = self.lo[c], self.hi[c], self.lo[d], self.hi[d]
        cc, cd = self.cnt[c], self.cnt[d]
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

    def objective(self) -> float:
        p = self.p
        total = 0.0
        for c in range(p.k):
            for j in range(self.dev.shape[1]):
                total += float(p.feature_weights[j]) * float(self.dev[c, j]) ** 2 * float(self.inv_sq[c])
            for d in range(self.cnt.shape[1]):
                total += W_COUNT * (float(self.cnt[c, d]) - float(self.share[c, d])) ** 2
        return total

    def violations(self) -> int:
        return int(np.maximum(self.cnt - self.hi, 0).sum() + np.maximum(self.lo - self.cnt, 0).sum())

    def _apart_ok(self, movers: NDArray[np.int64], leavers: NDArray[np.int64], dest: int) -> NDArray[np.bool_]:
        """``ok[i, j]``: unit movers[i] may enter ``dest`` while leavers[j] leaves it."""
        ap = self.p.unit_apart
        ok = np.ones((len(movers), len(leavers)), dtype=np.bool_)
        for col in range(ap.shape[1]):
            g = ap[movers, col]
            has = g >= 0
            if not has.any():
                continue
            present = np.where(has, self.apart[dest, np.maximum(g, 0)], 0)
            leaving = np.zeros((len(movers), len(leavers)), dtype=np.int64)
            for col2 in range(ap.shape[1]):
                leaving += (ap[leavers, col2][None, :] == g[:, None]) & has[:, None]
            ok &= (present[:, None] - leaving) == 0
        return ok

    def best_swap(self, c: int, d: int, size: int) -> tuple[float, int, int]:
        pu, qu, score = self.swap_scores(c, d, size)
        if score.size == 0:
            return 0.0, -1, -1
        flat = int(np.argmin(score))
        i, j = divmod(flat, len(qu))
        return float(score[i, j]), int(pu[i]), int(qu[j])

    def _candidates(self, c: int, d: int, size: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        ok = self.movable & (self.p.unit_size == size)
        return np.flatnonzero((self.slot == c) & ok), np.flatnonzero((self.slot == d) & ok)

    def swap_scores(self, c: int, d: int, size: int
                    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        """Objective change of every allowed swap between ``c`` and ``d`` (``inf`` where forbidden).

        Runs the numba kernel; bit-identical to :meth:`swap_scores_numpy` (tests cross-check).
        """
        p = self.p
        pu, qu = self._candidates(c, d, size)
        out = np.empty((len(pu), len(qu)), dtype=np.float64)
        if len(pu) == 0 or len(qu) == 0:
            return pu, qu, np.zeros((0, 0))
        ic, id_ = float(self.inv_sq[c]), float(self.inv_sq[d])
        quad = ic + id_
        n_f = self.uf.shape[1]
        scale = np.empty(n_f, dtype=np.float64)
        lin = np.empty(n_f, dtype=np.float64)
        for j in range(n_f):
            w = float(p.feature_weights[j])
            scale[j] = math.sqrt(w * quad)
            lin[j] = w * 2.0 * (float(self.dev[c, j]) * ic - float(self.dev[d, j]) * id_)
        n = p.n
        coef = 2 * n * (self.excess_row(c) - self.excess_row(d))
        swap_scores_kernel(pu, qu, self.uf, self.uc, self.unit_apart2, self.apart[c], self.apart[d], scale, lin,
                           coef, n, W_COUNT / float(n * n), BIG, self.cnt[c], self.cnt[d], self.lo[c], self.hi[c],
                           self.lo[d], self.hi[d], out)
        return pu, qu, out

    def swap_scores_numpy(self, c: int, d: int, size: int
                          ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        """Reference implementation of :meth:`swap_scores` in vectorised numpy (used by tests)."""
        p = self.p
        pu, qu = self._candidates(c, d, size)
        if len(pu) == 0 or len(qu) == 0:
            return pu, qu, np.zeros((0, 0))
        ic, id_ = float(self.inv_sq[c]), float(self.inv_sq[d])
        quad = ic + id_
        # w·[((a+δ)² − a²)/n_c² + ((b−δ)² − b²)/n_d²] = (sδ)² + w·lin·δ with s = √(w·quad),
        # lin = 2(a/n_c² − b/n_d²); the linear part separates into a row term and a column term.
        fp, fq = self.uf[pu], self.uf[qu]
        lin_p = np.zeros(len(pu), dtype=np.float64)
        lin_q = np.zeros(len(qu), dtype=np.float64)
        delta = np.zeros((len(pu), len(qu)), dtype=np.float64)
        for j in range(self.uf.shape[1]):
            w = float(p.feature_weights[j])
            scale = math.sqrt(w * quad)
            step = (fq[:, j] * scale)[None, :] - (fp[:, j] * scale)[:, None]
            step *= step
            delta += step
            lin = w * 2.0 * (float(self.dev[c, j]) * ic - float(self.dev[d, j]) * id_)
            lin_p += fp[:, j] * lin
            lin_q += fq[:, j] * lin
        delta += lin_q[None, :] - lin_p[:, None]
        # Count terms in exact integers: with e = n·count − total·size (n times the distance
        # from the share) a swap changes Σ_d e² by Σ_d 2n·δ_d·(e_c − e_d) + 2n²·δ_d², δ = Q − P.
        n = p.n
        pm, qm = self.uc[pu], self.uc[qu]
        viol = self._violation_change(c, d, pm, qm)
        coef = 2 * n * (self.excess_row(c) - self.excess_row(d))
        pen = (qm @ coef)[None, :] - (pm @ coef)[:, None]
        sq_p, sq_q = (pm * pm).sum(axis=1), (qm * qm).sum(axis=1)
        pen += 2 * n * n * (sq_q[None, :] + sq_p[:, None] - 2 * (pm @ qm.T))
        delta += pen.astype(np.float64) * (W_COUNT / float(n * n))
        score = delta + BIG * viol
        allowed = viol <= 0
        if p.unit_apart.shape[1]:
            allowed &= self._apart_ok(pu, qu, d) & self._apart_ok(qu, pu, c).T
        out: NDArray[np.float64] = np.where(allowed, score, np.inf)
        return pu, qu, out

    def apply(self, u: int, v: int) -> None:
        """Swap units ``u`` and ``v`` between their classes."""
        c, d = int(self.slot[u]), int(self.slot[v])
        self.move_units([(u, d), (v, c)])

    def move_units(self, moves: list[tuple[int, int]]) -> None:
        """Move each unit to its class; the caller keeps sizes (and every hard rule) intact."""
        for u, dest in moves:
            src = int(self.slot[u])
            self.dev[src] -= self.uf[u]
            self.dev[dest] += self.uf[u]
            self.cnt[src] -= self.uc[u]
            self.cnt[dest] += self.uc[u]
            for g in self.p.unit_apart[u]:
                if g >= 0:
                    self.apart[src, g] -= 1
                    self.apart[dest, g] += 1
            self.slot[u] = dest


def improve(
    p: Problem, slot: NDArray[np.int64], max_passes: int | None = None
) -> tuple[NDArray[np.int64], SearchStats]:
    """Improve a feasible unit→slot assignment; returns the new assignment and work counters."""
    state = _State(p, slot)
    limit = p.rules.search_passes if max_passes is None else max_passes
    unit_sizes = sorted({int(s) for s in p.unit_size[state.movable]})
    pairs = [(c, d) for c in range(p.k) for d in range(c + 1, p.k)]
    passes = swaps = evals = 0
    version = [0] * p.k
    settled: dict[tuple[int, int, int], tuple[int, int]] = {}
    while passes < limit:
        passes += 1
        improved = False
        for c, d in pairs:
            for size in unit_sizes:
                # A pair's best swap depends only on its two classes: skip it while neither changed.
                if settled.get((c, d, size)) == (version[c], version[d]):
                    continue
                for _ in range(SWAPS_PER_VISIT):  # a few best swaps per visit before moving on
                    evals += 1
                    gain, u, v = state.best_swap(c, d, size)
                    if u < 0 or not gain < -1e-12:
                        settled[c, d, size] = (version[c], version[d])
                        break
                    state.apply(u, v)
                    version[c] += 1
                    version[d] += 1
                    swaps += 1
                    improved = True
        if not improved:
            break
    if not state.violations():
        before = state.slot.copy()
        moved, gained = polish_total(state, POLISH_STEPS_PER_CLASS * p.k)
        if gained:
            swaps += moved
        else:  # no better (total gap, worst subject gap): keep the exchange-search result
            state = _State(p, before)
    stats = SearchStats(passes=passes, swaps=swaps, evaluations=evals,
                        objective=state.objective(), violations=state.violations())
    return state.slot, stats
