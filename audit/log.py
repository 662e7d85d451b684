"""Append-only audit log: hash-chained entries that are also leaves of an RFC 6962 tree.

Each entry is ``{"actor", "action", "time", "payload_hash", "prev"}``:

* ``payload_hash`` = SHA-256 of the canonical bytes of the entry's payload (stored
  next to the entry, so anyone can recheck it);
* ``prev`` = SHA-256 of the canonical bytes of the previous entry (64 zeros for the first);
* ``time`` is whatever the edge passed in (ISO 8601 UTC, or ``null`` in practice runs
  so those stay byte-reproducible); the log itself never reads a clock.

Leaf ``i`` of the log tree is the canonical bytes of entry ``i``. A signed checkpoint
(:mod:`audit.signing`) commits to the tree size and root; consistency proofs link
successive checkpoints. On disk the log is JSON lines ``{"entry": …, "payload": …}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from audit.canonical import canonical_bytes, record_hash, sha256_hex
from audit.errors import VerificationError
from audit.merkle import MerkleTree, leaf_hash, root_of
from audit.signing import Checkpoint, Signer, format_checkpoint, sign_note

__all__ = ["GENESIS", "AuditLog", "LogEntry"]

GENESIS = "0" * 64


@dataclass(frozen=True)
class LogEntry:
    actor: str
    action: str
    time: str | None
    payload_hash: str
    prev: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "action": self.action,
            "time": self.time,
            "payload_hash": self.payload_hash,
            "prev": self.prev,
        }

    @property
    def leaf(self) -> bytes:
        return canonical_bytes(self.as_dict())

    @property
    def hash(self) -> str:
        return sha256_hex(self.leaf)


class AuditLog:
    """In-memory log; :meth:`to_bytes` / :meth:`from_bytes` for storage."""

    def __init__(self) -> None:
        self.entries: list[LogEntry] = []
        self.payloads: list[Any] = []

    def append(self, actor: str, action: str, time: str | None, payload: Any) -> LogEntry:
        prev = self.entries[-1].hash if self.entries else GENESIS
        entry = LogEntry(actor, action, time, record_hash(payload), prev)
        self.entries.append(entry)
        self.payloads.append(payload)
        return entry

    @property
    def size(self) -> int:
        return len(self.entries)

    def leaf_hashes(self, size: int | None = None) -> list[bytes]:
        return [leaf_hash(e.leaf) for e in self.entries[: self.size if size is None else size]]

    def root(self, size: int | None = None) -> bytes:
        return root_of(self.leaf_hashes(size))

    def checkpoint(self, origin: str, size: int | None = None) -> Checkpoint:
        """The checkpoint of the first ``size`` entries (all by default) under ``origin``."""
        n = self.size if size is None else size
        return Checkpoint(origin, n, self.root(n))

    def signed_checkpoint(self, origin: str, signers: list[Signer]) -> str:
        return sign_note(format_checkpoint(self.checkpoint(origin)), signers)

    def consistency_proof(self, old_size: int) -> list[bytes]:
        return MerkleTree(self.leaf_hashes()).consistency_proof(old_size)

    def find(self, action: str) -> list[tuple[LogEntry, Any]]:
        return [(e, p) for e, p in zip(self.entries, self.payloads, strict=True) if e.action == action]

    def to_bytes(self) -> bytes:
        return b"".join(
            canonical_bytes({"entry": e.as_dict(), "payload": p}) + b"\n"
            for e, p in zip(self.entries, self.payloads, strict=True)
        )

    @classmethod
    def from_bytes(cls, data: bytes, *, step: str = "log") -> AuditLog:
        """Parse and check the log: (1) each line well formed; (2) payload hashes; (3) hash chain."""
        log = cls()
        prev = GENESIS
        for i, line in enumerate(data.split(b"\n")[:-1] if data.endswith(b"\n") or not data else [b"!"]):
            try:
                obj = json.loads(line)
                e = obj["entry"]
                entry = LogEntry(e["actor"], e["action"], e["time"], e["payload_hash"], e["prev"])
                payload = obj["payload"]
                if set(e) != {"actor", "action", "time", "payload_hash", "prev"} or set(obj) != {"entry", "payload"}:
                    raise ValueError("unexpected fields")
            except (ValueError, KeyError, TypeError) as exc:
                raise VerificationError(step, f"entry {i}", "日志条目格式错误", "malformed log entry") from exc
            if record_hash(payload) != entry.payload_hash:
                raise VerificationError(step, f"entry {i}", "日志内容哈希不符", "payload does not match payload_hash")
            if entry.prev != prev:
                raise VerificationError(
                    step, f"entry {i}", "日志哈希链断裂", "prev does not equal the hash of the previous entry"
                )
            prev = entry.hash
            log.entries.append(entry)
            log.payloads.append(payload)
        return log
