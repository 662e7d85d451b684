"""Place a cohort into balanced classes, then draw class labels and head teachers.

Steps of :func:`place_students`:

1. Pre-check the hard rules (:mod:`feasibility`) so impossible input is explained.
2. Build the numeric problem; class sizes and the order among equals come from the seed.
3. Construct a feasible start (presets, snake within strata); if the greedy deal fails,
   ask CP-SAT for a feasible assignment (deterministic: one worker, fixed seed,
   deterministic-time limit).
4. Improve (:func:`search_and_polish`): the exchange search (:mod:`search`), then the
   polish (:mod:`polish`), whose result is kept only if it is better.
5. Audit every hard rule on the result (defence in depth: a violation is a bug and
   raises :class:`~engine.errors.EngineError`).
6. Public draws (:mod:`draws`), keyed on the classes as formed in canonical order (each
   class named by its smallest student id): class numbers for the classes not pinned by
   presets (``class-labels``), then head teachers sorted by name (``head-teachers``).
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.arrays import Int64Array
from engine.classes.construct import construct_start
from engine.classes.data import Cohort, PlacementRules
from engine.classes.draws import canonical_slots, draw_head_teachers, draw_labels
from engine.classes.feasibility import check_input, check_problem, raise_if
from engine.classes.polish import polish_total
from engine.classes.problem import Problem, build_problem
from engine.classes.report import BalanceReport, balance_report
from engine.classes.search import SearchStats, exchange_search
from engine.classes.state import SearchState
from engine.errors import EngineError, InfeasiblePlacement

__all__ = ["POLISH_STEPS_PER_CLASS", "Placement", "cpsat_start", "place_students", "search_and_polish"]

POLISH_STEPS_PER_CLASS = 10  # work limit of the polish: 10·K moves

VERSION = "sunshine-classes/v4"  # v4: number and head-teacher draws keyed on the formed classes (canonical order)


@dataclass(frozen=True)
class Placement:
    """Result: slot per student (canonical order), the formed classes in canonical order, the draws, the evidence.

    ``slot_of_student`` and the slot numbers are internal to the solver; what is published is
    keyed on ``formed`` (slots sorted by their smallest student id), see :mod:`engine.classes.draws`.
    """

    problem: Problem
    slot_of_student: Int64Array
    formed: tuple[int, ...]  # slots in canonical order: formed class g (1-based) is slot formed[g - 1]
    label_of_slot: tuple[int, ...]
    head_teachers: dict[int, str]  # label -> teacher
    method: str
    stats: SearchStats
    report: BalanceReport

    def class_of(self, i: int) -> int:
        return self.label_of_slot[int(self.slot_of_student[i])]

    def group_of_slot(self, slot: int) -> int:
        """The formed class's canonical number (1-based) of an internal slot."""
        return self.formed.index(slot) + 1


def search_and_polish(p: Problem, slot: Int64Array, max_passes: int | None = None
                      ) -> tuple[Int64Array, SearchStats]:
    """Pipeline step: exchange search, then the polish on the published gaps, kept only if better.

    The polish runs only on a placement that meets every count rule; its result is kept when
    (total mean gap, worst subject mean gap) ends lexicographically lower, else the
    exchange-search result stands.
    """
    state = SearchState(p, slot)
    passes, swaps, evals = exchange_search(state, p.rules.search_passes if max_passes is None else max_passes)
    if not state.violations():
        before = state.slot.copy()
        moved, gained = polish_total(state, POLISH_STEPS_PER_CLASS * p.k)
        if gained:
            swaps += moved
        else:
            state = SearchState(p, before)
    stats = SearchStats(passes=passes, swaps=swaps, evaluations=evals,
                        objective=state.objective(), violations=state.violations())
    return state.slot, stats


def cpsat_start(p: Problem, seed: bytes, hint: Int64Array | None = None
                 ) -> tuple[bool, Int64Array | None]:
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
        proved_infeasible, found = cpsat_start(p, seed)
        if proved_infeasible:
            raise_if([("捆绑、分开与预设班级的组合无解（已由 CP-SAT 证明）",
                       "the combination of together, apart and preset rules has no solution (proved by CP-SAT)")])
        if found is None:
            raise_if([("在确定性工作量内未找到满足捆绑/分开/预设/均衡计数的分班",
                       "no placement meeting together/apart/preset/count rules was found within the work limit")])
        assert found is not None
        slot = found
        method = "cpsat-start+exchange"
    slot, stats = search_and_polish(p, slot, max_passes)
    if stats.violations:
        # The greedy start left count rules broken that swaps could not repair: restart from CP-SAT.
        proved_infeasible, found = cpsat_start(p, seed, hint=slot)
        if proved_infeasible:
            raise_if([("捆绑、分开、预设与男女/标记/分段均衡（±1）无法同时满足（已由 CP-SAT 证明）",
                       "together, apart, presets and the ±1 gender/flag/band balance cannot all hold "
                       "(proved by CP-SAT)")])
        if found is not None:
            slot, stats = search_and_polish(p, found, max_passes)
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
    labels = draw_labels(p, per_student, seed)
    return Placement(p, per_student, canonical_slots(p, per_student), labels,
                     draw_head_teachers(p, per_student, labels, seed), method, stats, report)
