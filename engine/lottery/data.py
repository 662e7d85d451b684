"""Inputs of a zone lottery and their array form (docs/lottery.md §1–§3).

:class:`LotteryProblem` is the validated, canonical input: schools and applicants
sorted by id, so nothing downstream can depend on the order of input rows.
:func:`build_market` turns it into :class:`Market`, flat numpy arrays over *units*
(a single applicant, or a multiples group placed together), which is what the
placement kernels consume. No dense applicant × school matrix is ever built:
preferences are stored CSR-style (``ptr``/``school``/``tier``), O(total list length).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Literal, NewType

import numpy as np
from numpy.typing import NDArray

from engine.errors import EngineError

__all__ = [
    "DEFAULT_TIER",
    "MAX_TIER",
    "MECHANISMS",
    "Applicant",
    "ApplicationNo",
    "LotteryProblem",
    "Market",
    "Mechanism",
    "School",
    "SchoolId",
    "build_market",
]

ApplicationNo = NewType("ApplicationNo", str)
SchoolId = NewType("SchoolId", str)
Mechanism = Literal["da", "boston", "serial"]
MECHANISMS: tuple[Mechanism, ...] = ("da", "boston", "serial")
DEFAULT_TIER = 1
# Tiers are small category numbers (0 = sibling/top, 1 = default, 2, 3 ...). The bound
# keeps ``tier * units + rank`` far inside int64 for any realistic market.
MAX_TIER = 99

Int64Array = NDArray[np.int64]


@dataclass(frozen=True)
class School:
    """A school in the zone and its seats for this lottery (招生计划)."""

    id: str
    name: str
    capacity: int

    def __post_init__(self) -> None:
        if not self.id:
            raise EngineError("学校代码不能为空", "a school id must not be blank")
        if self.capacity < 0:
            raise EngineError(f"学校 {self.id} 的招生计划不能为负数", f"school {self.id}: capacity must be >= 0")


@dataclass(frozen=True)
class Applicant:
    """One applicant (报名号) and what they asked for.

    ``tier`` is the base category (1 is the default, smaller is stronger);
    ``priorities`` overrides the tier at specific schools, e.g. ``(("S0002", 0),)``
    for a sibling already enrolled at S0002. ``group`` names a multiples unit
    (twins, triplets); ``round2`` is the ordered list for 二次派位.
    """

    id: str
    preferences: tuple[str, ...]
    tier: int = DEFAULT_TIER
    priorities: tuple[tuple[str, int], ...] = ()
    group: str = ""
    round2: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.id:
            raise EngineError("报名号不能为空", "an application number must not be blank")
        if not self.preferences:
            raise EngineError(f"报名号 {self.id} 没有填报志愿", f"applicant {self.id} has no preferences")
        for label, lst in (("preferences", self.preferences), ("round2", self.round2)):
            if len(set(lst)) != len(lst):
                raise EngineError(
                    f"报名号 {self.id} 的志愿中有重复学校", f"applicant {self.id} lists a school twice in {label}"
                )
        tiers = [self.tier, *(t for _, t in self.priorities)]
        if any(not 0 <= t <= MAX_TIER for t in tiers):
            raise EngineError(
                f"报名号 {self.id} 的类别必须在 0 到 {MAX_TIER} 之间",
                f"applicant {self.id}: tiers must be between 0 and {MAX_TIER}",
            )

    def tier_at(self, school: str) -> int:
        """Tier at ``school``: the override when one is given, else the base tier."""
        for s, t in self.priorities:
            if s == school:
                return t
        return self.tier


@dataclass(frozen=True)
class LotteryProblem:
    """Validated canonical input. Construct with :meth:`create` to sort and check.

    Invariants (checked): unique ids; every school named by an applicant exists;
    members of a multiples group list identical preferences and round-2 lists.
    """

    schools: tuple[School, ...]
    applicants: tuple[Applicant, ...]

    @classmethod
    def create(cls, schools: Sequence[School], applicants: Sequence[Applicant]) -> LotteryProblem:
        """Sort by id (UTF-8 byte order == code point order) and validate; raises :class:`EngineError`."""
        problem = cls(
            tuple(sorted(schools, key=lambda s: s.id)), tuple(sorted(applicants, key=lambda a: a.id))
        )
        problem.validate()
        return problem

    def validate(self) -> None:
        """Raise :class:`EngineError` on the first broken invariant."""
        ids = [s.id for s in self.schools]
        if len(set(ids)) != len(ids):
            raise EngineError("学校代码重复", "duplicate school id")
        known = set(ids)
        seen: set[str] = set()
        groups: dict[str, Applicant] = {}
        for a in self.applicants:
            if a.id in seen:
                raise EngineError(f"报名号 {a.id} 重复", f"duplicate application number {a.id}")
            seen.add(a.id)
            for s in (*a.preferences, *a.round2, *(p for p, _ in a.priorities)):
                if s not in known:
                    raise EngineError(f"报名号 {a.id} 填报了不存在的学校 {s}", f"applicant {a.id}: unknown school {s}")
            if a.group:
                first = groups.setdefault(a.group, a)
                if (first.preferences, first.round2) != (a.preferences, a.round2):
                    raise EngineError(
                        f"多胞胎组 {a.group} 的成员志愿不一致（{first.id} 与 {a.id}）",
                        f"multiples group {a.group}: members {first.id} and {a.id} list different preferences",
                    )


@dataclass(frozen=True)
class Market:
    """Array form of a lottery over units (single applicants or multiples groups).

    Units are in canonical order: by key, where a unit's key is its members'
    application numbers sorted ascending (randomness spec §3.2). For unit ``u``:
    ``size[u]`` seats, ``base_tier[u]`` (used by serial dictatorship), members
    ``member_idx[member_ptr[u]:member_ptr[u+1]]`` (indices into ``applicant_ids``),
    round-1 choices ``school[ptr[u]:ptr[u+1]]`` with the unit's tier at each in
    ``tier``, and round-2 choices likewise in ``r2_ptr``/``r2_school``/``r2_tier``.
    """

    school_ids: tuple[str, ...]
    capacity: Int64Array
    applicant_ids: tuple[str, ...]
    applicant_tier: Int64Array
    keys: tuple[tuple[str, ...], ...]
    size: Int64Array
    base_tier: Int64Array
    member_ptr: Int64Array
    member_idx: Int64Array
    ptr: Int64Array
    school: Int64Array
    tier: Int64Array
    r2_ptr: Int64Array
    r2_school: Int64Array
    r2_tier: Int64Array

    @property
    def n_units(self) -> int:
        return int(self.size.shape[0])

    @property
    def n_schools(self) -> int:
        return int(self.capacity.shape[0])


def _csr(lists: list[list[int]]) -> tuple[Int64Array, Int64Array]:
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    ptr = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum(lengths, out=ptr[1:])
    flat = np.array(list(chain.from_iterable(lists)), dtype=np.int64)
    return ptr, flat


def build_market(problem: LotteryProblem) -> Market:
    """Group applicants into units and lay the problem out as arrays.

    Unit rule (docs/lottery.md §3): a multiples unit's tier at a school is the best
    (smallest) tier any member has there — the sibling rule applies to the whole
    unit because the unit is admitted together or not at all. Its base tier (serial
    dictatorship's master order) is likewise the best member base tier.
    """
    school_index = {s.id: i for i, s in enumerate(problem.schools)}
    members: dict[str, list[int]] = {}
    unit_lists: list[list[int]] = []
    for i, a in enumerate(problem.applicants):
        if a.group:
            if a.group not in members:
                members[a.group] = []
                unit_lists.append(members[a.group])
            members[a.group].append(i)
        else:
            unit_lists.append([i])
    # Applicants are sorted by id, so each member list is sorted and its first
    # element is the smallest id; ordering units by key == by first member's id.
    apps = problem.applicants
    unit_lists.sort(key=lambda m: apps[m[0]].id)
    keys = tuple(tuple(apps[i].id for i in m) for m in unit_lists)
    prefs: list[list[int]] = []
    tiers: list[list[int]] = []
    r2: list[list[int]] = []
    r2_tiers: list[list[int]] = []
    base: list[int] = []
    for m in unit_lists:
        head = apps[m[0]]
        prefs.append([school_index[s] for s in head.preferences])
        r2.append([school_index[s] for s in head.round2])
        if len(m) == 1 and not head.priorities:  # the common case, kept cheap for a million rows
            base.append(head.tier)
            tiers.append([head.tier] * len(head.preferences))
            r2_tiers.append([head.tier] * len(head.round2))
            continue
        overrides = [(apps[i].tier, dict(apps[i].priorities)) for i in m]
        base.append(min(t for t, _ in overrides))
        tiers.append([min(o.get(s, t) for t, o in overrides) for s in head.preferences])
        r2_tiers.append([min(o.get(s, t) for t, o in overrides) for s in head.round2])
    member_ptr, member_idx = _csr(unit_lists)
    ptr, school = _csr(prefs)
    _, tier = _csr(tiers)
    r2_ptr, r2_school = _csr(r2)
    _, r2_tier = _csr(r2_tiers)
    return Market(
        school_ids=tuple(s.id for s in problem.schools),
        capacity=np.array([s.capacity for s in problem.schools], dtype=np.int64),
        applicant_ids=tuple(a.id for a in apps),
        applicant_tier=np.array([a.tier for a in apps], dtype=np.int64),
        keys=keys,
        size=np.diff(member_ptr),
        base_tier=np.array(base, dtype=np.int64),
        member_ptr=member_ptr,
        member_idx=member_idx,
        ptr=ptr,
        school=school,
        tier=tier,
        r2_ptr=r2_ptr,
        r2_school=r2_school,
        r2_tier=r2_tier,
    )
