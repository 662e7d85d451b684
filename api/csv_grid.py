"""CSV bytes → cell offsets in one compiled pass, with exactly the rules of Python's ``csv.reader``.

Why not ``csv.reader`` itself: it builds one Python list per row and one ``str`` per cell,
4 s of a 200,000-row applicants file before any check runs. Why not a CSV library's own
tokenizer (pyarrow, polars): they skip blank lines without counting them (Excel row numbers
would shift), refuse rows of unequal length and treat stray quotes differently — a file the
clerk could read yesterday would be refused or read differently today. So this kernel
reproduces the state machine of CPython's ``_csv.c`` (default dialect: ``"`` quotes, doubled
quotes, not strict; records end at LF, CRLF or a lone CR, as ``io.StringIO(newline="")``
splits lines) over the UTF-8 bytes — every byte it acts on is ASCII, and UTF-8 never puts an
ASCII byte inside a multi-byte character, so working on bytes is exact.

Each field is then stripped as ``str.strip()`` strips (the 29 code points ``str.isspace``
accepts, :data:`WHITESPACE`), and a row is blank when all its stripped fields are empty. The
result is offsets into one buffer of unescaped bytes; :func:`column_array` gathers one column
into an Arrow string array (a blank cell for a short row, as ``Row.get`` gives). The tests
compare the whole path with ``csv.reader`` on generated text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numba
import numpy as np
import pyarrow as pa

__all__ = ["FIELD_LIMIT", "MAX_COLUMNS", "WHITESPACE", "CsvGrid", "column_array", "first_wide_line", "numpy_values",
           "split_items", "text_array", "text_scalar", "tokenize"]

#: ``csv.field_size_limit()``'s default: a longer field is a ``csv.Error`` there, an InputError here.
FIELD_LIMIT = 131072
#: Excel's and WPS's column limit (XFD): a row with more fields is not a table anyone saved from a spreadsheet.
MAX_COLUMNS = 16384
#: What ``str.strip()`` removes (``[c for c in range(0x110000) if chr(c).isspace()]``).
WHITESPACE = "".join(map(chr, (*range(9, 14), *range(0x1C, 0x21), 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
                               0x2028, 0x2029, 0x202F, 0x205F, 0x3000)))

_START_RECORD, _START_FIELD, _IN_FIELD, _IN_QUOTED, _QUOTE_IN_QUOTED, _EAT_CRNL = range(6)


@dataclass(frozen=True)
class CsvGrid:
    """Every row of a CSV file as offsets: field ``f`` of row ``r`` is ``data[start[f]:end[f]]`` (stripped)
    for ``f`` in ``row_ptr[r]:row_ptr[r + 1]``; ``blank[r]`` when all its fields are blank."""

    data: np.ndarray
    start: np.ndarray
    end: np.ndarray
    row_ptr: np.ndarray
    blank: np.ndarray
    longest: int

    @property
    def n_rows(self) -> int:
        return int(self.row_ptr.size - 1)

    def row_texts(self, r: int) -> list[str]:
        """Row ``r`` as ``csv.reader`` + ``strip`` gives it (used for the few header-candidate rows)."""
        buf = self.data
        return [bytes(buf[self.start[f]:self.end[f]]).decode("utf-8")
                for f in range(int(self.row_ptr[r]), int(self.row_ptr[r + 1]))]


@numba.njit(cache=True)
def _is_space(cp: int) -> bool:
    if cp <= 0x20:
        return cp == 0x20 or 9 <= cp <= 13 or 0x1C <= cp <= 0x1F
    if cp < 0x85:
        return False
    return (cp == 0x85 or cp == 0xA0 or cp == 0x1680 or 0x2000 <= cp <= 0x200A or cp == 0x2028 or cp == 0x2029
            or cp == 0x202F or cp == 0x205F or cp == 0x3000)


@numba.njit(cache=True)
def _code_point(buf: np.ndarray, i: int) -> tuple[int, int]:
    """The code point starting at ``buf[i]`` and its length in bytes (valid UTF-8 assumed)."""
    b = int(buf[i])
    if b < 0x80:
        return b, 1
    if b < 0xE0:
        return ((b & 0x1F) << 6) | (int(buf[i + 1]) & 0x3F), 2
    if b < 0xF0:
        return ((b & 0x0F) << 12) | ((int(buf[i + 1]) & 0x3F) << 6) | (int(buf[i + 2]) & 0x3F), 3
    return (((b & 0x07) << 18) | ((int(buf[i + 1]) & 0x3F) << 12) | ((int(buf[i + 2]) & 0x3F) << 6)
            | (int(buf[i + 3]) & 0x3F)), 4


@numba.njit(cache=True)
def _strip(buf: np.ndarray, a: int, b: int) -> tuple[int, int]:
    while a < b:
        cp, n = _code_point(buf, a)
        if not _is_space(cp):
            break
        a += n
    while b > a:
        j = b - 1
        while (int(buf[j]) & 0xC0) == 0x80:
            j -= 1
        cp, n = _code_point(buf, j)
        if not _is_space(cp):
            break
        b = j
    return a, b


@numba.njit(cache=True, inline="always")
def _put(out: np.ndarray, o: int, chars: int, c: int) -> tuple[int, int]:
    """Append byte ``c``; a character is counted at its first byte (csv's field limit counts characters)."""
    out[o] = c
    return o + 1, chars + ((c & 0xC0) != 0x80)


@numba.njit(cache=True)
def _tokenize(src: np.ndarray, delim: int, max_fields: int, max_rows: int):  # type: ignore[no-untyped-def]
    n = src.size
    out = np.empty(n, dtype=np.uint8)
    # sized once (arrays re-bound inside the loop cost a reference count per byte)
    start = np.empty(max_fields, dtype=np.int64)
    end = np.empty(max_fields, dtype=np.int64)
    row_ptr = np.empty(max_rows + 1, dtype=np.int64)
    row_ptr[0] = 0
    n_fields = 0
    n_rows = 0
    o = 0          # write position in out
    fs = 0         # start of the current field in out
    fchars = 0     # characters in the current field (the csv field limit counts characters)
    longest = 0
    state = _START_RECORD
    quote = 34
    i = 0
    while i <= n:
        eol = i == n
        c = -1 if eol else int(src[i])
        save = False
        end_record = False
        if state == _START_RECORD:
            if eol:
                break
            if c == 10 or c == 13:
                state = _EAT_CRNL if c == 13 else _START_RECORD
                end_record = True  # an empty line: a row without fields
                n_rows += 1
                row_ptr[n_rows] = n_fields
                i += 1
                if c == 13 and i < n and int(src[i]) == 10:
                    i += 1
                state = _START_RECORD
                continue
            state = _START_FIELD
        if state == _START_FIELD:
            if eol or c == 10 or c == 13:
                save = True
                end_record = True
            elif c == quote:
                state = _IN_QUOTED
            elif c == delim:
                save = True
            else:
                o, fchars = _put(out, o, fchars, c)
                state = _IN_FIELD
        elif state == _IN_FIELD:
            if eol or c == 10 or c == 13:
                save = True
                end_record = True
            elif c == delim:
                save = True
                state = _START_FIELD
            else:
                o, fchars = _put(out, o, fchars, c)
        elif state == _IN_QUOTED:
            if eol:
                save = True  # an unclosed quote at the end: csv (not strict) keeps the field
                end_record = True
            elif c == quote:
                state = _QUOTE_IN_QUOTED
            else:
                o, fchars = _put(out, o, fchars, c)
        else:  # _QUOTE_IN_QUOTED
            if eol or c == 10 or c == 13:
                save = True
                end_record = True
            elif c == quote:
                o, fchars = _put(out, o, fchars, c)
                state = _IN_QUOTED
            elif c == delim:
                save = True
                state = _START_FIELD
            else:
                o, fchars = _put(out, o, fchars, c)
                state = _IN_FIELD
        if save:
            a, b = _strip(out, fs, o)
            start[n_fields] = a
            end[n_fields] = b
            n_fields += 1
            if fchars > longest:
                longest = fchars
            fs = o
            fchars = 0
        if end_record:
            n_rows += 1
            row_ptr[n_rows] = n_fields
            state = _START_RECORD
            if eol:
                break
            i += 1
            if c == 13 and i < n and int(src[i]) == 10:
                i += 1
            continue
        i += 1
    blank = np.ones(n_rows, dtype=np.bool_)
    for r in range(n_rows):
        for f in range(row_ptr[r], row_ptr[r + 1]):
            if end[f] > start[f]:
                blank[r] = False
                break
    return out[:o], start[:n_fields].copy(), end[:n_fields].copy(), row_ptr[:n_rows + 1].copy(), blank, longest


def tokenize(text: bytes, delimiter: str) -> CsvGrid:
    """Split UTF-8 ``text`` into rows and stripped fields (see the module docstring for the rules)."""
    src = np.frombuffer(text, dtype=np.uint8)
    # every field ends at a separator, a line end or the end of the text; every row at a line end or the end
    breaks = int(np.count_nonzero(src == 10)) + int(np.count_nonzero(src == 13)) + 1
    max_fields = int(np.count_nonzero(src == ord(delimiter))) + breaks
    data, start, end, row_ptr, blank, longest = _tokenize(src, ord(delimiter), max_fields, breaks)
    return CsvGrid(data, start, end, row_ptr, blank, int(longest))


@numba.njit(cache=True)
def _first_line_over(src: np.ndarray, delim: int, limit: int) -> tuple[int, int]:
    line = 0
    count = 0
    i = 0
    n = src.size
    while i < n:
        c = src[i]
        if c == 10 or c == 13:
            if c == 13 and i + 1 < n and src[i + 1] == 10:
                i += 1
            line += 1
            count = 0
        elif c == delim:
            count += 1
            if count > limit:
                return line, count
        i += 1
    return -1, 0


def first_wide_line(text: bytes, delimiter: str) -> int | None:
    """The 0-based index of the first line with more than :data:`MAX_COLUMNS` separators, when one must exist.

    Checked before :func:`tokenize`, whose offset arrays take 16 bytes per separator: a 100 MB line
    of commas would need 1.6 GB before any row could be refused. Only when the separators outnumber
    ``MAX_COLUMNS`` per line on average is the file scanned (quotes are not followed: a line holding
    that many separators inside quotes is no spreadsheet's table either); ``None`` otherwise.
    """
    src = np.frombuffer(text, dtype=np.uint8)
    lines = int(np.count_nonzero(src == 10)) + int(np.count_nonzero(src == 13)) + 1
    if int(np.count_nonzero(src == ord(delimiter))) <= MAX_COLUMNS * lines:
        return None
    line, _ = _first_line_over(src, ord(delimiter), MAX_COLUMNS)
    return None if line < 0 else int(line)


@numba.njit(cache=True)
def _gather(data: np.ndarray, start: np.ndarray, end: np.ndarray, row_ptr: np.ndarray, rows: np.ndarray,
            column: int) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.empty(rows.size + 1, dtype=np.int32)
    total = 0
    for k in range(rows.size):
        r = rows[k]
        f = row_ptr[r] + column
        if f < row_ptr[r + 1]:
            total += end[f] - start[f]
    values = np.empty(total, dtype=np.uint8)
    o = 0
    offsets[0] = 0
    for k in range(rows.size):
        r = rows[k]
        f = row_ptr[r] + column
        if f < row_ptr[r + 1]:
            for j in range(start[f], end[f]):
                values[o] = data[j]
                o += 1
        offsets[k + 1] = o
    return offsets, values


def column_array(grid: CsvGrid, rows: np.ndarray, column: int) -> pa.Array:
    """Column ``column`` of ``rows`` as an Arrow string array ("" where a row is shorter)."""
    offsets, values = _gather(grid.data, grid.start, grid.end, grid.row_ptr, rows, column)
    return _string_array(offsets, values)


def _string_array(offsets: np.ndarray, values: np.ndarray) -> pa.Array:
    if values.size >= 2**31:
        raise ValueError("column larger than 2 GiB")
    return pa.StringArray.from_buffers(offsets.size - 1, pa.py_buffer(offsets.astype(np.int32, copy=False)),
                                       pa.py_buffer(values))


def text_array(values: Sequence[str]) -> pa.Array:
    """``pa.array(values, type=pa.string())``, built from its buffers.

    pyarrow imports pandas (0.7 s or more per process, issue 12) the first time it converts
    Python objects to Arrow: a list, or a ``str`` handed to a compute function. The ingest
    makes every array and scalar it compares with here, so ``sunshine lottery`` never pays for it.
    """
    data = [v.encode("utf-8") for v in values]
    offsets = np.zeros(len(data) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, data), dtype=np.int64, count=len(data)), out=offsets[1:])
    return _string_array(offsets, np.frombuffer(b"".join(data), dtype=np.uint8))


