"""Execute a prepared run and write its outputs atomically into ``--out``, with its bundle.

This is the one code path every engine command (and ``sunshine ceremony publish``)
uses to produce results. Besides the engine's public and private files it writes:

* ``bundle/`` and ``bundle.zip``: the verifiable bundle (``docs/bundle.md``);
* ``audit-private/roster_private.json``: each applicant's roster salt and private
  fields, from which ``sunshine receipt`` makes receipts (never publish this file);
* ``PRACTICE.txt`` in practice runs (manual ``--seed``), which are also marked in the
  bundle manifest, ``keys.json`` and the signed log.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from api.audit_runs import (
    RunAudit,
    engine_versions,
    gc_paused,
    practice_audit,
    practice_roster_secret,
    receipts_private,
)
from api.outputs import staged_directory, write_files
from api.runs import PreparedRun, get_kind
from audit.bundle import PRACTICE_NOTICE, build_bundle, zip_bytes
from audit.canonical import record_hash, sha256_hex
from audit.ceremony import State
from audit.errors import CeremonyError
from audit.log import AuditLog
from audit.merkle import MerkleTree
from audit.roster import commit_roster
from audit.signing import Verifier, parse_checkpoint

__all__ = ["PublishedRun", "publish_run"]


@dataclass(frozen=True)
class PublishedRun:
    out: Path
    public_files: dict[str, bytes]
    summary: str


def _history(log: AuditLog, notes: list[str]) -> list[tuple[str, list[bytes]]]:
    tree = MerkleTree(log.leaf_hashes())
    out = []
    for note in notes:
        size = parse_checkpoint(note[: note.rfind("\n\n") + 1]).size
        out.append((note, tree.consistency_proof(size)))
    return out


def publish_run(
    run: PreparedRun, seed: bytes, out: str | Path, *, practice: bool = True, audit: RunAudit | None = None
) -> PublishedRun:
    """Run the engine on ``run`` with ``seed`` and write outputs and bundle into ``out``.

    ``practice`` marks a manually chosen seed (the engines' ``--seed HEX``); then the
    audit context is built here. A ceremony passes ``practice=False`` and its
    ``audit`` context, whose log must be SEEDED or EXECUTED (then the results must
    hash to the logged ones). Nothing is written to ``out`` unless every step succeeds.
    """
    with gc_paused():
        return _publish(run, seed, out, practice=practice, audit=audit)


def _publish(
    run: PreparedRun, seed: bytes, out: str | Path, *, practice: bool, audit: RunAudit | None
) -> PublishedRun:
    kind = get_kind(run.kind)
    config_hash = record_hash(run.config)
    if audit is None:
        if not practice:
            raise CeremonyError("正式运行必须通过仪式（sunshine ceremony）",
                                "a non-practice run needs a ceremony context")
        committed = commit_roster(run.roster, run.private, practice_roster_secret(seed))
        audit = practice_audit(run.kind, config_hash, committed.root.hex(), len(run.roster), seed)
    else:
        committed = commit_roster(run.roster, run.private, audit.roster_secret)
    state = audit.state
    if state not in (State.SEEDED, State.EXECUTED):
        raise CeremonyError(f"状态 {state.value} 下不能执行", f"cannot execute in state {state.value} (need SEEDED)")
    withdrawn = {p["id"] for _, p in audit.log.find("roster.withdraw")}
    active = [r for r in run.roster if r["id"] not in withdrawn]
    public = kind.execute(run.config, active, seed)
    private = kind.render_private(dataclasses.replace(run, roster=active), public, seed)
    hashes = {name: sha256_hex(data) for name, data in sorted(public.items())}
    if state is State.SEEDED:
        audit.log.append(audit.actor, "run.execute", audit.time, {"results": hashes, "engine": engine_versions()})
    else:
        logged = audit.log.find("run.execute")[-1][1]["results"]
        if logged != hashes:
            raise CeremonyError("重新执行的结果与日志记录不符",
                                "re-executed results differ from the logged run.execute")
    audit.log.append(audit.actor, "run.publish", audit.time, {"results_hash": record_hash(hashes)})
    checkpoint = audit.log.signed_checkpoint(audit.origin, [audit.signer])
    seed_record = audit.log.find("seed.practice" if audit.practice else "seed.derive")[-1][1]
    bundle = build_bundle(
        kind=run.kind,
        run_id=audit.run_id,
        origin=audit.origin,
        practice=audit.practice,
        config=run.config,
        roster_lines=committed.lines,
        seed_record=seed_record,
        log=audit.log,
        checkpoint=checkpoint,
        history=_history(audit.log, audit.history),
        keys=[Verifier.from_vkey(k) for k in dict.fromkeys([*audit.keys, audit.signer.verifier.vkey])],
        public_files=public,
    )
    with staged_directory(out) as staging:
        write_files(staging, public)
        write_files(staging, private)
        write_files(staging, {f"bundle/{n}": d for n, d in bundle.items()})
        (staging / "bundle.zip").write_bytes(zip_bytes(bundle))
        write_files(staging, {"audit-private/roster_private.json":
                              receipts_private(run.private, run.roster, committed.salts)})
        if audit.practice:
            (staging / "PRACTICE.txt").write_text(PRACTICE_NOTICE, encoding="utf-8")
    return PublishedRun(out=Path(out), public_files=public, summary=kind.summary(public))
