"""The XLSX workbook bytes, written from docs/xlsx.md: sheet XML, shared strings, styles, the fixed parts, the zip.

Why our own writer rather than XlsxWriter (which wrote these bytes before, and which the tests keep as the
reference, as ``rfc8785`` is for canonical JSON): at city scale a points run's ``publication.xlsx`` has 200,000
rows × 10 columns, and XlsxWriter spent ≈ 15 s CPU of the 77 s command inside itself (``write_string`` ≈ 8 µs a
cell through its cell checks and per-cell objects, then ≈ 12 s in ``_write_rows``' XML), for a file whose every
byte is fixed by docs/xlsx.md. The format we write is that small subset (text and number cells, a merged title,
a frozen header, three styles, no dates or formulas), fully specified there, and the browser verifier already
rebuilds it byte for byte from the same page (api/pages/verifier/xlsx.js). This module is the Python twin of
that file: each workbook is one pass over the cells with the XML of each distinct value built once.

:mod:`api.xlsx` (which re-exports these names) makes the sheets: titles of a run, what each list holds.
Every XLSX we produce goes through :func:`xlsx_bytes` here, at every size: there is no second path.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import chain, zip_longest
from typing import TypeAlias

import numpy as np

from api.outputs import starts_formula
from api.xlsx_theme import THEME_XML
from engine.arrays import BoolArray

__all__ = ["CellValue", "Sheet", "Title", "display_width", "xlsx_bytes"]

_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE = _NS_REL

#: docs/xlsx.md § Shared strings, step 1: a literal ``_xHHHH_`` is protected, then control characters escaped.
_LITERAL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile("([\x00-\x08\x0b-\x1f])")
_NEEDS_ESCAPE = re.compile("[\x00-\x08\x0b-\x1f_\ufffe\uffff]")
_XML_SPECIAL = re.compile("[&<>]")
#: Python's ``\s`` at either end of the (escaped) text: the ``<t>`` keeps its spaces.
_EDGE_SPACE = re.compile(r"^\s|\s$")
#: The longest text a cell holds, in UTF-16 units.
_MAX_STRING = 32767
_MIN_WIDTH, _MAX_WIDTH = 6, 60
#: The title cell spans at least this many character units (a narrower table's columns are widened).
_MIN_TITLE_WIDTH = 48
#: The 12-point bold title is about 1.15 × the width of body text (×100, integer arithmetic); points per line.
_TITLE_SCALE, _TITLE_LINE_HEIGHT = 115, 15
#: Tables wider than this (character units) print landscape.
_PORTRAIT_WIDTH = 90

#: The cell styles (docs/xlsx.md § Styles): the font and the ``xf`` element's tail; fill and border flags.
_FONT_TAIL = '<name val="Calibri"/><family val="2"/><scheme val="minor"/></font>'
_DEFAULT_FONT = '<sz val="11"/><color theme="1"/>'
_TITLE_XF = ' applyFont="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'


@dataclass(frozen=True)
class _Style:
    font: str | None
    fill: bool
    border: bool
    xf_tail: str


_STYLES = {
    "title": _Style('<b/><sz val="12"/><color theme="1"/>', False, False, _TITLE_XF),
    "practice_title": _Style('<b/><sz val="12"/><color rgb="FFC00000"/>', False, False, _TITLE_XF),
    "header": _Style('<b/><sz val="11"/><color theme="1"/>', True, True,
                     ' applyFont="1" applyFill="1" applyBorder="1"/>'),
    "quoted": _Style(None, False, False, ' quotePrefix="1"/>'),
}


CellValue: TypeAlias = str | int | Decimal | None


@dataclass(frozen=True)
class Title:
    """A sheet's title row: its lines (one cell, wrapped) and whether it marks a practice run (red)."""

    lines: tuple[str, ...]
    practice: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its tab name, the title row text, the header and the rows (typed cells).

    A large sheet may give its data as ``columns`` instead (each one cell per data row, ``rows``
    then empty): the same workbook bytes as the rows they make, without building a list per row.
    """

    name: str
    title: Title | str
    header: Sequence[str]
    rows: Sequence[Sequence[CellValue]]
    columns: Sequence[Sequence[CellValue]] | None = None


@lru_cache(maxsize=65536)
def display_width(text: str) -> int:
    """Width of ``text`` in Excel character units: wide (CJK, full-width) characters count as two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _cell_string(text: str) -> str:
    """``text`` as a cell stores it: at most 32,767 UTF-16 units, never half a character above U+FFFF."""
    if len(text) <= _MAX_STRING // 2:
        return text
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > _MAX_STRING:
            return text[:index]
    return text


