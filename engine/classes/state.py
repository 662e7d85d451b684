"""The state the class-placement search and polish share: an assignment and its running sums.

Why a module of its own: the exchange search (:mod:`engine.classes.search`) and the polish
(:mod:`engine.classes.polish`) both move units between slots and need the same sums (each
slot's standardised feature deviations, count-rule counts and apart-group members). One
public class holds them, so neither phase reaches into the other's internals and the two
modules do not import each other.

Swap scoring runs in a numba kernel (:mod:`engine.classes.swap_kernel`, no fastmath, no
parallel reductions) with a fixed order of float operations, so scores are bit-identical
across processes.
"""

from __future__ import annotations

import math

import numpy as np

from engine.arrays import Float64Array, Int64Array
from engine.classes.problem import Problem
from engine.classes.swap_kernel import swap_scores_kernel

__all__ = ["BIG", "W_COUNT", "SearchState"]

W_COUNT = 1.0  # weight of a squared count deviation from its share
BIG = 1.0e6  # score added per unit of count-bound violation a swap would create


class SearchState:
    """A unit → slot assignment with the running sums every move needs (features, counts, apart groups).

    Shared by the exchange search and the polish: both read the sums and change the
    assignment only through :meth:`move_units` / :meth:`apply`, which keep them in step.
    """

    def __init__(self, p: Problem, slot: Int64Array) -> None:
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

    def excess_row(self, c: int) -> Int64Array:
        row: Int64Array = self.p.n * self.cnt[c] - self.tshare[c]
        return row

    @property
    def violated(self) -> bool:
        return bool((self.cnt > self.hi).any() or (self.cnt < self.lo).any())

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

    def best_swap(self, c: int, d: int, size: int) -> tuple[float, int, int]:
        pu, qu, score = self.swap_scores(c, d, size)
        if score.size == 0:
            return 0.0, -1, -1
        flat = int(np.argmin(score))
        i, j = divmod(flat, len(qu))
        return float(score[i, j]), int(pu[i]), int(qu[j])

    def candidates(self, c: int, d: int, size: int) -> tuple[Int64Array, Int64Array]:
        ok = self.movable & (self.p.unit_size == size)
        return np.flatnonzero((self.slot == c) & ok), np.flatnonzero((self.slot == d) & ok)

    def swap_scores(self, c: int, d: int, size: int
                    ) -> tuple[Int64Array, Int64Array, Float64Array]:
        """Objective change of every allowed swap between ``c`` and ``d`` (``inf`` where forbidden).

        Runs the numba kernel; the tests hold a numpy reference of the same float operations
        (``tests/engine/classes/reference_swap.py``) and check the two agree bit for bit.
        """
        p = self.p
        pu, qu = self.candidates(c, d, size)
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