def numpy_values(values: pa.Array | pa.ChunkedArray, fill: int = 0) -> np.ndarray:
    """A boolean or integer Arrow array as a new numpy array, nulls replaced by ``fill``, read from its buffers.

    ``Array.to_numpy`` imports pandas (see :func:`text_array`), even for a zero-copy view.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    n, start = len(values), values.offset
    validity, data = values.buffers()[:2]
    if pa.types.is_boolean(values.type):
        out = _bits(data, start, n)
    elif pa.types.is_signed_integer(values.type) or pa.types.is_unsigned_integer(values.type):
        kind = "int" if pa.types.is_signed_integer(values.type) else "uint"
        out = np.frombuffer(data, dtype=f"{kind}{values.type.bit_width}")[start:start + n].copy() \
            if data is not None else np.zeros(n, dtype=np.int64)
    else:
        raise TypeError(f"not a boolean or integer array: {values.type}")
    if values.null_count:
        out[~_bits(validity, start, n)] = fill
    return out


def _bits(buffer: pa.Buffer | None, start: int, n: int) -> np.ndarray:
    if buffer is None:
        return np.zeros(n, dtype=np.bool_)
    return np.unpackbits(np.frombuffer(buffer, dtype=np.uint8), bitorder="little")[start:start + n].astype(np.bool_)


def text_scalar(value: str) -> pa.Scalar:
    """``pa.scalar(value, pa.string())`` without the Python conversion (:func:`text_array`)."""
    return text_array([value])[0]


@numba.njit(cache=True)
def _separator_at(data: np.ndarray, j: int, stop: int) -> int:
    """The length of the list separator at ``data[j]`` (``;`` ``,`` ``|`` ``；`` ``、`` ``，``), or 0."""
    b = data[j]
    if b == 0x3B or b == 0x2C or b == 0x7C:
        return 1
    if j + 2 < stop:
        b1, b2 = data[j + 1], data[j + 2]
        if (b == 0xEF and b1 == 0xBC and (b2 == 0x9B or b2 == 0x8C)) or (b == 0xE3 and b1 == 0x80 and b2 == 0x81):
            return 3
    return 0


@numba.njit(cache=True)
def _split(offsets: np.ndarray, data: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = offsets.size - 1
    bound = 0
    for j in range(data.size):  # every item ends at a separator or at its cell's end
        b = data[j]
        if b == 0x3B or b == 0x2C or b == 0x7C or b == 0xEF or b == 0xE3:
            bound += 1
    start = np.empty(bound + n, dtype=np.int64)
    end = np.empty(bound + n, dtype=np.int64)
    row_ptr = np.empty(n + 1, dtype=np.int64)
    k = 0
    row_ptr[0] = 0
    for r in range(n):
        a, stop = offsets[r], offsets[r + 1]
        j = a
        while j <= stop:
            width = 1 if j == stop else _separator_at(data, j, stop)
            if width:
                s, e = _strip(data, a, j)
                if e > s:
                    start[k] = s
                    end[k] = e
                    k += 1
                j += width
                a = j
            else:
                j += 1
        row_ptr[r + 1] = k
    return start[:k], end[:k], row_ptr


def split_items(values: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Every cell split on the list separators, items stripped as ``str.strip`` strips, blank items dropped:
    ``(row_offsets, items)`` with the items of row ``i`` at ``items[row_offsets[i]:row_offsets[i + 1]]``."""
    values = values.cast(pa.string())
    if values.offset or values.null_count:
        values = pa.concat_arrays([values]).fill_null(text_scalar(""))
    buffers = values.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int32)[:len(values) + 1].astype(np.int64)
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, dtype=np.uint8)
    start, end, row_ptr = _split(offsets, data)
    grid = CsvGrid(data, start, end, np.arange(start.size + 1, dtype=np.int64), np.zeros(0, dtype=np.bool_), 0)
    return row_ptr, column_array(grid, np.arange(start.size, dtype=np.int64), 0)
