"""Every field class of a bundle, mutated or malformed, makes verify fail at the right step."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tamper_cases import MALFORMED, MUTATIONS, RESIGNED, Files, resigned

from api.audit_runs import load_bundle_files
from audit.bundle import Bundle, read_zip, zip_bytes
from audit.errors import BundleError, VerificationError
from audit.results import csv_table
from audit.signing import Signer
from audit.verify import STEPS, parse_json_lines, spec_lottery_numbers, verify_bundle

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "randomness"


def test_clean_practice_bundle_verifies(practice_out: Path, verify_files: Callable[..., list[str]]) -> None:
    lines = verify_files(load_bundle_files(practice_out))
    assert [line.split(":")[0] for line in lines] == list(STEPS)
    assert "PRACTICE" in lines[0] and "PRACTICE" in lines[5]
    assert (practice_out / "PRACTICE.txt").is_file()
    assert json.loads((practice_out / "bundle" / "manifest.json").read_text())["practice"] is True


def test_clean_ceremony_bundle_verifies_with_pinned_key(ceremony_out: Path, operator: Signer,
                                                        verify_files: Callable[..., list[str]]) -> None:
    lines = verify_files(load_bundle_files(ceremony_out), keys=[operator.verifier])
    assert "pinned key" in lines[0]
    assert "1 withdrawal" in lines[4]
    assert "11 recomputed" in lines[7]  # 12 committed, 1 withdrawn and skipped


def test_zip_and_directory_are_the_same_bundle(ceremony_out: Path) -> None:
    assert read_zip((ceremony_out / "bundle.zip").read_bytes()) == load_bundle_files(ceremony_out / "bundle")


def test_practice_results_reproduce_but_the_roster_secret_is_fresh(tmp_path: Path, fake_run: Callable[..., Any],
                                                                   practice_seed: bytes) -> None:
    """Practice results are byte-reproducible from the seed; the salts are not (issue 13: names behind
    practice leaves must not be recoverable from the published seed)."""
    from api.runs.publish import publish_run

    publish_run(fake_run(), practice_seed, tmp_path / "a")
    publish_run(fake_run(), practice_seed, tmp_path / "b")
    a, b = load_bundle_files(tmp_path / "a"), load_bundle_files(tmp_path / "b")
    assert {n: d for n, d in a.items() if n.startswith("results/")} == {
        n: d for n, d in b.items() if n.startswith("results/")}
    assert a["roster.jsonl"] != b["roster.jsonl"]
    freeze_a = [json.loads(line)["payload"] for line in a["log.jsonl"].splitlines()][1]
    freeze_b = [json.loads(line)["payload"] for line in b["log.jsonl"].splitlines()][1]
    assert freeze_a["public_root"] == freeze_b["public_root"] and freeze_a["roster_root"] != freeze_b["roster_root"]


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_bundle_fails_as_verification_error_at_its_step(
        case: str, ceremony_out: Path, verify_failure: Callable[..., VerificationError]) -> None:
    want, mutate = MALFORMED[case]
    err = verify_failure(mutate(load_bundle_files(ceremony_out)))
    assert err.step == want, err.message_en


def test_results_not_utf8_fail_at_lottery_numbers(tmp_path: Path, operator: Signer, fake_run: Callable[..., Any],
                                                  run_ceremony: Callable[..., Any],
                                                  verify_failure: Callable[..., VerificationError]) -> None:
    run_ceremony(tmp_path / "run", operator, fake_run(kind="latin1"), out=tmp_path / "out")
    for second_core in (True, False):
        err = verify_failure(load_bundle_files(tmp_path / "out"), second_core=second_core)
        assert (err.step, err.item) == ("lottery-numbers", "results.csv")
        assert "not UTF-8" in err.message_en


def test_engine_crash_is_a_replay_verification_error(ceremony_out: Path, fake_kind: type) -> None:
    class Broken(fake_kind):  # type: ignore[misc, valid-type]
        def execute(self, config, roster, seed, facts=None):  # type: ignore[no-untyped-def]
            raise RuntimeError("engine broke")

    lines = verify_bundle(Bundle.from_files(load_bundle_files(ceremony_out)), trusted_keys=None,
                          execute=Broken().execute)
    seen = []
    with pytest.raises(VerificationError, match="engine failed on the committed inputs: RuntimeError") as exc:
        for line in lines:  # step 8 is still reported first, as if the steps ran in order
            seen.append(line.split(":")[0])
    assert seen == list(STEPS[:8])
    assert (exc.value.step, exc.value.item) == ("replay", "execute")
    assert isinstance(exc.value.__cause__, RuntimeError)


def test_any_crash_inside_a_step_is_wrapped_with_that_step(ceremony_out: Path) -> None:
    class Keys(dict[str, Any]):  # keys.json whose lookups crash in a way no step anticipates
        def get(self, *_: Any) -> Any:
            raise ZeroDivisionError("boom")

    b = Bundle.from_files(load_bundle_files(ceremony_out))
    weird = Bundle(b.files, b.manifest, Keys(b.keys))
    with pytest.raises(VerificationError, match=r"malformed input \(ZeroDivisionError: boom\)") as exc:
        list(verify_bundle(weird, trusted_keys=None, execute=None))
    assert (exc.value.step, exc.value.item) == ("signatures", "checkpoint")
    assert isinstance(exc.value.__cause__, ZeroDivisionError)


def _chart_bundle(out: Path, fake_run: Callable[..., Any], seed: bytes) -> Files:
    from api.runs.publish import publish_run

    publish_run(fake_run(kind="chart"), seed, out)  # practice: one execute, so the chart is drawn once
    return load_bundle_files(out)


def test_replay_compares_data_files_not_images(tmp_path: Path, fake_run: Callable[..., Any], practice_seed: bytes,
                                               verify_files: Callable[..., list[str]],
                                               verify_failure: Callable[..., VerificationError]) -> None:
    files = _chart_bundle(tmp_path / "out", fake_run, practice_seed)
    lines = verify_files(files)  # the replayed chart.png has other bytes than the published one
    assert "results: 3 file(s) match the signed hashes" in lines[6]
    assert lines[8] == ("replay: 2 data file(s) reproduced byte for byte; image(s) not compared (renderings of "
                        "the data; their signed hashes were checked in step 7): chart.png")
    # the image's hash is still signed: an edited chart.png fails step 7
    err = verify_failure({**files, "results/chart.png": files["results/chart.png"] + b"x"})
    assert (err.step, err.item) == ("results", "chart.png")


def test_replay_must_produce_every_image(tmp_path: Path, fake_run: Callable[..., Any], practice_seed: bytes,
                                         fake_kind: type) -> None:
    b = Bundle.from_files(_chart_bundle(tmp_path / "out", fake_run, practice_seed))
    with pytest.raises(VerificationError, match="replay did not produce this file") as exc:
        list(verify_bundle(b, trusted_keys=None, execute=fake_kind().execute))
    assert (exc.value.step, exc.value.item) == ("replay", "chart.png")


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_mutation_fails_at_step(mutation: str, ceremony_out: Path, operator: Signer,
                                verify_failure: Callable[..., VerificationError]) -> None:
    want, mutate = MUTATIONS[mutation]
    files = mutate(load_bundle_files(ceremony_out))
    assert verify_failure(files).step == want
    # with a pinned key the shipped keys.json no longer matters for signatures; only the manifest notices
    want_pinned = "manifest" if mutation == "key-swapped" else want
    assert verify_failure(files, keys=[operator.verifier]).step == want_pinned


def test_wrong_pinned_key(ceremony_out: Path, verify_failure: Callable[..., VerificationError]) -> None:
    other = Signer("test-operator", bytes(32)).verifier
    assert verify_failure(load_bundle_files(ceremony_out), keys=[other]).step == "signatures"


def test_different_engine_fails_replay(ceremony_out: Path, fake_kind: type) -> None:
    class Other(fake_kind):  # type: ignore[misc, valid-type]
        def execute(self, config, roster, seed, facts=None):  # type: ignore[no-untyped-def]
            return super().execute({**config, "seats": 4}, roster, seed, facts)

    b = Bundle.from_files(load_bundle_files(ceremony_out))
    with pytest.raises(VerificationError, match="replay differs: results.csv line") as exc:
        list(verify_bundle(b, trusted_keys=None, execute=Other().execute))
    assert exc.value.step == "replay"


def test_wrong_lottery_number_fails_before_replay(tmp_path: Path, operator: Signer, fake_run: Callable[..., Any],
                                                  run_ceremony: Callable[..., Any],
                                                  verify_failure: Callable[..., VerificationError]) -> None:
    run_ceremony(tmp_path / "run", operator, fake_run(kind="cheat"), out=tmp_path / "out")
    err = verify_failure(load_bundle_files(tmp_path / "out"))
    assert err.step == "lottery-numbers"
    assert "row 2" in err.item


def test_short_results_row_is_named_not_a_crash(tmp_path: Path, operator: Signer, fake_run: Callable[..., Any],
                                                run_ceremony: Callable[..., Any],
                                                verify_failure: Callable[..., VerificationError]) -> None:
    run_ceremony(tmp_path / "run", operator, fake_run(kind="short"), out=tmp_path / "out")
    err = verify_failure(load_bundle_files(tmp_path / "out"))
    assert err.step == "lottery-numbers"
    assert err.item == "results.csv row 4"
    assert "1 field(s)" in err.message_en


def test_independent_lottery_numbers_match_the_spec_vectors() -> None:
    vectors = json.loads((VECTORS / "lottery_numbers.json").read_text())
    for case in vectors["cases"]:
        got = spec_lottery_numbers(bytes.fromhex(case["seed"]), case["kind"], [case["key"]])
        assert got == [case["lottery_number"]], case["desc"]


@pytest.mark.parametrize("chunk", [1, 5, 1 << 24])
def test_roster_lines_parse_piece_by_piece(chunk: int) -> None:
    lines = b'{"a":1}\n[2,3]\n"x,y"\n{}\n'
    assert parse_json_lines(lines, chunk) == [{"a": 1}, [2, 3], "x,y", {}]
    assert parse_json_lines(b"", chunk) == []
    assert parse_json_lines(b'{"a":1}\n{"b":\n', chunk) is None
    assert parse_json_lines(b"1,2\n3\n", chunk) == [1, 2, 3]  # longer than the line count: the caller names the line


@pytest.mark.parametrize("text", ["", "a,b", "a,b\n", "a,b\n1,2\n3,4", "a,b\n1,2\n3,4\n", "a\n\nb\n",
                                  'a,b\n"1,x",2\n', "a,b\r\n1,2\r\n", "x,lottery_number,z\n1,2,3,4\n5,6,7\n"])
@pytest.mark.parametrize("chunk", [1, 3, 1 << 22])
def test_csv_table_reads_like_the_csv_module(text: str, chunk: int) -> None:
    header, chunks = csv_table(text, chunk=chunk)
    assert [header, *(row for rows in chunks for row in rows)] == (list(csv.reader(io.StringIO(text))) or [[]])
    header, chunks = csv_table(text, ("lottery_number",), chunk=chunk)
    if "lottery_number" in header:  # split only up to the wanted column: the rest stays in one field
        assert [row[:2] for rows in chunks for row in rows] == [["1", "2"], ["5", "6"]]


def test_read_zip_checks_each_member() -> None:
    files = {"a/名字.txt": b"hello" * 100, "empty": b""}
    for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", method) as zf:
            for name, data in files.items():
                zf.writestr(name, data)
            zf.writestr("folder/", b"")
        assert read_zip(buf.getvalue()) == files
    flipped = bytearray(zip_bytes(files))
    flipped[flipped.index(b"a/")+len("a/名字.txt".encode()) + 2] ^= 1  # a bit of the first member's data
    with pytest.raises(BundleError, match="not a valid zip file"):
        read_zip(bytes(flipped))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_BZIP2) as zf:
        zf.writestr("x", b"data")
    with pytest.raises(BundleError, match="not a valid zip file"):
        read_zip(buf.getvalue())


def _failure(files: Files, second_core: bool) -> tuple[str, str, str]:
    with pytest.raises(VerificationError, match="Verification step") as exc:
        list(verify_bundle(Bundle.from_files(files), trusted_keys=None, execute=_execute(files),
                           second_core=second_core))
    return exc.value.step, exc.value.item, exc.value.message_en


def _execute(files: Files) -> Any:
    from api.runs import get_kind

    return get_kind(Bundle.from_files(files).kind).execute


@pytest.mark.parametrize("mutation", sorted({**MUTATIONS, **MALFORMED}))
def test_failure_reported_the_same_without_a_second_core(mutation: str, ceremony_out: Path) -> None:
    files = {**MUTATIONS, **MALFORMED}[mutation][1](load_bundle_files(ceremony_out))
    assert _failure(files, second_core=False) == _failure(files, second_core=True)


def test_clean_bundle_lines_the_same_without_a_second_core(ceremony_out: Path,
                                                          verify_files: Callable[..., list[str]]) -> None:
    files = load_bundle_files(ceremony_out)
    assert verify_files(files, second_core=False) == verify_files(files, second_core=True)


@pytest.mark.parametrize("case", sorted(RESIGNED))
def test_resigned_malformed_log_fails_at_its_step(case: str, ceremony_out: Path, operator: Signer,
                                                  verify_failure: Callable[..., VerificationError]) -> None:
    step, item, edit = RESIGNED[case]
    err = verify_failure(resigned(load_bundle_files(ceremony_out), operator, edit), keys=[operator.verifier])
    assert (err.step, err.item) == (step, item), err.message_en
