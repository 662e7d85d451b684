"""The ``--out`` result folder: written whole or not at all, and never over a user's own files.

A result folder is replaced only when it is ours: empty, or a previous Sunshine result
folder, recognisable by its marker file :data:`MARKER` (written into every result folder).
Anything else (a folder holding the inputs, ``.``, the home folder, an existing file) is
refused with a bilingual :class:`OutputError`, and nothing is touched.

The new folder is first written to a sibling staging folder (mode 0700, named after the
target, this process and a random tag), then renamed onto ``--out``; the old result folder
is moved aside before and removed after, so at every instant ``--out`` is either the old
complete result or the new one. Files under ``private/`` and ``audit-private/`` are mode
0600. A staging folder left behind by a killed process (SIGKILL, power cut) is recognised
by its name and its process id no longer running, and removed the next time a result is
written beside it; SIGTERM during the write removes the staging folder before exiting.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import shutil
import signal
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import FrameType

from audit.published import RESULT_MARKER
from engine.errors import SunshineError

__all__ = ["MARKER", "PRIVATE_DIRS", "OutputError", "write_result_folder"]

MARKER = RESULT_MARKER
#: Folders of a result that hold names, ID numbers or salts: written 0600, never published.
PRIVATE_DIRS = ("private", "audit-private")
_STAGING = re.compile(r"^\.(?P<name>.+)\.sunshine-(?:staging|old)-(?P<pid>\d+)-[0-9a-f]{8}$")


class OutputError(SunshineError):
    """The result folder cannot be written (refused to replace a user's folder, or a write failed)."""


def _describe(exc: OSError) -> tuple[str, str]:
    if exc.errno == errno.ENOSPC:
        return "磁盘空间不足", "no space left on the device"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "没有写入权限（只读位置？）", "permission denied (a read-only place?)"
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return "路径中有同名文件挡住了文件夹", "a file is in the way where a folder should be"
    return exc.strerror or "写入失败", exc.strerror or "write failed"


def _is_result_folder(folder: Path) -> bool:
    """Ours: it carries the marker, or (folders written before the marker existed) a Sunshine bundle manifest."""
    if (folder / MARKER).is_file():
        return True
    try:
        manifest = json.loads((folder / "bundle" / "manifest.json").read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and str(manifest.get("format", "")).startswith("sunshine-bundle/")


def _check_target(target: Path) -> None:
    """Refuse to replace anything that is not empty and not a previous result folder of ours."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise OutputError(
            f"输出位置 {target} 已存在且不是文件夹，为避免覆盖，请换一个 --out",
            f"the output path {target} exists and is not a folder; refusing to replace it (choose another --out)",
        )
    if not target.is_dir():
        return
    if _is_result_folder(target):
        return
    try:
        empty = next(target.iterdir(), None) is None
    except OSError as exc:
        zh, en = _describe(exc)
        raise OutputError(f"无法读取输出文件夹 {target}：{zh}",
                          f"cannot read the output folder {target}: {en}") from exc
    if not empty:
        raise OutputError(
            f"输出文件夹 {target} 不是空的，也不是以前的阳光招生结果文件夹；为保护其中的文件，未作任何改动。"
            "请指定一个新的或空的文件夹作为 --out",
            f"the output folder {target} is not empty and is not a previous Sunshine result folder (no {MARKER}); "
            "nothing was changed. Give a new or empty folder as --out",
        )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_staging(parent: Path, name: str) -> None:
    """Remove staging/old folders for ``name`` whose writing process is gone (killed mid-write)."""
    with contextlib.suppress(OSError):
        for entry in parent.iterdir():
            m = _STAGING.match(entry.name)
            if m and m.group("name") == name and entry.is_dir() and not _pid_alive(int(m.group("pid"))):
                shutil.rmtree(entry, ignore_errors=True)


@contextlib.contextmanager
def _terminate_cleanly() -> Iterator[None]:
    """Turn SIGTERM into SystemExit while writing, so the ``finally`` clean-up runs (main thread only)."""
    def handler(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (e.g. inside a server worker): nothing to install
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _write_tree(root: Path, files: Mapping[str, bytes]) -> None:
    for rel, data in sorted(files.items()):
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        private = rel.split("/", 1)[0] in PRIVATE_DIRS
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    for d in PRIVATE_DIRS:
        if (root / d).is_dir():
            os.chmod(root / d, 0o700)


def write_result_folder(out: str | Path, files: Mapping[str, bytes], *, run_id: str, kind: str) -> Path:
    """Write ``files`` (relative path → bytes) as the folder ``out``, replacing only a result folder of ours.

    Raises :class:`OutputError` (bilingual; exit 2 from the CLI) when ``out`` is a user's folder or a
    file, or when writing fails (read-only place, disk full); then ``out`` is exactly as it was.
    """
    target = Path(out).expanduser().absolute()
    _check_target(target)
    parent = target.parent
    tag = f"{os.getpid()}-{secrets.token_hex(4)}"
    staging = parent / f".{target.name}.sunshine-staging-{tag}"
    marker = json.dumps({"format": "sunshine-result/v1", "run_id": run_id, "kind": kind},
                        sort_keys=True).encode() + b"\n"
    with _terminate_cleanly():
        try:
            parent.mkdir(parents=True, exist_ok=True)
            _remove_stale_staging(parent, target.name)
            staging.mkdir(mode=0o700)
        except OSError as exc:
            zh, en = _describe(exc)
            raise OutputError(f"无法创建输出文件夹 {target}：{zh}", f"cannot create the output folder {target}: {en}") \
                from exc
        try:
            _write_tree(staging, {**files, MARKER: marker})
            os.chmod(staging, 0o755)
            old: Path | None = None
            if target.exists():
                old = parent / f".{target.name}.sunshine-old-{tag}"
                os.replace(target, old)
            try:
                os.replace(staging, target)
            except OSError:
                if old is not None:  # put the previous result back before reporting
                    os.replace(old, target)
                raise
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            zh, en = _describe(exc)
            raise OutputError(f"写入输出文件夹 {target} 失败：{zh}；原有内容未改动",
                              f"writing the output folder {target} failed: {en}; nothing was changed") from exc
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return target
