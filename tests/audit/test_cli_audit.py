"""End to end through the command line: bundles made in another process verify anywhere."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples" / "lottery"
SEED = "00" * 31 + "07"


pytestmark = pytest.mark.skipif(not (SAMPLES / "schools.csv").exists(), reason="lottery samples not present")


@pytest.fixture(scope="module")
def lottery_out(tmp_path_factory: pytest.TempPathFactory, sunshine: Callable[..., Any]) -> Path:
    out = tmp_path_factory.mktemp("cli") / "out"
    r = sunshine("lottery", "--schools", SAMPLES / "schools.csv", "--applicants", SAMPLES / "applicants.csv",
                 "--seed", SEED, "--out", out)
    assert r.returncode == 0, r.stderr
    return out


def _every_step_bilingual(lines: list[str]) -> None:
    """Each numbered step line is Chinese, and the line under it is the step's English (``name: …``)."""
    numbered = [i for i, line in enumerate(lines) if line[:2].strip().isdigit() and line[2:4] == ". "]
    assert numbered
    for i in numbered:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in lines[i][10:]), lines[i]
        english = lines[i + 1]
        assert english.startswith(" " * 10) and ": " in english and english[10:12].isascii(), english


def test_practice_bundle_verifies_after_copy(lottery_out: Path, tmp_path: Path, sunshine: Callable[..., Any]) -> None:
    elsewhere = tmp_path / "copied"
    shutil.copytree(lottery_out / "bundle", elsewhere / "b")
    shutil.copy(lottery_out / "bundle.zip", elsewhere / "b.zip")
    for target in (elsewhere / "b", elsewhere / "b.zip"):
        r = sunshine("verify", target, cwd=tmp_path)
        assert r.returncode == 0, r.stdout + r.stderr
        lines = r.stdout.splitlines()
        assert lines[0].startswith("核验 lottery 数据包 practice-") and lines[1].startswith("Verifying lottery bundle")
        assert lines[2].startswith(" 1. ok    签名：") and "练习密钥" in lines[2]  # Chinese first,
        assert lines[3].startswith(" " * 10 + "signatures: ") and "PRACTICE" in lines[3]  # English under it
        _every_step_bilingual(lines)
        assert any("lottery-numbers: 301 recomputed" in x for x in lines)
        assert any("replay: 4 data file(s) reproduced byte for byte" in x for x in lines)


def test_tampered_bundle_fails_naming_the_step(lottery_out: Path, tmp_path: Path, sunshine: Callable[..., Any]) -> None:
    b = tmp_path / "b"
    shutil.copytree(lottery_out / "bundle", b)
    data = bytearray((b / "results" / "results.csv").read_bytes())
    data[60] ^= 1
    (b / "results" / "results.csv").write_bytes(bytes(data))
    r = sunshine("verify", b)
    assert r.returncode == 1
    assert "FAIL" in r.stdout and "'results'" in r.stdout and "results.csv" in r.stdout


def test_replay_receipt_and_verify_receipt(lottery_out: Path, tmp_path: Path, sunshine: Callable[..., Any]) -> None:
    r = sunshine("replay", lottery_out / "bundle.zip")
    assert r.returncode == 0 and "replay: identical" in r.stdout
    first_id = (lottery_out / "results.csv").read_text().splitlines()[1].split(",")[0]
    r = sunshine("receipt", lottery_out, first_id)
    assert r.returncode == 0, r.stderr
    receipt = json.loads(r.stdout)
    assert receipt["applicant_id"] == first_id and receipt["salt"]
    path = tmp_path / "receipt.json"
    path.write_text(r.stdout)
    r = sunshine("verify-receipt", path)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    _every_step_bilingual(lines[:-2])
    assert lines[-2] == f"RECEIPT VERIFIED for {first_id} (practice run)"
    assert lines[-1] == f"回执已验证：{first_id}（练习运行，不是正式结果）"
    receipt["roster"]["leaf"]["record"]["tier"] = 0 if receipt["roster"]["leaf"]["record"].get("tier") else 1
    path.write_text(json.dumps(receipt))
    r = sunshine("verify-receipt", path)
    assert r.returncode == 1 and "'roster'" in r.stdout


