"""``sunshine classes`` end to end: contract files, names but never ID numbers, bad input
(exit 2, located bilingual message, ``--out`` untouched), row-order and process independence."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import main
from api.inputs import read_input_file
from api.runs.classes import ClassesRunKind, prepare_classes

ROOT = Path(__file__).resolve().parents[2]
SEED = "c1" * 32
HEADER = "学号,姓名,性别,身份证号,语文,数学,住校,捆绑,分开,预设班级\n"


def _rows(n: int = 24) -> list[str]:
    rows = []
    for i in range(n):
        together = "T1" if i in (0, 1) else ""
        apart = "A1" if i in (2, 3, 4) else ""
        preset = "2" if i == 5 else ""
        rows.append(f"S{i:03d},学生{i},{'男' if i % 2 else '女'},11010120100101{i:04d},{60 + (i * 37) % 41},"
                    f"{55 + (i * 53) % 45}.5,{'是' if i % 5 == 0 else ''},{together},{apart},{preset}\n")
    return rows


def run_cli(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["sunshine", "classes", *args])
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _placement(out: Path, name: str = "placement_public.csv") -> dict[str, str]:
    return {r["student_id"]: r["class"] for r in csv.DictReader(io.StringIO((out / name).read_text("utf-8")))}


def test_run_writes_contract_files_without_id_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    students = _write(tmp_path, "s.csv", HEADER + "".join(_rows()))
    out = tmp_path / "out"
    assert run_cli(monkeypatch, "--students", str(students), "--classes", "3", "--seed", SEED, "--out", str(out)) == 0
    for name in ("placement.csv", "placement_public.csv", "formed_classes.csv", "classes.csv", "balance.json",
                 "balance.md", "chart.png"):
        assert (out / name).exists(), name
    private = list(csv.DictReader(io.StringIO((out / "placement.csv").read_text("utf-8"))))
    assert {"student_id", "name", "class"} <= set(private[0]) and private[0]["name"].startswith("学生")
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".csv", ".json", ".md"):
            assert "1101012010010" not in path.read_text("utf-8"), path
    public = _placement(out)
    assert public["S000"] == public["S001"]
    assert len({public["S002"], public["S003"], public["S004"]}) == 3
    assert public["S005"] == "2"
    balance = json.loads((out / "balance.json").read_text("utf-8"))
    assert balance["hard_rule_violations"] == 0
    assert "mean 数学" in balance["gaps"]
    assert (out / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_shuffled_rows_give_identical_files(tmp_path: Path) -> None:
    rows = _rows()
    a = prepare_classes(read_input_file(_write(tmp_path, "a.csv", HEADER + "".join(rows))), 3)
    b = prepare_classes(read_input_file(_write(tmp_path, "b.csv", HEADER + "".join(reversed(rows)))), 3)
    assert a.roster == b.roster
    kind = ClassesRunKind()
    assert kind.execute(a.config, a.roster, bytes(32)) == kind.execute(b.config, b.roster, bytes(32))


def test_roster_is_public_and_float_free(tmp_path: Path) -> None:
    run = prepare_classes(read_input_file(_write(tmp_path, "s.csv", HEADER + "".join(_rows()))), 3)
    text = json.dumps([run.config, run.roster], ensure_ascii=False)
    assert "学生" not in text and "110101" not in text
    assert run.roster[0]["scores"]["数学"] == 5550  # 55.5 points in hundredths

    def no_floats(x: object) -> bool:
        if isinstance(x, dict):
            return all(no_floats(v) for v in x.values())
        if isinstance(x, list):
            return all(no_floats(v) for v in x)
        return not isinstance(x, float)

    assert no_floats(run.config) and no_floats(run.roster)


@pytest.mark.parametrize(("row", "column"), [
    ("S999,某某,未知,1,60,60,,,,\n", "性别"),
    ("S999,某某,男,1,六十,60,,,,\n", None),
    ("S999,某某,男,1,60,60,也许,,,\n", "住校"),
    ("S999,某某,男,1,60,60,,,,9\n", "预设班级"),
    ("S000,某某,男,1,60,60,,,,\n", "学号"),
])
def test_bad_input_exits_2_and_leaves_out_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str], row: str,
                                                    column: str | None) -> None:
    students = _write(tmp_path, "s.csv", HEADER + "".join(_rows()) + row)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("old")
    assert run_cli(monkeypatch, "--students", str(students), "--classes", "3", "--seed", SEED, "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert "s.csv" in err
    if column is not None:
        assert "第 26 行" in err and f"「{column}」" in err
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_infeasible_rules_are_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    # Students 0–3 share apart group B1 (column 分开 is the second-to-last): four students, three classes.
    rows = [r.rsplit(",", 2)[0] + f",B1,{r.rsplit(',', 1)[1]}" if i < 4 else r for i, r in enumerate(_rows())]
    students = _write(tmp_path, "s.csv", HEADER + "".join(rows))
    code = run_cli(monkeypatch, "--students", str(students), "--classes", "3", "--seed", SEED,
                   "--out", str(tmp_path / "o"))
    assert code == 2
    err = capsys.readouterr().err
    assert "apart group 'B1' has 4 students but there are only 3 classes" in err
    assert not (tmp_path / "o").exists()


def test_sample_config_and_two_processes_identical(tmp_path: Path) -> None:
    outs = []
    for i in range(2):
        out = tmp_path / f"out{i}"
        cmd = [sys.executable, "-c", "from api.cli import main; main()", "classes",
               "--students", str(ROOT / "samples/classes/students.csv"),
               "--config", str(ROOT / "samples/classes/config.toml"), "--seed", SEED, "--out", str(out)]
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, timeout=300)
        outs.append(out)
    for name in ("placement.csv", "placement_public.csv", "formed_classes.csv", "classes.csv", "balance.json",
                 "balance.md", "chart.png"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    classes = list(csv.DictReader(io.StringIO((outs[0] / "classes.csv").read_text("utf-8"))))
    assert len(classes) == 10 and all(r["head_teacher"].endswith("老师") for r in classes)


def test_xlsx_and_gbk_inputs_match_csv(tmp_path: Path) -> None:
    import openpyxl

    text = HEADER + "".join(_rows())
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for line in text.splitlines():
        sheet.append(line.split(","))
    book.save(tmp_path / "s.xlsx")
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(text.encode("gb18030"))
    runs = [prepare_classes(read_input_file(p), 3) for p in (_write(tmp_path, "s.csv", text), tmp_path / "s.xlsx", gbk)]
    assert runs[0].roster == runs[1].roster == runs[2].roster
