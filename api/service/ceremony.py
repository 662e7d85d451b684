"""The ceremony as a service: one function per step, each over a :class:`~api.store.base.RunStore`.

The command line (``sunshine ceremony …``) and the HTTP service call exactly these functions.
Every step follows one pattern (:func:`append_step`): read the log, let the state machine
(:func:`audit.ceremony.replay`) accept the new action, sign the new checkpoint, and store
entry, checkpoint and any result files in one atomic append. Nothing about which action is
allowed when is decided here: that lives in :mod:`audit.ceremony` alone (:func:`check_next`
refuses ``execute``/``publish`` before the engine runs, from the same state table).

``publish`` commits ``run.publish`` first and then builds the bundle from the committed log,
so a crash after the commit is repaired by calling ``publish`` again: it rebuilds the same
bytes (deterministic build, deterministic Ed25519) instead of appending a second entry.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from api.audit_runs import engine_versions
from api.runs.build import Publication, ResultFiles, assemble_publication, execute_run, result_hashes
from api.runs.kind import PreparedRun
from api.store.base import NewRun, RunInfo, RunStore
from audit.canonical import record_hash
from audit.ceremony import CeremonyState, State, check_next, derive_seed, replay, replay_log
from audit.context import RunAudit
from audit.errors import CeremonyError
from audit.log import AuditLog
from audit.roster import commit_roster
from audit.signing import Signer, sign_rotation

__all__ = [
    "NEXT_STEP",
    "Step",
    "append_step",
    "commit",
    "declare",
    "execute",
    "forfeit",
    "freeze",
    "init_run",
    "publish",
    "reveal",
    "rotate_key",
    "seed",
    "status",
    "update_inputs",
    "withdraw",
]

#: What a person does next in each state (shown by ``ceremony status`` and the console).
NEXT_STEP = {
    State.DRAFT: "freeze",
    State.ROSTER_FROZEN: "declare (or withdraw)",
    State.SOURCES_DECLARED: "commit (one per witness)",
    State.COMMITTED: "reveal (one per witness; forfeit for a witness who does not)",
    State.REVEALED: "seed --public-value …",
    State.SEEDED: "execute",
    State.EXECUTED: "publish --out …",
    State.PUBLISHED: "(done)",
}


@dataclass(frozen=True)
class Step:
    """Who takes a step and when: the actor recorded in the log, the key that signs, the time claimed."""

    signer: Signer
    actor: str
    time: str | None


def append_step(store: RunStore, step: Step, action: str, payload: object, *,
            results: Mapping[str, bytes] | None = None, actor: str | None = None) -> CeremonyState:
    """The one way a step enters a run: state machine accepts it, checkpoint signed, stored atomically.

    Every named step below is this call with its own payload; it is public so that a caller
    with an unusual but legal action (``note``) needs no second path.
    """
    log = store.log()
    st = replay([*((e.action, p) for e, p in zip(log.entries, log.payloads, strict=True)), (action, payload)])
    entry = log.append(actor or step.actor, action, step.time, payload)
    note = log.signed_checkpoint(store.info().origin, [step.signer])
    store.append(entry, payload, note, results=results, key=step.signer.verifier.vkey)
    return st


def init_run(create: Callable[[NewRun], RunStore], run: PreparedRun, step: Step, *, title: str = "") -> RunStore:
    """Create a run in DRAFT from prepared inputs, with a fresh roster secret; returns its store."""
    run_id = secrets.token_hex(8)
    info = RunInfo(run_id=run_id, kind=run.kind, origin=f"sunshine/{run.kind}/{run_id}", title=title,
                   keys=(step.signer.verifier.vkey,))
    payload = {"kind": run.kind, "run_id": run_id, "config_hash": record_hash(run.config)}
    replay([("ceremony.init", payload)])
    log = AuditLog()
    entry = log.append(step.actor, "ceremony.init", step.time, payload)
    note = log.signed_checkpoint(info.origin, [step.signer])
    return create(NewRun(info, run, secrets.token_bytes(32), entry, payload, note))


def update_inputs(store: RunStore, run: PreparedRun, step: Step) -> CeremonyState:
    """Replace the inputs of a DRAFT run (logged as ``inputs.update`` with the new config hash)."""
    if run.kind != store.info().kind:
        kind = store.info().kind
        raise CeremonyError(f"运行类型不能改变（{kind}）", f"the run kind cannot change ({kind})")
    payload = {"config_hash": record_hash(run.config), "roster_size": len(run.roster)}
    log = store.log()
    replay([*((e.action, p) for e, p in zip(log.entries, log.payloads, strict=True)), ("inputs.update", payload)])
    store.replace_inputs(run)
    return append_step(store, step, "inputs.update", payload)


def freeze(store: RunStore, step: Step) -> str:
    """Commit to the roster (Merkle root) and the config hash: ROSTER_FROZEN. Returns the root (hex)."""
    run = store.prepared()
    root = commit_roster(run.roster, run.private, store.roster_secret()).root.hex()
    append_step(store, step, "roster.freeze",
            {"roster_root": root, "roster_size": len(run.roster), "config_hash": record_hash(run.config)})
    return root


def withdraw(store: RunStore, step: Step, applicant_id: str) -> CeremonyState:
    """Record a withdrawal after the freeze (the applicant stays committed, and is skipped)."""
    if applicant_id not in {str(r["id"]) for r in store.prepared().roster}:
        raise CeremonyError(f"名单中没有 {applicant_id}", f"{applicant_id} is not in the frozen roster")
    return append_step(store, step, "roster.withdraw", {"id": applicant_id})


def declare(store: RunStore, step: Step, witnesses: Sequence[str], public_source: str, fallback: str
            ) -> CeremonyState:
    """Declare the witnesses, the future public value and the fallback: SOURCES_DECLARED."""
    return append_step(store, step, "sources.declare",
                   {"witnesses": list(witnesses), "public_source": public_source, "fallback": fallback})


def commit(store: RunStore, step: Step, witness: str, commitment: str) -> CeremonyState:
    """Record one witness's commitment; after the last witness: COMMITTED."""
    return append_step(store, step, "witness.commit", {"witness": witness, "commitment": commitment}, actor=witness)


