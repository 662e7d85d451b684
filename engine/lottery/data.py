"""Inputs of a zone lottery and their array form (docs/lottery.md §1–§3).

:class:`LotteryProblem` is the validated, canonical input: schools and applicants
sorted by id, so nothing downstream can depend on the order of input rows.
:func:`build_market` turns it into :class:`Market`, flat numpy arrays over *units*
(a single applicant, or a multiples group placed together), which is what the
placement kernels consume. No dense applicant × school matrix is ever built:
preferences are stored CSR-style (``ptr``/``school``/``tier``), O(total list length).
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, compress, count, islice
from typing import Literal, NewType

import numpy as np

from engine.arrays import Int64Array
from engine.coded_lists import CodedLists
from engine.compiled import kernel
from engine.errors import EngineError
from engine.randomness import unit_key

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
    "insert_unit",
    "market_from_columns",
    "mismatched_multiples",
]

ApplicationNo = NewType("ApplicationNo", str)
SchoolId = NewType("SchoolId", str)
Mechanism = Literal["da", "boston", "serial"]
MECHANISMS: tuple[Mechanism, ...] = ("da", "boston", "serial")
DEFAULT_TIER = 1
# Tiers are small category numbers (0 = sibling/top, 1 = default, 2, 3 ...). The bound
# keeps ``tier * units + rank`` far inside int64 for any realistic market.
MAX_TIER = 99




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
        for a in self.applicants:
            if a.id in seen:
                raise EngineError(f"报名号 {a.id} 重复", f"duplicate application number {a.id}")
            seen.add(a.id)
            for s in (*a.preferences, *a.round2, *(p for p, _ in a.priorities)):
                if s not in known:
                    raise EngineError(f"报名号 {a.id} 填报了不存在的学校 {s}", f"applicant {a.id}: unknown school {s}")
        apps = self.applicants
        bad = mismatched_multiples([a.group for a in apps], [a.preferences for a in apps], [a.round2 for a in apps])
        if bad is not None:
            first, a = apps[bad[0]], apps[bad[1]]
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


def build_market(problem: LotteryProblem, frozen_groups: Mapping[str, Sequence[str]] | None = None) -> Market:
    """Group applicants into units and lay the problem out as arrays.

    Unit rule (docs/lottery.md §3): a multiples unit's tier at a school is the best
    (smallest) tier any member has there — the sibling rule applies to the whole
    unit because the unit is admitted together or not at all. Its base tier (serial
    dictatorship's master order) is likewise the best member base tier.

    ``frozen_groups`` (group → member ids in the frozen roster) is given for the groups that
    lost a member to a withdrawal: such a unit keeps the lottery key of its frozen membership
    (docs/lottery.md §3), so a twin's withdrawal does not give the other twin a fresh number.
    """
    apps = problem.applicants
    overrides = {i: dict(a.priorities) for i, a in enumerate(apps) if a.priorities}
    return _assemble(problem.schools, [a.id for a in apps], [a.preferences for a in apps],
                     [a.tier for a in apps], overrides, [a.group for a in apps], [a.round2 for a in apps],
                     frozen_groups or {})


def mismatched_multiples(groups: Sequence[str], preferences: Sequence[Sequence[str]],
                         round2: Sequence[Sequence[str]]) -> tuple[int, int] | None:
    """The multiples rule (docs/lottery.md §3): members of one group list identical preferences and round-2 lists.

    Column ``j`` is applicant ``j`` (``groups[j] == ""`` for a single applicant). Returns
    (index of the group's first member, index of the first member that differs), or ``None``.
    """
    first: dict[str, int] = {}
    for i in compress(count(), groups):  # multiples are rare: the members are found in one C-level pass
        f = first.setdefault(groups[i], i)
        if (tuple(preferences[f]), tuple(round2[f])) != (tuple(preferences[i]), tuple(round2[i])):
            return f, i
    return None


def market_from_columns(
    schools: Sequence[School],
    ids: Sequence[str],
    preferences: Sequence[Sequence[str]],
    tiers: Sequence[int],
    overrides: Mapping[int, Mapping[str, int]],
    groups: Sequence[str],
    round2: Sequence[Sequence[str]],
    frozen_groups: Mapping[str, Sequence[str]] | None = None,
    coded: Mapping[str, CodedLists] | None = None,
) -> Market | None:
    """Fast path: the market straight from per-applicant columns, without :class:`Applicant` objects.

    Column ``j`` describes applicant ``j``; ``overrides`` is sparse (applicant index →
    school → tier, only applicants with per-school priorities). Returns exactly
    ``build_market(LotteryProblem.create(schools, applicants))`` when the applicants are
    already canonical (strictly increasing by id; schools are sorted here) and the input
    passes every check of :class:`School`, :class:`Applicant` and
    :meth:`LotteryProblem.validate`; otherwise ``None``, and the caller goes through
    (``frozen_groups`` as for :func:`build_market`)
    :meth:`LotteryProblem.create`,
    which sorts or raises the usual :class:`EngineError`. ``coded`` may give the
    ``"preferences"`` and ``"round2"`` columns as codes too (:class:`CodedLists`, the same lists):
    the school indices are then mapped once per distinct code, not once per cell.
    """
    n = len(ids)
    if not (n and len(preferences) == len(tiers) == len(groups) == len(round2) == n and schools):
        return None
    schools = sorted(schools, key=lambda s: s.id)
    sids = [s.id for s in schools]
    if not sids[0] or not all(map(operator.lt, sids, islice(sids, 1, None))):
        return None
    if any(s.capacity < 0 for s in schools):
        return None
    if not ids[0] or not all(map(operator.lt, ids, islice(ids, 1, None))):
        return None
    if min(tiers) < 0 or max(tiers) > MAX_TIER:
        return None
    if not all(map(len, preferences)):
        return None
    known = set(sids)
    for o in overrides.values():
        if any(s not in known or not 0 <= t <= MAX_TIER for s, t in o.items()):
            return None
    if mismatched_multiples(groups, preferences, round2) is not None:
        return None
    try:  # unknown schools surface as KeyError while indexing
        market = _assemble(schools, ids, preferences, tiers, overrides, groups, round2, frozen_groups or {},
                           coded or {})
    except KeyError:
        return None
    # No school twice in a list: checked on the laid-out units (a multiples member lists exactly its
    # head's schools, checked above), in one compiled pass instead of a set per applicant.
    n_schools = len(schools)
    if _repeats_in_a_row(market.ptr, market.school, n_schools) or _repeats_in_a_row(
            market.r2_ptr, market.r2_school, n_schools):
        return None
    return market


@kernel
def _repeats_in_a_row(ptr: Int64Array, school: Int64Array, n_schools: int) -> bool:
    # Whether some row of the CSR lists (ptr, school) names a school twice: last[s] is the last row seen with s.
    last = np.full(n_schools, -1, dtype=np.int64)
    for row in range(ptr.shape[0] - 1):
        for e in range(ptr[row], ptr[row + 1]):
            s = school[e]
            if last[s] == row:
                return True
            last[s] = row
    return False


def _assemble(
    schools: Sequence[School],
    ids: Sequence[str],
    preferences: Sequence[Sequence[str]],
    tiers: Sequence[int],
    overrides: Mapping[int, Mapping[str, int]],
    groups: Sequence[str],
    round2: Sequence[Sequence[str]],
    frozen_groups: Mapping[str, Sequence[str]],
    coded: Mapping[str, CodedLists] | None = None,
) -> Market:
    # Columns are canonical and valid. Units are ordered by key == by first member's
    # index (applicants are sorted by id, members are kept in that order); groups and
    # per-school overrides are rare, so the common single-applicant case is vectorised
    # and only the special units are laid out one by one.
    n = len(ids)
    school_index = {s.id: i for i, s in enumerate(schools)}
    index = school_index.__getitem__
    coded = coded or {}
    members: dict[str, list[int]] = {}
    for i in compress(count(), groups):
        members.setdefault(groups[i], []).append(i)
    multi = [m for m in members.values() if len(m) > 1]
    is_head = np.ones(n, dtype=np.bool_)
    for m in multi:
        is_head[m[1:]] = False
    heads = np.flatnonzero(is_head).astype(np.int64)
    n_units = int(heads.shape[0])
    unit_of_head = np.full(n, -1, dtype=np.int64)
    unit_of_head[heads] = np.arange(n_units, dtype=np.int64)
    size = np.ones(n_units, dtype=np.int64)
    for m in multi:
        size[unit_of_head[m[0]]] = len(m)
    member_ptr = np.zeros(n_units + 1, dtype=np.int64)
    np.cumsum(size, out=member_ptr[1:])
    member_idx = np.empty(n, dtype=np.int64)
    member_idx[member_ptr[:-1]] = heads
    applicant_tier = np.fromiter(tiers, dtype=np.int64, count=n)
    base = applicant_tier[heads]
    kept = [(g, m) for g, m in members.items() if g in frozen_groups]  # units that lost a member: frozen key
    if multi or kept:
        head_list = heads.tolist()
        keys_list: list[tuple[str, ...]] = [(ids[h],) for h in head_list]
        for m in multi:
            u = int(unit_of_head[m[0]])
            member_idx[member_ptr[u]:member_ptr[u + 1]] = m
            keys_list[u] = tuple(unit_key(ids[i] for i in m))
            base[u] = min(tiers[i] for i in m)
        for g, m in kept:
            keys_list[int(unit_of_head[m[0]])] = tuple(unit_key(frozen_groups[g]))
        keys = tuple(keys_list)
        prefs: Sequence[Sequence[str]] = [preferences[h] for h in head_list]
        r2: Sequence[Sequence[str]] = [round2[h] for h in head_list]
        coded = {k: c.take(heads) for k, c in coded.items()}
    else:
        keys = tuple(zip(ids))
        prefs, r2 = preferences, round2
    by_code = {k: coded[k].indices(school_index) for k in ("preferences", "round2") if k in coded}
    ptr, school = by_code.get("preferences") or _flat(prefs, index)
    r2_ptr, r2_school = by_code.get("round2") or _flat(r2, index)
    tier = np.repeat(base, np.diff(ptr))
    r2_tier = np.repeat(base, np.diff(r2_ptr))
    special = {int(unit_of_head[m[0]]): m for m in multi}
    for i in overrides:
        u = int(unit_of_head[i])
        if u >= 0 and u not in special:
            special[u] = [i]
    for u, m in special.items():
        if len(m) == 1:  # one applicant: its tier everywhere (the fill above) but at the schools it names
            _override(tier, int(ptr[u]), prefs[u], overrides[m[0]])
            _override(r2_tier, int(r2_ptr[u]), r2[u], overrides[m[0]])
            continue
        ov = [(tiers[i], overrides.get(i, {})) for i in m]
        tier[ptr[u]:ptr[u + 1]] = [min(o.get(s, t) for t, o in ov) for s in prefs[u]]
        r2_tier[r2_ptr[u]:r2_ptr[u + 1]] = [min(o.get(s, t) for t, o in ov) for s in r2[u]]
    return Market(
        school_ids=tuple(s.id for s in schools),
        capacity=np.array([s.capacity for s in schools], dtype=np.int64),
        applicant_ids=tuple(ids),
        applicant_tier=applicant_tier,
        keys=keys,
        size=size,
        base_tier=base,
        member_ptr=member_ptr,
        member_idx=member_idx,
        ptr=ptr,
        school=school,
        tier=tier,
        r2_ptr=r2_ptr,
        r2_school=r2_school,
        r2_tier=r2_tier,
    )


def _override(tier: Int64Array, at: int, schools: Sequence[str], override: Mapping[str, int]) -> None:
    """``tier[at + j] = override[schools[j]]`` for the listed schools it names (a list names a school once:
    a list that repeats one is refused after the market is laid out, or before, by :class:`Applicant`)."""
    for school, t in override.items():
        if school in schools:
            tier[at + schools.index(school)] = t


def insert_unit(market: Market, unit: Market) -> Market:
    """``market`` with the one unit of ``unit`` (a market over the same schools) spliced in at its canonical place.

    Exactly the market :func:`build_market` would build from both rosters together, without
    rebuilding the others' arrays: the what-if asks many hypothetical families of one fixed
    roster, so the roster's market is built once and each question only copies its arrays with
    one unit inserted (O(market) memory moves, no per-applicant Python). The unit's members
    must sort next to each other among ``market``'s applicants (nobody's id falls between
    theirs) and share no id with them; :class:`EngineError` otherwise.
    """
    if unit.n_units != 1 or unit.school_ids != market.school_ids:
        raise EngineError("假设家庭必须是同一学校表上的一个单位",
                          "the inserted unit must be one unit over the same schools")
    ids = market.applicant_ids
    first, last = unit.applicant_ids[0], unit.applicant_ids[-1]
    p = bisect.bisect_left(ids, first)
    if p < len(ids) and ids[p] <= last:
        raise EngineError(f"报名号 {first} 与报名表中的报名号冲突",
                          f"application number {first} collides with the roster")
    k = len(unit.applicant_ids)
    heads = market.member_idx[market.member_ptr[:-1]]
    q = int(np.searchsorted(heads, p))  # units are ordered by their first member's index

    def splice(a: Int64Array, at: int, b: Int64Array) -> Int64Array:
        return np.concatenate([a[:at], b, a[at:]])

    def splice_ptr(ptr: Int64Array, extra: int) -> Int64Array:
        return np.concatenate([ptr[:q + 1], ptr[q:] + extra])

    shifted = np.where(market.member_idx >= p, market.member_idx + k, market.member_idx)
    return Market(
        school_ids=market.school_ids,
        capacity=market.capacity,
        applicant_ids=(*ids[:p], *unit.applicant_ids, *ids[p:]),
        applicant_tier=splice(market.applicant_tier, p, unit.applicant_tier),
        keys=(*market.keys[:q], *unit.keys, *market.keys[q:]),
        size=splice(market.size, q, unit.size),
        base_tier=splice(market.base_tier, q, unit.base_tier),
        member_ptr=splice_ptr(market.member_ptr, k),
        member_idx=splice(shifted, int(market.member_ptr[q]), unit.member_idx + p),
        ptr=splice_ptr(market.ptr, int(unit.ptr[-1])),
        school=splice(market.school, int(market.ptr[q]), unit.school),
        tier=splice(market.tier, int(market.ptr[q]), unit.tier),
        r2_ptr=splice_ptr(market.r2_ptr, int(unit.r2_ptr[-1])),
        r2_school=splice(market.r2_school, int(market.r2_ptr[q]), unit.r2_school),
        r2_tier=splice(market.r2_tier, int(market.r2_ptr[q]), unit.r2_tier),
    )


def _flat(lists: Sequence[Sequence[str]], index: Callable[[str], int]) -> tuple[Int64Array, Int64Array]:
    """CSR arrays of school indices (``KeyError`` for an unknown school)."""
    ptr = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, lists), dtype=np.int64, count=len(lists)), out=ptr[1:])
    flat = np.fromiter(map(index, chain.from_iterable(lists)), dtype=np.int64, count=int(ptr[-1]))
    return ptr, flat
