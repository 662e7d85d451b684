"""Spreadsheet formula injection (OWASP "CSV Injection"): a name or school cell starting with ``=`` ``+`` ``-``
``@`` (tab, CR) is neutralised in every CSV and XLSX a person opens, numbers stay numbers, identifiers that
would need it are refused at input, the canonical data (roster records) keeps the text as typed, and the
bytes stay reproducible (replay and verify still match). Real sample files, real runs, the real CLI."""

from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hostile_samples import HOSTILE_TEXTS, assert_bilingual, csv_with, files_named, sample
from hypothesis import given, settings
from hypothesis import strategies as st

from api.cli import main
from api.inputs import InputFile
from api.outputs import FORMULA_TRIGGERS, csv_bytes, csv_bytes_from_columns, neutralise_formula, starts_formula
from api.outputs import text_cells as make_text_cells
from api.runs.classes import CLASSES, prepare_classes
from api.runs.lottery import LOTTERY, prepare_lottery
from api.runs.points import POINTS, prepare_points
from api.xlsx import Sheet, xlsx_bytes
from engine.errors import InputError

pytestmark = pytest.mark.timeout(300)  # a hang is a failure, not a stuck suite

SEED = bytes.fromhex("7a" * 32)
ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize(("text", "written"), [
    ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\r=1", "'\n=1"), ("a\rb\r\nc", "a\nb\nc"), ("\nx", "'\nx"), ("-", "'-"), ("+", "'+"),
    ("-2.6", "-2.6"), ("-5", "-5"), ("+86", "+86"), ("0", "0"), ("李=1", "李=1"), ("", ""), ("'=1", "'=1"),
    ("-٣", "'-٣"),  # not an ASCII number: a spreadsheet does not read it as one
])
def test_neutralise_formula_examples(text: str, written: str) -> None:
    assert neutralise_formula(text) == written


def _cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


texts = st.text(alphabet=st.sampled_from([*FORMULA_TRIGGERS, "a", "1", ".", ",", '"', "\n", "李", " ", "'"]),
                max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(texts, texts), max_size=12))
def test_csv_cells_never_start_a_formula_and_read_back_as_written(rows: list[tuple[str, str]]) -> None:
    """Every cell csv_bytes writes is safe and reads back as one cell (no CR left to split a row);
    removing the one added ``'`` gives back the text (line breaks as LF); the column-wise writer
    gives the same bytes as the row writer."""
    data = csv_bytes(["a", "b"], rows)
    back = _cells(data)[1:]
    assert len(back) == len(rows)
    for got_row, row in zip(back, rows, strict=True):
        for got, text in zip(got_row, row, strict=True):
            assert not starts_formula(got)
            lines = text.replace("\r\n", "\n").replace("\r", "\n")  # line breaks as LF
            assert got == ("'" + lines if starts_formula(lines) else lines)
    columns = [(make_text_cells([r[c] for r in rows]), _arange(len(rows))) for c in (0, 1)]
    assert csv_bytes_from_columns(["a", "b"], columns) == data


