"""Reading input tables (CSV or XLSX, English or Chinese headers, UTF-8 or GBK/GB18030).

Every engine's input passes through :func:`read_columns` (column-wise, for the large
applicant files) or :func:`read_table` (the same reading, as rows), so every clerk sees
the same kind of error: file (and sheet), row as numbered in Excel and column, in Chinese
and English. Values come back as stripped strings; converting them is the caller's job,
through :meth:`Table.error` / :meth:`Columns.error` so failures stay located.

What a clerk's file may look like and still be read (docs/input.md):

* CSV in UTF-8 (with or without BOM) or GBK/GB18030, comma or tab separated; a GB18030
  decoding that looks like a Windows-1252/Latin-1 file is refused rather than read as
  mojibake (:func:`decode_text`);
* a title row (merged cells, "2026年XX小学一年级新生名单") or blank rows above the header:
  the header row is the first of the first :data:`HEADER_SEARCH_ROWS` rows that carries
  every required column, and rows keep Excel's numbers;
* XLSX whose data is on another sheet than the first (found by its headers; messages then
  name the sheet); identifier columns typed as numbers are refused (Excel has already lost
  digits), a score stored as 248.89999999999998 reads as Excel shows it, 248.9.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import gc
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import numba
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from defusedxml import DefusedXmlException

from api.csv_grid import (
    FIELD_LIMIT,
    MAX_COLUMNS,
    WHITESPACE,
    column_array,
    first_wide_line,
    numpy_values,
    split_items,
    text_array,
    text_scalar,
    tokenize,
)
from api.inputs import InputFile
from api.outputs import FORMULA_TRIGGERS, starts_formula
from audit.zip_limits import XLSX_ZIP_LIMITS, zip_size_problem
from engine.errors import InputError

__all__ = [
    "HEADER_SEARCH_ROWS",
    "MAX_DIGITS",
    "Column",
    "Columns",
    "Problems",
    "Row",
    "Table",
    "check_digits",
    "clean_array",
    "clean_text",
    "decode_text",
    "distinct",
    "first_true",
    "formula_id_error",
    "known_lists",
    "map_distinct",
    "normalize_header",
    "parse_date",
    "parse_decimal",
    "parse_int",
    "parse_yes_no",
    "paused_gc",
    "read_columns",
    "read_table",
    "split_array",
    "split_list",
    "unique_ids",
]

#: The header row is looked for among this many first rows (title rows, notes and blank rows above it).
HEADER_SEARCH_ROWS = 20


@dataclass(frozen=True)
class Column:
    """A column the caller understands: canonical key, accepted headers, whether it must exist, and
    whether it holds identifiers (an XLSX number cell there has lost digits and is refused)."""

    key: str
    aliases: tuple[str, ...]
    required: bool = False
    identifier: bool = False

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
        if starts_formula(value):
            raise formula_id_error(self.error, row, key, value, what_zh, what_en)
        if value in seen:
            raise self.error(row, key, f"{what_zh} {value} 重复（第 {seen[value]} 行已出现）",
                             f"duplicate {what_en} {value} (already on row {seen[value]})")
        seen[value] = row.number
        return value


@dataclass(frozen=True)
class Columns:
    """A table read column-wise: one Arrow string array per column, cells stripped, blank rows left out.

    ``numbers[i]`` is the Excel row number of data row ``i``; ``values`` holds the known
    columns by key (only those present), ``extra`` every other column by its header text.
    """

    file: str
    headers: dict[str, str]
    extra_headers: tuple[str, ...]
    numbers: np.ndarray
    values: dict[str, pa.Array]
    extra: dict[str, pa.Array]

    def __len__(self) -> int:
        return int(self.numbers.size)

    def has(self, key: str) -> bool:
        return key in self.headers

    def array(self, key: str) -> pa.Array:
        """Column ``key`` (all blank when the file has no such column)."""
        found = self.values.get(key)
        return found if found is not None else text_array([""] * len(self))

    def texts(self, key: str) -> list[str]:
        """Column ``key`` as Python strings."""
        return list(self.array(key).to_pylist())

    def error(self, index: int | None, key: str | None, message_zh: str, message_en: str) -> InputError:
        """An :class:`InputError` at data row ``index`` (``None``: the whole file) and column ``key``."""
        number = None if index is None else int(self.numbers[index])
        column = None if key is None else self.headers.get(key, key)
        return InputError(self.file, message_zh, message_en, row=number, column=column)

    def table(self) -> Table:
        """The same cells as rows (for the small tables that are validated row by row)."""
        keys = list(self.values)
        known = [self.values[k].to_pylist() for k in keys]
        extra_keys = list(self.extra)
        extra = [self.extra[h].to_pylist() for h in extra_keys]
        with paused_gc():
            rows = tuple(
                Row(int(number), dict(zip(keys, [c[i] for c in known], strict=True)),
                    dict(zip(extra_keys, [c[i] for c in extra], strict=True)))
                for i, number in enumerate(self.numbers.tolist())
            )
        return Table(self.file, self.headers, self.extra_headers, rows)


class Problems:
    """The first problem a row-by-row reader would have raised, found by column-wise checks.

    Each check reports the data-row index of its first failure (and, for checks that look at
    the items of a list, the item's position). :meth:`raise_first` raises the failure with the
    smallest (row, check order, item) — the rows before it passed every check, so any state a
    check keeps across rows (seen identifiers, twin groups) is exactly what it would be row by
    row, and the message is the one the clerk has always seen.
    """

    def __init__(self) -> None:
        self._found: list[tuple[int, int, int, Callable[[], InputError]]] = []
        self._order = 0

    def check(self, index: int | None, explain: Callable[[], InputError], item: int = 0) -> None:
        """Record the next check's first failure (``index`` ``None``: it never failed)."""
        if index is not None:
            self._found.append((index, self._order, item, explain))
        self._order += 1

    def passed(self) -> None:
        """Record that the next check found nothing."""
        self._order += 1

    def first_row(self) -> int | None:
        """The row of the first failure found so far (checks may skip the rows after it)."""
        return min((f[0] for f in self._found), default=None)

    def raise_first(self) -> None:
        if self._found:
            raise min(self._found, key=lambda f: f[:3])[3]()


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while a million acyclic lists/records are built.

    Each new container counts towards the collector's thresholds, and its full passes over
    the growing heap made building the roster records 4× slower than the allocation itself.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def first_true(mask: np.ndarray) -> int | None:
    """The index of the first True in ``mask``, or ``None``."""
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def clean_text(text: str) -> str:
    """A cell value as compared and stored: NFKC (full-width digits and letters from Chinese
    input methods become half-width) and surrounding whitespace removed."""
    return unicodedata.normalize("NFKC", text).strip()


def clean_array(values: pa.Array) -> pa.Array:
    """:func:`clean_text` of every cell (NFKC, then ``str.strip``'s whitespace removed)."""
    return pc.utf8_trim(pc.utf8_normalize(values, form="NFKC"), characters=WHITESPACE)


def distinct(values: pa.Array) -> tuple[np.ndarray, list[Any], np.ndarray]:
    """``(codes, uniques, first)``: ``values[i] == uniques[codes[i]]``, ``first[u]`` the first row holding ``u``.

    Validating a column by its distinct values runs the same per-cell function once per
    value (categories, yes/no, dates repeat thousands of times); an error is raised at the
    value's first row, which is where a row-by-row reader would have raised it.
    """
    encoded = pc.dictionary_encode(values).combine_chunks() if isinstance(values, pa.ChunkedArray) \
        else pc.dictionary_encode(values)
    codes = numpy_values(encoded.indices).astype(np.int64)
    return codes, encoded.dictionary.to_pylist(), _first_rows(codes)


def _first_rows(codes: np.ndarray) -> np.ndarray:
    """``first[u]``: the first index holding code ``u``, for codes numbered in order of first appearance
    (where the running maximum first reaches ``u``)."""
    new = np.ones(codes.size, dtype=np.bool_)
    if codes.size:
        new[1:] = codes[1:] > np.maximum.accumulate(codes)[:-1]
    return np.flatnonzero(new)


def normalize_header(text: str) -> str:
    """Fold a header for matching: NFKC (full-width → half-width), lower case, no spaces/underscores/hyphens."""
    folded = unicodedata.normalize("NFKC", text).strip().lower().lstrip("\ufeff")
    return re.sub(r"[\s_\-]+", "", folded)


def _in_gb2312(ch: str) -> bool:
    """Whether ``ch`` is a two-byte GB2312 character (lead and trail byte in A1–FE): where Chinese text lives."""
    b = ch.encode("gb18030")
    return len(b) == 2 and 0xA1 <= b[0] <= 0xF7 and 0xA1 <= b[1] <= 0xFE


def _looks_western(text: str) -> bool:
    """A GB18030 decoding that is really a Windows-1252/Latin-1 file (ü, é, ß… read as GBK pairs).

    In a Chinese file nearly every non-ASCII character is a GB2312 character (both bytes ≥ A1;
    the rare name characters outside it are a few percent). An accented Latin letter followed
    by an ASCII letter decodes as a GBK *extension* character (trail byte 40–7E) or a four-byte
    GB18030 sequence — so a file where most non-ASCII characters fall outside GB2312 is
    western text, not Chinese.
    """
    counts = collections.Counter(ch for ch in text if ord(ch) > 0x7F)
    total = sum(counts.values())
    odd = sum(n for ch, n in counts.items() if not _in_gb2312(ch))
    return total > 0 and odd * 2 > total


def decode_text(raw: bytes, file: str) -> str:
    """Decode CSV bytes: UTF-8 (with or without BOM), else GB18030 (a superset of GBK, what Excel writes).

    Raises :class:`InputError` when neither decodes the whole file, or when the GB18030
    decoding is implausible (:func:`_looks_western`): a silent mojibake would be published.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise InputError(
            file,
            "无法识别文件编码（既不是 UTF-8 也不是 GBK/GB18030），请在 Excel 中另存为“CSV UTF-8”或 xlsx",
            "cannot decode the file as UTF-8 or GBK/GB18030; save it from Excel as 'CSV UTF-8' or .xlsx",
        ) from exc
    if _looks_western(text):
        sample = raw.decode("cp1252", errors="replace")
        word = next((w for w in re.findall(r"\w+", sample) if not w.isascii()), "")
        raise InputError(
            file,
            f"文件像是西文编码（Windows-1252/Latin-1，如「{word}」），按 GBK 读取会变成乱码；"
            "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 xlsx 后再试",
            f"the file looks like Windows-1252/Latin-1 text (e.g. '{word}'), which read as GBK would be "
            "mojibake; save it from Excel as 'CSV UTF-8 (Comma delimited)' or .xlsx and try again",
        )
    return text


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
        # As Excel displays it: 15 significant digits (248.89999999999998 → 248.9)
        shown = format(value, ".15g")
        return shown if "e" not in shown else repr(value)
    return str(value).strip()


def _is_number_cell(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class _Header:
    """Where the header is (row index in the sheet), which key each cell means, and the other headers."""

    row: int
    index_of: dict[str, int]
    headers: dict[str, str]
    extra: list[tuple[int, str]]


def _match_header(cells: Sequence[str], columns: Sequence[Column]) -> list[tuple[int, str, Column | None]]:
    """Each non-blank header cell with the column it names (``None``: an extra column)."""
    by_alias: dict[str, Column] = {}
    for col in columns:
        for alias in (col.key, *col.aliases):
            by_alias[normalize_header(alias)] = col
    return [(i, text.strip(), by_alias.get(normalize_header(text))) for i, text in enumerate(cells) if text.strip()]


def _has_required(cells: Sequence[str], columns: Sequence[Column]) -> bool:
    found = {col.key for _, _, col in _match_header(cells, columns) if col is not None}
    return {c.key for c in columns if c.required} <= found


def _find_header(file: str, candidates: Sequence[tuple[int, list[str]]], columns: Sequence[Column]) -> _Header:
    """The header among the first non-blank rows: the first that has every required column (else the first)."""
    row, cells = next(((r, c) for r, c in candidates[:HEADER_SEARCH_ROWS] if _has_required(c, columns)),
                      candidates[0])
    number = row + 1
    headers: dict[str, str] = {}
    index_of: dict[str, int] = {}
    extra: list[tuple[int, str]] = []
    for i, text, col in _match_header(cells, columns):
        if col is None:
            extra.append((i, text))
            continue
        if col.key in headers:
            raise InputError(
                file, f"表头「{headers[col.key]}」和「{text}」表示同一列 {col.label}",
                f"headers '{headers[col.key]}' and '{text}' both mean column {col.label}", row=number, column=text,
            )
        headers[col.key] = text
        index_of[col.key] = i
    for col in columns:
        if col.required and col.key not in headers:
            accepted = "、".join((col.key, *col.aliases))
            raise InputError(
                file, f"缺少必需的列 {col.label}（可用表头：{accepted}）",
                f"required column {col.label} is missing (accepted headers: {', '.join((col.key, *col.aliases))})",
                row=number, column=col.label,
            )
    return _Header(row, index_of, headers, extra)


def _columns_from_grid(file: str, grid: list[list[object]], columns: Sequence[Column]) -> Columns:
    """A sheet's cells (Python values, as openpyxl gives them) → :class:`Columns`."""
    texts = [[_cell_text(v) for v in row] for row in grid]
    candidates = [(r, cells) for r, cells in enumerate(texts) if any(c.strip() for c in cells)]
    if not candidates:
        raise InputError(file, "文件是空的，没有表头", "the file is empty (no header row)")
    header = _find_header(file, candidates, columns)
    data = [(r, texts[r]) for r, _ in candidates if r > header.row]
    identifiers = {c.key for c in columns if c.identifier}
    for r, _ in data:
        raw = grid[r]
        for key in identifiers & header.index_of.keys():
            i = header.index_of[key]
            if i < len(raw) and _is_number_cell(raw[i]):
                raise InputError(
                    file,
                    "这一列是编号，但单元格是数字格式：Excel 只保留 15 位有效数字，开头的 0 也会丢失"
                    "（如 000123 变成 123）。请选中整列，右键“设置单元格格式 → 文本”，再重新输入号码"
                    "（或在号码前加英文单引号 '），保存后再试",
                    "this column holds identifiers but the cell is a number: Excel keeps only 15 significant "
                    "digits and drops leading zeros (000123 becomes 123). Select the column, Format Cells → Text "
                    "(WPS/Excel: 设置单元格格式 → 文本), re-type the numbers (or start each with an apostrophe '), "
                    "save and try again",
                    row=r + 1, column=header.headers[key],
                )

    def column(i: int) -> pa.Array:
        return text_array([cells[i] if i < len(cells) else "" for _, cells in data])

    return Columns(
        file=file, headers=header.headers, extra_headers=tuple(h for _, h in header.extra),
        numbers=np.array([r + 1 for r, _ in data], dtype=np.int64),
        values={k: column(i) for k, i in header.index_of.items()},
        extra={h: column(i) for i, h in header.extra},
    )


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether ``exc`` or an exception it was raised from (openpyxl wraps parse errors in ValueError) is a ``kind``."""
    seen: BaseException | None = exc
    for _ in range(20):
        if seen is None:
            return False
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _check_workbook_zip(source: InputFile) -> None:
    """Refuse a workbook whose zip declares more than :data:`~audit.zip_limits.XLSX_ZIP_LIMITS` (a zip bomb),
    before openpyxl inflates anything; a file that is not a zip at all is left to openpyxl's message."""
    try:
        with zipfile.ZipFile(io.BytesIO(source.data)) as zf:
            problem = zip_size_problem(zf, XLSX_ZIP_LIMITS)
    except (zipfile.BadZipFile, ValueError, EOFError):
        return
    if problem is not None:
        raise InputError(source.name, f"xlsx 文件过大，拒绝读取：{problem[0]}",
                         f"the .xlsx file is refused unopened: {problem[1]}")


def _read_xlsx(source: InputFile, columns: Sequence[Column]) -> Columns:
    """The first sheet whose header rows carry every required column (else the first sheet)."""
    _check_workbook_zip(source)
    try:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(source.data), read_only=True, data_only=True)
        sheets = [(sheet.title, [list(row) for row in sheet.iter_rows(min_row=1, values_only=True)])
                  for sheet in book.worksheets]
    except Exception as exc:  # openpyxl raises many unrelated types on damaged files
        if not _caused_by(exc, DefusedXmlException):
            raise InputError(
                source.name, "无法读取 xlsx 文件（文件损坏或不是 Excel 文件）",
                f"cannot read the .xlsx file (damaged or not an Excel workbook): {type(exc).__name__}",
            ) from exc
        raise InputError(
            source.name, "xlsx 文件里的 XML 声明了实体或 DTD（可能是恶意文件，已拒绝；请在 Excel 中另存为新的 xlsx）",
            f"the .xlsx file's XML declares entities or a DTD (refused as possibly hostile; save it from Excel "
            f"as a new .xlsx): {type(exc).__name__}",
        ) from exc
    if not sheets:
        raise InputError(source.name, "文件是空的，没有表头", "the file is empty (no header row)")
    title, grid = sheets[0]
    for name, cells in sheets:
        head = [[_cell_text(v) for v in row] for row in cells[:HEADER_SEARCH_ROWS]]
        if any(_has_required(row, columns) for row in head):
            title, grid = name, cells
            break
    file = source.name if len(sheets) == 1 else f"{source.name}（工作表 sheet「{title}」）"
    return _columns_from_grid(file, grid, columns)


