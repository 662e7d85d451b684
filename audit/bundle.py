"""Bundle layout, building and loading; see ``docs/bundle.md``.

A bundle is a flat set of files (a directory ``bundle/`` or the deterministic
``bundle.zip``: names sorted, fixed 1980-01-01 timestamps, fixed permissions)::

    manifest.json     format, kind, run id, practice flag, SHA-256 of every other file
    config.json       canonical config / rule set (the ``PreparedRun.config``)
    roster.jsonl      committed roster leaves {"private", "record"}, one canonical line each
    seed.json         seed record (ceremony derivation inputs, or the flagged practice seed)
    log.jsonl         audit log: {"entry", "payload"} per line
    checkpoint        latest signed checkpoint (C2SP signed note)
    checkpoints.json  earlier signed checkpoints, each with a consistency proof to the latest
    keys.json         log verifier keys (vkey strings) and whether they are practice keys
    results/<name>    public result files exactly as ``execute`` returned them
    PRACTICE.txt      only in practice bundles

Building and loading are pure (bytes in, bytes out); the CLI does the file I/O.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from audit.canonical import canonical_bytes, sha256_hex
from audit.errors import BundleError
from audit.log import AuditLog
from audit.signing import Verifier
from audit.zip_limits import BUNDLE_ZIP_LIMITS, zip_size_problem
from audit.zip_writer import Deflater, deflater, zip_archive

__all__ = ["BUNDLE_FORMAT", "COSIGNATURES_FILE", "PRACTICE_NOTICE", "ZIP_LEVEL", "Bundle", "build_bundle", "read_zip",
           "zip_bytes"]

BUNDLE_FORMAT = "sunshine-bundle/v1"
PRACTICE_NOTICE = (
    "练习运行：种子由操作员手动输入，不是公开仪式产生的，结果不能作为正式录取结果。\n"
    "PRACTICE RUN: the seed was typed in by the operator, not derived in a public ceremony.\n"
    "These results are not an official admission result. The signing key is a practice key.\n"
)
_REQUIRED = ("manifest.json", "config.json", "roster.jsonl", "seed.json", "log.jsonl", "checkpoint", "keys.json")
#: Witness cosignatures of the published checkpoint: added after publication, so outside the manifest.
COSIGNATURES_FILE = "cosignatures.json"
_KNOWN = frozenset((*_REQUIRED, "checkpoints.json", "PRACTICE.txt", COSIGNATURES_FILE))


def _pretty(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode()


def build_bundle(
    *,
    kind: str,
    run_id: str,
    origin: str,
    practice: bool,
    config: Mapping[str, Any],
    roster_jsonl: bytes,
    seed_record: Mapping[str, Any],
    log: AuditLog,
    checkpoint: str,
    history: list[tuple[str, list[bytes]]],
    keys: list[Verifier],
    public_files: Mapping[str, bytes],
) -> dict[str, bytes]:
    """All bundle files (name → bytes). ``history`` = earlier (signed checkpoint, consistency proof).

    ``roster_jsonl``: the committed roster's lines, each followed by ``\n``
    (:attr:`audit.roster.CommittedRoster.jsonl`).
    """
    files: dict[str, bytes] = {
        "config.json": canonical_bytes(dict(config)),
        "roster.jsonl": roster_jsonl,
        "seed.json": canonical_bytes(dict(seed_record)),
        "log.jsonl": log.to_bytes(),
        "checkpoint": checkpoint.encode(),
        "checkpoints.json": _pretty([{"note": n, "proof": [p.hex() for p in proof]} for n, proof in history]),
        "keys.json": _pretty({"log_keys": [k.vkey for k in keys], "practice": practice}),
    }
    for name, data in public_files.items():
        files[f"results/{name}"] = data
    if practice:
        files["PRACTICE.txt"] = PRACTICE_NOTICE.encode()
    manifest = {
        "format": BUNDLE_FORMAT,
        "kind": kind,
        "run_id": run_id,
        "origin": origin,
        "practice": practice,
        "files": {name: sha256_hex(data) for name, data in sorted(files.items())},
    }
    if practice:
        manifest["notice"] = PRACTICE_NOTICE
    files["manifest.json"] = _pretty(manifest)
    return files


ZIP_LEVEL = 1  # 1M bundle: 96 MB in 3.0 s; level 6 (the old default): 84 MB in 10.2 s (benchmarks/RESULTS.md)


def zip_bytes(files: Mapping[str, bytes], *, level: int = ZIP_LEVEL, members: Deflater | None = None) -> bytes:
    """Deterministic zip: sorted names, fixed timestamps and permissions, deflate at ``level`` (``ZIP_LEVEL``).

    The level changes only the compressed bytes, never the members (``read_zip`` gives the same
    files); ``ZIP_LEVEL`` was chosen by measurement (benchmarks/RESULTS.md § bundle.zip level).
    ``members``: a :class:`~audit.zip_writer.Deflater` that already started deflating some members
    (the build starts ``roster.jsonl`` and the results on a worker thread while it goes on); the
    bytes are the same as without it (:mod:`audit.zip_writer`: those :mod:`zipfile` writes).
    """
    if members is not None and members.level != level:
        raise ValueError(f"members deflated at level {members.level}, not {level}")
    if members is not None:
        return zip_archive(files, members)
    with deflater(level, threaded=False) as here:
        return zip_archive(files, here)


def read_zip(data: bytes) -> dict[str, bytes]:
    """Every file of a zip, each checked against its CRC-32 by :mod:`zipfile`.

    Only stored or deflated, unencrypted members are accepted: that is all a bundle is ever
    written with, and anything else is not one of ours. A zip that declares more than
    :data:`~audit.zip_limits.BUNDLE_ZIP_LIMITS` (a zip bomb) is refused before anything is inflated.
    Raises :class:`BundleError` otherwise.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            problem = zip_size_problem(zf, BUNDLE_ZIP_LIMITS)
            if problem is not None:
                raise BundleError(f"数据包 zip 过大，拒绝解压：{problem[0]}",
                                  f"bundle zip refused unopened: {problem[1]}")
            infos = [i for i in zf.infolist() if not i.filename.endswith("/")]
            names = [i.filename for i in infos]
            if len(set(names)) != len(names):  # verify would read one copy, an unzip tool show the other
                dup = next(n for n in names if names.count(n) > 1)
                raise ValueError(f"{dup}: the zip holds two members of this name")
            for i in infos:
                if i.flag_bits & 0x1 or i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise ValueError(f"{i.filename}: encrypted or compression method {i.compress_type}")
            return {i.filename: zf.read(i) for i in infos}
    except (zipfile.BadZipFile, zlib.error, ValueError) as exc:
        raise BundleError(f"不是有效的数据包 zip 文件：{exc}", f"not a valid zip file (bundle): {exc}") from exc


