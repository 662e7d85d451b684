"""Balanced class placement run kind (阳光编班): read inputs, execute the engine, render files.

Edge module (does I/O). :func:`prepare_classes` reads the students table (CSV/XLSX,
Chinese or English headers) and the optional TOML configuration and returns a
:class:`PreparedRun`:

* ``config``: classes, sizes, limits, score and flag names, integer weights, head
  teachers — plain JSON, no floats;
* ``roster``: one public record per student, sorted by id: gender, scores as integer
  hundredths, flags, together/apart keys, preset and the homophone group id computed
  here with pypinyin (so names never enter the public roster);
* ``private``: names only.

:func:`execute` is pure in (config, roster, seed) and returns the public files
(``formed_classes.csv``, ``placement_public.csv``, ``classes.csv``, ``balance.json``,
``balance.md``, ``chart.png``). ``formed_classes.csv`` lists the classes as formed, before
the class-number draw, in canonical order (each class named by its smallest student id), so
the draws, every hard rule and every balance figure can be checked from public files.
:meth:`ClassesRunKind.render_private` adds ``placement.csv`` with names.
Formats and the TOML schema: ``docs/classes.md``.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict

from api.classes_chart import ChartData, ChartWorker
from api.homophones import PinyinHelper
from api.inputs import InputFile
from api.outputs import csv_bytes, people_csv_bytes
from api.runs.kind import Figure, InputSpec, OptionSpec, OptionValue, PreparedRun, Record, RunSummary, check_options
from api.runs.review import CorrectionField, read_corrections, review_reason
from api.tables import (
    Column,
    Row,
    Table,
    normalize_header,
    parse_decimal,
    parse_int,
    parse_yes_no,
    read_table,
    split_list,
)
from api.xlsx import Sheet, run_title, xlsx_bytes
from audit.run_facts import RunFacts
from engine.classes import Cohort, Placement, PlacementRules, Student, place_students
from engine.classes.data import DEFAULT_MAX_JUNIOR, DEFAULT_MAX_PRIMARY, LARGE_CLASS, SUBJECT_WEIGHT, TOTAL_WEIGHT
from engine.classes.review import ClassCorrection, review_placement
from engine.classes.solve import VERSION
from engine.config_keys import ANY, KeyTable, Named, check_keys, nearest_key
from engine.decimals import to_hundredths
from engine.errors import ConfigError, InputError
from engine.toml_text import parse_toml

__all__ = [
    "CLASSES",
    "KIND",
    "ClassesRunKind",
    "ColumnChoice",
    "StudentRecord",
    "choose_columns",
    "classes_columns",
    "execute",
    "prepare_classes",
]

KIND = "classes"

STUDENT_COLUMNS = (
    Column("student_id", ("学号", "学籍号", "编号", "考号", "id"), required=True, identifier=True),
    Column("name", ("姓名", "学生姓名"), required=True),
    Column("gender", ("性别", "sex"), required=True),
    Column("score", ("总分", "总成绩", "total", "成绩")),
    Column("together", ("捆绑", "同班", "绑定", "binding")),
    Column("apart", ("分开", "不同班", "互斥", "mutex")),
    Column("preset", ("预设班级", "预设", "指定班级", "preset_class")),
)


class StudentRecord(TypedDict):
    """One student of the public classes roster (docs/classes.md § Roster records); no names."""

    id: str
    gender: str
    scores: dict[str, int]
    flags: dict[str, bool]
    together: str
    apart: list[str]
    preset: int | None
    homophone: str


# Columns never treated as scores or flags, whatever they contain (privacy and noise).
_SKIP_HEADERS = {"身份证号", "身份证", "身份证号码", "证件号", "证件号码", "idnumber", "idno", "电话", "联系电话",
                 "手机", "手机号", "phone", "mobile", "备注", "note", "notes", "出生日期", "birthday",
                 "学校", "毕业学校",
                 "家长姓名", "住址", "address"}
#: Every key of the optional TOML config (docs/classes.md § Configuration); ``weights`` names score columns,
#: which are checked against the students table once it is read.
CONFIG_SCHEMA = KeyTable({
    **dict.fromkeys(("classes", "class_sizes", "stage", "max_class_size", "allow_large_classes", "scores", "flags",
                     "variance_weight", "bands", "top_n", "bottom_n", "homophones_apart", "head_teachers",
                     "search_passes"), ANY),
    "weights": Named(ANY),
})
_MALE = {"男", "m", "male", "boy", "1"}
_FEMALE = {"女", "f", "female", "girl", "2"}
_MAX_SCORE = Decimal(10000)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def _is_yes_no(value: str) -> bool:
    return _norm(value) in {"是", "否", "yes", "no", "y", "n", "1", "0", "true", "false", "", "无", "有", "√", "×", "✓"}


def _is_number(value: str) -> bool:
    try:
        d = Decimal(_norm(value))
    except ArithmeticError:
        return False
    # adjusted() first: abs() of Decimal("1e999999999") overflows the decimal context
    return d.is_finite() and (d.is_zero() or d.adjusted() < 16) and abs(d) < _MAX_SCORE


def _load_config(source: InputFile | None) -> tuple[dict[str, Any], str]:
    if source is None:
        return {}, "config"
    name = source.name
    try:
        text = source.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(name, "-", f"TOML 格式错误：{exc}", f"invalid TOML: {exc}") from exc
    return parse_toml(text, name), name


def _cfg_int(cfg: Mapping[str, Any], key: str, file: str, default: int | None) -> int | None:
    value = cfg.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(file, key, "应为整数", "must be a whole number")
    return value


def _cfg_names(cfg: Mapping[str, Any], key: str, file: str) -> list[str] | None:
    value = cfg.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(file, key, "应为字符串列表", "must be a list of strings")
    return [str(v) for v in value]


def _hundredths(table: Table, row: Row, header: str) -> int:
    value = row.get(header)
    d = parse_decimal(table, row, header)
    hundredths = to_hundredths(d)
    if hundredths is None:
        raise table.error(row, header, f"「{value}」最多两位小数", f"'{value}' has more than two decimals")
    if abs(d) >= _MAX_SCORE:
        raise table.error(row, header, f"「{value}」不像成绩", f"'{value}' does not look like a score")
    return hundredths


def _homophone_ids(ids: list[str], names: list[str], helper: PinyinHelper) -> dict[str, str]:
    """Group students whose full names sound the same (pinyin without tones); id ``h1``, ``h2`` …"""
    named = [(sid, name) for sid, name in zip(ids, names, strict=True) if name]
    groups: dict[str, list[str]] = {}
    for (sid, _), key in zip(named, helper.keys([name for _, name in named]), strict=True):
        groups.setdefault(key, []).append(sid)
    real = sorted((sorted(m, key=lambda s: s.encode("utf-8")) for m in groups.values() if len(m) > 1),
                  key=lambda m: m[0].encode("utf-8"))
    return {sid: f"h{i + 1}" for i, members in enumerate(real) for sid in members}


@dataclass(frozen=True)
class ColumnChoice:
    """Which extra columns of the students table are balanced, and which were left out and why.

    Printed by ``sunshine classes`` before it runs, so the clerk sees that 序号 or 入学年份
    was not balanced as a subject, and can override it in the config (``scores = [...]``).
    """

    scores: tuple[str, ...]
    flags: tuple[str, ...]
    ignored: tuple[tuple[str, str, str], ...]  # (header, why in Chinese, why in English)


# Headers that name identifiers or administrative numbers, never a subject (folded as normalize_header does).
_ADMIN_WORDS = ("序号", "编号", "代码", "号码", "学号", "学籍", "考号", "座号", "年份", "年度", "年龄", "年级",
                "班级", "班号", "电话", "手机", "邮编", "户籍", "出生", "身份证", "证件",
                "no.", "index", "code", "year", "age", "phone")


def _admin_reason(header: str, values: Sequence[str]) -> tuple[str, str] | None:
    """Why a numeric column is an identifier or administrative number rather than a score (``None``: a score).

    By its header (序号, 编号, 年份, 年龄…) or by its values: a running index (1, 2, 3… in any
    order), codes (leading zeros, or all the same length of five digits or more), years.
    """
    folded = normalize_header(header)
    word = next((w for w in _ADMIN_WORDS if w.replace(".", "") == folded or (not w.isascii() and w in folded)), None)
    if word is not None:
        return f"表头像编号或管理信息（{word}）", f"the header names an identifier or administrative number ({word})"
    texts = [_norm(v) for v in values]
    if not all(t.isdigit() and t.isascii() for t in texts):
        return None
    if any(len(t) > 1 and t.startswith("0") for t in texts):
        return "有以 0 开头的编号", "codes with leading zeros"
    if len(texts) >= 3 and min(map(len, texts)) >= 5 and len(set(map(len, texts))) == 1:
        return "位数相同的长编号", "codes of one fixed length"
    numbers = sorted(int(t) for t in texts)
    # a running index counts from 0 or 1; consecutive scores elsewhere (60…75) are only a small cohort's chance
    if len(numbers) >= 3 and numbers[0] in (0, 1) and numbers == list(range(numbers[0], numbers[0] + len(numbers))):
        return "像序号（连续编号）", "a running index (consecutive numbers)"
    if numbers[0] >= 1900 and numbers[-1] <= 2100:
        return "像年份", "looks like years"
    return None


def choose_columns(table: Table, want_scores: list[str] | None, want_flags: list[str] | None,
                   cfg_file: str) -> ColumnChoice:
    """Zero configuration: numeric columns are scores and yes/no columns flags, unless they look administrative.

    ``want_scores`` / ``want_flags`` (the config's ``scores`` / ``flags``) narrow the choice and
    override the administrative guess: a column the clerk names is balanced.
    """
    score_cols: list[str] = []
    flag_cols: list[str] = []
    ignored: list[tuple[str, str, str]] = []
    for header in table.extra_headers:
        if header.replace(" ", "").lower() in _SKIP_HEADERS:
            ignored.append((header, "个人信息或备注，不参与均衡", "personal data or notes, never balanced"))
            continue
        values = [r.extra[header] for r in table.rows if r.extra[header].strip()]
        if not values:
            ignored.append((header, "整列为空", "the column is empty"))
            continue
        yes_no = sum(_is_yes_no(v) for v in values)
        numeric = sum(_is_number(v) for v in values)
        # Mostly yes/no → a flag; mostly numbers → a score. Stray cells are then reported
        # at their row rather than silently dropping the whole column.
        if yes_no == len(values) or (yes_no * 2 > len(values) and yes_no >= numeric):
            flag_cols.append(header)
        elif numeric * 2 > len(values):
            reason = _admin_reason(header, values)
            if reason is None or header in (want_scores or ()):
                score_cols.append(header)
            else:
                ignored.append((header, *reason))
        else:
            ignored.append((header, "不是数字也不是 是/否", "neither numbers nor yes/no"))
    for key, wanted, found in (("scores", want_scores, score_cols), ("flags", want_flags, flag_cols)):
        for name in wanted or []:
            if name not in table.extra_headers:
                raise ConfigError(cfg_file, key, f"学生表没有「{name}」列",
                                  f"the students table has no column '{name}'")
            if name not in found:
                found.append(name)
    if want_scores is not None:
        score_cols = [c for c in score_cols if c in want_scores]
    if want_flags is not None:
        flag_cols = [c for c in flag_cols if c in want_flags]
    chosen = {*score_cols, *flag_cols}
    return ColumnChoice(tuple(score_cols), tuple(flag_cols), tuple(i for i in ignored if i[0] not in chosen))


def classes_columns(students: InputFile, config: InputFile | None = None) -> ColumnChoice:
    """The columns :func:`prepare_classes` balances and ignores for these inputs (for the command line to print)."""
    cfg, cfg_file = _load_config(config)
    table = read_table(students, STUDENT_COLUMNS)
    return choose_columns(table, _cfg_names(cfg, "scores", cfg_file), _cfg_names(cfg, "flags", cfg_file), cfg_file)


def _gender(table: Table, row: Row, key: str) -> str:
    g = _norm(row.get(key))
    if g in _MALE:
        return "M"
    if g in _FEMALE:
        return "F"
    raise table.error(row, key, f"「{row.get(key)}」应为 男/女", f"'{row.get(key)}' should be M/F (男/女)")


def _on_file(record: Record, key: str, name: str) -> Any:
    """A student's score or flag ``name`` as the roster holds it."""
    values: Mapping[str, Any] = record[key]  # type: ignore[assignment]
    return values[name]


def _correction_fields(score_names: Sequence[str], flag_names: Sequence[str], total_is_sum: bool
                       ) -> list[CorrectionField]:
    """What a class-placement 复核 may correct: gender, any balanced score, any yes/no flag (and 退出)."""
    def score(name: str) -> CorrectionField:
        def parse(table: Table, row: Row, key: str) -> int:
            if total_is_sum and name == score_names[0]:
                raise table.error(row, "field", f"{name}为各科之和，请更正科目成绩",
                                  f"{name} is the sum of the subjects: correct a subject instead")
            return _hundredths(table, row, key)
        return CorrectionField(f"score:{name}", (name,), parse, lambda r: _on_file(r, "scores", name),
                               lambda v: f"{Decimal(v) / 100:f}".rstrip("0").rstrip("."))

    def flag(name: str) -> CorrectionField:
        return CorrectionField(f"flag:{name}", (name,), parse_yes_no, lambda r: _on_file(r, "flags", name),
                               lambda v: "是" if v else "否")

    return [CorrectionField("gender", ("性别", "sex"), _gender, lambda r: r["gender"],
                            lambda v: "男" if v == "M" else "女"),
            *map(score, score_names), *map(flag, flag_names)]


def prepare_classes(students: InputFile, classes: int | None, config: InputFile | None = None,
                    corrections: InputFile | None = None) -> PreparedRun:
    """Parse and validate the inputs; raises InputError / ConfigError with location.

    With ``corrections`` (复核) the roster stays the original one and the checked corrections
    go into the config; :func:`execute` then keeps the posted classes (engine.classes.review)
    and adds ``review_diff.csv``.
    """
    helper = PinyinHelper()  # imports pypinyin on the other core while the inputs are read and checked
    try:
        return _prepare_classes(students, classes, config, corrections, helper)
    finally:
        helper.close()


def _prepare_classes(students: InputFile, classes: int | None, config: InputFile | None,
                     corrections: InputFile | None, helper: PinyinHelper) -> PreparedRun:
    cfg, cfg_file = _load_config(config)
    check_keys(cfg, CONFIG_SCHEMA, cfg_file)
    k_cfg = _cfg_int(cfg, "classes", cfg_file, None)
    sizes = cfg.get("class_sizes")
    if sizes is not None and (not isinstance(sizes, list) or not all(isinstance(s, int) and s > 0 for s in sizes)):
        raise ConfigError(cfg_file, "class_sizes", "应为正整数列表", "must be a list of positive whole numbers")
    k = classes if classes is not None else (k_cfg if k_cfg is not None else (len(sizes) if sizes else None))
    if k is None:
        raise ConfigError(cfg_file, "classes", "请用 --classes 或配置 classes 指定班级数",
                          "give the number of classes with --classes or 'classes' in the config")
    if k_cfg is not None and classes is not None and k_cfg != classes:
        raise ConfigError(cfg_file, "classes", f"配置为 {k_cfg} 个班，与 --classes {classes} 不一致",
                          f"config says {k_cfg} classes but --classes says {classes}")
    stage = cfg.get("stage", "junior")
    if stage not in ("primary", "junior"):
        raise ConfigError(cfg_file, "stage", "应为 primary（小学）或 junior（初中）", "must be 'primary' or 'junior'")
    default_max = DEFAULT_MAX_PRIMARY if stage == "primary" else DEFAULT_MAX_JUNIOR
    max_size = _cfg_int(cfg, "max_class_size", cfg_file, default_max)
    allow_large = bool(cfg.get("allow_large_classes", False))
    assert max_size is not None
    if max_size >= LARGE_CLASS and not allow_large:
        raise ConfigError(cfg_file, "max_class_size",
                          f"{max_size} 人属于大班额（56 人及以上），如确需请设置 allow_large_classes = true",
                          f"{max_size} is a large class (56+); set allow_large_classes = true if really needed")

    table = read_table(students, STUDENT_COLUMNS)
    if not table.rows:
        raise InputError(table.file, "没有学生记录", "no student rows")
    choice = choose_columns(table, _cfg_names(cfg, "scores", cfg_file), _cfg_names(cfg, "flags", cfg_file), cfg_file)
    score_cols, flag_cols = list(choice.scores), list(choice.flags)
    has_total = table.has("score")
    if not has_total and not score_cols:
        raise InputError(table.file, "没有成绩列（总分或各科成绩）", "no score column (total or subjects)", row=1)
    total_name = table.headers["score"] if has_total else "总分"
    score_names = [total_name, *score_cols]

    weights_cfg = cfg.get("weights", {})
    if not isinstance(weights_cfg, dict):
        raise ConfigError(cfg_file, "weights", "应为表，如 weights = { \"数学\" = 2 }",
                          "must be a table, e.g. { \"数学\" = 2 }")
    weights: dict[str, int] = {}
    for name, w in weights_cfg.items():
        if name not in score_names and name not in ("total", "总分"):
            guess = nearest_key(name, [*score_names, "总分"])
            hint_zh, hint_en = (f"，是否应为「{guess}」？", f"; did you mean '{guess}'?") if guess else ("", "")
            raise ConfigError(cfg_file, f"weights.{name}", f"不是成绩列{hint_zh}（成绩列：{'、'.join(score_names)}）",
                              f"is not a score column{hint_en} (score columns: {', '.join(score_names)})")
        if isinstance(w, bool) or not isinstance(w, int | float) or w < 0:
            raise ConfigError(cfg_file, f"weights.{name}", "应为非负数", "must be a non-negative number")
        is_total = name in ("total", "总分") or name == total_name
        unit = TOTAL_WEIGHT if is_total else SUBJECT_WEIGHT
        weights[total_name if is_total else name] = round(Decimal(str(w)) * unit)
    teachers = _cfg_names(cfg, "head_teachers", cfg_file) or []

    # Unknown-header columns (subjects, flags) located by their own header text.
    extra = Table(table.file, {h: h for h in table.extra_headers}, (), ())
    ids: list[str] = []
    names: list[str] = []
    roster: list[StudentRecord] = []
    seen: dict[str, int] = {}
    for row in table:
        sid = table.unique_key(row, "student_id", seen, "学号", "student id")
        gender = _gender(table, row, "gender")
        extra_row = Row(row.number, row.extra)
        subj = {c: _hundredths(extra, extra_row, c) for c in score_cols}
        total = _hundredths(table, row, "score") if has_total else sum(subj.values())
        flags = {c: parse_yes_no(extra, extra_row, c) for c in flag_cols}
        preset = parse_int(table, row, "preset", minimum=1, default=0) if row.get("preset") else None
        if preset is not None and preset > k:
            raise table.error(row, "preset", f"预设班级 {preset} 超出 1–{k}", f"preset class {preset} is outside 1–{k}")
        ids.append(sid)
        names.append(row.get("name"))
        roster.append({
            "id": sid, "gender": gender, "scores": {total_name: total, **subj}, "flags": flags,
            "together": row.get("together"), "apart": split_list(row.get("apart")), "preset": preset,
            "homophone": "",
        })
    homophones = _homophone_ids(ids, names, helper)
    for rec in roster:
        rec["homophone"] = homophones.get(rec["id"], "")
    roster.sort(key=lambda r: r["id"].encode("utf-8"))
    run_config: dict[str, Any] = {
        "engine": VERSION, "classes": k, "class_sizes": sizes, "max_class_size": max_size,
        "allow_large_classes": allow_large, "score_names": score_names, "flag_names": flag_cols,
        "weights": weights, "variance_weight": _cfg_int(cfg, "variance_weight", cfg_file, 5),
        "bands": _cfg_int(cfg, "bands", cfg_file, 5), "top_n": _cfg_int(cfg, "top_n", cfg_file, None),
        "bottom_n": _cfg_int(cfg, "bottom_n", cfg_file, None),
        "homophones_apart": bool(cfg.get("homophones_apart", True)), "head_teachers": teachers,
        "search_passes": _cfg_int(cfg, "search_passes", cfg_file, 400),
    }
    rules_from_config(run_config)  # validate now: a bad config must fail before anything runs
    if corrections is not None:
        fields = _correction_fields(score_names, flag_cols, not has_total)
        _, fixes = read_corrections(corrections, STUDENT_COLUMNS[0], {r["id"]: r for r in roster}, fields,
                                    id_zh="学号", id_en="student id")
        run_config["corrections"] = [c.item for c in fixes]
        run_config["total_is_sum"] = not has_total
    private = {sid: {"name": name} for sid, name in zip(ids, names, strict=True)}
    sources = {f.name: f.data for f in (students, config, corrections) if f is not None}
    return PreparedRun(kind=KIND, config=run_config, roster=roster, private=private, source_files=sources)


def rules_from_config(config: Mapping[str, Any]) -> PlacementRules:
    sizes = config.get("class_sizes")
    return PlacementRules(
        classes=int(config["classes"]), class_sizes=tuple(int(s) for s in sizes) if sizes else None,
        max_class_size=int(config["max_class_size"]), allow_large_classes=bool(config["allow_large_classes"]),
        bands=int(config["bands"]), top_n=config.get("top_n"), bottom_n=config.get("bottom_n"),
        homophones_apart=bool(config["homophones_apart"]),
        weights={str(k): int(v) for k, v in config["weights"].items()},
        variance_weight=int(config["variance_weight"]), head_teachers=tuple(config["head_teachers"]),
        search_passes=int(config["search_passes"]),
    )


def cohort_from_roster(config: Mapping[str, Any], roster: Sequence[Mapping[str, Any]]) -> Cohort:
    scores = tuple(str(s) for s in config["score_names"])
    flags = tuple(str(f) for f in config["flag_names"])
    students = tuple(Student(
        student_id=str(r["id"]), gender="M" if r["gender"] == "M" else "F",
        scores=tuple(int(r["scores"][s]) for s in scores), flags=tuple(bool(r["flags"][f]) for f in flags),
        together=str(r.get("together", "")), apart=tuple(str(a) for a in r.get("apart", [])),
        preset=None if r.get("preset") is None else int(r["preset"]), homophone=str(r.get("homophone", "")),
    ) for r in roster)
    return Cohort(scores, flags, students)


def _pts(x: float, places: int = 2) -> str:
    return f"{x:.{places}f}"


def _classes_csv(pl: Placement) -> bytes:
    p = pl.problem
    flags = p.cohort.flag_names
    band_rules = [r.name for r in p.counts if r.name not in ("boys", *flags)]
    header = ["class", "size", "boys", "girls", *flags, *band_rules]
    for s in p.cohort.score_names:
        header += [f"{s} mean", f"{s} sd"]
    header += ["head_teacher", "group"]
    rows = []
    for st in sorted(pl.report.classes, key=lambda c: pl.label_of_slot[c.slot]):
        label = pl.label_of_slot[st.slot]
        row: list[object] = [label, st.size, st.boys, st.girls, *(st.counts[f] for f in flags),
                             *(st.counts[b] for b in band_rules)]
        for s in p.cohort.score_names:
            row += [_pts(st.means[s], 4), _pts(st.sds[s], 4)]
        row += [pl.head_teachers.get(label, ""), pl.group_of_slot(st.slot)]
        rows.append(row)
    return csv_bytes(header, rows)


def _formed_classes_csv(pl: Placement) -> bytes:
    """``group, student_id``: the classes as formed, group g = the g-th by smallest student id (UTF-8 bytes)."""
    students = pl.problem.cohort.students  # canonical order: by student_id bytes
    group = {slot: g for g, slot in enumerate(pl.formed, start=1)}
    of = [group[int(c)] for c in pl.slot_of_student]
    return csv_bytes(["group", "student_id"], [[of[i], students[i].student_id]
                                               for i in sorted(range(len(students)), key=lambda i: (of[i], i))])


def _warnings(pl: Placement) -> list[str]:
    out = []
    largest = int(pl.problem.sizes.max())
    if largest >= LARGE_CLASS:
        out.append(f"大班额：最大班级 {largest} 人（56 人及以上） / "
                   f"large class: the largest class has {largest} students (56+)")
    elif pl.problem.rules.max_class_size >= LARGE_CLASS:
        out.append(f"班额上限 {pl.problem.rules.max_class_size} 允许大班额 / max class size "
                   f"{pl.problem.rules.max_class_size} allows large classes (56+)")
    return out


def _balance(pl: Placement) -> dict[str, Any]:
    rep = pl.report
    checks = [{"rule": c.rule, "group": c.group, "members": list(c.members),
               "classes": [pl.label_of_slot[s] for s in c.slots], "holds": c.holds, "detail": c.detail}
              for c in rep.checks]
    return {
        "engine": VERSION, "method": pl.method, "warnings": _warnings(pl),
        "search": {"passes": pl.stats.passes, "swaps": pl.stats.swaps, "evaluations": pl.stats.evaluations,
                   "objective": f"{pl.stats.objective:.9f}", "bound": None,
                   "note": "exchange search: local optimum, no proven bound"},
        "hard_rule_violations": rep.violations,
        "gaps": {k: _pts(v, 4) for k, v in rep.gaps.items()},
        "class_labels": {str(pl.label_of_slot[s]): pl.group_of_slot(s) for s in range(pl.problem.k)},
        "head_teachers": {str(k): v for k, v in sorted(pl.head_teachers.items())},
        "checks": checks,
    }


def _balance_md(pl: Placement, config: Mapping[str, Any]) -> bytes:
    rep = pl.report
    p = pl.problem
    lines = ["# 均衡编班报告 Balance report", "",
             f"- 学生 students: {p.n}; 班级 classes: {p.k}; 方法 method: {pl.method} "
             f"({pl.stats.passes} passes, {pl.stats.swaps} swaps)",
             f"- 硬性规则违反 hard-rule violations: **{rep.violations}**",
             "- 下界 bound: 交换搜索为局部最优，无证明下界 / exchange search reaches a local optimum; no proven bound"]
    lines += [f"- ⚠ {w}" for w in _warnings(pl)]
    lines += ["", "## 各维度极差 Max − min across classes", "", "| 维度 dimension | 极差 gap |", "|---|---|"]
    lines += [f"| {k} | {_pts(v, 4)} |" for k, v in rep.gaps.items()]
    lines += ["", "## 硬性规则核查 Hard-rule audit", "",
              "| 规则 rule | 组 group | 学号 members | 班级 classes | 满足 holds |",
              "|---|---|---|---|---|"]
    for c in rep.checks:
        classes = ",".join(str(pl.label_of_slot[s]) for s in c.slots) if c.rule != "count" else ""
        mark = "✓" if c.holds else f"✗ {c.detail}"
        lines.append(f"| {c.rule} | {c.group} | {' '.join(c.members)} | {classes} | {mark} |")
    lines += ["", "## 公开抽签 Public draws", "",
              "班级编号（class-labels，组 = formed_classes.csv 的 group）：" + "，".join(
                  f"{pl.label_of_slot[s]}←组{g}" for g, s in enumerate(pl.formed, start=1))]
    if pl.head_teachers:
        lines.append("班主任（head-teachers）：" + "，".join(f"{k}班 {v}" for k, v in sorted(pl.head_teachers.items())))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _chart_data(pl: Placement) -> ChartData:
    """What ``chart.png`` shows (:mod:`api.classes_chart`): per score, each class's scores, classes by label."""
    p = pl.problem
    order = sorted(range(p.k), key=lambda s: pl.label_of_slot[s])
    of = pl.slot_of_student.tolist()
    members = {s: [i for i in range(p.n) if of[i] == s] for s in order}
    return {"n": p.n, "labels": [pl.label_of_slot[s] for s in order], "score_names": list(p.cohort.score_names),
            "scores": [[[p.cohort.students[i].scores[j] for i in members[s]] for s in order]
                       for j in range(len(p.cohort.score_names))]}


def _chart_png(pl: Placement, worker: ChartWorker) -> bytes:
    """``chart.png`` of ``pl``, drawn by ``worker`` (started before the solve, see :mod:`api.classes_chart`)."""
    return worker.draw(_chart_data(pl))


def execute(config: Mapping[str, Any], roster: Sequence[Record], seed: bytes) -> dict[str, bytes]:
    """Public result files; deterministic in (config, roster, seed, engine version).

    With corrections (复核): the files of the corrected placement (the posted classes kept,
    withdrawn students off the lists) and ``review_diff.csv``.
    """
    cohort, rules = cohort_from_roster(config, roster), rules_from_config(config)
    worker = ChartWorker()  # imports matplotlib on the other core while this process solves
    try:
        return _execute(cohort, rules, config, seed, worker)
    finally:
        worker.close()


def _execute(cohort: Cohort, rules: PlacementRules, config: Mapping[str, Any], seed: bytes,
             worker: ChartWorker) -> dict[str, bytes]:
    if not config.get("corrections"):
        return _placement_files(place_students(cohort, rules, seed), config, [], worker)
    fixes = [ClassCorrection(str(c["id"]), str(c["field"]), c["old"], c["new"], str(c["reason"]))
             for c in config["corrections"]]
    review = review_placement(cohort, rules, seed, fixes, total_is_sum=bool(config["total_is_sum"]))
    warnings = [f"复核：{len(fixes)} 项更正，{len(review.withdrawn)} 人退出，其他学生班级不变 / review: "
                f"{len(fixes)} correction(s), {len(review.withdrawn)} withdrawn, every other student keeps their class"]
    warnings += [f"复核后均衡计数超出 ±1（未调整任何学生）/ after the corrections a count rule is outside ±1 "
                 f"(no student was moved): {b}" for b in review.broken_counts]
    files = _placement_files(review.after, config, warnings, worker)
    files["review_diff.csv"] = csv_bytes(REVIEW_COLUMNS, (
        (ch.student_id, ch.old_class, "" if ch.new_class is None else ch.new_class, "编入",
         "已退出" if ch.new_class is None else "编入", ch.cause, review_reason(ch.reason_zh, ch.reason_en))
        for ch in review.changes))
    return files


#: ``review_diff.csv`` of a corrected class placement (docs/outputs.md § review_diff.csv).
REVIEW_COLUMNS = ("student_id", "old_class", "new_class", "old_result", "new_result", "cause", "reason")


def _placement_files(pl: Placement, config: Mapping[str, Any], warnings: Sequence[str],
                     worker: ChartWorker) -> dict[str, bytes]:
    placement = csv_bytes(["student_id", "class"],
                          [[s.student_id, pl.class_of(i)] for i, s in enumerate(pl.problem.cohort.students)])
    balance = _balance(pl)
    balance["warnings"] = [*balance["warnings"], *warnings]
    return {
        "formed_classes.csv": _formed_classes_csv(pl),
        "placement_public.csv": placement,
        "classes.csv": _classes_csv(pl),
        "balance.json": (json.dumps(balance, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode(),
        "balance.md": _balance_md(pl, config),
        "chart.png": _chart_png(pl, worker),
    }


class ClassesRunKind:
    """The ``classes`` :class:`~api.runs.kind.RunKind`."""

    name = KIND
    inputs = (
        InputSpec("students", True, "学生表（学号、姓名、性别、成绩…）", "students table (id, name, gender, scores…)"),
        InputSpec("config", False, "编班配置（TOML）", "placement configuration (TOML)"),
        InputSpec("corrections", False, "复核更正表（退出、性别、成绩、是/否项更正）",
                  "corrections after review (复核: withdrawals, gender, scores, yes/no flags)"),
    )
    options = (OptionSpec("classes", int, None, "班级数", "number of classes"),)

    def prepare(self, inputs: Mapping[str, InputFile], options: Mapping[str, OptionValue]) -> PreparedRun:
        opts = check_options(self, options)
        k = opts["classes"]
        return prepare_classes(inputs["students"], k if isinstance(k, int) else None, inputs.get("config"),
                               inputs.get("corrections"))

    def execute(self, config: Mapping[str, Any], roster: Sequence[Record], seed: bytes,
                facts: RunFacts | None = None) -> dict[str, bytes]:
        return execute(config, roster, seed)  # the public files hold no title rows

    def render_private(self, run: PreparedRun, public_files: Mapping[str, bytes], seed: bytes,
                       facts: RunFacts | None = None) -> dict[str, bytes]:
        """The class lists schools post — names, never ID numbers:

        ``placement.csv`` (student_id, name, class; UTF-8 with BOM for Excel) and ``placement.xlsx``
        (one sheet per class: 学号, 姓名, 班级, with a title row naming the run by ``facts``).
        """
        classes = dict(line.split(",", 1) for line in public_files["placement_public.csv"].decode().splitlines()[1:])
        rows = sorted(([str(r["id"]), run.private.get(str(r["id"]), {}).get("name", ""), classes[str(r["id"])]]
                       for r in run.roster if str(r["id"]) in classes),  # a withdrawn student is on no list
                      key=lambda r: (int(r[2]), r[0].encode("utf-8")))
        labels = sorted({int(r[2]) for r in rows})
        sheets = [Sheet(f"{k}班", run_title(f"{k}班 分班名单 class list", seed, facts), ["学号", "姓名", "班级"],
                        [[r[0], r[1], int(r[2])] for r in rows if int(r[2]) == k]) for k in labels]
        return {"placement.csv": people_csv_bytes(["student_id", "name", "class"], rows),
                "placement.xlsx": xlsx_bytes(sheets)}

    def summarize(self, public_files: Mapping[str, bytes]) -> RunSummary:
        bal = json.loads(public_files["balance.json"])
        gaps = bal["gaps"]
        means = {k: v for k, v in gaps.items() if k.startswith("mean ")}
        worst = max(means.items(), key=lambda kv: Decimal(kv[1]))
        return RunSummary(KIND, "阳光编班", "class placement", (
            Figure("classes", "班级", "classes", len(bal["class_labels"])),
            Figure("hard_rule_violations", "硬性规则违反", "hard-rule violations", int(bal["hard_rule_violations"])),
            Figure("worst_mean_gap", f"最大均分差（{worst[0][5:]}）", f"worst mean gap ({worst[0][5:]})",
                   str(worst[1])),
        ), tuple(str(w) for w in bal.get("warnings", [])))


CLASSES = ClassesRunKind()
