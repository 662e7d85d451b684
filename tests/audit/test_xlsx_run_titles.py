"""The title rows of the lists people open name the run: kind, run id, recorded time, PRACTICE, seed source.

Real runs: an official zone lottery through the ceremony (two witnesses, a real drand round), practice runs
through the real ``sunshine`` command in child processes; the workbooks are read back with openpyxl, and
verify's replay step recomputes their bytes from the bundle (so the facts in them are the bundle's)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
from fake_kind import BEACON, T0

from api.inputs import read_input_file
from api.runs.lottery import prepare_lottery
from api.store.directory import DirectoryRunStore
from audit.signing import Signer
from audit.verify import STEPS

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
SEED_HEX = "7a" * 32


def _titles(data: bytes) -> dict[str, str]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: str(ws["A1"].value) for ws in book.worksheets}


def test_official_lottery_lists_name_the_run_its_time_and_the_ceremony(
        tmp_path: Path, operator: Signer, run_ceremony: Callable[..., Any],
        verify_files: Callable[..., list[str]]) -> None:
    s = SAMPLES / "lottery"
    run = prepare_lottery(read_input_file(s / "schools.csv"), read_input_file(s / "applicants.csv"), "da", True)
    out = tmp_path / "out"
    run_ceremony(tmp_path / "run", operator, run, out=out)
    run_id = DirectoryRunStore(tmp_path / "run").info().run_id
    titles = _titles((out / "results_by_school.xlsx").read_bytes())
    assert list(titles) == ["各校录取", "学校汇总", "未录取"]
    for title in titles.values():
        lines = title.split("\n")
        assert lines[0] == "电脑随机派位结果 Lottery results"
        assert lines[1] == f"多校划片电脑随机派位 lottery · 运行编号 run {run_id}"
        assert T0 == "2023-09-15T09:30:00Z" and lines[2] == "运行时间 2023-09-15 17:30:00（北京时间 UTC+8）"
        assert lines[3] == ("种子来源 seed：公开仪式：见证人 alice、bob 揭示的承诺值 + "
                            f"drand 公开随机数第 {BEACON['round']} 轮")
        assert "PRACTICE" not in title
    book = openpyxl.load_workbook(out / "results_by_school.xlsx")
    sheet = book["各校录取"]
    assert sheet.freeze_panes == "A3" and sheet["A1"].alignment.wrap_text
    assert sheet.row_dimensions[1].height >= 15 * 5  # as tall as its five lines
    assert [c.value for c in sheet[2]] == ["学校代码", "学校名称", "报名号", "派位号", "类别", "志愿序号", "轮次",
                                           "同组人数"]  # the header is unchanged, on row 2, and nothing beside it
    # verify replays the workbook from the bundle alone: its facts are the signed log's
    bundle = {p.relative_to(out / "bundle").as_posix(): p.read_bytes()
              for p in (out / "bundle").rglob("*") if p.is_file()}
    lines = verify_files(bundle, [operator.verifier])
    assert [line.split(":")[0] for line in lines] == list(STEPS)
    assert "replay: 4 data file(s) reproduced byte for byte" in lines[8]


def test_practice_lists_say_practice_and_are_the_same_bytes_in_two_processes(
        tmp_path: Path, sunshine: Callable[..., Any]) -> None:
    s = SAMPLES / "lottery"
    data = []
    for name in ("a", "b"):
        done = sunshine("lottery", "--schools", s / "schools.csv", "--applicants", s / "applicants.csv",
                        "--round2", "--seed", SEED_HEX, "--out", tmp_path / name)
        assert done.returncode == 0, done.stderr
        data.append((tmp_path / name / "results_by_school.xlsx").read_bytes())
    assert data[0] == data[1]  # same inputs and seed: same run id, same bytes
    run_id = json.loads((tmp_path / "a" / "bundle" / "manifest.json").read_bytes())["run_id"]
    assert run_id == json.loads((tmp_path / "b" / "bundle" / "manifest.json").read_bytes())["run_id"]
    lines = _titles(data[0])["各校录取"].split("\n")
    assert lines == [
        "【练习运行 PRACTICE】不是正式结果，不能公示 (not an official result)",
        "电脑随机派位结果 Lottery results",
        f"多校划片电脑随机派位 lottery · 运行编号 run {run_id}",
        "运行时间：练习运行不记录时间 (practice: no time recorded)",
        "种子来源 seed：练习种子（操作员手动输入，不是公开仪式产生）",
        f"随机种子 seed {SEED_HEX[:16]}… · 以 bundle.zip 核验为准 (verify with bundle.zip)",
    ]
    book = openpyxl.load_workbook(tmp_path / "a" / "results_by_school.xlsx")
    assert book["各校录取"]["A1"].font.color.rgb == "FFC00000"  # the practice title is red


def test_points_and_class_lists_carry_the_run_too(tmp_path: Path, sunshine: Callable[..., Any]) -> None:
    p = SAMPLES / "points"
    done = sunshine("points", "--rules", p / "rules.toml", "--applicants", p / "applicants.csv",
                    "--schools", p / "schools.csv", "--seed", SEED_HEX, "--out", tmp_path / "points")
    assert done.returncode == 0, done.stderr
    c = SAMPLES / "classes"
    done = sunshine("classes", "--students", c / "students.csv", "--config", c / "config.toml",
                    "--seed", SEED_HEX, "--out", tmp_path / "classes")
    assert done.returncode == 0, done.stderr
    for kind, files, name in (("points", ("publication.xlsx", "ranking.xlsx", "results_by_school.xlsx"),
                               "随迁子女积分入学 points admission"),
                              ("classes", ("placement.xlsx",), "阳光编班 class placement")):
        run_id = json.loads((tmp_path / kind / "bundle" / "manifest.json").read_bytes())["run_id"]
        for file in files:
            for title in _titles((tmp_path / kind / file).read_bytes()).values():
                lines = title.split("\n")
                assert lines[0].startswith("【练习运行 PRACTICE】"), (file, lines)
                assert lines[2] == f"{name} · 运行编号 run {run_id}"
    class_list = openpyxl.load_workbook(tmp_path / "classes" / "placement.xlsx")["1班"]
    assert class_list.max_column == 3  # widened for the title, never merged over empty columns
    assert sum(class_list.column_dimensions[col].width for col in "ABC") >= 48
