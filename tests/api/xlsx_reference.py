"""XlsxWriter's bytes for our sheets: the reference :mod:`api.xlsx_writer` is checked against (tests only).

This is the code that wrote every XLSX list before our own writer (docs/xlsx.md): the same cells, formats,
merged title, frozen header and print setup through XlsxWriter. tests/api/test_xlsx_writer.py compares the
two writers' bytes on generated sheets, as the canonical-JSON tests compare with ``rfc8785``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from api.outputs import starts_formula
from api.xlsx import Sheet, Title, display_width

__all__ = ["reference_xlsx_bytes"]

#: The fixed creation date written into every workbook (no clock: same inputs, same bytes).
FIXED_CREATED = dt.datetime(2000, 1, 1, 0, 0, 0)
_MIN_WIDTH, _MAX_WIDTH = 6, 60
_MIN_TITLE_WIDTH = 48
_TITLE_SCALE, _TITLE_LINE_HEIGHT = 115, 15
_PORTRAIT_WIDTH = 90


def reference_xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The workbook with ``sheets`` in order, as bytes; identical for identical sheets in any process."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False,
                                     "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"created": FIXED_CREATED})
    header_format = book.add_format({"bold": True, "bottom": 1, "bg_color": "#EEEEEE"})
    title_formats: dict[bool, Format] = {}  # by practice: made on first use (red for a practice run)
    quoted = None  # the quote-prefix style, made on first use
    for sheet in sheets:
        ws = book.add_worksheet(sheet.name)
        title = sheet.title if isinstance(sheet.title, Title) else Title((sheet.title,))
        if title.practice not in title_formats:
            title_formats[title.practice] = book.add_format(
                {"bold": True, "font_size": 12, "text_wrap": True, "valign": "top",
                 **({"font_color": "#C00000"} if title.practice else {})})
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
        column_widths = [min(max(w + 2, _MIN_WIDTH), _MAX_WIDTH) for w in widths] or [_MIN_WIDTH]
        _write_title(ws, title, column_widths, title_formats[title.practice])
        ws.freeze_panes(2, 0)
        _print_setup(ws, sum(column_widths))
    book.close()
    return buf.getvalue()


def _print_setup(ws: Worksheet, width: int) -> None:
    """Printed as a clerk posts it: A4, every column on one page width (landscape when wide), and the
    title and header rows repeated on every page."""
    ws.set_paper(9)  # A4
    if width > _PORTRAIT_WIDTH:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, 1)


def _write_title(ws: Worksheet, title: Title, column_widths: list[int], title_format: Format) -> None:
    """Row 1: the title lines in one cell merged over the table's columns, wrapped, the row as tall as its lines.

    A table narrower than :data:`_MIN_TITLE_WIDTH` has its columns widened evenly first (merging
    empty columns beyond the table would make spreadsheet readers see extra, blank columns).
    Excel and WPS never grow a merged row by themselves, so the height is set here from the lines'
    display widths: a line wider than the cell takes as many rows of text as it wraps to.
    """
    short = _MIN_TITLE_WIDTH - sum(column_widths)
    if short > 0:
        n = len(column_widths)
        column_widths[:] = [w + short // n + (1 if i < short % n else 0) for i, w in enumerate(column_widths)]
    for c, w in enumerate(column_widths):
        ws.set_column(c, c, w)
    width = sum(column_widths)
    text_rows = sum(max(1, -(-(display_width(line) * _TITLE_SCALE) // (width * 100))) for line in title.lines)
    if len(column_widths) > 1:
        ws.merge_range(0, 0, 0, len(column_widths) - 1, title.text, title_format)
    else:
        ws.write_string(0, 0, title.text, title_format)
    ws.set_row(0, _TITLE_LINE_HEIGHT * text_rows + 4)
