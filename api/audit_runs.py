"""Edge helpers of the audit layer: run contexts, engine versions, bundle I/O, key files.

The pure half lives in :mod:`audit`; this module reads and writes files, looks at the
installed package versions and (only in :func:`now_utc`) the clock.
"""

from __future__ import annotations

import datetime as _dt
import gc
import os
import platform
import sys
import threading
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

from audit.bundle import read_zip
from audit.errors import BundleError, KeyFileError
from audit.roster import CommittedRoster, roster_private_json
from audit.signing import Signer
from engine.randomness import SPEC_VERSION

__all__ = [
    "DEFAULT_KEY_FILE",
    "engine_versions",
    "gc_paused",
    "load_bundle_files",
    "load_signer",
    "now_utc",
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


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the duration of a bulk job (a million small dicts).

    The collector would rescan the growing heap again and again (13 s → 4 s for parsing a
    1M-line roster); a build creates no reference cycles worth collecting. The pause is
    counted, so that in a long-running server two builds in two threads overlap safely:
    the first to enter switches the collector off, the last to leave restores what it found.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
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


def receipts_private(run_private: Mapping[str, Mapping[str, str]], roster: Sequence[Mapping[str, object]],
                     committed: CommittedRoster) -> bytes:
    """``audit-private/roster_private.json``: per applicant salt and private fields, for receipts.

    Written column-wise by :func:`audit.roster.roster_private_json` (the same bytes as
    ``json.dumps(…, ensure_ascii=False, sort_keys=True)``).
    """
    return roster_private_json(roster, run_private, committed)
