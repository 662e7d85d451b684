"""Shared fixtures and helpers of the audit tests.

A tiny fake run kind behind the RunKind seam (and variants that publish something wrong), practice and
ceremony bundles built with it, and helpers handed to tests as fixtures (``fake_run``, ``run_ceremony``,
``verify_files``, ``verify_failure``, ``sunshine``), so no test imports another test module."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fake_kind import BEACON, DEADLINE, T0, T_DECLARE, T_INIT, WITNESSES, FakeKind, make_fake_run

from api.runs import PreparedRun, get_kind
from api.runs.publish import publish_run
from api.service import ceremony as service
from api.store.directory import DirectoryRunStore
from api.store.result_folder import write_result_folder
from audit.beacon import QUICKNET
from audit.bundle import Bundle
from audit.ceremony import CeremonyState, parse_time, replay_log, witness_commitment
from audit.errors import VerificationError
from audit.signing import Signer, Verifier
from audit.verify import verify_bundle
from audit.witness import cosign

SEED = bytes(range(32))


@pytest.fixture
def practice_out(tmp_path: Path) -> Path:
    out = tmp_path / "practice-out"
    publish_run(make_fake_run(), SEED, out)
    return out


@pytest.fixture
def operator() -> Signer:
    return Signer("test-operator", bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))


class Ceremony:
    """A ceremony run directory driven through the service, as the CLI does (test convenience)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.store = DirectoryRunStore(path)

    def init(self, run: PreparedRun, signer: Signer, *, actor: str, time: str | None) -> str:
        service.init_run(lambda new: DirectoryRunStore.create(self.path, new), run, service.Step(signer, actor, time))
        return self.store.info().run_id

    def append(self, signer: Signer, actor: str, time: str | None, action: str, payload: Any) -> None:
        service.append_step(self.store, service.Step(signer, actor, time), action, payload)

    def freeze(self, signer: Signer, actor: str, time: str | None) -> str:
        return service.freeze(self.store, service.Step(signer, actor, time))

    def withdraw(self, signer: Signer, actor: str, time: str | None, applicant_id: str) -> None:
        service.withdraw(self.store, service.Step(signer, actor, time), applicant_id)

    def declare(self, signer: Signer, names: tuple[str, ...] = ("alice", "bob"), *,
                fallback: dict[str, str] | None = None) -> None:
        service.declare(self.store, service.Step(signer, "operator", T_DECLARE),
                        [(n, WITNESSES[n].verifier) for n in names], reveal_deadline=DEADLINE, chain=QUICKNET,
                        beacon_round=BEACON["round"], fallback=fallback)

    def act(self, signer: Signer, witness: str, action: str, fields: dict[str, str], time: str = T0) -> None:
        service.witness_act(self.store, service.Step(signer, "operator", time),
                            service.WitnessKey(witness, WITNESSES[witness]), action, fields, parse_time(time))

    def cosign_committed(self, signer: Signer, witness: str, time: str = T0) -> None:
        """The witness cosigns the COMMITTED checkpoint (every witness must, before any reveal)."""
        cp = service.witness_checkpoint(self.store, "reveal")
        service.cosign(self.store, service.Step(signer, witness, time), witness, cp.size,
                       cosign(WITNESSES[witness], cp, parse_time(time)))

    def seed(self, signer: Signer, actor: str, time: str | None) -> bytes:
        return service.seed(self.store, service.Step(signer, actor, time),
                            {"round": BEACON["round"], "signature": BEACON["signature"]})

    def execute(self, signer: Signer, actor: str, time: str | None) -> dict[str, str]:
        return service.execute(self.store, service.Step(signer, actor, time))

    def publish(self, signer: Signer, actor: str, time: str | None, out: Path) -> Path:
        pub = service.publish(self.store, service.Step(signer, actor, time))
        return write_result_folder(out, pub.files(), run_id=pub.run_id, kind=pub.kind)

    def state(self) -> CeremonyState:
        return replay_log(self.store.log())

    def prepared(self) -> PreparedRun:
        return self.store.prepared()


