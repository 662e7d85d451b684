"""CSV files byte-for-byte reproducibly: the contract format of every result table.

(Writing the result folder itself is :mod:`api.store.result_folder`.)

Large tables (a million ``results.csv`` rows) are written column by column by
:func:`csv_bytes_from_columns`: each column is a small set of distinct cells plus one
index per row, and a numba kernel copies the bytes, instead of formatting a Python
string per row (≈ 2 s of the 1M-applicant replay before).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from engine.arrays import Int64Array, UInt8Array
from engine.compiled import kernel

__all__ = [
    "Cells",
    "csv_bytes",
    "csv_bytes_from_columns",
    "hex_cells",
    "int_cells",
    "text_cells",
]

_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 CSV (no BOM), ``\\n`` line endings, minimal quoting: the contract format of result files."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode("utf-8")


@dataclass(frozen=True)
class Cells:
    """Distinct cell texts of a column as UTF-8: cell ``j`` is ``data[start[j] : start[j] + length[j]]``."""

    data: UInt8Array
    start: Int64Array
    length: Int64Array


def text_cells(values: Sequence[str]) -> Cells:
    """The cells ``values`` (none may contain a newline; such cells need quoting anyway)."""
    data = np.frombuffer("\n".join([*values, ""]).encode("utf-8"), dtype=np.uint8)
    ends = np.flatnonzero(data == 0x0A)
    if ends.shape[0] != len(values):
        raise ValueError("a cell contains a newline")
    start = np.empty(len(values), dtype=np.int64)
    start[:1] = 0
    start[1:] = ends[:-1] + 1
    return Cells(data, start, ends - start)


def int_cells(values: Int64Array) -> tuple[Cells, Int64Array]:
    """Decimal cells for integers from a small range, with the index of each value's cell.

    The distinct texts are ``str(i)`` for ``i`` from ``min`` to ``max``, so the range must be
    small (counts, ranks, tiers); the cells are exactly what ``str`` writes.
    """
    if values.shape[0] == 0:
        return text_cells([]), values.astype(np.int64)
    lo, hi = int(values.min()), int(values.max())
    return text_cells([str(i) for i in range(lo, hi + 1)]), values.astype(np.int64) - lo


def hex_cells(values: NDArray[np.uint64]) -> Cells:
    """Cell ``j`` is ``values[j]`` as 16 lowercase hex digits (``f"{v:016x}"``), vectorised over bytes."""
    n = values.shape[0]
    octets = values.astype(">u8").view(np.uint8).reshape(n, 8)  # big-endian: most significant first
    data = np.empty((n, 16), dtype=np.uint8)
    data[:, 0::2] = _HEX_DIGITS[octets >> 4]
    data[:, 1::2] = _HEX_DIGITS[octets & 0xF]
    return Cells(data.reshape(-1), np.arange(n, dtype=np.int64) * 16, np.full(n, 16, dtype=np.int64))


def csv_bytes_from_columns(header: Sequence[str], columns: Sequence[tuple[Cells, Int64Array]]) -> bytes:
    """``csv_bytes(header, rows)`` for rows given column-wise, when no cell needs quoting.

    Column ``c`` of row ``i`` is cell ``codes[i]`` of ``columns[c] = (cells, codes)``; every
    ``codes`` has one entry per row. Requires that no cell contains ``,`` ``"`` CR or LF
    (the caller checks; anything else goes through :func:`csv_bytes`), and at least two
    columns (the csv module quotes a lone empty cell).
    """
    head = csv_bytes(header, ())
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