def _shared_string_xml(text: str) -> str:
    """One ``<si>`` of the shared string table (docs/xlsx.md § Shared strings)."""
    if _NEEDS_ESCAPE.search(text):
        text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
        text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    if text.startswith("<r>") and text.endswith("</r>"):
        return f"<si>{text}</si>"  # XlsxWriter took it for rich text: written as it is
    space = ' xml:space="preserve"' if _EDGE_SPACE.search(text) else ""
    if _XML_SPECIAL.search(text):
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<si><t{space}>{text}</t></si>"


#: Sheet names we can write: word characters and dots (ours are Chinese, or ``1班`` …: classes).
_SHEET_NAME = re.compile(r"[\w.]{1,31}")
_CELL_LIKE = re.compile(r"^([A-Z]{1,3})(\d+)$")
_ROW_LIKE = re.compile(r"^R(\d+)")
_COLUMN_LIKE = re.compile(r"^R?C(\d+)")
_MAX_ROW, _MAX_COLUMN = 1_048_576, 16_384


def _sheet_reference(name: str) -> str:
    """``name`` as a formula reference writes it (``1班`` → ``'1班'``): quoted when Excel would read it otherwise.

    XlsxWriter's rules (``quote_sheetname``) for the names we write: one that starts with a digit or a dot,
    looks like an A1 cell, or starts like an R1C1 reference is quoted. A name with any other character is
    refused (no list of ours has one; its quoting rules are not specified in docs/xlsx.md).
    """
    if not _SHEET_NAME.fullmatch(name):
        raise ValueError(f"sheet name {name!r}: only letters, digits, _ and . are written")
    upper = name.upper()
    cell, row, column = _CELL_LIKE.match(upper), _ROW_LIKE.match(upper), _COLUMN_LIKE.match(upper)
    if re.match(r"[\d.]", name):
        quote = True
    elif cell:
        col = 0
        for letter in cell.group(1):
            col = col * 26 + ord(letter) - 64
        quote = 0 <= int(cell.group(2)) - 1 < _MAX_ROW and 0 <= col - 1 < _MAX_COLUMN
    elif row:
        quote = 0 < int(row.group(1)) <= _MAX_ROW
    elif column:
        quote = 0 < int(column.group(1)) <= _MAX_COLUMN
    else:
        quote = upper in ("R", "C", "RC")
    return f"'{name}'" if quote else name


def _column_name(c: int) -> str:
    name = ""
    n = c + 1
    while n > 0:
        n, r = divmod(n - 1, 26)
        name = chr(65 + r) + name
    return name


class _Book:
    """The workbook-wide tables: shared strings (first-write order) and styles (first-use order in the XML)."""

    def __init__(self) -> None:
        self.strings: dict[str, int] = {}
        self.count = 0
        self.styles: list[str] = []

    def add(self, text: str) -> int:
        """The index of a string cell's text (one more string cell)."""
        self.count += 1
        return self.index(text)

    def index(self, text: str) -> int:
        """The index of ``text`` (cut to what a cell holds), given the next one if it is new."""
        text = _cell_string(text)
        index = self.strings.get(text)
        if index is None:
            index = self.strings[text] = len(self.strings)
        return index

    def style(self, kind: str) -> int:
        if kind not in self.styles:
            self.styles.append(kind)
        return self.styles.index(kind) + 1


