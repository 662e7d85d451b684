"""RFC 6962 Merkle trees (restated in RFC 9162 §2.1): hashes, inclusion and consistency proofs.

* ``MTH({}) = SHA-256()``; leaf ``SHA-256(0x00 ‖ d)``; node ``SHA-256(0x01 ‖ left ‖ right)``
  (the prefixes block leaf/node second preimages).
* For ``n > 1`` the tree splits at ``k``, the largest power of two below ``n``. Built
  bottom-up this is: pair adjacent nodes, and promote an unpaired last node unchanged.
* Proof verification follows the RFC 9162 §2.1.3.2 and §2.1.4.2 algorithms literally;
  generation follows RFC 6962 §2.1.1 (``PATH``) and §2.1.2 (``SUBPROOF``).

Verification functions are pure and raise :class:`~audit.errors.ProofError` for an
impossible request and :class:`~audit.errors.RootMismatch` when the computed root differs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from audit.errors import ProofError, RootMismatch
from engine.lottery.sha256_kernel import sha256_many

__all__ = [
    "EMPTY_ROOT",
    "MerkleTree",
    "consistency_proof",
    "leaf_hash",
    "leaf_hashes",
    "node_hash",
    "root_from_inclusion_proof",
    "root_of",
    "root_of_digests",
    "verify_consistency",
    "verify_inclusion",
]

EMPTY_ROOT = hashlib.sha256(b"").digest()
_sha = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 ‖ data)``."""
    return _sha(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 ‖ left ‖ right)``."""
    return _sha(b"\x01" + left + right).digest()


def _levels(hashes: Sequence[bytes]) -> list[list[bytes]]:
    levels = [list(hashes)]
    level = levels[0]
    while len(level) > 1:
        nxt = _pair_level(level)
        levels.append(nxt)
        level = nxt
    return levels


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """Root of the tree whose leaves have the given leaf hashes (``EMPTY_ROOT`` for none)."""
    return root_of_digests(_as_rows(leaf_hashes))


def root_of_digests(level: NDArray[np.uint8]) -> bytes:
    """:func:`root_of` for leaf hashes given as the rows of an ``(n, 32)`` array (a million-leaf roster)."""
    if level.shape[0] == 0:
        return EMPTY_ROOT
    while level.shape[0] > 1:
        level = _pair_digests(level)
    return bytes(level[0].tobytes())


def _pair_digests(level: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """One level up: hash adjacent pairs; an unpaired last node is promoted unchanged (left-balanced tree).

    All node hashes of a level are one call of the numba SHA-256 kernel.
    """
    m = level.shape[0]
    pairs = m // 2
    flat = np.ascontiguousarray(level[: 2 * pairs]).reshape(-1)
    up = sha256_many(flat, np.arange(pairs, dtype=np.int64) * 64, np.full(pairs, 64, dtype=np.int64), b"\x01")
    return np.concatenate([up, level[-1:]]) if m % 2 else up


def _as_rows(hashes: Sequence[bytes]) -> NDArray[np.uint8]:
    return np.frombuffer(b"".join(hashes), dtype=np.uint8).reshape(len(hashes), 32)


def _as_list(rows: NDArray[np.uint8]) -> list[bytes]:
    data = rows.tobytes()
    return [data[i : i + 32] for i in range(0, len(data), 32)]


def _pair_level(level: list[bytes]) -> list[bytes]:
    return _as_list(_pair_digests(_as_rows(level)))


def leaf_hashes(data: Sequence[bytes]) -> list[bytes]:
    """:func:`leaf_hash` of every item (one call of the numba SHA-256 kernel, for large rosters)."""
    lens = np.fromiter(map(len, data), dtype=np.int64, count=len(data))
    starts = np.zeros(len(data), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    return _as_list(sha256_many(np.frombuffer(b"".join(data), dtype=np.uint8), starts, lens, b"\x00"))


class MerkleTree:
    """A tree over leaf hashes with all levels kept, for issuing many inclusion proofs."""

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        self._leaves = list(leaf_hashes)
        self._levels = _levels(self._leaves) if self._leaves else [[]]

    @property
    def size(self) -> int:
        return len(self._leaves)

    @property
    def root(self) -> bytes:
        return self._levels[-1][0] if self._leaves else EMPTY_ROOT

    def inclusion_proof(self, index: int) -> list[bytes]:
        """Audit path of leaf ``index`` (RFC 6962 §2.1.1), leaf to root. Requires ``0 <= index < size``."""
        if not 0 <= index < self.size:
            raise ProofError(f"叶子序号越界：{index}", f"leaf index {index} out of range for size {self.size}")
        path: list[bytes] = []
        i = index
        for level in self._levels[:-1]:
            sibling = i ^ 1
            if sibling < len(level):
                path.append(level[sibling])
            i >>= 1
        return path

    def consistency_proof(self, old_size: int) -> list[bytes]:
        """Consistency proof from the prefix of ``old_size`` leaves to this tree (RFC 6962 §2.1.2)."""
        return consistency_proof(self._leaves, old_size)


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """``PROOF(m, D[n])`` of RFC 6962 §2.1.2. Requires ``0 <= old_size <= len(leaf_hashes)``."""
    n = len(leaf_hashes)
    if not 0 <= old_size <= n:
        raise ProofError(f"旧树大小越界：{old_size}", f"old size {old_size} out of range for size {n}")
    if old_size in (0, n):
        return []
    return _subproof(old_size, leaf_hashes, True)


def _split(n: int) -> int:
    k = 1
    while k << 1 < n:
        k <<= 1
    return k


def _subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [root_of(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete), root_of(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), root_of(leaves[:k])]


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2 steps 1–6: the root implied by ``proof`` for leaf hash ``leaf``.

    Requires ``0 <= index < size``; raises :class:`ProofError` when the proof has the wrong length.
    """
    if not 0 <= index < size:
        raise ProofError(f"叶子序号 {index} 不在树大小 {size} 内", f"leaf index {index} not below tree size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if len(p) != 32:
            raise ProofError("证明中的哈希长度错误", "proof hash is not 32 bytes")
        if sn == 0:
            raise ProofError("证明过长", "inclusion proof too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("证明过短", "inclusion proof too short")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Check that leaf hash ``leaf`` is leaf ``index`` of the tree of ``size`` leaves with ``root``."""
    calculated = root_from_inclusion_proof(index, size, leaf, proof)
    if calculated != root:
        raise RootMismatch("inclusion", f"leaf {index}", root, calculated)


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """RFC 9162 §2.1.4.2: check the tree (size1, root1) is a prefix of the tree (size2, root2)."""
    if not 0 <= size1 <= size2:
        raise ProofError(f"树大小 {size1} > {size2}", f"size1 {size1} must be between 0 and size2 {size2}")
    if any(len(p) != 32 for p in proof):
        raise ProofError("证明中的哈希长度错误", "proof hash is not 32 bytes")
    if size1 == size2:
        if proof:
            raise ProofError("同大小的树不应有证明", "proof must be empty for equal sizes")
        if root1 != root2:
            raise RootMismatch("consistency", f"size {size2}", root1, root2)
        return
    if size1 == 0:
        if proof:
            raise ProofError("空树的一致性证明必须为空", "proof must be empty from the empty tree")
        return
    if not proof:
        raise ProofError("一致性证明为空", "consistency proof is empty")
    path = list(proof)
    if size1 & (size1 - 1) == 0:  # step 1: size1 is a power of two, so its root starts the path
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:  # step 3
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]  # step 4
    for c in path[1:]:  # step 5
        if sn == 0:
            raise ProofError("一致性证明过长", "consistency proof too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:  # step 6
        raise ProofError("一致性证明过短", "consistency proof too short")
    if fr != root1:
        raise RootMismatch("consistency", f"old size {size1}", root1, fr)
    if sr != root2:
        raise RootMismatch("consistency", f"new size {size2}", root2, sr)
