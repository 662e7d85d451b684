"""Points admission run kind (随迁子女积分入学): read inputs, execute the engine, render result files.

Edge module (does I/O). :func:`prepare_points` reads the rule set (TOML), the schools
and applicants tables and an optional corrections file (复核), validating everything
with located bilingual errors (file, Excel row, column; or rule key), and returns a
:class:`PreparedRun`:

* ``config``: the rule-set text and its SHA-256 (raw bytes), schools and quotas,
  ``second_pass``, and the corrections (old and new values) — plain JSON, no floats;
* ``roster``: one record per applicant, sorted by id, with the rule fields as canonical
  strings, preferences, priority category and the *masked* name and ID number (masked
  values are public by design, so replays can render the publication list);
* ``private``: raw name, ID number and phone — never in a public file.

:func:`execute` is pure in (config, roster, seed). Formats: ``docs/points.md``.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict, cast

import numpy as np

from api.inputs import InputFile
from api.outputs import (
    Cells,
    csv_bytes,
    csv_bytes_from_columns,
    formatted_cells,
    people_csv_from_columns,
    text_cells,
    value_cells,
)
from api.runs.kind import Figure, InputSpec, OptionSpec, OptionValue, PreparedRun, Record, RunSummary, check_options
from api.tables import (
    Column,
    Problems,
    Row,
    Table,
    check_digits,
    clean_array,
    clean_text,
    map_distinct,
    parse_date,
    parse_yes_no,
    paused_gc,
    read_columns,
    read_table,
    split_list,
    unique_ids,
)
from api.xlsx import XLSX_MAX_APPLICANTS, CellValue, Sheet, Title, run_title, xlsx_bytes
from audit.run_facts import RunFacts
from engine.arrays import BoolArray, Int64Array
from engine.decimals import to_hundredths
from engine.errors import ConfigError, EngineError
from engine.masking import mask_id_number, mask_name
from engine.points import (
    RESULT_LABELS,
    Applicant,
    Correction,
    Outcome,
    RuleSet,
    School,
    admit_by_points,
    apply_corrections,
    diff_outcomes,
    format_points,
    parse_rule_set,
    rule_set_digest,
)
from engine.points.labels import ELIGIBILITY_LABELS, decided_by_label
from engine.points.rules import FieldSpec
from engine.points.scoring import FieldValue

__all__ = ["KIND", "POINTS", "PointsRecord", "PointsRunKind", "execute", "prepare_points"]

KIND = "points"

SCHOOL_TABLE = (
    Column("school_id", ("学校编号", "学校代码", "school", "id"), required=True, identifier=True),
    Column("name", ("学校名称", "校名", "school_name")),
    Column("scope", ("镇街", "镇区", "区", "town", "district"), required=True),
    Column("quota", ("积分入学指标", "指标数", "学位数", "seats"), required=True),
)
BASE_APPLICANT_COLUMNS = (
    Column("applicant_id", ("申请编号", "报名号", "application_number", "id"), required=True, identifier=True),
    Column("name", ("姓名", "家长姓名", "parent_name")),
    Column("id_number", ("身份证号", "证件号码", "id_no"), identifier=True),
    Column("phone", ("联系电话", "手机号", "mobile")),
    Column("scope", ("镇街", "镇区", "区", "town", "district"), required=True),
    Column("priority", ("优先类别", "特殊群体", "priority_category")),
)
CORRECTION_TABLE = (
    Column("applicant_id", ("申请编号", "报名号", "application_number"), required=True, identifier=True),
    Column("field", ("字段", "更正项目", "item"), required=True),
    Column("old", ("原值", "old_value"), required=True),
    Column("new", ("新值", "更正值", "new_value"), required=True),
    Column("reason", ("理由", "更正理由", "复核意见")),
)



class PointsRecord(TypedDict):
    """One applicant of the public points roster (docs/points.md § Roster records)."""

    id: str
    scope: str
    priority: str
    preferences: list[str]
    masked_name: str
    masked_id: str
    values: dict[str, Any]


_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")



def _allowed_values(rule_set: RuleSet, spec: FieldSpec) -> set[str]:
    values = set(spec.values)
    for item in rule_set.items:
        if item.field == spec.name:
            values.update(k for k, _ in item.table)
    return values


def _canonical_number(table: Table, row: Row, key: str, text: str) -> str:
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise table.error(row, key, f"「{text}」不是数字", f"'{text}' is not a number") from exc
    if not value.is_finite():
        raise table.error(row, key, f"「{text}」不是有限数字", f"'{text}' is not a finite number")
    if value < 0:
        raise table.error(row, key, f"「{text}」不能为负数", f"'{text}' must not be negative")
    if value and value.adjusted() >= 15:  # >= MAX_MAGNITUDE, compared without arithmetic (1e999999999)
        raise table.error(row, key, f"「{text[:40]}」太大（应小于 10^15）",
                          f"'{text[:40]}' is too large (must be below 10^15)")
    hundredths = to_hundredths(value)
    if hundredths is None:
        raise table.error(row, key, f"「{text}」最多两位小数", f"'{text}' has more than two decimal places")
    return format_points(hundredths)


def _canonical_value(rule_set: RuleSet, spec: FieldSpec, table: Table, row: Row, key: str) -> Any:
    """Parse ``row[key]`` as field ``spec`` into its canonical JSON form (``None`` for blank)."""
    text = clean_text(row.get(key))
    if spec.type == "flag":
        return parse_yes_no(table, row, key)
    if text == "":
        return None if spec.type != "list" else []
    if spec.type == "number":
        return _canonical_number(table, row, key, text)
    if spec.type == "date":
        d = parse_date(table, row, key)
        return None if d is None else d.isoformat()
    if spec.type == "datetime":
        return _parse_datetime(table, row, key, text).isoformat(sep=" ")
    allowed = _allowed_values(rule_set, spec)
    values = [text] if spec.type == "category" else [clean_text(v) for v in split_list(text)]
    for v in values:
        if allowed and v not in allowed:
            raise table.error(row, key, f"「{v}」不是可选值（可选：{'、'.join(sorted(allowed))}）",
                              f"'{v}' is not one of the accepted values ({', '.join(sorted(allowed))})")
    return values[0] if spec.type == "category" else sorted(values)


def _parse_datetime(table: Table, row: Row, key: str, text: str) -> dt.datetime:
    date_text, _, time_text = text.replace("T", " ").partition(" ")
    day = parse_date(table, Row(row.number, {key: date_text}), key)
    assert day is not None
    m = _TIME.match(time_text.strip()) if time_text.strip() else None
    if time_text.strip() and m is None:
        raise table.error(row, key, f"「{text}」不是有效时间（如 2024-04-01 09:30:00）",
                          f"'{text}' is not a valid time (e.g. 2024-04-01 09:30:00)")
    h, mi, s = (int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)) if m else (0, 0, 0)
    try:
        return dt.datetime(day.year, day.month, day.day, h, mi, s)
    except ValueError as exc:
        raise table.error(row, key, f"「{text}」不是有效时间", f"'{text}' is not a valid time") from exc


def _read_rules(source: InputFile) -> tuple[RuleSet, str, str]:
    """The parsed rule set, its digest and its text, all from the one copy of the bytes that was read."""
    try:
        text = source.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(source.name, "编码", "规则文件须为 UTF-8", "the rule set must be UTF-8") from exc
    rule_set = parse_rule_set(text, source.name)
    # The audit digest is over the file's raw bytes, exactly as published.
    return rule_set, rule_set_digest(source.data), text


def _read_schools(source: InputFile) -> list[dict[str, Any]]:
    table = read_table(source, SCHOOL_TABLE)
    schools: dict[str, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    for row in table:
        sid = table.unique_key(row, "school_id", seen, "学校编号", "school id")
        scope = clean_text(row.get("scope"))
        if not scope:
            raise table.error(row, "scope", "镇街不能为空", "the town/district must not be blank")
        text = clean_text(row.get("quota"))
        if not re.fullmatch(r"\d+", text):
            raise table.error(row, "quota", f"「{text}」应为非负整数", f"'{text}' must be a non-negative whole number")
        check_digits(table, row, "quota", text)
        schools[sid] = {"id": sid, "name": clean_text(row.get("name")), "scope": scope, "quota": int(text)}
    if not schools:
        raise table.error(None, None, "没有任何学校", "the file lists no schools")
    return [schools[k] for k in sorted(schools)]


def _applicant_columns(rule_set: RuleSet) -> list[Column]:
    columns = list(BASE_APPLICANT_COLUMNS)
    columns += [Column(f"field:{f.name}", (f.header, f.name, *f.aliases), required=True) for f in rule_set.fields]
    columns.append(Column("preferences", ("志愿", "志愿学校", "choices")))
    for k in range(1, rule_set.max_preferences + 1):
        columns.append(Column(f"preference_{k}", (f"志愿{k}", f"第{k}志愿", f"choice_{k}")))
    return columns


def _scope(table: Table, row: Row) -> str:
    scope = clean_text(row.get("scope"))
    if not scope:
        raise table.error(row, "scope", "镇街不能为空", "the town/district must not be blank")
    return scope


def _priority_category(rule_set: RuleSet) -> Callable[[Table, Row], str]:
    def parse(table: Table, row: Row) -> str:
        priority = clean_text(row.get("priority"))
        if priority in ("无", "否"):
            priority = ""
        if priority and priority not in rule_set.priority_categories:
            known = "、".join(rule_set.priority_categories)
            raise table.error(row, "priority", f"优先类别「{priority}」不在规则中（{known}）",
                              f"unknown priority category '{priority}'")
        return priority
    return parse


def _preferences(rule_set: RuleSet, school_scope: Mapping[str, str]) -> Callable[[Table, Row], list[str]]:
    """The parser of one applicant's choices (the 志愿 list and the 志愿1…志愿N cells), checked against the town."""
    def parse(table: Table, row: Row) -> list[str]:
        scope = clean_text(row.get("scope"))
        listed = (clean_text(x) for x in split_list(row.get("preferences")))
        prefs: list[tuple[str, str]] = [(p, "preferences") for p in listed]
        for k in range(1, rule_set.max_preferences + 1):
            p = clean_text(row.get(f"preference_{k}"))
            if p:
                prefs.append((p, f"preference_{k}"))
        if len(prefs) > rule_set.max_preferences:
            raise table.error(row, "preferences", f"志愿数不能超过 {rule_set.max_preferences}",
                              f"at most {rule_set.max_preferences} preferences are allowed")
        seen: set[str] = set()
        for sid, key in prefs:
            if sid not in school_scope:
                raise table.error(row, key, f"志愿学校「{sid}」不在学校表中",
                                  f"preference '{sid}' is not a known school")
            if school_scope[sid] != scope:
                raise table.error(row, key, f"志愿学校「{sid}」不属于 {scope}", f"preference '{sid}' is not in {scope}")
            if sid in seen:
                raise table.error(row, key, f"志愿学校「{sid}」重复", f"preference '{sid}' is listed twice")
            seen.add(sid)
        return [p for p, _ in prefs]
    return parse


