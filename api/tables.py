"""Reading input tables (CSV or XLSX, English or Chinese headers, UTF-8 or GBK/GB18030).

Every engine's input passes through :func:`read_table`, so every clerk sees the same
kind of error: file, row as numbered in Excel (the header is row 1) and column, in
Chinese and English. Values come back as stripped strings; converting them is the
caller's job, through :meth:`Table.error` so failures stay located.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from api.inputs import InputFile
from engine.errors import InputError

__all__ = [
    "Column",
    "Row",
    "Table",
    "clean_text",
    "decode_text",
    "normalize_header",
    "parse_date",
    "parse_decimal",
    "parse_int",
    "parse_yes_no",
    "read_table",
    "split_list",
]


@dataclass(frozen=True)
class Column:
    """A column the caller understands: canonical key, accepted headers, and whether it must exist."""

    key: str
    aliases: tuple[str, ...]
    required: bool = False

    @property
    def label(self) -> str:
        """Display name: ``key/第一个中文别名``."""
        zh = next((a for a in self.aliases if not a.isascii()), "")
        return f"{self.key}/{zh}" if zh else self.key


@dataclass(frozen=True)
class Row:
    """One data row: its Excel row number, known columns by key, and every other column by header."""

    number: int
    values: dict[str, str]
    extra: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass(frozen=True)
class Table:
    """A parsed table. ``headers`` maps canonical keys to the header text found in the file."""

    file: str
    headers: dict[str, str]
    extra_headers: tuple[str, ...]
    rows: tuple[Row, ...]

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def has(self, key: str) -> bool:
        return key in self.headers

    def error(self, row: Row | int | None, key: str | None, message_zh: str, message_en: str) -> InputError:
        """An :class:`InputError` located at ``row`` and the column ``key`` (as headed in the file)."""
        number = row.number if isinstance(row, Row) else row
        column = None if key is None else self.headers.get(key, key)
        return InputError(self.file, message_zh, message_en, row=number, column=column)

    def unique_key(self, row: Row, key: str, seen: dict[str, int], what_zh: str, what_en: str) -> str:
        """The cleaned identifier in ``row[key]``, refused when blank or already in ``seen``.

        ``seen`` maps identifiers to the row they first appeared on and is updated, so the
        message can point the clerk at both rows.
        """
        value = clean_text(row.get(key))
        if not value:
            raise self.error(row, key, f"{what_zh}不能为空", f"the {what_en} must not be blank")
        if value in seen:
            raise self.error(row, key, f"{what_zh} {value} 重复（第 {seen[value]} 行已出现）",
                             f"duplicate {what_en} {value} (already on row {seen[value]})")
        seen[value] = row.number
        return value


def clean_text(text: str) -> str:
    """A cell value as compared and stored: NFKC (full-width digits and letters from Chinese
    input methods become half-width) and surrounding whitespace removed."""
    return unicodedata.normalize("NFKC", text).strip()


def normalize_header(text: str) -> str:
    """Fold a header for matching: NFKC (full-width → half-width), lower case, no spaces/underscores/hyphens."""
    folded = unicodedata.normalize("NFKC", text).strip().lower().lstrip("\ufeff")
    return re.sub(r"[\s_\-]+", "", folded)


def decode_text(raw: bytes, file: str) -> str:
    """Decode CSV bytes: UTF-8 (with or without BOM), else GB18030 (a superset of GBK, what Excel writes).

    Raises :class:`InputError` when neither decodes the whole file.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise InputError(
            file,
            "无法识别文件编码（既不是 UTF-8 也不是 GBK/GB18030），请在 Excel 中另存为“CSV UTF-8”或 xlsx",
            "cannot decode the file as UTF-8 or GBK/GB18030; save it from Excel as 'CSV UTF-8' or .xlsx",
        ) from exc


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


def read_table(source: InputFile, columns: Sequence[Column]) -> Table:
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


_LIST_SEPARATORS = re.compile(r"[;；、,，|]")


def split_list(text: str) -> list[str]:
    """Split a list cell on ``;``, ``；``, ``、`` (also ``,``/``，``/``|``), dropping blanks."""
    return [part.strip() for part in _LIST_SEPARATORS.split(text) if part.strip()]


def parse_int(table: Table, row: Row, key: str, *, minimum: int | None = None, default: int | None = None) -> int:
    """A whole number from ``row[key]``; blank gives ``default`` (an error when ``default`` is None)."""
    text = unicodedata.normalize("NFKC", row.get(key)).strip()
    if text == "":
        if default is not None:
            return default
        raise table.error(row, key, "不能为空，应填写整数", "must not be blank; a whole number is expected")
    if re.fullmatch(r"[+-]?\d+(\.0+)?", text) is None:
        raise table.error(row, key, f"「{text}」不是整数", f"'{text}' is not a whole number")
    value = int(Decimal(text))
    if minimum is not None and value < minimum:
        raise table.error(row, key, f"「{text}」不能小于 {minimum}", f"'{text}' must be at least {minimum}")
    return value


def parse_decimal(table: Table, row: Row, key: str, *, default: Decimal | None = None) -> Decimal:
    """An exact decimal from ``row[key]`` (never a binary float)."""
    text = unicodedata.normalize("NFKC", row.get(key)).strip()
    if text == "":
        if default is not None:
            return default
        raise table.error(row, key, "不能为空，应填写数字", "must not be blank; a number is expected")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise table.error(row, key, f"「{text}」不是数字", f"'{text}' is not a number") from exc
    if not value.is_finite():
        raise table.error(row, key, f"「{text}」不是有限数字", f"'{text}' is not a finite number")
    return value


_YES = {"是", "yes", "y", "1", "true", "√", "✓", "有"}
_NO = {"否", "no", "n", "0", "false", "", "无", "×"}


def parse_yes_no(table: Table, row: Row, key: str) -> bool:
    """是/否, yes/no, 1/0 or blank (blank means no)."""
    text = unicodedata.normalize("NFKC", row.get(key)).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise table.error(row, key, f"「{row.get(key)}」应为 是/否", f"'{row.get(key)}' should be yes/no (是/否)")


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
)


def parse_date(table: Table, row: Row, key: str) -> dt.date | None:
    """A date written 2024-03-01, 2024/3/1, 2024.3.1 or 2024年3月1日; blank gives None."""
    text = unicodedata.normalize("NFKC", row.get(key)).strip()
    if text == "":
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]00:00:00", text):
        text = text[:10]
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                break
    raise table.error(
        row, key, f"「{text}」不是有效日期（可写 2024-03-01、2024/3/1 或 2024年3月1日）",
        f"'{text}' is not a valid date (write 2024-03-01, 2024/3/1 or 2024年3月1日)",
    )
