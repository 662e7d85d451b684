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
the cells of a file's leaves are one compiled pass over its body (``a,b`` → ``a","b"]]``) and the
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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from audit.canonical import canonical_bytes
from audit.merkle import MerkleTree, leaf_hash, root_of_digests
from engine.arrays import Int64Array
from engine.compiled import kernel
from engine.lottery.sha256_kernel import sha256_many

__all__ = ["ResultRows", "leaf_hash_of", "row_leaf", "rows_commitment"]

UInt8Array = NDArray[np.uint8]


def row_leaf(file: str, header: Sequence[str], row: Sequence[str]) -> bytes:
    """The leaf bytes of one result row: ``JCS([file, header, row])`` (the definition)."""
    return canonical_bytes([file, list(header), list(row)])


@kernel
def _plain_cells(data: UInt8Array, body: int) -> tuple[UInt8Array, Int64Array, Int64Array, bool]:
    """The leaves' cells of a plain file, or ``ok`` False for a file the plain route cannot take.

    Plain: no byte that csv quoting or JSON escaping would touch (a quote, a backslash, a control
    character but the line feed), no blank line, not starting with a line feed. Then each data line
    ``a,b`` (from byte ``body``, after the header's line feed, to the end less one final line feed)
    becomes ``a","b"]]`` in ``out``, leaf ``i`` at ``out[starts[i]:starts[i] + lens[i]]``. One pass to
    check and count, one to write: what two ``bytes.replace`` and a search for the line ends did.
    """
    n = data.shape[0]
    commas = 0
    lines = 1
    ok = n == 0 or data[0] != 0x0A
    for i in range(n):
        b = data[i]
        if b == 0x0A:
            if i + 1 < n and data[i + 1] == 0x0A:
                ok = False
            if i >= body and i + 1 < n:
                lines += 1
        elif b < 0x20 or b == 0x22 or b == 0x5C:
            ok = False
        elif b == 0x2C and i >= body:
            commas += 1
    last = n - 1 if n > 0 and data[n - 1] == 0x0A else n
    out = np.empty(max(last - body, 0) + 2 * commas + 3 * lines, dtype=np.uint8)
    starts = np.empty(lines, dtype=np.int64)
    lens = np.empty(lines, dtype=np.int64)
    if not ok:
        return out[:0], starts[:0], lens[:0], False
    k = 0
    leaf = 0
    starts[0] = 0
    for i in range(body, last):
        b = data[i]
        if b == 0x2C:
            out[k] = 0x22
            out[k + 1] = 0x2C
            out[k + 2] = 0x22
            k += 3
        elif b == 0x0A:
            out[k] = 0x22
            out[k + 1] = 0x5D
            out[k + 2] = 0x5D
            k += 3
            lens[leaf] = k - starts[leaf]
            leaf += 1
            starts[leaf] = k
        else:
            out[k] = b
            k += 1
    out[k] = 0x22
    out[k + 1] = 0x5D
    out[k + 2] = 0x5D
    k += 3
    lens[leaf] = k - starts[leaf]
    return out[:k], starts, lens, True


#: Leaves per file above which the hashing is split in two halves on two threads (the kernel releases the GIL).
_SPLIT = 100_000


def _hashed(data: UInt8Array, starts: Int64Array, lens: Int64Array, prefix: bytes) -> UInt8Array:
    """``sha256_many`` of the leaves, a large batch as two halves on two threads joined in leaf order.

    Each leaf's hash depends only on its own bytes, so the halves give the bytes one call gives.
    """
    n = starts.shape[0]
    if n < _SPLIT:
        return sha256_many(data, starts, lens, prefix)
    half = n // 2
    with ThreadPoolExecutor(max_workers=2) as pool:
        parts = list(pool.map(lambda lo_hi: sha256_many(data, starts[lo_hi[0]:lo_hi[1]], lens[lo_hi[0]:lo_hi[1]],
                                                        prefix), [(0, half), (half, n)]))
    return np.concatenate(parts)


def _file_digests(name: str, data: bytes) -> UInt8Array | None:
    """The leaf hashes of one file's data rows, an ``(n, 32)`` array; None for a file that is not UTF-8.

    On the plain route a line ``a,b`` is the row ``["a","b"]`` and every leaf is
    ``P + row cells + S`` with ``P = '[<file>,<header>,["'`` and ``S = '"]]'``. ``P`` is the same in
    every leaf of the file, so it goes into the hash's prefix (after the leaf hash's ``0x00``): its
    whole 64-byte blocks are compressed once for the file (a midstate), and each leaf costs only the
    blocks of its own cells. The cells of all leaves come from one pass of :func:`_plain_cells` over the
    file (``,`` → ``","``, each line closed by ``"]]``) and are hashed in one batch of the numba kernel
    (two halves on the two cores for a large file).
    """
    try:
        text = data.decode("utf-8")  # the check that it is UTF-8 (the plain route then works on the bytes)
    except UnicodeDecodeError:
        return None  # not a table of text: it names nobody, and is committed by its file hash alone
    end = data.find(b"\n")
    last = len(data) - 1 if data.endswith(b"\n") else len(data)
    cells, starts, lens, plain = _plain_cells(np.frombuffer(data, dtype=np.uint8), end + 1)
    if plain:
        if end < 0 or end >= last:
            return np.zeros((0, 32), dtype=np.uint8)
        head = b'","'.join(data[:end].split(b","))
        p = b"".join((b"[", json.dumps(name, ensure_ascii=False).encode("utf-8"), b',["', head, b'"],["'))
        return _hashed(cells, starts, lens, b"\x00" + p)
    table = list(csv.reader(io.StringIO(text)))
    leaves = [row_leaf(name, table[0], row) for row in table[1:]] if table else []
    lens = np.fromiter(map(len, leaves), dtype=np.int64, count=len(leaves))
    starts = np.zeros(len(leaves), dtype=np.int64)
    if leaves:
        np.cumsum(lens[:-1], out=starts[1:])
    return _hashed(np.frombuffer(b"".join(leaves), dtype=np.uint8), starts, lens, b"\x00")


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
