"""Official runs in the page: a witnessed, drand-seeded lottery is VERIFIED with every key pinned (the beacon's
BLS signature proven in the page), its 复核 run's ``seed.inherit`` is proven as ``sunshine verify`` proves it, and
every tampered bundle fails at the same step in both (docs/verifier.md, docs/ceremony.md § 复核).

The lottery here is small, so the engine writes ``results_by_school.xlsx``; the fixtures lower the xlsx threshold
(to 0) for the build, for Python's replay and for the page's replay alike, so that these tests are about the
ceremony alone. ``test_browser_xlsx.py`` verifies an official lottery with its list rebuilt in the page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from tamper_cases import INHERITED, relogged, resigned
from xlsx_threshold import no_xlsx

from api.audit_runs import load_bundle_files
from api.inputs import InputFile
from api.runs.lottery import prepare_lottery
from api.service import ceremony as service
from audit.bundle import zip_bytes
from audit.signing import Signer
from audit.verify import STEPS

Report = dict[str, Any]
Files = dict[str, bytes]
OPERATOR = Signer("test-operator", bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
SCHOOLS = InputFile("schools.csv", "学校代码,招生计划\nS1,1\nS2,2\n".encode())
APPLICANTS = InputFile("applicants.csv", "报名号,志愿\nA1,S1;S2\nA2,S1;S2\nA3,S1;S2\nA4,S1\n".encode())
CORRECTIONS = InputFile("corrections.csv", "报名号,更正项目,原值,新值,理由\nA2,退出,,退出,家长放弃学位\n".encode())


def python_verify(files: Files, keys: list[str]) -> tuple[list[str], str | None]:
    from test_browser_verifier import python_verify as verify

    from audit.signing import Verifier

    with no_xlsx():
        return verify(files, [Verifier.from_vkey(k) for k in keys])


def official_review(audit_helpers: ModuleType, base: Path, schools: InputFile, applicants: InputFile,
                    corrections: InputFile) -> tuple[Files, Files]:
    """A lottery through the audit tests' two-witness quicknet ceremony, and its 复核 run with ``corrections``
    (``seed.inherit``), both published without the xlsx list: (parent bundle files, review bundle files)."""
    with no_xlsx():
        parent = audit_helpers.drive_ceremony(base / "parent", OPERATOR, prepare_lottery(schools, applicants),
                                              out=base / "parent-out")
        review = audit_helpers.Ceremony(base / "review")
        review.init(prepare_lottery(schools, applicants, corrections=corrections), OPERATOR, actor="operator",
                    time=audit_helpers.T_INIT)
        step = service.Step(OPERATOR, "operator", audit_helpers.T_INIT)
        service.mark_review(review.store, step, parent.store.info().run_id, "家长申请复核")
        review.freeze(OPERATOR, "operator", audit_helpers.T_INIT)
        service.inherit_seed(review.store, step, parent.store)
        review.execute(OPERATOR, "operator", audit_helpers.T0)
        review.publish(OPERATOR, "operator", audit_helpers.T0, base / "review-out")
    return load_bundle_files(base / "parent-out"), load_bundle_files(base / "review-out")


@pytest.fixture(scope="module")
def official(audit_helpers: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> tuple[Files, Files]:
    """A small lottery's official run and its 复核 run (A2 withdraws by a correction)."""
    return official_review(audit_helpers, tmp_path_factory.mktemp("official"), SCHOOLS, APPLICANTS, CORRECTIONS)


@pytest.fixture(scope="module")
def browser_verify(no_xlsx_verify: Callable[..., Report]) -> Callable[..., Report]:
    """``browser_verify`` of conftest, on the page with the same lowered xlsx threshold as the engine here."""
    return no_xlsx_verify


@pytest.fixture(scope="module")
def all_keys(audit_helpers: ModuleType) -> list[str]:
    return [OPERATOR.verifier.vkey, *(s.verifier.vkey for s in audit_helpers.WITNESSES.values())]


def test_an_official_lottery_is_verified_in_the_page_with_every_key_pinned(
        official: tuple[Files, Files], all_keys: list[str], browser_verify: Callable[..., Report]) -> None:
    files, _ = official
    lines, failed = python_verify(files, all_keys)
    assert failed is None
    report = browser_verify(zip_bytes(files), all_keys)
    assert report["failed"] is None, report["verdict"]
    assert [s["step"] for s in report["steps"]] == list(STEPS)
    assert [s["line"] for s in report["steps"][:8]] == lines[:8]
    assert report["steps"][2]["status"] == "ok" and not report["steps"][2]["notes"]  # the beacon is proven
    assert report["ok"] and report["verdict"]["en"].startswith("VERIFIED"), report["verdict"]


def _beacon_edit(fn: Callable[[dict[str, Any]], None]) -> Callable[[str, Any], Any]:
    """A re-signed log whose seed.derive beacon is edited by ``fn`` (the seed made to recompute from it)."""
    from audit.ceremony import derive_seed

    def edit(action: str, p: Any) -> Any:
        if action != "seed.derive":
            return p
        p = json.loads(json.dumps(p))
        fn(p["inputs"]["public_value"])
        p["seed"] = derive_seed(p["inputs"]["public_roster_root"], p["inputs"]["config_hash"],
                                {c["witness"]: c["value"] for c in p["inputs"]["contributions"]},
                                p["inputs"]["public_value"])[1].hex()
        return p

    return edit


