"""Points rule sets as data: the TOML schema of ``docs/points-rules.md`` parsed into frozen dataclasses.

A rule set is the published indicator table of one city or district (评分细则). Keeping it
as data rather than code means a clerk can diff this year's table against last year's,
the audit bundle can hash the exact bytes that scored everyone (:func:`rule_set_digest`),
and a replay re-parses the same text. Parsing is pure: the caller reads the file.

All point values are held as integers in hundredths of a point (``Points``), never as
binary floats: TOML numbers are parsed as :class:`decimal.Decimal` and must have at most
two decimal places, so ``1.5`` becomes ``150`` exactly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from engine.config_keys import ANY, KeyTable, ListOf, Named, check_keys
from engine.decimals import to_hundredths
from engine.errors import ConfigError
from engine.toml_text import parse_toml

__all__ = [
    "FIELD_TYPES",
    "RULES_SCHEMA",
    "UNITS",
    "Bracket",
    "FieldSpec",
    "FieldType",
    "Gate",
    "Group",
    "Item",
    "RuleSet",
    "TieKey",
    "Unit",
    "format_points",
    "parse_rule_set",
    "rule_set_digest",
]

FieldType = Literal["number", "date", "datetime", "category", "list", "flag"]
FIELD_TYPES: tuple[FieldType, ...] = ("number", "date", "datetime", "category", "list", "flag")
Unit = Literal["month", "year", "day", "30days"]
UNITS: tuple[Unit, ...] = ("month", "year", "day", "30days")
Combine = Literal["sum", "highest"]
FinalTieBreak = Literal["lottery", "joint"]


@dataclass(frozen=True)
class FieldSpec:
    """A column of the applicants file that rules may use."""

    name: str
    type: FieldType
    header: str
    aliases: tuple[str, ...] = ()
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Gate:
    """An eligibility condition checked before scoring; the first failing gate is reported.

    Exactly one of ``minimum`` (number field, or whole ``unit``s from a date field to the
    evidence cutoff) and ``not_after`` (date field, e.g. child born by Aug 31) is set.
    """

    id: str
    label: str
    field: str
    unit: Unit | None
    minimum: int | None  # hundredths for numbers, whole units for durations
    not_after: dt.date | None
    minus: str | None = None


@dataclass(frozen=True)
class Bracket:
    """One band of a bracket item (分段计分): ``lower`` ≤ quantity < ``upper`` gives ``points``.

    Bounds are in hundredths of the field's unit (yuan, whole years…); ``upper`` is
    ``None`` only for the last, open-ended band. Bands are contiguous (checked at load).
    """

    lower: int
    upper: int | None
    points: int


@dataclass(frozen=True)
class Item:
    """One indicator (评分指标).

    The kind follows from the field type: ``flag`` gives ``points`` when yes;
    ``category``/``list`` look values up in ``table`` and combine them (``highest`` or
    ``sum``); ``number`` and ``date`` (a duration to the evidence cutoff in ``unit``) give
    ``points`` per ``per`` units, counting only whole multiples of ``per`` when ``whole``
    and pro rata (rounded down to the hundredth) otherwise. ``minus`` names a number
    field subtracted from the quantity first (Xiamen: back-paid insurance months).
    ``cap`` bounds the absolute value; negative ``points`` are deductions. A bracket item
    (``brackets`` non-empty; number or date field) gives the points of the band its
    quantity falls in, and 0 outside every band.
    """

    id: str
    label: str
    group: str
    field: str
    points: int = 0
    per: int = 100  # hundredths of a unit
    whole: bool = False
    unit: Unit | None = None
    minus: str | None = None
    table: tuple[tuple[str, int], ...] = ()
    combine: Combine = "highest"
    cap: int | None = None
    brackets: tuple[Bracket, ...] = ()


@dataclass(frozen=True)
class Group:
    """A sub-score (个人素质、社会保险、居住…): its items are summed (or the highest taken) then capped."""

    id: str
    label: str
    cap: int | None = None
    combine: Combine = "sum"


@dataclass(frozen=True)
class TieKey:
    """One step of the tie-break cascade: a group or item sub-score (higher first) or a field.

    Number fields rank higher first; date and datetime fields earlier first (missing last).
    """

    kind: Literal["group", "item", "field"]
    name: str

    @property
    def text(self) -> str:
        return f"{self.kind}:{self.name}"


@dataclass(frozen=True)
class RuleSet:
    """A validated rule set; ``digest`` is the SHA-256 of the exact TOML bytes it came from."""

    id: str
    name: str
    source: str
    evidence_cutoff: dt.date
    minimum_total: int
    max_preferences: int
    priority_categories: tuple[str, ...]
    tie_break: tuple[TieKey, ...]
    final_tie_break: FinalTieBreak
    fields: tuple[FieldSpec, ...]
    gates: tuple[Gate, ...]
    groups: tuple[Group, ...]
    items: tuple[Item, ...]
    digest: str

    def field(self, name: str) -> FieldSpec:
        """The field called ``name`` (``KeyError`` if absent; validated rule sets never ask for one)."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)


