"""Lottery numbers (派位号) and the single tie-break order they define.

Spec: docs/randomness.md §3.2. Every unit gets ``lottery_number(seed, "lottery",
key)`` where the key is ``[application_number]`` or, for multiples, the members'
numbers sorted ascending. Smaller numbers come first; equal numbers (≈3·10⁻⁸ for
a million applicants) are ordered by ``encode_key(key)`` bytewise. The resulting
0-based position is the *rank*, the only thing the mechanisms see, so all three
mechanisms use one draw (single tie-breaking, STB).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.arrays import Int64Array, UInt64Array
from engine.lottery.sha256_kernel import hmac_first8
from engine.randomness import SEED_BYTES, encode_key, encode_str

__all__ = ["KIND", "draw_numbers", "priority_ranks"]

KIND = "lottery"


def draw_numbers(seed: bytes, keys: Sequence[Sequence[str]]) -> UInt64Array:
    """The 64-bit lottery number of every unit, in the order of ``keys``.

    Bit-for-bit ``engine.randomness.lottery_numbers(seed, "lottery", keys)`` (tested): the
    HMAC-SHA256s run in the numba kernel of :mod:`engine.lottery.sha256_kernel`, with the
    key schedule and message prefix (spec §3: ``enc(TAG) ‖ enc(kind) ‖ enc(purpose)``)
    folded into precomputed midstates, instead of one hashlib call chain per unit.
    """
    if len(seed) != SEED_BYTES:
        from engine.randomness import lottery_number

        lottery_number(seed, KIND, [])  # raises the spec's SeedError
    prefix = encode_str("sunshine/v1/item") + encode_str(KIND) + encode_str("lottery-number")
    return hmac_first8(seed, prefix, keys)


def priority_ranks(numbers: UInt64Array, keys: Sequence[Sequence[str]]) -> Int64Array:
    """0-based position of each unit in draw order (smaller number first, ties by key encoding).

    ``rank[u] == 0`` for the unit with the smallest number. Equal numbers are rare, so
    they are fixed up after one stable numpy sort instead of sorting by a Python key.
    """
    order = np.argsort(numbers, kind="stable")
    ordered = numbers[order]
    dup = np.flatnonzero(ordered[1:] == ordered[:-1])
    if dup.size:
        i = 0
        starts = sorted(set(dup.tolist()))
        while i < len(starts):
            lo = starts[i]
            hi = lo + 1
            while hi < len(ordered) and ordered[hi] == ordered[lo]:
                hi += 1
            block = order[lo:hi].tolist()
            block.sort(key=lambda u: encode_key(list(keys[u])))
            order[lo:hi] = block
            while i < len(starts) and starts[i] < hi:
                i += 1
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    return rank
