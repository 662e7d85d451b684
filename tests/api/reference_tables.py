"""The row-wise table reader as it was before the column-wise ingest (commit a69180b), kept as the reference.

tests/api/test_ingest_reference.py checks that :func:`api.tables.read_table` and the
column-wise ``prepare_*`` readers give exactly what this reader (and the row-wise
validators below) gave, on generated tables. Not used by the product.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence

from api.inputs import InputFile
from api.runs.lottery import APPLICANT_TABLE, LotteryRecord
from api.tables import Column, Row, Table, clean_text, decode_text, normalize_header, parse_int, split_list
from engine.errors import InputError
from engine.lottery.data import DEFAULT_TIER, MAX_TIER

__all__ = ["lottery_applicants_rowwise", "read_table_rowwise"]

_PRIORITY_ITEM = re.compile(r"^(.+?)\s*[:：=]\s*([+-]?\d+)$")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value).strip()


def _read_grid(source: InputFile) -> list[list[str]]:
    file, raw, suffix = source.name, source.data, source.suffix
    if suffix in (".xlsx", ".xlsm"):
        try:
            import openpyxl

            book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            sheet = book.worksheets[0]
            return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        except Exception as exc:  # openpyxl raises many unrelated types on damaged files
            raise InputError(
                file, "无法读取 xlsx 文件（文件损坏或不是 Excel 文件）",
                f"cannot read the .xlsx file (damaged or not an Excel workbook): {type(exc).__name__}",
            ) from exc
    if suffix == ".xls":
        raise InputError(file, "不支持旧版 .xls 格式，请另存为 .xlsx 或 CSV",
                         "the old .xls format is not supported; save as .xlsx or CSV")
    text = decode_text(raw, file)
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        return [[c.strip() for c in r] for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise InputError(file, f"CSV 格式错误：{exc}", f"malformed CSV: {exc}") from exc


def read_table_rowwise(source: InputFile, columns: Sequence[Column]) -> Table:
    """Parse a CSV or XLSX table (bytes, named) and map its headers onto ``columns``.

    Rows whose cells are all blank are skipped (Excel leaves them at the end), but
    row numbers keep counting as in Excel. Raises :class:`InputError` for an
    unreadable or empty file, a missing required column, or two headers naming the
    same column.
    """
    file = source.name
    grid = _read_grid(source)
    while grid and not any(grid[0]):
        grid.pop(0)
    if not grid:
        raise InputError(file, "文件是空的，没有表头", "the file is empty (no header row)")
    header_cells = grid[0]
    by_alias: dict[str, Column] = {}
    for col in columns:
        for alias in (col.key, *col.aliases):
            by_alias[normalize_header(alias)] = col
    headers: dict[str, str] = {}
    index_of: dict[str, int] = {}
    extra: list[tuple[int, str]] = []
    for i, text in enumerate(header_cells):
        if not text.strip():
            continue
        found = by_alias.get(normalize_header(text))
        if found is None:
            extra.append((i, text.strip()))
            continue
        if found.key in headers:
            raise InputError(
                file, f"表头「{headers[found.key]}」和「{text}」表示同一列 {found.label}",
                f"headers '{headers[found.key]}' and '{text}' both mean column {found.label}", row=1, column=text,
            )
        headers[found.key] = text.strip()
        index_of[found.key] = i
    for col in columns:
        if col.required and col.key not in headers:
            accepted = "、".join((col.key, *col.aliases))
            raise InputError(
                file, f"缺少必需的列 {col.label}（可用表头：{accepted}）",
                f"required column {col.label} is missing (accepted headers: {', '.join((col.key, *col.aliases))})",
                row=1, column=col.label,
            )
    rows: list[Row] = []
    for offset, cells in enumerate(grid[1:], start=2):
        if not any(c.strip() for c in cells):
            continue

        def cell(i: int, cells: list[str] = cells) -> str:
            return cells[i].strip() if i < len(cells) else ""

        rows.append(Row(
            number=offset,
            values={k: cell(i) for k, i in index_of.items()},
            extra={h: cell(i) for i, h in extra},
        ))
    return Table(file=file, headers=headers, extra_headers=tuple(h for _, h in extra), rows=tuple(rows))


def _school_list(table: Table, row: Row, key: str, known: Mapping[str, int]) -> list[str]:
    items = [clean_text(x) for x in split_list(row.get(key))]
    seen: set[str] = set()
    for s in items:
        if s not in known:
            raise table.error(row, key, f"学校代码 {s} 不在学校名单中", f"school {s} is not in the schools file")
        if s in seen:
            raise table.error(row, key, f"学校 {s} 填报了两次", f"school {s} is listed twice")
        seen.add(s)
    return items


def _lottery_tier(table: Table, row: Row, key: str, text: str) -> int:
    value = int(text)
    if not 0 <= value <= MAX_TIER:
        raise table.error(row, key, f"类别 {text} 必须在 0 到 {MAX_TIER} 之间",
                          f"tier {text} must be between 0 and {MAX_TIER}")
    return value


def lottery_applicants_rowwise(source: InputFile, known: Mapping[str, int]) -> list[LotteryRecord]:
    table = read_table_rowwise(source, APPLICANT_TABLE)
    seen: dict[str, int] = {}
    groups: dict[str, tuple[Row, list[str], list[str]]] = {}
    roster: list[LotteryRecord] = []
    for row in table:
        aid = table.unique_key(row, "applicant_id", seen, "报名号", "application number")
        prefs = _school_list(table, row, "preferences", known)
        if not prefs:
            raise table.error(row, "preferences", "志愿不能为空", "preferences must not be empty")
        tier = parse_int(table, row, "tier", minimum=0, default=DEFAULT_TIER)
        if tier > MAX_TIER:
            raise table.error(row, "tier", f"类别必须在 0 到 {MAX_TIER} 之间", f"tier must be 0..{MAX_TIER}")
        priority: dict[str, int] = {}
        for item in split_list(row.get("priority")):
            m = _PRIORITY_ITEM.match(clean_text(item))
            if m is None:
                raise table.error(row, "priority", f"「{item}」应写成 学校代码:类别，如 S0002:0",
                                  f"'{item}' should be SCHOOL:TIER, e.g. S0002:0")
            school = m.group(1).strip()
            if school not in known:
                raise table.error(row, "priority", f"学校代码 {school} 不在学校名单中",
                                  f"school {school} is not in the schools file")
            if school in priority:
                raise table.error(row, "priority", f"学校 {school} 写了两次", f"school {school} is listed twice")
            priority[school] = _lottery_tier(table, row, "priority", m.group(2))
        round2 = _school_list(table, row, "round2", known)
        group = clean_text(row.get("group_id"))
        if group:
            if group in groups:
                first, fprefs, fr2 = groups[group]
                for key, mine, theirs in (("preferences", prefs, fprefs), ("round2", round2, fr2)):
                    if mine != theirs:
                        raise table.error(
                            row, key, f"多胞胎组 {group} 的成员志愿必须完全相同（与第 {first.number} 行不同）",
                            f"members of multiples group {group} must list identical {key} "
                            f"(differs from row {first.number})",
                        )
            else:
                groups[group] = (row, prefs, round2)
        roster.append({"id": aid, "preferences": prefs, "tier": tier,
                       "priority": dict(sorted(priority.items())), "group": group, "round2": round2})
    if not roster:
        raise table.error(None, None, "没有任何报名记录", "the file lists no applicants")
    roster.sort(key=lambda r: r["id"])
    return roster
