"""End to end through the command line: bundles made in another process verify anywhere."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from audit_fixtures import BEACON

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples" / "lottery"
SEED = "00" * 31 + "07"


def sunshine(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from api.cli import main; main()", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, timeout=300,
    )


pytestmark = pytest.mark.skipif(not (SAMPLES / "schools.csv").exists(), reason="lottery samples not present")


@pytest.fixture(scope="module")
def lottery_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "out"
    r = sunshine("lottery", "--schools", SAMPLES / "schools.csv", "--applicants", SAMPLES / "applicants.csv",
                 "--seed", SEED, "--out", out)
    assert r.returncode == 0, r.stderr
    return out


def test_practice_bundle_verifies_after_copy(lottery_out: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "copied"
    shutil.copytree(lottery_out / "bundle", elsewhere / "b")
    shutil.copy(lottery_out / "bundle.zip", elsewhere / "b.zip")
    for target in (elsewhere / "b", elsewhere / "b.zip"):
        r = sunshine("verify", target, cwd=tmp_path)
        assert r.returncode == 0, r.stdout + r.stderr
        lines = r.stdout.splitlines()
        assert lines[1].startswith(" 1. ok    signatures") and "PRACTICE" in lines[1]
        assert any("lottery-numbers: 301 recomputed" in x for x in lines)
        assert any("replay: 3 file(s) reproduced byte for byte" in x for x in lines)


def test_tampered_bundle_fails_naming_the_step(lottery_out: Path, tmp_path: Path) -> None:
    b = tmp_path / "b"
    shutil.copytree(lottery_out / "bundle", b)
    data = bytearray((b / "results" / "results.csv").read_bytes())
    data[60] ^= 1
    (b / "results" / "results.csv").write_bytes(bytes(data))
    r = sunshine("verify", b)
    assert r.returncode == 1
    assert "FAIL" in r.stdout and "'results'" in r.stdout and "results.csv" in r.stdout


def test_replay_receipt_and_verify_receipt(lottery_out: Path, tmp_path: Path) -> None:
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
    receipt["roster"]["leaf"]["record"]["tier"] = 0 if receipt["roster"]["leaf"]["record"].get("tier") else 1
    path.write_text(json.dumps(receipt))
    r = sunshine("verify-receipt", path)
    assert r.returncode == 1 and "'roster'" in r.stdout


def test_ceremony_cli_in_process(tmp_path: Path) -> None:
    """The whole ceremony through the CLI functions (in-process for speed), then verify with a pinned key."""
    from typer.testing import CliRunner

    from api.cli import app

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
    beacon.write_text(json.dumps({"round": BEACON["round"], "signature": BEACON["signature"]}))
    run = tmp_path / "run"
    k = ("--key-file", key, "--time", "2023-09-15T09:00:00Z")
    w = ("--witness", "公证处", "--witness-key-file", witness_key)
    ok("ceremony", "init", run, "--kind", "lottery", "--schools", SAMPLES / "schools.csv",
       "--applicants", SAMPLES / "applicants.csv", *k)
    ok("ceremony", "freeze", run, *k)
    ok("ceremony", "declare", run, "--witness", f"公证处={witness_vkey}", "--reveal-deadline", "2023-09-15T10:00:00Z",
       "--public-source", f"drand:quicknet:{BEACON['round']}", "--fallback", "福彩3D 2023-09-16 开奖号码",
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


def _practice_then_verify(tmp_path: Path, *engine_args: str | Path) -> str:
    out = tmp_path / "out"
    r = sunshine(*engine_args, "--seed", SEED, "--out", out)
    assert r.returncode == 0, r.stderr
    assert (out / "PRACTICE.txt").is_file() and (out / "bundle.zip").is_file()
    copy = tmp_path / "elsewhere.zip"
    shutil.copy(out / "bundle.zip", copy)
    r = sunshine("verify", copy)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def test_points_bundle_verifies(tmp_path: Path) -> None:
    p = REPO / "samples" / "points"
    if not (p / "rules.toml").exists():
        pytest.skip("points samples not present")
    stdout = _practice_then_verify(tmp_path, "points", "--rules", p / "rules.toml", "--applicants",
                                   p / "applicants.csv", "--schools", p / "schools.csv")
    assert "replay:" in stdout and "reproduced byte for byte" in stdout


def test_classes_bundle_verifies(tmp_path: Path) -> None:
    c = REPO / "samples" / "classes"
    if not (c / "students.csv").exists():
        pytest.skip("classes samples not present")
    stdout = _practice_then_verify(tmp_path, "classes", "--students", c / "students.csv", "--config",
                                   c / "config.toml")
    assert "reproduced byte for byte" in stdout
