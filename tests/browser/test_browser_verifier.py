"""The browser verifier agrees with ``sunshine verify``: clean bundles of every kind, and every tamper case
of the audit tests fails at the same step in both (docs/verifier.md)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tamper_cases import MALFORMED, MUTATIONS, RESIGNED, resigned

from api.audit_runs import load_bundle_files
from api.runs import get_kind
from audit.bundle import Bundle, zip_bytes
from audit.errors import BundleError, VerificationError
from audit.signing import Signer, Verifier
from audit.verify import STEPS, verify_bundle

#: The audit tests' folder (its builders are loaded by conftest); not imported from conftest, whose
#: module name the pages tests' conftest shares.
AUDIT_TESTS = Path(__file__).resolve().parents[1] / "audit"
Report = dict[str, Any]

OPERATOR = Signer("test-operator", bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
Files = dict[str, bytes]


def python_verify(files: Mapping[str, bytes], keys: list[Verifier] | None = None) -> tuple[list[str], str | None]:
    """``sunshine verify``'s steps on ``files``: the lines that held and the failing step (None when all held)."""
    b = Bundle.from_files(files)
    lines: list[str] = []
    try:
        for line in verify_bundle(b, trusted_keys=keys, execute=get_kind(b.kind).execute):
            lines.append(line)
    except VerificationError as exc:
        return lines, exc.step
    return lines, None


def page_failed_step(report: Report) -> str | None:
    assert report["bundle"], report["verdict"]
    return report["failed"]["step"] if report["failed"] else None


