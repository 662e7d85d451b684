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
numpy ``argmin``). Once a full pass finds none, it also tries pairs of swaps built from
each class pair's best single swaps (:meth:`_State.best_double`). It stops after a
pass without improvement in that phase or after ``max_passes`` passes: a deterministic
work limit, never the clock. All float arithmetic is element-wise in a
fixed order, so the result is bit-identical across processes.

Swap scoring runs in a numba kernel (:mod:`engine.classes.swap_kernel`, no fastmath, no
parallel reductions) that performs the numpy reference's float operations in the same
order; :meth:`_State.swap_scores_numpy` stays as that reference and tests compare the two
bit for bit.

A final phase (:func:`polish_total`) then works on the metric that is reported rather than
on squares: the max−min gap of the class means of the total, in exact integer hundredths,
with count-preserving single or paired swaps out of the extreme classes. Its result is kept
only if (total gap, worst subject gap) ends lower than the exchange search left it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from engine.classes.problem import Problem
from engine.classes.swap_kernel import polish_kernel, swap_scores_kernel

__all__ = ["SearchStats", "improve"]

W_COUNT = 1.0
BIG = 1.0e6
DOUBLE_WIDTH = 48
SWAPS_PER_VISIT = 2
POLISH_MOVES_PER_CLASS = 4
POLISH_SD_GAP = 50  # hundredths: the polish may let an SD gap grow up to 0.5 points (never past the start's)


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

    def best_double(self, c: int, d: int, size: int, width: int | None = None) -> tuple[float, list[tuple[int, int]]]:
        """Best pair of disjoint swaps among the ``width`` best single swaps (escapes 1-swap optima).

        Two swaps that each worsen the objective can together improve it (one fixes what
        the other breaks). The combined change is computed exactly; the winning pair is
        re-checked against counts and apart groups as a whole before it is returned.
        """
        width = DOUBLE_WIDTH if width is None else width
        pu, qu, score = self.swap_scores(c, d, size)
        if score.size < 4:
            return 0.0, []
        flat = np.argsort(score, axis=None, kind="stable")[:width]
        flat = flat[np.isfinite(score.reshape(-1)[flat])]
        if len(flat) < 2:
            return 0.0, []
        ii, jj = flat // len(qu), flat % len(qu)
        u, v = pu[ii], qu[jj]
        p = self.p
        ic, id_ = float(self.inv_sq[c]), float(self.inv_sq[d])
        quad = ic + id_
        delta = np.zeros((len(flat), len(flat)), dtype=np.float64)
        for j in range(self.uf.shape[1]):
            w = float(p.feature_weights[j])
            one = self.uf[v, j] - self.uf[u, j]
            step = one[:, None] + one[None, :]
            lin = 2.0 * (float(self.dev[c, j]) * ic - float(self.dev[d, j]) * id_)
            delta += (w * step) * (step * quad + lin)
        n = p.n
        cstep = (self.uc[v] - self.uc[u])
        both = cstep[:, None, :] + cstep[None, :, :]
        coef = 2 * n * (self.excess_row(c) - self.excess_row(d))
        pen = (both * coef).sum(axis=2) + 2 * n * n * (both * both).sum(axis=2)
        delta += pen.astype(np.float64) * (W_COUNT / float(n * n))
        new_c, new_d = self.cnt[c] + both, self.cnt[d] - both
        ok = ((new_c >= self.lo[c]) & (new_c <= self.hi[c]) & (new_d >= self.lo[d]) & (new_d <= self.hi[d])).all(axis=2)
        ok &= (ii[:, None] != ii[None, :]) & (jj[:, None] != jj[None, :])
        ok &= np.triu(np.ones_like(ok), 1)
        delta = np.where(ok, delta, np.inf)
        for flat2 in np.argsort(delta, axis=None, kind="stable")[:8]:
            a, b = divmod(int(flat2), len(flat))
            if not delta[a, b] < -1e-12:
                break
            if self._apart_ok_pair(c, d, [int(u[a]), int(u[b])], [int(v[a]), int(v[b])]):
                return float(delta[a, b]), [(int(u[a]), int(v[a])), (int(u[b]), int(v[b]))]
        return 0.0, []

    def _apart_ok_pair(self, c: int, d: int, leave_c: list[int], leave_d: list[int]) -> bool:
        ap = self.p.unit_apart
        change: dict[tuple[int, int], int] = {}
        for units, src, dst in ((leave_c, c, d), (leave_d, d, c)):
            for w in units:
                for g in ap[w]:
                    if g >= 0:
                        change[src, int(g)] = change.get((src, int(g)), 0) - 1
                        change[dst, int(g)] = change.get((dst, int(g)), 0) + 1
        return all(self.apart[cls, g] + x <= 1 for (cls, g), x in change.items())

    def apply(self, u: int, v: int) -> None:
        c, d = int(self.slot[u]), int(self.slot[v])
        step = self.uf[v] - self.uf[u]
        self.dev[c] += step
        self.dev[d] -= step
        cstep = self.uc[v] - self.uc[u]
        self.cnt[c] += cstep
        self.cnt[d] -= cstep
        for g in self.p.unit_apart[u]:
            if g >= 0:
                self.apart[c, g] -= 1
                self.apart[d, g] += 1
        for g in self.p.unit_apart[v]:
            if g >= 0:
                self.apart[d, g] -= 1
                self.apart[c, g] += 1
        self.slot[u], self.slot[v] = d, c


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
    double_phase = False
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
                    moves = [(u, v)] if u >= 0 and gain < -1e-12 else []
                    if not moves and double_phase:
                        evals += 1
                        gain, moves = state.best_double(c, d, size)
                    if not moves:
                        settled[c, d, size] = (version[c], version[d])
                        break
                    for u, v in moves:
                        state.apply(u, v)
                    version[c] += 1
                    version[d] += 1
                    swaps += 1
                    improved = True
        if not improved:
            if double_phase or state.violations():
                break
            double_phase = True
            settled.clear()  # 1-swap optimum reached: also try pairs of swaps from now on
    if POLISH_MOVES_PER_CLASS and not state.violations():
        before = state.slot.copy()
        moved, gained = polish_total(state, POLISH_MOVES_PER_CLASS * p.k)
        if gained:
            swaps += moved
        else:  # no better (total gap, worst subject gap): keep the exchange-search result
            state = _State(p, before)
    stats = SearchStats(passes=passes, swaps=swaps, evaluations=evals,
                        objective=state.objective(), violations=state.violations())
    return state.slot, stats