_RULESET_KEYS = ("id", "name", "source", "evidence_cutoff", "minimum_total", "max_preferences",
                 "priority_categories", "tie_break", "final_tie_break")
_ITEM_KEYS = ("id", "label", "group", "field", "points", "per", "whole", "unit", "minus", "table", "combine", "cap")
#: Every key a rule set may contain, at every level (``docs/points-rules.md``); anything else is an error.
RULES_SCHEMA = KeyTable({
    "ruleset": KeyTable(dict.fromkeys(_RULESET_KEYS, ANY)),
    "fields": Named(KeyTable(dict.fromkeys(("type", "header", "aliases", "values"), ANY))),
    "gates": ListOf(KeyTable(dict.fromkeys(("id", "label", "field", "unit", "minimum", "not_after", "minus"), ANY))),
    "groups": Named(KeyTable(dict.fromkeys(("label", "cap", "combine"), ANY))),
    "items": ListOf(KeyTable({**dict.fromkeys(_ITEM_KEYS, ANY),
                           "brackets": ListOf(KeyTable(dict.fromkeys(("from", "below", "points"), ANY)))})),
})


def rule_set_digest(raw: bytes) -> str:
    """SHA-256 of the rule-set file's raw bytes, hex: what the audit bundle records."""
    return hashlib.sha256(raw).hexdigest()


def format_points(hundredths: int) -> str:
    """Published form of a points value: ``150`` → ``1.5``, ``3000`` → ``30``, ``-4000`` → ``-40``."""
    sign = "-" if hundredths < 0 else ""
    whole, frac = divmod(abs(hundredths), 100)
    if frac == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{frac:02d}".rstrip("0")


