"""The ceremony as a service: one function per step, each over a :class:`~api.store.base.RunStore`.

The command line (``sunshine ceremony …``) and the HTTP service call exactly these functions.
Every step follows one pattern (:func:`append_step`): read the log, let the state machine
(:func:`audit.ceremony.replay`) accept the new action, sign the new checkpoint, and store
entry, checkpoint and any result files in one atomic append. Nothing about which action is
allowed when is decided here: that lives in :mod:`audit.ceremony` alone (:func:`check_next`
refuses ``execute``/``publish`` before the engine runs, from the same state table).

``publish`` builds the bundle from the log as it will be with ``run.publish`` and stores
entry and publication in one atomic append, so a crash (or a full disk) while publishing
leaves the run EXECUTED with nothing published; calling ``publish`` on a PUBLISHED run
rebuilds the same bytes (deterministic build, deterministic Ed25519) and appends nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from api.runs.build import (
    Publication,
    ResultFiles,
    assemble_publication,
    execute_payload,
    execute_run,
    publish_payload,
    result_hashes,
)
from api.runs.kind import PreparedRun
from api.store.base import NewRun, RunInfo, RunStore, StoreConflict
from audit.beacon import DrandChain, verify_beacon
from audit.canonical import record_hash, sha256_hex
from audit.ceremony import (
    CEREMONY_VERSION,
    CeremonyState,
    State,
    check_next,
    derive_seed,
    replay,
    replay_log,
    run_origin,
)
from audit.context import RunAudit
from audit.errors import CeremonyError, VerificationError
from audit.inherit import inherit_payload, matches_original_config
from audit.log import AuditLog, LogEntry
from audit.roster import commit_roster
from audit.run_facts import execute_time, facts_from_log
from audit.signing import Checkpoint, Signer, Verifier, open_note, sign_rotation
from audit.witness import cosign as make_cosignature
from audit.witness import sign_statement

__all__ = [
    "NEXT_STEP",
    "REBASE_ATTEMPTS",
    "Progress",
    "Step",
    "append_step",
    "commit",
    "cosign",
    "declare",
    "execute",
    "forfeit",
    "freeze",
    "frozen_inputs",
    "inherit_seed",
    "init_run",
    "mark_review",
    "not_before_last",
    "publish",
    "reveal",
    "rotate_key",
    "seed",
    "seed_fallback",
    "status",
    "update_inputs",
    "withdraw",
    "witness_act",
    "witness_checkpoint",
]

#: What a person does next in each state (shown by ``ceremony status`` and the console).
NEXT_STEP = {
    State.DRAFT: "freeze",
    State.ROSTER_FROZEN: "declare (or withdraw); a 复核 run: inherit the original's seed",
    State.SOURCES_DECLARED: "cosign + commit (each witness, with their own key)",
    State.COMMITTED: "cosign the COMMITTED checkpoint, then reveal (or forfeit) — each witness",
    State.REVEALED: "seed --beacon FILE (the declared drand round)",
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


#: How often a witness's step is re-based on a log another writer extended first (two witnesses at once).
REBASE_ATTEMPTS = 5


def not_before_last(log: AuditLog, time: str) -> str:
    """``time``, or the log's last entry's time if that is later (a clock stepping back must not refuse a step)."""
    last = log.entries[-1].time if log.entries else None
    return last if last is not None and last > time else time


def _next_entry(store: RunStore, step: Step, action: str, payload: object, actor: str | None,
                time: str | None) -> tuple[AuditLog, CeremonyState, LogEntry, str]:
    """The log as it will be with the new entry (accepted by the state machine), the entry and its checkpoint."""
    log = store.log()
    st = replay_log(log, [(action, payload, time)])
    entry = log.append(actor or step.actor, action, time, payload)
    note = log.signed_checkpoint(store.info().origin, [step.signer])
    return log, st, entry, note


def append_step(store: RunStore, step: Step, action: str, payload: object, *,
                results: Mapping[str, bytes] | None = None, actor: str | None = None,
                inputs: PreparedRun | None = None, rebase: bool = False) -> CeremonyState:
    """The one way a step enters a run: state machine accepts it, checkpoint signed, stored atomically.

    Every named step below is this call with its own payload; it is public so that a caller
    with an unusual but legal action (``note``) needs no second path.

    ``rebase``: when another writer appended first (:class:`StoreConflict`), build the entry
    again on the new log, up to :data:`REBASE_ATTEMPTS` times. Only for a witness's signed
    statement or cosignature, whose payload does not depend on the log's last entry: the state
    machine checks it again against the new log (two witnesses revealing at the same instant
    are both recorded). Every other step's payload was computed from what the caller read,
    so a racing loser is refused (409) instead.
    """
    time = step.time
    for attempt in range(REBASE_ATTEMPTS if rebase else 1):
        _log, st, entry, note = _next_entry(store, step, action, payload, actor, time)
        try:
            store.append(entry, payload, note, results=results, key=step.signer.verifier.vkey, inputs=inputs)
            return st
        except StoreConflict:
            if attempt + 1 >= (REBASE_ATTEMPTS if rebase else 1):
                raise
            time = None if step.time is None else not_before_last(store.log(), step.time)
    raise AssertionError("unreachable")  # pragma: no cover


def init_run(create: Callable[[NewRun], RunStore], run: PreparedRun, step: Step, *, title: str = "") -> RunStore:
    """Create a run in DRAFT from prepared inputs, with a fresh roster secret; returns its store."""
    run_id = secrets.token_hex(8)
    info = RunInfo(run_id=run_id, kind=run.kind, origin=run_origin(run.kind, run_id, False), title=title,
                   keys=(step.signer.verifier.vkey,))
    payload = {"kind": run.kind, "run_id": run_id, "origin": info.origin, "ceremony": CEREMONY_VERSION,
               "config_hash": record_hash(run.config)}
    replay([("ceremony.init", payload, step.time)])
    log = AuditLog()
    entry = log.append(step.actor, "ceremony.init", step.time, payload)
    note = log.signed_checkpoint(info.origin, [step.signer])
    return create(NewRun(info, run, secrets.token_bytes(32), entry, payload, note))


def mark_review(store: RunStore, step: Step, parent_run_id: str, reason: str) -> CeremonyState:
    """Make a just-created run a 复核 of ``parent_run_id``: the note right after ``ceremony.init``.

    Only that position counts (the state machine refuses ``review_of`` anywhere else), so a run is
    a review from its start or never; a review later inherits the parent's seed (:func:`inherit_seed`).
    """
    return append_step(store, step, "note", {"text": f"复核 review of run {parent_run_id}: {reason}",
                                             "review_of": parent_run_id, "reason": reason})


def update_inputs(store: RunStore, run: PreparedRun, step: Step) -> CeremonyState:
    """Replace the inputs of a DRAFT run, logged as ``inputs.update`` (new config hash, file hashes).

    Inputs and log entry are stored in one step (:meth:`RunStore.append` with ``inputs``).
    """
    if run.kind != store.info().kind:
        kind = store.info().kind
        raise CeremonyError(f"运行类型不能改变（{kind}）", f"the run kind cannot change ({kind})")
    payload = {"config_hash": record_hash(run.config), "roster_size": len(run.roster),
               "inputs": {name: sha256_hex(data) for name, data in sorted(run.source_files.items())}}
    return append_step(store, step, "inputs.update", payload, inputs=run)


def freeze(store: RunStore, step: Step) -> str:
    """Commit to the roster (salted and public Merkle roots), the config hash and the input files: ROSTER_FROZEN.

    Returns the public roster root (hex), the one people compare and the seed depends on.
    """
    run = store.prepared()
    committed = commit_roster(run.roster, run.private, store.roster_secret())
    append_step(store, step, "roster.freeze", {
        "roster_root": committed.root.hex(), "public_root": committed.public_root.hex(),
        "roster_size": len(run.roster), "config_hash": record_hash(run.config),
        "inputs": {name: sha256_hex(data) for name, data in sorted(store.source_files().items())},
    })
    return committed.public_root.hex()


def withdraw(store: RunStore, step: Step, applicant_id: str) -> CeremonyState:
    """Record a withdrawal after the freeze and before the sources are declared (no randomness named yet)."""
    if applicant_id not in {str(r["id"]) for r in store.prepared().roster}:
        raise CeremonyError(f"名单中没有 {applicant_id}", f"{applicant_id} is not in the frozen roster")
    return append_step(store, step, "roster.withdraw", {"id": applicant_id})


def declare(store: RunStore, step: Step, witnesses: Sequence[tuple[str, Verifier]], *, reveal_deadline: str,
            chain: DrandChain, beacon_round: int, fallback: Mapping[str, str] | None = None) -> CeremonyState:
    """Declare each witness with their key, the reveal deadline, the drand chain and round, and the fallback."""
    return append_step(store, step, "sources.declare", {
        "witnesses": [{"name": name, "key": key.vkey} for name, key in witnesses],
        "reveal_deadline": reveal_deadline,
        "public_source": {"type": "drand", "chain": chain.to_info(), "round": beacon_round},
        "fallback": dict(fallback) if fallback is not None else None,
    })


def witness_checkpoint(store: RunStore, action: str) -> Checkpoint:
    """The checkpoint a witness must cosign and name to take ``action`` (``commit``; ``reveal``/``forfeit``)."""
    log = store.log()
    st = replay_log(log)
    size = st.declared_size if action == "commit" else st.committed_size
    if size == 0:
        raise CeremonyError(f"现在还不能 {action}（状态 {st.state.value}）", f"no checkpoint to {action} on yet "
                                                                       f"(state {st.state.value})")
    return log.checkpoint(st.origin, size)


def cosign(store: RunStore, step: Step, witness: str, size: int, cosignature: str) -> CeremonyState:
    """Record a witness's C2SP cosignature on the checkpoint of log size ``size`` (signed by the witness)."""
    return append_step(store, step, "witness.cosign", {"witness": witness, "size": size, "cosignature": cosignature},
                       actor=witness, rebase=True)


