"""The ceremony refuses out-of-order steps; withdrawals are recorded, not edited in."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from api.service import ceremony as service
from audit.ceremony import State, derive_seed, witness_commitment
from audit.errors import CeremonyError, SignatureInvalid
from audit.signing import Signer

T0 = "2023-09-15T09:30:00Z"  # the ceremony_time fixture's value, used in every appended entry here


@pytest.mark.parametrize(
    ("until", "action", "payload"),
    [
        ("init", "sources.declare", {"witnesses": ["a"], "public_source": "x", "fallback": "y"}),
        ("init", "witness.commit", {"witness": "a", "commitment": "00"}),
        ("freeze", "roster.freeze", {"roster_root": "00", "roster_size": 1, "config_hash": "00"}),
        ("freeze", "witness.reveal", {"witness": "alice", "value": "v", "salt": "s"}),
        ("declare", "witness.commit", {"witness": "mallory", "commitment": "00"}),
        ("commit", "witness.commit", {"witness": "alice", "commitment": "00"}),
        ("commit", "witness.reveal", {"witness": "alice", "value": "wrong", "salt": "alice-salt"}),
        ("commit", "seed.derive", {}),
        ("reveal", "run.execute", {"results": {}, "engine": {}}),
        ("reveal", "seed.practice", {"mode": "practice", "seed": "00" * 32}),
        ("seed", "run.publish", {}),
        ("execute", "roster.withdraw", {"id": "A0001"}),
    ],
)
def test_out_of_order_is_refused(tmp_path: Path, operator: Signer, until: str, action: str, payload: dict,
                                 fake_run: Any, run_ceremony: Any) -> None:  # type: ignore[type-arg]
    d = run_ceremony(tmp_path / "run", operator, fake_run(), until=until)
    before = (tmp_path / "run" / "log.jsonl").read_bytes()
    with pytest.raises(CeremonyError, match=f"action '{action}' is not allowed in state"):
        d.append(operator, "operator", T0, action, payload)
    assert (tmp_path / "run" / "log.jsonl").read_bytes() == before


def test_engine_refuses_to_execute_before_seeded(tmp_path: Path, operator: Signer, fake_run: Any,
                                                 run_ceremony: Any) -> None:
    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="reveal")
    with pytest.raises(CeremonyError, match="SEEDED"):
        d.execute(operator, "operator", T0)
    assert d.state().state is State.REVEALED
    with pytest.raises(CeremonyError, match="cannot do 'run.publish' in state REVEALED"):
        d.publish(operator, "operator", T0, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_reinit_only_in_draft(tmp_path: Path, operator: Signer, fake_run: Any, run_ceremony: Any) -> None:
    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="init")
    service.update_inputs(d.store, fake_run(5), service.Step(operator, "operator", T0))
    assert d.state().state is State.DRAFT and len(d.prepared().roster) == 5
    d.freeze(operator, "operator", T0)
    with pytest.raises(CeremonyError, match="DRAFT"):
        service.update_inputs(d.store, fake_run(), service.Step(operator, "operator", T0))
    assert len(d.prepared().roster) == 5


def test_withdrawal_keeps_commitment_and_skips_applicant(tmp_path: Path, operator: Signer, fake_run: Any,
                                                         run_ceremony: Any) -> None:
    out = tmp_path / "out"
    run_ceremony(tmp_path / "run", operator, fake_run(), withdraw="A0003", out=out)
    roster = (out / "bundle" / "roster.jsonl").read_text().splitlines()
    assert any('"id":"A0003"' in line for line in roster)
    results = (out / "results.csv").read_text()
    assert "A0003" not in results and results.count("\n") == 12  # header + 11


def test_withdraw_unknown_applicant(tmp_path: Path, operator: Signer, fake_run: Any, run_ceremony: Any) -> None:
    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="freeze")
    with pytest.raises(CeremonyError, match="NOPE"):
        d.withdraw(operator, "operator", T0, "NOPE")


def test_seed_derivation_known_answer() -> None:
    inputs, seed = derive_seed("11" * 32, "22" * 32, {"b": "2", "a": "1"}, {"source": "drand", "value": "ff"})
    assert [c["witness"] for c in inputs["contributions"]] == ["a", "b"]
    # sunshine/v2/seed over the public roster root (docs/ceremony.md § Seed derivation): the JCS text below
    text = ('{"config_hash":"' + "22" * 32 + '","contributions":[{"value":"1","witness":"a"},{"value":"2",'
            '"witness":"b"}],"domain":"sunshine/v2/seed","public_roster_root":"' + "11" * 32 +
            '","public_value":{"source":"drand","value":"ff"}}')
    assert seed == hashlib.sha256(text.encode()).digest()
    assert seed.hex() == "a9f5b02c3cfca1e3b9f72905593ac614194178a5d7fdc8e588441d4fb0629320"
    assert witness_commitment("v", "s") != witness_commitment("vs", "")


def test_checkpoint_per_step_and_private_secret(tmp_path: Path, operator: Signer, fake_run: Any,
                                                run_ceremony: Any) -> None:
    run_ceremony(tmp_path / "run", operator, fake_run(), out=tmp_path / "out")
    notes = sorted((tmp_path / "run" / "checkpoints").glob("*.note"))
    assert len(notes) == 14  # init, freeze, declare, 2 cosign, 2 commit, 2 cosign, 2 reveal, seed, execute, publish
    secret = tmp_path / "run" / "private" / "roster_secret"
    assert secret.stat().st_mode & 0o777 == 0o600
    bundle_text = b"".join(p.read_bytes() for p in (tmp_path / "out" / "bundle").rglob("*") if p.is_file())
    assert secret.read_text().strip().encode() not in bundle_text
    assert "学生".encode() not in bundle_text  # names never reach the public bundle
    assert json.loads((tmp_path / "out" / "bundle" / "manifest.json").read_text())["practice"] is False


def test_key_rotation_mid_ceremony_verifies_with_old_pinned_key(tmp_path: Path, operator: Signer, fake_run: Any,
                                                                run_ceremony: Any, kit: Any) -> None:
    from api.audit_runs import load_bundle_files
    from api.runs import get_kind
    from audit.bundle import Bundle
    from audit.verify import verify_bundle

    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="freeze")
    new = Signer("test-operator", bytes([7]) * 32)
    service.rotate_key(d.store, operator, new, "operator", kit.T_INIT)
    d.declare(new)
    for w in ("alice", "bob"):
        d.act(new, w, "commit", {"commitment": witness_commitment(f"{w}-v", "s")})
    for w in ("alice", "bob"):
        d.cosign_committed(new, w)
    for w in ("alice", "bob"):
        d.act(new, w, "reveal", {"value": f"{w}-v", "salt": "s"})
    d.seed(new, "operator", kit.T0)
    d.execute(new, "operator", kit.T0)
    d.publish(new, "operator", kit.T0, tmp_path / "out")
    b = Bundle.from_files(load_bundle_files(tmp_path / "out"))
    lines = list(verify_bundle(b, trusted_keys=[operator.verifier], execute=get_kind("fake").execute))
    assert lines[-1].startswith("cosignatures")
    with pytest.raises(SignatureInvalid, match="no trusted key signed this note"):
        list(verify_bundle(b, trusted_keys=[Signer("x", bytes(32)).verifier], execute=None))


def test_forfeited_witness_is_left_out_and_recorded(tmp_path: Path, operator: Signer, fake_run: Any,
                                                    run_ceremony: Any, kit: Any) -> None:
    from api.audit_runs import load_bundle_files
    from api.runs import get_kind
    from audit.bundle import Bundle
    from audit.verify import verify_bundle

    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="cosign")
    d.act(operator, "alice", "reveal", {"value": "alice-value", "salt": "alice-salt"})
    with pytest.raises(CeremonyError, match="already revealed or forfeited"):
        d.act(operator, "alice", "forfeit", {})
    d.act(operator, "bob", "forfeit", {})
    assert d.state().state is State.REVEALED
    d.seed(operator, "operator", kit.T0)
    d.execute(operator, "operator", kit.T0)
    st = d.state()
    assert st.seed_record is not None
    assert [c["witness"] for c in st.seed_record["inputs"]["contributions"]] == ["alice"]
    d.publish(operator, "operator", kit.T0, tmp_path / "out")
    b = Bundle.from_files(load_bundle_files(tmp_path / "out"))
    assert list(verify_bundle(b, trusted_keys=[operator.verifier], execute=get_kind("fake").execute))
