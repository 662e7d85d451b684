"""Writing result directories atomically and CSV files byte-for-byte reproducibly.

A run writes into a sibling temporary directory and only renames it onto ``--out``
once everything succeeded, so a rejected input or a crash leaves ``--out`` exactly as
it was (nothing half-written for a clerk to mistake for a result).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

__all__ = ["csv_bytes", "staged_directory", "write_files"]


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 CSV (no BOM), ``\\n`` line endings, minimal quoting: the contract format of result files."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode("utf-8")


def write_files(directory: Path, files: Mapping[str, bytes]) -> None:
    """Write ``files`` (relative path → bytes) under ``directory``, creating sub-folders."""
    for name, data in sorted(files.items()):
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


@contextmanager
def staged_directory(out: str | Path) -> Iterator[Path]:
    """Yield a fresh temporary directory beside ``out``; on success it replaces ``out``.

    On any exception the temporary directory is removed and ``out`` is untouched.
    An existing ``out`` is moved aside, the new one renamed in, then the old removed,
    so at every instant ``out`` is either the old complete result or the new one.
    """
    target = Path(out).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old: Path | None = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.rmdir(old)
        os.replace(target, old)
    os.replace(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