def _layout(widths: list[int], title: Title) -> tuple[list[int], float, bool]:
    """Column widths, the title row's height (points, as stored) and landscape (docs/xlsx.md § Layout).

    A table narrower than :data:`_MIN_TITLE_WIDTH` has its columns widened evenly (merging empty columns
    beyond the table would make spreadsheet readers see extra, blank columns). Excel and WPS never grow a
    merged row by themselves, so the height comes from the lines' display widths: a line wider than the
    cell takes as many rows of text as it wraps to.
    """
    cols = [min(max(w + 2, _MIN_WIDTH), _MAX_WIDTH) for w in widths] or [_MIN_WIDTH]
    short = _MIN_TITLE_WIDTH - sum(cols)
    if short > 0:
        n = len(cols)
        cols = [w + short // n + (1 if i < short % n else 0) for i, w in enumerate(cols)]
    width = sum(cols)
    text_rows = sum(max(1, -(-(display_width(line) * _TITLE_SCALE) // (width * 100))) for line in title.lines)
    points = _TITLE_LINE_HEIGHT * text_rows + 4
    return cols, int(points * 4 / 3 + 0.5) * 0.75, width > _PORTRAIT_WIDTH


def _column_strings(columns: Sequence[Sequence[CellValue]], counts: Sequence[Counter[CellValue]], book: _Book) -> None:
    """Give the sheet's new strings their shared-string indices in the order XlsxWriter gave them: row by
    row, left to right, each at its first cell (a string seen before, in this sheet or an earlier one,
    keeps its index). Per column only the first row of each distinct value is looked at."""
    keys: list[int] = []
    values: list[str] = []
    width = len(columns)
    for c, (column, count) in enumerate(zip(columns, counts, strict=True)):
        new = [v for v in count if type(v) is str and v != "" and _cell_string(v) not in book.strings]
        if not new:
            continue
        n = len(column)
        first = {v: i for i, v in zip(range(n - 1, -1, -1), reversed(column), strict=True)}
        keys += [first[v] * width + c for v in new]
        values += new
    for k in np.argsort(np.array(keys, dtype=np.int64), kind="stable").tolist():
        book.index(values[k])


def _number_width(column: Sequence[CellValue]) -> int:
    """The widest number cell of a column (``str`` of the int or Decimal: ``28.90`` and ``28.9`` differ)."""
    return max((len(str(v)) for v in column if v is not None and type(v) is not str), default=0)


def _sheet_xml(sheet: Sheet, index: int, book: _Book) -> str:
    """The XML of one sheet (docs/xlsx.md § Sheets); strings and styles numbered as XlsxWriter numbered them.

    Column by column: each column's distinct values are counted once (``Counter``), the XML after a
    cell's ``r="B`` + row number (`` t="s"><v>17</v></c>``) is made once per distinct value, and the
    cells of a column are then one list comprehension; the rows are the columns zipped, each wrapped in
    its ``<row>`` (whose ``spans`` come from numpy over the rows' first and last cells).
    """
    title = sheet.title if isinstance(sheet.title, Title) else Title((sheet.title,))
    title_style = book.style("practice_title" if title.practice else "title")
    header = list(sheet.header)
    header_style = book.style("header") if header else 0
    widths = [display_width(h) for h in header]
    n_widths = len(widths)
    if sheet.columns is not None:
        if sheet.rows:
            raise ValueError(f"sheet {sheet.name}: give rows or columns, not both")
        columns = list(sheet.columns)
        n = len(columns[0]) if columns else 0
        if any(len(column) != n for column in columns):
            raise ValueError(f"sheet {sheet.name}: columns of different lengths")
    else:
        columns = list(zip_longest(*sheet.rows)) if sheet.rows else []
        n = len(sheet.rows)
    refs = [_column_name(c) for c in range(max(n_widths, len(columns), 1))]
    head_xml = "".join(f'<c r="{refs[c]}2" s="{header_style}" t="s"><v>{book.add(h)}</v></c>'
                       for c, h in enumerate(header))
    counts = [Counter(column) for column in columns]
    _column_strings(columns, counts, book)
    numbers = [str(k) for k in range(3, n + 3)]
    cells: list[list[str]] = []
    present: list[BoolArray] = []
    for c, (column, count) in enumerate(zip(columns, counts, strict=True)):
        tails: dict[CellValue, str] = {}
        has_numbers = False
        for v in count:
            if v is None or v == "":
                continue
            if type(v) is str:
                book.count += count[v]
                style = f' s="{book.style("quoted")}"' if starts_formula(v) else ""
                tails[v] = f'"{style} t="s"><v>{book.strings[_cell_string(v)]}</v></c>'
                if c < n_widths:
                    widths[c] = max(widths[c], display_width(v))
            elif isinstance(v, bool) or not isinstance(v, int | Decimal):
                row = next(i for i, x in enumerate(column) if x is v) + 3
                raise TypeError(f"cell {refs[c]}{row}: write text, an int or a Decimal, not {type(v).__name__}"
                                " (yes/no cells as 是/否)")
            else:
                has_numbers = True
                # A Decimal with at most a few places is exact as a double's shortest repr.
                tails[v] = f'"><v>{float(v):.16G}</v></c>'
        if has_numbers and c < n_widths:
            widths[c] = max(widths[c], _number_width(column))
        pre = f'<c r="{refs[c]}'
        column_cells = [f"{pre}{k}{t}" if t else "" for k, t in zip(numbers, map(tails.get, column), strict=True)]
        cells.append(column_cells)
        present.append(np.fromiter(map(bool, column_cells), dtype=np.bool_, count=n))
    cols, height, landscape = _layout(widths, title)
    last_col = len(cols) - 1
    text = title.text
    if text == "" and last_col > 0:
        first = f'<c r="A1" s="{title_style}"/>'  # an empty merged title is a blank cell (merge_range)
    else:
        first = f'<c r="A1" s="{title_style}" t="s"><v>{book.add(text)}</v></c>'
    title_xml = first + "".join(f'<c r="{refs[c]}1" s="{title_style}"/>' for c in range(1, last_col + 1))
    # The rows that hold cells: title, header, then the data rows with at least one cell.
    grid = np.stack(present, axis=1) if present else np.zeros((n, 1), dtype=np.bool_)
    data_rows = np.flatnonzero(grid.any(axis=1))
    lo_data = grid.argmax(axis=1)[data_rows]
    hi_data = grid.shape[1] - 1 - grid[:, ::-1].argmax(axis=1)[data_rows]
    fixed = [(1, 0, last_col)] + ([(2, 0, n_widths - 1)] if header else [])
    row_no = np.concatenate([np.array([r for r, _, _ in fixed], dtype=np.int64), data_rows + 3])
    lo = np.concatenate([np.array([a for _, a, _ in fixed], dtype=np.int64), lo_data])
    hi = np.concatenate([np.array([b for _, _, b in fixed], dtype=np.int64), hi_data])
    block = (row_no - 1) >> 4
    starts = np.flatnonzero(np.concatenate(([True], block[1:] != block[:-1])))
    span_text = [f"{a + 1}:{b + 1}" for a, b in zip(np.minimum.reduceat(lo, starts).tolist(),
                                                     np.maximum.reduceat(hi, starts).tolist(), strict=True)]
    which = (np.cumsum(np.isin(np.arange(len(row_no)), starts)) - 1).tolist()
    spans = [span_text[k] for k in which]
    max_col = max(int(hi.max()), last_col)
    last_row = int(row_no[-1])
    dimension = "A1" if last_row == 1 and max_col == 0 else f"A1:{refs[max_col]}{last_row}"
    col_xml = []
    c = 0
    while c < len(cols):
        end = c
        while end + 1 < len(cols) and cols[end + 1] == cols[c]:
            end += 1
        pixels = int(cols[c] * 7 + 0.5) + 5
        col_xml.append(f'<col min="{c + 1}" max="{end + 1}" width="{(pixels * 256 // 7) / 256:.16g}" customWidth="1"/>')
        c = end + 1
    selected = 'tabSelected="1" ' if index == 0 else ""
    out = [f'{_XML_HEAD}<worksheet xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}"><sheetPr><pageSetUpPr fitToPage="1"/>'
           f'</sheetPr><dimension ref="{dimension}"/><sheetViews><sheetView {selected}workbookViewId="0">'
           '<pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/>'
           f'</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>{"".join(col_xml)}</cols><sheetData>',
           f'<row r="1" spans="{spans[0]}" ht="{height:.16g}" customHeight="1">{title_xml}</row>']
    if header:
        out.append(f'<row r="2" spans="{spans[1]}">{head_xml}</row>')
    heads = [""] * n
    ends = [""] * n
    for r, sp in zip(data_rows.tolist(), spans[len(fixed):], strict=True):
        heads[r] = f'<row r="{r + 3}" spans="{sp}">'
        ends[r] = "</row>"
    out.append("".join(chain.from_iterable(zip(heads, *cells, ends, strict=True))))
    out.append("</sheetData>")
    if last_col > 0:
        out.append(f'<mergeCells count="1"><mergeCell ref="A1:{refs[last_col]}1"/></mergeCells>')
    out.append('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
               f'<pageSetup paperSize="9" fitToHeight="0" orientation="{"landscape" if landscape else "portrait"}"/>'
               "</worksheet>")
    return "".join(out)


def _styles_xml(used: Sequence[str]) -> str:
    fonts = [_DEFAULT_FONT]
    xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>']
    fills, borders = 2, 1
    for kind in used:
        style = _STYLES[kind]
        font = 0
        if style.font is not None:
            if style.font not in fonts:
                fonts.append(style.font)
            font = fonts.index(style.font)
        fill = border = 0
        if style.fill:
            fill, fills = fills, fills + 1
        if style.border:
            border, borders = borders, borders + 1
        xfs.append(f'<xf numFmtId="0" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"{style.xf_tail}')
    solid = ('<fill><patternFill patternType="solid"><fgColor rgb="FFEEEEEE"/><bgColor indexed="64"/></patternFill>'
             "</fill>")
    thin = '<border><left/><right/><top/><bottom style="thin"><color auto="1"/></bottom><diagonal/></border>'
    return (f'{_XML_HEAD}<styleSheet xmlns="{_NS_MAIN}"><fonts count="{len(fonts)}">'
            + "".join(f"<font>{f}{_FONT_TAIL}" for f in fonts) + "</fonts>"
            f'<fills count="{fills}"><fill><patternFill patternType="none"/></fill>'
            f'<fill><patternFill patternType="gray125"/></fill>{solid * (fills - 2)}</fills>'
            f'<borders count="{borders}"><border><left/><right/><top/><bottom/><diagonal/></border>'
            f"{thin * (borders - 1)}</borders>"
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
            'defaultPivotStyle="PivotStyleLight16"/></styleSheet>')


def _rel(rid: int, kind: str, target: str) -> str:
    return f'<Relationship Id="rId{rid}" Type="{kind}" Target="{target}"/>'


def _override(part: str, kind: str) -> str:
    return f'<Override PartName="{part}" ContentType="application/vnd.openxmlformats-{kind}"/>'


def _parts(sheets: Sequence[Sheet]) -> list[tuple[str, str]]:
    """The workbook's XML parts, (zip member name, text), in the zip's order (docs/xlsx.md § Container)."""
    book = _Book()
    sheet_parts = [(f"xl/worksheets/sheet{i + 1}.xml", _sheet_xml(s, i, book)) for i, s in enumerate(sheets)]
    n = len(sheets)
    # The print titles' defined names, in XlsxWriter's order: by the range text, less a leading quote, lower-cased.
    ranges = sorted(((f"{_sheet_reference(s.name)}!$1:$2", i) for i, s in enumerate(sheets)),
                    key=lambda t: t[0].lstrip("'").lower())
    content_types = (
        f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + _override("/docProps/app.xml", "officedocument.extended-properties+xml")
        + _override("/docProps/core.xml", "package.core-properties+xml")
        + _override("/xl/styles.xml", "officedocument.spreadsheetml.styles+xml")
        + _override("/xl/theme/theme1.xml", "officedocument.theme+xml")
        + _override("/xl/workbook.xml", "officedocument.spreadsheetml.sheet.main+xml")
        + "".join(_override(f"/xl/worksheets/sheet{i + 1}.xml", "officedocument.spreadsheetml.worksheet+xml")
                  for i in range(n))
        + _override("/xl/sharedStrings.xml", "officedocument.spreadsheetml.sharedStrings+xml") + "</Types>")
    package_rels = (
        f'{_XML_HEAD}<Relationships xmlns="{_NS_PKG_REL}">{_rel(1, f"{_OFFICE}/officeDocument", "xl/workbook.xml")}'
        + _rel(2, "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
               "docProps/core.xml")
        + _rel(3, f"{_OFFICE}/extended-properties", "docProps/app.xml") + "</Relationships>")
    workbook_rels = (
        f'{_XML_HEAD}<Relationships xmlns="{_NS_PKG_REL}">'
        + "".join(_rel(i + 1, f"{_OFFICE}/worksheet", f"worksheets/sheet{i + 1}.xml") for i in range(n))
        + _rel(n + 1, f"{_OFFICE}/theme", "theme/theme1.xml") + _rel(n + 2, f"{_OFFICE}/styles", "styles.xml")
        + _rel(n + 3, f"{_OFFICE}/sharedStrings", "sharedStrings.xml") + "</Relationships>")
    workbook = (
        f'{_XML_HEAD}<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}"><fileVersion appName="xl" lastEdited="4" '
        'lowestEdited="4" rupBuild="4505"/><workbookPr defaultThemeVersion="124226"/><bookViews><workbookView '
        'xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660"/></bookViews><sheets>'
        + "".join(f'<sheet name="{s.name}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, s in enumerate(sheets))
        + "</sheets><definedNames>"
        + "".join(f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">{text}</definedName>'
                  for text, i in ranges)
        + '</definedNames><calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>')
    shared = (f'{_XML_HEAD}<sst xmlns="{_NS_MAIN}" count="{book.count}" uniqueCount="{len(book.strings)}">'
              + "".join(map(_shared_string_xml, book.strings)) + "</sst>")
    core = (f'{_XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            '<dc:creator></dc:creator><cp:lastModifiedBy></cp:lastModifiedBy>'
            '<dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:created>'
            '<dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z'
            "</dcterms:modified></cp:coreProperties>")
    app = (f'{_XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
           'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
           '<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>'
           '<HeadingPairs><vt:vector size="4" '
           f'baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>{n}</vt:i4>'
           '</vt:variant><vt:variant><vt:lpstr>Named Ranges</vt:lpstr></vt:variant><vt:variant>'
           f'<vt:i4>{n}</vt:i4></vt:variant></vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="{2 * n}" '
           'baseType="lpstr">' + "".join(f"<vt:lpstr>{s.name}</vt:lpstr>" for s in sheets)
           + "".join(f"<vt:lpstr>{text.split('!')[0]}!Print_Titles</vt:lpstr>" for text, _ in ranges)
           + "</vt:vector></TitlesOfParts><Company></Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false"
           "</SharedDoc><HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion></Properties>")
    return [("[Content_Types].xml", content_types), ("_rels/.rels", package_rels),
            ("xl/_rels/workbook.xml.rels", workbook_rels), *sheet_parts, ("xl/workbook.xml", workbook),
            ("xl/sharedStrings.xml", shared), ("xl/styles.xml", _styles_xml(book.styles)),
            ("xl/theme/theme1.xml", _XML_HEAD + THEME_XML), ("docProps/core.xml", core), ("docProps/app.xml", app)]


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The workbook with ``sheets`` in order, as bytes (docs/xlsx.md); the same sheets give the same bytes.

    The zip is Python's ``zipfile`` as docs/xlsx.md § Container describes: 1980-01-01 entries, deflate level 6.
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=False) as archive:
        for name, text in _parts(sheets):
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return buf.getvalue()