def test_ceremony_cli_in_process(tmp_path: Path, sunshine: Callable[..., Any], kit: Any) -> None:
    """The whole ceremony through the CLI functions (in-process for speed), then verify with a pinned key."""
    from typer.testing import CliRunner

    from api.cli import app, load_commands

    load_commands()  # every command on the shared app (main() loads only the one it runs)
    runner = CliRunner()
    key = tmp_path / "op.key"

    def ok(*args: str | Path) -> str:
        res = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
        assert res.exit_code == 0, res.output
        return res.output

    out = ok("keys", "init", "--key-file", key, "--name", "test-op")
    vkey = next(line for line in out.splitlines() if line.startswith("public key: ")).split(": ")[1]
    assert key.stat().st_mode & 0o777 == 0o600
    witness_key = tmp_path / "alice.key"
    out = ok("keys", "init", "--key-file", witness_key, "--name", "alice-notary")
    witness_vkey = next(line for line in out.splitlines() if line.startswith("public key: ")).split(": ")[1]
    beacon = tmp_path / "beacon.json"
    beacon.write_text(json.dumps({"round": kit.BEACON["round"], "signature": kit.BEACON["signature"]}))
    run = tmp_path / "run"
    k = ("--key-file", key, "--time", "2023-09-15T09:00:00Z")
    w = ("--witness", "公证处", "--witness-key-file", witness_key)
    ok("ceremony", "init", run, "--kind", "lottery", "--schools", SAMPLES / "schools.csv",
       "--applicants", SAMPLES / "applicants.csv", *k)
    ok("ceremony", "freeze", run, *k)
    ok("ceremony", "declare", run, "--witness", f"公证处={witness_vkey}", "--reveal-deadline", "2023-09-15T10:00:00Z",
       "--public-source", f"drand:quicknet:{kit.BEACON['round']}", "--fallback", "福彩3D 2023-09-16 开奖号码",
       "--fallback-rule", "only if drand round 657413 is not published by 2023-09-15T12:00:00Z", *k)
    ok("ceremony", "commit", run, *w, "--value", "v", "--salt", "s", *k)
    ok("ceremony", "cosign", run, *w, *k)  # the COMMITTED checkpoint, before anyone reveals
    ok("ceremony", "reveal", run, *w, "--value", "v", "--salt", "s", *k)
    ok("ceremony", "seed", run, "--beacon", beacon, *k)
    ok("ceremony", "execute", run, *k)
    ok("ceremony", "publish", run, "--out", tmp_path / "out", *k)
    assert "PUBLISHED" in ok("ceremony", "status", run)
    r = sunshine("verify", tmp_path / "out" / "bundle.zip", "--key", vkey, "--witness-key", witness_vkey)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "pinned key" in r.stdout and "PRACTICE" not in r.stdout


def _practice_then_verify(tmp_path: Path, sunshine: Callable[..., Any], *engine_args: str | Path) -> str:
    out = tmp_path / "out"
    r = sunshine(*engine_args, "--seed", SEED, "--out", out)
    assert r.returncode == 0, r.stderr
    assert (out / "PRACTICE.txt").is_file() and (out / "bundle.zip").is_file()
    copy = tmp_path / "elsewhere.zip"
    shutil.copy(out / "bundle.zip", copy)
    r = sunshine("verify", copy)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def test_points_bundle_verifies(tmp_path: Path, sunshine: Callable[..., Any]) -> None:
    p = REPO / "samples" / "points"
    if not (p / "rules.toml").exists():
        pytest.skip("points samples not present")
    stdout = _practice_then_verify(tmp_path, sunshine, "points", "--rules", p / "rules.toml", "--applicants",
                                   p / "applicants.csv", "--schools", p / "schools.csv")
    assert "replay:" in stdout and "reproduced byte for byte" in stdout


def test_classes_bundle_verifies(tmp_path: Path, sunshine: Callable[..., Any]) -> None:
    c = REPO / "samples" / "classes"
    if not (c / "students.csv").exists():
        pytest.skip("classes samples not present")
    stdout = _practice_then_verify(tmp_path, sunshine, "classes", "--students", c / "students.csv", "--config",
                                   c / "config.toml")
    assert "reproduced byte for byte" in stdout


