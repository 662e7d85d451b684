"""Fixtures: a tiny fake run kind behind the RunKind seam, and practice / ceremony bundles built with it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from api.outputs import csv_bytes
from api.runs import RUN_KINDS, PreparedRun, RunSummary, register
from api.runs.kind import InputSpec, OptionSpec
from api.runs.publish import publish_run
from api.service import ceremony as service
from api.store.directory import DirectoryRunStore
from api.store.result_folder import write_result_folder
from audit.beacon import QUICKNET
from audit.ceremony import CeremonyState, parse_time, replay_log
from audit.signing import Signer
from audit.witness import cosign
from engine.randomness import format_lottery_number, lottery_numbers

SEED = bytes(range(32))
T_INIT = "2023-09-15T08:00:00Z"
T0 = "2023-09-15T09:30:00Z"


class FakeKind:
    """Rank applicants by lottery number; the first ``seats`` get a seat."""

    name = "fake"
    inputs: tuple[InputSpec, ...] = ()
    options: tuple[OptionSpec, ...] = ()

    def prepare(self, inputs: Mapping[str, Any], options: Mapping[str, Any]) -> PreparedRun:
        return fake_run(kind=self.name)

    def execute(self, config: Mapping[str, Any], roster: list[dict[str, Any]], seed: bytes) -> dict[str, bytes]:
        nums = lottery_numbers(seed, self.name, [[r["id"]] for r in roster])
        order = sorted(zip(nums, [r["id"] for r in roster], strict=True))
        rows = [(aid, format_lottery_number(n), i + 1, "yes" if i < config["seats"] else "no")
                for i, (n, aid) in enumerate(order)]
        return {
            "results.csv": csv_bytes(("applicant_id", "lottery_number", "rank", "seat"), rows),
            "summary.json": json.dumps({"placed": min(config["seats"], len(rows))}).encode(),
        }

    def render_private(self, run: PreparedRun, public_files: Mapping[str, bytes], seed: bytes) -> dict[str, bytes]:
        names = [(r["id"], run.private.get(r["id"], {}).get("name", "")) for r in run.roster]
        return {"private/names.csv": csv_bytes(("applicant_id", "name"), names)}

    def summarize(self, public_files: Mapping[str, bytes]) -> RunSummary:
        return RunSummary(self.name, "测试", "fake run", ())


class CheatKind(FakeKind):
    """Publishes a wrong lottery number for the first row (to exercise the lottery-numbers step)."""

    name = "cheat"

    def execute(self, config: Mapping[str, Any], roster: list[dict[str, Any]], seed: bytes) -> dict[str, bytes]:
        files = super().execute(config, roster, seed)
        lines = files["results.csv"].split(b"\n")
        cells = lines[1].split(b",")
        cells[1] = b"0000000000000000"
        lines[1] = b",".join(cells)
        files["results.csv"] = b"\n".join(lines)
        return files


class ShortRowKind(FakeKind):
    """Publishes a results row cut short after the applicant id (step 8 must name it, not crash)."""

    name = "short"

    def execute(self, config: Mapping[str, Any], roster: list[dict[str, Any]], seed: bytes) -> dict[str, bytes]:
        files = super().execute(config, roster, seed)
        lines = files["results.csv"].split(b"\n")
        lines[3] = lines[3].split(b",")[0]
        files["results.csv"] = b"\n".join(lines)
        return files


if "fake" not in RUN_KINDS:
    register(FakeKind())
    register(CheatKind())
    register(ShortRowKind())


def fake_run(n: int = 12, kind: str = "fake") -> PreparedRun:
    roster: list[dict[str, Any]] = [{"id": f"A{i:04d}", "zone": f"Z{i % 3}"} for i in range(n)]
    private = {r["id"]: {"name": f"学生{i}", "id_number": f"11010120200101{i:04d}"} for i, r in enumerate(roster)}
    return PreparedRun(kind=kind, config={"seats": 5, "rules": "fake-v1"}, roster=roster, private=private)


@pytest.fixture
def practice_out(tmp_path: Path) -> Path:
    out = tmp_path / "practice-out"
    publish_run(fake_run(), SEED, out)
    return out


@pytest.fixture
def operator() -> Signer:
    return Signer("test-operator", bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))


# A real, published quicknet beacon (tests/vectors/beacon), so the ceremony runs offline;
# the run's times are before that round was due (2023-09-15T11:00:03Z).
BEACON = next(p for p in json.loads((Path(__file__).parents[1] / "vectors" / "beacon" / "known_answers.json")
                                    .read_text())["positives"] if p["desc"] == "quicknet-round-657413")
T_DECLARE = "2023-09-15T09:00:00Z"
DEADLINE = "2023-09-15T10:00:00Z"
WITNESSES = {"alice": Signer("alice-notary", bytes([1]) * 32), "bob": Signer("bob-parent", bytes([2]) * 32)}


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


def run_ceremony(path: Path, signer: Signer, run: PreparedRun, *, withdraw: str | None = None,
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
    from audit.ceremony import witness_commitment

    return witness_commitment(f"{w}-value", f"{w}-salt")


@pytest.fixture
def ceremony_out(tmp_path: Path, operator: Signer) -> Path:
    out = tmp_path / "ceremony-out"
    run_ceremony(tmp_path / "run", operator, fake_run(), withdraw="A0003", out=out)
    return out
