"""``sunshine lottery`` end to end: encodings, XLSX, bad input (exit 2, located bilingual
message, ``--out`` untouched) and byte-identical output across two processes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "lottery"
SEED = "5e" * 32
SCHOOLS = "学校代码,学校名称,招生计划\nS1,甲校,2\nS2,乙校,2\n"
APPLICANTS = (
    "报名号,志愿,类别,优先,多胞胎组,二轮志愿\n"
    "A1,S1;S2,1,,,\n"
    "A2,S1、S2,2,S2:0,,\n"
    "A3,S2；S1,1,,G1,S1\n"
    "A4,S2；S1,1,,G1,S1\n"
    "A5,S1,1,,,S2\n"
)


def run_cli(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["sunshine", "lottery", *args])
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def lottery_args(schools: Path, applicants: Path, out: Path, *extra: str) -> list[str]:
    return ["--schools", str(schools), "--applicants", str(applicants), "--seed", SEED, "--out", str(out), *extra]


def results(out: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((out / "results.csv").read_text("utf-8"))))


def test_sample_run_writes_contract_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    code = run_cli(monkeypatch, *lottery_args(SAMPLES / "schools.csv", SAMPLES / "applicants.csv", out, "--round2"))
    assert code == 0
    rows = results(out)
    assert len(rows) == 301
    assert {"applicant_id", "lottery_number", "school_id", "choice_rank", "round", "tier", "reason"} <= set(rows[0])
    assert [r["applicant_id"] for r in rows] == sorted(r["applicant_id"] for r in rows)
    for r in rows:
        assert len(r["lottery_number"]) == 16
        assert (r["school_id"] == "") == (r["round"] == "0") == (r["reason"] != "")
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["applicants"] == 301 and summary["mechanism"] == "da" and summary["round2"] is True
    assert (out / "schools.csv").read_text("utf-8").startswith("school_id,capacity,admitted,")


def test_gbk_copy_gives_identical_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert run_cli(monkeypatch, *lottery_args(SAMPLES / "schools.csv", SAMPLES / "applicants.csv", a)) == 0
    assert run_cli(monkeypatch, *lottery_args(SAMPLES / "schools.csv", SAMPLES / "applicants_gbk.csv", b)) == 0
    for name in ("results.csv", "schools.csv", "summary.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes()


def test_bom_and_xlsx_inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    schools = write(tmp_path, "schools.csv", "\ufeff" + SCHOOLS)
    plain = write(tmp_path, "applicants.csv", APPLICANTS)
    book = openpyxl.Workbook()
    sheet = book.active
    for line in csv.reader(io.StringIO(APPLICANTS)):
        sheet.append(line)
    xlsx = tmp_path / "applicants.xlsx"
    book.save(xlsx)
    a, b = tmp_path / "a", tmp_path / "b"
    assert run_cli(monkeypatch, *lottery_args(schools, plain, a, "--round2")) == 0
    assert run_cli(monkeypatch, *lottery_args(schools, xlsx, b, "--round2")) == 0
    assert (a / "results.csv").read_bytes() == (b / "results.csv").read_bytes()
    got = {r["applicant_id"]: r for r in results(a)}
    assert got["A3"]["school_id"] == got["A4"]["school_id"]  # twins together
    assert got["A3"]["lottery_number"] == got["A4"]["lottery_number"]


BAD_CASES = [
    # (id, schools text, applicants text, file named in message, row, column)
    ("duplicate-application-number", SCHOOLS, APPLICANTS + "A1,S1,1,,,\n", "applicants.csv", 7, "报名号"),
    ("unknown-school-in-preferences", SCHOOLS, APPLICANTS.replace("A5,S1,", "A5,S9,"), "applicants.csv", 6, "志愿"),
    ("unknown-school-in-priority", SCHOOLS, APPLICANTS.replace("S2:0", "S7:0"), "applicants.csv", 3, "优先"),
    ("unknown-school-in-round2", SCHOOLS, APPLICANTS.replace(",S2\n", ",S8\n"), "applicants.csv", 6, "二轮志愿"),
    ("capacity-not-whole", SCHOOLS.replace("甲校,2", "甲校,2.5"), APPLICANTS, "schools.csv", 2, "招生计划"),
    ("capacity-negative", SCHOOLS.replace("乙校,2", "乙校,-1"), APPLICANTS, "schools.csv", 3, "招生计划"),
    ("empty-preferences", SCHOOLS, APPLICANTS.replace("A5,S1,", "A5,,"), "applicants.csv", 6, "志愿"),
    ("multiples-differ", SCHOOLS, APPLICANTS.replace("A4,S2；S1", "A4,S1；S2"), "applicants.csv", 5, "志愿"),
    ("multiples-round2-differ", SCHOOLS, APPLICANTS.replace("A4,S2；S1,1,,G1,S1", "A4,S2；S1,1,,G1,S2"),
     "applicants.csv", 5, "二轮志愿"),
    ("duplicate-school-id", SCHOOLS + "S1,丙校,3\n", APPLICANTS, "schools.csv", 4, "学校代码"),
    ("school-twice-in-preferences", SCHOOLS, APPLICANTS.replace("A1,S1;S2", "A1,S1;S1"), "applicants.csv", 2,
     "志愿"),
    ("bad-tier", SCHOOLS, APPLICANTS.replace("A1,S1;S2,1", "A1,S1;S2,x"), "applicants.csv", 2, "类别"),
    ("bad-priority-format", SCHOOLS, APPLICANTS.replace("S2:0", "S2"), "applicants.csv", 3, "优先"),
    ("missing-column", SCHOOLS.replace("招生计划", "备注"), APPLICANTS, "schools.csv", 1, "capacity"),
]


@pytest.mark.parametrize(("case", "schools", "applicants", "file", "row", "column"), BAD_CASES,
                         ids=[c[0] for c in BAD_CASES])
def test_bad_input_exits_2_and_leaves_out_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    case: str, schools: str, applicants: str, file: str, row: int, column: str,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("previous result")
    s = write(tmp_path, "schools.csv", schools)
    a = write(tmp_path, "applicants.csv", applicants)
    assert run_cli(monkeypatch, *lottery_args(s, a, out)) == 2
    err = capsys.readouterr().err
    assert file in err and f"第 {row} 行" in err and f"row {row}" in err and column in err, err
    assert sorted(p.name for p in out.iterdir()) == ["old.txt"]
    assert (out / "old.txt").read_text() == "previous result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["applicants.csv", "out", "schools.csv"]


def test_unreadable_files_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    s = write(tmp_path, "schools.csv", SCHOOLS)
    broken = tmp_path / "applicants.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    out = tmp_path / "out"
    assert run_cli(monkeypatch, *lottery_args(s, broken, out)) == 2
    assert "applicants.xlsx" in capsys.readouterr().err
    assert run_cli(monkeypatch, *lottery_args(s, tmp_path / "missing.csv", out)) == 2
    assert "missing.csv" in capsys.readouterr().err
    assert not out.exists()


def test_bad_seed_and_mechanism_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = write(tmp_path, "schools.csv", SCHOOLS)
    a = write(tmp_path, "applicants.csv", APPLICANTS)
    out = tmp_path / "out"
    args = lottery_args(s, a, out)
    args[args.index("--seed") + 1] = "xyz"
    assert run_cli(monkeypatch, *args) == 2
    assert run_cli(monkeypatch, *lottery_args(s, a, out, "--mechanism", "ttc")) == 2
    assert not out.exists()


def test_two_processes_byte_identical(tmp_path: Path) -> None:
    outs = []
    for name in ("p1", "p2"):
        out = tmp_path / name
        cmd = [sys.executable, "-c", "from api.cli import main; main()", "lottery",
               *lottery_args(SAMPLES / "schools.csv", SAMPLES / "applicants.csv", out, "--round2",
                             "--mechanism", "boston")]
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, timeout=120)
        # The audit layer may add its own bundle files next to ours; the lottery's are these.
        outs.append({name: (out / name).read_bytes() for name in ("results.csv", "schools.csv", "summary.json")})
    assert outs[0] == outs[1]


def test_results_csv_quotes_cells_like_the_csv_module() -> None:
    # Application numbers and school codes with commas, quotes and newlines: quoted per cell, no csv fallback.
    import hashlib

    from api.outputs import csv_bytes
    from api.runs.lottery import execute
    from engine.lottery.report import APPLICANT_COLUMNS

    schools = [{"id": 'S"1', "name": "一校", "capacity": 1}, {"id": "S,2", "name": "", "capacity": 1}]
    roster = [{"id": i, "preferences": ['S"1', "S,2"], "tier": 1, "priority": {}, "group": "", "round2": []}
              for i in ["A,1", 'A"2', "A\n3", "A4"]]
    config = {"mechanism": "da", "round2": False, "schools": schools}
    data = execute(config, roster, hashlib.sha256(b"q").digest())["results.csv"]
    rows = list(csv.reader(io.StringIO(data.decode())))
    assert rows[0] == list(APPLICANT_COLUMNS)
    assert sorted(r[0] for r in rows[1:]) == sorted(r["id"] for r in roster)
    assert data == csv_bytes(APPLICANT_COLUMNS, rows[1:])