def test_verify_out_folder_fails_when_a_posted_copy_was_edited(lottery_out: Path, tmp_path: Path,
                                                               sunshine: Callable[..., Any]) -> None:
    """The issue's case: two applicants moved to another school by hand in the posted results.csv."""
    out = tmp_path / "out"
    shutil.copytree(lottery_out, out)
    r = sunshine("verify", out)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "12. ok    结果文件夹：5 个公开文件与数据包中的逐字节相同" in r.stdout
    assert "\n          out-folder: 5 public file(s) identical to the bundle's" in r.stdout
    assert "not public, not checked: audit-private/roster_private.json" in r.stdout
    lines = (out / "results.csv").read_text(encoding="utf-8").split("\n")
    placed = [i for i, line in enumerate(lines[1:], 1) if line.split(",")[3:4] == ["S0001"]][:2]
    for i in placed:
        cells = lines[i].split(",")
        cells[3] = "S0002"
        lines[i] = ",".join(cells)
    (out / "results.csv").write_text("\n".join(lines), encoding="utf-8")
    r = sunshine("verify", out)
    assert r.returncode == 1
    assert "12. FAIL  核验步骤「out-folder」失败（results.csv）：与数据包中的 results/results.csv 不一致" in r.stdout
    assert (f"\n          Verification step 'out-folder' failed at results.csv: differs from the bundle's "
            f"results/results.csv (the posted copy was changed): results.csv line {placed[0] + 1}") in r.stdout
    assert "VERIFICATION FAILED at step 'out-folder'" in r.stderr
    r = sunshine("verify", out / "bundle")  # the bundle alone still verifies: it is the posted copy that lies
    assert r.returncode == 0 and "out-folder" not in r.stdout


def test_receipt_for_an_id_not_in_the_run(lottery_out: Path, sunshine: Callable[..., Any]) -> None:
    r = sunshine("receipt", lottery_out, "NOSUCH-ID")
    assert r.returncode == 2
    assert "报名号 NOSUCH-ID 不在本次运行中" in r.stderr and "applicant NOSUCH-ID is not in this run" in r.stderr
    assert "may have been modified" not in r.stderr


def test_verify_receipt_of_a_file_that_is_not_json(tmp_path: Path, sunshine: Callable[..., Any]) -> None:
    path = tmp_path / "receipt.json"
    path.write_bytes(b"\xff not json")
    r = sunshine("verify-receipt", path)
    assert r.returncode == 1
    assert " 1. FAIL  核验步骤「format」失败" in r.stdout and "回执不是 JSON 文件" in r.stdout
    assert "\n          Verification step 'format' failed at" in r.stdout and "not a JSON file" in r.stdout


def test_bundle_md_verify_example_is_the_real_output(lottery_out: Path, sunshine: Callable[..., Any]) -> None:
    """docs/bundle.md shows `sunshine verify out/` on this very run (sample lottery, seed 00…07)."""
    doc = (REPO / "docs" / "bundle.md").read_text(encoding="utf-8")
    start = doc.index("Example (`sunshine verify out/`")
    block = doc[doc.index("```\n", start) + 4:doc.index("```", doc.index("```\n", start) + 4)]
    r = sunshine("verify", lottery_out)
    assert r.returncode == 0, r.stdout + r.stderr
    got = r.stdout.replace(f"published copies in {lottery_out}", "published copies in out").replace(
        f"及 {lottery_out} 中的公开文件", "及 out 中的公开文件")
    # a practice run draws a fresh roster secret, so its salted root differs per run (issue 13)
    def fresh(text: str) -> str:
        import re

        text = re.sub(r"practice-[0-9a-f]{16}", "practice-…", text)
        text = re.sub(r"roster: (\d+) records, root [0-9a-f]{16}…", r"roster: \1 records, root …", text)
        text = re.sub(r"名单：(\d+) 条记录，树根 [0-9a-f]{16}…", r"名单：\1 条记录，树根 …", text)
        # the browser verifier's hash changes with every edit of the page; docs/verifier.md pins it
        text = re.sub(r"sha256 [0-9a-f]{64}", "sha256 …", text)
        return re.sub(r"SHA256:[0-9a-f]{16}…", "SHA256:…", text)

    assert fresh(got) == fresh(block)
