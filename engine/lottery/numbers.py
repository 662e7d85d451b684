"""Lottery numbers (派位号) and the single tie-break order they define.

Spec: docs/randomness.md §3.2. Every unit gets ``lottery_number(seed, "lottery",
key)`` where the key is ``[application_number]`` or, for multiples, the members'
numbers sorted ascending. Smaller numbers come first; equal numbers (≈3·10⁻⁸ for
a million applicants) are ordered by ``encode_key(key)`` bytewise. The resulting
0-based position is the *rank*, the only thing the mechanisms see, so all three
mechanisms use one draw (single tie-breaking, STB).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from engine.arrays import Int64Array, UInt64Array
from engine.lottery.sha256_kernel import flatten_keys, hmac_first8_flat
from engine.randomness import SEED_BYTES, encode_key, encode_str

__all__ = ["KIND", "draw_numbers", "number_drawer", "priority_ranks"]

KIND = "lottery"


def draw_numbers(seed: bytes, keys: Sequence[Sequence[str]], kind: str = KIND) -> UInt64Array:
    """The 64-bit lottery number of every item, in the order of ``keys``: the one way numbers are drawn.

    The lottery (``kind="lottery"``) and the points tie-break (``kind="points"``) both draw
    here, so a 派位号 has one implementation in production. Bit-for-bit
    ``engine.randomness.lottery_numbers(seed, kind, keys)`` (tested): the
    HMAC-SHA256s run in the numba kernel of :mod:`engine.lottery.sha256_kernel`, with the
    key schedule and message prefix (spec §3: ``enc(TAG) ‖ enc(kind) ‖ enc(purpose)``)
    folded into precomputed midstates, instead of one hashlib call chain per unit.
    """
    return number_drawer(keys, kind)(seed)


def number_drawer(keys: Sequence[Sequence[str]], kind: str = KIND) -> Callable[[bytes], UInt64Array]:
    """``seed -> draw_numbers(seed, keys, kind)`` with the keys encoded once, for many seeds over one market."""
    flat = flatten_keys(keys)
    prefix = encode_str("sunshine/v1/item") + encode_str(kind) + encode_str("lottery-number")

    def draw(seed: bytes) -> UInt64Array:
        if len(seed) != SEED_BYTES:
            from engine.randomness import lottery_number

            lottery_number(seed, kind, [])  # raises the spec's SeedError
        return hmac_first8_flat(seed, prefix, flat)

    return draw


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
