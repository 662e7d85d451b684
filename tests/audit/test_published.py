"""Step 11, out-folder: the copies in an --out folder must be the bundle's bytes, named when they are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.audit_runs import load_bundle_files
from audit.bundle import zip_bytes
from audit.errors import VerificationError
from audit.published import OUT_FOLDER_STEP, public_counterpart, verify_out_folder

Files = dict[str, bytes]


def _folder(out: Path) -> Files:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.relative_to(out).as_posix().startswith("bundle/")}


def _failure(bundle: Files, folder: Files) -> VerificationError:
    with pytest.raises(VerificationError, match=f"Verification step '{OUT_FOLDER_STEP}'") as exc:
        list(verify_out_folder(bundle, folder))
    assert exc.value.step == OUT_FOLDER_STEP
    return exc.value


def test_untouched_folder_holds(practice_out: Path) -> None:
    bundle, folder = load_bundle_files(practice_out), _folder(practice_out)
    assert sorted(folder) == [".sunshine-result", "PRACTICE.txt", "audit-private/private_salts.json",
                              "audit-private/roster_private.json", "bundle.zip", "private/names.csv",
                              "results.csv", "summary.json"]
    [line] = verify_out_folder(bundle, folder)
    assert line == ("out-folder: 3 public file(s) identical to the bundle's (PRACTICE.txt, results.csv, "
                    "summary.json); bundle.zip holds bundle/'s 11 file(s) byte for byte; not public, not checked: "
                    "audit-private/private_salts.json, audit-private/roster_private.json, private/names.csv")


def test_hand_edited_results_fail_naming_the_file_and_line(practice_out: Path) -> None:
    bundle, folder = load_bundle_files(practice_out), _folder(practice_out)
    lines = folder["results.csv"].split(b"\n")
    lines[8] = lines[8].replace(b",no", b",yes")  # rank 8 given a seat by hand
    err = _failure(bundle, {**folder, "results.csv": b"\n".join(lines)})
    assert err.item == "results.csv"
    assert "differs from the bundle's results/results.csv" in err.message_en and "results.csv line 9" in err.message_en


@pytest.mark.parametrize(("change", "item", "message"), [
    (lambda f: f.pop("summary.json"), "summary.json", "public file missing from the folder"),
    (lambda f: f.update({"PRACTICE.txt": b"official!"}), "PRACTICE.txt", "differs from the bundle's PRACTICE.txt"),
    (lambda f: f.pop("bundle.zip"), "bundle.zip", "bundle.zip missing"),
    (lambda f: f.update({"bundle.zip": b"PK\x03\x04 not a zip"}), "bundle.zip", "not a valid zip file"),
])
def test_missing_extra_or_changed_files_fail(practice_out: Path, change: object, item: str, message: str) -> None:
    bundle, folder = load_bundle_files(practice_out), _folder(practice_out)
    change(folder)  # type: ignore[operator]
    err = _failure(bundle, folder)
    assert err.item == item and message in err.message_en


def test_zip_must_hold_exactly_the_bundle(practice_out: Path) -> None:
    bundle, folder = load_bundle_files(practice_out), _folder(practice_out)
    edited = {**bundle, "results/results.csv": bundle["results/results.csv"] + b"x"}
    err = _failure(bundle, {**folder, "bundle.zip": zip_bytes(edited)})
    assert err.item == "bundle.zip:results/results.csv" and "differs between bundle/ and bundle.zip" in err.message_en
    extra = {**bundle, "results/extra.csv": b"x\n"}
    assert _failure(bundle, {**folder, "bundle.zip": zip_bytes(extra)}).item == "bundle.zip:results/extra.csv"


def test_a_file_the_bundle_has_no_copy_of_is_listed_as_not_proven(practice_out: Path) -> None:
    folder = {**_folder(practice_out), "placement.csv": b"student_id,name,class\n", "notes/x.txt": b"x"}
    [line] = verify_out_folder(load_bundle_files(practice_out), folder)
    assert line.endswith("; NOT proven (the bundle has no copy): notes/x.txt, placement.csv")
    assert "3 public file(s) identical" in line


def test_private_files_may_be_absent(practice_out: Path) -> None:
    folder = {n: d for n, d in _folder(practice_out).items() if not n.startswith(("private/", "audit-private/"))}
    [line] = verify_out_folder(load_bundle_files(practice_out), folder)
    assert "not checked" not in line


def test_the_rule_for_each_folder_file() -> None:
    assert public_counterpart("results.csv") == "results/results.csv"
    assert public_counterpart("publication.xlsx") == "results/publication.xlsx"
    assert public_counterpart("PRACTICE.txt") == "PRACTICE.txt"
    for unchecked in ("bundle/log.jsonl", "bundle.zip", "private/contacts.csv", "audit-private/roster_private.json"):
        assert public_counterpart(unchecked) is None
