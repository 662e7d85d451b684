"""Edge helpers of the audit layer: run contexts, engine versions, bundle I/O, key files.

The pure half lives in :mod:`audit`; this module reads and writes files, looks at the
installed package versions and (only in :func:`now_utc`) the clock.
"""

from __future__ import annotations

import datetime as _dt
import gc
import hashlib
import json
import os
import platform
import sys
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from audit.bundle import read_zip
from audit.ceremony import State, replay
from audit.errors import BundleError, KeyFileError
from audit.log import AuditLog
from audit.signing import Signer
from engine.randomness import SPEC_VERSION, encode_str

__all__ = [
    "DEFAULT_KEY_FILE",
    "RunAudit",
    "engine_versions",
    "gc_paused",
    "load_bundle_files",
    "load_signer",
    "now_utc",
    "practice_audit",
    "practice_roster_secret",
    "receipts_private",
    "write_key_file",
]

DEFAULT_KEY_FILE = Path("~/.config/sunshine/operator.key")
# every installed distribution whose version can change a byte of a result file or of the bundle:
# numpy/numba (the engines' kernels), pandas, ortools (class placement), pypinyin (homophone
# separation), openpyxl (publication.xlsx), matplotlib and pillow (chart.png), cryptography and
# rfc8785 (signatures, canonical JSON)
_DEPENDENCIES = ("cryptography", "matplotlib", "numba", "numpy", "openpyxl", "ortools", "pandas", "pillow",
                 "pypinyin", "rfc8785")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk job (building a million small dicts).

    The collector would rescan the growing heap again and again (13 s → 4 s for parsing a
    1M-line roster); these short-lived commands create no reference cycles worth collecting.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def now_utc() -> str:
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def engine_versions() -> dict[str, Any]:
    """Versions recorded in every ``run.execute`` entry (what a replay should run with).

    ``zlib`` is the runtime zlib that deflates ``publication.xlsx`` (and ``bundle.zip``): another
    zlib may compress the same content into other bytes.
    """
    deps = {}
    for name in _DEPENDENCIES:
        try:
            deps[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            deps[name] = "absent"
    try:
        sunshine = metadata.version("sunshine")
    except metadata.PackageNotFoundError:
        sunshine = "unknown"
    return {
        "sunshine": sunshine,
        "randomness": SPEC_VERSION,
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "zlib": zlib.ZLIB_RUNTIME_VERSION,
        "dependencies": deps,
    }


@dataclass
class RunAudit:
    """Audit state a run is published with: the log so far, the signer and the roster secret."""

    run_id: str
    origin: str
    practice: bool
    log: AuditLog
    signer: Signer
    roster_secret: bytes
    actor: str
    time: str | None
    history: list[str] = field(default_factory=list)  # earlier signed checkpoints
    keys: list[str] = field(default_factory=list)  # every verifier key (vkey) that signed in this run

    @property
    def state(self) -> State:
        return replay([(e.action, p) for e, p in zip(self.log.entries, self.log.payloads, strict=True)]).state


def _practice_bytes(label: str, seed: bytes) -> bytes:
    return hashlib.sha256(encode_str(f"sunshine/v1/practice-{label}") + seed).digest()


def practice_audit(kind: str, config_hash: str, roster_root: str, roster_size: int, seed: bytes) -> RunAudit:
    """Audit context of a practice run (engine command with ``--seed``).

    Deterministic on purpose, so a practice ``--out`` is byte-reproducible: the signing
    key and roster secret are derived from the seed (so they prove nothing, and the
    bundle says so), and entries carry no time.
    """
    digest = hashlib.sha256(bytes.fromhex(roster_root) + bytes.fromhex(config_hash) + seed).hexdigest()
    run_id = "practice-" + digest[:16]
    log = AuditLog()
    actor = "sunshine-practice"
    log.append(actor, "practice.init", None, {"kind": kind, "run_id": run_id, "config_hash": config_hash})
    log.append(actor, "roster.freeze", None,
               {"roster_root": roster_root, "roster_size": roster_size, "config_hash": config_hash})
    log.append(actor, "seed.practice", None,
               {"mode": "practice", "seed": seed.hex(), "notice": "manual seed typed in by the operator"})
    return RunAudit(
        run_id=run_id,
        origin=f"sunshine.practice/{run_id}",
        practice=True,
        log=log,
        signer=Signer("sunshine-practice", _practice_bytes("key", seed)),
        roster_secret=_practice_bytes("roster-secret", seed),
        actor=actor,
        time=None,
    )


def practice_roster_secret(seed: bytes) -> bytes:
    return _practice_bytes("roster-secret", seed)


def load_bundle_files(path: str | Path) -> dict[str, bytes]:
    """Read a bundle from a directory, a zip, or an ``--out`` directory containing ``bundle/``."""
    p = Path(path)
    if p.is_dir():
        if (p / "bundle" / "manifest.json").is_file():
            p = p / "bundle"
        return {f.relative_to(p).as_posix(): f.read_bytes() for f in sorted(p.rglob("*")) if f.is_file()}
    if p.is_file():
        return read_zip(p.read_bytes())
    raise BundleError(f"找不到数据包 {path}", f"no bundle at {path}")


def load_signer(path: str | Path | None) -> Signer:
    p = Path(os.path.expanduser(str(path or DEFAULT_KEY_FILE)))
    try:
        return Signer.from_skey(p.read_text())
    except OSError as exc:
        raise KeyFileError(f"无法读取密钥文件 {p}（先运行 sunshine keys init）",
                           f"cannot read key file {p} (run `sunshine keys init` first)") from exc


def write_key_file(path: str | Path | None, signer: Signer, *, overwrite: bool = False) -> Path:
    p = Path(os.path.expanduser(str(path or DEFAULT_KEY_FILE)))
    if p.exists() and not overwrite:
        raise KeyFileError(f"密钥文件已存在：{p}", f"key file already exists: {p} (refusing to overwrite)")
    p.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(signer.skey)
    os.chmod(p, 0o600)
    return p


def receipts_private(run_private: dict[str, dict[str, str]], roster: list[dict[str, Any]], salts: list[bytes]) -> bytes:
    """``audit-private/roster_private.json``: per applicant salt and private fields, for receipts."""
    out = {
        str(r["id"]): {"salt": salt.hex(), "private": run_private.get(str(r["id"]), {})}
        for r, salt in zip(roster, salts, strict=True)
    }
    return (json.dumps(out, ensure_ascii=False, sort_keys=True) + "\n").encode()
