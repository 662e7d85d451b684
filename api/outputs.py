"""CSV files byte-for-byte reproducibly: the contract format of every result table.

(Writing the result folder itself is :mod:`api.store.result_folder`.)

Large tables (a million ``results.csv`` rows) are written column by column by
:func:`csv_bytes_from_columns`: each column is a small set of distinct cells plus one
index per row, and a numba kernel copies the bytes, instead of formatting a Python
string per row (≈ 2 s of the 1M-applicant replay before). Cells are quoted one by one
when they need it, exactly as the csv module's minimal quoting does (the characters
that trigger it are read from the csv module itself at import, so the two agree on any
Python version; tests compare both on generated tables).

Every text cell also goes through :func:`neutralise_formula` (spreadsheet formula injection,
OWASP "CSV Injection"): a cell a spreadsheet would read as a formula — one starting with
``=`` ``+`` ``-`` ``@``, a tab, a carriage return or a line feed, that is not a plain number —
is written with a leading ``'``; and a carriage return inside a cell becomes a line feed, which
the csv module quotes (it leaves a lone CR unquoted, and a spreadsheet would start a new row
there — a row whose first cell could be a formula). Every CSV here is opened by somebody in
Excel or WPS (the public result tables too), so the rule is applied at the one place all of
them are written; numbers stay numbers (``-2.6`` is not touched, and ``int``/``Decimal`` cells
are not text). Identifiers are never neutralised because the input readers refuse an identifier
that starts with one of these characters (:func:`api.tables.unique_ids`): verify, replay and
receipts find applicants by the id as it is spelled in the roster. docs/outputs.md § 1.1 states
the byte rule.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from engine.arrays import Int64Array, UInt8Array
from engine.compiled import kernel
from engine.lottery.sha256_kernel import utf8_parts

__all__ = [
    "Cells",
    "csv_bytes",
    "csv_bytes_from_columns",
    "formatted_cells",
    "hex_cells",
    "int_cells",
    "neutralise_formula",
    "people_csv_bytes",
    "people_csv_from_columns",
    "quote_cell",
    "starts_formula",
    "text_cells",
    "value_cells",
]

_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)

#: First characters that make Excel, WPS or LibreOffice read a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n")
_TRIGGER_CHARS = re.compile(f"[{re.escape(''.join(sorted(FORMULA_TRIGGERS)))}]")
#: A plain number (what the writers put in numeric columns): a spreadsheet reads it as a number, never a formula.
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")  # ASCII digits: what a spreadsheet reads as a number


def starts_formula(text: str) -> bool:
    """Whether a spreadsheet would read the text cell ``text`` as a formula (see the module docstring)."""
    return text[:1] in FORMULA_TRIGGERS and _PLAIN_NUMBER.fullmatch(text) is None


def neutralise_formula(text: str) -> str:
    """``text`` as a cell people open shows it and never runs it: carriage returns (CRLF or lone CR) made line
    feeds, then a leading ``'`` when :func:`starts_formula`; any other text unchanged."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + text if starts_formula(text) else text


def _cell(value: object) -> object:
    """A row value as written: ``None`` is empty, text is neutralised, numbers are left to the csv module."""
    if value is None:
        return ""
    if isinstance(value, str) and (value[:1] in FORMULA_TRIGGERS or "\r" in value):
        return neutralise_formula(value)
    return value


def _write_csv(header: Sequence[object], rows: Iterable[Sequence[object]], cell: Callable[[object], object] | None
               ) -> str:
    """The CSV text, each value through ``cell`` (``None``: as it is, ``None`` values empty — inline, no call)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if cell is None:
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
    else:
        writer.writerow([cell(h) for h in header])
        for row in rows:
            writer.writerow([cell(v) for v in row])
    return buf.getvalue()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 CSV (no BOM), ``\\n`` line endings, minimal quoting, formula cells neutralised: the contract
    format of result files.

    Written once as the cells are; only when the text may hold a cell to neutralise
    (:data:`_MAY_NEED_NEUTRALISING`, one regex pass) is it written again cell by cell through
    :func:`neutralise_formula` — checking every cell in Python doubled the time of a 5M-cell table.
    """
    rows = rows if isinstance(rows, list | tuple) else list(rows)
    data = _write_csv(header, rows, None).encode("utf-8")
    if _may_need_neutralising(np.frombuffer(data, dtype=np.uint8)):
        data = _write_csv(header, rows, _cell).encode("utf-8")
    return data