def commit(store: RunStore, step: Step, witness: str, statement: str) -> CeremonyState:
    """Record one witness's signed commit statement; after the last witness: COMMITTED."""
    return append_step(store, step, "witness.commit", {"witness": witness, "statement": statement},
                       actor=witness, rebase=True)


def reveal(store: RunStore, step: Step, witness: str, statement: str) -> CeremonyState:
    """Record one witness's signed reveal (must match the commitment); after the last: REVEALED."""
    return append_step(store, step, "witness.reveal", {"witness": witness, "statement": statement},
                       actor=witness, rebase=True)


def forfeit(store: RunStore, step: Step, witness: str, statement: str) -> CeremonyState:
    """Record a witness's own signed statement that they will not reveal (left out of the seed, visibly)."""
    return append_step(store, step, "witness.forfeit", {"witness": witness, "statement": statement},
                       actor=witness, rebase=True)


@dataclass(frozen=True)
class WitnessKey:
    """A witness at the keyboard: their display name and their own signing key (CLI convenience)."""

    name: str
    signer: Signer


def witness_act(store: RunStore, step: Step, who: WitnessKey, action: str, fields: dict[str, str],
                timestamp: int) -> CeremonyState:
    """Cosign the checkpoint ``action`` needs (if not yet) and record the signed statement, as the witness.

    For a witness operating this program themselves; the witness page of the service signs in the
    browser instead and sends only the statement and cosignature.
    """
    cp = witness_checkpoint(store, action)
    st = replay_log(store.log())
    if cp.size not in st.cosigned.get(who.name, {}):
        cosign(store, Step(step.signer, who.name, step.time), who.name, cp.size,
               make_cosignature(who.signer, cp, timestamp))
    statement = sign_statement(who.signer, cp.origin, action, who.name, cp, fields)
    record = {"commit": commit, "reveal": reveal, "forfeit": forfeit}[action]
    return record(store, step, who.name, statement)


