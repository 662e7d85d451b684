"""The files people open: reproducible XLSX with number cells, BOM on people-facing CSVs, strict config keys,
bilingual usage errors. Real files, real processes."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from api.classes_chart import cjk_font
from api.cli import main, usage_error_text
from api.inputs import read_input_file
from api.runs.classes import CLASSES, prepare_classes
from api.runs.lottery import execute as lottery_execute
from api.runs.lottery import prepare_lottery
from api.runs.points import execute as points_execute
from api.runs.points import prepare_points

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
SEED = bytes.fromhex("7a" * 32)
BOM = b"\xef\xbb\xbf"

# Writes the SHA-256 of every people-facing workbook of the three sample runs (one fresh process each call).
DIGEST_SCRIPT = """
import hashlib, sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from test_people_outputs import people_files
for name, data in sorted(people_files().items()):
    print(name, hashlib.sha256(data).hexdigest())
"""


def points_files() -> dict[str, bytes]:
    s = SAMPLES / "points"
    run = prepare_points(*(read_input_file(s / n) for n in ("rules.toml", "applicants.csv", "schools.csv")),
                         second_pass=True)
    return points_execute(run.config, run.roster, SEED)


def lottery_files() -> dict[str, bytes]:
    s = SAMPLES / "lottery"
    run = prepare_lottery(read_input_file(s / "schools.csv"), read_input_file(s / "applicants.csv"), "da", True)
    return lottery_execute(run.config, run.roster, SEED)


def classes_files() -> dict[str, bytes]:
    s = SAMPLES / "classes"
    run = prepare_classes(read_input_file(s / "students.csv"), None, read_input_file(s / "config.toml"))
    public = CLASSES.execute(run.config, run.roster, SEED)
    return {**public, **CLASSES.render_private(run, public, SEED)}


def people_files() -> dict[str, bytes]:
    out = {f"points/{k}": v for k, v in points_files().items() if k.endswith(".xlsx")}
    out.update({f"lottery/{k}": v for k, v in lottery_files().items() if k.endswith(".xlsx")})
    out.update({f"classes/{k}": v for k, v in classes_files().items() if k.endswith((".xlsx", ".png"))})
    return out


def test_xlsx_bytes_are_identical_across_two_processes() -> None:
    script = DIGEST_SCRIPT.format(tests=str(Path(__file__).parent))
    runs = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        runs.append(subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,
                                   text=True, check=True).stdout)
    assert runs[0] == runs[1]
    names = [line.split()[0] for line in runs[0].splitlines()]
    assert names == sorted(["classes/chart.png", "classes/placement.xlsx", "lottery/results_by_school.xlsx",
                            "points/publication.xlsx", "points/ranking.xlsx", "points/results_by_school.xlsx"])
    # And in this process too: no clock in the bytes.
    here = {k: hashlib.sha256(v).hexdigest() for k, v in people_files().items()}
    assert [f"{k} {v}" for k, v in sorted(here.items())] == runs[0].splitlines()


def _book(data: bytes, tmp_path: Path, name: str) -> openpyxl.Workbook:
    path = tmp_path / name
    path.write_bytes(data)
    return openpyxl.load_workbook(path)


def test_points_workbooks_have_title_frozen_header_number_cells_and_names(tmp_path: Path) -> None:
    files = points_files()
    pub = _book(files["publication.xlsx"], tmp_path, "publication.xlsx").worksheets[0]
    assert "公示名单" in str(pub["A1"].value) and SEED.hex()[:16] in str(pub["A1"].value)
    assert pub.freeze_panes == "A3"
    assert [c.value for c in pub[2]][-2:] == ["学校代码", "录取学校"]
    assert isinstance(pub["B3"].value, int | float) and isinstance(pub["G3"].value, int | float)
    assert isinstance(pub["C3"].value, str)  # application numbers stay text
    assert pub.column_dimensions["A"].width >= 6
    ranking = _book(files["ranking.xlsx"], tmp_path, "ranking.xlsx").worksheets[0]
    header = [c.value for c in ranking[2]]
    codes = {r[header.index("结果代码")] for r in ranking.iter_rows(min_row=3, values_only=True)}
    labels = {r[header.index("结果")] for r in ranking.iter_rows(min_row=3, values_only=True)}
    assert "unplaced" in codes and "统筹安排" in labels
    decided = {r[header.index("排序依据")] for r in ranking.iter_rows(min_row=3, values_only=True)}
    assert "总积分" in decided and not any(str(d).startswith("group:") for d in decided if d)
    book = _book(files["results_by_school.xlsx"], tmp_path, "by_school.xlsx")
    assert book.sheetnames == ["各校录取", "学校汇总", "未录取"]
    admitted = list(book["各校录取"].iter_rows(min_row=3, values_only=True))
    assert admitted and all(row[0] and row[1] for row in admitted)  # code and school name side by side


def test_lottery_results_by_school_explains_reasons_in_chinese(tmp_path: Path) -> None:
    book = _book(lottery_files()["results_by_school.xlsx"], tmp_path, "lottery.xlsx")
    unplaced = list(book["未录取"].iter_rows(min_row=3, values_only=True))
    assert unplaced and {(r[3], r[4]) for r in unplaced} <= {
        ("所有志愿学校已满", "all_choices_full"), ("剩余学位不足以同时录取多胞胎", "not_enough_seats_for_multiples"),
        ("未填报二轮志愿", "no_preference_in_round2")}
    summary = list(book["学校汇总"].iter_rows(min_row=3, values_only=True))
    assert all(isinstance(r[2], int | float) for r in summary)


def test_class_lists_one_sheet_per_class_with_names(tmp_path: Path) -> None:
    files = classes_files()
    book = _book(files["placement.xlsx"], tmp_path, "placement.xlsx")
    assert book.sheetnames == [f"{k}班" for k in range(1, 11)]
    first = book["1班"]
    assert [c.value for c in first[2]] == ["学号", "姓名", "班级"]
    assert all(r[2] == 1 for r in first.iter_rows(min_row=3, values_only=True))


def test_bom_on_people_facing_csvs_and_not_on_contracts() -> None:
    points, lottery, classes = points_files(), lottery_files(), classes_files()
    assert points["publication.csv"].startswith(BOM)
    assert classes["placement.csv"].startswith(BOM)
    contracts = [points[n] for n in ("results.csv", "ranking.csv", "schools.csv", "breakdown.csv")]
    contracts += [lottery[n] for n in ("results.csv", "schools.csv", "summary.json")]
    contracts += [classes[n] for n in ("placement_public.csv", "classes.csv", "balance.json")]
    assert not any(c.startswith(BOM) for c in contracts)


def test_public_workbooks_carry_no_unmasked_personal_data() -> None:
    s = SAMPLES / "points" / "applicants.csv"
    text = s.read_text("utf-8-sig")
    header = text.splitlines()[0].split(",")
    ids = [line.split(",")[header.index("身份证号")] for line in text.splitlines()[1:]]
    for name in ("publication.xlsx", "ranking.xlsx", "results_by_school.xlsx"):
        with zipfile.ZipFile(io.BytesIO(points_files()[name])) as zf:
            body = "".join(zf.read(n).decode("utf-8") for n in zf.namelist())
        assert not any(i and i in body for i in ids), name


@pytest.mark.skipif(not Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc").is_file(),
                    reason="fonts-wqy-microhei not installed (make system-deps)")
def test_chart_uses_the_cjk_font() -> None:
    assert cjk_font() == "WenQuanYi Micro Hei"


# ---- strict keys and usage errors through the real CLI ----------------------------------------------


def run_cli(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["sunshine", *args])
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_misspelt_rule_key_is_exit_2_with_path_and_nearest_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "规则.toml"
    rules.write_text((SAMPLES / "points" / "rules.toml").read_text("utf-8").replace(
        "minimum_total", "minimun_total", 1), "utf-8")
    out = tmp_path / "out"
    code = run_cli(monkeypatch, "points", "--rules", str(rules), "--applicants", str(SAMPLES / "points" /
                   "applicants.csv"), "--schools", str(SAMPLES / "points" / "schools.csv"), "--seed", "7a" * 32,
                   "--out", str(out))
    err = capsys.readouterr().err
    assert code == 2
    assert "规则.toml" in err and "ruleset.minimun_total" in err
    assert "是否应为「minimum_total」" in err and "did you mean 'minimum_total'" in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("config", "where", "guess"),
    [('classes = 4\nweigths = { "数学" = 2 }\n', "weigths", "weights"),
     ('classes = 4\nweights = { "数雪" = 2 }\n', "weights.数雪", "数学")],
    ids=["misspelt-table", "misspelt-subject-inside-weights"],
)
def test_classes_config_keys_are_strict_at_every_level(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str], config: str,
                                                       where: str, guess: str) -> None:
    students = tmp_path / "students.csv"
    students.write_text("学号,姓名,性别,语文,数学\n" + "".join(
        f"S{i:03d},学生{i},{'男' if i % 2 else '女'},{60 + i},{90 - i}\n" for i in range(16)), "utf-8")
    cfg = tmp_path / "编班.toml"
    cfg.write_text(config, "utf-8")
    out = tmp_path / "out"
    code = run_cli(monkeypatch, "classes", "--students", str(students), "--config", str(cfg), "--seed", "c1" * 32,
                   "--out", str(out))
    err = capsys.readouterr().err
    assert code == 2
    assert "编班.toml" in err and f"「{where}」" in err and guess in err
    assert not out.exists()


def test_usage_errors_are_bilingual_and_exit_2() -> None:
    cmd = [sys.executable, "-c", "from api.cli import main; main()"]
    res = subprocess.run([*cmd, "lottery", "--schools", "s.csv"], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 2
    assert "用法错误：缺少必需的选项 --applicants" in res.stderr
    assert "Usage error: Missing option '--applicants'." in res.stderr
    res = subprocess.run([*cmd, "--version"], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.startswith("sunshine ")
    res = subprocess.run([*cmd, "points", "--help"], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "COLUMNS": "200"})
    assert res.returncode == 0
    assert "示例 Example" in res.stdout and "申请表必需列" in res.stdout and "积分规则" in res.stdout


def test_usage_error_text_translates_known_messages() -> None:
    assert usage_error_text("No such option: --sed", "sunshine points").startswith("用法错误：没有选项 --sed。")
    assert "命令行用法错误" in usage_error_text("Something new.", "sunshine")