def _field_value(rule_set: RuleSet, spec: FieldSpec) -> Callable[[Table, Row], Any]:
    return lambda table, row: _canonical_value(rule_set, spec, table, row, f"field:{spec.name}")


def _read_applicants(source: InputFile, rule_set: RuleSet, schools: Sequence[Mapping[str, Any]]
                     ) -> tuple[list[PointsRecord], dict[str, dict[str, str]]]:
    """The roster and the private contact data, validated column by column.

    Every check runs once per distinct cell value (towns, categories, dates and amounts repeat
    across thousands of applicants); the first bad cell is reported as a row-by-row reader did.
    """
    columns = read_columns(source, _applicant_columns(rule_set))
    problems = Problems()
    ids = unique_ids(columns, "applicant_id", problems, "申请编号", "applicant id")
    scopes = map_distinct(columns, "scope", _scope, problems)
    priorities = map_distinct(columns, "priority", _priority_category(rule_set), problems)
    choice_keys = ["scope", "preferences", *(f"preference_{k}" for k in range(1, rule_set.max_preferences + 1))]
    school_scope = {s["id"]: s["scope"] for s in schools}
    prefs = map_distinct(columns, choice_keys, _preferences(rule_set, school_scope), problems)
    values = {f.name: map_distinct(columns, f"field:{f.name}", _field_value(rule_set, f), problems)
              for f in rule_set.fields}
    problems.raise_first()
    if not ids:
        raise columns.error(None, None, "没有任何申请", "the file lists no applicants")
    names, id_numbers, phones = (clean_array(columns.array(k)).to_pylist() for k in ("name", "id_number", "phone"))
    fields = list(values)
    with paused_gc():
        for f in rule_set.fields:
            if f.type == "list":  # rows with the same cell got the same list: each record gets its own
                values[f.name] = [list(v) for v in values[f.name]]
        roster: list[PointsRecord] = [
            {"id": aid, "scope": scope, "priority": priority, "preferences": list(p),
             "masked_name": mask_name(name), "masked_id": mask_id_number(id_number),
             "values": dict(zip(fields, row_values, strict=True))}
            for aid, scope, priority, p, name, id_number, *row_values
            in zip(ids, scopes, priorities, prefs, names, id_numbers, *values.values(), strict=True)
        ]
        private = {aid: {"name": name, "id_number": id_number, "phone": phone}
                   for aid, name, id_number, phone in zip(ids, names, id_numbers, phones, strict=True)}
    roster.sort(key=lambda r: str(r["id"]))
    return roster, private


