"""Hypothesis strategies: small cohorts with together, apart and preset rules that are satisfiable."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from numpy.typing import NDArray

from engine.classes import Cohort, PlacementRules, Student
from engine.classes.construct import construct_start
from engine.classes.problem import Problem, build_problem


@st.composite
def cohorts(draw: st.DrawFn, presets: bool = True) -> tuple[Cohort, PlacementRules]:
    """A small cohort with disjoint together pairs, apart groups and (when ``presets``) a few presets."""
    k = draw(st.integers(2, 4))
    n = draw(st.integers(2 * k, 8 * k))
    students = []
    for i in range(n):
        subj = draw(st.lists(st.integers(0, 300), min_size=2, max_size=2))
        students.append(dict(
            student_id=f"s{i:03d}", gender=draw(st.sampled_from(["M", "F"])), scores=(sum(subj) * 50, subj[0] * 50,
                                                                                      subj[1] * 50),
            flags=(draw(st.booleans()),), together="", apart=(), preset=None,
        ))
    # Disjoint rule groups over a shuffled prefix: pairs together, groups of ≤k apart, a few presets.
    order = draw(st.permutations(range(n)))
    pos = 0
    for t in range(draw(st.integers(0, 2))):
        if pos + 2 > n:
            break
        for m in order[pos:pos + 2]:
            students[m]["together"] = f"T{t}"
        pos += 2
    for a in range(draw(st.integers(0, 2))):
        size = draw(st.integers(2, k))
        if pos + size > n:
            break
        for m in order[pos:pos + size]:
            students[m]["apart"] = (f"A{a}",)
        pos += size
    for _ in range(draw(st.integers(0, 2)) if presets else 0):
        if pos >= n:
            break
        students[order[pos]]["preset"] = draw(st.integers(1, k))
        pos += 1
    cohort = Cohort(("total", "a", "b"), ("flag",), tuple(Student(**s) for s in students))  # type: ignore[arg-type]
    return cohort, PlacementRules(classes=k, bands=3, top_n=k, bottom_n=k, search_passes=20)


def started(case: tuple[Cohort, PlacementRules], seed: bytes) -> tuple[Problem, NDArray[np.int64]] | None:
    """The problem and the constructed start of a generated case (None when the greedy start fails)."""
    cohort, rules = case
    p = build_problem(cohort, rules, seed)
    slot = construct_start(p)
    return None if slot is None else (p, slot)
