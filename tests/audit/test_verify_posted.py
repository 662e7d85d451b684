"""A posted class list (placement.csv, with names) is committed salted in run.execute (issue 13).

The attack: a school posts a placement.csv in which one child's name was changed (or a child moved
to another class). The file is private, so the bundle has no copy; its salted SHA-256 is signed in
``run.execute``, and ``sunshine verify-posted`` with the salt handed to the school refuses it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from api.audit_runs import load_bundle_files
from audit.bundle import Bundle
from audit.ceremony import replay_log
from audit.log import AuditLog

ROOT = Path(__file__).resolve().parents[2]
SEED = "00" * 32


@pytest.fixture(scope="module")
def classes_out(tmp_path_factory: pytest.TempPathFactory, sunshine: Callable[..., Any]) -> Path:
    out = tmp_path_factory.mktemp("posted") / "out"
    r = sunshine("classes", "--students", ROOT / "samples/classes/students.csv",
                 "--config", ROOT / "samples/classes/config.toml", "--seed", SEED, "--out", out)
    assert r.returncode == 0, r.stdout + r.stderr
    return out


def _salt(out: Path) -> str:
    return str(json.loads((out / "audit-private" / "private_salts.json").read_text("utf-8"))["placement.csv"])


def test_the_private_files_are_committed_salted_in_run_execute(classes_out: Path) -> None:
    files = load_bundle_files(classes_out)
    st = replay_log(AuditLog.from_bytes(files["log.jsonl"]))
    assert sorted(st.private_results) == ["placement.csv", "placement.xlsx"]
    assert "placement.csv" not in Bundle.from_files(files).results  # the names stay out of the bundle
    posted = (classes_out / "placement.csv").read_bytes()
    assert st.private_results["placement.csv"] != hashlib.sha256(posted).hexdigest()  # salted, not plain
    assert (classes_out / "audit-private" / "private_salts.json").stat().st_mode & 0o777 == 0o600


def test_the_posted_list_as_published_verifies(classes_out: Path, sunshine: Callable[..., Any]) -> None:
    r = sunshine("verify-posted", classes_out, classes_out / "placement.csv", "--salt", _salt(classes_out))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "posted: placement.csv" in r.stdout and "POSTED LIST VERIFIED: placement.csv" in r.stdout
    assert "张贴名单已验证" in r.stdout


def test_a_posted_list_with_one_name_edited_is_refused(classes_out: Path, tmp_path: Path,
                                                       sunshine: Callable[..., Any]) -> None:
    text = (classes_out / "placement.csv").read_text("utf-8-sig")
    header, first, *rest = text.split("\n")
    sid, name, cls = first.split(",")
    edited = tmp_path / "placement.csv"
    edited.write_bytes(("\ufeff" + "\n".join([header, f"{sid},{name}某,{cls}", *rest])).encode())
    r = sunshine("verify-posted", classes_out, edited, "--salt", _salt(classes_out))
    assert r.returncode == 1, r.stdout + r.stderr
    assert ". FAIL  " in r.stdout and "张贴的 placement.csv 与运行记录中签名承诺的名单不同" in r.stdout
    assert "the posted placement.csv is not the list the run committed" in r.stdout
    assert "VERIFICATION FAILED at step 'posted'" in r.stderr


def test_a_wrong_salt_is_refused_and_a_malformed_one_is_bad_input(classes_out: Path,
                                                                   sunshine: Callable[..., Any]) -> None:
    posted = classes_out / "placement.csv"
    r = sunshine("verify-posted", classes_out, posted, "--salt", "11" * 32)
    assert r.returncode == 1 and "or the salt is wrong" in r.stdout
    r = sunshine("verify-posted", classes_out, posted, "--salt", "not-hex")
    assert r.returncode == 2 and "the salt must be 64 lowercase hex digits" in r.stderr and "盐值" in r.stderr
    r = sunshine("verify-posted", classes_out, posted, "--salt", _salt(classes_out), "--name", "other.csv")
    assert r.returncode == 1 and "the run commits no private file named 'other.csv'" in r.stdout
