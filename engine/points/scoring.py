"""Scoring applicants under a rule set: eligibility gates, item points, group sub-scores, totals.

Spec: ``docs/points-rules.md`` §Items and §Gates. Everything is integer arithmetic in
hundredths of a point, vectorised with numpy over all applicants at once so that a
city-sized roster (200k) scores in well under a second, and so that there is exactly
one code path: the per-applicant breakdown is read out of the same arrays.

Rounding: a pro-rata item (Xiamen: 4 points per 12 months) is rounded *down* to the
hundredth per item, before capping; whole-unit items (Foshan: 5 per full year) count
only complete multiples of ``per``. Durations run from a date field up to the rule
set's evidence cutoff (截止日期) and count complete units only: a permit issued on
2023-04-15 has 11 full months on 2024-03-31.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from engine.arrays import BoolArray, Int64Array
from engine.errors import EngineError
from engine.points.rules import FieldSpec, Gate, Item, RuleSet, Unit

__all__ = [
    "Applicant",
    "Columns",
    "FieldValue",
    "Scores",
    "build_columns",
    "duration_units",
    "score_applicants",
]

FieldValue = int | dt.date | dt.datetime | str | tuple[str, ...] | bool | None


@dataclass(frozen=True)
class Applicant:
    """One application (the parent side whose points count) as the engine sees it.

    ``values`` holds rule fields by name: numbers as integers in hundredths, dates as
    :class:`datetime.date`, application times as :class:`datetime.datetime`, categories
    as strings, lists as tuples of strings, flags as booleans; ``None`` for blank.
    ``priority`` is a priority category (军人、公安…) or ``""``. No names or ID numbers.
    """

    id: str
    scope: str
    values: Mapping[str, FieldValue]
    preferences: tuple[str, ...] = ()
    priority: str = ""


@dataclass(frozen=True)
class Categorical:
    """A category or list field, flattened: value ``codes[j]`` (into ``vocabulary``) belongs to applicant ``owners[j]``.

    Flattening lets table lookups, highest-only and cumulative combination run as numpy
    scatter operations instead of a Python loop per applicant.
    """

    owners: Int64Array
    codes: Int64Array
    vocabulary: tuple[str, ...]


@dataclass(frozen=True)
class Columns:
    """Rule fields as arrays (one entry per applicant, in input order)."""

    size: int
    numbers: dict[str, Int64Array]
    dates_ord: dict[str, Int64Array]  # proleptic ordinal; 0 when blank
    dates_ymd: dict[str, tuple[Int64Array, Int64Array, Int64Array]]
    times: dict[str, Int64Array]  # seconds since 0001-01-01; 0 when blank
    flags: dict[str, BoolArray]
    lists: dict[str, Categorical]


@dataclass(frozen=True)
class Scores:
    """Scores of every applicant (arrays in input order, all in hundredths).

    ``quantities[item]`` is the counted quantity in hundredths of a unit (after
    ``minus`` and, for dates, in whole ``unit``s ×100); ``failed_gate[i]`` is the index
    of the first failed gate or -1.
    """

    quantities: dict[str, Int64Array]
    items: dict[str, Int64Array]
    groups: dict[str, Int64Array]
    total: Int64Array
    failed_gate: Int64Array


def _int_array(values: Sequence[int]) -> Int64Array:
    return np.asarray(values, dtype=np.int64).reshape(len(values))


def build_columns(rule_set: RuleSet, applicants: Sequence[Applicant]) -> Columns:
    """Turn applicant records into typed arrays; raises :class:`EngineError` on a value of the wrong type."""
    n = len(applicants)
    numbers: dict[str, Int64Array] = {}
    dates_ord: dict[str, Int64Array] = {}
    dates_ymd: dict[str, tuple[Int64Array, Int64Array, Int64Array]] = {}
    times: dict[str, Int64Array] = {}
    flags: dict[str, BoolArray] = {}
    lists: dict[str, Categorical] = {}
    records = [a.values for a in applicants]
    for spec in rule_set.fields:
        raw = [r.get(spec.name) for r in records]
        _check_types(spec, raw, applicants)
        if spec.type == "number":
            numbers[spec.name] = _int_array([0 if v is None else v for v in raw])  # type: ignore[misc]
            _check_non_negative(spec, numbers[spec.name], applicants)
        elif spec.type == "date":
            ds: list[dt.date | None] = raw  # type: ignore[assignment]
            dates_ord[spec.name] = _int_array([0 if d is None else d.toordinal() for d in ds])
            dates_ymd[spec.name] = _ymd(dates_ord[spec.name])
        elif spec.type == "datetime":
            ts: list[dt.datetime | None] = raw  # type: ignore[assignment]
            times[spec.name] = _int_array([
                0 if t is None else t.toordinal() * 86400 + t.hour * 3600 + t.minute * 60 + t.second for t in ts
            ])
        elif spec.type == "flag":
            flags[spec.name] = np.asarray([bool(v) for v in raw], dtype=np.bool_).reshape(n)
        else:
            lists[spec.name] = _flatten(raw, spec.type == "category")
    return Columns(n, numbers, dates_ord, dates_ymd, times, flags, lists)


_UNIX_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def _ymd(ordinals: Int64Array) -> tuple[Int64Array, Int64Array, Int64Array]:
    """Calendar year, month, day of proleptic ordinals, vectorised (0, 0, 0 where the ordinal is 0 = blank)."""
    days = np.where(ordinals > 0, ordinals - _UNIX_EPOCH_ORDINAL, 0).astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    years = days.astype("datetime64[Y]")
    y = years.astype(np.int64) + 1970
    m = months.astype(np.int64) - (years.astype(np.int64) * 12) + 1
    d = (days - months).astype(np.int64) + 1
    blank = ordinals <= 0
    return (np.where(blank, 0, y).astype(np.int64), np.where(blank, 0, m).astype(np.int64),
            np.where(blank, 0, d).astype(np.int64))


def _flatten(raw: Sequence[FieldValue], single: bool) -> Categorical:
    vocab: dict[str, int] = {}
    owners: list[int] = []
    codes: list[int] = []
    for i, v in enumerate(raw):
        values: tuple[str, ...] = (() if v is None or v == "" else (str(v),)) if single else (
            () if v is None else v)  # type: ignore[assignment]
        for text in values:
            owners.append(i)
            codes.append(vocab.setdefault(text, len(vocab)))
    return Categorical(_int_array(owners), _int_array(codes), tuple(vocab))


_EXPECTED: dict[str, frozenset[type]] = {
    "number": frozenset({int}), "date": frozenset({dt.date}), "datetime": frozenset({dt.datetime}),
    "category": frozenset({str}), "list": frozenset({tuple}), "flag": frozenset({bool}),
}


def _check_types(spec: FieldSpec, raw: Sequence[FieldValue], applicants: Sequence[Applicant]) -> None:
    """Exact type check (``bool`` is not a number, ``datetime`` not a date); fast path over the set of types."""
    expected = _EXPECTED[spec.type]
    kinds = set(map(type, raw))
    kinds.discard(type(None))
    if kinds <= expected:
        return
    for value, applicant in zip(raw, applicants, strict=True):
        if value is not None and type(value) not in expected:
            raise EngineError(
                f"申请 {applicant.id} 的字段「{spec.name}」取值类型无效：{value!r}",
                f"applicant {applicant.id}: field '{spec.name}' has a value of the wrong type: {value!r}",
            )


def _check_non_negative(spec: FieldSpec, values: Int64Array, applicants: Sequence[Applicant]) -> None:
    negative = np.flatnonzero(values < 0)
    if len(negative):
        a = applicants[int(negative[0])]
        raise EngineError(f"申请 {a.id} 的字段「{spec.name}」为负数",
                          f"applicant {a.id}: field '{spec.name}' is negative")


def duration_units(columns: Columns, field: str, unit: Unit, cutoff: dt.date) -> Int64Array:
    """Whole ``unit``s from the date in ``field`` up to ``cutoff`` (0 when blank or after the cutoff).

    Months are calendar months counted the way clerks do: 2023-04-15 → 2024-03-31 is 11
    (the 12th month completes on 2024-04-15). Years are 12 whole months; ``30days`` whole
    30-day periods (Dongguan); ``day`` days.
    """
    present = columns.dates_ord[field] > 0
    if unit in ("day", "30days"):
        days = np.maximum(cutoff.toordinal() - columns.dates_ord[field], 0)
        out = days if unit == "day" else days // 30
    else:
        y, m, d = columns.dates_ymd[field]
        months = (cutoff.year - y) * 12 + (cutoff.month - m) - (d > cutoff.day).astype(np.int64)
        months = np.maximum(months, 0)
        out = months if unit == "month" else months // 12
    return np.where(present, out, 0).astype(np.int64)


def _quantity(rule_set: RuleSet, columns: Columns, field: str, unit: Unit | None, minus: str | None) -> Int64Array:
    """Counted quantity in hundredths of a unit, never negative."""
    if unit is not None:
        q = duration_units(columns, field, unit, rule_set.evidence_cutoff) * 100
    else:
        q = columns.numbers[field]
    if minus is not None:
        q = q - columns.numbers[minus]  # both in hundredths of a unit
    return np.maximum(q, 0).astype(np.int64)


def _item_points(rule_set: RuleSet, columns: Columns, item: Item) -> tuple[Int64Array, Int64Array]:
    spec = rule_set.field(item.field)
    n = columns.size
    if spec.type == "flag":
        quantity = columns.flags[item.field].astype(np.int64) * 100
        raw = columns.flags[item.field].astype(np.int64) * item.points
    elif spec.type in ("category", "list"):
        table = dict(item.table)
        cat = columns.lists[item.field]
        lookup = _int_array([table.get(v, 0) for v in cat.vocabulary])
        pts = lookup[cat.codes] if len(cat.codes) else np.zeros(0, np.int64)
        raw = np.zeros(n, dtype=np.int64)
        if item.combine == "highest":
            # Highest-only (学历取最高): the best listed value counts; 0 when nothing is listed.
            np.maximum.at(raw, cat.owners, pts)
        else:
            np.add.at(raw, cat.owners, pts)
        quantity = np.bincount(cat.owners, minlength=n).astype(np.int64) * 100
    else:
        quantity = _quantity(rule_set, columns, item.field, item.unit, item.minus)
        magnitude = abs(item.points)
        # Pro-rata rounds down to the hundredth (module docstring); whole counts complete multiples.
        raw = (quantity // item.per) * magnitude if item.whole else (quantity * magnitude) // item.per
        if item.points < 0:
            raw = -raw
    if item.cap is not None:
        raw = np.clip(raw, -item.cap, item.cap)
    return quantity.reshape(n), raw.astype(np.int64).reshape(n)


def _gate_passes(rule_set: RuleSet, columns: Columns, gate: Gate) -> BoolArray:
    if gate.not_after is not None:
        ords = columns.dates_ord[gate.field]
        return (ords > 0) & (ords <= gate.not_after.toordinal())
    assert gate.minimum is not None
    if gate.unit is not None:
        units = _quantity(rule_set, columns, gate.field, gate.unit, gate.minus) // 100
        return (columns.dates_ord[gate.field] > 0) & (units >= gate.minimum)
    return _quantity(rule_set, columns, gate.field, None, gate.minus) >= gate.minimum


def score_applicants(rule_set: RuleSet, columns: Columns) -> Scores:
    """Score every applicant: gates, then items, groups (capped) and the total.

    Steps: (1) each gate in rule-set order, recording the first that fails (the
    ineligible list names it); (2) each item's quantity and points, item cap applied;
    (3) each group sums its items (or takes the highest, for highest-only groups such
    as talent level) and applies the group cap, which only limits from above so a
    deduction is never cancelled by a cap; (4) total = sum of groups. Ineligible
    applicants are still scored so the breakdown can be published.
    """
    n = columns.size
    failed = np.full(n, -1, dtype=np.int64)
    for g_index, gate in enumerate(rule_set.gates):
        fails = (~_gate_passes(rule_set, columns, gate)) & (failed < 0)
        failed[fails] = g_index
    quantities: dict[str, Int64Array] = {}
    items: dict[str, Int64Array] = {}
    for item in rule_set.items:
        quantities[item.id], items[item.id] = _item_points(rule_set, columns, item)
    groups: dict[str, Int64Array] = {}
    total = np.zeros(n, dtype=np.int64)
    for group in rule_set.groups:
        members = [items[it.id] for it in rule_set.items if it.group == group.id]
        if not members:
            value = np.zeros(n, dtype=np.int64)
        elif group.combine == "highest":
            value = np.max(np.vstack(members), axis=0)
        else:
            value = np.sum(np.vstack(members), axis=0)
        if group.cap is not None:
            value = np.minimum(value, group.cap)
        groups[group.id] = value.astype(np.int64)
        total += groups[group.id]
    return Scores(quantities, items, groups, total, failed)