def _read_corrections(source: InputFile, rule_set: RuleSet, roster: list[PointsRecord]) -> list[dict[str, Any]]:
    """Parse the corrections file and check each old value against the record (as corrected by earlier rows).

    ``roster`` itself is not changed: a 复核 run commits the original roster (so its public roster
    root is the original's and it can inherit the original's seed) and :func:`execute` applies the
    corrections (:func:`_corrected`); here they are applied to a copy, row by row, to check them.
    """
    table = read_table(source, CORRECTION_TABLE)
    by_id = {r["id"]: r for r in copy.deepcopy(roster)}
    by_header = {}
    for f in rule_set.fields:
        for alias in (f.name, f.header, *f.aliases):
            by_header[clean_text(alias).lower()] = f
    out: list[dict[str, Any]] = []
    for row in table:
        aid = clean_text(row.get("applicant_id"))
        record = by_id.get(aid)
        if record is None:
            raise table.error(row, "applicant_id", f"申请编号「{aid}」不存在", f"unknown applicant id '{aid}'")
        spec = by_header.get(clean_text(row.get("field")).lower())
        if spec is None:
            raise table.error(row, "field", f"字段「{row.get('field')}」不是规则中的字段",
                              f"'{row.get('field')}' is not a field of the rule set")
        old = _canonical_value(rule_set, spec, table, row, "old")
        new = _canonical_value(rule_set, spec, table, row, "new")
        current = record["values"][spec.name]
        if _blankish(current) != _blankish(old):
            raise table.error(row, "old", f"原值「{row.get('old')}」与申请记录中的值「{_show(current)}」不符",
                              f"old value '{row.get('old')}' does not match the value on file '{_show(current)}'")
        record["values"][spec.name] = new
        out.append({"applicant_id": aid, "field": spec.name, "old": old, "new": new,
                    "reason": clean_text(row.get("reason"))})
    return out