def reveal(store: RunStore, step: Step, witness: str, value: str, salt: str) -> CeremonyState:
    """Record one witness's reveal (must match the commitment); after the last: REVEALED."""
    return append_step(store, step, "witness.reveal", {"witness": witness, "value": value, "salt": salt}, actor=witness)


def forfeit(store: RunStore, step: Step, witness: str) -> CeremonyState:
    """Record that a committed witness did not reveal (left out of the seed, visibly)."""
    return append_step(store, step, "witness.forfeit", {"witness": witness})


def seed(store: RunStore, step: Step, public_value: str, *, fallback: bool = False) -> bytes:
    """Derive the seed from roster root, config hash, reveals and the public value: SEEDED."""
    st = replay_log(store.log())
    source = st.fallback if fallback else st.public_source
    inputs, derived = derive_seed(st.roster_root, st.config_hash, {w: r["value"] for w, r in st.reveals.items()},
                                  {"source": source, "value": public_value})
    append_step(store, step, "seed.derive", {"mode": "ceremony", "inputs": inputs, "seed": derived.hex()})
    return derived


def _seeded_results(store: RunStore, st: CeremonyState) -> ResultFiles:
    if st.seed_record is None:
        raise CeremonyError("日志中没有种子", "the log holds no seed")
    return execute_run(store.prepared(), bytes.fromhex(str(st.seed_record["seed"])), st.withdrawals)


def execute(store: RunStore, step: Step) -> dict[str, str]:
    """Run the engine on the committed roster (minus withdrawals) with the derived seed: EXECUTED."""
    st = replay_log(store.log())
    check_next(st, "run.execute")
    results = _seeded_results(store, st)
    hashes = result_hashes(results.public)
    append_step(store, step, "run.execute", {"results": hashes, "engine": engine_versions()}, results=results.public)
    return hashes


def audit_context(store: RunStore, step: Step) -> RunAudit:
    """The audit context of a stored run (its whole log; history = every checkpoint before the last)."""
    info = store.info()
    log = store.log()
    return RunAudit(run_id=info.run_id, origin=info.origin, practice=False, log=log, signer=step.signer,
                    roster_secret=store.roster_secret(), actor=step.actor, time=step.time,
                    history=store.checkpoints()[:-1], keys=list(info.keys))


def publish(store: RunStore, step: Step) -> Publication:
    """Commit ``run.publish``, then build and store the publication (re-running it after a crash rebuilds it).

    Requires EXECUTED (or PUBLISHED, to rebuild). The engine runs again and its results must
    equal the hashes logged by ``run.execute``; the bundle is then built from the stored log.
    """
    st = replay_log(store.log())
    if st.state is not State.PUBLISHED:
        check_next(st, "run.publish")
    results = _seeded_results(store, st)
    hashes = result_hashes(results.public)
    if hashes != st.results:
        raise CeremonyError("重新执行的结果与日志记录不符", "re-executed results differ from the logged run.execute")
    if st.state is State.EXECUTED:
        append_step(store, step, "run.publish", {"results_hash": record_hash(hashes)})
    publication = assemble_publication(store.prepared(), results, audit_context(store, step))
    store.save_publication(publication.files())
    return publication


def rotate_key(store: RunStore, old: Signer, new: Signer, actor: str, time: str | None) -> str:
    """Log a rotation statement signed by both keys; later checkpoints are signed by ``new``. Returns it."""
    note = sign_rotation(store.info().origin, old, new)
    append_step(store, Step(new, actor, time), "key.rotate", {"note": note})
    return note


@dataclass(frozen=True)
class Status:
    """What ``ceremony status`` shows: the state, the next step and the log."""

    info: RunInfo
    state: CeremonyState
    log: AuditLog

    @property
    def next_step(self) -> str:
        return NEXT_STEP[self.state.state]


def status(store: RunStore) -> Status:
    """The run's identity, state (replayed from its log) and log."""
    log = store.log()
    return Status(store.info(), replay_log(log), log)
