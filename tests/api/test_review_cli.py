"""复核 corrections through the run kinds and the command line (lottery and classes).

Real files, the real CLI (``sunshine lottery|classes --corrections``), the real verifier on
the bundle. The corrected run keeps the original roster (so a linked run commits the same
roster) and the original seed; a stale or malformed corrections file exits 2 with a
located bilingual message and writes nothing.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.cli import main
from api.inputs import InputFile, read_input_file
from api.runs.classes import prepare_classes
from api.runs.lottery import execute as lottery_execute
from api.runs.lottery import prepare_lottery
from engine.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
LOTTERY = ROOT / "samples" / "lottery"
CLASSES = ROOT / "samples" / "classes"
SEED = "5e" * 32
SCHOOLS = "学校代码,学校名称,招生计划\nS1,甲校,2\nS2,乙校,1\n"
APPLICANTS = (
    "报名号,志愿,类别,优先,多胞胎组,二轮志愿\n"
    "A1,S1;S2,1,,,\n"
    "A2,S1;S2,2,S2:0,,\n"
    "A3,S2;S1,1,,G1,S1\n"
    "A4,S2;S1,1,,G1,S1\n"
    "A5,S1,1,,,S2\n"
    "A6,S1;S2,1,,,\n"
)
HEADER = "报名号,更正项目,原值,新值,理由\n"
FIXES = [
    "A1,退出,,退出,放弃学位\n",
    "A2,类别,2,1,第二轮资格复核\n",
    "A5,志愿,S1,S2;S1,录入错误\n",
    "A3,退出,,放弃,转学\n",
    "A6,二轮志愿,,S2,补填二轮志愿\n",
]


def run_cli(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["sunshine", *args])
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def lottery_files(corrections: str | None) -> dict[str, bytes]:
    fix = None if corrections is None else InputFile("corrections.csv", corrections.encode())
    run = prepare_lottery(InputFile("schools.csv", SCHOOLS.encode()), InputFile("applicants.csv", APPLICANTS.encode()),
                          "da", True, fix)
    return lottery_execute(run.config, run.roster, bytes.fromhex(SEED))


def test_sample_lottery_with_corrections_verifies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    assert run_cli(monkeypatch, "lottery", "--schools", str(LOTTERY / "schools.csv"), "--applicants",
                   str(LOTTERY / "applicants.csv"), "--seed", SEED, "--round2", "--out", str(out),
                   "--corrections", str(LOTTERY / "corrections.csv")) == 0
    diff = rows((out / "review_diff.csv").read_bytes())
    assert (out / "review_diff.csv").read_text("utf-8").startswith(
        "applicant_id,lottery_number,old_tier,new_tier,old_school,new_school,old_choice_rank,new_choice_rank,"
        "old_round,new_round,old_result,new_result,cause,reason\n")
    by_id = {r["applicant_id"]: r for r in diff}
    assert {"202600040", "202600010", "202600130", "202600090"} <= set(by_id)
    assert by_id["202600040"]["new_result"] == "已退出" and by_id["202600040"]["cause"] == "own"
    assert by_id["202600131"]["cause"] == "group"  # the twin of a withdrawn applicant
    results = {r["applicant_id"]: r for r in rows((out / "results.csv").read_bytes())}
    assert len(results) == 301 and results["202600040"]["reason"] == "withdrawn"
    assert results["202600130"]["lottery_number"] == results["202600131"]["lottery_number"]
    assert run_cli(monkeypatch, "verify", str(out / "bundle.zip")) == 0


def test_corrected_run_keeps_roster_numbers_and_lists_exactly_the_changed_rows() -> None:
    plain, fixed = lottery_files(None), lottery_files(HEADER + "".join(FIXES))
    before = {r["applicant_id"]: r for r in rows(plain["results.csv"])}
    after = {r["applicant_id"]: r for r in rows(fixed["results.csv"])}
    assert set(before) == set(after)
    assert all(before[a]["lottery_number"] == after[a]["lottery_number"] for a in before)
    changed = {a for a in before if before[a] != after[a]} | {"A1", "A2", "A3", "A5", "A6"}
    assert {r["applicant_id"] for r in rows(fixed["review_diff.csv"])} == changed
    assert "review_diff.csv" not in plain


@settings(max_examples=15, deadline=None)
@given(st.permutations(FIXES))
def test_corrections_in_any_row_order_give_identical_bytes(order: list[str]) -> None:
    assert lottery_files(HEADER + "".join(order)) == lottery_files(HEADER + "".join(FIXES))


def test_an_xlsx_corrections_file_with_english_headers_gives_the_same_bytes(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2026年复核更正记录"])  # a title row above the header, as clerks write them
    sheet.append(["application_number", "field", "old_value", "new_value", "reason"])
    for line in csv.reader(io.StringIO("".join(FIXES))):
        sheet.append(line)
    path = tmp_path / "fix.xlsx"
    book.save(path)
    run = prepare_lottery(InputFile("schools.csv", SCHOOLS.encode()), InputFile("applicants.csv", APPLICANTS.encode()),
                          "da", True, read_input_file(path))
    assert lottery_execute(run.config, run.roster, bytes.fromhex(SEED)) == lottery_files(HEADER + "".join(FIXES))


def test_a_linked_run_commits_the_original_roster() -> None:
    schools, applicants = read_input_file(LOTTERY / "schools.csv"), read_input_file(LOTTERY / "applicants.csv")
    original = prepare_lottery(schools, applicants, "da", True)
    linked = prepare_lottery(schools, applicants, "da", True, read_input_file(LOTTERY / "corrections.csv"))
    assert linked.roster == original.roster
    assert {k: v for k, v in linked.config.items() if k != "corrections"} == original.config


@pytest.mark.parametrize(("line", "row", "column", "message"), [
    ("A2,类别,1,0,旧文件\n", 2, "原值", "does not match the value on file '2'"),
    ("Z9,退出,,,放弃\n", 2, "报名号", "is not on the original roster"),
    ("A2,学历,1,0,复核\n", 2, "更正项目", "not a field that can be corrected"),
    ("A2,类别,2,1,\n", 2, "理由", "reason must not be blank"),
    ("A2,类别,2,2,复核\n", 2, "新值", "new value equals the old value"),
    ("A5,志愿,S1,S9,复核\n", 2, "新值", "school S9 is not in the schools file"),
    ("A3,志愿,S2;S1,S1,复核\n", 2, "新值", "members of multiples group G1 must list identical"),
    ("A1,退出,,录取,复核\n", 2, "新值", "for a withdrawal the new value is blank"),
])
def test_bad_corrections_are_located(line: str, row: int, column: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        lottery_files(HEADER + line)
    assert (info.value.file, info.value.row, info.value.column) == ("corrections.csv", row, column)


def test_duplicate_and_conflicting_rows_are_refused() -> None:
    with pytest.raises(InputError, match="already corrected on row 2") as info:
        lottery_files(HEADER + "A2,类别,2,1,复核\nA2,类别,2,0,复核\n")
    assert info.value.row == 3
    with pytest.raises(InputError, match="withdraws \\(row 2\\) and cannot have other corrections"):
        lottery_files(HEADER + "A2,退出,,,放弃\nA2,类别,2,1,复核\n")


def test_stale_file_exits_2_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    stale = tmp_path / "stale.csv"
    stale.write_text("报名号,更正项目,原值,新值,理由\n202600010,类别,1,0,旧表\n", "utf-8")
    out = tmp_path / "out"
    assert run_cli(monkeypatch, "lottery", "--schools", str(LOTTERY / "schools.csv"), "--applicants",
                   str(LOTTERY / "applicants.csv"), "--seed", SEED, "--out", str(out),
                   "--corrections", str(stale)) == 2
    err = capsys.readouterr().err
    assert "stale.csv" in err and "第 2 行" in err and "原值" in err and "does not match" in err, err
    assert not out.exists()


STUDENTS = "学号,姓名,性别,语文,数学,住校\n" + "".join(
    f"S{i:02d},学生{'甲乙丙丁戊己庚辛壬癸'[i % 10]}{i},{'男' if i % 2 else '女'},{60 + 3 * i},{90 - 2 * i},"
    f"{'是' if i % 4 == 0 else '否'}\n" for i in range(12))


def test_classes_withdrawal_keeps_every_other_student(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    students = tmp_path / "students.csv"
    students.write_text(STUDENTS, "utf-8")
    fix = tmp_path / "fix.csv"
    fix.write_text("学号,更正项目,原值,新值,理由\nS03,退出,,转学,转学外区\nS05,数学,80,84,阅卷复核\n"
                   "S08,住校,是,否,住宿登记更正\n", "utf-8")
    a, b = tmp_path / "a", tmp_path / "b"
    base = ["classes", "--students", str(students), "--classes", "3", "--seed", SEED]
    assert run_cli(monkeypatch, *base, "--out", str(a)) == 0
    assert run_cli(monkeypatch, *base, "--out", str(b), "--corrections", str(fix)) == 0
    before = {r["student_id"]: r["class"] for r in rows((a / "placement_public.csv").read_bytes())}
    after = {r["student_id"]: r["class"] for r in rows((b / "placement_public.csv").read_bytes())}
    assert set(after) == set(before) - {"S03"} and all(after[s] == before[s] for s in after)
    diff = rows((b / "review_diff.csv").read_bytes())
    assert [(r["student_id"], r["old_class"], r["new_class"], r["new_result"]) for r in diff] == [
        ("S03", before["S03"], "", "已退出"), ("S05", before["S05"], before["S05"], "编入"),
        ("S08", before["S08"], before["S08"], "编入")]
    assert "S03" not in (b / "placement.csv").read_text("utf-8-sig")  # not on the posted class lists
    assert run_cli(monkeypatch, "verify", str(b / "bundle.zip")) == 0


def test_classes_bad_corrections_are_located(tmp_path: Path) -> None:
    students = InputFile("students.csv", STUDENTS.encode())

    def prepare(text: str) -> None:
        prepare_classes(students, 3, None, InputFile("fix.csv", ("学号,更正项目,原值,新值,理由\n" + text).encode()))

    with pytest.raises(InputError, match="does not match the value on file '女'") as info:
        prepare("S00,性别,男,女,复核\n")
    assert (info.value.row, info.value.column) == (2, "原值")
    with pytest.raises(InputError, match="should be M/F") as info:
        prepare("S00,性别,女,X,复核\n")
    assert (info.value.row, info.value.column) == (2, "新值")
    with pytest.raises(InputError, match="is not on the original roster"):
        prepare("S99,退出,,,复核\n")


def test_classes_batch_refuses_corrections(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(monkeypatch, "classes", "--batch", str(tmp_path), "--seed", SEED, "--out", str(tmp_path / "o"),
                   "--corrections", str(CLASSES / "corrections.csv")) == 2
    assert "--corrections" in capsys.readouterr().err