@dataclass(frozen=True)
class Bundle:
    """A loaded bundle: structural checks only (crypto and replay live in :mod:`audit.verify`)."""

    files: dict[str, bytes]
    manifest: dict[str, Any]
    keys: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.manifest["kind"])

    @property
    def practice(self) -> bool:
        return bool(self.manifest["practice"])

    @property
    def results(self) -> dict[str, bytes]:
        return {n[len("results/") :]: d for n, d in self.files.items() if n.startswith("results/")}

    @classmethod
    def from_files(cls, files: Mapping[str, bytes]) -> Bundle:
        for name in _REQUIRED:
            if name not in files:
                raise BundleError(f"数据包缺少文件 {name}", f"bundle is missing {name}")
        unknown = sorted(n for n in files if n not in _KNOWN and not (n.startswith("results/") and len(n) > 8))
        if unknown:  # nothing unsigned may ride along under a rebuilt manifest
            raise BundleError(f"数据包含有不属于数据包的文件：{'、'.join(unknown)}",
                              f"the bundle holds files that are not part of a bundle: {', '.join(unknown)}")
        try:
            manifest = json.loads(files["manifest.json"])
            keys = json.loads(files["keys.json"])
            if manifest.get("format") != BUNDLE_FORMAT:
                raise ValueError(f"unknown format {manifest.get('format')!r}")
            for field in ("kind", "run_id", "origin", "practice", "files"):
                manifest[field]
        except (ValueError, KeyError, TypeError, RecursionError) as exc:  # RecursionError: [[[[… nested JSON
            detail = f"{type(exc).__name__}: {str(exc)[:200]}"
            raise BundleError("数据包清单无法读取", f"bundle manifest unreadable: {detail}") from exc
        return cls(dict(files), manifest, keys)
