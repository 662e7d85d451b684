"""The run directory of ``sunshine ceremony``: a :class:`~api.store.base.RunStore` on plain files.

Layout (unchanged from earlier versions, so existing run folders keep working)::

    run.json                 kind, run id, log origin, title, every operator verifier key used
    prepared/config.json     PreparedRun.config      (public)
    prepared/roster.json     PreparedRun.roster      (public records, sorted by id)
    prepared/private.json    PreparedRun.private     (names, ID numbers: never published)
    prepared/sources/…       the input files as read at init
    private/roster_secret    32 random bytes (hex, mode 0600): salts of the roster leaves
    log.jsonl                the audit log (entries + payloads)
    checkpoints/NNNNNN.note  the signed checkpoint of log size NNNNNN, one per step
    results/…                public results stored with ``run.execute``
    published/…              every file of the publication, after ``run.publish``

The commit point of every step is the atomic replacement of ``log.jsonl``: the checkpoint
note, the results and the key list are written (each atomically) before it, so a crash
leaves at most files the log does not mention yet, which are ignored (notes beyond the log
size) or overwritten by the retried step. A lock file serialises writers; the next writer
removes the staging folders and temporary files a killed one left (they may hold private data).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from api.runs.kind import PreparedRun
from api.store.base import NewRun, RunInfo, StoreError, check_prev, validated_names
from audit.ceremony import State, replay_log
from audit.errors import VerificationError
from audit.log import AuditLog, LogEntry

__all__ = ["DirectoryRunStore"]


def _dump(obj: object) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode()


def _write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _write_tree_atomic(target: Path, files: Mapping[str, bytes]) -> None:
    """Replace the folder ``target`` by one holding exactly ``files`` (staged beside it, then renamed)."""
    validated_names(list(files))
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
    try:
        for rel, data in sorted(files.items()):
            p = staging / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.rmdir(old)
            os.replace(target, old)
            os.replace(staging, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _sweep_leftovers(root: Path) -> None:
    """Remove what a killed writer left: staging/old folders of a tree write, temporary files of a file write.

    They may hold private data (a half-staged ``published/`` holds names and salts). Called
    with the run's lock held, so no live writer is using them; the input files under
    ``prepared/sources`` and the stored trees themselves are never touched.
    """
    for folder in (root, root / "prepared", root / "checkpoints", root / "private"):
        for p in folder.iterdir() if folder.is_dir() else ():
            if not p.name.startswith(".") or p.name == ".lock":
                continue
            if p.is_dir() and (".staging-" in p.name or ".old-" in p.name):
                shutil.rmtree(p, ignore_errors=True)
            elif p.is_file():
                p.unlink(missing_ok=True)


def _read_tree(root: Path) -> dict[str, bytes]:
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


class DirectoryRunStore:
    """One ceremony run directory."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    # ---- creation -------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, new: NewRun) -> DirectoryRunStore:
        """Write a new run directory whole (staged, then renamed); refuse when ``path`` is in use."""
        target = Path(path)
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise StoreError(f"仪式目录 {target} 已存在且不是空的",
                             f"the ceremony directory {target} already exists and is not empty")
        log = AuditLog()
        log.entries.append(new.entry)
        log.payloads.append(new.payload)
        info = new.info
        run_json = {"kind": info.kind, "run_id": info.run_id, "origin": info.origin, "title": info.title,
                    "keys": list(info.keys)}
        files = {
            "run.json": _dump(run_json),
            **cls._prepared_files(new.prepared),
            "log.jsonl": log.to_bytes(),
            f"checkpoints/{log.size:06d}.note": new.checkpoint.encode(),
        }
        _write_tree_atomic(target, files)
        os.chmod(target / "prepared" / "private.json", 0o600)  # names and ID numbers
        secret = target / "private" / "roster_secret"
        _write_atomic(secret, (new.roster_secret.hex() + "\n").encode(), 0o600)
        os.chmod(secret.parent, 0o700)
        return cls(target)

    @staticmethod
    def _prepared_files(run: PreparedRun) -> dict[str, bytes]:
        sources = {f"prepared/sources/{Path(n).name}": b for n, b in run.source_files.items()}
        return {
            "prepared/config.json": _dump(run.config),
            "prepared/roster.json": _dump(list(run.roster)),
            "prepared/private.json": _dump(run.private),
            **sources,
        }

    # ---- reading --------------------------------------------------------------------------
    def _run_json(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads((self.path / "run.json").read_text(encoding="utf-8"))
        except OSError as exc:
            raise StoreError(f"{self.path} 不是仪式目录（先运行 ceremony init）",
                             f"{self.path} is not a ceremony run directory (run `ceremony init` first)") from exc
        return data

    def info(self) -> RunInfo:
        d = self._run_json()
        return RunInfo(run_id=str(d["run_id"]), kind=str(d["kind"]), origin=str(d["origin"]),
                       title=str(d.get("title", "")), keys=tuple(str(k) for k in d.get("keys", [])))

    def prepared(self) -> PreparedRun:
        d = self.path / "prepared"
        try:
            return PreparedRun(
                kind=self.info().kind,
                config=json.loads((d / "config.json").read_text(encoding="utf-8")),
                roster=json.loads((d / "roster.json").read_text(encoding="utf-8")),
                private=json.loads((d / "private.json").read_text(encoding="utf-8")),
                source_files=self.source_files(),
            )
        except (OSError, ValueError) as exc:
            raise StoreError(f"无法读取 {d}", f"cannot read the prepared inputs in {d}: {exc}") from exc

    def source_files(self) -> dict[str, bytes]:
        return _read_tree(self.path / "prepared" / "sources")

    def roster_secret(self) -> bytes:
        try:
            return bytes.fromhex((self.path / "private" / "roster_secret").read_text().strip())
        except (OSError, ValueError) as exc:
            raise StoreError("无法读取名单密钥", f"cannot read the roster secret of {self.path}") from exc

    def log(self) -> AuditLog:
        p = self.path / "log.jsonl"
        if not p.exists():
            self._run_json()  # a clear "not a run directory" first
            return AuditLog()
        try:
            return AuditLog.from_bytes(p.read_bytes())
        except VerificationError as exc:
            raise StoreError(f"日志 {p} 已损坏：{exc.message_zh}", f"the log {p} is damaged: {exc.message_en}") from exc

    def checkpoints(self) -> list[str]:
        d = self.path / "checkpoints"
        size = self.log().size
        notes = sorted(d.glob("*.note")) if d.exists() else []
        return [p.read_text(encoding="utf-8") for p in notes if p.stem.isdigit() and int(p.stem) <= size]

    def results(self) -> dict[str, bytes]:
        if replay_log(self.log()).state in (State.DRAFT, State.ROSTER_FROZEN, State.SOURCES_DECLARED,
                                            State.COMMITTED, State.REVEALED, State.SEEDED):
            return {}  # results/ from an execute that never committed are not results
        return _read_tree(self.path / "results")

    def publication(self) -> dict[str, bytes]:
        if replay_log(self.log()).state is not State.PUBLISHED:
            return {}
        return _read_tree(self.path / "published")

    # ---- writing --------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self._run_json()
        with open(self.path / ".lock", "a+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                _sweep_leftovers(self.path)
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def append(self, entry: LogEntry, payload: object, checkpoint: str, *,
               results: Mapping[str, bytes] | None = None, key: str | None = None,
               inputs: PreparedRun | None = None, publication: Mapping[str, bytes] | None = None) -> None:
        with self._locked():
            log = self.log()
            check_prev(log, entry)
            log.entries.append(entry)
            log.payloads.append(payload)
            if inputs is not None:  # before the commit point: a crash here leaves the old log (docs/architecture.md)
                self._write_inputs(inputs)
            if results is not None:
                _write_tree_atomic(self.path / "results", results)
            if publication is not None:  # read only once the log says PUBLISHED
                _write_tree_atomic(self.path / "published", publication)
            _write_atomic(self.path / "checkpoints" / f"{log.size:06d}.note", checkpoint.encode())
            run_json = self._run_json()
            if key is not None and key not in run_json["keys"]:
                run_json["keys"].append(key)
                _write_atomic(self.path / "run.json", _dump(run_json))
            _write_atomic(self.path / "log.jsonl", log.to_bytes())  # the commit point

    def replace_inputs(self, prepared: PreparedRun) -> None:
        with self._locked():
            self._write_inputs(prepared)

    def _write_inputs(self, prepared: PreparedRun) -> None:
        files = self._prepared_files(prepared)
        for rel in ("prepared/config.json", "prepared/roster.json", "prepared/private.json"):
            _write_atomic(self.path / rel, files[rel])
        _write_tree_atomic(self.path / "prepared" / "sources",
                           {k[len("prepared/sources/"):]: v for k, v in files.items()
                            if k.startswith("prepared/sources/")})

    def save_publication(self, files: Mapping[str, bytes]) -> None:
        with self._locked():
            if _read_tree(self.path / "published") != dict(files):
                _write_tree_atomic(self.path / "published", files)
