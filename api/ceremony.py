"""Ceremony run directories (edge): files on disk around the pure state machine in :mod:`audit.ceremony`.

Layout of a run directory::

    run.json                 kind, run id, log origin, every operator verifier key used
    prepared/config.json     PreparedRun.config      (public)
    prepared/roster.json     PreparedRun.roster      (public records, sorted by id)
    prepared/private.json    PreparedRun.private     (names, ID numbers: never published)
    prepared/sources/…       the input files as read at init
    private/roster_secret    32 random bytes (hex, mode 0600): salts of the roster leaves
    log.jsonl                the audit log (entries + payloads)
    checkpoints/NNNNNN.note  a signed checkpoint after every step
    results/…                public results after ``execute``

Every step replays the log to find the current state, refuses actions not allowed in
it (:class:`~audit.errors.CeremonyError`), appends one entry and signs a checkpoint.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from api.audit_runs import RunAudit, engine_versions
from api.outputs import write_files
from api.runs import PreparedRun, get_kind
from audit.canonical import record_hash, sha256_hex
from audit.ceremony import CeremonyState, State, derive_seed, replay
from audit.errors import CeremonyError
from audit.log import AuditLog
from audit.roster import commit_roster
from audit.signing import Signer

__all__ = ["CeremonyDir"]


def _dump(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode()


class CeremonyDir:
    """One ceremony run directory."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    # ---- reading ---------------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads((self.path / "run.json").read_text(encoding="utf-8"))
        except OSError as exc:
            raise CeremonyError(f"{self.path} 不是仪式目录（先运行 ceremony init）",
                                f"{self.path} is not a ceremony run directory (run `ceremony init` first)") from exc
        return data

    def log(self) -> AuditLog:
        p = self.path / "log.jsonl"
        return AuditLog.from_bytes(p.read_bytes()) if p.exists() else AuditLog()

    def state(self) -> CeremonyState:
        log = self.log()
        return replay([(e.action, p) for e, p in zip(log.entries, log.payloads, strict=True)])

    def prepared(self) -> PreparedRun:
        d = self.path / "prepared"
        info = self.info()
        return PreparedRun(
            kind=info["kind"],
            config=json.loads((d / "config.json").read_text(encoding="utf-8")),
            roster=json.loads((d / "roster.json").read_text(encoding="utf-8")),
            private=json.loads((d / "private.json").read_text(encoding="utf-8")),
        )

    def roster_secret(self) -> bytes:
        return bytes.fromhex((self.path / "private" / "roster_secret").read_text().strip())

    def checkpoint_notes(self) -> list[str]:
        d = self.path / "checkpoints"
        return [p.read_text(encoding="utf-8") for p in sorted(d.glob("*.note"))] if d.exists() else []

    # ---- writing ---------------------------------------------------------------------------
    def init(self, run: PreparedRun, signer: Signer, *, actor: str, time: str | None, force: bool = False) -> str:
        """Create the run directory (DRAFT). Re-initialising is allowed only while DRAFT and with ``force``."""
        if (self.path / "log.jsonl").exists():
            st = self.state().state
            if st is not State.DRAFT or not force:
                raise CeremonyError(f"仪式目录已存在（状态 {st.value}）",
                                    f"ceremony directory already initialised (state {st.value}); "
                                    "re-initialising is only possible in DRAFT with --force")
            (self.path / "log.jsonl").unlink()
            for p in (self.path / "checkpoints").glob("*.note"):
                p.unlink()
        run_id = secrets.token_hex(8)
        self.path.mkdir(parents=True, exist_ok=True)
        info = {"kind": run.kind, "run_id": run_id, "origin": f"sunshine/{run.kind}/{run_id}",
                "keys": [signer.verifier.vkey]}
        write_files(self.path, {
            "run.json": _dump(info),
            "prepared/config.json": _dump(run.config),
            "prepared/roster.json": _dump(run.roster),
            "prepared/private.json": _dump(run.private),
            **{f"prepared/sources/{Path(n).name}": b for n, b in run.source_files.items()},
        })
        secret_path = self.path / "private" / "roster_secret"
        secret_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(secret_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_bytes(32).hex() + "\n")
        self.append(signer, actor, time, "ceremony.init",
                    {"kind": run.kind, "run_id": run_id, "config_hash": record_hash(run.config)})
        return run_id

    def append(self, signer: Signer, actor: str, time: str | None, action: str, payload: Any) -> State:
        """Check the action is allowed, append it, sign a checkpoint; return the new state."""
        log = self.log()
        replay([*((e.action, p) for e, p in zip(log.entries, log.payloads, strict=True)), (action, payload)])
        log.append(actor, action, time, payload)
        info = self.info()
        if signer.verifier.vkey not in info["keys"]:
            info["keys"].append(signer.verifier.vkey)
            (self.path / "run.json").write_bytes(_dump(info))
        tmp = self.path / "log.jsonl.tmp"
        tmp.write_bytes(log.to_bytes())
        os.replace(tmp, self.path / "log.jsonl")
        note = log.signed_checkpoint(info["origin"], [signer])
        write_files(self.path, {f"checkpoints/{log.size:06d}.note": note.encode()})
        return self.state().state

    def freeze(self, signer: Signer, actor: str, time: str | None) -> str:
        run = self.prepared()
        root = commit_roster(run.roster, run.private, self.roster_secret()).root.hex()
        self.append(signer, actor, time, "roster.freeze",
                    {"roster_root": root, "roster_size": len(run.roster), "config_hash": record_hash(run.config)})
        return root

    def withdraw(self, signer: Signer, actor: str, time: str | None, applicant_id: str) -> None:
        if applicant_id not in {r["id"] for r in self.prepared().roster}:
            raise CeremonyError(f"名单中没有 {applicant_id}", f"{applicant_id} is not in the frozen roster")
        self.append(signer, actor, time, "roster.withdraw", {"id": applicant_id})

    def seed(self, signer: Signer, actor: str, time: str | None, public_value: str, *, fallback: bool) -> bytes:
        st = self.state()
        source = st.fallback if fallback else st.public_source
        inputs, seed = derive_seed(st.roster_root, st.config_hash,
                                   {w: r["value"] for w, r in st.reveals.items()},
                                   {"source": source, "value": public_value})
        self.append(signer, actor, time, "seed.derive", {"mode": "ceremony", "inputs": inputs, "seed": seed.hex()})
        return seed

    def execute(self, signer: Signer, actor: str, time: str | None) -> dict[str, str]:
        st = self.state()
        if st.state is not State.SEEDED or st.seed_record is None:
            raise CeremonyError(f"状态 {st.state.value} 下不能执行派位（需要 SEEDED）",
                                f"the engine refuses to execute in state {st.state.value} (needs SEEDED)")
        run = self.prepared()
        withdrawn = set(st.withdrawals)
        public = get_kind(run.kind).execute(run.config, [r for r in run.roster if r["id"] not in withdrawn],
                                            bytes.fromhex(st.seed_record["seed"]))
        write_files(self.path / "results", public)
        hashes = {n: sha256_hex(d) for n, d in sorted(public.items())}
        self.append(signer, actor, time, "run.execute", {"results": hashes, "engine": engine_versions()})
        return hashes

    def audit_context(self, signer: Signer, actor: str, time: str | None) -> RunAudit:
        info = self.info()
        return RunAudit(run_id=info["run_id"], origin=info["origin"], practice=False, log=self.log(),
                        signer=signer, roster_secret=self.roster_secret(), actor=actor, time=time,
                        history=self.checkpoint_notes(), keys=list(info["keys"]))

    def record_publish(self, audit: RunAudit) -> None:
        """After publish_run succeeded: store the extended log and its checkpoint."""
        tmp = self.path / "log.jsonl.tmp"
        tmp.write_bytes(audit.log.to_bytes())
        os.replace(tmp, self.path / "log.jsonl")
        note = audit.log.signed_checkpoint(audit.origin, [audit.signer])
        write_files(self.path, {f"checkpoints/{audit.log.size:06d}.note": note.encode()})