def _blankish(value: Any) -> Any:
    return None if value in ("", [], None) else value


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


def prepare_points(
    rules: InputFile,
    applicants: InputFile,
    schools: InputFile,
    *,
    corrections: InputFile | None = None,
    second_pass: bool = False,
) -> PreparedRun:
    """Read and validate every input; raises :class:`InputError`/:class:`ConfigError` (exit 2) on bad input.

    Each file is used as the one copy of bytes given: the rule text recorded in the config, its
    SHA-256 and the parsed rules all come from ``rules.data``, so they cannot disagree.
    """
    rule_set, digest, rules_text = _read_rules(rules)
    school_list = _read_schools(schools)
    roster, private = _read_applicants(applicants, rule_set, school_list)
    fixes = [] if corrections is None else _read_corrections(corrections, rule_set, roster)
    config: dict[str, Any] = {
        "rules_file": rules.name,
        "rules_toml": rules_text,
        "rules_sha256": digest,
        "schools": school_list,
        "second_pass": second_pass,
        "corrections": fixes,
    }
    sources = {f.name: f.data for f in (rules, applicants, schools, corrections) if f is not None}
    return PreparedRun(KIND, config, roster, private, sources)


# ---------------------------------------------------------------------------------------------
# execute (pure)


def _engine_value(spec: FieldSpec, value: Any) -> FieldValue:
    """Canonical JSON value → engine value (numbers in hundredths)."""
    if value is None:
        return None
    if spec.type == "number":
        hundredths = to_hundredths(Decimal(str(value)))
        if hundredths is None:
            raise EngineError(f"名单中的数值 {value} 不是两位小数以内",
                              f"roster value {value} has more than two decimals")
        return hundredths
    if spec.type == "date":
        return dt.date.fromisoformat(str(value))
    if spec.type == "datetime":
        return dt.datetime.fromisoformat(str(value))
    if spec.type == "list":
        return tuple(str(v) for v in value)
    if spec.type == "flag":
        return bool(value)
    return str(value)


_SCALAR_TYPES = frozenset({str, int, bool, float, type(None)})


def _engine_column(spec: FieldSpec, values: Sequence[Any]) -> list[FieldValue]:
    """:func:`_engine_value` of each of ``values``, computed once per distinct scalar (a field's values
    repeat across thousands of applicants). Keys carry the type, so ``True`` and ``1`` stay apart."""
    done: dict[tuple[type, Any], FieldValue] = {}
    out: list[FieldValue] = []
    for v in values:
        t = type(v)
        if t not in _SCALAR_TYPES:  # a list (or what a hostile roster holds): converted each time
            out.append(_engine_value(spec, v))
            continue
        key = (t, v)
        if key not in done:
            done[key] = _engine_value(spec, v)
        out.append(done[key])
    return out


def _applicants(rule_set: RuleSet, roster: Sequence[Mapping[str, Any]]) -> list[Applicant]:
    names = [f.name for f in rule_set.fields]
    # Read record by record (each record's values object once: column by column it missed the cache 23 times).
    rows = [tuple(map(r["values"].get, names)) for r in roster]
    by_field = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    columns = [_engine_column(f, column) for f, column in zip(rule_set.fields, by_field, strict=True)]
    return [
        Applicant(
            id=str(r["id"]), scope=str(r["scope"]), values=dict(zip(names, values, strict=True)),
            preferences=tuple(str(p) for p in r["preferences"]), priority=str(r.get("priority", "")),
        )
        for r, *values in zip(roster, *columns, strict=True)
    ]


