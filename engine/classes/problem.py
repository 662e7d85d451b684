"""The numeric form of a placement problem: units, class slots, features and count rules.

A *unit* is a together group (捆绑) or a single student; units move between classes
as a whole. Class *slots* are the classes before their labels are drawn; a slot that
holds a preset (预设班级) ``p`` is slot ``p - 1`` and keeps label ``p``.

Everything here is computed from exact integers (scores in hundredths); floats appear
only in the standardised features, whose arithmetic is element-wise and in a fixed
order so the search is bit-reproducible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from engine.arrays import Float64Array, Int64Array
from engine.classes.data import SUBJECT_WEIGHT, TOTAL_WEIGHT, Cohort, PlacementRules
from engine.randomness import item_digest, seeded_permutation

__all__ = ["CountRule", "Problem", "build_problem"]

KIND = "classes"


@dataclass(frozen=True)
class CountRule:
    """One counted attribute (boys, a flag, a rank band): per-slot ``lo ≤ count ≤ hi``."""

    name: str
    name_zh: str
    member: Int64Array  # 0/1 per student
    lo: Int64Array  # per slot, loose hard bound (share − 1, rounded in)
    hi: Int64Array
    share: Float64Array  # per slot, exact share as float


@dataclass(frozen=True)
class Problem:
    """Arrays the construction and search work on (students in canonical order)."""

    cohort: Cohort
    rules: PlacementRules
    n: int
    k: int
    sizes: Int64Array  # per slot
    unit_of: Int64Array  # per student
    units: tuple[tuple[int, ...], ...]  # member student indices per unit
    unit_size: Int64Array
    unit_fixed: Int64Array  # slot or -1
    apart_groups: dict[str, tuple[int, ...]]  # group key -> student indices (includes homophones)
    unit_apart: Int64Array  # units x m, apart group index or -1
    apart_names: tuple[str, ...]
    counts: tuple[CountRule, ...]
    features: Float64Array  # students x F standardised
    feature_names: tuple[str, ...]
    feature_weights: Float64Array
    tie_rank: Int64Array  # order-among-equals rank per student
    bands: Int64Array  # band per student (0 = best)


def _slot_sizes(cohort: Cohort, rules: PlacementRules, seed: bytes, fixed_load: list[int]) -> Int64Array:
    n, k = cohort.size, rules.classes
    if rules.class_sizes is not None:
        return np.array(rules.class_sizes, dtype=np.int64)
    base, extra = divmod(n, k)
    order = seeded_permutation(seed, KIND, "extra-seat-classes", list(range(k)))
    forced = [c for c in order if fixed_load[c] > base]
    rest = [c for c in order if fixed_load[c] <= base]
    chosen = set((forced + rest)[:extra])
    return np.array([base + 1 if c in chosen else base for c in range(k)], dtype=np.int64)


def _bounds(total: int, sizes: Int64Array, n: int) -> tuple[Int64Array, Int64Array]:
    """Loose hard bounds: ``|count − total·size/n| ≤ 1`` (exact integer arithmetic)."""
    lo = [max(0, -(-(total * int(s) - n) // n)) for s in sizes]
    hi = [min(int(s), (total * int(s) + n) // n) for s in sizes]
    return np.array(lo, dtype=np.int64), np.array(hi, dtype=np.int64)


def _standardise(values: list[int]) -> tuple[Float64Array, Float64Array]:
    """z-scores and centred squared z-scores from exact integer moments."""
    n = len(values)
    s1 = sum(values)
    s2 = sum(v * v for v in values)
    var = Fraction(n * s2 - s1 * s1, n * n)
    mean = Fraction(s1, n)
    sd = math.sqrt(float(var)) if var > 0 else 1.0  # sqrt is correctly rounded (IEEE 754)
    z = np.array([float(Fraction(v) - mean) / sd for v in values], dtype=np.float64)
    return z, z * z


def build_problem(cohort: Cohort, rules: PlacementRules, seed: bytes) -> Problem:
    """Turn a validated cohort into arrays. Raises nothing; :mod:`feasibility` checks first."""
    students = cohort.students
    n, k = cohort.size, rules.classes
    # Units: together groups in canonical order of their first member, then singles.
    group_members: dict[str, list[int]] = {}
    for i, s in enumerate(students):
        if s.together:
            group_members.setdefault(s.together, []).append(i)
    unit_of = np.full(n, -1, dtype=np.int64)
    units: list[tuple[int, ...]] = []
    for i, s in enumerate(students):
        if unit_of[i] >= 0:
            continue
        members = tuple(group_members[s.together]) if s.together else (i,)
        for m in members:
            unit_of[m] = len(units)
        units.append(members)
    unit_fixed = np.full(len(units), -1, dtype=np.int64)
    for u, members in enumerate(units):
        presets = {students[m].preset for m in members} - {None}
        if len(presets) == 1:
            unit_fixed[u] = next(iter(presets)) - 1  # type: ignore[operator]
    fixed_load = [0] * k
    for u, members in enumerate(units):
        if 0 <= unit_fixed[u] < k:
            fixed_load[int(unit_fixed[u])] += len(members)
    sizes = _slot_sizes(cohort, rules, seed, fixed_load)

    # Apart groups (分开) and, when enabled, same-sounding names.
    apart: dict[str, list[int]] = {}
    for i, s in enumerate(students):
        for g in s.apart:
            apart.setdefault(f"apart:{g}", []).append(i)
        if rules.homophones_apart and s.homophone:
            apart.setdefault(f"homophone:{s.homophone}", []).append(i)
    apart_groups = {g: tuple(m) for g, m in sorted(apart.items()) if len(m) >= 2}
    apart_names = tuple(apart_groups)
    per_unit: list[list[int]] = [[] for _ in units]
    for gi, g in enumerate(apart_names):
        for m in apart_groups[g]:
            if gi not in per_unit[int(unit_of[m])]:
                per_unit[int(unit_of[m])].append(gi)
    width = max((len(p) for p in per_unit), default=0)
    unit_apart = np.full((len(units), width), -1, dtype=np.int64)
    for u, gs in enumerate(per_unit):
        unit_apart[u, : len(gs)] = gs

    # Order among equals: a per-student draw, independent of row order.
    digests = [item_digest(seed, KIND, "order-among-equals", [s.student_id]) for s in students]
    tie_rank = np.empty(n, dtype=np.int64)
    tie_rank[sorted(range(n), key=lambda i: digests[i])] = np.arange(n)

    # Rank bands of the total (ties broken by the draw).
    totals = [s.scores[0] for s in students]
    by_rank = sorted(range(n), key=lambda i: (-totals[i], int(tie_rank[i])))
    rank = np.empty(n, dtype=np.int64)
    rank[by_rank] = np.arange(n)
    bands = (rank * rules.bands) // max(n, 1)

    counts: list[CountRule] = []

    def add(name: str, name_zh: str, member: Int64Array) -> None:
        total = int(member.sum())
        lo, hi = _bounds(total, sizes, n)
        share = np.array([total * int(s) / n for s in sizes], dtype=np.float64)
        counts.append(CountRule(name, name_zh, member.astype(np.int64), lo, hi, share))

    add("boys", "男生", np.array([s.gender == "M" for s in students], dtype=np.int64))
    for j, f in enumerate(cohort.flag_names):
        add(f, f, np.array([s.flags[j] for s in students], dtype=np.int64))
    if rules.bands > 1:
        for b in range(rules.bands):
            add(f"band {b + 1}/{rules.bands}", f"第{b + 1}段", (bands == b).astype(np.int64))
    top, bottom = min(rules.top(), n), min(rules.bottom(), n)
    if top > 0:
        add(f"top {top}", f"前{top}名", (rank < top).astype(np.int64))
    if bottom > 0:
        add(f"bottom {bottom}", f"后{bottom}名", (rank >= n - bottom).astype(np.int64))

    # Standardised features: each score's z (means) and z² (spread, the k-plus idea).
    cols: list[Float64Array] = []
    names: list[str] = []
    weights: list[float] = []
    for j, name in enumerate(cohort.score_names):
        z, q = _standardise([s.scores[j] for s in students])
        w = rules.weights.get(name, TOTAL_WEIGHT if j == 0 else SUBJECT_WEIGHT) / 100.0
        cols += [z, q]
        names += [f"mean {name}", f"spread {name}"]
        weights += [w, w * rules.variance_weight / 100.0]
    features = np.stack(cols, axis=1) if n else np.zeros((0, len(cols)))
    return Problem(
        cohort=cohort, rules=rules, n=n, k=k, sizes=sizes, unit_of=unit_of, units=tuple(units),
        unit_size=np.array([len(u) for u in units], dtype=np.int64), unit_fixed=unit_fixed,
        apart_groups=apart_groups, unit_apart=unit_apart, apart_names=apart_names, counts=tuple(counts),
        features=features, feature_names=tuple(names), feature_weights=np.array(weights, dtype=np.float64),
        tie_rank=tie_rank, bands=bands,
    )
