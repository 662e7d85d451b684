"""Build a run's publication: every public and private file as bytes, with its signed bundle.

This is the one code path every engine command, the ceremony and the HTTP service use to
produce results, and it writes nothing: storing the files (a result folder, a database)
is the caller's step. A build is deterministic in (prepared run, seed, audit log, signer),
so rebuilding after a crash gives the same bytes.

Besides the engine's public and private files a publication holds:

* ``bundle/`` and ``bundle.zip``: the verifiable bundle (``docs/bundle.md``);
* ``audit-private/roster_private.json``: each applicant's roster salt and private
  fields, from which receipts are made (never publish this file);
* ``audit-private/private_salts.json`` (kinds with private files): the salt of each private result file (the class
  lists with names schools post), whose salted hash ``run.execute`` signs
  (:mod:`audit.private_results`; hand a school its list's salt with the list);
* ``PRACTICE.txt`` in practice runs (manual ``--seed``), which are also marked in the
  bundle manifest, ``keys.json`` and the signed log.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from api.audit_runs import engine_versions, gc_paused, receipts_private
from api.runs import get_kind
from api.runs.kind import PreparedRun, RunSummary
from api.verifier_page import verifier_record
from audit.bundle import PRACTICE_NOTICE, ZIP_LEVEL, build_bundle, zip_bytes
from audit.canonical import record_hash, sha256_hex
from audit.ceremony import State, check_next, replay_log
from audit.context import RunAudit
from audit.errors import CeremonyError
from audit.merkle import MerkleTree
from audit.practice import practice_audit
from audit.private_results import private_result_hashes, private_salt
from audit.result_rows import rows_commitment
from audit.roster import CommittedRoster, commit_roster
from audit.run_facts import RunFacts, facts_from_log, frozen_groups
from audit.signing import Verifier, parse_checkpoint
from audit.zip_writer import Deflater, deflater

__all__ = ["Publication", "ResultFiles", "assemble_publication", "build_practice", "execute_payload", "execute_run",
           "publish_payload", "result_hashes"]


@dataclass(frozen=True)
class ResultFiles:
    """What the engine produced for a run: public files (hashed into the log) and private ones (names)."""

    public: dict[str, bytes]
    private: dict[str, bytes]


@dataclass(frozen=True)
class Publication:
    """Everything a published run consists of, as bytes, before anything is stored."""

    run_id: str
    kind: str
    practice: bool
    results: ResultFiles
    bundle: dict[str, bytes]
    bundle_zip: bytes
    audit_private: dict[str, bytes]
    checkpoint: str
    summary: RunSummary

    def files(self) -> dict[str, bytes]:
        """Every file of the result folder, by relative path (docs/bundle.md § the --out folder)."""
        out = {**self.results.public, **self.results.private}
        out.update({f"bundle/{n}": d for n, d in self.bundle.items()})
        out["bundle.zip"] = self.bundle_zip
        out.update(self.audit_private)
        if self.practice:
            out["PRACTICE.txt"] = PRACTICE_NOTICE.encode()
        return out


def result_hashes(public: Mapping[str, bytes]) -> dict[str, str]:
    """SHA-256 of each public result file, by name (the ``results`` payload of ``run.execute``)."""
    return {name: sha256_hex(data) for name, data in sorted(public.items())}


def publish_payload(hashes: Mapping[str, str]) -> dict[str, object]:
    """The ``run.publish`` payload, for practice, ceremony and service runs alike (one place).

    ``results_hash`` binds the published results to the ``run.execute`` hashes; ``verifier`` names the
    browser verifier page this Sunshine writes (``sunshine verifier``), so the run's signed log says
    which page's hash to compare (docs/bundle.md § Log actions).
    """
    return {"results_hash": record_hash(dict(hashes)), "verifier": verifier_record()}


def execute_payload(results: ResultFiles, roster_secret: bytes) -> dict[str, Any]:
    """The ``run.execute`` payload of ``results`` (docs/bundle.md § Log): what the run commits to.

    ``results``: each public file's SHA-256; ``rows``: the result rows tree (one leaf per CSV
    data row, :mod:`audit.result_rows`) that receipts prove their rows against;
    ``private_results``: each private file's hash salted with a secret derived from the roster
    secret (:mod:`audit.private_results`), so a posted class list is committed without its names
    being guessable; ``engine``: the versions that produced them.
    """
    return {"results": result_hashes(results.public), "rows": rows_commitment(results.public),
            "private_results": private_result_hashes(results.private, roster_secret),
            "engine": engine_versions()}


def private_salts(private: Mapping[str, bytes], roster_secret: bytes) -> bytes:
    """``audit-private/private_salts.json``: ``{file: hex salt}`` of every private result file."""
    salts = {name: private_salt(roster_secret, name).hex() for name in sorted(private)}
    return (json.dumps(salts, ensure_ascii=False, indent=2) + "\n").encode()


def execute_run(run: PreparedRun, seed: bytes, facts: RunFacts, withdrawn: Sequence[str] = ()) -> ResultFiles:
    """Run the engine on ``run``'s roster minus ``withdrawn`` with ``seed`` (pure; the collector paused).

    ``facts`` are the run's as its log will record them (run id, ``run.execute`` time, seed
    source): the title rows of its XLSX lists show them, and verify recomputes them from the bundle.
    """
    kind = get_kind(run.kind)
    gone = set(withdrawn)
    active = [r for r in run.roster if r["id"] not in gone] if gone else run.roster  # execute is pure: no copy
    if gone:  # a multiples unit keeps the key of its frozen membership (docs/lottery.md §3)
        facts = dataclasses.replace(facts, frozen_groups=frozen_groups(run.roster, gone))
    with gc_paused():
        public = kind.execute(run.config, active, seed, facts)
        private = kind.render_private(dataclasses.replace(run, roster=active), public, seed, facts)
    return ResultFiles(public, private)


def _history(audit: RunAudit) -> list[tuple[str, list[bytes]]]:
    tree = MerkleTree(audit.log.leaf_hashes())
    out = []
    for note in audit.history:
        size = parse_checkpoint(note[: note.rfind("\n\n") + 1]).size
        out.append((note, tree.consistency_proof(size)))
    return out


def assemble_publication(run: PreparedRun, results: ResultFiles, audit: RunAudit,
                         committed: CommittedRoster | None = None, members: Deflater | None = None) -> Publication:
    """The bundle and every file of a run whose log has reached PUBLISHED.

    Requires ``audit.log`` to end in state PUBLISHED with ``run.execute`` hashes equal to
    ``results`` (the caller appended and committed those entries first); raises
    :class:`CeremonyError` otherwise. Signing is deterministic (Ed25519), so the same log and
    key give the same checkpoint and bundle bytes. ``committed`` is the roster commitment
    under ``audit.roster_secret`` when the caller already computed it (it is recomputed otherwise);
    ``members`` a :class:`~audit.zip_writer.Deflater` already deflating some of the bundle's members.
    """
    st = replay_log(audit.log)
    if st.state is not State.PUBLISHED:
        raise CeremonyError(f"状态 {st.state.value} 下不能生成数据包",
                            f"cannot build the bundle in state {st.state.value}")
    if st.results != result_hashes(results.public) or (
            st.private_results != private_result_hashes(results.private, audit.roster_secret)):
        raise CeremonyError("重新执行的结果与日志记录不符", "re-executed results differ from the logged run.execute")
    with gc_paused():
        if committed is None:
            committed = commit_roster(run.roster, run.private, audit.roster_secret)
        checkpoint = audit.log.signed_checkpoint(audit.origin, [audit.signer])
        seed_record = st.seed_record or {}
        bundle = build_bundle(
            kind=run.kind,
            run_id=audit.run_id,
            origin=audit.origin,
            practice=audit.practice,
            config=run.config,
            roster_jsonl=committed.jsonl,
            seed_record=seed_record,
            log=audit.log,
            checkpoint=checkpoint,
            history=_history(audit),
            keys=[Verifier.from_vkey(k) for k in dict.fromkeys([*audit.keys, audit.signer.verifier.vkey])],
            public_files=results.public,
        )
        audit_private = {"audit-private/roster_private.json":
                         receipts_private(run.private, run.roster, committed)}
        if results.private:
            audit_private["audit-private/private_salts.json"] = private_salts(results.private, audit.roster_secret)
        return Publication(
            run_id=audit.run_id, kind=run.kind, practice=audit.practice, results=results, bundle=bundle,
            bundle_zip=zip_bytes(bundle, members=members), audit_private=audit_private, checkpoint=checkpoint,
            summary=get_kind(run.kind).summarize(results.public),
        )


def build_practice(run: PreparedRun, seed: bytes) -> Publication:
    """A practice run (engine command with ``--seed``): execute, log in memory, assemble. Writes nothing.

    ``roster.jsonl`` and the public results are deflated for ``bundle.zip`` on a worker thread as
    soon as they exist, while this thread executes and signs (the zip's bytes do not depend on it).
    """
    with gc_paused(), deflater(ZIP_LEVEL) as members:
        secret = secrets.token_bytes(32)  # never derived from the published seed (docs/ceremony.md § Practice)
        committed = commit_roster(run.roster, run.private, secret)
        members.start("roster.jsonl", committed.jsonl)
        audit = practice_audit(run.kind, record_hash(run.config), (committed.root.hex(), committed.public_root.hex()),
                               len(run.roster), seed, secret)
        st = replay_log(audit.log)
        results = execute_run(run, seed, facts_from_log(run.kind, audit.run_id, True, st.seed_record, None))
        for name in sorted(results.public, key=lambda n: -len(results.public[n])):
            members.start(f"results/{name}", results.public[name])
        payload = execute_payload(results, secret)
        check_next(st, "run.execute")
        audit.log.append(audit.actor, "run.execute", audit.time, payload)
        audit.log.append(audit.actor, "run.publish", audit.time, publish_payload(payload["results"]))
        return assemble_publication(run, results, audit, committed, members)