def seed(store: RunStore, step: Step, beacon: Mapping[str, object]) -> bytes:
    """Derive the seed from the declared drand round's beacon (verified here, BLS): SEEDED.

    ``beacon`` is drand's JSON for the round: ``round``, ``signature`` and, on a chained chain,
    ``previous_signature`` (lowercase hex, as drand publishes it).
    """
    st = replay_log(store.log())
    check_next(st, "seed.derive")
    if st.chain is None:
        raise CeremonyError("没有声明 drand 链", "no drand chain was declared")
    previous = beacon.get("previous_signature")
    randomness = verify_beacon(st.chain, int(str(beacon["round"])), str(beacon["signature"]),
                               None if previous is None else str(previous))
    public_value = {"source": "drand", "chain_hash": st.chain.chain_hash, "round": st.beacon_round,
                    "signature": str(beacon["signature"]), "previous_signature": previous,
                    "randomness": randomness.hex()}
    return _derive(store, step, st, public_value)


def seed_fallback(store: RunStore, step: Step, value: str) -> bytes:
    """Derive the seed from the declared fallback's value (verify reports such a run as claimed, not proven)."""
    st = replay_log(store.log())
    check_next(st, "seed.derive")
    if st.fallback is None:
        raise CeremonyError("没有声明备用来源", "no fallback was declared")
    return _derive(store, step, st, {"source": "fallback", "description": st.fallback["description"], "value": value})


