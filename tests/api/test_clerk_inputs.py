"""The files a clerk really has (issue 10 §1): WPS/Excel exports with title rows, merged cells and
number-formatted ids, data on a second sheet, GBK and Windows-1252 CSVs, a 序号 column.

Each bad case goes through ``sunshine`` itself: exit status 2, a bilingual message naming the
file (and sheet), the row as Excel numbers it and the column, and nothing written.
"""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pytest

from api.cli import main
from api.inputs import InputFile, read_input_file
from api.runs.classes import classes_columns, prepare_classes
from api.runs.lottery import prepare_lottery
from api.tables import Column, read_columns

SEED = "5e" * 32
SCHOOLS = "学校代码,学校名称,招生计划\nS1,甲校,2\nS2,乙校,2\n"
HEADER = ["报名号", "志愿", "类别", "优先", "多胞胎组", "二轮志愿"]
ROWS = [["A1", "S1;S2", "1", "", "", ""], ["A2", "S2", "2", "", "", ""], ["A3", "S1", "1", "", "", ""]]
TITLE = "2026年XX小学一年级新生名单"


def run_cli(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["sunshine", *args])
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def clerk_book(path: Path, rows: list[list[object]], *, notes_sheet: bool = False) -> Path:
    """A workbook as exported from WPS: a merged title row, a blank row, then the header."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    if notes_sheet:
        sheet.title = "填表说明"
        sheet.append(["请在“名单”工作表中填写"])
        sheet = book.create_sheet("名单")
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append([])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def lottery(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, applicants: Path) -> tuple[int, Path]:
    schools = tmp_path / "schools.csv"
    schools.write_text(SCHOOLS, encoding="utf-8")
    out = tmp_path / "out"
    code = run_cli(monkeypatch, "lottery", "--schools", str(schools), "--applicants", str(applicants),
                   "--seed", SEED, "--out", str(out))
    return code, out


def assert_refused(code: int, out: Path, err: str, *parts: str) -> None:
    assert code == 2, err
    for part in parts:
        assert part in err, (part, err)
    assert not out.exists()


def test_title_row_is_skipped_and_rows_keep_excel_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    good = clerk_book(tmp_path / "名单.xlsx", ROWS)
    run = prepare_lottery(InputFile("schools.csv", SCHOOLS.encode()), read_input_file(good))
    assert [r["id"] for r in run.roster] == ["A1", "A2", "A3"]
    # title row 1, blank row 2, header row 3: the bad choice of the second applicant is on Excel row 5
    bad = clerk_book(tmp_path / "报名.xlsx", [ROWS[0], ["A2", "S9", "1", "", "", ""], ROWS[2]])
    code, out = lottery(monkeypatch, tmp_path, bad)
    assert_refused(code, out, capsys.readouterr().err, "报名.xlsx", "第 5 行", "row 5", "志愿", "S9")


def test_title_rows_in_a_csv_too(tmp_path: Path) -> None:
    text = f"{TITLE},,,,,\n\n" + ",".join(HEADER) + "\n" + "\n".join(",".join(r) for r in ROWS) + "\n"
    columns = read_columns(InputFile("a.csv", text.encode("gb18030")), [Column("applicant_id", ("报名号",), True)])
    assert columns.numbers.tolist() == [4, 5, 6]


def test_data_on_another_sheet_is_found_and_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    good = clerk_book(tmp_path / "good.xlsx", ROWS, notes_sheet=True)
    run = prepare_lottery(InputFile("schools.csv", SCHOOLS.encode()), read_input_file(good))
    assert len(run.roster) == 3
    bad = clerk_book(tmp_path / "bad.xlsx", [ROWS[0], ROWS[1], ["A3", "S1", "x", "", "", ""]], notes_sheet=True)
    code, out = lottery(monkeypatch, tmp_path, bad)
    assert_refused(code, out, capsys.readouterr().err, "bad.xlsx", "名单", "第 6 行", "row 6", "类别")


@pytest.mark.parametrize("value", [202600000000000123, 123])
def test_number_formatted_ids_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str], value: int) -> None:
    book = clerk_book(tmp_path / "ids.xlsx", [ROWS[0], [value, "S1", "1", "", "", ""]])
    code, out = lottery(monkeypatch, tmp_path, book)
    assert_refused(code, out, capsys.readouterr().err, "ids.xlsx", "第 5 行", "row 5", "报名号",
                   "设置单元格格式 → 文本", "Format Cells → Text", "15")


def test_float_artefact_reads_as_excel_shows_it(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["学号", "姓名", "性别", "总分"])
    for i, score in enumerate([248.89999999999998, 0.1 + 0.2, 250.0]):
        sheet.append([f"S{i}", f"学生{i}", "男" if i % 2 else "女", score])
    book.save(tmp_path / "s.xlsx")
    run = prepare_classes(read_input_file(tmp_path / "s.xlsx"), 1)
    assert [r["scores"]["总分"] for r in run.roster] == [24890, 30, 25000]


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_western_csv_is_refused_not_mojibake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str], encoding: str) -> None:
    text = "application_number,preferences,notes\nA1,S1,Müller aus München\nA2,S2,Jürgen Schäfer\n"
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode(encoding))
    assert path.read_bytes().decode("gb18030")  # the trap: it does decode, as nonsense
    code, out = lottery(monkeypatch, tmp_path, path)
    assert_refused(code, out, capsys.readouterr().err, "export.csv", "Windows-1252", "CSV UTF-8")


def test_gbk_csv_is_read(tmp_path: Path) -> None:
    text = ",".join(HEADER) + "\n" + "\n".join(",".join(r) for r in ROWS) + "\n"
    run = prepare_lottery(InputFile("schools.csv", SCHOOLS.encode("gbk")), InputFile("a.csv", text.encode("gbk")))
    assert len(run.roster) == 3


def test_index_and_year_columns_are_not_balanced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    lines = ["序号,学号,姓名,性别,入学年份,语文,数学,编码"]
    lines += [f"{i},S{i:02d},学生{i},{'男' if i % 2 else '女'},2026,{60 + i * 7 % 40},{50 + i * 13 % 50},{i:06d}"
              for i in range(1, 13)]
    students = tmp_path / "students.csv"
    students.write_text("\n".join(lines) + "\n", encoding="utf-8")
    choice = classes_columns(read_input_file(students))
    assert choice.scores == ("语文", "数学")
    assert [h for h, _, _ in choice.ignored] == ["序号", "入学年份", "编码"]
    run = prepare_classes(read_input_file(students), 2)
    assert run.config["score_names"] == ["总分", "语文", "数学"]
    out = tmp_path / "out"
    code = run_cli(monkeypatch, "classes", "--students", str(students), "--classes", "2", "--seed", SEED,
                   "--out", str(out))
    printed = capsys.readouterr().out
    assert code == 0
    assert "balanced scores: 语文、数学" in printed and "ignored: 序号" in printed and "ignored: 入学年份" in printed
    config = tmp_path / "c.toml"
    config.write_text('scores = ["语文", "数学", "序号"]\n', encoding="utf-8")
    chosen = prepare_classes(read_input_file(students), 2, read_input_file(config)).config["score_names"]
    assert chosen == ["总分", "序号", "语文", "数学"]  # the clerk's word wins; columns keep the table's order
