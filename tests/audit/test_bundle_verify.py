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

from api.audit_runs import load_bundle_files
from audit.bundle import Bundle, read_zip, zip_bytes
from audit.errors import BundleError, VerificationError
from audit.results import csv_table
from audit.signing import Signer
from audit.verify import STEPS, parse_json_lines, spec_lottery_numbers, verify_bundle

Files = dict[str, bytes]
VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "randomness"


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


def _json_edit(files: Files, name: str, fn: Callable[[Any], None]) -> Files:
    obj = json.loads(files[name])
    fn(obj)
    return {**files, name: json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()}


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


def _edit(name: str, fn: Callable[[bytes], bytes]) -> Callable[[Files], Files]:
    return lambda f: {**f, name: fn(f[name])}


def _jedit(name: str, fn: Callable[[Any], None]) -> Callable[[Files], Files]:
    return lambda f: _json_edit(f, name, fn)


def _set(name: str, data: bytes) -> Callable[[Files], Files]:
    return lambda f: {**f, name: data}


OTHER_KEY = Signer("test-operator", bytes(32)).verifier.vkey

MUTATIONS: dict[str, tuple[str, Callable[[Files], Files]]] = {
    "results-byte-flipped": ("results", _edit("results/results.csv", lambda d: _flip(d, 40))),
    "results-row-reordered": ("results", _edit("results/results.csv", lambda d: _swap_lines(d, 1, 2))),
    "results-file-added": ("results", lambda f: {**f, "results/extra.csv": b"x\n"}),
    "log-entry-deleted": ("log", _edit("log.jsonl", lambda d: _drop_line(d, 3))),
    "log-entry-inserted": ("log", _edit("log.jsonl", lambda d: _dup_line(d, 3))),
    "log-reveal-modified": ("log", _edit("log.jsonl", lambda d: d.replace(b"alice-value", b"alice-valuX", 1))),
    "key-swapped": ("signatures", _jedit("keys.json", lambda k: k.update(log_keys=[OTHER_KEY]))),
    "sig-truncated": ("signatures", _edit("checkpoint", lambda d: d[:-20] + b"\n")),
    "checkpoint-size-changed": ("signatures", _edit("checkpoint", lambda d: b"\n".join(
        [d.split(b"\n")[0], str(int(d.split(b"\n")[1]) - 1).encode(), *d.split(b"\n")[2:]]))),
    "earlier-checkpoint-proof-modified": (
        "log", _jedit("checkpoints.json", lambda h: h[3].update(proof=["00" * 32, *h[3]["proof"][1:]]))),
    "config-changed": ("config", _jedit("config.json", lambda c: c.update(seats=6))),
    "roster-record-changed": ("roster", _edit("roster.jsonl", lambda d: d.replace(b'"Z1"', b'"Z2"', 1))),
    "roster-rows-swapped": ("roster", _edit("roster.jsonl", lambda d: _swap_lines(d, 0, 1))),
    "roster-leaf-dropped": ("roster", _edit("roster.jsonl", lambda d: _drop_line(d, 11))),
    "seed-changed": ("seed", _jedit("seed.json", lambda s: s.update(seed="00" * 32))),
    "seed-source-changed": (
        "seed", _jedit("seed.json", lambda s: s["inputs"]["public_value"].update(source="fallback"))),
    "witness-reveal-changed": (
        "seed", _jedit("seed.json", lambda s: s["inputs"]["contributions"][0].update(value="other"))),
    "manifest-hash-changed": ("manifest", _jedit("manifest.json", lambda m: m["files"].update({"config.json": "0"}))),
    "manifest-practice-flag-flipped": ("ceremony", _jedit("manifest.json", lambda m: m.update(practice=True))),
}


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _swap_lines(data: bytes, i: int, j: int) -> bytes:
    ls = _lines(data)
    ls[i], ls[j] = ls[j], ls[i]
    return b"\n".join(ls)


def _drop_line(data: bytes, i: int) -> bytes:
    ls = _lines(data)
    del ls[i]
    return b"\n".join(ls)


def _dup_line(data: bytes, i: int) -> bytes:
    ls = _lines(data)
    ls.insert(i, ls[i])
    return b"\n".join(ls)