def _too_wide(file: str, row: int, fields: int | None) -> InputError:
    """A row (0-based ``row``) with ``fields`` cells (``None``: more than the limit, not counted), more than a
    spreadsheet has columns."""
    zh = f"{fields} 个" if fields is not None else f"超过 {MAX_COLUMNS} 个"
    en = f"{fields}" if fields is not None else f"more than {MAX_COLUMNS}"
    return InputError(file, f"这一行有{zh}单元格，超过表格软件的列数上限 {MAX_COLUMNS}（文件可能已损坏）",
                      f"the row has {en} cells, more than a spreadsheet's {MAX_COLUMNS} columns "
                      "(the file may be damaged)", row=row + 1)


def _read_csv(source: InputFile, columns: Sequence[Column]) -> Columns:
    file = source.name
    text = decode_text(source.data, file)
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    raw = source.data[3:] if source.data.startswith(b"\xef\xbb\xbf") else source.data
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raw = text.encode("utf-8")  # GB18030 bytes may hide ASCII in trail bytes: tokenize UTF-8 only
    wide = first_wide_line(raw, delimiter)
    if wide is not None:
        raise _too_wide(file, wide, None)
    grid = tokenize(raw, delimiter)
    widths = np.diff(grid.row_ptr)
    wide = first_true(widths > MAX_COLUMNS)
    if wide is not None:
        raise _too_wide(file, wide, int(widths[wide]))
    if grid.longest > FIELD_LIMIT:
        detail = f"field larger than field limit ({FIELD_LIMIT})"
        long = first_true((grid.end - grid.start) > FIELD_LIMIT)  # bytes ≥ characters: the stripped field, if any
        row: int | None = None
        where_zh = where_en = ""
        if long is not None:
            row = int(np.searchsorted(grid.row_ptr, long, side="right")) - 1
            cell = long - int(grid.row_ptr[row]) + 1
            where_zh, where_en = f"（第 {cell} 个单元格）", f" (cell {cell} of the row)"
        raise InputError(file, f"CSV 格式错误：单元格超过 {FIELD_LIMIT} 个字符{where_zh}",
                         f"malformed CSV: {detail}{where_en}", row=None if row is None else row + 1)
    nonblank = np.flatnonzero(~grid.blank)
    if nonblank.size == 0:
        raise InputError(file, "文件是空的，没有表头", "the file is empty (no header row)")
    candidates = [(int(r), grid.row_texts(int(r))) for r in nonblank[:HEADER_SEARCH_ROWS]]
    header = _find_header(file, candidates, columns)
    rows = nonblank[nonblank > header.row]
    return Columns(
        file=file, headers=header.headers, extra_headers=tuple(h for _, h in header.extra),
        numbers=rows + 1,
        values={k: column_array(grid, rows, i) for k, i in header.index_of.items()},
        extra={h: column_array(grid, rows, i) for i, h in header.extra},
    )