def inherit_seed(store: RunStore, step: Step, parent: RunStore) -> bytes:
    """A 复核 run takes the seed of the run it reviews, with proof (``seed.inherit``): SEEDED.

    ``parent`` is the store of the run named by the review's first note (``review_of``); it must
    be PUBLISHED. The payload carries the parent's latest signed checkpoint, its ``seed.derive``
    entry and the entry's inclusion proof (:func:`audit.inherit.inherit_payload`). Checked here
    before anything is appended: the stored inputs are the frozen ones, the config without its
    corrections is the parent's, the checkpoint is signed by one of the parent's keys; the state
    machine then checks the proof, the seed and the roster root.
    """
    st = replay_log(store.log())
    check_next(st, "seed.inherit")
    parent_id = parent.info().run_id
    if not st.review_of or parent_id != st.review_of:
        raise CeremonyError(f"运行 {store.info().run_id} 不是运行 {parent_id} 的复核，不能继承其种子",
                            f"run {store.info().run_id} is not a review of run {parent_id}; it cannot inherit its seed")
    if replay_log(parent.log()).state is not State.PUBLISHED:
        raise CeremonyError(f"原运行 {parent_id} 尚未发布", f"the original run {parent_id} is not published")
    run = frozen_inputs(store, st)
    payload = inherit_payload(parent.log(), parent.checkpoints()[-1], parent_id)
    if not matches_original_config(run.config, str(payload["inputs"]["config_hash"])):
        raise CeremonyError("复核运行的配置（除更正外）与原运行不同（复核只能更改更正表）",
                            "the review's config, without its corrections, differs from the original's "
                            "(a review changes nothing but its corrections)")
    try:
        open_note(str(payload["checkpoint"]), [Verifier.from_vkey(k) for k in parent.info().keys])
    except VerificationError as exc:
        raise CeremonyError(f"原运行的检查点签名不成立：{exc.message_zh}",
                            f"the original's checkpoint signature does not hold: {exc.message_en}") from exc
    append_step(store, step, "seed.inherit", payload)
    return bytes.fromhex(str(payload["seed"]))


def _derive(store: RunStore, step: Step, st: CeremonyState, public_value: dict[str, object]) -> bytes:
    inputs, derived = derive_seed(st.public_root, st.config_hash, {w: r["value"] for w, r in st.reveals.items()},
                                  public_value)
    append_step(store, step, "seed.derive", {"mode": "ceremony", "inputs": inputs, "seed": derived.hex()})
    return derived


def frozen_inputs(store: RunStore, st: CeremonyState) -> PreparedRun:
    """The stored inputs, refused unless they are exactly the frozen ones (config hash, public root, files).

    Execute and publish run on these; so does the public what-if (api.service.what_if), so that its
    answer is about the roster the log committed to, nothing else.
    """
    run = store.prepared()
    committed_public = commit_roster(run.roster, {}, bytes(32)).public_root.hex()
    files = {name: sha256_hex(data) for name, data in sorted(store.source_files().items())}
    if record_hash(run.config) != st.config_hash or committed_public != st.public_root or files != st.inputs:
        raise CeremonyError("存储的输入与冻结时不一致，拒绝执行",
                            "the stored inputs differ from the frozen ones; refusing to run")
    return run


