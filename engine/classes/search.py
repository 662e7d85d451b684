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
each class pair's best singles were tried here until v2; the polish does better in less
time, so they went.)

The sums live in :class:`~engine.classes.state.SearchState`; the polish that follows
(:mod:`engine.classes.polish`) is a separate pipeline step in :mod:`engine.classes.solve`.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.classes.state import SearchState

__all__ = ["SearchStats", "exchange_search"]

SWAPS_PER_VISIT = 2


@dataclass(frozen=True)
class SearchStats:
    """Work counters of the exchange search plus the polish (published in ``balance.json``)."""

    passes: int
    swaps: int
    evaluations: int
    objective: float
    violations: int


def exchange_search(state: SearchState, max_passes: int) -> tuple[int, int, int]:
    """Improve ``state`` (changed in place) by best swaps; returns (passes, swaps, evaluations)."""
    p = state.p
    unit_sizes = sorted({int(s) for s in p.unit_size[state.movable]})
    pairs = [(c, d) for c in range(p.k) for d in range(c + 1, p.k)]
    passes = swaps = evals = 0
    version = [0] * p.k
    settled: dict[tuple[int, int, int], tuple[int, int]] = {}
    while passes < max_passes:
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
    return passes, swaps, evals
