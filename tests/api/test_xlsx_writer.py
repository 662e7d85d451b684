"""Our XLSX writer (api/xlsx_writer.py, docs/xlsx.md) writes the bytes XlsxWriter writes for the same sheets.

XlsxWriter is kept as the reference (tests/api/xlsx_reference.py, the code that wrote the lists before), as
``rfc8785`` is for canonical JSON: hypothesis-generated workbooks of the sheet names we write, titles of one to
six lines (practice or not, short and wide, empty), headers and rows of text (CJK, wide and narrow, XML
specials, control characters, ``_xHHHH_`` look-alikes, edge whitespace, formula-like text, ``<r>…</r>``, texts
over the 32,767-unit cell limit), integers and hundredths as number cells, empty cells, ragged rows longer
than the header, more than 16 rows (the row spans' blocks) and strings repeated across sheets.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xlsx_reference import reference_xlsx_bytes

from api.xlsx import Sheet, Title, xlsx_bytes

NAMES = ("各校录取", "学校汇总", "未录取", "公示名单", "排名", "1班")
PIECES = ("a", "Z", "7", " ", "中", "学校", "=", "-", "+", "@", "\t", "\n", "\r", "&", "<", ">", '"', "'", "_x0041_",
          "_x00e9_", "\x00", "\x01", "\x1f", "\x7f", "\u3000", "\x85", "\xa0", "\ufeff", "\ufffe", "\uffff", "😀", "ｱ",
          "é", "<r>", "</r>", "FS2024", "1.5", "-3")
TEXT = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
HUNDREDTHS = st.integers(-10**12, 10**12).map(lambda h: Decimal(h) / 100)
CELL = st.one_of(st.none(), TEXT, st.integers(-10**17, 10**17), HUNDREDTHS)


@st.composite
def workbooks(draw: st.DrawFn) -> list[Sheet]:
    practice = draw(st.booleans())
    sheets = []
    for name in draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True)):
        width = draw(st.integers(0, 12))
        header = draw(st.lists(TEXT, min_size=width, max_size=width))
        rows = draw(st.lists(st.lists(CELL, max_size=width + 2), max_size=40))
        lines = tuple(draw(st.lists(st.tuples(TEXT, st.integers(0, 40)).map(lambda t: t[0] + "标题" * t[1]),
                                    min_size=1, max_size=6)))
        title: Title | str = Title(lines, practice) if draw(st.booleans()) else lines[0]
        sheets.append(Sheet(name, title, header, rows))
    return sheets


@settings(max_examples=300, deadline=None)
@given(book=workbooks())
def test_our_writer_writes_xlsxwriters_bytes(book: list[Sheet]) -> None:
    assert xlsx_bytes(book) == reference_xlsx_bytes(book)


def test_long_texts_are_cut_as_xlsxwriter_cuts_them() -> None:
    # Past 32,767 UTF-16 units, and a character above U+FFFF straddling the limit (never half a pair).
    long_texts = ["x" * 40_000, "中" * 32_766 + "😀😀", "a" * 16_384 + "😀" * 8_192, "😀" * 20_000]
    book = [Sheet("排名", Title(("长文本 long text",)), ["a", "b"], [[t, t] for t in long_texts])]
    assert xlsx_bytes(book) == reference_xlsx_bytes(book)


def test_a_city_sized_sheet_is_written_as_xlsxwriter_writes_it() -> None:
    # Thousands of rows of repeated values, as the 公示名单 of a large run: the per-value caches at work.
    rows = [[f"镇{i % 7}", i + 1, f"A{i:07d}", "张*", "11**********1234", "=紧急", Decimal(i % 997) / 10 + 50,
             "录取" if i % 3 else "", f"S{i % 50:03d}", None] for i in range(3_000)]
    header = ["镇街", "排名", "申请编号", "姓名", "身份证号", "优先类别", "总积分", "结果", "学校代码", "录取学校"]
    book = [Sheet("公示名单", Title(("公示", "second line"), True), header, rows)]
    assert xlsx_bytes(book) == reference_xlsx_bytes(book)


def test_the_theme_part_is_the_one_docs_xlsx_md_names() -> None:
    book = zipfile.ZipFile(io.BytesIO(xlsx_bytes([Sheet("排名", "t", ["a"], [])])))
    assert hashlib.sha256(book.read("xl/theme/theme1.xml")).hexdigest() == (
        "75104b2164c20dab2578383d827deac3a7eec077c3f7c99a4099a551fdebb134")


@pytest.mark.parametrize("value", [True, 1.5, b"x"])
def test_a_cell_of_another_type_is_refused(value: object) -> None:
    with pytest.raises(TypeError, match="cell B3"):
        xlsx_bytes([Sheet("排名", "t", ["a", "b"], [["ok", value]])])  # type: ignore[list-item]


@pytest.mark.parametrize("names", [("1班", "2班", "10班", "11班"), ("A1", "XFD1048576", "XFE1", "A0", "A1048577"),
                                   ("R1", "r2x", "C3", "RC", "R", "c", "RC16384", "C16385", "R0"),
                                   (".x", "x.y", "Sheet1", "名单_2"), ("٣班", "ｱ")])
def test_sheet_names_are_quoted_in_references_as_xlsxwriter_quotes_them(names: tuple[str, ...]) -> None:
    book = [Sheet(name, Title((name,)), ["a"], [["x"]]) for name in names]
    assert xlsx_bytes(book) == reference_xlsx_bytes(book)


def test_a_sheet_name_outside_what_we_write_is_refused() -> None:
    with pytest.raises(ValueError, match="sheet name 'a b'"):
        xlsx_bytes([Sheet("a b", "t", ["a"], [])])


@settings(max_examples=100, deadline=None)
@given(book=workbooks())
def test_a_sheet_given_as_columns_writes_the_bytes_of_its_rows(book: list[Sheet]) -> None:
    width = [max((len(r) for r in s.rows), default=0) for s in book]
    as_columns = [Sheet(s.name, s.title, s.header, (), [[r[c] if c < len(r) else None for r in s.rows]
                                                        for c in range(w)]) for s, w in zip(book, width, strict=True)]
    assert xlsx_bytes(as_columns) == xlsx_bytes(book)


def test_rows_and_columns_together_or_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="rows or columns"):
        xlsx_bytes([Sheet("排名", "t", ["a"], [["x"]], [["x"]])])
    with pytest.raises(ValueError, match="different lengths"):
        xlsx_bytes([Sheet("排名", "t", ["a", "b"], (), [["x", "y"], ["z"]])])