@kernel
def _may_need_neutralising(b: UInt8Array) -> bool:
    """Whether written CSV bytes may hold a cell :func:`neutralise_formula` changes: a CR anywhere, or a
    cell start (the first byte, or after ``,`` or LF) followed — directly or after ``"`` — by a trigger,
    unless that is an unquoted plain number ending its cell. A comma inside a quoted cell also looks
    like a cell start, so this may say yes needlessly (the cells are then checked one by one), never no
    wrongly. One compiled pass: a regex over the text took longer than writing it."""
    n = b.shape[0]
    i = 0
    while i < n:
        c = b[i]
        if c == 13:
            return True
        if i == 0 or b[i - 1] == 44 or b[i - 1] == 10:
            quoted = c == 34
            j = i + 1 if quoted else i
            if j < n:
                t = b[j]
                if t == 61 or t == 64 or t == 9 or (quoted and (t == 10 or t == 13)):  # = @ TAB; LF CR in quotes
                    return True
                if t == 43 or t == 45:  # + -: fine only as an unquoted plain number [+-]?[0-9]+(\.[0-9]+)?
                    if quoted:
                        return True
                    k = j + 1
                    digits = 0
                    while k < n and 48 <= b[k] <= 57:
                        k += 1
                        digits += 1
                    if digits and k < n and b[k] == 46:
                        k += 1
                        decimals = 0
                        while k < n and 48 <= b[k] <= 57:
                            k += 1
                            decimals += 1
                        if decimals == 0:
                            return True
                    if digits == 0 or not (k == n or b[k] == 44 or b[k] == 10):
                        return True
        i += 1
    return False


def people_csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A CSV a person opens (公示名单, class lists, contacts): :func:`csv_bytes` with a UTF-8 BOM.

    Excel on Chinese Windows reads a CSV without BOM as GBK and shows mojibake; with the BOM it
    reads UTF-8. Machine contracts (``results.csv`` …) stay BOM-less: scripts read them.
    """
    return UTF8_BOM + csv_bytes(header, rows)


UTF8_BOM = b"\xef\xbb\xbf"


def people_csv_from_columns(header: Sequence[str], columns: Sequence[tuple[Cells, Int64Array]]) -> bytes:
    """:func:`people_csv_bytes` for rows given column-wise (:func:`csv_bytes_from_columns`)."""
    return UTF8_BOM + csv_bytes_from_columns(header, columns)


@dataclass(frozen=True)
class Cells:
    """Distinct cell texts of a column as UTF-8: cell ``j`` is ``data[start[j] : start[j] + length[j]]``."""

    data: UInt8Array
    start: Int64Array
    length: Int64Array


def _quoted_characters() -> str:
    """The characters that make the csv module (minimal quoting, ``\\n`` lines) quote a cell."""
    probe = ',"\r\n\t;\x00 '

    def written(cell: str) -> str:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(["a", cell])
        return buf.getvalue()

    return "".join(c for c in probe if written(f"x{c}y") != f"a,x{c}y\n")


_NEEDS_QUOTES = re.compile(f"[{re.escape(_quoted_characters())}]")


def quote_cell(text: str) -> str:
    """``text`` as the csv module writes it in a row of several cells (quoted only when needed; not neutralised)."""
    return '"' + text.replace('"', '""') + '"' if _NEEDS_QUOTES.search(text) else text


def text_cells(values: Sequence[str]) -> Cells:
    """The cells ``values``, each neutralised (:func:`neutralise_formula`) and quoted where the csv
    module would quote it, as :func:`csv_bytes` writes them.

    The cells needing quotes, and those needing a ``'``, are found by a regex scan of all values
    joined, so a million plain cells cost no per-cell Python call.
    """
    cells = list(values)
    ends = np.cumsum(np.fromiter(map(len, cells), dtype=np.int64, count=len(cells)))
    joined = "".join(cells)
    triggers = np.fromiter((m.start() for m in _TRIGGER_CHARS.finditer(joined)), dtype=np.int64)
    starts = ends - np.diff(ends, prepend=0)  # non-decreasing: found by binary search (np.isin hashes, 20× slower)
    at = np.minimum(np.searchsorted(starts, triggers), max(len(cells) - 1, 0))
    first = triggers[starts[at] == triggers] if triggers.size else triggers  # a trigger beginning its cell, or a CR
    if "\r" in joined:
        first = np.concatenate([first, np.fromiter((m.start() for m in re.finditer("\r", joined)), dtype=np.int64)])
    if first.size:
        for i in np.unique(np.searchsorted(ends, first, side="right")).tolist():
            cells[i] = neutralise_formula(cells[i])
        ends = np.cumsum(np.fromiter(map(len, cells), dtype=np.int64, count=len(cells)))
        joined = "".join(cells)
    hits = np.fromiter((m.start() for m in _NEEDS_QUOTES.finditer(joined)), dtype=np.int64)
    for i in np.unique(np.searchsorted(ends, hits, side="right")).tolist():
        cells[i] = quote_cell(cells[i])
    start, length, data = utf8_parts(cells)
    return Cells(data, start, length)


def int_cells(values: Int64Array) -> tuple[Cells, Int64Array]:
    """Decimal cells for integers from a small range, with the index of each value's cell.

    The distinct texts are ``str(i)`` for ``i`` from ``min`` to ``max``, so the range must be
    small (counts, ranks, tiers); the cells are exactly what ``str`` writes.
    """
    if values.shape[0] == 0:
        return text_cells([]), values.astype(np.int64)
    lo, hi = int(values.min()), int(values.max())
    return text_cells([str(i) for i in range(lo, hi + 1)]), values.astype(np.int64) - lo


def value_cells(values: Sequence[str]) -> tuple[Cells, Int64Array]:
    """The text cells ``values`` dictionary-encoded: each distinct text once (as :func:`text_cells` writes it)
    and the index of each value's cell. For columns that repeat (towns, labels, school codes) and those
    that do not alike; one dict lookup per value, no per-cell formatting."""
    index: dict[str, int] = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int64, count=len(values))
    return text_cells(list(index)), codes


def formatted_cells(values: Int64Array, fmt: Callable[[int], str]) -> tuple[Cells, Int64Array]:
    """Cells ``fmt(v)`` for integers ``values`` of any range, ``fmt`` called once per distinct value
    (points in hundredths, ranks, dates as ordinals), with the index of each value's cell."""
    if values.shape[0] and int(values.max()) - int(values.min()) < _TABLE_RANGE:  # by a table: no sort
        lo = int(values.min())
        seen = np.zeros(int(values.max()) - lo + 1, dtype=np.bool_)
        seen[values - lo] = True
        distinct = np.flatnonzero(seen) + lo
        inverse = (np.cumsum(seen) - 1)[values - lo]
    else:
        distinct, inverse = np.unique(values, return_inverse=True)
    return text_cells([fmt(v) for v in distinct.tolist()]), inverse.astype(np.int64).reshape(-1)


