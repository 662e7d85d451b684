"""The shared input layer: encodings, Chinese headers, Excel row numbers, located errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.inputs import read_input_file
from api.outputs import (
    csv_bytes,
    csv_bytes_from_columns,
    formatted_cells,
    hex_cells,
    int_cells,
    people_csv_bytes,
    people_csv_from_columns,
    text_cells,
    value_cells,
)
from api.tables import (
    Column,
    parse_date,
    parse_decimal,
    parse_int,
    parse_yes_no,
    read_table,
    split_list,
)
from engine.errors import InputError
from engine.points import format_points

COLUMNS = [
    Column("school_id", ("学校代码",), required=True),
    Column("capacity", ("招生计划",), required=True),
    Column("name", ("学校名称",)),
]
CHINESE_CSV = "学校代码,学校名称,招生计划\nS01,第一中学,40\n\nS02,实验小学,x\n"


@pytest.mark.parametrize(
    "encoding,prefix", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gbk", b""), ("gb18030", b"")]
)
def test_reads_chinese_headers_in_every_encoding(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    path = tmp_path / "schools.csv"
    path.write_bytes(prefix + CHINESE_CSV.encode(encoding))
    table = read_table(read_input_file(path), COLUMNS)
    assert table.headers == {"school_id": "学校代码", "name": "学校名称", "capacity": "招生计划"}
    assert [r.values["name"] for r in table] == ["第一中学", "实验小学"]
    # The blank line is skipped but Excel numbering keeps counting: header 1, S01 2, blank 3, S02 4.
    assert [r.number for r in table] == [2, 4]


def test_bad_cell_error_names_file_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "schools.csv"
    path.write_text(CHINESE_CSV, encoding="utf-8")
    table = read_table(read_input_file(path), COLUMNS)
    bad = table.rows[1]
    with pytest.raises(InputError) as info:
        parse_int(table, bad, "capacity", minimum=0)
    err = info.value
    assert (err.file, err.row, err.column) == ("schools.csv", 4, "招生计划")
    assert "第 4 行" in err.diagnostics() and "row 4" in err.diagnostics()


def test_xlsx_is_read_like_csv(tmp_path: Path) -> None:
    path = tmp_path / "schools.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["School ID", "Capacity", "Name"])
    sheet.append(["S01", 40, "第一中学"])
    sheet.append(["S02", 35.0, "实验小学"])
    book.save(path)
    table = read_table(read_input_file(path), COLUMNS)
    assert [(r.values["school_id"], r.values["capacity"]) for r in table] == [("S01", "40"), ("S02", "35")]


def test_missing_required_column(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("学校代码,学校名称\nS01,一中\n", encoding="utf-8")
    with pytest.raises(InputError, match="capacity/招生计划"):
        read_table(read_input_file(path), COLUMNS)


def test_duplicate_meaning_headers_rejected(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("school_id,学校代码,capacity\nS01,S01,3\n", encoding="utf-8")
    with pytest.raises(InputError, match="学校代码"):
        read_table(read_input_file(path), COLUMNS)


def test_undecodable_and_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "junk.csv"
    path.write_bytes(b"\xff\xfe\xfa\x00\x81\x30")
    with pytest.raises(InputError, match="junk.csv"):
        read_table(read_input_file(path), COLUMNS)
    with pytest.raises(InputError, match="nope.csv"):
        read_table(read_input_file(tmp_path / "nope.csv"), COLUMNS)
    legacy = tmp_path / "old.xls"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError, match=".xls"):
        read_table(read_input_file(legacy), COLUMNS)


def test_cell_parsers(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b,c,d\n2024年3月1日,是,１２,3.50\n2024/3/1,否,-1,abc\n2024-02-30,maybe,,\n", encoding="utf-8")
    cols = [Column(k, ()) for k in "abcd"]
    t = read_table(read_input_file(path), cols)
    r1, r2, r3 = t.rows
    assert parse_date(t, r1, "a") == parse_date(t, r2, "a") == dt.date(2024, 3, 1)
    assert parse_yes_no(t, r1, "b") is True and parse_yes_no(t, r2, "b") is False
    assert parse_int(t, r1, "c") == 12  # full-width digits from Chinese input methods
    assert parse_decimal(t, r1, "d") == Decimal("3.50")
    assert parse_int(t, r3, "c", default=0) == 0
    with pytest.raises(InputError, match="2024-02-30"):
        parse_date(t, r3, "a")
    with pytest.raises(InputError, match="maybe"):
        parse_yes_no(t, r3, "b")
    with pytest.raises(InputError, match="at least 0"):
        parse_int(t, r2, "c", minimum=0)
    with pytest.raises(InputError, match="abc"):
        parse_decimal(t, r2, "d")


def test_split_list_accepts_chinese_separators() -> None:
    assert split_list("S1;S2；S3、S4") == ["S1", "S2", "S3", "S4"]
    assert split_list(" ; ") == []


def test_csv_bytes_are_plain_utf8_with_lf() -> None:
    data = csv_bytes(["a", "b"], [["张三", None], ["x,y", 1]])
    assert data == 'a,b\n张三,\n"x,y",1\n'.encode()


_CELL_TEXT = st.text(alphabet=st.one_of(st.characters(blacklist_categories=("Cs",)),
                                        st.sampled_from(list(',"\r\n\t; 中文'))))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_CELL_TEXT, st.integers(-3, 40), st.integers(0, 2**64 - 1)), max_size=30),
       st.lists(_CELL_TEXT, min_size=3, max_size=3))
def test_csv_bytes_from_columns_equals_csv_bytes(rows: list[tuple[str, int, int]], header: list[str]) -> None:
    # Cells and header names with commas, quotes, CR, LF: quoted per cell exactly as the csv module does.
    texts = sorted({t for t, _, _ in rows})
    code = {t: i for i, t in enumerate(texts)}
    ints, int_code = int_cells(np.array([i for _, i, _ in rows], dtype=np.int64))
    columns = [
        (text_cells(texts), np.array([code[t] for t, _, _ in rows], dtype=np.int64)),
        (ints, int_code),
        (hex_cells(np.array([h for _, _, h in rows], dtype=np.uint64)), np.arange(len(rows), dtype=np.int64)),
    ]
    expected = csv_bytes(header, [(t, i, f"{h:016x}") for t, i, h in rows])
    assert csv_bytes_from_columns(header, columns) == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_CELL_TEXT, st.integers(-5000, 5000), st.integers(-(2**62), 2**62)), max_size=30),
       st.lists(_CELL_TEXT, min_size=3, max_size=3))
def test_dictionary_and_formatted_cells_equal_csv_bytes(rows: list[tuple[str, int, int]], header: list[str]) -> None:
    # value_cells (texts repeated or not, formula triggers, quotes) and formatted_cells over a small range (the
    # table) and a huge one (np.unique) give the rows the csv module writes; so does the people (BOM) variant.
    columns = [
        value_cells([t for t, _, _ in rows]),
        formatted_cells(np.array([p for _, p, _ in rows], dtype=np.int64), format_points),
        formatted_cells(np.array([h for _, _, h in rows], dtype=np.int64), lambda v: "" if v % 7 == 0 else str(v)),
    ]
    expected = [(t, format_points(p), "" if h % 7 == 0 else str(h)) for t, p, h in rows]
    assert csv_bytes_from_columns(header, columns) == csv_bytes(header, expected)
    assert people_csv_from_columns(header, columns) == people_csv_bytes(header, expected)
