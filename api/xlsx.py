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

* row 1: the title (:func:`run_title`): ``练习运行 PRACTICE`` first and in red when it is one,
  what the list is, the kind and run id, the run's recorded time, the seed's source and its
  first hex digits — one wrapped cell merged over the columns, bold, as tall as its lines;
* row 2: the column headers, bold, frozen with the title so they stay visible when scrolling
  (and printed on every page: A4, one page wide, landscape for wide tables);
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
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from api.outputs import starts_formula
from audit.run_facts import RunFacts

__all__ = ["KIND_NAMES", "PRACTICE_BANNER", "XLSX_MAX_APPLICANTS", "CellValue", "Sheet", "Title", "beijing_time",
           "display_width", "run_title", "xlsx_bytes"]

CellValue: TypeAlias = str | int | Decimal | None

#: The new per-run workbooks (``ranking.xlsx``, ``results_by_school.xlsx``) are written for runs of at
#: most this many applicants — a district's run. Writing costs about 10–15 µs a cell, so a city-scale
#: run (200k applicants × 30 columns) would spend minutes on workbooks in every replay and verify;
#: it has the CSVs, which Excel and WPS open too. ``publication.xlsx`` is always written.
XLSX_MAX_APPLICANTS = 50_000

#: The fixed creation date written into every workbook (no clock: same inputs, same bytes).
FIXED_CREATED = dt.datetime(2000, 1, 1, 0, 0, 0)
_MIN_WIDTH, _MAX_WIDTH = 6, 60
#: The title cell spans at least this many character units (a narrower table's columns are widened).
_MIN_TITLE_WIDTH = 48
#: The 12-point bold title is about 1.15 × the width of body text (×100, integer arithmetic); points per line.
_TITLE_SCALE, _TITLE_LINE_HEIGHT = 115, 15
#: Tables wider than this (character units) print landscape.
_PORTRAIT_WIDTH = 90


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its tab name, the title row text, the header and the rows (typed cells)."""

    name: str
    title: Title | str
    header: Sequence[str]
    rows: Sequence[Sequence[CellValue]]


#: The kinds' names as a clerk knows them (the title rows name the kind in Chinese first).
KIND_NAMES = {"lottery": "多校划片电脑随机派位 lottery", "points": "随迁子女积分入学 points admission",
              "classes": "阳光编班 class placement"}
#: The first title line of a practice run's lists (in red).
PRACTICE_BANNER = "【练习运行 PRACTICE】不是正式结果，不能公示 (not an official result)"
#: Beijing time, UTC+8 all year (no daylight saving): the log's UTC times are shown in it.
_BEIJING = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class Title:
    """A sheet's title row: its lines (one cell, wrapped) and whether it marks a practice run (red)."""

    lines: tuple[str, ...]
    practice: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def beijing_time(log_time: str) -> str:
    """A log time ``YYYY-MM-DDTHH:MM:SSZ`` as ``YYYY-MM-DD HH:MM:SS`` Beijing time (UTC+8)."""
    moment = dt.datetime.strptime(log_time, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    return moment.astimezone(_BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def run_title(what: str, seed: bytes, facts: RunFacts | None = None) -> Title:
    """The title row of a public list: what it is and which run it belongs to.

    With the run's :class:`~audit.run_facts.RunFacts` (every published run): ``练习运行 PRACTICE``
    first when it is one, then the list, the kind and run id, the run's own recorded time (the
    signed ``run.execute`` entry's, in Beijing time; a practice run records none and says so),
    where the seed came from and its first 16 hex digits. Every fact is in the bundle, so replay
    and verify recompute the same bytes. Without facts (a computation that is not a run: tests,
    simulations) the title names the seed only.
    """
    seed_line = f"随机种子 seed {seed.hex()[:16]}… · 以 bundle.zip 核验为准 (verify with bundle.zip)"
    if facts is None:
        return Title((what, seed_line))
    run = f"{KIND_NAMES.get(facts.kind, facts.kind)} · 运行编号 run {facts.run_id}"
    if facts.time is not None:
        when = f"运行时间 {beijing_time(facts.time)}（北京时间 UTC+8）"
    else:
        when = "运行时间：练习运行不记录时间 (practice: no time recorded)"
    source = f"种子来源 seed：{facts.seed_source}"
    banner = (PRACTICE_BANNER,) if facts.practice else ()
    return Title((*banner, what, run, when, source, seed_line), facts.practice)


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