def read_columns(source: InputFile, columns: Sequence[Column]) -> Columns:
    """Parse a CSV or XLSX table (bytes, named) column-wise and map its headers onto ``columns``.

    Rows whose cells are all blank are skipped, but row numbers keep counting as in Excel,
    from the top of the sheet (title and blank rows above the header included). Raises
    :class:`InputError` for an unreadable or empty file, a missing required column, two
    headers naming the same column, or a number cell in an XLSX identifier column.
    """
    if source.suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(source, columns)
    if source.suffix == ".xls":
        raise InputError(source.name, "不支持旧版 .xls 格式，请另存为 .xlsx 或 CSV",
                         "the old .xls format is not supported; save as .xlsx or CSV")
    return _read_csv(source, columns)


def read_table(source: InputFile, columns: Sequence[Column]) -> Table:
    """:func:`read_columns` as rows (:class:`Table`), for tables validated row by row."""
    return read_columns(source, columns).table()


_LIST_SEPARATORS = re.compile(r"[;；、,，|]")  # also in api.csv_grid._separator_at (compiled)


def split_list(text: str) -> list[str]:
    """Split a list cell on ``;``, ``；``, ``、`` (also ``,``/``，``/``|``), dropping blanks."""
    return [part.strip() for part in _LIST_SEPARATORS.split(text) if part.strip()]


