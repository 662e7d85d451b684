"""The ceremony refuses out-of-order steps; withdrawals are recorded, not edited in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from audit_fixtures import T0, fake_run, run_ceremony

from api.service import ceremony as service
from audit.ceremony import State, derive_seed, witness_commitment
from audit.errors import CeremonyError
from audit.signing import Signer


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
def test_out_of_order_is_refused(tmp_path: Path, operator: Signer, until: str, action: str, payload: dict) -> None:  # type: ignore[type-arg]
    d = run_ceremony(tmp_path / "run", operator, fake_run(), until=until)
    before = (tmp_path / "run" / "log.jsonl").read_bytes()
    with pytest.raises(CeremonyError):
        d.append(operator, "operator", T0, action, payload)
    assert (tmp_path / "run" / "log.jsonl").read_bytes() == before


def test_engine_refuses_to_execute_before_seeded(tmp_path: Path, operator: Signer) -> None:
    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="reveal")
    with pytest.raises(CeremonyError, match="SEEDED"):
        d.execute(operator, "operator", T0)
    assert d.state().state is State.REVEALED
    with pytest.raises(CeremonyError, match="EXECUTED"):
        d.publish(operator, "operator", T0, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_reinit_only_in_draft(tmp_path: Path, operator: Signer) -> None:
    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="init")
    service.update_inputs(d.store, fake_run(5), service.Step(operator, "operator", T0))
    assert d.state().state is State.DRAFT and len(d.prepared().roster) == 5
    d.freeze(operator, "operator", T0)
    with pytest.raises(CeremonyError, match="DRAFT"):
        service.update_inputs(d.store, fake_run(), service.Step(operator, "operator", T0))
    assert len(d.prepared().roster) == 5


def test_withdrawal_keeps_commitment_and_skips_applicant(tmp_path: Path, operator: Signer) -> None:
    out = tmp_path / "out"
    run_ceremony(tmp_path / "run", operator, fake_run(), withdraw="A0003", out=out)
    roster = (out / "bundle" / "roster.jsonl").read_text().splitlines()
    assert any('"id":"A0003"' in line for line in roster)
    results = (out / "results.csv").read_text()
    assert "A0003" not in results and results.count("\n") == 12  # header + 11


def test_withdraw_unknown_applicant(tmp_path: Path, operator: Signer) -> None:
    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="freeze")
    with pytest.raises(CeremonyError):
        d.withdraw(operator, "operator", T0, "NOPE")


def test_seed_derivation_known_answer() -> None:
    inputs, seed = derive_seed("11" * 32, "22" * 32, {"b": "2", "a": "1"}, {"source": "drand", "value": "ff"})
    assert [c["witness"] for c in inputs["contributions"]] == ["a", "b"]
    assert seed.hex() == "db64f18d35d92ddf3d01f3f8df3234fb521cd5ccc9c61e6b57d4b5ff6eaa69af"
    assert witness_commitment("v", "s") != witness_commitment("vs", "")


def test_checkpoint_per_step_and_private_secret(tmp_path: Path, operator: Signer) -> None:
    run_ceremony(tmp_path / "run", operator, fake_run(), out=tmp_path / "out")
    notes = sorted((tmp_path / "run" / "checkpoints").glob("*.note"))
    assert len(notes) == 10  # init … execute, publish (no withdrawal here)
    secret = tmp_path / "run" / "private" / "roster_secret"
    assert secret.stat().st_mode & 0o777 == 0o600
    bundle_text = b"".join(p.read_bytes() for p in (tmp_path / "out" / "bundle").rglob("*") if p.is_file())
    assert secret.read_text().strip().encode() not in bundle_text
    assert "学生".encode() not in bundle_text  # names never reach the public bundle
    assert json.loads((tmp_path / "out" / "bundle" / "manifest.json").read_text())["practice"] is False


def test_key_rotation_mid_ceremony_verifies_with_old_pinned_key(tmp_path: Path, operator: Signer) -> None:
    from api.audit_runs import load_bundle_files
    from api.runs import get_kind
    from audit.bundle import Bundle
    from audit.signing import sign_rotation
    from audit.verify import verify_bundle

    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="freeze")
    new = Signer("test-operator", bytes([7]) * 32)
    d.append(new, "operator", T0, "key.rotate", {"note": sign_rotation(d.store.info().origin, operator, new)})
    d.append(new, "operator", T0, "sources.declare",
             {"witnesses": ["w"], "public_source": "drand", "fallback": "lotto"})
    d.append(new, "w", T0, "witness.commit", {"witness": "w", "commitment": witness_commitment("v", "s")})
    d.append(new, "w", T0, "witness.reveal", {"witness": "w", "value": "v", "salt": "s"})
    d.seed(new, "operator", T0, "ff", fallback=True)
    d.execute(new, "operator", T0)
    d.publish(new, "operator", T0, tmp_path / "out")
    b = Bundle.from_files(load_bundle_files(tmp_path / "out"))
    lines = list(verify_bundle(b, trusted_keys=[operator.verifier], execute=get_kind("fake").execute))
    assert lines[-1].startswith("manifest")
    with pytest.raises(Exception, match="no trusted key"):
        list(verify_bundle(b, trusted_keys=[Signer("x", bytes(32)).verifier], execute=None))


def test_forfeited_witness_is_left_out_and_recorded(tmp_path: Path, operator: Signer) -> None:
    from api.audit_runs import load_bundle_files
    from api.runs import get_kind
    from audit.bundle import Bundle
    from audit.verify import verify_bundle

    d = run_ceremony(tmp_path / "run", operator, fake_run(), until="commit")
    d.append(operator, "alice", T0, "witness.reveal",
             {"witness": "alice", "value": "alice-value", "salt": "alice-salt"})
    with pytest.raises(CeremonyError):
        d.append(operator, "operator", T0, "witness.forfeit", {"witness": "alice"})  # already revealed
    d.append(operator, "operator", T0, "witness.forfeit", {"witness": "bob"})
    assert d.state().state is State.REVEALED
    d.seed(operator, "operator", T0, "a1", fallback=False)
    d.execute(operator, "operator", T0)
    st = d.state()
    assert st.seed_record is not None
    assert [c["witness"] for c in st.seed_record["inputs"]["contributions"]] == ["alice"]
    d.publish(operator, "operator", T0, tmp_path / "out")
    b = Bundle.from_files(load_bundle_files(tmp_path / "out"))
    assert list(verify_bundle(b, trusted_keys=[operator.verifier], execute=get_kind("fake").execute))