@pytest.fixture(scope="session")
def ceremony_files(audit_helpers: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Files:
    """The audit tests' two-witness ceremony of the fake kind, with one withdrawal (as ``ceremony_out``)."""
    base = tmp_path_factory.mktemp("ceremony")
    audit_helpers.drive_ceremony(base / "run", OPERATOR, audit_helpers.make_fake_run(), withdraw="A0003",
                                 out=base / "out")
    return load_bundle_files(base / "out")


@pytest.fixture(scope="session")
def witness_keys(audit_helpers: ModuleType) -> list[str]:
    return [s.verifier.vkey for s in audit_helpers.WITNESSES.values()]


@pytest.mark.parametrize("name", ["lottery-da-round2", "lottery-boston", "lottery-serial-round2", "points", "classes"])
def test_clean_engine_bundles_hold_every_step_in_both(name: str, cli_bundles: Mapping[str, Path],
                                                      browser_verify: Callable[..., Report]) -> None:
    out = cli_bundles[name]
    lines, failed = python_verify(load_bundle_files(out))
    assert failed is None
    report = browser_verify((out / "bundle.zip").read_bytes())
    assert page_failed_step(report) is None, report["verdict"]
    assert [s["step"] for s in report["steps"]] == list(STEPS)
    # every step's line is the command's, except replay (and what this page says it cannot check)
    for python_line, step in zip(lines, report["steps"], strict=True):
        if step["step"] != "replay":
            assert step["line"] == python_line
    replay = report["steps"][8]
    # every result file, the XLSX lists for people included (xlsx.js), rebuilt byte for byte: VERIFIED in both;
    # a classes run's formation is replayed too (classes-*.js), its chart.png proven by its signed hash
    files = {"classes": 5, "points": 8}.get(name, 4)
    if name == "classes":
        assert replay["line"].startswith(lines[8])  # the same data files and the same image not compared
    assert replay["status"] == "ok"
    assert replay["line"].startswith(f"replay: {files} data file(s) reproduced byte for byte")
    assert "not checked" not in replay["line"]
    assert report["ok"] and report["verdict"]["en"].startswith("VERIFIED"), report["verdict"]


def test_ceremony_bundle_of_a_kind_the_page_cannot_replay_holds_but_is_not_verified_here(
        ceremony_files: Files, witness_keys: list[str], browser_verify: Callable[..., Report]) -> None:
    """Every step holds in both, the drand beacon's BLS signature included (step 3 is fully checked); the page
    says NOT VERIFIED only because it has no replay of the fake kind (test_browser_official: a lottery is VERIFIED)."""
    lines, failed = python_verify(ceremony_files, [OPERATOR.verifier])
    assert failed is None
    report = browser_verify(zip_bytes(ceremony_files), [OPERATOR.verifier.vkey, *witness_keys])
    assert page_failed_step(report) is None
    assert [s["line"] for s in report["steps"][:8]] == lines[:8]
    assert report["steps"][2]["status"] == "ok" and not report["steps"][2]["notes"]
    assert not report["ok"]
    assert report["verdict"]["en"] == ("NOT VERIFIED: every step this page can check holds, but step 9 (replay): "
                                       "the fake results are not replayed by this page")  # keys pinned: nothing else


def test_unpinned_keys_are_named_in_the_verdict(ceremony_files: Files, browser_verify: Callable[..., Report]) -> None:
    report = browser_verify(zip_bytes(ceremony_files))
    assert "NOT pinned" in report["steps"][0]["line"]
    verdict = report["verdict"]["en"]
    assert "operator key was not pinned" in verdict and "witness key(s) not pinned" in verdict


TAMPERED = {**MUTATIONS, **MALFORMED}


@pytest.mark.parametrize("pinned", [False, True], ids=["shipped-keys", "pinned-key"])
@pytest.mark.parametrize("case", sorted(TAMPERED))
def test_every_tampered_bundle_fails_at_the_same_step(case: str, pinned: bool, ceremony_files: Files,
                                                      browser_verify: Callable[..., Report]) -> None:
    want, mutate = TAMPERED[case]
    files = mutate(ceremony_files)
    _, python_step = python_verify(files, [OPERATOR.verifier] if pinned else None)
    assert python_step is not None
    if not pinned:
        assert python_step == want
    report = browser_verify(zip_bytes(files), [OPERATOR.verifier.vkey] if pinned else [])
    assert page_failed_step(report) == python_step, report["verdict"]["en"]
    assert not report["ok"]


@pytest.mark.parametrize("case", sorted(RESIGNED))
def test_every_resigned_log_fails_at_the_same_step(case: str, ceremony_files: Files,
                                                   browser_verify: Callable[..., Report]) -> None:
    step, item, edit = RESIGNED[case]
    files = resigned(ceremony_files, OPERATOR, edit)
    assert python_verify(files, [OPERATOR.verifier])[1] == step
    report = browser_verify(zip_bytes(files), [OPERATOR.verifier.vkey])
    assert page_failed_step(report) == step and report["failed"]["item"] == item, report["verdict"]["en"]


@pytest.mark.parametrize("kind", ["cheat", "short", "latin1"])
def test_engines_that_publish_wrong_rows_fail_at_lottery_numbers_in_both(
        kind: str, audit_helpers: ModuleType, tmp_path: Path, browser_verify: Callable[..., Report]) -> None:
    run = audit_helpers.make_fake_run(kind=kind)
    audit_helpers.drive_ceremony(tmp_path / "run", OPERATOR, run, out=tmp_path / "out")
    files = load_bundle_files(tmp_path / "out")
    assert python_verify(files)[1] == "lottery-numbers"
    report = browser_verify((tmp_path / "out" / "bundle.zip").read_bytes())
    assert page_failed_step(report) == "lottery-numbers"
    assert report["failed"]["n"] == 8


def first_row_set(data: bytes, column: int, value: bytes, instead: bytes) -> bytes:
    """A result CSV with cell ``column`` of its first data row made ``value`` (``instead`` when it is ``value``
    already), every other byte as it was (the cells before ``column`` hold no comma)."""
    lines = data.split(b"\n")
    row = lines[1].split(b",")
    row[column] = value if row[column] != value else instead
    lines[1] = b",".join(row)
    return b"\n".join(lines)


def _move_first_applicant(data: bytes) -> bytes:
    return first_row_set(data, 3, b"S0001", b"S0002")


def _swap_two_head_teachers(data: bytes) -> bytes:
    lines = data.decode().split("\n")
    rows = [line.split(",") for line in lines[1:3]]
    rows[0][-2], rows[1][-2] = rows[1][-2], rows[0][-2]
    return "\n".join([lines[0], *(",".join(r) for r in rows), *lines[3:]]).encode()


FORGED = {  # a dishonest operator edits one published file and re-signs everything (its hash and the result
    # rows tree too): only a replay can tell
    "lottery-applicant-moved": ("lottery-boston", "results.csv", _move_first_applicant, "results.csv line 2"),
    "classes-head-teachers-swapped": ("classes", "classes.csv", _swap_two_head_teachers, "head-teacher draw"),
}


def resigned_practice(files: Files, edit: Callable[[str, Any], Any]) -> Files:
    """A practice bundle with its log payloads edited, re-signed with the practice key and re-manifested (what
    anyone can forge: a practice run's key is public)."""
    import json

    practice = Signer("sunshine-practice", bytes(32))
    forged = resigned(files, practice, edit)
    forged["keys.json"] = (json.dumps({"log_keys": [practice.verifier.vkey], "practice": True},
                                      ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode()
    return _remanifest(forged)


def forged_result(files: Files, name: str, data: bytes) -> Files:
    """The practice bundle with result file ``name`` replaced by ``data``, its hash, the run's results hash and the
    result rows tree signed again: every step before the replay holds."""
    from audit.canonical import record_hash, sha256_hex
    from audit.result_rows import rows_commitment

    files = {**files, f"results/{name}": data}
    execute = next(p for a, p in zip(*_entries(files), strict=True) if a == "run.execute")
    new_results = {**execute["results"], name: sha256_hex(data)}

    def edit(action: str, payload: Any) -> Any:
        if action == "run.execute":
            return {**payload, "results": new_results, "rows": rows_commitment(Bundle.from_files(files).results)}
        return {"results_hash": record_hash(new_results)} if action == "run.publish" else payload

    return resigned_practice(files, edit)


@pytest.mark.parametrize("case", sorted(FORGED))
def test_a_result_edited_and_resigned_fails_replay_in_both(case: str, cli_bundles: Mapping[str, Path],
                                                           browser_verify: Callable[..., Report]) -> None:
    run, name, edit_file, says = FORGED[case]
    files = load_bundle_files(cli_bundles[run])
    forged = forged_result(files, name, edit_file(files[f"results/{name}"]))
    assert python_verify(forged)[1] == "replay"
    report = browser_verify(zip_bytes(forged))
    assert page_failed_step(report) == "replay" and report["failed"]["item"] == name
    assert says in report["failed"]["en"]


def test_the_page_permutes_as_the_randomness_spec_says(verifier_page: Any) -> None:
    """docs/randomness.md §7: the permutation of 1…10, kind classes, purpose class-labels, label "", seed 00…1f."""
    got = verifier_page.evaluate("permute(fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'),"
                                 "'classes', 'class-labels', '', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])")
    assert got == [4, 3, 10, 5, 7, 1, 9, 8, 2, 6]


def _entries(files: Files) -> tuple[list[str], list[Any]]:
    import json

    rows = [json.loads(line) for line in files["log.jsonl"].splitlines()]
    return [r["entry"]["action"] for r in rows], [r["payload"] for r in rows]


def _remanifest(files: Files) -> Files:
    import json

    from audit.canonical import sha256_hex

    manifest = json.loads(files["manifest.json"])
    manifest["files"] = {n: sha256_hex(d) for n, d in sorted(files.items()) if n != "manifest.json"}
    text = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    return {**files, "manifest.json": text.encode()}


def _zip_with(files: Files, extra: tuple[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(files.items()):
            zf.writestr(name, data)
        zf.writestr(*extra)
    return buf.getvalue()


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize("extra", [("results/results.csv", b"applicant_id\nforged\n"), ("extra.txt", b"unsigned")],
                         ids=["two-members-of-one-name", "unknown-file"])
def test_zips_that_are_not_bundles_are_refused_by_both(extra: tuple[str, bytes], ceremony_files: Files,
                                                       browser_verify: Callable[..., Report]) -> None:
    from audit.bundle import read_zip

    data = _zip_with(ceremony_files, extra)
    with pytest.raises(BundleError, match="two members|not part of a bundle"):
        Bundle.from_files(read_zip(data))
    report = browser_verify(data)
    assert not report["bundle"] and not report["ok"]
    assert "two members" in report["verdict"]["en"] or "not part of a bundle" in report["verdict"]["en"]


def test_not_a_zip_is_refused(browser_verify: Callable[..., Report]) -> None:
    report = browser_verify(b"this is not a zip")
    assert not report["bundle"] and "不是可读取的数据包" in report["verdict"]["zh"]


def test_page_works_under_its_own_csp_and_looks_right(browser: Any, verifier_file: Path, ceremony_files: Files,
                                                      cli_bundles: Mapping[str, Path],
                                                      save_screenshot: Callable[[Any, str], Path]) -> None:
    """Loaded with its Content-Security-Policy in force (no network, inline code only), in both languages and at
    phone width; screenshots of a clean and a failing bundle are kept in test-artifacts/browser/."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(verifier_file.as_uri())
    page.wait_for_selector("body[data-state=ready]")
    page.set_input_files("#file", str(cli_bundles["lottery-da-round2"] / "bundle.zip"))
    page.wait_for_selector("body[data-state=done]", timeout=60_000)
    assert page.locator("#steps li").count() == 11
    assert "已验证" in page.inner_text("#verdict")  # the xlsx list too: xlsx.js and pako under the CSP
    save_screenshot(page, "verifier-clean-zh")
    page.click("#lang")
    assert "VERIFIED: every step holds" in page.inner_text("#verdict")
    assert "NOT VERIFIED" not in page.inner_text("#verdict")
    save_screenshot(page, "verifier-clean-en")
    page.click("#lang")
    bad = MUTATIONS["roster-record-changed"][1](ceremony_files)
    page.set_input_files("#file", files=[{"name": "bundle.zip", "mimeType": "application/zip",
                                          "buffer": zip_bytes(bad)}])
    page.wait_for_selector("#steps li.fail", timeout=60_000)
    assert "第 5 步「roster」失败" in page.inner_text("#verdict")
    save_screenshot(page, "verifier-failing-zh")
    page.set_viewport_size({"width": 390, "height": 844})
    save_screenshot(page, "verifier-failing-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    assert all(u.startswith(("file:", "data:", "blob:")) for u in requests), requests
    context.close()
def test_the_page_reproduces_every_lottery_number_vector(verifier_page: Any) -> None:
    """tests/vectors/randomness/lottery_numbers.json (docs/randomness.md §3.2), recomputed by the page's own HMAC."""
    import json

    cases = json.loads((AUDIT_TESTS.parent / "vectors" / "randomness" / "lottery_numbers.json").read_text())["cases"]
    got = verifier_page.evaluate("cases => cases.map(c => lotteryNumbers(fromHex(c.seed), c.kind, [c.key])[0])", cases)
    assert got == [c["lottery_number"] for c in cases]


@st.composite
def lottery_instances(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]], bytes]:
    """Small zones with tight seats, twins and triplets, sibling overrides and round-2 lists (docs/lottery.md)."""
    schools = [f"S{i}" for i in range(draw(st.integers(1, 4)))]
    config = {"mechanism": draw(st.sampled_from(["da", "boston", "serial"])), "round2": draw(st.booleans()),
              "schools": [{"id": s, "name": f"学校{s}", "capacity": draw(st.integers(0, 4))} for s in schools]}
    roster: list[dict[str, Any]] = []
    n_units = draw(st.integers(1, 9))
    for u in range(n_units):
        size = draw(st.sampled_from([1, 1, 1, 2, 3]))
        prefs = draw(st.permutations(schools).flatmap(lambda p: st.integers(1, len(p)).map(lambda k: p[:k])))
        round2 = draw(st.permutations(schools).flatmap(lambda p: st.integers(0, len(p)).map(lambda k: p[:k])))
        for m in range(size):
            over = draw(st.dictionaries(st.sampled_from(prefs), st.integers(0, 3), max_size=2))
            roster.append({"id": f"A{u:02d}{m}", "preferences": list(prefs), "tier": draw(st.integers(0, 3)),
                           "priority": dict(sorted(over.items())), "group": f"G{u}" if size > 1 else "",
                           "round2": list(round2)})
    return config, roster, bytes(draw(st.binary(min_size=32, max_size=32)))


def page_replay(page: Any, config: dict[str, Any], roster: list[dict[str, Any]], seed: bytes) -> dict[str, str | None]:
    """The page's lottery replay (REPLAYERS.lottery, as step 9 calls it) of these inputs: file name → text (hex for an
    .xlsx file), or None for a file the page does not rebuild; raises playwright's Error when the replay throws."""
    return page.evaluate(  # type: ignore[no-any-return]
        "([config, roster, seed]) => { const out = REPLAYERS.lottery(config, roster, fromHex(seed), {}, {}).files;"
        " const text = {};"
        " for (const [k, v] of Object.entries(out))"
        "   text[k] = v === null ? null : k.endsWith('.xlsx') ? toHex(v) : UTF8_LOOSE.decode(v);"
        " return text; }", [config, roster, seed.hex()])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(instance=lottery_instances())
def test_the_page_replays_every_lottery_like_the_engine(instance: tuple[dict[str, Any], list[dict[str, Any]], bytes],
                                                        verifier_page: Any) -> None:
    """On every generated zone the page's replay gives the engine's bytes: results.csv, schools.csv, summary.json
    and results_by_school.xlsx (xlsx.js)."""
    from api.runs.lottery import execute

    config, roster, seed = instance
    want = execute(config, roster, seed)
    got = page_replay(verifier_page, config, roster, seed)
    assert sorted(got) == sorted(want)
    for name, data in want.items():
        assert got[name] == (data.hex() if name.endswith(".xlsx") else data.decode()), name
