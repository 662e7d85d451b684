"""Every run's signed ``run.publish`` names the browser verifier page (docs/bundle.md § Log actions), practice
and ceremony runs alike, and ``sunshine verify`` prints that hash: the one ``sunshine verifier`` writes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

from api.audit_runs import load_bundle_files
from api.verifier_page import verifier_html, verifier_record
from audit.log import AuditLog

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "lottery"


def _published(out: Path) -> Any:
    return AuditLog.from_bytes(load_bundle_files(out)["log.jsonl"]).find("run.publish")[-1][1]


def test_practice_and_ceremony_runs_name_the_page_in_their_signed_publish(practice_out: Path,
                                                                          ceremony_out: Path) -> None:
    page = hashlib.sha256(verifier_html()).hexdigest()
    for out in (practice_out, ceremony_out):
        published = _published(out)
        assert set(published) == {"results_hash", "verifier"}
        assert published["verifier"] == verifier_record()
        assert published["verifier"]["sha256"] == page
        assert published["verifier"]["version"] not in ("", "unknown")


def test_sunshine_verify_prints_the_hash_sunshine_verifier_writes(
        tmp_path: Path, sunshine: Callable[..., CompletedProcess[str]]) -> None:
    made = sunshine("lottery", "--schools", SAMPLES / "schools.csv", "--applicants", SAMPLES / "applicants.csv",
                    "--seed", "0" * 63 + "7", "--out", tmp_path / "out")
    assert made.returncode == 0, made.stderr
    page = sunshine("verifier", "--out", tmp_path / "verifier.html")
    assert page.returncode == 0, page.stderr
    written = page.stdout.strip().splitlines()[-1]
    checked = sunshine("verify", tmp_path / "out")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"browser verifier for this run: sha256 {written} (sunshine " in checked.stdout
    assert f"本次运行的浏览器核验页面：sha256 {written}" in checked.stdout
