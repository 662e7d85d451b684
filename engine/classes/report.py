"""Balance metrics and the hard-rule audit of a placement (reference §4).

All statistics are computed from the exact integer hundredths: class means as exact
fractions, SDs (population) as a correctly rounded square root, so reports are
byte-identical wherever they are produced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from engine.arrays import Int64Array
from engine.classes.problem import Problem

__all__ = ["BalanceReport", "ClassStats", "RuleCheck", "audit_placement", "balance_report"]


@dataclass(frozen=True)
class ClassStats:
    slot: int
    size: int
    boys: int
    girls: int
    counts: dict[str, int]  # every count rule by name (boys, flags, bands, top/bottom)
    means: dict[str, float]  # points
    sds: dict[str, float]


@dataclass(frozen=True)
class RuleCheck:
    rule: str  # together / apart / homophone / preset / size / count
    group: str
    members: tuple[str, ...]
    slots: tuple[int, ...]
    holds: bool
    detail: str = ""


@dataclass(frozen=True)
class BalanceReport:
    classes: tuple[ClassStats, ...]
    gaps: dict[str, float]  # dimension -> max − min across classes
    checks: tuple[RuleCheck, ...]

    @property
    def violations(self) -> int:
        return sum(1 for c in self.checks if not c.holds)


def _stats(values: list[int]) -> tuple[float, float]:
    n = len(values)
    if n == 0:
        return 0.0, 0.0
    s1, s2 = sum(values), sum(v * v for v in values)
    mean = Fraction(s1, n * 100)
    var = Fraction(n * s2 - s1 * s1, n * n * 10000)
    return float(mean), math.sqrt(float(var))


def balance_report(p: Problem, slot_of_student: Int64Array) -> BalanceReport:
    """Per-class statistics, max−min gaps per dimension and the hard-rule audit."""
    students = p.cohort.students
    classes: list[ClassStats] = []
    for c in range(p.k):
        idx = np.flatnonzero(slot_of_student == c)
        counts = {r.name: int(r.member[idx].sum()) for r in p.counts}
        means: dict[str, float] = {}
        sds: dict[str, float] = {}
        for j, name in enumerate(p.cohort.score_names):
            means[name], sds[name] = _stats([students[i].scores[j] for i in idx])
        boys = counts["boys"]
        classes.append(ClassStats(c, len(idx), boys, len(idx) - boys, counts, means, sds))
    gaps: dict[str, float] = {"size": float(max(s.size for s in classes) - min(s.size for s in classes))}
    gaps["girls"] = float(max(s.girls for s in classes) - min(s.girls for s in classes))
    for r in p.counts:
        vals = [s.counts[r.name] for s in classes]
        gaps[r.name] = float(max(vals) - min(vals))
    for name in p.cohort.score_names:
        ms = [s.means[name] for s in classes]
        sd = [s.sds[name] for s in classes]
        gaps[f"mean {name}"] = max(ms) - min(ms)
        gaps[f"sd {name}"] = max(sd) - min(sd)
    return BalanceReport(tuple(classes), gaps, tuple(audit_placement(p, slot_of_student)))


def audit_placement(p: Problem, slot_of_student: Int64Array) -> list[RuleCheck]:
    """Check every hard rule independently of how the placement was found."""
    students = p.cohort.students
    ids = [s.student_id for s in students]
    out: list[RuleCheck] = []
    sizes = np.bincount(slot_of_student, minlength=p.k)
    size_ok = bool((sizes == p.sizes).all()) and int(sizes.max() - sizes.min()) <= max(
        1, int(p.sizes.max() - p.sizes.min()))
    out.append(RuleCheck("size", "class sizes", (), tuple(range(p.k)), size_ok,
                         "sizes " + ",".join(str(int(s)) for s in sizes)))
    together: dict[str, list[int]] = {}
    for i, s in enumerate(students):
        if s.together:
            together.setdefault(s.together, []).append(i)
    for g, group in sorted(together.items()):
        slots = tuple(int(slot_of_student[m]) for m in group)
        out.append(RuleCheck("together", g, tuple(ids[m] for m in group), slots, len(set(slots)) == 1))
    for g, members in p.apart_groups.items():
        rule, _, name = g.partition(":")
        slots = tuple(int(slot_of_student[m]) for m in members)
        units = [int(p.unit_of[m]) for m in members]
        # Same-sounding twins placed together on purpose are exempt: together wins.
        distinct = len({(slots[i], units[i]) for i in range(len(members))})
        holds = len(set(slots)) == distinct
        out.append(RuleCheck(rule, name, tuple(ids[m] for m in members), slots, holds))
    for i, s in enumerate(students):
        if s.preset is not None:
            slot = int(slot_of_student[i])
            out.append(RuleCheck("preset", str(s.preset), (ids[i],), (slot,), slot == s.preset - 1))
    for r in p.counts:
        bad = []
        for c in range(p.k):
            v = int(r.member[slot_of_student == c].sum())
            if not r.lo[c] <= v <= r.hi[c]:
                bad.append(f"slot {c}: {v} not in [{r.lo[c]}, {r.hi[c]}]")
        out.append(RuleCheck("count", r.name, (), tuple(range(p.k)), not bad, "; ".join(bad)))
    return out
