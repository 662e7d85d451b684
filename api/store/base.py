"""The :class:`RunStore` protocol: where one run's inputs, log, results and publication live.

Two implementations share it: :class:`api.store.directory.DirectoryRunStore` (the run
folder the ``sunshine ceremony`` commands use, ``docs/ceremony.md`` § Run directory) and
:class:`api.store.database.DatabaseRunStore` (SQLAlchemy over SQLite or PostgreSQL, used
by the HTTP service). The ceremony service (:mod:`api.service.ceremony`) is written
against this protocol only.

The contract every implementation keeps:

* **The log is append-only.** :meth:`RunStore.append` adds exactly one entry, and only if
  the entry's ``prev`` is the hash of the stored last entry (so two writers racing on the
  same step cannot both succeed: the loser gets :class:`StoreConflict`). The new signed
  checkpoint and any result files are stored in the same atomic step, so the store never
  holds a state that its log does not explain.
* **Nothing else is mutable after the freeze.** The inputs may be replaced only while the
  run is a DRAFT (the service checks the state; the log records an ``inputs.update``).
* The publication (every file of the result folder) is stored once the log says PUBLISHED;
  storing it again with the same bytes is a no-op.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from api.runs.kind import PreparedRun
from audit.log import GENESIS, AuditLog, LogEntry
from engine.errors import SunshineError

__all__ = [
    "NewRun",
    "RunInfo",
    "RunStore",
    "StoreConflict",
    "StoreError",
    "StoreFull",
    "check_prev",
    "expected_prev",
    "validated_names",
]


class StoreError(SunshineError):
    """A run cannot be found, read or written in its store."""


class StoreConflict(StoreError):
    """Another writer changed the run first (the log grew since it was read): re-read and retry."""


class StoreFull(StoreError):
    """The store's disk is full: nothing of the step was written; free space and take the step again."""


@dataclass(frozen=True)
class RunInfo:
    """A run's identity: kind, id, log origin, a title for people, and every operator key that signed."""

    run_id: str
    kind: str
    origin: str
    title: str = ""
    keys: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class NewRun:
    """Everything a run starts with, stored in one step: identity, inputs, secret and the first log entry."""

    info: RunInfo
    prepared: PreparedRun
    roster_secret: bytes
    entry: LogEntry
    payload: object
    checkpoint: str


class RunStore(Protocol):
    """One run's persistent state."""

    def info(self) -> RunInfo:
        """The run's identity (raises :class:`StoreError` when the run does not exist)."""
        ...

    def prepared(self) -> PreparedRun:
        """The inputs as prepared at init (or at the last ``inputs.update`` while DRAFT)."""
        ...

    def source_files(self) -> dict[str, bytes]:
        """The input files exactly as read (name → bytes)."""
        ...

    def roster_secret(self) -> bytes:
        """The 32-byte secret the roster leaves are salted with (private)."""
        ...

    def log(self) -> AuditLog:
        """The audit log as stored (parsed and chain-checked)."""
        ...

    def checkpoints(self) -> list[str]:
        """Every signed checkpoint note stored so far, oldest first (one per log size)."""
        ...

    def append(self, entry: LogEntry, payload: object, checkpoint: str, *,
               results: Mapping[str, bytes] | None = None, key: str | None = None,
               inputs: PreparedRun | None = None, publication: Mapping[str, bytes] | None = None) -> None:
        """Atomically append one log entry with its signed checkpoint (and the results it commits to).

        ``key`` is the signer's verifier key, added to :attr:`RunInfo.keys` in the same step.
        ``inputs`` replaces the prepared inputs in the same step (``inputs.update``, DRAFT only).
        ``publication`` stores the publication in the same step (``run.publish``: never one without the other).
        Raises :class:`StoreConflict` when ``entry.prev`` is not the hash of the stored last entry.
        """
        ...

    def replace_inputs(self, prepared: PreparedRun) -> None:
        """Replace the prepared inputs (the service allows it only in DRAFT, logging ``inputs.update``)."""
        ...

    def results(self) -> dict[str, bytes]:
        """The public result files stored with ``run.execute`` (empty before)."""
        ...

    def save_publication(self, files: Mapping[str, bytes]) -> None:
        """Store every file of the publication (relative path → bytes); idempotent for identical bytes."""
        ...

    def publication(self) -> dict[str, bytes]:
        """The stored publication (empty before publish)."""
        ...


def expected_prev(log: AuditLog) -> str:
    """The ``prev`` the next entry of ``log`` must carry."""
    return log.entries[-1].hash if log.entries else GENESIS


def check_prev(log: AuditLog, entry: LogEntry) -> None:
    """Raise :class:`StoreConflict` unless ``entry`` continues ``log``."""
    if entry.prev != expected_prev(log):
        raise StoreConflict("日志已被其他操作更新，请刷新后重试",
                            "the run's log changed since it was read (another step happened first); retry")


def validated_names(files: Sequence[str]) -> None:
    """Refuse file names that could escape a folder (absolute, ``..``, backslashes, empty parts)."""
    for name in files:
        parts = name.split("/")
        if not name or name.startswith("/") or "\\" in name or any(p in ("", ".", "..") for p in parts):
            raise StoreError(f"文件名无效：{name!r}", f"invalid file name {name!r}")
