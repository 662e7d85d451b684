"""CP-SAT model of the placement rules: data → variables → constraints → objective → result.

Used twice: as the deterministic feasibility fallback when the greedy start cannot honour
every apart group, and as the "plain CP-SAT" baseline of the benchmark (same hard rules,
objective = weighted ranges of class means). Determinism: one worker, ``random_seed``
derived from the seed, ``max_deterministic_time`` as the work limit. A wall-clock limit
is accepted only for benchmarks (``time_limit``), never by the engine.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from engine.arrays import Int64Array
from engine.classes.problem import KIND, Problem
from engine.errors import EngineError
from engine.randomness import item_digest

__all__ = ["CpResult", "CpStatus", "solve_cpsat"]


class CpStatus(enum.Enum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class CpResult:
    status: CpStatus
    unit_slot: Int64Array | None
    objective: float | None
    bound: float | None
    deterministic_time: float


class _Model:
    def __init__(self, p: Problem) -> None:
        self.p = p
        self.m = cp_model.CpModel()
        self.free_units = [u for u in range(len(p.units)) if p.unit_fixed[u] < 0]
        # Variables: x[u][c] = unit u in slot c (fixed units are constants).
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        for u in self.free_units:
            for c in range(p.k):
                self.x[u, c] = self.m.new_bool_var(f"unit {u} in class {c}")

    def in_slot(self, u: int, c: int) -> cp_model.LinearExprT:
        fixed = int(self.p.unit_fixed[u])
        if fixed >= 0:
            return 1 if fixed == c else 0
        return self.x[u, c]

    def add_constraints(self, symmetry: bool) -> None:
        self._one_class_each()
        self._class_sizes()
        self._apart_groups()
        self._count_balance()
        if symmetry:  # must be off when a full hint is given: the hint need not respect it
            self._symmetry()

    def _one_class_each(self) -> None:
        # Each unit (together group or single student) is in exactly one class.
        for u in self.free_units:
            self.m.add_exactly_one(self.x[u, c] for c in range(self.p.k))

    def _class_sizes(self) -> None:
        # Each class has exactly its drawn (or configured) size.
        p = self.p
        for c in range(p.k):
            self.m.add(sum(int(p.unit_size[u]) * self.in_slot(u, c) for u in range(len(p.units))) == int(p.sizes[c]))

    def _apart_groups(self) -> None:
        # Members of an apart group (or same-sounding names) are in different classes.
        p = self.p
        for g in range(len(p.apart_names)):
            units = [u for u in range(len(p.units)) if (p.unit_apart[u] == g).any()]
            for c in range(p.k):
                self.m.add(sum(self.in_slot(u, c) for u in units) <= 1)

    def _count_balance(self) -> None:
        # Boys, every flag and every rank band within ±1 of the class's share.
        p = self.p
        for rule in p.counts:
            weights = [int(rule.member[list(members)].sum()) for members in p.units]
            carriers = [u for u in range(len(p.units)) if weights[u]]
            for c in range(p.k):
                expr = sum(weights[u] * self.in_slot(u, c) for u in carriers)
                self.m.add_linear_constraint(expr, int(rule.lo[c]), int(rule.hi[c]))

    def _symmetry(self) -> None:
        # Slots of equal size without presets are interchangeable (labels are drawn later):
        # the i-th free single may only use the first i+1 of them (helps CP-SAT, redundant).
        p = self.p
        pinned = {int(c) for c in p.unit_fixed if c >= 0}
        by_size: dict[int, list[int]] = {}
        for c in range(p.k):
            if c not in pinned:
                by_size.setdefault(int(p.sizes[c]), []).append(c)
        singles = [u for u in self.free_units if p.unit_size[u] == 1 and not (p.unit_apart[u] >= 0).any()]
        for slots in by_size.values():
            for i, u in enumerate(singles[: len(slots) - 1]):
                for c in slots[i + 1:]:
                    self.m.add(self.x[u, c] == 0)

    def add_objective(self) -> None:
        # Weighted range of class means (scaled to integers by lcm of class sizes).
        p = self.p
        lcm = math.lcm(*(int(s) for s in p.sizes))
        terms = []
        for j, name in enumerate(p.cohort.score_names):
            unit_sum = [sum(p.cohort.students[m].scores[j] for m in members) for members in p.units]
            top = sum(v for v in unit_sum if v > 0) * lcm
            lo_v = self.m.new_int_var(-top, top, f"lowest mean {name}")
            hi_v = self.m.new_int_var(-top, top, f"highest mean {name}")
            for c in range(p.k):
                scale = lcm // int(p.sizes[c])
                mean = sum(unit_sum[u] * scale * self.in_slot(u, c) for u in range(len(p.units)))
                self.m.add(lo_v <= mean)
                self.m.add(mean <= hi_v)
            weight = 4 if j == 0 else 1
            terms.append(weight * (hi_v - lo_v))
        self.m.minimize(sum(terms))

    def hint(self, slot: Int64Array) -> None:
        for (u, c), var in self.x.items():
            self.m.add_hint(var, int(slot[u]) == c)


def solve_cpsat(p: Problem, seed: bytes, *, feasibility_only: bool, hint: Int64Array | None = None,
                deterministic_time: float = 60.0, time_limit: float | None = None) -> CpResult:
    """Solve the CP-SAT model; ``time_limit`` (seconds) is for benchmarks only."""
    model = _Model(p)
    model.add_constraints(symmetry=hint is None)
    if not feasibility_only:
        model.add_objective()
    if hint is not None:
        model.hint(hint)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = int.from_bytes(item_digest(seed, KIND, "cp-sat-seed", [])[:3], "big")
    solver.parameters.max_deterministic_time = deterministic_time
    if time_limit is not None:
        solver.parameters.max_time_in_seconds = time_limit
    code = solver.solve(model.m)
    if code == cp_model.MODEL_INVALID:
        raise EngineError("CP-SAT 模型无效（内部错误）", f"CP-SAT model invalid: {model.m.validate()}")
    status = {cp_model.OPTIMAL: CpStatus.OPTIMAL, cp_model.FEASIBLE: CpStatus.FEASIBLE,
              cp_model.INFEASIBLE: CpStatus.INFEASIBLE}.get(code, CpStatus.UNKNOWN)
    slot = None
    if status in (CpStatus.OPTIMAL, CpStatus.FEASIBLE):
        slot = np.array([int(p.unit_fixed[u]) if p.unit_fixed[u] >= 0 else
                         next(c for c in range(p.k) if solver.value(model.x[u, c])) for u in range(len(p.units))],
                        dtype=np.int64)
    objective = bound = None
    if not feasibility_only and slot is not None:
        objective, bound = float(solver.objective_value), float(solver.best_objective_bound)
    return CpResult(status, slot, objective, bound, float(solver.deterministic_time))
