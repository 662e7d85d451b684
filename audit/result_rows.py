"""The result rows tree: one RFC 6962 leaf per data row of every public result CSV (``docs/bundle.md``).

A receipt shows a parent *their* row of ``results.csv``. The file's SHA-256 is signed, but a
row copied out of it is not: without more, a receipt could carry another school, or another
child's row. So ``run.execute`` also signs ``rows = {"root", "size", "files"}``: the root of a
tree whose leaf ``i`` is the canonical (RFC 8785) bytes of

    [file, header, row]

for every data row of every result file whose name ends in ``.csv`` and whose bytes are UTF-8
(every engine writes UTF-8), files in code point
order, rows in file order (``header`` and ``row`` are the cells as :mod:`csv` reads them).
``files`` gives each CSV's number of data rows, so the leaves of a file are one range of
indices and a leaf index says which row it is: data row ``line`` (1-based, the header being
line 1, as :func:`audit.results.rows_index` numbers it) of the file whose range starts at
``offset`` is leaf ``offset + line - 2``. A receipt carries each row's leaf index and inclusion
proof, which :mod:`audit.receipt` checks against the signed root.

How (a million-row ``results.csv``): when a file has nothing the csv module or JSON would
treat specially (no quote, backslash or control character but the line ends, no blank line),
the cells of a file's leaves are two byte replacements of its body (``a,b`` → ``a","b"]]``) and the
hashes one batch of the numba SHA-256 kernel, which starts every leaf of the file from the midstate of its
constant prefix ``0x00 [file,header,["``; any other file goes row
by row through :mod:`csv` and :func:`audit.canonical.canonical_bytes`. Both routes give the
same bytes (the tests compare them). Pure, no I/O.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from audit.canonical import canonical_bytes
from audit.merkle import MerkleTree, leaf_hash, root_of_digests
from engine.lottery.sha256_kernel import sha256_many

__all__ = ["ResultRows", "leaf_hash_of", "row_leaf", "rows_commitment"]

UInt8Array = NDArray[np.uint8]


def row_leaf(file: str, header: Sequence[str], row: Sequence[str]) -> bytes:
    """The leaf bytes of one result row: ``JCS([file, header, row])`` (the definition)."""
    return canonical_bytes([file, list(header), list(row)])


# bytes csv quoting or JSON escaping would touch (quote, backslash, controls but the line feed) → 0, others → 1
_SPECIAL_TABLE = bytes(0 if (b < 0x20 and b != 0x0A) or b in b'"\\' else 1 for b in range(256))


def _plain(data: bytes) -> bool:
    return b"\x00" not in data.translate(_SPECIAL_TABLE) and b"\n\n" not in data and not data.startswith(b"\n")


def _file_digests(name: str, data: bytes) -> UInt8Array | None:
    """The leaf hashes of one file's data rows, an ``(n, 32)`` array; None for a file that is not UTF-8.

    On the plain route a line ``a,b`` is the row ``["a","b"]`` and every leaf is
    ``P + row cells + S`` with ``P = '[<file>,<header>,["'`` and ``S = '"]]'``. ``P`` is the same in
    every leaf of the file, so it goes into the hash's prefix (after the leaf hash's ``0x00``): its
    whole 64-byte blocks are compressed once for the file (a midstate), and each leaf costs only the
    blocks of its own cells. The cells of all leaves are two byte replacements of the file's body
    (``,`` → ``","``, line end → ``"]]`` + line end), hashed in one batch of the numba kernel.
    """
    try:
        text = data.decode("utf-8")  # the check that it is UTF-8 (the plain route then works on the bytes)
    except UnicodeDecodeError:
        return None  # not a table of text: it names nobody, and is committed by its file hash alone
    if _plain(data):
        end = data.find(b"\n")
        last = len(data) - 1 if data.endswith(b"\n") else len(data)
        if end < 0 or end >= last:
            return np.zeros((0, 32), dtype=np.uint8)
        head = b'","'.join(data[:end].split(b","))
        p = b"".join((b"[", json.dumps(name, ensure_ascii=False).encode("utf-8"), b',["', head, b'"],["'))
        s = b'"]]'
        cells = data[end + 1 : last].replace(b",", b'","').replace(b"\n", s + b"\n") + s
        flat = np.frombuffer(cells, dtype=np.uint8)
        breaks = np.flatnonzero(flat == 0x0A)
        starts = np.concatenate(([0], breaks + 1)).astype(np.int64)
        lens = np.concatenate((breaks, [flat.shape[0]])) - starts
        return sha256_many(flat, starts, lens, b"\x00" + p)
    table = list(csv.reader(io.StringIO(text)))
    leaves = [row_leaf(name, table[0], row) for row in table[1:]] if table else []
    lens = np.fromiter(map(len, leaves), dtype=np.int64, count=len(leaves))
    starts = np.zeros(len(leaves), dtype=np.int64)
    if leaves:
        np.cumsum(lens[:-1], out=starts[1:])
    return sha256_many(np.frombuffer(b"".join(leaves), dtype=np.uint8), starts, lens, b"\x00")


def _digests(results: Mapping[str, bytes]) -> tuple[UInt8Array, dict[str, int]]:
    """Leaf hashes of every row (an ``(n, 32)`` array) and each CSV's row count, files in code point order."""
    parts: list[UInt8Array] = []
    files: dict[str, int] = {}
    for name in sorted(n for n in results if n.endswith(".csv")):
        digests = _file_digests(name, results[name])
        if digests is None:
            continue
        parts.append(digests)
        files[name] = int(digests.shape[0])
    return (np.concatenate(parts) if parts else np.zeros((0, 32), dtype=np.uint8)), files


def rows_commitment(results: Mapping[str, bytes]) -> dict[str, object]:
    """``{"root": hex, "size": n, "files": {csv name: data rows}}``: the ``rows`` of ``run.execute``.

    A ``.csv`` file that is not UTF-8 is not in the tree (nor in ``files``): it is not a table
    that names anyone, and its signed file hash still commits it.
    """
    digests, files = _digests(results)
    return {"root": root_of_digests(digests).hex(), "size": int(digests.shape[0]), "files": files}


@dataclass
class ResultRows:
    """The rows tree of one run with all levels kept, for the inclusion proofs of many receipts."""

    tree: MerkleTree
    offsets: dict[str, int]  # first leaf index of each CSV

    @classmethod
    def of(cls, results: Mapping[str, bytes]) -> ResultRows:
        digests, files = _digests(results)
        data = digests.tobytes()
        offsets, at = {}, 0
        for name, n in files.items():
            offsets[name] = at
            at += n
        return cls(MerkleTree([data[i : i + 32] for i in range(0, len(data), 32)]), offsets)

    def index(self, file: str, line: int) -> int:
        """Leaf index of data row ``line`` (1-based, header = 1) of ``file``."""
        return self.offsets[file] + line - 2

    def proof(self, file: str, line: int) -> tuple[int, list[str]]:
        """(leaf index, hex inclusion proof) of that row."""
        i = self.index(file, line)
        return i, [p.hex() for p in self.tree.inclusion_proof(i)]


def leaf_hash_of(file: str, header: Sequence[str], row: Sequence[str]) -> bytes:
    """RFC 6962 leaf hash of one row (what a receipt's proof starts from)."""
    return leaf_hash(row_leaf(file, header, row))
