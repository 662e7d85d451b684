"""Balanced class placement (阳光编班 / 均衡分班), issue #4.

Pipeline (each step one module):

1. :mod:`engine.classes.data` — validated cohort and rules (scores in integer hundredths).
2. :mod:`engine.classes.feasibility` — hard-rule pre-checks that explain infeasible input.
3. :mod:`engine.classes.construct` — units (together groups), seeded class sizes and a
   feasible stratified snake start.
4. :mod:`engine.classes.search` — deterministic best-improvement exchange search (numba
   kernel, k-plus objective: means *and* squared deviations) that never breaks a hard rule,
   then :mod:`engine.classes.polish` — count-identical set exchanges on the published gaps.
   Both work on :class:`engine.classes.state.SearchState`; :func:`engine.classes.solve.search_and_polish`
   runs one after the other and keeps the polish only if it is better.
5. :mod:`engine.classes.cpsat` — CP-SAT model of the same rules (feasibility fallback and
   the benchmark baseline).
6. :mod:`engine.classes.report` — balance metrics and the hard-rule audit.
7. :mod:`engine.classes.draws` — the public draws of class numbers and head teachers, keyed on
   the formed classes in canonical order (randomness spec, run kind ``classes``).
8. :mod:`engine.classes.solve` — :func:`place_students`, the pipeline.
"""

from engine.classes.data import Cohort, PlacementRules, Student
from engine.classes.report import BalanceReport, audit_placement, balance_report
from engine.classes.solve import Placement, place_students

__all__ = [
    "BalanceReport",
    "Cohort",
    "Placement",
    "PlacementRules",
    "Student",
    "audit_placement",
    "balance_report",
    "place_students",
]
