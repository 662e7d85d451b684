"""Issue 13: each lever a corrupt operator (or outsider) had is refused at the step that should refuse it.

Each test performs the attack through the service (what the CLI and the HTTP layer call) and asserts the
refusal names the reason, with nothing appended to the log.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from api.service import ceremony as service
from audit.beacon import QUICKNET
from audit.ceremony import parse_time
from audit.errors import BundleError, CeremonyError
from audit.signing import Signer
from audit.witness import cosign, sign_statement

MALLORY = Signer("mallory", bytes([9]) * 32)


def log_bytes(d: Any) -> bytes:
    return (d.path / "log.jsonl").read_bytes()


def refused(d: Any, match: str, fn: object) -> None:
    before = log_bytes(d)
    with pytest.raises(CeremonyError, match=match):
        fn()  # type: ignore[operator]
    assert log_bytes(d) == before


def test_operator_cannot_sign_a_commit_for_a_witness(
    tmp_path: Path, operator: Signer, kit: Any, fake_run: Any, run_ceremony: Any
) -> None:
    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="declare")
    cp = service.witness_checkpoint(d.store, "commit")
    service.cosign(
        d.store,
        service.Step(operator, "alice", kit.T0),
        "alice",
        cp.size,
        cosign(kit.WITNESSES["alice"], cp, parse_time(kit.T0)),
    )
    forged = sign_statement(
        Signer(kit.WITNESSES["alice"].name, bytes([7]) * 32),
        cp.origin,
        "commit",
        "alice",
        cp,
        {"commitment": "ab" * 32},
    )
    refused(
        d,
        "statement of alice",
        lambda: service.commit(d.store, service.Step(operator, "alice", kit.T0), "alice", forged),
    )


def test_operator_cannot_cosign_for_a_witness(
    tmp_path: Path, operator: Signer, kit: Any, fake_run: Any, run_ceremony: Any
) -> None:
    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="declare")
    cp = service.witness_checkpoint(d.store, "commit")
    refused(
        d,
        "cosignature of alice",
        lambda: service.cosign(
            d.store, service.Step(operator, "alice", kit.T0), "alice", cp.size, cosign(MALLORY, cp, parse_time(kit.T0))
        ),
    )


def test_commit_before_cosigning_the_declaration_is_refused(
    tmp_path: Path, operator: Signer, kit: Any, fake_run: Any, run_ceremony: Any
) -> None:
    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="declare")
    cp = service.witness_checkpoint(d.store, "commit")
    statement = sign_statement(kit.WITNESSES["alice"], cp.origin, "commit", "alice", cp, {"commitment": "ab" * 32})
    refused(
        d,
        "has not cosigned the declaration",
        lambda: service.commit(d.store, service.Step(operator, "alice", kit.T0), "alice", statement),
    )


def test_no_reveal_before_every_witness_cosigned_the_committed_checkpoint(
    tmp_path: Path, operator: Signer, kit: Any, fake_run: Any, run_ceremony: Any
) -> None:
    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="commit")
    d.cosign_committed(operator, "alice")
    refused(
        d,
        "every witness must cosign the COMMITTED checkpoint",
        lambda: d.act(operator, "alice", "reveal", {"value": "alice-value", "salt": "alice-salt"}),
    )


def test_a_forfeited_witness_never_reveals_and_counts_once(
    tmp_path: Path, operator: Signer, kit: Any, fake_run: Any, run_ceremony: Any
) -> None:
    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="cosign")
    d.act(operator, "alice", "forfeit", {})
    refused(
        d,
        "already revealed or forfeited",
        lambda: d.act(operator, "alice", "reveal", {"value": "alice-value", "salt": "alice-salt"}),
    )
    assert d.state().state.value == "COMMITTED"  # bob has not acted: not REVEALED


def test_statement_of_another_run_is_refused(
    tmp_path: Path, operator: Signer, kit: Any, fake_run: Any, run_ceremony: Any
) -> None:
    other = run_ceremony(tmp_path / "other", operator, fake_run(), until="declare")
    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="declare")
    cp_other = service.witness_checkpoint(other.store, "commit")
    cp = service.witness_checkpoint(d.store, "commit")
    service.cosign(
        d.store,
        service.Step(operator, "alice", kit.T0),
        "alice",
        cp.size,
        cosign(kit.WITNESSES["alice"], cp, parse_time(kit.T0)),
    )
    replayed = sign_statement(
        kit.WITNESSES["alice"], cp_other.origin, "commit", "alice", cp_other, {"commitment": "ab" * 32}
    )
    refused(
        d,
        "another run|names checkpoint",
        lambda: service.commit(d.store, service.Step(operator, "alice", kit.T0), "alice", replayed),
    )


def test_declared_witnesses_must_be_distinct(
    tmp_path: Path, operator: Signer, kit: Any, fake_run: Any, run_ceremony: Any
) -> None:
    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="freeze")
    same_key = [("alice", kit.WITNESSES["alice"].verifier), ("alice2", kit.WITNESSES["alice"].verifier)]
    refused(
        d,
        "distinct",
        lambda: service.declare(
            d.store,
            service.Step(operator, "operator", kit.T_DECLARE),
            same_key,
            reveal_deadline=kit.DEADLINE,
            chain=QUICKNET,
            beacon_round=kit.BEACON["round"],
        ),
    )


@pytest.mark.parametrize(
    ("round_delta", "deadline", "match"),
    [
        (-1201, "2023-09-15T10:00:00Z", "after"),  # due exactly at the deadline (10:00:00): not strictly after
        (0, "2023-09-15T11:30:00Z", "after"),  # the deadline is after the round
    ],
)
def test_round_must_be_due_after_declaration_and_deadline(
    tmp_path: Path,
    operator: Signer,
    round_delta: int,
    deadline: str,
    match: str,
    kit: Any,
    fake_run: Any,
    run_ceremony: Any,
) -> None:
    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="freeze")
    refused(
        d,
        match,
        lambda: service.declare(
            d.store,
            service.Step(operator, "operator", kit.T_DECLARE),
            [("alice", kit.WITNESSES["alice"].verifier)],
            reveal_deadline=deadline,
            chain=QUICKNET,
            beacon_round=kit.BEACON["round"] + round_delta,
        ),
    )


def test_a_round_already_published_at_declaration_is_refused(
    tmp_path: Path, operator: Signer, kit: Any, fake_run: Any, run_ceremony: Any
) -> None:
    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="freeze")
    refused(
        d,
        "after",
        lambda: service.declare(
            d.store,
            service.Step(operator, "operator", "2023-09-15T11:00:04Z"),
            [("alice", kit.WITNESSES["alice"].verifier)],
            reveal_deadline="2023-09-15T11:00:04Z",
            chain=QUICKNET,
            beacon_round=kit.BEACON["round"],
        ),
    )


@pytest.mark.parametrize("mutation", ["bit-flipped", "uppercase", "other-round"])
def test_the_public_value_must_be_the_declared_beacon(
    tmp_path: Path, operator: Signer, mutation: str, kit: Any, fake_run: Any, run_ceremony: Any
) -> None:
    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="reveal")
    sig = kit.BEACON["signature"]
    beacon = {"round": kit.BEACON["round"], "signature": sig}
    if mutation == "bit-flipped":
        beacon["signature"] = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    elif mutation == "uppercase":
        beacon["signature"] = sig.upper()
    else:
        beacon["round"] = kit.BEACON["round"] + 1
    before = log_bytes(d)
    with pytest.raises(Exception, match=r"signature|spelling|round|lowercase|hex|BLS"):
        service.seed(d.store, service.Step(operator, "operator", kit.T0), beacon)
    assert log_bytes(d) == before


def test_fallback_only_when_declared(
    tmp_path: Path, operator: Signer, kit: Any, fake_run: Any, run_ceremony: Any
) -> None:
    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="reveal")
    refused(
        d, "no fallback", lambda: service.seed_fallback(d.store, service.Step(operator, "operator", kit.T0), "3 8 1")
    )


def test_withdrawal_after_declare_is_refused(
    tmp_path: Path, operator: Signer, kit: Any, fake_run: Any, run_ceremony: Any
) -> None:
    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="declare")
    refused(d, "needs state ROSTER_FROZEN", lambda: d.withdraw(operator, "operator", kit.T0, "A0001"))


def test_seed_does_not_depend_on_the_roster_secret(
    tmp_path: Path, operator: Signer, kit: Any, fake_run: Any, run_ceremony: Any
) -> None:
    """Two inits of the same roster draw different secrets, yet freeze to the same public root (one seed)."""
    a = run_ceremony(tmp_path / "a", operator, fake_run(), until="seed")
    b = run_ceremony(tmp_path / "b", operator, fake_run(), until="seed")
    sa, sb = a.state(), b.state()
    assert sa.roster_root != sb.roster_root and sa.public_root == sb.public_root
    assert sa.seed_record is not None and sb.seed_record is not None
    assert sa.seed_record["seed"] == sb.seed_record["seed"]


def test_time_never_goes_backwards_and_is_well_formed(
    tmp_path: Path, operator: Signer, kit: Any, fake_run: Any, run_ceremony: Any
) -> None:
    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="init")
    refused(d, "before the previous entry", lambda: d.freeze(operator, "operator", "2023-09-14T00:00:00Z"))
    refused(d, "UTC time", lambda: d.freeze(operator, "operator", "2023-09-15 08:00"))


def test_rotation_of_another_run_is_refused(
    tmp_path: Path, operator: Signer, kit: Any, fake_run: Any, run_ceremony: Any
) -> None:
    from audit.signing import sign_rotation

    other = run_ceremony(tmp_path / "other", operator, fake_run(), until="freeze")
    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="freeze")
    new = Signer("test-operator", bytes([7]) * 32)
    origin = other.store.info().origin
    note = sign_rotation(origin, operator, new, other.store.log().checkpoint(origin))
    refused(
        d,
        "key rotation must name this run",
        lambda: d.append(new, "operator", kit.T_INIT, "key.rotate", {"note": note}),
    )


def test_stored_inputs_edited_after_freeze_are_refused(
    tmp_path: Path, operator: Signer, kit: Any, fake_run: Any, run_ceremony: Any
) -> None:
    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="seed")
    roster = json.loads((d.path / "prepared" / "roster.json").read_text())
    roster[0]["zone"] = "Z9"  # an operator edits the stored roster after the seed is known
    (d.path / "prepared" / "roster.json").write_text(json.dumps(roster))
    refused(d, "stored inputs differ from the frozen ones", lambda: d.execute(operator, "operator", kit.T0))


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_zip_with_two_members_of_one_name_is_refused(
    ceremony_out: Path, kit: Any, fake_run: Any, run_ceremony: Any
) -> None:
    import io
    import zipfile

    from audit.bundle import read_zip

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in read_zip((ceremony_out / "bundle.zip").read_bytes()).items():
            zf.writestr(name, data)
        zf.writestr("results/results.csv", b"applicant_id\nforged\n")
    with pytest.raises(BundleError, match="two members"):
        read_zip(buf.getvalue())


def test_unknown_file_in_a_bundle_is_refused(ceremony_out: Path, kit: Any, fake_run: Any, run_ceremony: Any) -> None:
    from api.audit_runs import load_bundle_files
    from audit.bundle import Bundle

    files = load_bundle_files(ceremony_out / "bundle")
    files["extra.txt"] = b"unsigned"
    with pytest.raises(BundleError, match="not part of a bundle"):
        Bundle.from_files(files)