def split_array(values: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """:func:`split_list` of every cell at once: ``(offsets, items)``, the items of row ``i`` being
    ``items[offsets[i]:offsets[i + 1]]`` (stripped, blanks dropped, in order) — one compiled pass."""
    return split_items(values)


#: Whole numbers in input tables have at most Excel's 15 significant digits (str() of a 5,000-digit int fails).
MAX_DIGITS = 15


def check_digits(table: Table, row: Row, key: str, text: str) -> None:
    """Refuse the whole number ``text`` (already matched as digits) when it has more than :data:`MAX_DIGITS`."""
    if len(text.lstrip("+-").split(".")[0].lstrip("0")) > MAX_DIGITS:
        raise table.error(row, key, f"「{text[:40]}」太大（最多 {MAX_DIGITS} 位数字）",
                          f"'{text[:40]}' is too large (at most {MAX_DIGITS} digits)")


def parse_int(table: Table, row: Row, key: str, *, minimum: int | None = None, default: int | None = None) -> int:
    """A whole number from ``row[key]``; blank gives ``default`` (an error when ``default`` is None)."""
    text = unicodedata.normalize("NFKC", row.get(key)).strip()
    if text == "":
        if default is not None:
            return default
        raise table.error(row, key, "不能为空，应填写整数", "must not be blank; a whole number is expected")
    if re.fullmatch(r"[+-]?\d+(\.0+)?", text) is None:
        raise table.error(row, key, f"「{text}」不是整数", f"'{text}' is not a whole number")
    check_digits(table, row, key, text)
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


@numba.njit(cache=True)
def _first_bad_item(offsets: np.ndarray, codes: np.ndarray) -> tuple[int, int, int]:
    for r in range(offsets.size - 1):
        for j in range(offsets[r], offsets[r + 1]):
            if codes[j] < 0:
                return r, j, 0
            for q in range(offsets[r], j):
                if codes[q] == codes[j]:
                    return r, j, 1
    return -1, -1, -1


def known_lists(offsets: np.ndarray, items: pa.Array, known: Sequence[str]
                ) -> tuple[list[list[str]], np.ndarray, tuple[int, int, bool] | None]:
    """Lists of known codes per row (:func:`split_array` output), every item's index in ``known``, the first bad item.

    The first bad item is ``(row, item index, repeated)`` — the first item, row by row and
    left to right, that is not in ``known`` (``repeated`` False) or repeats an earlier item of
    its row (True); ``None`` when every item is known and no row repeats one. The lists hold
    the ``known`` strings themselves (one object per code, not one per cell); the indexes
    (``int64``, ``-1`` for an unknown item) are those lists as codes.
    """
    codes = numpy_values(pc.index_in(items, value_set=text_array(list(known))), fill=-1).astype(np.int64)
    r, j, kind = (int(x) for x in _first_bad_item(offsets, codes))
    names = np.array([*known, ""], dtype=object)
    flat = names[codes].tolist()
    bounds = offsets.tolist()
    with paused_gc():
        lists = [flat[a:b] for a, b in itertools.pairwise(bounds)]
    return lists, codes, (None if r < 0 else (r, j, kind == 1))


def map_distinct(columns: Columns, keys: str | Sequence[str], parse: Callable[[Table, Row], Any],
                 problems: Problems) -> list[Any]:
    """``parse(table, row)`` for every row, run once per distinct value of the cells in ``keys``.

    ``parse`` sees a row holding just those cells, located at the value's first row, so an
    :class:`InputError` it raises is located exactly where a row-by-row reader would have
    raised it; the first such error is handed to ``problems`` as this check's failure.
    """
    names = [keys] if isinstance(keys, str) else list(keys)
    if len(names) == 1:
        codes, found, first = distinct(columns.array(names[0]))
        uniques: list[tuple[Any, ...]] = [(v,) for v in found]
    else:
        seen: dict[tuple[Any, ...], int] = {}
        codes = np.fromiter((seen.setdefault(t, len(seen)) for t in zip(*map(columns.texts, names), strict=True)),
                            dtype=np.int64, count=len(columns))
        uniques = list(seen)
        first = _first_rows(codes)
    table = Table(columns.file, columns.headers, columns.extra_headers, ())
    results: list[Any] = []
    failed: list[tuple[int, InputError]] = []
    for u, values in enumerate(uniques):
        at = int(first[u])
        try:
            results.append(parse(table, Row(int(columns.numbers[at]), dict(zip(names, values, strict=True)))))
        except InputError as exc:
            failed.append((at, exc))
            results.append(None)
    if failed:
        bad_row, error = min(failed, key=lambda f: f[0])
        problems.check(bad_row, lambda: error)
    else:
        problems.passed()
    return [results[c] for c in codes.tolist()]


def formula_id_error(error: Callable[[Any, str, str, str], InputError], at: Any, key: str, value: str,
                     what_zh: str, what_en: str) -> InputError:
    """The refusal of an identifier a spreadsheet would read as a formula (:func:`api.outputs.starts_formula`).

    Text cells of the outputs are neutralised with a leading ``'``, but an identifier cannot be:
    verify, replay and receipts find an applicant by the id as the roster spells it. No real
    application number, school code or student number starts with ``=`` ``+`` ``-`` ``@``.
    """
    return error(at, key, f"{what_zh}「{value}」以 = + - @ 开头，表格软件会把它当作公式；编号不能以这些字符开头",
                 f"{what_en} '{value}' starts with =, +, - or @, which spreadsheets read as a formula; "
                 "an identifier must not start with these characters")


def unique_ids(columns: Columns, key: str, problems: Problems, what_zh: str, what_en: str) -> list[str]:
    """The cleaned identifiers of column ``key``: a blank one, one a spreadsheet reads as a formula
    (:func:`formula_id_error`), then a repeated one, are the three checks' failures."""
    ids = clean_array(columns.array(key))
    blank = first_true(numpy_values(pc.equal(ids, text_scalar(""))))
    problems.check(blank, lambda: columns.error(blank, key, f"{what_zh}不能为空", f"the {what_en} must not be blank"))
    firsts = pc.utf8_slice_codeunits(ids, 0, 1)
    maybe = np.flatnonzero(numpy_values(pc.is_in(firsts, value_set=text_array(sorted(FORMULA_TRIGGERS)))))
    formula = next((int(i) for i in maybe.tolist() if starts_formula(ids[int(i)].as_py())), None)
    problems.check(formula, lambda: formula_id_error(columns.error, formula, key, ids[formula].as_py(),
                                                     what_zh, what_en))
    codes, uniques, first = distinct(ids)
    repeat = first_true(first[codes] != np.arange(codes.size))
    if repeat is None:
        problems.passed()
    else:
        value, seen = uniques[codes[repeat]], int(columns.numbers[first[codes[repeat]]])
        problems.check(repeat, lambda: columns.error(repeat, key, f"{what_zh} {value} 重复（第 {seen} 行已出现）",
                                                      f"duplicate {what_en} {value} (already on row {seen})"))
    return list(ids.to_pylist())
