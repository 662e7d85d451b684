"""Zone lottery run kind: read the input tables, execute the engine, render result files.

Edge module (does I/O). ``prepare_lottery`` validates the files with located,
bilingual errors (file, Excel row, column) and produces a :class:`PreparedRun`
whose config and roster are plain JSON; ``execute`` is pure and deterministic in
(config, roster, seed): the audit layer replays exactly this function.
Formats: docs/lottery.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import compress, count, islice
from operator import itemgetter
from typing import Any, TypedDict, TypeVar

import numpy as np

from api.inputs import InputFile
from api.outputs import csv_bytes, csv_bytes_from_columns, hex_cells, int_cells, text_cells
from api.runs.kind import (
    Figure,
    InputSpec,
    JSONObject,
    OptionSpec,
    OptionValue,
    PreparedRun,
    Record,
    RunSummary,
    check_options,
)
from api.runs.review import CorrectionField, read_corrections, review_reason
from api.tables import (
    Column,
    Columns,
    Problems,
    Row,
    Table,
    clean_array,
    clean_text,
    first_true,
    known_lists,
    map_distinct,
    parse_int,
    paused_gc,
    read_columns,
    read_table,
    split_array,
    split_list,
    unique_ids,
)
from api.xlsx import XLSX_MAX_APPLICANTS, CellValue, Sheet, run_title, xlsx_bytes
from audit.roster_columns import CodedLists, ColumnRoster, column_of
from audit.run_facts import RunFacts
from engine.errors import ConfigError, EngineError, InputError, SunshineError
from engine.lottery import Applicant, LotteryProblem, LotteryResult, Market, School, build_market
from engine.lottery.data import DEFAULT_TIER, MAX_TIER, MECHANISMS, Mechanism, market_from_columns
from engine.lottery.numbers import draw_numbers, priority_ranks
from engine.lottery.report import (
    APPLICANT_COLUMNS,
    SCHOOL_COLUMNS,
    ApplicantRow,
    applicant_rows,
    school_rows,
    summarize,
    unit_of_applicant,
)
from engine.lottery.review import FIELDS, Correction, CorrectionValue, result_label, review_lottery
from engine.lottery.rounds import place_market

__all__ = ["KIND", "LOTTERY", "LotteryRecord", "LotteryRunKind", "SchoolRecord", "execute", "prepare_lottery"]

KIND = "lottery"

SCHOOL_TABLE = (
    Column("school_id", ("学校代码", "学校编号", "school", "id"), required=True, identifier=True),
    Column("name", ("学校名称", "校名", "school_name")),
    Column("capacity", ("招生计划", "计划数", "学位数", "seats"), required=True),
)
APPLICANT_TABLE = (
    Column("applicant_id", ("报名号", "报名编号", "application_number", "id"), required=True, identifier=True),
    Column("preferences", ("志愿", "志愿学校", "choices"), required=True),
    Column("tier", ("类别", "优先类别", "category")),
    Column("priority", ("优先", "学校优先", "priorities")),
    Column("group_id", ("多胞胎组", "多胞胎", "group", "multiples")),
    Column("round2", ("二轮志愿", "二次派位志愿", "round2_preferences")),
)

T = TypeVar("T")


class SchoolRecord(TypedDict):
    """A school in the lottery config: code, name (may be blank) and seats."""

    id: str
    name: str | None
    capacity: int


class LotteryRecord(TypedDict):
    """One applicant of the public lottery roster (docs/lottery.md § Roster records)."""

    id: str
    preferences: list[str]
    tier: int
    priority: dict[str, int]
    group: str
    round2: list[str]

_PRIORITY_ITEM = re.compile(r"^(.+?)\s*[:：=]\s*([+-]?\d+)$")



def _read_schools(source: InputFile) -> tuple[list[SchoolRecord], dict[str, int]]:
    table = read_table(source, SCHOOL_TABLE)
    schools: list[SchoolRecord] = []
    seen: dict[str, int] = {}
    for row in table:
        sid = table.unique_key(row, "school_id", seen, "学校代码", "school id")
        capacity = parse_int(table, row, "capacity", minimum=0)
        schools.append({"id": sid, "name": row.get("name"), "capacity": capacity})
    if not schools:
        raise table.error(None, None, "没有任何学校", "the file lists no schools")
    schools.sort(key=lambda s: s["id"])
    return schools, seen


def _school_lists(columns: Columns, key: str, known: Mapping[str, int], problems: Problems
                  ) -> tuple[list[list[str]], CodedLists]:
    """Every row's list of school codes in column ``key`` (and as codes); an unknown or repeated code fails this check.
    """
    offsets, items = split_array(columns.array(key))
    names = list(known)
    lists, codes, bad = known_lists(offsets, clean_array(items), names)
    coded = CodedLists(np.asarray(offsets, dtype=np.int64), codes, names)
    if bad is None:
        problems.passed()
        return lists, coded
    row, item, repeated = bad
    school = clean_array(items.slice(item, 1)).to_pylist()[0]

    def explain() -> InputError:
        if repeated:
            return columns.error(row, key, f"学校 {school} 填报了两次", f"school {school} is listed twice")
        return columns.error(row, key, f"学校代码 {school} 不在学校名单中",
                             f"school {school} is not in the schools file")

    problems.check(row, explain, item - int(offsets[row]))
    return lists, coded


def _tier(table: Table, row: Row, key: str, text: str) -> int:
    value = int(text)
    if not 0 <= value <= MAX_TIER:
        raise table.error(row, key, f"类别 {text} 必须在 0 到 {MAX_TIER} 之间",
                          f"tier {text} must be between 0 and {MAX_TIER}")
    return value


def _applicant_tier(table: Table, row: Row, key: str = "tier") -> int:
    tier = parse_int(table, row, key, minimum=0, default=DEFAULT_TIER)
    if tier > MAX_TIER:
        raise table.error(row, key, f"类别必须在 0 到 {MAX_TIER} 之间", f"tier must be 0..{MAX_TIER}")
    return tier


def _priorities(known: Mapping[str, int], key: str = "priority") -> Callable[[Table, Row], dict[str, int]]:
    """The parser of one 优先 cell (``S0002:0;S0005:1``) into ``{school: tier}``, sorted by school."""
    def parse(table: Table, row: Row) -> dict[str, int]:
        priority: dict[str, int] = {}
        for item in split_list(row.get(key)):
            m = _PRIORITY_ITEM.match(clean_text(item))
            if m is None:
                raise table.error(row, key, f"「{item}」应写成 学校代码:类别，如 S0002:0",
                                  f"'{item}' should be SCHOOL:TIER, e.g. S0002:0")
            school = m.group(1).strip()
            if school not in known:
                raise _unknown_school(table, row, key, school)
            if school in priority:
                raise table.error(row, key, f"学校 {school} 写了两次", f"school {school} is listed twice")
            priority[school] = _tier(table, row, key, m.group(2))
        return dict(sorted(priority.items()))
    return parse


def _unknown_school(table: Table, row: Row, key: str, school: str) -> InputError:
    return table.error(row, key, f"学校代码 {school} 不在学校名单中", f"school {school} is not in the schools file")


def _school_list(known: Mapping[str, int], required: bool) -> Callable[[Table, Row, str], list[str]]:
    """The parser of one 志愿 / 二轮志愿 cell (a correction's value), checked as the roster reader checks it."""
    def parse(table: Table, row: Row, key: str) -> list[str]:
        schools = [clean_text(s) for s in split_list(row.get(key))]
        for i, school in enumerate(schools):
            if school not in known:
                raise _unknown_school(table, row, key, school)
            if school in schools[:i]:
                raise table.error(row, key, f"学校 {school} 填报了两次", f"school {school} is listed twice")
        if required and not schools:
            raise table.error(row, key, "志愿不能为空", "preferences must not be blank")
        return schools
    return parse


def _check_groups(columns: Columns, groups: Sequence[str], prefs: Sequence[list[str]],
                  round2: Sequence[list[str]], problems: Problems) -> None:
    """Members of one 多胞胎组 list identical choices (row by row over the few rows that have a group)."""
    first: dict[str, int] = {}
    for i in np.flatnonzero(np.array([g != "" for g in groups], dtype=np.bool_)).tolist():
        j = first.setdefault(groups[i], i)
        for key, mine in (("preferences", prefs), ("round2", round2)):
            if j != i and mine[i] != mine[j]:
                problems.check(i, _group_error(columns, i, key, groups[i], int(columns.numbers[j])))
                return
    problems.passed()


def _group_error(columns: Columns, i: int, key: str, group: str, number: int) -> Callable[[], InputError]:
    return lambda: columns.error(i, key, f"多胞胎组 {group} 的成员志愿必须完全相同（与第 {number} 行不同）",
                                 f"members of multiples group {group} must list identical {key} "
                                 f"(differs from row {number})")


def _read_applicants(source: InputFile, known: Mapping[str, int]) -> ColumnRoster:
    """The roster, validated column by column; the first bad cell is reported as a row-by-row reader would.

    The roster stays columns (:class:`~audit.roster_columns.ColumnRoster`, records in
    :class:`LotteryRecord` form, sorted by id): the commitment and the market read them as
    columns, and no record is made unless a consumer asks for one.
    """
    columns = read_columns(source, APPLICANT_TABLE)
    problems = Problems()
    ids = unique_ids(columns, "applicant_id", problems, "报名号", "application number")
    prefs, prefs_coded = _school_lists(columns, "preferences", known, problems)
    empty = first_true(np.array([not p for p in prefs], dtype=np.bool_))
    problems.check(empty, lambda: columns.error(empty, "preferences", "志愿不能为空", "preferences must not be empty"))
    tiers = map_distinct(columns, "tier", _applicant_tier, problems)
    priority = map_distinct(columns, "priority", _priorities(known), problems)
    round2, round2_coded = _school_lists(columns, "round2", known, problems)
    groups = clean_array(columns.array("group_id")).to_pylist()
    _check_groups(columns, groups, prefs, round2, problems)
    problems.raise_first()
    if not ids:
        raise columns.error(None, None, "没有任何报名记录", "the file lists no applicants")
    fields: dict[str, list[Any]] = {"id": ids, "preferences": prefs, "tier": tiers, "priority": priority,
                                    "group": groups, "round2": round2}
    coded = {"preferences": prefs_coded, "round2": round2_coded}
    if not all(map(str.__lt__, ids, islice(ids, 1, None))):  # unique ids: strictly increasing once sorted
        order = sorted(range(len(ids)), key=ids.__getitem__)
        with paused_gc():
            fields = {k: [c[i] for i in order] for k, c in fields.items()}
        coded = {k: c.take(order) for k, c in coded.items()}
    return ColumnRoster(fields, coded=coded, strings=("id", "group"))


def check_mechanism(mechanism: str) -> Mechanism:
    """The mechanism name, or a bilingual error listing the accepted ones."""
    for known in MECHANISMS:
        if known == mechanism:
            return known
    raise ConfigError("--mechanism", "mechanism", f"未知的派位方式 {mechanism!r}，可选 da、boston、serial",
                      f"unknown mechanism {mechanism!r}; use da, boston or serial")


def _correction_fields(known: Mapping[str, int]) -> tuple[CorrectionField, ...]:
    """What a lottery 复核 may correct: tier, school priorities, choices, round-2 choices (and 退出)."""
    schools = _school_list(known, required=True)
    return (
        CorrectionField("tier", ("类别", "优先类别", "category"), lambda t, r, k: _applicant_tier(t, r, k),
                        itemgetter("tier")),
        CorrectionField("priority", ("优先", "学校优先", "priorities"), lambda t, r, k: _priorities(known, k)(t, r),
                        itemgetter("priority"), _show_priority),
        CorrectionField("preferences", ("志愿", "志愿学校", "choices"), schools, itemgetter("preferences"),
                        _show_schools),
        CorrectionField("round2", ("二轮志愿", "二次派位志愿", "round2_preferences"), _school_list(known, False),
                        itemgetter("round2"), _show_schools),
    )


def _show_priority(value: object) -> str:
    return ";".join(f"{k}:{v}" for k, v in dict(value).items()) if isinstance(value, dict) else ""


def _show_schools(value: object) -> str:
    return ";".join(map(str, value)) if isinstance(value, list) else ""


def _read_corrections(source: InputFile, roster: Sequence[Mapping[str, Any]], known: Mapping[str, int]
                      ) -> list[JSONObject]:
    """The 复核 rows (api.runs.review), and twins kept consistent: a corrected choice list needs every member's row."""
    by_id = {r["id"]: r for r in roster}
    table, rows = read_corrections(source, APPLICANT_TABLE[0], by_id, _correction_fields(known),
                                   id_zh="报名号", id_en="application number")
    members: dict[str, list[str]] = {}
    for r in roster:
        if r["group"]:
            members.setdefault(r["group"], []).append(r["id"])
    fixed = {(str(c.item["id"]), str(c.item["field"])): c for c in rows}
    for c in rows:
        aid, field = str(c.item["id"]), str(c.item["field"])
        group = by_id[aid]["group"]
        if field not in ("preferences", "round2") or not group:
            continue
        for other in members[group]:
            mate = fixed.get((other, field))
            if mate is None or mate.item["new"] != c.item["new"]:
                raise table.error(c.row, "new", f"多胞胎组 {group} 的成员志愿必须相同：请同样更正 {other}",
                                  f"members of multiples group {group} must list identical {field}: "
                                  f"correct {other} the same way")
    return [c.item for c in rows]


def prepare_lottery(
    schools: InputFile, applicants: InputFile, mechanism: str = "da", round2: bool = False,
    corrections: InputFile | None = None,
) -> PreparedRun:
    """Parse and validate the files; raises :class:`~engine.errors.InputError` at the first problem.

    With ``corrections`` (复核) the roster stays the original one (so its commitment is the
    original run's) and the checked corrections go into the config; :func:`execute` then
    runs the corrected lottery with the original numbers and adds ``review_diff.csv``.
    """
    mech = check_mechanism(mechanism)
    school_list, known = _read_schools(schools)
    roster = _read_applicants(applicants, known)
    sources = {f"inputs/{schools.name}": schools.data, f"inputs/{applicants.name}": applicants.data}
    config: dict[str, Any] = {"mechanism": mech, "round2": bool(round2), "schools": school_list}
    if corrections is not None:
        config["corrections"] = _read_corrections(corrections, roster, known)
        sources[f"inputs/{corrections.name}"] = corrections.data
    return PreparedRun(kind=KIND, config=config, roster=roster, source_files=sources)


def _problem(config: Mapping[str, Any], roster: Sequence[Mapping[str, Any]]) -> LotteryProblem:
    schools = [School(str(s["id"]), str(s.get("name", "")), int(s["capacity"])) for s in config["schools"]]
    applicants = [
        Applicant(
            id=str(r["id"]),
            preferences=tuple(r["preferences"]),
            tier=int(r.get("tier", DEFAULT_TIER)),
            priorities=tuple(sorted((str(k), int(v)) for k, v in dict(r.get("priority", {})).items())),
            group=str(r.get("group", "")),
            round2=tuple(r.get("round2", ())),
        )
        for r in roster
    ]
    return LotteryProblem.create(schools, applicants)


def _columns_market(config: Mapping[str, Any], roster: Sequence[Mapping[str, Any]],
                    frozen: Mapping[str, Sequence[str]] | None = None) -> Market | None:
    """The market straight from the records (one pass per column, no per-applicant objects).

    Same conversions as :func:`_problem`; ``None`` whenever anything is unusual (unsorted
    roster, invalid record, odd types), so the caller takes the :func:`_problem` path,
    which yields the identical market or raises the usual error.
    """
    try:
        schools = [School(str(s["id"]), str(s.get("name", "")), int(s["capacity"])) for s in config["schools"]]
        # whole columns (a ColumnRoster's own, or C-level passes over the records); a column is converted
        # per item only when some value is not exactly of the target type (bool is not int: int(True) is 1)
        ids = _column(column_of(roster, "id"), str)
        preferences = column_of(roster, "preferences")
        tiers = _column(column_of(roster, "tier", DEFAULT_TIER), int)
        priority = column_of(roster, "priority", {})
        with_priority = (compress(count(), priority) if set(map(type, priority)) <= {dict}
                         else (i for i, p in enumerate(priority) if p or type(p) is not dict))
        overrides = {i: dict(sorted((str(k), int(v)) for k, v in dict(priority[i]).items())) for i in with_priority}
        groups = _column(column_of(roster, "group", ""), str)
        round2 = column_of(roster, "round2", ())
        coded = roster.coded if isinstance(roster, ColumnRoster) else None
        return market_from_columns(schools, ids, preferences, tiers, overrides, groups, round2, frozen, coded)
    except Exception:  # the slow path reproduces the exact error
        return None


def _column(values: Iterable[Any], kind: Callable[[Any], T]) -> list[T]:
    """``[kind(v) for v in values]``, without the per-item call when every value already is exactly ``kind``."""
    column = list(values)
    if set(map(type, column)) <= {kind}:
        return column
    return [kind(v) for v in column]


def _results_csv(result: LotteryResult) -> bytes:
    """``results.csv``: the bytes of ``csv_bytes(APPLICANT_COLUMNS, applicant_rows(result))``, built column-wise.

    Text cells are quoted one by one where the csv module would (:func:`api.outputs.text_cells`).
    Per-unit columns (number, placement, reason, size) are indexed by each applicant's unit.
    """
    m = result.market
    reasons = result.reason
    unit = unit_of_applicant(result)
    school = np.where(result.school >= 0, result.school, m.n_schools)  # the last cell: "" (unplaced)
    reason_texts = sorted(set(reasons))
    reason_code = np.fromiter(map({r: i for i, r in enumerate(reason_texts)}.__getitem__, reasons),
                              dtype=np.int64, count=len(reasons))
    tier, tier_code = int_cells(m.applicant_tier)
    choice, choice_code = int_cells(result.choice_rank)
    rnd, round_code = int_cells(result.round)
    size, size_code = int_cells(m.size)
    return csv_bytes_from_columns(APPLICANT_COLUMNS, [
        (text_cells(m.applicant_ids), np.arange(len(m.applicant_ids), dtype=np.int64)),
        (hex_cells(result.numbers), unit),
        (tier, tier_code),
        (text_cells([*m.school_ids, ""]), school[unit]),
        (choice, choice_code[unit]),
        (rnd, round_code[unit]),
        (text_cells(reason_texts), reason_code[unit]),
        (size, size_code[unit]),
    ])


def _by_school_xlsx(config: Mapping[str, Any], rows: Iterable[ApplicantRow], result: LotteryResult,
                    seed: bytes, facts: RunFacts | None) -> bytes:
    """Results per school for people: school names next to codes, unplaced reasons in Chinese."""
    names = {str(s["id"]): str(s.get("name") or "") for s in config["schools"]}
    title = run_title("电脑随机派位结果 Lottery results", seed, facts)
    admitted: list[list[CellValue]] = []
    unplaced: list[list[CellValue]] = []
    for r in rows:
        if r.school_id:
            admitted.append([r.school_id, names.get(r.school_id, ""), r.applicant_id, r.lottery_number, r.tier,
                             r.choice_rank, r.round, r.unit_size])
        else:
            unplaced.append([r.applicant_id, r.lottery_number, r.tier, result_label(r), r.reason, r.unit_size])
    admitted.sort(key=lambda row: (str(row[0]), int(row[6] or 0), str(row[3]), str(row[2])))
    schools: list[list[CellValue]] = [[s.school_id, names.get(s.school_id, ""), s.capacity, s.admitted,
                                       s.admitted_round1, s.admitted_round2, s.remaining]
                                      for s in school_rows(result)]
    return xlsx_bytes([
        Sheet("各校录取", title, ["学校代码", "学校名称", "报名号", "派位号", "类别", "志愿序号", "轮次",
                                  "同组人数"], admitted),
        Sheet("学校汇总", title, ["学校代码", "学校名称", "招生计划", "录取人数", "一轮录取", "二轮录取",
                                  "剩余学位"], schools),
        Sheet("未录取", title, ["报名号", "派位号", "类别", "原因", "原因代码", "同组人数"], unplaced),
    ])


def execute(config: Mapping[str, Any], roster: Sequence[Record], seed: bytes,
            facts: RunFacts | None = None) -> dict[str, bytes]:
    """Public result files: ``results.csv``, ``schools.csv``, ``summary.json`` (deterministic bytes),
    and ``results_by_school.xlsx`` for runs of at most :data:`XLSX_MAX_APPLICANTS` applicants, whose
    title rows name the run by ``facts``."""
    mech = check_mechanism(str(config.get("mechanism", "da")))
    if config.get("corrections"):
        return _execute_review(config, roster, seed, mech, facts)
    frozen = facts.frozen_groups if facts is not None else None  # multiples keep their frozen key
    market = _columns_market(config, roster, frozen)
    if market is None:
        market = build_market(_problem(config, roster), frozen)
    numbers = draw_numbers(seed, market.keys)  # as run_lottery does
    result = place_market(market, numbers, priority_ranks(numbers, market.keys), mech,
                          bool(config.get("round2", False)))
    files = _result_files(result, _results_csv(result), summarize(result))
    if len(market.applicant_ids) <= XLSX_MAX_APPLICANTS:
        files["results_by_school.xlsx"] = _by_school_xlsx(config, applicant_rows(result), result, seed, facts)
    return files


def _result_files(result: LotteryResult, results_csv: bytes, summary: Mapping[str, object]) -> dict[str, bytes]:
    return {
        "results.csv": results_csv,
        "schools.csv": csv_bytes(SCHOOL_COLUMNS, (r.as_tuple() for r in school_rows(result))),
        "summary.json": (json.dumps(summary, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
    }


def _engine_correction(c: Mapping[str, Any]) -> Correction:
    """A config correction (JSON) as the engine's :class:`~engine.lottery.review.Correction`."""
    field = next((f for f in FIELDS if f == c["field"]), None)
    if field is None:
        raise EngineError(f"未知的更正项目 {c['field']!r}", f"unknown correction field {c['field']!r}")

    def value(v: Any) -> CorrectionValue:
        if v is None or isinstance(v, int):
            return v
        if isinstance(v, dict):
            return tuple(sorted((str(k), int(t)) for k, t in v.items()))
        return tuple(str(x) for x in v)

    return Correction(str(c["id"]), field, value(c["old"]), value(c["new"]), str(c.get("reason", "")))


#: ``review_diff.csv`` of a corrected lottery (docs/outputs.md § review_diff.csv).
REVIEW_COLUMNS = ("applicant_id", "lottery_number", "old_tier", "new_tier", "old_school", "new_school",
                  "old_choice_rank", "new_choice_rank", "old_round", "new_round", "old_result", "new_result",
                  "cause", "reason")


def _execute_review(config: Mapping[str, Any], roster: Sequence[Record], seed: bytes, mech: Mechanism,
                    facts: RunFacts | None) -> dict[str, bytes]:
    """A 复核 run: the corrected lottery with the original numbers, its files and ``review_diff.csv``."""
    review = review_lottery(_problem(config, roster), [_engine_correction(c) for c in config["corrections"]],
                            seed, mech, bool(config.get("round2", False)))
    summary = {**summarize(review.after), "corrections": len(config["corrections"]),
               "withdrawn": len(review.withdrawn)}
    files = _result_files(review.after, csv_bytes(APPLICANT_COLUMNS, (r.as_tuple() for r in review.rows)), summary)
    if len(review.rows) <= XLSX_MAX_APPLICANTS:
        files["results_by_school.xlsx"] = _by_school_xlsx(config, review.rows, review.after, seed, facts)
    files["review_diff.csv"] = csv_bytes(REVIEW_COLUMNS, (
        (ch.applicant_id, ch.lottery_number, ch.before.tier, ch.after.tier, ch.before.school_id, ch.after.school_id,
         ch.before.choice_rank, ch.after.choice_rank, ch.before.round, ch.after.round, result_label(ch.before),
         result_label(ch.after), ch.cause, review_reason(ch.reason_zh, ch.reason_en))
        for ch in review.changes))
    return files


class LotteryRunKind:
    """The ``lottery`` :class:`~api.runs.kind.RunKind`."""

    name = KIND
    inputs = (
        InputSpec("schools", True, "学校表（学校代码、招生计划）", "schools table (code, seats)"),
        InputSpec("applicants", True, "报名表（报名号、志愿…）", "applicants table (application number, choices…)"),
        InputSpec("corrections", False, "复核更正表（退出、类别、志愿更正）",
                  "corrections after review (复核: withdrawals, tier, choices)"),
    )
    options = (
        OptionSpec("mechanism", str, "da", "派位方式", "mechanism", MECHANISMS),
        OptionSpec("round2", bool, False, "二次派位", "run round 2 for the unplaced"),
    )

    def prepare(self, inputs: Mapping[str, InputFile], options: Mapping[str, OptionValue]) -> PreparedRun:
        opts = check_options(self, options)
        return prepare_lottery(inputs["schools"], inputs["applicants"], str(opts["mechanism"]), bool(opts["round2"]),
                               inputs.get("corrections"))

    def execute(self, config: Mapping[str, Any], roster: Sequence[Record], seed: bytes,
                facts: RunFacts | None = None) -> dict[str, bytes]:
        return execute(config, roster, seed, facts)

    def render_private(self, run: PreparedRun, public_files: Mapping[str, bytes], seed: bytes,
                       facts: RunFacts | None = None) -> dict[str, bytes]:
        return {}

    def summarize(self, public_files: Mapping[str, bytes]) -> RunSummary:
        try:
            s = json.loads(public_files["summary.json"])
        except (KeyError, ValueError) as exc:
            raise SunshineError("缺少 summary.json", "summary.json is missing or invalid") from exc
        t = s["total"]
        return RunSummary(KIND, "多校划片派位", "zone lottery", (
            Figure("mechanism", "派位方式", "mechanism", str(s["mechanism"])),
            Figure("round2", "二次派位", "round 2", bool(s["round2"])),
            Figure("applicants", "报名", "applicants", int(s["applicants"])),
            Figure("seats", "学位", "seats", int(s["seats"])),
            Figure("schools", "学校", "schools", int(s["schools"])),
            Figure("first_choice", "第一志愿", "first choice", int(t["first_choice"])),
            Figure("top3", "前三志愿", "top 3", int(t["top3"])),
            Figure("placed_round1", "一轮录取", "round 1", int(t["placed_round1"])),
            Figure("placed_round2", "二轮录取", "round 2", int(t["placed_round2"])),
            Figure("unplaced", "未录取(统筹)", "unplaced", int(t["unplaced"])),
            *((Figure("corrections", "复核更正", "corrections", int(s["corrections"])),
               Figure("withdrawn", "退出", "withdrawn", int(s["withdrawn"]))) if "corrections" in s else ()),
        ))


LOTTERY = LotteryRunKind()