def _show_field(spec: FieldSpec, value: int) -> str:
    if spec.type == "number":
        return format_points(value)
    if value <= 0 or value >= 1 << 50:
        return ""
    if spec.type == "date":
        return dt.date.fromordinal(value).isoformat()
    day, secs = divmod(value, 86400)
    return dt.datetime.combine(dt.date.fromordinal(day), dt.time()).replace(
        hour=secs // 3600, minute=secs // 60 % 60, second=secs % 60).isoformat(sep=" ")


def _result_label(outcome: Outcome, i: int) -> str:
    code = outcome.result(i)
    label = RESULT_LABELS[code]
    if code == "ineligible":
        gate = outcome.rule_set.gates[int(outcome.scores.failed_gate[i])]
        label += f"：{gate.label}"
    return label


def _ranking_order(outcome: Outcome) -> list[int]:
    ranked = [i for g in outcome.ranking.groups for i in g]
    seen = set(ranked)
    rest = sorted((i for i in range(len(outcome.applicants)) if i not in seen),
                  key=lambda i: (outcome.applicants[i].scope, outcome.applicants[i].id))
    # Scope-major: ranked applicants of a scope, then its unranked ones.
    scopes = sorted({a.scope for a in outcome.applicants})
    out: list[int] = []
    for s in scopes:
        out += [i for i in ranked if outcome.applicants[i].scope == s]
        out += [i for i in rest if outcome.applicants[i].scope == s]
    return out


CellColumn = tuple[Cells, Int64Array]
_BLANK = np.iinfo(np.int64).min  # a breakdown row without a quantity (no points value is this)


def _in_order(order: Int64Array, texts: Sequence[str]) -> CellColumn:
    """A text column in ``order`` (``texts`` indexed by applicant)."""
    return value_cells([texts[i] for i in order.tolist()])


def _numbers(values: Int64Array, fmt: Callable[[int], str] = format_points) -> CellColumn:
    return formatted_cells(values, fmt)


def _quantity_text(hundredths: int) -> str:
    return "" if hundredths == _BLANK else format_points(hundredths)


def _rank_text(rank: int) -> str:
    return str(rank) if rank else ""


def _result_labels(outcome: Outcome) -> list[str]:
    """:func:`_result_label` of every applicant, by index (each distinct label made once)."""
    gates = outcome.scores.failed_gate.tolist()
    labels: dict[tuple[str, int], str] = {}
    out = []
    for i in range(len(outcome.applicants)):
        code = outcome.result(i)
        key = (code, gates[i] if code == "ineligible" else -1)
        if key not in labels:
            labels[key] = _result_label(outcome, i)
        out.append(labels[key])
    return out


def _school_ids(outcome: Outcome) -> list[str]:
    ids = [s.id for s in outcome.schools]
    return [ids[s] if s >= 0 else "" for s in outcome.placement.school.tolist()]


def _listed_columns(outcome: Outcome, roster: Sequence[Mapping[str, Any]], order: Int64Array) -> list[CellColumn]:
    """The columns every list of applicants starts with: scope, rank, id, masked name and ID, priority."""
    apps = outcome.applicants
    return [
        _in_order(order, [a.scope for a in apps]), _numbers(outcome.ranking.rank[order], _rank_text),
        (text_cells([apps[i].id for i in order.tolist()]), np.arange(len(order), dtype=np.int64)),
        _in_order(order, [str(r["masked_name"]) for r in roster]),
        _in_order(order, [str(r["masked_id"]) for r in roster]), _in_order(order, [a.priority for a in apps]),
    ]


def _ranking_csv(outcome: Outcome, roster: Sequence[Mapping[str, Any]], order: Int64Array,
                 labels: Sequence[str]) -> bytes:
    """``ranking.csv``, written column by column (every cell as the csv module writes it; docs/points.md)."""
    rs = outcome.rule_set
    tie_cols = [k.text for k in rs.tie_break]
    header = ["scope", "rank", "applicant_id", "masked_name", "masked_id", "priority", "eligibility", "total",
              *(f"item:{it.id}" for it in rs.items), *(f"group:{g.id}" for g in rs.groups),
              *(f"tie:{t}" for t in tie_cols), "lottery_number", "decided_by", "second_pass_rank", "result",
              "school_id"]
    ties = []
    for key in rs.tie_break:
        spec = rs.field(key.name) if key.kind == "field" else None
        fmt = format_points if spec is None else functools.partial(_show_field, spec)
        ties.append(_numbers(outcome.ranking.tie_values[key.text][order], fmt))
    lottery = outcome.ranking.lottery
    second = outcome.second.rank[order] if outcome.second is not None else np.zeros(len(order), dtype=np.int64)
    columns = [
        *_listed_columns(outcome, roster, order),
        _in_order(order, [ELIGIBILITY_LABELS[s] for s in outcome.ranking.status]),
        _numbers(outcome.scores.total[order]),
        *(_numbers(outcome.scores.items[it.id][order]) for it in rs.items),
        *(_numbers(outcome.scores.groups[g.id][order]) for g in rs.groups),
        *ties,
        value_cells(["" if (lot := lottery.get(i)) is None else f"{lot:016x}" for i in order.tolist()]),
        _in_order(order, outcome.ranking.decided_by), _numbers(second, _rank_text),
        _in_order(order, labels), _in_order(order, _school_ids(outcome)),
    ]
    return csv_bytes_from_columns(header, columns)


def _results_csv(outcome: Outcome) -> bytes:
    """``results.csv`` in applicant order, written column by column."""
    n = len(outcome.applicants)
    columns = [(text_cells([a.id for a in outcome.applicants]), np.arange(n, dtype=np.int64)),
               value_cells(_school_ids(outcome)), _numbers(outcome.placement.choice, _rank_text),
               _numbers(outcome.placement.round, _rank_text), value_cells([outcome.result(i) for i in range(n)])]
    return csv_bytes_from_columns(["applicant_id", "school_id", "choice_rank", "round", "result"], columns)


def _schools_csv(outcome: Outcome) -> bytes:
    lines = outcome.admission_lines()
    counts = [[0, 0] for _ in outcome.schools]
    for i in range(len(outcome.applicants)):
        k = int(outcome.placement.school[i])
        if k >= 0:
            counts[k][int(outcome.placement.round[i]) - 1] += 1
    rows = []
    for k, s in enumerate(outcome.schools):
        rows.append([s.id, s.name, s.scope, s.quota, counts[k][0] + counts[k][1], counts[k][0], counts[k][1],
                     max(int(outcome.placement.seats_left[k]), 0), int(outcome.placement.over_quota[k]),
                     format_points(lines[k]) if k in lines else ""])
    return csv_bytes(["school_id", "name", "scope", "quota", "admitted", "admitted_round1", "admitted_round2",
                      "seats_left", "over_quota", "admission_line"], rows)


def _breakdown_csv(outcome: Outcome) -> bytes:
    """Which rule gave each point: item rows, a cap row where a group cap cut, and the total.

    Every applicant has the same possible rows ("slots"): per group its items (where the item
    gave points) and its adjustment (where the group total differs from its items' sum), then the
    total. The file is those slots, applicant-major, written column by column.
    """
    rs = outcome.rule_set
    n = len(outcome.applicants)
    present: list[BoolArray] = []
    quantity: list[Int64Array] = []
    points: list[Int64Array] = []
    labels: list[tuple[str, str, str, str]] = []  # group, group label, item, rule of each slot
    blank = np.full(n, _BLANK, dtype=np.int64)
    for g in rs.groups:
        members = [it for it in rs.items if it.group == g.id]
        raw_sum = np.zeros(n, dtype=np.int64)
        for it in members:
            p = outcome.scores.items[it.id]
            raw_sum = raw_sum + p
            present.append(p != 0)
            quantity.append(outcome.scores.quantities[it.id])
            points.append(p)
            labels.append((g.id, g.label, it.id, it.label))
        if members:
            adjust = outcome.scores.groups[g.id] - raw_sum
            reason = "取最高" if g.combine == "highest" else f"分组上限 {format_points(g.cap or 0)}"
            present.append(adjust != 0)
            quantity.append(blank)
            points.append(adjust)
            labels.append((g.id, g.label, f"adjust:{g.id}", reason))
    present.append(np.ones(n, dtype=np.bool_))
    quantity.append(blank)
    points.append(outcome.scores.total)
    labels.append(("", "", "total", "总积分"))
    applicant, slot = np.nonzero(np.stack(present).T)  # applicant-major, slots in order
    slot = slot.astype(np.int64)
    columns = [
        (text_cells([a.id for a in outcome.applicants]), applicant.astype(np.int64)),
        *((text_cells([lab[c] for lab in labels]), slot) for c in range(4)),
        _numbers(np.stack(quantity)[slot, applicant], _quantity_text),
        _numbers(np.stack(points)[slot, applicant]),
    ]
    return csv_bytes_from_columns(["applicant_id", "group", "group_label", "item", "rule", "quantity", "points"],
                                  columns)


PUBLICATION_HEADER = ("镇街", "排名", "申请编号", "姓名", "身份证号", "优先类别", "总积分", "结果", "录取学校")


def _publication_csv(outcome: Outcome, roster: Sequence[Mapping[str, Any]], order: Int64Array,
                     labels: Sequence[str]) -> bytes:
    """``publication.csv`` (公示名单 for people, with a BOM), written column by column."""
    names = [s.name or s.id for s in outcome.schools]
    columns = [
        *_listed_columns(outcome, roster, order),
        _numbers(outcome.scores.total[order]), _in_order(order, labels),
        _in_order(order, [names[s] if s >= 0 else "" for s in outcome.placement.school.tolist()]),
    ]
    return people_csv_from_columns(PUBLICATION_HEADER, columns)


def _number(hundredths: int) -> Decimal:
    """A points value as an exact number cell (``1250`` → ``12.5``)."""
    return Decimal(hundredths) / 100


def _school_cells(outcome: Outcome, i: int) -> tuple[str, str]:
    s = int(outcome.placement.school[i])
    return (outcome.schools[s].id, outcome.schools[s].name) if s >= 0 else ("", "")


def _publication_sheet(outcome: Outcome, roster: Sequence[Mapping[str, Any]], title: Title, order: Int64Array,
                       labels: Sequence[str]) -> Sheet:
    """公示名单 as a sheet, column by column: rank and total as number cells, school code and name side by side."""
    at = order.tolist()
    apps = outcome.applicants
    totals: dict[int, Decimal] = {}
    schools = outcome.placement.school[order].tolist()
    codes = [s.id for s in outcome.schools]
    names = [s.name for s in outcome.schools]
    columns: list[list[CellValue]] = [
        [apps[i].scope for i in at], [rank or None for rank in outcome.ranking.rank[order].tolist()],
        [apps[i].id for i in at], [str(roster[i]["masked_name"]) for i in at],
        [str(roster[i]["masked_id"]) for i in at], [apps[i].priority for i in at],
        [totals[h] if h in totals else totals.setdefault(h, _number(h)) for h in outcome.scores.total[order].tolist()],
        [labels[i] for i in at], [codes[k] if k >= 0 else "" for k in schools],
        [names[k] if k >= 0 else "" for k in schools]]
    header = (*PUBLICATION_HEADER[:-1], "学校代码", "录取学校")
    return Sheet("公示名单", title, header, (), columns)


def _ranking_sheet(outcome: Outcome, roster: Sequence[Mapping[str, Any]], title: Title) -> Sheet:
    """``ranking.csv`` for people: Chinese headers, group sub-scores by label, codes explained in Chinese."""
    rs = outcome.rule_set
    header = ["镇街", "排名", "申请编号", "姓名", "身份证号", "优先类别", "资格", "总积分",
              *(g.label for g in rs.groups), "排序依据", "派位号", "二次排位名次", "结果", "结果代码",
              "学校代码", "学校名称"]
    rows: list[list[CellValue]] = []
    for i in _ranking_order(outcome):
        a, r = outcome.applicants[i], roster[i]
        lot = outcome.ranking.lottery.get(i)
        second = (int(outcome.second.rank[i]) or None) if outcome.second is not None else None
        rows.append([
            a.scope, int(outcome.ranking.rank[i]) or None, a.id, str(r["masked_name"]), str(r["masked_id"]),
            a.priority, ELIGIBILITY_LABELS[outcome.ranking.status[i]], _number(int(outcome.scores.total[i])),
            *(_number(int(outcome.scores.groups[g.id][i])) for g in rs.groups),
            decided_by_label(rs, outcome.ranking.decided_by[i]), "" if lot is None else f"{lot:016x}", second,
            _result_label(outcome, i), outcome.result(i), *_school_cells(outcome, i),
        ])
    return Sheet("排名", title, header, rows)


def _by_school_sheets(outcome: Outcome, roster: Sequence[Mapping[str, Any]], title: Title) -> list[Sheet]:
    """Per school: who was admitted (by round and rank), the schools' figures, and everyone not admitted."""
    admitted: list[tuple[str, int, int, str, list[CellValue]]] = []
    others: list[list[CellValue]] = []
    for i in _ranking_order(outcome):
        a, r = outcome.applicants[i], roster[i]
        rank = int(outcome.ranking.rank[i]) or None
        code, name = _school_cells(outcome, i)
        total = _number(int(outcome.scores.total[i]))
        if code:
            rnd = int(outcome.placement.round[i])
            admitted.append((code, rnd, rank or 0, a.id, [
                code, name, a.scope, a.id, str(r["masked_name"]), total, rank,
                int(outcome.placement.choice[i]) or None, rnd, _result_label(outcome, i)]))
        else:
            others.append([a.scope, rank, a.id, str(r["masked_name"]), total, _result_label(outcome, i),
                           outcome.result(i)])
    admitted.sort(key=lambda t: (t[0], t[1], t[2], t[3]))
    lines = outcome.admission_lines()
    seats = outcome.placement.seats_left
    schools: list[list[CellValue]] = [
        [s.id, s.name, s.scope, s.quota, sum(1 for t in admitted if t[0] == s.id), max(int(seats[k]), 0),
         _number(lines[k]) if k in lines else None] for k, s in enumerate(outcome.schools)]
    return [
        Sheet("各校录取", title, ["学校代码", "学校名称", "镇街", "申请编号", "姓名", "总积分", "排名", "志愿序号",
                                  "轮次", "结果"], [t[4] for t in admitted]),
        Sheet("学校汇总", title, ["学校代码", "学校名称", "镇街", "指标", "录取人数", "剩余学位", "录取分数线"],
              schools),
        Sheet("未录取", title, ["镇街", "排名", "申请编号", "姓名", "总积分", "结果", "结果代码"], others),
    ]


def _review_csv(before: Outcome, after: Outcome, corrections: Sequence[Correction]) -> bytes:
    rows = []
    for ch in diff_outcomes(before, after, corrections):
        rows.append([ch.applicant_id, format_points(ch.old_total), format_points(ch.new_total), ch.old_rank or "",
                     ch.new_rank or "", ch.new_rank - ch.old_rank if ch.old_rank and ch.new_rank else "",
                     ch.old_school, ch.new_school, RESULT_LABELS[ch.old_result], RESULT_LABELS[ch.new_result],
                     ch.reason])
    return csv_bytes(["applicant_id", "old_total", "new_total", "old_rank", "new_rank", "rank_change",
                      "old_school", "new_school", "old_result", "new_result", "reason"], rows)


def _outcome(rule_set: RuleSet, applicants: Sequence[Applicant], schools: Sequence[School], seed: bytes,
             second_pass: bool) -> Outcome:
    return admit_by_points(rule_set, applicants, schools, seed, second_pass=second_pass)


def execute(config: Mapping[str, Any], roster: Sequence[Record], seed: bytes,
            facts: RunFacts | None = None) -> dict[str, bytes]:
    """Public result files of a run; with corrections, also ``review_diff.csv`` against the uncorrected run.

    ``facts`` (the run's kind, id, time, practice mark and seed source) go into the XLSX title rows."""
    rule_set = parse_rule_set(str(config["rules_toml"]), str(config["rules_file"]))
    schools = [School(str(s["id"]), str(s["scope"]), int(s["quota"]), str(s.get("name", "")))
               for s in config["schools"]]
    fixes = config.get("corrections") or []
    roster = _corrected(roster, fixes)
    applicants = _applicants(rule_set, roster)
    second_pass = bool(config.get("second_pass", False))
    outcome = _outcome(rule_set, applicants, schools, seed, second_pass)
    order = np.array(_ranking_order(outcome), dtype=np.int64)
    labels = _result_labels(outcome)
    files = {
        "ranking.csv": _ranking_csv(outcome, roster, order, labels),
        "results.csv": _results_csv(outcome),
        "schools.csv": _schools_csv(outcome),
        "breakdown.csv": _breakdown_csv(outcome),
        "publication.csv": _publication_csv(outcome, roster, order, labels),
        "publication.xlsx": xlsx_bytes([_publication_sheet(outcome, roster, run_title(
            f"{rule_set.name} 积分入学公示名单", seed, facts), order, labels)]),
    }
    if len(applicants) <= XLSX_MAX_APPLICANTS:
        files["ranking.xlsx"] = xlsx_bytes([_ranking_sheet(outcome, roster, run_title(
            f"{rule_set.name} 积分排名", seed, facts))])
        files["results_by_school.xlsx"] = xlsx_bytes(_by_school_sheets(outcome, roster, run_title(
            f"{rule_set.name} 各校录取结果", seed, facts)))
    if fixes:
        specs = {f.name: f for f in rule_set.fields}
        corrections = [
            Correction(str(c["applicant_id"]), str(c["field"]), _engine_value(specs[c["field"]], c["old"]),
                       _engine_value(specs[c["field"]], c["new"]), str(c.get("reason", "")))
            for c in fixes
        ]
        reverse = [Correction(c.applicant_id, c.field, c.new, c.old, c.reason) for c in reversed(corrections)]
        try:
            original = apply_corrections(rule_set, applicants, reverse)
        except EngineError as exc:  # the roster must carry the corrected values
            raise EngineError("更正记录与名单不一致", f"corrections do not match the roster: {exc.message_en}") from exc
        before = _outcome(rule_set, original, schools, seed, second_pass)
        files["review_diff.csv"] = _review_csv(before, outcome, corrections)
    return files


def _corrected(roster: Sequence[Record], fixes: Sequence[Mapping[str, Any]]) -> Sequence[Record]:
    """The committed (original) roster with each correction's new value applied, in order (a copy)."""
    if not fixes:
        return roster
    by_id = {str(r["id"]): i for i, r in enumerate(roster)}
    out = list(roster)
    for c in fixes:
        i = by_id[str(c["applicant_id"])]
        values: dict[str, Any] = dict(cast(Mapping[str, Any], out[i]["values"]))
        values[str(c["field"])] = c["new"]
        out[i] = {**out[i], "values": values}
    return out


def _private_csv(run: PreparedRun, public: Mapping[str, bytes]) -> bytes:
    results = {}
    for line in public["results.csv"].decode("utf-8").splitlines()[1:]:
        parts = line.split(",")
        results[parts[0]] = (parts[1], parts[4])
    ids = [str(r["id"]) for r in run.roster]
    people = [run.private.get(i, {}) for i in ids]
    outcomes = [results.get(i, ("", "")) for i in ids]
    every = np.arange(len(ids), dtype=np.int64)

    def private(key: str) -> CellColumn:
        return text_cells([_text(p.get(key, "")) for p in people]), every

    columns = [(text_cells(ids), every), private("name"), private("id_number"), private("phone"),
               value_cells([school for school, _ in outcomes]),
               value_cells([RESULT_LABELS.get(result, result) for _, result in outcomes])]
    header = ["applicant_id", "name", "id_number", "phone", "school_id", "result"]
    return people_csv_from_columns(header, columns)


def _text(value: object) -> str:
    """A cell as the csv module writes it: ``None`` empty, anything else its ``str``."""
    return "" if value is None else str(value)


class PointsRunKind:
    """The ``points`` :class:`~api.runs.kind.RunKind`."""

    name = KIND
    inputs = (
        InputSpec("rules", True, "积分规则（TOML）", "points rule set (TOML)"),
        InputSpec("applicants", True, "申请表", "applicants table"),
        InputSpec("schools", True, "学校指标表", "schools and quotas"),
        InputSpec("corrections", False, "复核更正表", "corrections after review (复核)"),
    )
    options = (OptionSpec("second_pass", bool, False, "二次排位", "fill leftover seats district-wide"),)

    def prepare(self, inputs: Mapping[str, InputFile], options: Mapping[str, OptionValue]) -> PreparedRun:
        opts = check_options(self, options)
        return prepare_points(inputs["rules"], inputs["applicants"], inputs["schools"],
                              corrections=inputs.get("corrections"), second_pass=bool(opts["second_pass"]))

    def execute(self, config: Mapping[str, Any], roster: Sequence[Record], seed: bytes,
                facts: RunFacts | None = None) -> dict[str, bytes]:
        return execute(config, roster, seed, facts)

    def render_private(self, run: PreparedRun, public_files: Mapping[str, bytes], seed: bytes,
                       facts: RunFacts | None = None) -> dict[str, bytes]:
        """``private/contacts.csv``: full names, ID and phone for the office (never published)."""
        return {"private/contacts.csv": _private_csv(run, public_files)}

    def summarize(self, public_files: Mapping[str, bytes]) -> RunSummary:
        lines = public_files["results.csv"].decode("utf-8").splitlines()[1:]
        counts: dict[str, int] = {}
        for line in lines:
            code = line.rsplit(",", 1)[-1]
            counts[code] = counts.get(code, 0) + 1
        figures = [Figure("applicants", "申请", "applicants", len(lines))]
        figures += [Figure(k, RESULT_LABELS[k], k, counts[k]) for k in RESULT_LABELS if k in counts]
        return RunSummary(KIND, "积分入学", "points admission", tuple(figures))


POINTS = PointsRunKind()
