"""Place a cohort into balanced classes, then draw class labels and head teachers.

Steps of :func:`place_students`:

1. Pre-check the hard rules (:mod:`feasibility`) so impossible input is explained.
2. Build the numeric problem; class sizes and the order among equals come from the seed.
3. Construct a feasible start (presets, snake within strata); if the greedy deal fails,
   ask CP-SAT for a feasible assignment (deterministic: one worker, fixed seed,
   deterministic-time limit).
4. Improve with the exchange search (:mod:`search`).
5. Audit every hard rule on the result (defence in depth: a violation is a bug and
   raises :class:`~engine.errors.EngineError`).
6. Public draws: labels ``1..K`` for slots not pinned by presets (``class-labels``),
   then head teachers in configuration order (``head-teachers``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from engine.classes.construct import construct_start
from engine.classes.data import Cohort, PlacementRules
from engine.classes.feasibility import check_input, check_problem, raise_if
from engine.classes.problem import KIND, Problem, build_problem
from engine.classes.report import BalanceReport, balance_report
from engine.classes.search import SearchStats, improve
from engine.errors import EngineError, InfeasiblePlacement
from engine.randomness import seeded_permutation

__all__ = ["Placement", "draw_head_teachers", "draw_labels", "place_students"]

VERSION = "sunshine-classes/v3"  # v3: set-exchange polish replaces the double-swap phase (placements changed)


@dataclass(frozen=True)
class Placement:
    """Result: class label per student (canonical order), the draws, and the evidence."""

    problem: Problem
    slot_of_student: NDArray[np.int64]
    label_of_slot: tuple[int, ...]
    head_teachers: dict[int, str]  # label -> teacher
    method: str
    stats: SearchStats
    report: BalanceReport

    def class_of(self, i: int) -> int:
        return self.label_of_slot[int(self.slot_of_student[i])]


def draw_labels(p: Problem, seed: bytes) -> tuple[int, ...]:
    """Labels per slot: preset slots keep ``slot + 1``; the rest are permuted by lot.

    With configured sizes, labels are permuted only among slots of the same size so
    every label keeps the size the configuration gave it.
    """
    pinned = {int(c) for c in p.unit_fixed if c >= 0}
    labels = [c + 1 for c in range(p.k)]
    groups: dict[int, list[int]] = {}
    for c in range(p.k):
        if c not in pinned:
            key = int(p.sizes[c]) if p.rules.class_sizes is not None else 0
            groups.setdefault(key, []).append(c)
    for key, slots in sorted(groups.items()):
        label = str(key) if p.rules.class_sizes is not None else ""
        drawn = seeded_permutation(seed, KIND, "class-labels", [c + 1 for c in slots], label)
        for c, lab in zip(slots, drawn, strict=True):
            labels[c] = lab
    return tuple(labels)


def draw_head_teachers(rules: PlacementRules, seed: bytes) -> dict[int, str]:
    """Head teacher per class label: configuration order shuffled by lot (双随机 second draw)."""
    if not rules.head_teachers:
        return {}
    drawn = seeded_permutation(seed, KIND, "head-teachers", list(rules.head_teachers))
    return {label + 1: t for label, t in enumerate(drawn)}


def _cpsat_start(p: Problem, seed: bytes, hint: NDArray[np.int64] | None = None
                 ) -> tuple[bool, NDArray[np.int64] | None]:
    """CP-SAT feasibility fallback: (proved infeasible, a feasible unit → slot assignment or None).

    OR-Tools (and the pandas it loads) is imported here, on first use, not with this module:
    it is needed only when the greedy start fails, and importing it cost ≈ 0.3 s at the start
    of every ``sunshine`` command, ``verify`` included.
    """
    from engine.classes.cpsat import CpStatus, solve_cpsat

    result = solve_cpsat(p, seed, feasibility_only=True, hint=hint)
    return result.status is CpStatus.INFEASIBLE, result.unit_slot


def place_students(cohort: Cohort, rules: PlacementRules, seed: bytes, *, max_passes: int | None = None) -> Placement:
    """Balanced placement of ``cohort`` under ``rules``; deterministic in (cohort, rules, seed, VERSION).

    Raises :class:`~engine.errors.InfeasiblePlacement` naming the conflicting rules.
    """
    check_input(cohort, rules)
    p = build_problem(cohort, rules, seed)
    check_problem(p)
    method = "snake+exchange"
    slot = construct_start(p)
    if slot is None:
        proved_infeasible, found = _cpsat_start(p, seed)
        if proved_infeasible:
            raise_if([("捆绑、分开与预设班级的组合无解（已由 CP-SAT 证明）",
                       "the combination of together, apart and preset rules has no solution (proved by CP-SAT)")])
        if found is None:
            raise_if([("在确定性工作量内未找到满足捆绑/分开/预设/均衡计数的分班",
                       "no placement meeting together/apart/preset/count rules was found within the work limit")])
        assert found is not None
        slot = found
        method = "cpsat-start+exchange"
    slot, stats = improve(p, slot, max_passes)
    if stats.violations:
        # The greedy start left count rules broken that swaps could not repair: restart from CP-SAT.
        proved_infeasible, found = _cpsat_start(p, seed, hint=slot)
        if proved_infeasible:
            raise_if([("捆绑、分开、预设与男女/标记/分段均衡（±1）无法同时满足（已由 CP-SAT 证明）",
                       "together, apart, presets and the ±1 gender/flag/band balance cannot all hold "
                       "(proved by CP-SAT)")])
        if found is not None:
            slot, stats = improve(p, found, max_passes)
            method = "cpsat-start+exchange"
    per_student = slot[p.unit_of]
    report = balance_report(p, per_student)
    if report.violations:
        broken = [f"{c.rule} {c.group} {c.detail}" for c in report.checks if not c.holds]
        if any(c.rule != "count" for c in report.checks if not c.holds):
            raise EngineError("内部错误：结果违反硬性规则", f"internal error: hard rules broken: {broken}")
        # Not proved impossible: neither the exchange search nor CP-SAT found a placement within their work
        # limits, so say that (and which counts stayed broken) rather than claim the rules conflict.
        limit = p.rules.search_passes if max_passes is None else max_passes
        raise InfeasiblePlacement(
            f"在工作量上限内（search_passes = {limit}）未找到同时满足全部均衡计数的分班；"
            "可提高 search_passes，或放宽捆绑/分开/预设。仍未满足：",
            f"No placement meeting every count rule was found within the work limit (search_passes = {limit}); "
            "raise search_passes or relax together/apart/preset. Still broken:",
            broken)
    return Placement(p, per_student, draw_labels(p, seed), draw_head_teachers(rules, seed), method, stats, report)
