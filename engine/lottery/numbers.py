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
from engine.compiled import kernel
from engine.lottery.sha256_kernel import flatten_keys, hmac_first8_flat, hmac_first8_prepared, prepare_inner
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
    _check_seed(seed, kind)
    return hmac_first8_flat(seed, _prefix(kind), flatten_keys(keys))


def number_drawer(keys: Sequence[Sequence[str]], kind: str = KIND) -> Callable[[bytes], UInt64Array]:
    """``seed -> draw_numbers(seed, keys, kind)`` for many seeds over one market (tested equal).

    The keys are encoded, padded and their SHA-256 message schedules expanded once
    (:func:`~engine.lottery.sha256_kernel.prepare_inner`: the inner message does not depend
    on the seed), so each seed costs only the compression rounds.
    """
    prepared = prepare_inner(_prefix(kind), flatten_keys(keys))

    def draw(seed: bytes) -> UInt64Array:
        _check_seed(seed, kind)
        return hmac_first8_prepared(seed, prepared)

    return draw


def _prefix(kind: str) -> bytes:
    return encode_str("sunshine/v1/item") + encode_str(kind) + encode_str("lottery-number")


def _check_seed(seed: bytes, kind: str) -> None:
    if len(seed) != SEED_BYTES:
        from engine.randomness import lottery_number

        lottery_number(seed, kind, [])  # raises the spec's SeedError


_DIGIT_BITS = 11  # six passes of 2,048 buckets cover 64 bits; the counts stay in L1
_DIGITS = 1 << _DIGIT_BITS


@kernel
def _radix_order(numbers: UInt64Array, order: Int64Array, scratch: Int64Array) -> bool:
    # order = the indices of ``numbers`` sorted ascending, stable (equal numbers keep index order):
    # an LSD radix sort, 6 passes of 11 bits, O(n) whatever the values. ``scratch`` is a buffer of
    # the same length. Returns whether some numbers are equal (the caller orders those by key).
    n = numbers.shape[0]
    count = np.empty(_DIGITS, dtype=np.int64)
    for i in range(n):
        order[i] = i
    src = order
    dst = scratch
    for p in range(6):
        shift = np.uint64(p * _DIGIT_BITS)
        count[:] = 0
        for i in range(n):
            count[np.int64((numbers[i] >> shift) & np.uint64(_DIGITS - 1))] += 1
        total = 0
        for d in range(_DIGITS):
            c = count[d]
            count[d] = total
            total += c
        for i in range(n):
            u = src[i]
            digit = np.int64((numbers[u] >> shift) & np.uint64(_DIGITS - 1))
            dst[count[digit]] = u
            count[digit] += 1
        src, dst = dst, src
    # six passes: the sorted indices are back in ``order``
    tie = False
    for i in range(1, n):
        if numbers[order[i]] == numbers[order[i - 1]]:
            tie = True
            break
    return tie


@kernel
def _invert(order: Int64Array, rank: Int64Array) -> None:
    for i in range(order.shape[0]):
        rank[order[i]] = i


def priority_ranks(numbers: UInt64Array, keys: Sequence[Sequence[str]]) -> Int64Array:
    """0-based position of each unit in draw order (smaller number first, ties by key encoding).

    ``rank[u] == 0`` for the unit with the smallest number. The order is one stable radix
    pass over the 64-bit numbers (compiled, O(n): a simulation ranks thousands of draws,
    and a comparison sort of the numbers was a sixth of each draw's cost). Equal numbers
    are rare (≈3·10⁻⁸ for a million units), so they are fixed up afterwards by their key
    encoding instead of sorting by a Python key.
    """
    numbers = np.ascontiguousarray(numbers, dtype=np.uint64)
    order = np.empty(numbers.shape[0], dtype=np.int64)
    if _radix_order(numbers, order, np.empty_like(order)):
        ordered = numbers[order]
        dup = np.flatnonzero(ordered[1:] == ordered[:-1])
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
    _invert(order, rank)
    return rank