# Malformed (not merely altered) bundle files, one or more per step: each must fail as a VerificationError
# naming that step, never as a raw exception (KeyError, UnicodeDecodeError, …) from the verifier.
MALFORMED: dict[str, tuple[str, Callable[[Files], Files]]] = {
    "keys-not-an-object": ("signatures", _set("keys.json", b"[1, 2]")),
    "keys-not-strings": ("signatures", _set("keys.json", b'{"log_keys": [7], "practice": false}')),
    "key-garbage": ("signatures", _set("keys.json", b'{"log_keys": ["not a key"], "practice": false}')),
    "checkpoint-not-utf8": ("signatures", _set("checkpoint", b"\xff\xfe\n\n")),
    "checkpoints-json-garbage": ("signatures", _set("checkpoints.json", b"{")),
    "checkpoints-json-wrong-shape": ("signatures", _set("checkpoints.json", b'[{"note": 5}]')),
    "log-line-garbage": ("log", _edit("log.jsonl", lambda d: d.replace(b"\n", b"\n{garbage\n", 1))),
    "log-not-utf8": ("log", _edit("log.jsonl", lambda d: b"\xff" + d)),
    "config-not-json": ("config", _set("config.json", b"{not json")),
    "config-not-utf8": ("config", _set("config.json", b"\xff\xfe")),
    "config-float": ("config", _set("config.json", b'{"seats": 1.5}')),
    "roster-not-json": ("roster", _edit("roster.jsonl", lambda d: b"{oops\n" + d)),
    "roster-no-newline": ("roster", _edit("roster.jsonl", lambda d: d[:-1])),
    "roster-leaf-not-object": ("roster", _edit("roster.jsonl", lambda d: b"[1]\n" + d)),
    "seed-not-json": ("seed", _set("seed.json", b"seed")),
    "seed-not-hex": ("seed", _jedit("seed.json", lambda s: s.update(seed="zz"))),
    "seed-not-object": ("seed", _set("seed.json", b"[]")),
    "manifest-files-not-object": ("manifest", _jedit("manifest.json", lambda m: m.update(files=[1]))),
}


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
        def execute(self, config, roster, seed):  # type: ignore[no-untyped-def]
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
        def execute(self, config, roster, seed):  # type: ignore[no-untyped-def]
            return super().execute({**config, "seats": 4}, roster, seed)

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


def _resigned(files: Files, operator: Signer, edit: Callable[[str, Any], Any]) -> Files:
    """The bundle with each log payload replaced by ``edit(action, payload)``, re-chained and re-signed.

    What a dishonest operator (who holds the key) could publish: steps 1 and 2 hold (the whole
    checkpoint history is re-signed too), so the later steps must catch it.
    """
    from audit.log import AuditLog
    from audit.merkle import MerkleTree
    from audit.signing import format_checkpoint, sign_note

    old = AuditLog.from_bytes(files["log.jsonl"])
    new = AuditLog()
    for e, p in zip(old.entries, old.payloads, strict=True):
        new.append(e.actor, e.action, e.time, edit(e.action, p))
    origin = Bundle.from_files(files).manifest["origin"]
    tree = MerkleTree(new.leaf_hashes())
    history = [{"note": sign_note(format_checkpoint(new.checkpoint(origin, size)), [operator]),
                "proof": [h.hex() for h in tree.consistency_proof(size)]} for size in range(1, new.size)]
    return {**files, "log.jsonl": new.to_bytes(), "checkpoint": new.signed_checkpoint(origin, [operator]).encode(),
            "checkpoints.json": (json.dumps(history, indent=2) + "\n").encode()}


def _replace(action: str, payload: Any) -> Callable[[str, Any], Any]:
    return lambda a, p: payload if a == action else p


RESIGNED: dict[str, tuple[str, str, Callable[[str, Any], Any]]] = {
    "publish-results-hash-wrong": ("results", "run.publish", _replace("run.publish", {"results_hash": "00" * 32})),
    "execute-hash-not-a-string": ("results", "results.csv", lambda a, p: {**p, "results": {
        **p["results"], "results.csv": 5}} if a == "run.execute" else p),
    "freeze-payload-missing-field": ("ceremony", "log", _replace("roster.freeze", {"roster_root": "00"})),
    "execute-results-not-an-object": ("ceremony", "log", lambda a, p: {**p, "results": "x"}
                                      if a == "run.execute" else p),
    "execute-missing": ("ceremony", "log", lambda a, p: p if a != "run.execute" else {"engine": {}}),
}


@pytest.mark.parametrize("case", sorted(RESIGNED))
def test_resigned_malformed_log_fails_at_its_step(case: str, ceremony_out: Path, operator: Signer,
                                                  verify_failure: Callable[..., VerificationError]) -> None:
    step, item, edit = RESIGNED[case]
    err = verify_failure(_resigned(load_bundle_files(ceremony_out), operator, edit), keys=[operator.verifier])
    assert (err.step, err.item) == (step, item), err.message_en
