"""Receipts: a good one verifies; every forged part (proof, index, root, row, file) fails at its step."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from api.audit_runs import load_bundle_files
from audit.bundle import Bundle
from audit.errors import NotInRun, VerificationError
from audit.log import AuditLog
from audit.receipt import RECEIPT_STEPS, make_receipt, verify_receipt
from audit.results import rows_of

Receipt = dict[str, Any]


def _receipt(out: Path, applicant_id: str) -> Receipt:
    files = load_bundle_files(out)
    b = Bundle.from_files(files)
    private = json.loads((out / "audit-private" / "roster_private.json").read_text(encoding="utf-8"))
    return make_receipt(
        applicant_id=applicant_id,
        manifest=b.manifest,
        checkpoint=files["checkpoint"].decode(),
        log_keys=list(b.keys["log_keys"]),
        log=AuditLog.from_bytes(files["log.jsonl"]),
        roster_jsonl=files["roster.jsonl"],
        results=b.results,
        result_rows=rows_of(b.results, applicant_id),
        private=private.get(applicant_id),
    )


@pytest.fixture
def receipt(ceremony_out: Path) -> Receipt:
    return _receipt(ceremony_out, "A0005")


def _failure(receipt: Receipt) -> VerificationError:
    with pytest.raises(VerificationError, match="Verification step") as exc:
        list(verify_receipt(receipt, None))
    return exc.value


def test_good_receipt_verifies(receipt: Receipt, operator: Any) -> None:
    lines = list(verify_receipt(receipt, [operator.verifier]))
    assert [line.split(":")[0] for line in lines] == list(RECEIPT_STEPS)
    assert lines[-1].startswith("results: 1 row(s) of A0005 proven in the signed result rows tree")
    assert receipt["format"] == "sunshine-receipt/v2"
    assert receipt["results"][0]["row"][0] == "A0005"
    rows = receipt["execute"]["payload"]["rows"]
    assert receipt["results"][0]["index"] == receipt["results"][0]["line"] - 2  # results.csv is the first CSV
    assert rows["files"]["results.csv"] == 11 and rows["size"] == 11  # 12 applicants, A0003 withdrew


def _other_root(note: str) -> str:
    lines = note.split("\n")
    lines[2] = base64.b64encode(bytes(32)).decode()  # origin, size, root, …
    return "\n".join(lines)


def _flip_hex(h: str) -> str:
    return ("1" if h[0] == "0" else "0") + h[1:]


FORGERIES: dict[str, tuple[str, str, Callable[[Receipt], None]]] = {
    # name: (step, item, forgery)
    "roster-proof-hash-changed": ("roster", "leaf 5", lambda r: r["roster"]["proof"].__setitem__(
        0, _flip_hex(r["roster"]["proof"][0]))),
    "roster-proof-shortened": ("roster", "leaf 5", lambda r: r["roster"]["proof"].pop()),
    "roster-index-changed": ("roster", "leaf 6", lambda r: r["roster"].update(index=6)),
    "roster-index-past-the-end": ("roster", "leaf 12", lambda r: r["roster"].update(index=12)),
    "roster-root-changed": ("log", "roster_freeze", lambda r: r["roster_freeze"]["payload"].update(
        roster_root=_flip_hex(r["roster_freeze"]["payload"]["roster_root"]))),
    "log-proof-changed": ("log", "execute", lambda r: r["execute"]["proof"].__setitem__(
        0, _flip_hex(r["execute"]["proof"][0]))),
    "log-index-changed": ("log", "execute", lambda r: r["execute"].update(index=r["execute"]["index"] - 1)),
    "checkpoint-root-changed": ("signatures", "test-operator", lambda r: r.update(
        checkpoint=_other_root(r["checkpoint"]))),
    "leaf-of-another-applicant": ("roster", "leaf", lambda r: r["roster"]["leaf"]["record"].update(id="A0006")),
    "salt-changed": ("private", "salt", lambda r: r.update(salt=_flip_hex(r["salt"]))),
    "row-names-another-applicant": ("results", "results.csv line {line}", lambda r: r["results"][0]["row"].__setitem__(
        0, "A0006")),
    "row-from-unsigned-file": ("results", "forged.csv line {line}", lambda r: r["results"][0].update(
        file="forged.csv")),
    "row-without-id-column": ("results", "results.csv line {line}", lambda r: r["results"][0].update(
        header=["x", *r["results"][0]["header"][1:]])),
    "row-short": ("results", "results.csv line {line}", lambda r: r["results"][0]["row"].pop()),
    "execute-entry-swapped-for-freeze": ("log", "execute", lambda r: r.update(execute=r["roster_freeze"])),
    "field-missing": ("roster", "receipt", lambda r: r["roster"].pop("proof")),
    "proof-not-hex": ("log", "receipt", lambda r: r["execute"]["proof"].__setitem__(0, "zz")),
    # issue 13: a row is proven in the signed rows tree, not only named by its id column
    "row-of-another-school": ("results", "results.csv line {line}", lambda r: r["results"][0]["row"].__setitem__(
        -1, "forged")),
    "row-line-moved": ("results", "results.csv line 3", lambda r: r["results"][0].update(line=3)),
    "row-index-changed": ("results", "results.csv line {line}", lambda r: r["results"][0].update(
        index=r["results"][0]["index"] + 1)),
    "row-proof-changed": ("results", "results.csv line {line}", lambda r: r["results"][0]["proof"].__setitem__(
        0, _flip_hex(r["results"][0]["proof"][0]))),
    "rows-root-changed": ("log", "execute", lambda r: r["execute"]["payload"]["rows"].update(
        root=_flip_hex(r["execute"]["payload"]["rows"]["root"]))),
    "rows-removed": ("results", "results", lambda r: r.update(results=[])),
    "run-id-changed": ("signatures", "checkpoint", lambda r: r.update(run_id="run-other")),
    "practice-flag-changed": ("signatures", "checkpoint", lambda r: r.update(practice=True)),
    "v1-receipt": ("results", "receipt", lambda r: r.update(format="sunshine-receipt/v1")),
}


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_forged_receipt_fails_at_its_step(forgery: str, receipt: Receipt) -> None:
    step, item, forge = FORGERIES[forgery]
    forged = copy.deepcopy(receipt)
    forge(forged)
    err = _failure(forged)
    assert (err.step, err.item) == (step, item.format(line=receipt["results"][0]["line"])), err.message_en


def test_a_row_of_another_applicant_moved_into_the_receipt_fails(ceremony_out: Path, receipt: Receipt) -> None:
    other = _receipt(ceremony_out, "A0006")
    forged = copy.deepcopy(receipt)
    forged["results"] = other["results"]  # a genuine, signed row — of someone else
    err = _failure(forged)
    assert (err.step, err.item) == ("results", f"results.csv line {other['results'][0]['line']}")
    assert "names 'A0006' in applicant_id, not 'A0005'" in err.message_en


def test_a_v1_receipt_cannot_prove_its_rows(receipt: Receipt) -> None:
    old = copy.deepcopy(receipt)
    old["format"] = "sunshine-receipt/v1"
    with pytest.raises(VerificationError, match="no inclusion proofs of its result rows") as exc:
        list(verify_receipt(old, None))
    assert exc.value.step == "results" and "没有结果行的包含证明" in exc.value.message_zh


def test_a_withdrawn_applicants_receipt_says_withdrawn(ceremony_out: Path, operator: Any) -> None:
    withdrawn = _receipt(ceremony_out, "A0003")
    assert withdrawn["results"] == [] and withdrawn["withdrawn"]["payload"] == {"id": "A0003"}
    lines = list(verify_receipt(withdrawn, [operator.verifier]))
    assert lines[-1].startswith("results: withdrawn — A0003 withdrew before the draw (roster.withdraw")
    assert "已退出" in lines[-1].zh
    forged = copy.deepcopy(_receipt(ceremony_out, "A0005"))  # someone else's withdrawal cannot make A0005 withdrawn
    forged["withdrawn"], forged["results"] = withdrawn["withdrawn"], []
    with pytest.raises(VerificationError, match="the withdrawal is not this applicant's") as exc:
        list(verify_receipt(forged, [operator.verifier]))
    assert exc.value.step == "results"


def test_not_a_receipt() -> None:
    with pytest.raises(VerificationError, match="not a Sunshine receipt"):
        list(verify_receipt({"format": "other"}, None))


def test_receipt_for_an_applicant_not_in_the_run(ceremony_out: Path) -> None:
    with pytest.raises(NotInRun, match="applicant B9999 is not in this run") as exc:
        _receipt(ceremony_out, "B9999")
    assert "不在本次运行中" in exc.value.message_zh


def test_rows_of_finds_the_id_column_wherever_it_is() -> None:
    results = {
        "ranking.csv": b"scope,rank,applicant_id,total\nT1,1,A2,90\nT1,2,A1,80\n",
        "results.csv": b"applicant_id,school_id\nA1,S1\nA2,S2\n",
        "chart.png": b"\x89PNG",
        "notes.csv": b"no,name,column\nA1,x,y\n",
    }
    assert rows_of(results, "A1") == [
        {"file": "ranking.csv", "line": 3, "header": ["scope", "rank", "applicant_id", "total"],
         "row": ["T1", "2", "A1", "80"]},
        {"file": "results.csv", "line": 2, "header": ["applicant_id", "school_id"], "row": ["A1", "S1"]},
    ]


def test_the_lookup_answers_v2_receipts_from_memory(ceremony_out: Path, operator: Any) -> None:
    """The HTTP lookup's index builds the rows tree once; each answer's receipt proves its rows."""
    from api.service.lookup import PublishedIndex

    index = PublishedIndex(load_bundle_files(ceremony_out), [operator.verifier])
    for applicant, last in (("A0005", "results: 1 row(s) of A0005 proven"), ("A0003", "results: withdrawn — A0003")):
        answer = index.lookup(applicant)
        assert answer["receipt"]["format"] == "sunshine-receipt/v2"
        assert list(verify_receipt(answer["receipt"], [operator.verifier]))[-1].startswith(last)
    assert index.lookup("A0003")["withdrawn"] is True