def _ranges(m: NDArray[np.int64]) -> NDArray[np.int64]:
    out: NDArray[np.int64] = m.max(axis=0) - m.min(axis=0)
    return out


def _change_codes(change: NDArray[np.int64], radix: NDArray[np.int64] | None
                  ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """An integer code per count-change row, and the code of its negation (equal rows, equal codes).

    With ``radix`` (digits in −m…m, base 2m+1: a unique balanced representation) the code is
    linear, so the negation's code is ``-code``. Otherwise rows are numbered by ``np.unique``
    and a negation that does not occur gets code −1 (no partner).
    """
    if radix is not None:
        code: NDArray[np.int64] = change @ radix
        return code, -code
    rows, inv = np.unique(change, axis=0, return_inverse=True)
    inv = inv.reshape(-1).astype(np.int64)
    index = {tuple(r): i for i, r in enumerate(rows.tolist())}
    negated = np.array([index.get(tuple(-x for x in r), -1) for r in rows.tolist()], dtype=np.int64)
    return inv, negated[inv]


def polish_total(state: _State, max_moves: int) -> tuple[int, bool]:
    """Final phase: shrink the max−min gap of the class means of the total (score 0).

    Works on exact integer hundredths. Its moves are a single swap or a pair of disjoint
    swaps between the class with the highest (then the lowest) total mean and another
    class, of units of equal size. A single swap must exchange units with identical count
    memberships (gender, flags, bands, top/bottom-N); the two swaps of a pair must change
    the counts in opposite ways. Either way every count stays exactly where it was. Units
    in apart groups and presets are left alone. A move is taken only if it strictly lowers the key (total mean
    gap, number of classes at the two extremes, worst subject mean gap) lexicographically,
    keeps the worst subject mean gap at or below its value when the phase started, and keeps
    every SD gap at or below the worst SD gap when the phase started. The best key wins,
    ties to the first in (extreme, class, candidate) order (:func:`polish_kernel`).
    Returns the number of swaps made and whether (total mean gap, worst subject mean gap)
    ended lexicographically lower than at the start.
    """
    p = state.p
    n_s = len(p.cohort.score_names)
    if p.k < 3 or n_s == 0:
        return 0, False
    raw = np.array([s.scores for s in p.cohort.students], dtype=np.int64).reshape(p.n, n_s)
    us = np.zeros((len(p.units), n_s), dtype=np.int64)
    usq = np.zeros((len(p.units), n_s), dtype=np.int64)
    for u, members in enumerate(p.units):
        us[u] = raw[list(members)].sum(axis=0)
        usq[u] = (raw[list(members)] ** 2).sum(axis=0)
    sizes = p.sizes.astype(np.int64)
    lcm = int(np.lcm.reduce(sizes))
    mult = lcm // sizes  # scaled mean = sum · lcm / size, an exact integer
    s1 = np.zeros((p.k, n_s), dtype=np.int64)
    s2 = np.zeros((p.k, n_s), dtype=np.int64)
    for c in range(p.k):
        in_c = state.slot == c
        s1[c], s2[c] = us[in_c].sum(axis=0), usq[in_c].sum(axis=0)

    def sds() -> NDArray[np.float64]:
        var = (sizes[:, None] * s2 - s1 * s1).astype(np.float64) / (sizes * sizes).astype(np.float64)[:, None]
        out: NDArray[np.float64] = np.sqrt(np.maximum(var, 0.0))
        return out

    def key_of(m: NDArray[np.int64]) -> list[int]:
        hi, lo = m.max(axis=0), m.min(axis=0)
        at = (m == hi).sum(axis=0) + (m == lo).sum(axis=0)
        subj = int((hi - lo)[1:].max()) if n_s > 1 else 0
        sub_ext = int(sum(int(at[j]) for j in range(1, n_s) if int(hi[j] - lo[j]) == subj))
        return [int(hi[0] - lo[0]), int(at[0]), subj, sub_ext]

    def extremes(m: NDArray[np.int64]) -> list[int]:
        rng = m.max(axis=0) - m.min(axis=0)
        cols = [0] + [j for j in range(1, n_s) if rng[j] == rng[1:].max()]
        out = [c for j in cols for c in (int(np.argmax(m[:, j])), int(np.argmin(m[:, j])))]
        return list(dict.fromkeys(out))

    m0 = s1 * mult[:, None]
    subj_cap = int(_ranges(m0[:, 1:]).max()) if n_s > 1 else 0
    start = key_of(m0)
    sd0 = sds()
    sd_cap = max(float((sd0.max(axis=0) - sd0.min(axis=0)).max()), float(POLISH_SD_GAP))
    free = state.movable & (p.unit_apart < 0).all(axis=1) if p.unit_apart.shape[1] else state.movable.copy()
    base = 2 * int(p.unit_size.max(initial=1)) + 1
    dims = state.uc.shape[1]
    radix = base ** np.arange(dims, dtype=np.int64) if base ** dims < 2**62 else None
    swaps = 0
    while swaps < max_moves:
        m = s1 * mult[:, None]
        sd_now = sds()
        best = np.array(key_of(m), dtype=np.int64)
        move: list[tuple[int, int]] = []
        for a in extremes(m):
            for d in range(p.k):
                if d == a:
                    continue
                pu = np.flatnonzero((state.slot == a) & free)
                qu = np.flatnonzero((state.slot == d) & free)
                same = p.unit_size[pu][:, None] == p.unit_size[qu][None, :]
                ii, jj = np.nonzero(same)
                if len(ii) == 0:
                    continue
                su, sv = pu[ii], qu[jj]
                change = state.uc[sv] - state.uc[su]
                code, negated = _change_codes(change, radix)
                order = np.argsort(code, kind="stable")
                part_lo = np.searchsorted(code[order], negated, side="left")
                part_hi = np.searchsorted(code[order], negated, side="right")
                single = (change == 0).all(axis=1).astype(np.int64)
                rest = np.ones(p.k, dtype=np.bool_)
                rest[[a, d]] = False
                t1, t2 = polish_kernel(su, sv, us[sv] - us[su], usq[sv] - usq[su], s1[a], s1[d], s2[a], s2[d],
                                       int(sizes[a]), int(sizes[d]), int(mult[a]), int(mult[d]),
                                       np.ascontiguousarray(m[rest]), np.ascontiguousarray(sd_now[rest]),
                                       subj_cap, sd_cap, single, order.astype(np.int64), part_lo.astype(np.int64),
                                       part_hi.astype(np.int64), best)
                if t1 >= 0:
                    move = [(int(su[t1]), int(sv[t1]))] + ([(int(su[t2]), int(sv[t2]))] if t2 >= 0 else [])
        if not move:
            break
        for u, v in move:
            a, d = int(state.slot[u]), int(state.slot[v])
            s1[a] += us[v] - us[u]
            s1[d] -= us[v] - us[u]
            s2[a] += usq[v] - usq[u]
            s2[d] -= usq[v] - usq[u]
            state.apply(u, v)
            swaps += 1
    end = key_of(s1 * mult[:, None])
    return swaps, (end[0], end[2]) < (start[0], start[2])
