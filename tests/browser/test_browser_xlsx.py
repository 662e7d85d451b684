"""The page's XLSX writer (api/pages/verifier/xlsx.js, docs/xlsx.md) gives ``api.xlsx.xlsx_bytes``'s bytes.

Generated sheets go through both writers: the sheet names we write, titles of one to six lines (practice or
not, short and wide), headers and rows of text (CJK, wide and narrow, XML specials, control characters,
``_xHHHH_`` look-alikes, edge whitespace, formula-like text, ``<r>…</r>``), integers and hundredths as number
cells, empty cells and ragged rows. One page evaluation per example, all in the session's one Chromium.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.xlsx import Sheet, Title, xlsx_bytes

NAMES = ("各校录取", "学校汇总", "未录取", "公示名单", "排名")
PIECES = ("a", "Z", "7", " ", "中", "学校", "=", "-", "+", "@", "\t", "\n", "\r", "&", "<", ">", '"', "'", "_x0041_",
          "\x01", "\x1f", "\u3000", "\x85", "\ufeff", "😀", "ｱ", "é", "<r>", "</r>", "FS2024")
TEXT = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
CELL = st.one_of(st.none(), TEXT, st.integers(-10**9, 10**13), st.tuples(st.just("h"), st.integers(-10**12, 10**12)))

IN_PAGE = ("([sheets]) => toHex(xlsxBytes(sheets.map((s) => ({ ...s, rows: s.rows.map((r) => r.map("
           "(v) => (Array.isArray(v) ? (v[1] === 0 ? 0 : v[1] / 100) : v))) }))))")


@st.composite
def workbooks(draw: st.DrawFn) -> list[tuple[str, tuple[str, ...], bool, list[str], list[list[Any]]]]:
    practice = draw(st.booleans())
    out = []
    for name in draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True)):
        width = draw(st.integers(1, 12))
        header = draw(st.lists(TEXT.filter(bool), min_size=width, max_size=width))
        rows = draw(st.lists(st.lists(CELL, max_size=width + 1), max_size=30))
        lines = tuple(draw(st.lists(st.tuples(TEXT, st.integers(0, 40)).map(lambda t: t[0] + "标题" * t[1]),
                                    min_size=1, max_size=6)))
        out.append((name, lines, practice, header, rows))
    return out


def _python(cell: Any) -> Any:
    return Decimal(cell[1]) / 100 if isinstance(cell, tuple) else cell


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(book=workbooks())
def test_the_page_writes_the_workbook_bytes_python_writes(book: list[Any], verifier_page: Any) -> None:
    want = xlsx_bytes([Sheet(n, Title(lines, practice), header, [[_python(c) for c in r] for r in rows])
                       for n, lines, practice, header, rows in book])
    sheets = [{"name": n, "title": {"lines": list(lines), "practice": practice}, "header": header,
               "rows": [[list(c) if isinstance(c, tuple) else c for c in r] for r in rows]}
              for n, lines, practice, header, rows in book]
    assert verifier_page.evaluate(IN_PAGE, [sheets]) == want.hex()