def _flip_bit(hex_text: str, bit: int) -> str:
    data = bytearray(bytes.fromhex(hex_text))
    data[bit // 8] ^= 1 << (bit % 8)
    return bytes(data).hex()


def _signature_of_round_123(pv: dict[str, Any]) -> None:
    """A real quicknet signature, of another round: a valid point that does not verify for the declared round."""
    known = json.loads((Path(__file__).resolve().parents[1] / "vectors" / "beacon" / "known_answers.json").read_text())
    pv["signature"] = next(p["signature"] for p in known["positives"] if p["desc"] == "quicknet-round-123")


BEACON_TAMPERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "signature-bit-flipped": lambda pv: pv.update(signature=_flip_bit(pv["signature"], 300)),
    "signature-of-another-round": _signature_of_round_123,
    "signature-uppercase": lambda pv: pv.update(signature=pv["signature"].upper()),
    "previous-signature-added": lambda pv: pv.update(previous_signature="00" * 96),
}


@pytest.mark.parametrize("case", sorted(BEACON_TAMPERS))
def test_a_beacon_that_does_not_verify_fails_the_ceremony_step_in_both(
        case: str, official: tuple[Files, Files], all_keys: list[str], browser_verify: Callable[..., Report]) -> None:
    """A dishonest operator (who holds the key) re-signs the log around a beacon of their own choosing."""
    files = resigned(official[0], OPERATOR, _beacon_edit(BEACON_TAMPERS[case]))
    _, python_step = python_verify(files, all_keys)
    assert python_step == "ceremony"
    report = browser_verify(zip_bytes(files), all_keys)
    assert report["failed"]["step"] == "ceremony", report["verdict"]["en"]
    assert "drand beacon" in report["verdict"]["en"]


def test_a_review_run_is_verified_in_the_page_as_in_python(
        official: tuple[Files, Files], browser_verify: Callable[..., Report]) -> None:
    """Steps 3 and 6 prove the inheritance with the command's own lines, and step 9 replays the corrected lottery
    (and the uncorrected one for review_diff.csv) byte for byte: VERIFIED, as sunshine verify says."""
    _, files = official
    lines, failed = python_verify(files, [OPERATOR.verifier.vkey])
    assert failed is None
    report = browser_verify(zip_bytes(files), [OPERATOR.verifier.vkey])
    assert report["failed"] is None, report["verdict"]
    assert [s["line"] for s in report["steps"][:8]] == lines[:8]
    assert "复核 of run" in report["steps"][2]["line"] and "inherited from run" in report["steps"][5]["line"]
    assert report["steps"][8]["line"].startswith(lines[8]) and "review_diff.csv" in report["steps"][8]["line"]
    assert report["ok"] and report["verdict"]["en"].startswith("VERIFIED"), report["verdict"]


@pytest.mark.parametrize("case", sorted(INHERITED))
def test_every_tampered_inheritance_fails_at_the_same_step_in_both(
        case: str, official: tuple[Files, Files], browser_verify: Callable[..., Report]) -> None:
    step, edit = INHERITED[case]
    files = edit(official[1], OPERATOR)
    assert python_verify(files, [OPERATOR.verifier.vkey])[1] == step
    report = browser_verify(zip_bytes(files), [OPERATOR.verifier.vkey])
    assert report["failed"]["step"] == step, report["verdict"]["en"]


def _with_entry(files: Files, after: str, action: str, payload: Any) -> Files:
    """The review's log with one more entry (``action``) right after the ``after`` entry, re-chained, re-signed."""
    from audit.log import AuditLog

    old = AuditLog.from_bytes(files["log.jsonl"])
    entries = []
    for e, p in zip(old.entries, old.payloads, strict=True):
        entries.append((e.actor, e.action, e.time, p))
        if e.action == after:
            entries.append((e.actor, action, e.time, payload))
    return relogged(files, OPERATOR, entries)


@pytest.mark.parametrize(("action", "payload", "why"), [
    ("roster.withdraw", {"id": "A3"}, "withdraws through its corrections"),
    ("sources.declare", {"witnesses": [], "public_source": {}}, "inherits the seed of run"),
], ids=["withdraw", "declare"])
def test_a_review_runs_own_withdrawal_or_declaration_is_refused_in_both(
        action: str, payload: Any, why: str, official: tuple[Files, Files],
        browser_verify: Callable[..., Report]) -> None:
    files = _with_entry(official[1], "roster.freeze", action, payload)
    assert python_verify(files, [OPERATOR.verifier.vkey])[1] == "ceremony"
    report = browser_verify(zip_bytes(files), [OPERATOR.verifier.vkey])
    assert report["failed"]["step"] == "ceremony" and why in report["verdict"]["en"], report["verdict"]["en"]
