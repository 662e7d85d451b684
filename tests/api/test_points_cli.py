"""``sunshine points`` end to end: contract files, masking, review diff, encodings/XLSX, errors
(exit 2, located bilingual message, ``--out`` untouched) and byte-identical output across processes."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from api.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "points"
SEED = "7a" * 32
PUBLIC = ("ranking.csv", "results.csv", "schools.csv", "breakdown.csv", "publication.csv", "publication.xlsx",
          "review_diff.csv")


def run_cli(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["sunshine", "points", *args])
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def args(out: Path, *, rules: Path = SAMPLES / "rules.toml", applicants: Path = SAMPLES / "applicants.csv",
         schools: Path = SAMPLES / "schools.csv", extra: tuple[str, ...] = ()) -> list[str]:
    return ["--rules", str(rules), "--applicants", str(applicants), "--schools", str(schools), "--seed", SEED,
            "--out", str(out), *extra]


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))


def sample_rows() -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO((SAMPLES / "applicants.csv").read_text("utf-8-sig"))))
    return rows[0], rows[1:]


def write_rows(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def test_sample_run_with_corrections_and_second_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    extra = ("--corrections", str(SAMPLES / "corrections.csv"), "--second-pass")
    assert run_cli(monkeypatch, *args(out, extra=extra)) == 0
    ranking = read_csv(out / "ranking.csv")
    assert len(ranking) == 200
    assert {"rank", "applicant_id", "masked_name", "masked_id", "total", "item:education", "group:insurance",
            "tie:group:personal_quality", "tie:field:application_time", "lottery_number", "decided_by",
            "result"} <= set(ranking[0])
    # The breakdown adds up to each total (which rule gave each point).
    totals: dict[str, float] = {}
    for row in read_csv(out / "breakdown.csv"):
        if row["item"] != "total":
            totals[row["applicant_id"]] = totals.get(row["applicant_id"], 0) + float(row["points"])
    assert all(abs(totals.get(r["applicant_id"], 0) - float(r["total"])) < 1e-9 for r in ranking)
    diff = {r["applicant_id"]: r for r in read_csv(out / "review_diff.csv")}
    assert diff["FS20240007"]["new_total"] == str(int(diff["FS20240007"]["old_total"]) + 80)
    assert "不动产" in diff["FS20240007"]["reason"]
    schools = read_csv(out / "schools.csv")
    assert all(int(s["admitted"]) <= int(s["quota"]) for s in schools)
    # Unmasked personal data never appear in public outputs.
    header, rows = sample_rows()
    names = [r[header.index("姓名")] for r in rows]
    ids = [r[header.index("身份证号")] for r in rows]
    phones = [r[header.index("联系电话")] for r in rows]
    public = [p for p in out.rglob("*") if p.is_file() and "private" not in p.relative_to(out).parts[0]]
    for p in public:
        text = p.read_bytes().decode("utf-8", errors="replace")
        assert not any(x in text for x in ids + phones), p
        assert not any(len(n) > 1 and f",{n}," in text for n in names), p
    book = openpyxl.load_workbook(out / "publication.xlsx")
    sheet = book.worksheets[0]
    # Row 1 is the title (the run's seed), row 2 the header, frozen together.
    assert "随机种子" in str(sheet["A1"].value) and sheet.freeze_panes == "A3"
    assert sheet["A2"].value == "镇街" and sheet.max_row == 202
    assert "*" in str(sheet["D3"].value)
    for xlsx in out.glob("*.xlsx"):  # the zip members, not the compressed bytes
        with zipfile.ZipFile(xlsx) as zf:
            text = "".join(zf.read(n).decode("utf-8") for n in zf.namelist())
        assert not any(x in text for x in ids + phones), xlsx
    private = (out / "private" / "contacts.csv").read_text("utf-8-sig")
    assert ids[0] in private


def test_gbk_and_xlsx_inputs_give_identical_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    header, rows = sample_rows()
    gbk = write_rows(tmp_path / "applicants_gbk.csv", header, rows, "gb18030")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    xlsx = tmp_path / "applicants.xlsx"
    book.save(xlsx)
    outs = []
    for name, path in (("a", SAMPLES / "applicants.csv"), ("b", gbk), ("c", xlsx)):
        out = tmp_path / name
        assert run_cli(monkeypatch, *args(out, applicants=path)) == 0
        outs.append((out / "ranking.csv").read_bytes())
    assert outs[0] == outs[1] == outs[2]


def _mutated(tmp_path: Path, column: str, value: str, row_index: int = 0) -> Path:
    header, rows = sample_rows()
    rows[row_index][header.index(column)] = value
    return write_rows(tmp_path / "applicants.csv", header, rows)


@pytest.mark.parametrize(
    ("case", "column", "value", "expect"),
    [
        ("bad-date", "居住证登记日期", "2014/13/45", "居住证登记日期"),
        ("negative-months", "连续社保月数", "-6", "连续社保月数"),
        ("unknown-school", "志愿1", "XX99", "志愿1"),
        ("unknown-category", "学历", "博士后", "学历"),
        ("bad-time", "申请时间", "2024-05-24 25:61", "申请时间"),
    ],
)
def test_bad_applicant_cells_exit_2_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str],
                                            case: str, column: str, value: str, expect: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("previous result")
    path = _mutated(tmp_path, column, value)
    assert run_cli(monkeypatch, *args(out, applicants=path)) == 2
    err = capsys.readouterr().err
    assert "applicants.csv" in err and "第 2 行" in err and "row 2" in err and expect in err, err
    assert sorted(p.name for p in out.iterdir()) == ["old.txt"]


@pytest.mark.parametrize(
    ("case", "old", "new", "where"),
    [
        ("unknown-field", 'field = "permit_date"\nunit = "year"', 'field = "permit_datum"\nunit = "year"',
         "items.permit_years.field"),
        ("does-not-validate", "minimum_total = 30", "minimum_total = -", "TOML"),
        ("unknown-tie-key", '"group:residence"', '"group:housing"', "ruleset.tie_break[2]"),
    ],
)
def test_bad_rule_sets_exit_2_naming_the_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str],
                                              case: str, old: str, new: str, where: str) -> None:
    text = (SAMPLES / "rules.toml").read_text("utf-8")
    assert old in text
    rules = tmp_path / "bad.toml"
    rules.write_text(text.replace(old, new, 1), "utf-8")
    out = tmp_path / "out"
    assert run_cli(monkeypatch, *args(out, rules=rules)) == 2
    err = capsys.readouterr().err
    assert "bad.toml" in err and where in err, err
    assert not out.exists()


def test_correction_with_wrong_old_value_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    fix = tmp_path / "fix.csv"
    fix.write_text("申请编号,字段,原值,新值,理由\nFS20240007,自有房产,是,否,复核\n", "utf-8")
    out = tmp_path / "out"
    assert run_cli(monkeypatch, *args(out, extra=("--corrections", str(fix)))) == 2
    err = capsys.readouterr().err
    assert "fix.csv" in err and "第 2 行" in err and "原值" in err, err
    assert not out.exists()


def test_two_processes_byte_identical(tmp_path: Path) -> None:
    outs = []
    for name in ("p1", "p2"):
        out = tmp_path / name
        cmd = [sys.executable, "-c", "from api.cli import main; main()", "points",
               *args(out, extra=("--corrections", str(SAMPLES / "corrections.csv"), "--second-pass"))]
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, timeout=120)
        outs.append({f: (out / f).read_bytes() for f in PUBLIC})
    assert outs[0] == outs[1]