class _Reader:
    """Typed access to the parsed TOML with errors naming file and key path."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, where: str, zh: str, en: str) -> ConfigError:
        return ConfigError(self.file, where, zh, en)

    def table(self, data: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> dict[str, Any]:
        value = data.get(key)
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            raise self.fail(f"{where}{key}", "缺少或不是表", "missing or not a table")
        return value

    def string(self, data: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or value == "":
            raise self.fail(f"{where}.{key}", "缺少或不是非空字符串", "missing or not a non-empty string")
        return value

    def hundredths(self, value: Any, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
            raise self.fail(where, "应为数字", "must be a number")
        try:
            number = Decimal(value)
        except ArithmeticError as exc:
            raise self.fail(where, f"「{value}」不是数字", f"'{value}' is not a number") from exc
        scaled = to_hundredths(number)
        if scaled is None:
            raise self.fail(where, "应为有限数字，最多两位小数，且绝对值小于 10^15",
                            "must be a finite number below 10^15 in size, with at most two decimal places")
        return scaled

    def optional_hundredths(self, data: Mapping[str, Any], key: str, where: str) -> int | None:
        if key not in data:
            return None
        value = self.hundredths(data[key], f"{where}.{key}")
        if value < 0:
            raise self.fail(f"{where}.{key}", "不能为负数", "must not be negative")
        return value

    def choice(self, data: Mapping[str, Any], key: str, where: str, options: tuple[str, ...], default: str) -> str:
        value = data.get(key, default)
        if value not in options:
            raise self.fail(f"{where}.{key}", f"应为 {'/'.join(options)} 之一", f"must be one of {', '.join(options)}")
        return str(value)

    def date(self, value: Any, where: str) -> dt.date:
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise self.fail(where, "应为日期（如 2024-03-31）", "must be a date such as 2024-03-31")
        return value


def _brackets(r: _Reader, raw: Any, where: str) -> tuple[Bracket, ...]:
    """Parse the bands of a bracket item; they must be listed in ascending order with no gap and no overlap."""
    if not isinstance(raw, list) or not raw:
        raise r.fail(where, "应为非空的分段列表，如 [{ from = 0, below = 10000, points = 0 }, …]",
                     "must be a non-empty list of bands, e.g. [{ from = 0, below = 10000, points = 0 }, …]")
    bands: list[Bracket] = []
    for j, band in enumerate(raw):
        at = f"{where}[{j}]"
        if not isinstance(band, dict):
            raise r.fail(at, "应为表（from、below、points）", "must be a table (from, below, points)")
        if "from" not in band or "points" not in band:
            raise r.fail(at, "每段须写 from（含）和 points", "every band needs 'from' (inclusive) and 'points'")
        lower = r.hundredths(band["from"], f"{at}.from")
        upper = r.hundredths(band["below"], f"{at}.below") if "below" in band else None
        if upper is None and j != len(raw) - 1:
            raise r.fail(f"{at}.below", "只有最后一段可以不写 below（不封顶）",
                         "only the last band may leave out 'below' (open-ended)")
        if upper is not None and upper <= lower:
            raise r.fail(f"{at}.below", f"上限 {format_points(upper)} 须大于下限 {format_points(lower)}",
                         f"'below' {format_points(upper)} must be greater than 'from' {format_points(lower)}")
        if bands:
            previous = bands[-1].upper
            assert previous is not None
            if lower > previous:
                raise r.fail(f"{at}.from", f"与上一段之间有空档：{format_points(previous)} 至 {format_points(lower)} "
                             "不属于任何一段（上一段的 below 应等于本段的 from）",
                             f"gap after the previous band: {format_points(previous)} up to {format_points(lower)} "
                             "falls in no band (the previous 'below' must equal this 'from')")
            if lower < previous:
                raise r.fail(f"{at}.from", f"与上一段重叠：{format_points(lower)} 至 {format_points(previous)} "
                             "同时属于两段（上一段的 below 应等于本段的 from）",
                             f"overlaps the previous band: {format_points(lower)} up to {format_points(previous)} "
                             "falls in two bands (the previous 'below' must equal this 'from')")
        bands.append(Bracket(lower, upper, r.hundredths(band["points"], f"{at}.points")))
    return tuple(bands)


def parse_rule_set(text: str, file: str = "rules.toml") -> RuleSet:
    """Parse and validate a rule set from TOML text (``docs/points-rules.md``).

    Raises :class:`ConfigError` naming the file and the offending key, for: TOML syntax
    errors, unknown keys at any level (:data:`RULES_SCHEMA`, with the nearest valid key),
    missing keys, bracket bands with a gap or overlap, a rule referring to an undeclared field or group, a unit used
    with a non-date field, more than two decimal places, duplicate ids, and tie-break keys
    naming nothing. The digest is taken over the UTF-8 bytes of ``text``.
    """
    r = _Reader(file)
    data = parse_toml(text, file, parse_float=Decimal)
    check_keys(data, RULES_SCHEMA, file)

    head = r.table(data, "ruleset", "")
    cutoff = r.date(head.get("evidence_cutoff"), "ruleset.evidence_cutoff")
    minimum_total = r.hundredths(head.get("minimum_total", 0), "ruleset.minimum_total")
    max_prefs = head.get("max_preferences", 1)
    if isinstance(max_prefs, bool) or not isinstance(max_prefs, int) or not 1 <= max_prefs <= 50:
        raise r.fail("ruleset.max_preferences", "应为 1 到 50 的整数", "must be a whole number from 1 to 50")
    priority = head.get("priority_categories", [])
    if not isinstance(priority, list) or not all(isinstance(p, str) and p for p in priority):
        raise r.fail("ruleset.priority_categories", "应为字符串列表", "must be a list of strings")

    fields: list[FieldSpec] = []
    for name, spec in r.table(data, "fields", "").items():
        where = f"fields.{name}"
        if not isinstance(spec, dict):
            raise r.fail(where, "应为表", "must be a table")
        aliases = spec.get("aliases", [])
        values = spec.get("values", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise r.fail(f"{where}.aliases", "应为字符串列表", "must be a list of strings")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise r.fail(f"{where}.values", "应为字符串列表", "must be a list of strings")
        ftype = r.choice(spec, "type", where, FIELD_TYPES, "")
        header = r.string(spec, "header", where)
        fields.append(FieldSpec(name, ftype, header, tuple(aliases), tuple(values)))  # type: ignore[arg-type]
    by_name = {f.name: f for f in fields}

    def need_field(name: Any, where: str, types: tuple[str, ...]) -> FieldSpec:
        if not isinstance(name, str) or name not in by_name:
            raise r.fail(where, f"引用了未声明的字段「{name}」", f"refers to unknown field '{name}'")
        spec = by_name[name]
        if spec.type not in types:
            raise r.fail(where, f"字段「{name}」类型为 {spec.type}，此处需要 {'/'.join(types)}",
                         f"field '{name}' has type {spec.type}; expected {'/'.join(types)}")
        return spec

    def unit_for(spec: FieldSpec, raw: Mapping[str, Any], where: str) -> Unit | None:
        if spec.type == "date":
            return r.choice(raw, "unit", where, UNITS, "month")  # type: ignore[return-value]
        if "unit" in raw:
            raise r.fail(f"{where}.unit", "只有日期字段可以指定 unit", "only date fields take a unit")
        return None

    seen: set[str] = set()

    def new_id(raw: Mapping[str, Any], where: str) -> str:
        ident = r.string(raw, "id", where)
        if ident in seen:
            raise r.fail(f"{where}.id", f"编号「{ident}」重复", f"duplicate id '{ident}'")
        seen.add(ident)
        return ident

    gates: list[Gate] = []
    for i, raw in enumerate(data.get("gates", [])):
        where = f"gates[{i}]"
        if not isinstance(raw, dict):
            raise r.fail(where, "应为表", "must be a table")
        ident = new_id(raw, where)
        where = f"gates.{ident}"
        spec = need_field(raw.get("field"), f"{where}.field", ("number", "date"))
        minus = None
        if "minus" in raw:
            minus = need_field(raw["minus"], f"{where}.minus", ("number",)).name
        has_min, has_before = "minimum" in raw, "not_after" in raw
        if has_min == has_before:
            raise r.fail(where, "须且只能指定 minimum 或 not_after 之一",
                         "exactly one of minimum / not_after is required")
        minimum = not_after = None
        unit = None
        if has_before:
            if spec.type != "date":
                raise r.fail(f"{where}.not_after", "not_after 只用于日期字段", "not_after applies to date fields only")
            not_after = r.date(raw["not_after"], f"{where}.not_after")
        else:
            unit = unit_for(spec, raw, where)
            minimum = r.optional_hundredths(raw, "minimum", where)
            if unit is not None and minimum is not None:
                if minimum % 100:
                    raise r.fail(f"{where}.minimum", "时长须为整数", "a duration minimum must be whole")
                minimum //= 100
        gates.append(Gate(ident, r.string(raw, "label", where, ident), spec.name, unit, minimum, not_after, minus))

    groups: list[Group] = []
    for name, raw in r.table(data, "groups", "").items():
        where = f"groups.{name}"
        if not isinstance(raw, dict):
            raise r.fail(where, "应为表", "must be a table")
        groups.append(Group(name, r.string(raw, "label", where, name), r.optional_hundredths(raw, "cap", where),
                            r.choice(raw, "combine", where, ("sum", "highest"), "sum")))  # type: ignore[arg-type]
    group_names = {g.id for g in groups}

    items: list[Item] = []
    raw_items = data.get("items", [])
    if not isinstance(raw_items, list) or not raw_items:
        raise r.fail("items", "至少需要一个评分指标", "at least one item is required")
    for i, raw in enumerate(raw_items):
        where = f"items[{i}]"
        if not isinstance(raw, dict):
            raise r.fail(where, "应为表", "must be a table")
        ident = new_id(raw, where)
        where = f"items.{ident}"
        group = raw.get("group")
        if group not in group_names:
            raise r.fail(f"{where}.group", f"引用了未声明的分组「{group}」", f"refers to unknown group '{group}'")
        spec = need_field(raw.get("field"), f"{where}.field", ("number", "date", "category", "list", "flag"))
        cap = r.optional_hundredths(raw, "cap", where)
        label = r.string(raw, "label", where, ident)
        if spec.type != "date" and "unit" in raw:
            raise r.fail(f"{where}.unit", "只有日期字段可以指定 unit", "only date fields take a unit")
        if spec.type in ("category", "list"):
            if "brackets" in raw:
                raise r.fail(f"{where}.brackets", "分段计分只用于数字或日期字段",
                             "brackets apply to number and date fields only")
            table = raw.get("table")
            if not isinstance(table, dict) or not table:
                raise r.fail(f"{where}.table", "分类字段的指标需要 table（取值 → 分值）",
                             "an item on a category/list field needs a table (value → points)")
            entries = tuple((str(k), r.hundredths(v, f"{where}.table.{k}")) for k, v in table.items())
            combine = r.choice(raw, "combine", where, ("sum", "highest"), "highest")
            items.append(Item(ident, label, str(group), spec.name, table=entries, combine=combine,  # type: ignore[arg-type]
                              cap=cap))
            continue
        if spec.type == "datetime":
            raise r.fail(f"{where}.field", "日期时间字段只能用于排序", "datetime fields can only be tie-break keys")
        if "brackets" in raw:
            if spec.type not in ("number", "date"):
                raise r.fail(f"{where}.brackets", "分段计分只用于数字或日期字段",
                             "brackets apply to number and date fields only")
            for key in ("points", "per", "whole"):
                if key in raw:
                    raise r.fail(f"{where}.{key}", "分段计分的分值写在各段的 points 中，不能再写 " + key,
                                 f"a bracket item takes its points from its bands; remove '{key}'")
            minus = need_field(raw["minus"], f"{where}.minus", ("number",)).name if "minus" in raw else None
            items.append(Item(ident, label, str(group), spec.name, unit=unit_for(spec, raw, where), minus=minus,
                              cap=cap, brackets=_brackets(r, raw["brackets"], f"{where}.brackets")))
            continue
        points = r.hundredths(raw.get("points"), f"{where}.points")
        if spec.type == "flag":
            items.append(Item(ident, label, str(group), spec.name, points=points, cap=cap))
            continue
        per = r.hundredths(raw.get("per", 1), f"{where}.per")
        if per <= 0:
            raise r.fail(f"{where}.per", "必须大于 0", "must be greater than 0")
        whole = raw.get("whole", False)
        if not isinstance(whole, bool):
            raise r.fail(f"{where}.whole", "应为 true/false", "must be true or false")
        minus = None
        if "minus" in raw:
            minus = need_field(raw["minus"], f"{where}.minus", ("number",)).name
        unit = unit_for(spec, raw, where)
        items.append(Item(ident, label, str(group), spec.name, points=points, per=per, whole=whole, unit=unit,
                          minus=minus, cap=cap))

    item_ids = {it.id for it in items}
    tie_break: list[TieKey] = []
    raw_ties = head.get("tie_break", [])
    if not isinstance(raw_ties, list):
        raise r.fail("ruleset.tie_break", "应为列表", "must be a list")
    for j, entry in enumerate(raw_ties):
        where = f"ruleset.tie_break[{j}]"
        kind, _, name = str(entry).partition(":")
        ok = ((kind == "group" and name in group_names) or (kind == "item" and name in item_ids)
              or (kind == "field" and name in by_name and by_name[name].type in ("number", "date", "datetime")))
        if not ok:
            raise r.fail(where, f"「{entry}」不是有效的排序键（group:分组 / item:指标 / field:数字或日期字段）",
                         f"'{entry}' is not a valid tie-break key (group:NAME, item:NAME or field:NAME)")
        tie_break.append(TieKey(kind, name))  # type: ignore[arg-type]
    final = r.choice(head, "final_tie_break", "ruleset", ("lottery", "joint"), "lottery")

    return RuleSet(
        id=r.string(head, "id", "ruleset"),
        name=r.string(head, "name", "ruleset"),
        source=r.string(head, "source", "ruleset"),
        evidence_cutoff=cutoff,
        minimum_total=minimum_total,
        max_preferences=max_prefs,
        priority_categories=tuple(priority),
        tie_break=tuple(tie_break),
        final_tie_break=final,  # type: ignore[arg-type]
        fields=tuple(fields),
        gates=tuple(gates),
        groups=tuple(groups),
        items=tuple(items),
        digest=rule_set_digest(text.encode("utf-8")),
    )