number_texts = st.from_regex(r"[+-]?[0-9]{1,3}(\.[0-9]{0,2})?[a,.\-]?", fullmatch=True)
values = st.one_of(st.none(), st.integers(-999, 999), st.decimals(-99, 99, places=2), texts, number_texts)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(values, min_size=1, max_size=5), max_size=10))
def test_csv_bytes_is_the_csv_module_with_every_text_cell_neutralised(rows: list[list[object]]) -> None:
    """The fast path (one compiled scan decides whether any cell needs a look) never skips a cell that does:
    the bytes equal the reference — the csv module over every cell, each text cell neutralised."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["h"])
    for row in rows:
        writer.writerow(["" if v is None else neutralise_formula(v) if isinstance(v, str) else v for v in row])
    assert csv_bytes(["h"], rows) == buf.getvalue().encode("utf-8")


def _arange(n: int):  # type: ignore[no-untyped-def]
    import numpy as np

    return np.arange(n, dtype=np.int64)


def test_numbers_stay_numbers() -> None:
    from decimal import Decimal

    data = csv_bytes(["points", "change", "text"], [[Decimal("-2.6"), -5, "-2.6"], [0, "-3", "=A1"]])
    assert data == b"points,change,text\n-2.6,-5,-2.6\n0,-3,'=A1\n"


def test_xlsx_text_cells_are_strings_with_the_quote_prefix() -> None:
    from decimal import Decimal

    sheets = [Sheet("s", "title", ["name", "n"], [[t, Decimal("-2.6")] for t in HOSTILE_TEXTS])]
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(sheets)))
    rows = list(book.active.iter_rows(min_row=3))
    for row, text in zip(rows, HOSTILE_TEXTS, strict=True):
        assert row[0].value == text and row[0].data_type == "s" and row[0].quotePrefix
        assert row[1].value == -2.6 and row[1].data_type == "n"
    plain = xlsx_bytes([Sheet("s", "title", ["name"], [["李四"]])])
    assert b"quotePrefix" not in zipfile.ZipFile(io.BytesIO(plain)).read("xl/styles.xml")  # no style when unneeded


# ---------------------------------------------------------------- whole runs


def _assert_people_files_safe(files: dict[str, bytes], expect: tuple[str, ...]) -> set[str]:
    """Every CSV cell is safe and every XLSX text cell that would start a formula is a quote-prefixed string;
    returns the names of the files where a hostile text was seen neutralised."""
    seen = set()
    for name, data in files_named(files, ".csv").items():
        for row in _cells(data):
            for cell in row:
                assert not starts_formula(cell), (name, cell)
                if cell[1:] in expect and cell.startswith("'"):
                    seen.add(name)
    for name, data in files_named(files, ".xlsx").items():
        book = openpyxl.load_workbook(io.BytesIO(data))
        for ws in book.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and starts_formula(cell.value):
                        assert cell.data_type == "s" and cell.quotePrefix, (name, cell.coordinate)
                        seen.add(name)
    return seen


def _mask_like(texts: tuple[str, ...]) -> tuple[str, ...]:
    from engine.masking import mask_name

    return (*texts, *map(mask_name, texts))


def test_points_run_neutralises_names_schools_and_scopes() -> None:
    applicants = csv_with(sample("points", "applicants.csv"), "姓名", HOSTILE_TEXTS, every=3)
    schools = csv_with(sample("points", "schools.csv"), "学校名称", HOSTILE_TEXTS, every=2)
    corrections = csv_with(sample("points", "corrections.csv"), "理由", HOSTILE_TEXTS)
    run = prepare_points(InputFile("rules.toml", sample("points", "rules.toml")),
                         InputFile("applicants.csv", applicants), InputFile("schools.csv", schools),
                         corrections=InputFile("corrections.csv", corrections), second_pass=True)
    public = POINTS.execute(run.config, run.roster, SEED)
    files = {**public, **POINTS.render_private(run, public, SEED)}
    seen = _assert_people_files_safe(files, _mask_like(HOSTILE_TEXTS))
    assert {"schools.csv", "publication.csv", "ranking.csv", "private/contacts.csv", "publication.xlsx"} <= seen
    assert "review_diff.csv" in files  # checked too: its reasons read "<field>: =…", so nothing to neutralise
    # the data is not a spreadsheet: the private fields (what the roster commits to) keep the text as typed
    names = {p.get("name") for p in run.private.values()}
    assert set(HOSTILE_TEXTS) <= names
    # numbers stay numbers: the negative adjustments of breakdown.csv are written as they were
    points = [row[-1] for row in _cells(public["breakdown.csv"])[1:]]
    assert any(re.fullmatch(r"-\d+(\.\d+)?", p) for p in points)
    assert POINTS.execute(run.config, run.roster, SEED) == public  # same inputs and seed, same bytes


def test_classes_run_neutralises_names() -> None:
    names = tuple(f"{t}{i}" for i in range(20) for t in HOSTILE_TEXTS)  # distinct (homophones are kept apart)
    students = csv_with(sample("classes", "students.csv"), "姓名", names, every=7)
    run = prepare_classes(InputFile("students.csv", students), None,
                          InputFile("config.toml", sample("classes", "config.toml")))
    public = CLASSES.execute(run.config, run.roster, SEED)
    files = {**public, **CLASSES.render_private(run, public, SEED)}
    seen = _assert_people_files_safe(files, names)
    assert {"placement.csv", "placement.xlsx"} <= seen


def test_lottery_run_neutralises_school_names() -> None:
    schools = csv_with(sample("lottery", "schools.csv"), "学校名称", HOSTILE_TEXTS)
    run = prepare_lottery(InputFile("schools.csv", schools), InputFile("applicants.csv",
                          sample("lottery", "applicants.csv")), "da", True)
    public = LOTTERY.execute(run.config, run.roster, SEED)
    _assert_people_files_safe({**public, **LOTTERY.render_private(run, public, SEED)}, HOSTILE_TEXTS)


@pytest.mark.parametrize(("kind", "file", "column"), [
    ("points", "applicants.csv", "申请编号"), ("points", "schools.csv", "学校编号"),
    ("lottery", "applicants.csv", "报名号"), ("lottery", "schools.csv", "学校代码"),
    ("classes", "students.csv", "学号"),
])
@pytest.mark.parametrize("bad", ["=1+1", "@A1", "-cmd", "+x"])
def test_identifiers_that_would_start_a_formula_are_refused_located(kind: str, file: str, column: str,
                                                                     bad: str) -> None:
    data = csv_with(sample(kind, file), column, [bad], every=10_000)  # the first data row only
    inputs = {n: InputFile(n, data if n == file else sample(kind, n)) for n in
              {"points": ("rules.toml", "applicants.csv", "schools.csv"),
               "lottery": ("schools.csv", "applicants.csv"), "classes": ("students.csv", "config.toml")}[kind]}
    prepare = {
        "points": lambda: prepare_points(inputs["rules.toml"], inputs["applicants.csv"], inputs["schools.csv"]),
        "lottery": lambda: prepare_lottery(inputs["schools.csv"], inputs["applicants.csv"], "da", True),
        "classes": lambda: prepare_classes(inputs["students.csv"], None, inputs["config.toml"]),
    }[kind]
    with pytest.raises(InputError, match="formula") as info:
        prepare()
    assert info.value.file == file and info.value.row == 2 and info.value.column == column
    assert_bilingual(info.value)


def _cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["sunshine", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().out


def test_published_hostile_run_replays_and_verifies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """The neutralised bytes are what the engine writes, so replay and verify match them exactly."""
    s = ROOT / "samples" / "points"
    applicants = tmp_path / "applicants.csv"
    applicants.write_bytes(csv_with(sample("points", "applicants.csv"), "姓名", HOSTILE_TEXTS, every=3))
    schools = tmp_path / "schools.csv"
    schools.write_bytes(csv_with(sample("points", "schools.csv"), "学校名称", HOSTILE_TEXTS, every=2))
    out = tmp_path / "out"
    code, _ = _cli(monkeypatch, capsys, "points", "--rules", str(s / "rules.toml"), "--applicants", str(applicants),
                   "--schools", str(schools), "--seed", SEED.hex(), "--out", str(out))
    assert code == 0
    assert ",'=1+1," in (out / "schools.csv").read_text("utf-8")
    code, text = _cli(monkeypatch, capsys, "replay", str(out / "bundle.zip"))
    assert code == 0 and "replay: identical" in text
    _, text = _cli(monkeypatch, capsys, "verify", str(out))
    assert "FAIL" not in text and "out-folder" in text