_TABLE_RANGE = 1 << 22  # formatted_cells finds distinct values with a table this large at most (4 MB)


def hex_cells(values: NDArray[np.uint64]) -> Cells:
    """Cell ``j`` is ``values[j]`` as 16 lowercase hex digits (``f"{v:016x}"``), vectorised over bytes."""
    n = values.shape[0]
    octets = values.astype(">u8").view(np.uint8).reshape(n, 8)  # big-endian: most significant first
    data = np.empty((n, 16), dtype=np.uint8)
    data[:, 0::2] = _HEX_DIGITS[octets >> 4]
    data[:, 1::2] = _HEX_DIGITS[octets & 0xF]
    return Cells(data.reshape(-1), np.arange(n, dtype=np.int64) * 16, np.full(n, 16, dtype=np.int64))


def csv_bytes_from_columns(header: Sequence[str], columns: Sequence[tuple[Cells, Int64Array]]) -> bytes:
    """``csv_bytes(header, rows)`` for rows given column-wise.

    Column ``c`` of row ``i`` is cell ``codes[i]`` of ``columns[c] = (cells, codes)``; every
    ``codes`` has one entry per row, and cells are already quoted (:func:`text_cells`).
    Requires at least two columns (the csv module writes a lone empty cell as ``""``).
    """
    head = (",".join(quote_cell(neutralise_formula(h)) for h in header) + "\n").encode("utf-8")
    if len(columns) < 2:
        raise ValueError("csv_bytes_from_columns needs at least two columns")
    n = columns[0][1].shape[0]
    line = np.full(n, len(columns), dtype=np.int64)  # the separators and the newline
    for cells, codes in columns:
        line += cells.length[codes]
    pos = np.empty(n, dtype=np.int64)
    pos[:1] = len(head)
    np.cumsum(line[:-1], out=pos[1:])
    pos[1:] += len(head)
    out = np.empty(len(head) + int(line.sum()), dtype=np.uint8)
    out[: len(head)] = np.frombuffer(head, dtype=np.uint8)
    for c, (cells, codes) in enumerate(columns):
        _put_cells(out, pos, cells.data, cells.start, cells.length, codes.astype(np.int64, copy=False),
                   0x0A if c == len(columns) - 1 else 0x2C)
    return out.tobytes()


@kernel
def _put_cells(out: UInt8Array, pos: Int64Array, data: UInt8Array, start: Int64Array, length: Int64Array,
               codes: Int64Array, sep: int) -> None:
    # Row i: copy its cell at pos[i], then the separator; pos[i] moves past both.
    for i in range(codes.shape[0]):
        j = codes[i]
        p = pos[i]
        s = start[j]
        for k in range(length[j]):
            out[p + k] = data[s + k]
        p += length[j]
        out[p] = sep
        pos[i] = p + 1
