"""Helpers of the store tests: open any store kind by (kind, location), and drive a whole ceremony.

Run ids and roster secrets are random by design (``init_run`` draws them from ``secrets``).
To compare whole bundles byte for byte across stores and across a crash, the tests inject
fixed values (:func:`fixed_secrets`): every other byte of a bundle (origin, log payloads,
checkpoints, salts) depends on those two values, so comparing "everything else" would mean
re-deriving most of the bundle by hand; with them fixed, equal bytes is the whole claim.
"""

from __future__ import annotations

import contextlib
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from fake_kind import BEACON, DEADLINE, T0, T_DECLARE, T_INIT, WITNESSES
from fake_kind import make_fake_run as fake_run

from api.runs.build import Publication
from api.service import ceremony as svc
from api.store.base import NewRun, RunStore
from api.store.database import Database, sqlite_url
from api.store.directory import DirectoryRunStore
from audit.beacon import QUICKNET
from audit.ceremony import parse_time, witness_commitment
from audit.signing import Signer
from audit.witness import cosign

__all__ = ["OPERATOR", "STEPS", "StoreFactory", "drive", "fixed_secrets", "step"]

OPERATOR = Signer("test-operator", bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
RUN_ID = "00112233445566ff"
ROSTER_SECRET = bytes(range(100, 132))

#: The steps of :func:`drive`, in order.
STEPS = ("init", "freeze", "withdraw", "declare", "commit", "cosign", "reveal", "seed", "execute", "publish")


def step(actor: str = "operator", time: str = T0) -> svc.Step:
    return svc.Step(OPERATOR, actor, time)


@contextlib.contextmanager
def fixed_secrets() -> Iterator[None]:
    """``init_run`` draws :data:`RUN_ID` and :data:`ROSTER_SECRET` instead of random values."""
    fake = types.SimpleNamespace(token_hex=lambda n: RUN_ID[: 2 * n], token_bytes=lambda n: ROSTER_SECRET[:n])
    real = svc.secrets
    svc.secrets = fake  # type: ignore[assignment]
    try:
        yield
    finally:
        svc.secrets = real


@dataclass
class StoreFactory:
    """Creates and re-opens runs in one store: ``directory`` (a folder), ``sqlite`` (a file) or ``postgresql`` (URL)."""

    kind: str
    location: str
    shared: Database | None = None  # use this open database instead of opening one per call
    _dbs: list[Database] = field(default_factory=list)

    @classmethod
    def on(cls, db: Database) -> StoreFactory:
        return cls(db.dialect, db.url, db)

    @property
    def url(self) -> str:
        return sqlite_url(self.location) if self.kind == "sqlite" else self.location

    def database(self) -> Database:
        if self.shared is not None:
            return self.shared
        db = Database(self.url)
        self._dbs.append(db)
        return db

    def create(self, new: NewRun) -> RunStore:
        if self.kind == "directory":
            return DirectoryRunStore.create(self.location, new)
        return self.database().create_run(new)

    def open(self, run_id: str) -> RunStore:
        if self.kind == "directory":
            return DirectoryRunStore(self.location)
        return self.database().open_run(run_id)

    def close(self) -> None:
        for db in self._dbs:
            db.close()


def drive(create: StoreFactory, until: str = "publish", store: RunStore | None = None,
          start: str = "init") -> tuple[RunStore, Publication | None]:
    """Run the ceremony steps ``start``…``until`` (two witnesses, one withdrawal) with fixed times and keys."""
    names = STEPS[STEPS.index(start): STEPS.index(until) + 1]
    publication = None
    for name in names:
        if name == "init":
            with fixed_secrets():
                store = svc.init_run(create.create, fake_run(), step(time=T_INIT), title="测试运行")
            continue
        assert store is not None
        if name == "freeze":
            svc.freeze(store, step(time=T_INIT))
        elif name == "withdraw":
            svc.withdraw(store, step(time=T_INIT), "A0003")
        elif name == "declare":
            svc.declare(store, step(time=T_DECLARE), [(w, WITNESSES[w].verifier) for w in ("alice", "bob")],
                        reveal_deadline=DEADLINE, chain=QUICKNET, beacon_round=BEACON["round"])
        elif name == "commit":
            for w in ("alice", "bob"):
                svc.witness_act(store, step(), svc.WitnessKey(w, WITNESSES[w]), "commit",
                                {"commitment": witness_commitment(f"{w}-value", f"{w}-salt")}, parse_time(T0))
        elif name == "cosign":
            cp = svc.witness_checkpoint(store, "reveal")
            for w in ("alice", "bob"):
                svc.cosign(store, step(w), w, cp.size, cosign(WITNESSES[w], cp, parse_time(T0)))
        elif name == "reveal":
            for w in ("alice", "bob"):
                svc.witness_act(store, step(), svc.WitnessKey(w, WITNESSES[w]), "reveal",
                                {"value": f"{w}-value", "salt": f"{w}-salt"}, parse_time(T0))
        elif name == "seed":
            svc.seed(store, step(), {"round": BEACON["round"], "signature": BEACON["signature"]})
        elif name == "execute":
            svc.execute(store, step())
        elif name == "publish":
            publication = svc.publish(store, step())
    assert store is not None
    return store, publication


def reference_bundle(tmp: Path) -> dict[str, bytes]:
    """Every publication file of an uninterrupted run on a fresh directory store."""
    _, pub = drive(StoreFactory("directory", str(tmp / "reference-run")))
    assert pub is not None
    return pub.files()
