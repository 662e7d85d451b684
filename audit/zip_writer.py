"""The deterministic zip container of ``bundle.zip``, with its members deflated on other threads.

Why (issue 12): deflating a city bundle (a 243 MB ``roster.jsonl`` among 285 MB of members)
took 5 s on the build's one thread, while the second core sat idle. :mod:`zipfile` deflates a
member inside ``writestr`` on the calling thread and has no way to take a member already
deflated, so this module writes the container itself and the deflate of each member can run
anywhere, as soon as the member's bytes exist: :class:`Deflater` starts a member on a worker
thread (``zlib`` releases the GIL) and the zip is assembled later from the finished members in
sorted-name order. A member's deflate stream depends only on its bytes and the level, never on
which thread ran it or when, so the zip's bytes do not depend on the schedule.

The bytes are those :mod:`zipfile` (CPython 3.11) writes for ``writestr(ZipInfo(name,
date_time=(1980, 1, 1, 0, 0, 0)), data, compresslevel=level)`` with ``compress_type =
ZIP_DEFLATED``, ``external_attr = 0o644 << 16`` and ``create_system = 3`` into a seekable
buffer: local header (version 20, no flags, sizes and CRC-32 filled in, no extra field), the
raw deflate stream (``zlib.compressobj(level, DEFLATED, -15)``), then the central directory and
the end record, no comments. The tests compare with :mod:`zipfile` byte for byte. Zip64 is not
written: a member or archive that would need it (about 2 GiB, beyond a bundle's limits) is refused.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from audit.errors import BundleError

__all__ = ["Deflated", "Deflater", "deflate", "deflater", "zip_archive"]

_DOS_DATE = (1980 - 1980) << 9 | 1 << 5 | 1  # 1980-01-01
_DOS_TIME = 0  # 00:00:00
_VERSION = 20  # zipfile's DEFAULT_VERSION: deflate, no zip64
_UNIX = 3
_MODE = 0o644 << 16
_ZIP64_LIMIT = (1 << 31) - 1  # zipfile's ZIP64_LIMIT


@dataclass(frozen=True)
class Deflated:
    """One member deflated: its uncompressed size, CRC-32 and raw deflate stream; ``source`` is the data itself."""

    source: bytes
    crc: int
    compressed: bytes


def deflate(data: bytes, level: int) -> Deflated:
    """``data`` deflated exactly as :mod:`zipfile` does for a member at ``level`` (and its CRC-32)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    compressed = compressor.compress(data) + compressor.flush()
    return Deflated(data, zlib.crc32(data), compressed)


class Deflater:
    """Members deflated on a worker thread, started as soon as their bytes exist (see the module docstring).

    :meth:`start` hands a member to the worker; :meth:`take` gives the finished member for
    exactly those bytes (the same object that was started), deflating here whatever was not
    started. The worker belongs to a :func:`deflater` block, which waits for it on leaving.
    """

    def __init__(self, pool: ThreadPoolExecutor | None, level: int) -> None:
        self._pool = pool
        self._level = level
        self._started: dict[str, Future[Deflated]] = {}

    @property
    def level(self) -> int:
        return self._level

    def start(self, name: str, data: bytes) -> None:
        """Deflate member ``name`` on the worker (no worker: later, in :meth:`take`)."""
        if self._pool is not None and name not in self._started:
            self._started[name] = self._pool.submit(deflate, data, self._level)

    def take(self, name: str, data: bytes) -> Deflated:
        """Member ``name`` deflated; raises ``ValueError`` if other bytes than ``data`` were started under that name."""
        job = self._started.get(name)
        if job is None:
            return deflate(data, self._level)
        done = job.result()
        if done.source is not data:
            raise ValueError(f"{name}: the member started for deflating is not the member zipped")
        return done


@contextmanager
def deflater(level: int, *, threaded: bool = True) -> Iterator[Deflater]:
    """A :class:`Deflater` with one worker thread (``threaded``), joined when the block ends."""
    if not threaded:
        yield Deflater(None, level)
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="deflate") as pool:
        yield Deflater(pool, level)


def zip_archive(files: Mapping[str, bytes], members: Deflater) -> bytes:
    """The zip of ``files`` in sorted-name order, each member taken from ``members``.

    Raises :class:`BundleError` when a member or the archive would need zip64 (see the module docstring).
    """
    parts: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    names = sorted(files)
    for name in names:  # the largest members are usually started already; the rest deflate here
        member = members.take(name, files[name])
        size, csize = len(member.source), len(member.compressed)
        if size * 1.05 > _ZIP64_LIMIT or csize > _ZIP64_LIMIT or offset > _ZIP64_LIMIT:
            raise _too_large(name)
        raw_name = name.encode("ascii") if name.isascii() else name.encode("utf-8")
        flags = 0 if name.isascii() else 0x800
        head = struct.pack("<4s2B4HL2L2H", b"PK\003\004", _VERSION, 0, flags, zlib.DEFLATED, _DOS_TIME, _DOS_DATE,
                           member.crc, csize, size, len(raw_name), 0)
        central.append(struct.pack("<4s4B4HL2L5H2L", b"PK\001\002", _VERSION, _UNIX, _VERSION, 0, flags,
                                   zlib.DEFLATED, _DOS_TIME, _DOS_DATE, member.crc, csize, size, len(raw_name), 0, 0,
                                   0, 0, _MODE, offset) + raw_name)
        parts += (head, raw_name, member.compressed)
        offset += len(head) + len(raw_name) + csize
    directory = b"".join(central)
    if offset > _ZIP64_LIMIT or len(names) > 0xFFFF:
        raise _too_large("bundle.zip")
    end = struct.pack("<4s4H2LH", b"PK\005\006", 0, 0, len(names), len(names), len(directory), offset, 0)
    return b"".join([*parts, directory, end])


def _too_large(what: str) -> BundleError:
    return BundleError(f"{what} 超过 2 GiB（或 65,535 个文件），数据包 zip 不使用 zip64",
                       f"{what} is over 2 GiB (or 65,535 members): bundle zips do not use zip64")
