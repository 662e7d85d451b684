"""The column-wise reader against the row-wise reader it replaced (tests/api/reference_tables.py).

Generated tables — Chinese text, full-width digits, every list separator, quotes, stray
quotes, CR/LF/CRLF, blank and short rows, ``str.strip`` whitespace — give the same rows,
numbers and headers, or the same error, whichever path reads them.
"""

from __future__ import annotations

import csv
import io
import itertools

import pyarrow as pa
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from reference_tables import lottery_applicants_rowwise, read_table_rowwise

from api.csv_grid import WHITESPACE
from api.inputs import InputFile
from api.runs.lottery import _read_applicants
from api.tables import Column, read_table, split_array, split_list
from engine.errors import InputError

COLUMNS = (
    Column("applicant_id", ("报名号", "id"), required=True),
    Column("preferences", ("志愿",), required=True),
    Column("tier", ("类别",)),
)
ALPHABET = st.sampled_from([*"aZ09", "１", "２", "Ａ", "报", "名", "号", "志愿", ";", "；", "、", ",", "，", "|", '"',
                            "\t", "\r", "\n", "\r\n", " ", "\u3000", "\xa0", "\u2028", "\x1c", "\x85", "\u200b",
                            "Ⅻ", "ﬁ", "︐"])
CELL = st.lists(ALPHABET, max_size=6).map("".join)
HEADERS = st.lists(st.sampled_from(["报名号", "志愿", "类别", "id", "备注", " 姓名 ", "Ｉｄ", "", "志 愿"]),
                   min_size=1, max_size=5)


def _both(data: bytes, name: str = "t.csv") -> tuple[tuple, tuple]:  # type: ignore[type-arg]
    def run(reader):  # type: ignore[no-untyped-def]
        try:
            t = reader(InputFile(name, data), COLUMNS)
        except InputError as exc:
            return ("error", str(exc), exc.row, exc.column)
        return (t.file, t.headers, t.extra_headers, [(r.number, r.values, r.extra) for r in t.rows])
    return run(read_table), run(read_table_rowwise)


def _assert_same(new: tuple, old: tuple) -> None:  # type: ignore[type-arg]
    if old[0] == "error" and "required column" in str(old[1]) and new[0] != "error":
        # deliberate change: the old reader took the first non-blank row as the header; the new
        # one skips title rows and finds a later row carrying every required column
        assert all(number > 2 for number, _, _ in new[3])
    else:
        assert new == old


@settings(max_examples=300, deadline=None)
@given(HEADERS, st.lists(st.lists(CELL, max_size=6), max_size=8), st.sampled_from([",", "\t"]),
       st.sampled_from(["\n", "\r\n", "\r"]), st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_written_tables_read_alike(header: list[str], rows: list[list[str]], delimiter: str, newline: str,
                                   encoding: str) -> None:
    assume(any(h.strip() for h in header))  # blank rows above the header are now counted (deliberately)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    _assert_same(*_both(buf.getvalue().encode(encoding, errors="replace")))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["报名号,志愿,类别\n", "id\t志愿\n", ",", "\t", '"', '""', "\n", "\r", "\r\n", "A1",
                                 "S1;S2", "１２", " ", "\u3000", "x\"y", ",,,\n", '"a\nb"']), min_size=1, max_size=30))
def test_raw_text_reads_alike(pieces: list[str]) -> None:
    """Hand-made CSV text (stray quotes, unclosed quotes, ragged rows) is tokenized as csv.reader does."""
    text = "".join(pieces)
    delimiter = "\t" if text.count("\t") > text.count(",") else ","
    first = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    assume(any(c.strip() for c in first))  # blank rows above the header are now counted (deliberately)
    _assert_same(*_both(text.encode("utf-8")))


def test_whitespace_is_exactly_what_str_strip_removes() -> None:
    assert "".join(chr(c) for c in range(0x110000) if chr(c).isspace()) == WHITESPACE


KNOWN = {"S1": 2, "S2": 3, "S10": 4, "学校甲": 5}
SCHOOL = st.sampled_from(["S1", "S2", "S10", "Ｓ１", " S2 ", "学校甲", "S3", "", "s1", "Ｓ10"])
SEPARATOR = st.sampled_from([";", "；", "、", ",", "，", "|", " ; ", "︐", ";;"])


@st.composite
def school_list(draw: st.DrawFn) -> str:
    items = draw(st.lists(SCHOOL, max_size=4))
    return "".join(item + (draw(SEPARATOR) if k < len(items) - 1 else "") for k, item in enumerate(items))


APPLICANT_ROW = st.tuples(
    st.sampled_from(["A1", "A2", "Ａ3", " A4", "A5", "", "报名1", "A1 "])
    | st.text("A0123456789", min_size=1, max_size=4),
    school_list(),
    st.sampled_from(["", "1", "2", "３", "0", "-1", "9", "x", "2.0", " 3 "]),
    st.sampled_from(["", "S1:0", "S2：1", "S1=2;S10:0", "S3:0", "S1:0;S1:1", "S1", "S2:9", "Ｓ１:0"]),
    st.sampled_from(["", "", "G1", "G2", " G1", "Ｇ1"]),
    st.sampled_from(["", "", "S1", "S2；S1", "S9"]) | school_list(),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(APPLICANT_ROW | st.just(("", "", "", "", "", "")), max_size=12))
def test_lottery_applicants_read_alike(rows: list[tuple[str, ...]]) -> None:
    """The column-wise lottery validator gives the same roster records, or the same first error."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["报名号", "志愿", "类别", "优先", "多胞胎组", "二轮志愿"])
    writer.writerows(rows)
    source = InputFile("applicants.csv", buf.getvalue().encode("utf-8"))

    def run(reader):  # type: ignore[no-untyped-def]
        try:
            return reader(source, KNOWN)
        except InputError as exc:
            return ("error", str(exc), exc.row, exc.column)

    assert run(_read_applicants) == run(lottery_applicants_rowwise)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(ALPHABET | SEPARATOR | st.sampled_from(["S1", "学校", "；", "、", "，", "ＥＦ"]), max_size=8)
                .map("".join), max_size=10))
def test_split_array_is_split_list(cells: list[str]) -> None:
    values = pa.array(["x", *cells], type=pa.string()).slice(1)  # an offset array, as slices give
    offsets, items = split_array(values)
    flat = items.to_pylist()
    assert [flat[a:b] for a, b in itertools.pairwise(offsets.tolist())] == [split_list(c) for c in cells]
