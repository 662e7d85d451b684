"""Hypothesis strategies for zone-lottery instances (small, so every property runs on many)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from engine.lottery import Applicant, LotteryProblem, School

__all__ = ["ArrayInstance", "array_instances", "problems"]


@dataclass(frozen=True)
class ArrayInstance:
    """Mechanism-level input: per unit preference lists, tiers there, sizes, a lottery rank permutation."""

    prefs: list[list[int]]
    tiers: list[list[int]]
    sizes: list[int]
    capacity: list[int]
    rank: list[int]
    base_tier: list[int]

    def arrays(self) -> dict[str, np.ndarray]:
        ptr = np.zeros(len(self.prefs) + 1, dtype=np.int64)
        ptr[1:] = np.cumsum([len(p) for p in self.prefs])
        return {
            "ptr": ptr,
            "school": np.array([s for p in self.prefs for s in p], dtype=np.int64),
            "tier": np.array([t for ts in self.tiers for t in ts], dtype=np.int64),
            "size": np.array(self.sizes, dtype=np.int64),
            "capacity": np.array(self.capacity, dtype=np.int64),
            "rank": np.array(self.rank, dtype=np.int64),
            "base_tier": np.array(self.base_tier, dtype=np.int64),
        }


@st.composite
def array_instances(
    draw: st.DrawFn, *, multiples: bool = True, overrides: bool = True, max_units: int = 12, max_schools: int = 4
) -> ArrayInstance:
    n_schools = draw(st.integers(1, max_schools))
    n_units = draw(st.integers(1, max_units))
    capacity = draw(st.lists(st.integers(0, 5), min_size=n_schools, max_size=n_schools))
    prefs: list[list[int]] = []
    tiers: list[list[int]] = []
    sizes: list[int] = []
    base: list[int] = []
    for _ in range(n_units):
        p = draw(st.permutations(range(n_schools)))
        k = draw(st.integers(1, n_schools))
        t = draw(st.integers(0, 2))
        prefs.append(list(p[:k]))
        base.append(t)
        if overrides:
            tiers.append([draw(st.sampled_from([t, t, 0])) for _ in range(k)])
        else:
            tiers.append([t] * k)
        sizes.append(draw(st.sampled_from([1, 1, 1, 2, 3])) if multiples else 1)
    rank = list(draw(st.permutations(range(n_units))))
    return ArrayInstance(prefs, tiers, sizes, capacity, rank, base)


@st.composite
def problems(draw: st.DrawFn, *, max_applicants: int = 14) -> LotteryProblem:
    """Problem-level instances with ids, sibling overrides, twin groups and round-2 lists."""
    n_schools = draw(st.integers(1, 4))
    schools = [School(f"S{i}", f"学校{i}", draw(st.integers(0, 4))) for i in range(n_schools)]
    ids = [s.id for s in schools]
    n = draw(st.integers(1, max_applicants))
    applicants: list[Applicant] = []
    i = 0
    while len(applicants) < n:
        prefs = tuple(draw(st.permutations(ids))[: draw(st.integers(1, n_schools))])
        r2 = tuple(draw(st.permutations(ids))[: draw(st.integers(0, n_schools))])
        tier = draw(st.integers(0, 3))
        members = draw(st.sampled_from([1, 1, 1, 1, 2]))
        group = f"G{i}" if members > 1 else ""
        for m in range(members):
            pri = ((prefs[0], 0),) if draw(st.booleans()) and draw(st.booleans()) else ()
            applicants.append(Applicant(f"A{i:03d}{m}", prefs, tier, pri, group, r2))
        i += 1
    return LotteryProblem.create(schools, applicants)