def _run_seeded(run: PreparedRun, st: CeremonyState, run_id: str, time: str | None) -> ResultFiles:
    """The engine on the frozen inputs with the logged seed; ``time`` is the coming ``run.execute`` entry's."""
    if st.seed_record is None:
        raise CeremonyError("日志中没有种子", "the log holds no seed")
    facts = facts_from_log(run.kind, run_id, False, st.seed_record, time)
    return execute_run(run, bytes.fromhex(str(st.seed_record["seed"])), facts, st.withdrawals)


#: Reports how far a long step has come: percent (0–100) and the stage, in Chinese and English.
Progress = Callable[[int, str, str], None]


def _silent(_percent: int, _zh: str, _en: str) -> None:
    pass


def execute(store: RunStore, step: Step, progress: Progress = _silent) -> dict[str, str]:
    """Run the engine on the committed roster (minus withdrawals) with the derived seed: EXECUTED."""
    st = replay_log(store.log())
    check_next(st, "run.execute")
    progress(5, "核对冻结的输入", "checking the frozen inputs")
    run = frozen_inputs(store, st)
    progress(20, "运行引擎", "running the engine")
    results = _run_seeded(run, st, store.info().run_id, step.time)
    progress(85, "签名并保存结果", "signing and storing the results")
    payload = execute_payload(results, store.roster_secret())
    append_step(store, step, "run.execute", payload, results=results.public)
    progress(100, "完成", "done")
    return dict(payload["results"])


def audit_context(store: RunStore, step: Step, pending: AuditLog | None = None) -> RunAudit:
    """The audit context of a stored run (its whole log; history = every checkpoint before the last).

    ``pending``: the log with one more entry, not stored yet (``run.publish``, stored together
    with the publication built from it): the same context the run will have once it is stored.
    """
    info = store.info()
    keys = list(info.keys)
    if pending is None:
        log, history = store.log(), store.checkpoints()[:-1]
    else:
        log, history = pending, store.checkpoints()
        if step.signer.verifier.vkey not in keys:  # the append records the key that signs it
            keys.append(step.signer.verifier.vkey)
    return RunAudit(run_id=info.run_id, origin=info.origin, practice=False, log=log, signer=step.signer,
                    roster_secret=store.roster_secret(), actor=step.actor, time=step.time,
                    history=history, keys=keys)


def publish(store: RunStore, step: Step, progress: Progress = _silent) -> Publication:
    """Build the publication and commit it together with ``run.publish`` (again: rebuild the same bytes).

    Requires EXECUTED (or PUBLISHED, to rebuild). The engine runs again and its results must
    equal the hashes logged by ``run.execute``; the bundle is built from the log as it will be
    with the ``run.publish`` entry, and entry and publication are stored in ONE atomic append:
    a failure while storing (a crash, a full disk) leaves the run EXECUTED with nothing
    published, never PUBLISHED without its files. Publishing a PUBLISHED run again rebuilds the
    same bytes (deterministic build, deterministic Ed25519) and appends nothing.
    """
    st = replay_log(store.log())
    if st.state is not State.PUBLISHED:
        check_next(st, "run.publish")
    progress(5, "重新执行并核对结果", "re-executing and checking the results")
    results = _run_seeded(frozen_inputs(store, st), st, store.info().run_id, execute_time(store.log()))
    hashes = result_hashes(results.public)
    if hashes != st.results:
        raise CeremonyError("重新执行的结果与日志记录不符", "re-executed results differ from the logged run.execute")
    progress(60, "生成数据包与公开文件", "building the bundle and the public files")
    if st.state is State.PUBLISHED:
        publication = assemble_publication(store.prepared(), results, audit_context(store, step))
        progress(90, "保存发布文件", "storing the publication")
        store.save_publication(publication.files())
    else:
        payload = publish_payload(hashes)
        log, _st, entry, note = _next_entry(store, step, "run.publish", payload, None, step.time)
        publication = assemble_publication(store.prepared(), results, audit_context(store, step, log))
        progress(90, "保存发布文件", "storing the publication")
        store.append(entry, payload, note, key=step.signer.verifier.vkey, publication=publication.files())
    progress(100, "完成", "done")
    return publication


def rotate_key(store: RunStore, old: Signer, new: Signer, actor: str, time: str | None) -> str:
    """Log a rotation statement signed by both keys; later checkpoints are signed by ``new``. Returns it."""
    origin = store.info().origin
    note = sign_rotation(origin, old, new, store.log().checkpoint(origin))
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