def drive_ceremony(path: Path, signer: Signer, run: PreparedRun, *, withdraw: str | None = None,
                   until: str = "published", out: Path | None = None) -> Ceremony:
    """Drive a ceremony with two witnesses (their own keys) and a real drand beacon; stop after ``until``."""
    d = Ceremony(path)
    steps = [
        ("init", lambda: d.init(run, signer, actor="operator", time=T_INIT)),
        ("freeze", lambda: d.freeze(signer, "operator", T_INIT)),
        ("withdraw", lambda: d.withdraw(signer, "operator", T_INIT, withdraw) if withdraw else None),
        ("declare", lambda: d.declare(signer)),
        ("commit", lambda: [d.act(signer, w, "commit", {"commitment": _commit(w)}) for w in ("alice", "bob")]),
        ("cosign", lambda: [d.cosign_committed(signer, w) for w in ("alice", "bob")]),
        ("reveal", lambda: [d.act(signer, w, "reveal", {"value": f"{w}-value", "salt": f"{w}-salt"})
                            for w in ("alice", "bob")]),
        ("seed", lambda: d.seed(signer, "operator", T0)),
        ("execute", lambda: d.execute(signer, "operator", T0)),
    ]
    for name, fn in steps:
        fn()
        if name == until:
            return d
    d.publish(signer, "operator", T0, out or path.parent / "out")
    return d


def _commit(w: str) -> str:
    return witness_commitment(f"{w}-value", f"{w}-salt")


@pytest.fixture
def ceremony_out(tmp_path: Path, operator: Signer) -> Path:
    out = tmp_path / "ceremony-out"
    drive_ceremony(tmp_path / "run", operator, make_fake_run(), withdraw="A0003", out=out)
    return out


@pytest.fixture
def fake_run() -> Callable[..., PreparedRun]:
    """``fake_run(n=12, kind="fake")``: a prepared run of ``n`` applicants A0000… for a fake kind."""
    return make_fake_run


@pytest.fixture
def run_ceremony() -> Callable[..., Ceremony]:
    """``run_ceremony(path, signer, run, withdraw=, until=, out=)``: drive a two-witness ceremony."""
    return drive_ceremony


@pytest.fixture
def fake_kind() -> type[FakeKind]:
    """The fake run kind's class, to subclass into an engine that behaves differently."""
    return FakeKind


@pytest.fixture
def ceremony_time() -> str:
    return T0


@pytest.fixture
def practice_seed() -> bytes:
    return SEED


def verify(files: Mapping[str, bytes], keys: list[Verifier] | None = None, kind: str | None = None,
           second_core: bool | None = None) -> list[str]:
    b = Bundle.from_files(files)
    return list(verify_bundle(b, trusted_keys=keys, execute=get_kind(kind or b.kind).execute,
                              second_core=second_core))


@pytest.fixture
def verify_files() -> Callable[..., list[str]]:
    """``verify_files(files, keys=None, kind=None, second_core=None)``: every step's line (raises on failure)."""
    return verify


@pytest.fixture
def verify_failure() -> Callable[..., VerificationError]:
    """``verify_failure(files, keys=None, kind=None, second_core=None)``: the VerificationError verify raises."""

    def failure(files: Mapping[str, bytes], keys: list[Verifier] | None = None, kind: str | None = None,
                second_core: bool | None = None) -> VerificationError:
        with pytest.raises(VerificationError, match="Verification step") as exc:
            verify(files, keys, kind, second_core)
        return exc.value

    return failure


@pytest.fixture(scope="session")
def sunshine() -> Callable[..., subprocess.CompletedProcess[str]]:
    """``sunshine(*args, cwd=None)``: the real command line in a child process."""

    def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", "from api.cli import main; main()", *map(str, args)],
            capture_output=True, text=True, cwd=cwd, timeout=300,
        )

    return run


@dataclass(frozen=True)
class CeremonyKit:
    """What ceremony tests share: the times used, the real beacon, the witnesses' keys, the driver class."""

    T_INIT: str = T_INIT
    T_DECLARE: str = T_DECLARE
    T0: str = T0
    DEADLINE: str = DEADLINE
    BEACON: Mapping[str, Any] = field(default_factory=lambda: BEACON)
    WITNESSES: Mapping[str, Signer] = field(default_factory=lambda: WITNESSES)
    Ceremony: type[Ceremony] = Ceremony


@pytest.fixture
def kit() -> CeremonyKit:
    return CeremonyKit()
