"""Byte-reproducible XLSX workbooks for the lists people open (公示名单, class lists, results per school).

Why XlsxWriter rather than openpyxl (already used for *reading*) or a hand-written writer:
XlsxWriter is a kept library made for writing, and it writes every zip entry with the fixed
timestamp 1980-01-01 itself; with the document's ``created`` property fixed (below) and
``in_memory`` on, the same cells give the same bytes in every process. openpyxl stamps the
current time into ``docProps/core.xml`` (``modified``, on every save) and into the zip
entries, so it would need its own zip writer and a patched property — a copy of what
XlsxWriter already does. The hand-written writer this replaces had no number cells,
widths or frozen header.

Every sheet has the same shape, so a clerk always finds things in the same place:

* row 1: the title (what the list is, the run it belongs to; ``练习 PRACTICE`` when it is one),
  merged over the columns, bold;
* row 2: the column headers, bold, frozen with the title so they stay visible when scrolling;
* then the rows. ``int`` and :class:`~decimal.Decimal` cells are *number* cells (sortable and
  summable in Excel/WPS); everything else is text — application numbers and ID-like codes stay
  text on purpose, so Excel cannot drop their leading zeros or digits.

Column widths follow the longest cell (a CJK character counts as two), within 6–60.

Formula injection: every text cell is written with ``write_string`` (a string cell, never a
formula; the workbook also has ``strings_to_formulas`` off), so a name like ``=HYPERLINK(…)``
is never evaluated. A text cell that :func:`api.outputs.starts_formula` also gets Excel's own
"quote prefix" style (``quotePrefix``, what typing a leading ``'`` does): it shows the text
as written and stays text when somebody edits the cell — the XLSX counterpart of the ``'``
the CSV files carry. The style is added only to a workbook that has such a cell, so the bytes
of every other workbook are as before.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import TypeAlias

import xlsxwriter

from api.outputs import starts_formula

__all__ = ["XLSX_MAX_APPLICANTS", "CellValue", "Sheet", "display_width", "run_title", "xlsx_bytes"]

CellValue: TypeAlias = str | int | Decimal | None

#: The new per-run workbooks (``ranking.xlsx``, ``results_by_school.xlsx``) are written for runs of at
#: most this many applicants — a district's run. Writing costs about 10–15 µs a cell, so a city-scale
#: run (200k applicants × 30 columns) would spend minutes on workbooks in every replay and verify;
#: it has the CSVs, which Excel and WPS open too. ``publication.xlsx`` is always written.
XLSX_MAX_APPLICANTS = 50_000

#: The fixed creation date written into every workbook (no clock: same inputs, same bytes).
FIXED_CREATED = dt.datetime(2000, 1, 1, 0, 0, 0)
_MIN_WIDTH, _MAX_WIDTH = 6, 60


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its tab name, the title row text, the header and the rows (typed cells)."""

    name: str
    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[CellValue]]


def run_title(what: str, seed: bytes) -> str:
    """The title row of a public list: what it is and the run it belongs to, named by its seed.

    The public files are a pure function of (config, roster, seed), so the title can only
    name what that knows: the seed's first 16 hex digits identify the run (they are in the
    bundle, the log and every receipt). The run id, date and practice mark are on the
    result folder (``PRACTICE.txt``, the bundle manifest, the terminal summary).
    """
    return f"{what} · 随机种子 seed {seed.hex()[:16]}… · 以 bundle.zip 验证为准 (verify with bundle.zip)"


@lru_cache(maxsize=65536)
def display_width(text: str) -> int:
    """Width of ``text`` in Excel character units: wide (CJK, full-width) characters count as two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The workbook with ``sheets`` in order, as bytes; identical for identical sheets in any process."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False,
                                     "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"created": FIXED_CREATED})
    title_format = book.add_format({"bold": True, "font_size": 14})
    header_format = book.add_format({"bold": True, "bottom": 1, "bg_color": "#EEEEEE"})
    quoted = None  # the quote-prefix style, made on first use
    for sheet in sheets:
        ws = book.add_worksheet(sheet.name)
        columns = max(1, len(sheet.header))
        if columns > 1:
            ws.merge_range(0, 0, 0, columns - 1, sheet.title, title_format)
        else:
            ws.write_string(0, 0, sheet.title, title_format)
        ws.set_row(0, 24)
        widths = [display_width(h) for h in sheet.header]
        for c, head in enumerate(sheet.header):
            ws.write_string(1, c, head, header_format)
        write_number, write_string = ws.write_number, ws.write_string
        for r, row in enumerate(sheet.rows, start=2):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    raise TypeError("write yes/no cells as text (是/否)")
                if isinstance(value, int | Decimal):
                    # A Decimal with at most a few places is exact as a double's shortest repr.
                    write_number(r, c, float(value))
                elif starts_formula(value):
                    quoted = quoted or book.add_format({"quote_prefix": True})
                    write_string(r, c, value, quoted)
                else:
                    write_string(r, c, value)
                if c < len(widths):
                    widths[c] = max(widths[c], display_width(str(value)))
        for c, w in enumerate(widths):
            ws.set_column(c, c, min(max(w + 2, _MIN_WIDTH), _MAX_WIDTH))
        ws.freeze_panes(2, 0)
    book.close()
    return buf.getvalue()
