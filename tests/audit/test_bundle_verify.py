"""Every field class of a bundle, mutated, makes verify fail at the right step."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from audit_fixtures import FakeKind, fake_run, run_ceremony

from api.audit_runs import load_bundle_files
from api.runs import get_kind
from audit.bundle import Bundle, read_zip, zip_bytes
from audit.errors import BundleError, VerificationError
from audit.signing import Signer, Verifier
from audit.verify import STEPS, _csv_table, _parse_lines, verify_bundle

Files = dict[str, bytes]


def verify(files: Files, keys: list[Verifier] | None = None, kind: str | None = None) -> list[str]:
    b = Bundle.from_files(files)
    return list(verify_bundle(b, trusted_keys=keys, execute=get_kind(kind or b.kind).execute))


def failing_step(files: Files, keys: list[Verifier] | None = None, kind: str | None = None) -> str:
    with pytest.raises(VerificationError) as exc:
        verify(files, keys, kind)
    return exc.value.step


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


def _json_edit(files: Files, name: str, fn: Callable[[Any], None]) -> Files:
    obj = json.loads(files[name])
    fn(obj)
    return {**files, name: json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()}


def test_clean_practice_bundle_verifies(practice_out: Path) -> None:
    lines = verify(load_bundle_files(practice_out))
    assert [line.split(":")[0] for line in lines] == list(STEPS)
    assert "PRACTICE" in lines[0] and "PRACTICE" in lines[5]
    assert (practice_out / "PRACTICE.txt").is_file()
    assert json.loads((practice_out / "bundle" / "manifest.json").read_text())["practice"] is True


def test_clean_ceremony_bundle_verifies_with_pinned_key(ceremony_out: Path, operator: Signer) -> None:
    lines = verify(load_bundle_files(ceremony_out), keys=[operator.verifier])
    assert "pinned key" in lines[0]
    assert "1 withdrawal" in lines[4]
    assert "11 recomputed" in lines[7]  # 12 committed, 1 withdrawn and skipped


def test_zip_and_directory_are_the_same_bundle(ceremony_out: Path) -> None:
    assert read_zip((ceremony_out / "bundle.zip").read_bytes()) == load_bundle_files(ceremony_out / "bundle")


def test_practice_results_reproduce_but_the_roster_secret_is_fresh(tmp_path: Path) -> None:
    """Practice results are byte-reproducible from the seed; the salts are not (issue 13: names behind
    practice leaves must not be recoverable from the published seed)."""
    from audit_fixtures import SEED

    from api.runs.publish import publish_run

    publish_run(fake_run(), SEED, tmp_path / "a")
    publish_run(fake_run(), SEED, tmp_path / "b")
    a, b = load_bundle_files(tmp_path / "a"), load_bundle_files(tmp_path / "b")
    assert {n: d for n, d in a.items() if n.startswith("results/")} == {
        n: d for n, d in b.items() if n.startswith("results/")}
    assert a["roster.jsonl"] != b["roster.jsonl"]
    freeze = [json.loads(line)["payload"] for line in a["log.jsonl"].splitlines()][1]
    freeze_b = [json.loads(line)["payload"] for line in b["log.jsonl"].splitlines()][1]
    assert freeze["public_root"] == freeze_b["public_root"] and freeze["roster_root"] != freeze_b["roster_root"]


def _ceremony_files(path: Path) -> Files:
    return load_bundle_files(path)


def _edit(name: str, fn: Callable[[bytes], bytes]) -> Callable[[Files], Files]:
    return lambda f: {**f, name: fn(f[name])}


def _jedit(name: str, fn: Callable[[Any], None]) -> Callable[[Files], Files]:
    return lambda f: _json_edit(f, name, fn)


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


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_mutation_fails_at_step(mutation: str, ceremony_out: Path, operator: Signer) -> None:
    want, mutate = MUTATIONS[mutation]
    files = mutate(_ceremony_files(ceremony_out))
    assert failing_step(files) == want
    # with a pinned key the shipped keys.json no longer matters for signatures; only the manifest notices
    assert failing_step(files, keys=[operator.verifier]) == ("manifest" if mutation == "key-swapped" else want)


def test_wrong_pinned_key(ceremony_out: Path) -> None:
    other = Signer("test-operator", bytes(32)).verifier
    assert failing_step(_ceremony_files(ceremony_out), keys=[other]) == "signatures"


def test_different_engine_fails_replay(ceremony_out: Path) -> None:
    class Other(FakeKind):
        def execute(self, config, roster, seed):  # type: ignore[no-untyped-def]
            return super().execute({**config, "seats": 4}, roster, seed)

    b = Bundle.from_files(_ceremony_files(ceremony_out))
    with pytest.raises(VerificationError) as exc:
        list(verify_bundle(b, trusted_keys=None, execute=Other().execute))
    assert exc.value.step == "replay"
    assert "results.csv line" in exc.value.message_en


def test_wrong_lottery_number_fails_before_replay(tmp_path: Path, operator: Signer) -> None:
    run_ceremony(tmp_path / "run", operator, fake_run(kind="cheat"), out=tmp_path / "out")
    files = load_bundle_files(tmp_path / "out")
    with pytest.raises(VerificationError) as exc:
        verify(files)
    assert exc.value.step == "lottery-numbers"
    assert "row 2" in exc.value.item


def test_short_results_row_is_named_not_a_crash(tmp_path: Path, operator: Signer) -> None:
    run_ceremony(tmp_path / "run", operator, fake_run(kind="short"), out=tmp_path / "out")
    with pytest.raises(VerificationError) as exc:
        verify(load_bundle_files(tmp_path / "out"))
    assert exc.value.step == "lottery-numbers"
    assert exc.value.item == "results.csv row 4"
    assert "1 field(s)" in exc.value.message_en


def test_independent_lottery_numbers_match_the_spec_vectors() -> None:
    from audit.verify import spec_lottery_numbers

    vectors = json.loads((Path(__file__).resolve().parents[1] / "vectors" / "randomness" / "lottery_numbers.json")
                         .read_text())
    for case in vectors["cases"]:
        got = spec_lottery_numbers(bytes.fromhex(case["seed"]), case["kind"], [case["key"]])
        assert got == [case["lottery_number"]], case["desc"]


@pytest.mark.parametrize("chunk", [1, 5, 1 << 24])
def test_roster_lines_parse_piece_by_piece(chunk: int) -> None:
    lines = b'{"a":1}\n[2,3]\n"x,y"\n{}\n'
    assert _parse_lines(lines, chunk) == [{"a": 1}, [2, 3], "x,y", {}]
    assert _parse_lines(b"", chunk) == []
    assert _parse_lines(b'{"a":1}\n{"b":\n', chunk) is None
    assert _parse_lines(b"1,2\n3\n", chunk) == [1, 2, 3]  # longer than the line count: the caller names the line


@pytest.mark.parametrize("text", ["", "a,b", "a,b\n", "a,b\n1,2\n3,4", "a,b\n1,2\n3,4\n", "a\n\nb\n",
                                  'a,b\n"1,x",2\n', "a,b\r\n1,2\r\n", "x,lottery_number,z\n1,2,3,4\n5,6,7\n"])
@pytest.mark.parametrize("chunk", [1, 3, 1 << 22])
def test_csv_table_reads_like_the_csv_module(text: str, chunk: int) -> None:
    header, chunks = _csv_table(text, chunk=chunk)
    assert [header, *(row for rows in chunks for row in rows)] == (list(csv.reader(io.StringIO(text))) or [[]])
    header, chunks = _csv_table(text, ("lottery_number",), chunk=chunk)
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


def _failure(files: Files) -> tuple[str, str, str]:
    with pytest.raises(VerificationError) as exc:
        verify(files)
    return exc.value.step, exc.value.item, exc.value.message_en


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_mutation_reported_the_same_without_a_second_core(mutation: str, ceremony_out: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    files = MUTATIONS[mutation][1](_ceremony_files(ceremony_out))
    forked = _failure(files)
    monkeypatch.setattr("audit.background._can_fork", lambda: False)
    assert _failure(files) == forked


def test_clean_bundle_lines_the_same_without_a_second_core(ceremony_out: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    files = _ceremony_files(ceremony_out)
    forked = verify(files)
    monkeypatch.setattr("audit.background._can_fork", lambda: False)
    assert verify(files) == forked


def test_engine_error_surfaces_after_the_lottery_numbers_step(ceremony_out: Path) -> None:
    class Broken(FakeKind):
        def execute(self, config, roster, seed):  # type: ignore[no-untyped-def]
            raise RuntimeError("engine broke")

    lines = verify_bundle(Bundle.from_files(_ceremony_files(ceremony_out)), trusted_keys=None,
                          execute=Broken().execute)
    seen = []
    with pytest.raises(RuntimeError, match="engine broke"):
        for line in lines:
            seen.append(line.split(":")[0])
    assert seen == list(STEPS[:8])
