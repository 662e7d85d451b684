"""The row-wise table reader as it was before the column-wise ingest (commit a69180b), kept as the reference.

tests/api/test_ingest_reference.py checks that :func:`api.tables.read_table` and the
column-wise ``prepare_*`` readers give exactly what this reader (and the row-wise
validators below) gave, on generated tables. Not used by the product.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence

from api.inputs import InputFile
from api.tables import Column, Row, Table, decode_text, normalize_header
from engine.errors import InputError

__all__ = ["read_table_rowwise"]


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
