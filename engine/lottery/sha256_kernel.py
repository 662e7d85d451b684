"""Batch HMAC-SHA256 lottery numbers in numba: the same bits as the spec, without per-item Python work.

Why: a million lottery numbers through :mod:`hashlib` cost ≈1.3 s of CPU, almost all
of it Python overhead (hash-object copies, ``bytes`` objects, method calls per item),
and that was the floor of the 1M-applicant benchmark. Here the whole batch is one
numba call over a flat byte buffer.

What: for every item, the first 8 bytes (big-endian ``uint64``) of
``HMAC-SHA256(key, prefix ‖ key(k1…kn))`` with ``key(…) = u32be(n) ‖ enc(k1) ‖ … ‖ enc(kn)``
(docs/randomness.md §2–§3). SHA-256 is FIPS 180-4 (initial hash value, round
constants, message schedule, padding with the big-endian 64-bit bit length);
HMAC is RFC 2104 (64-byte block, key hashed if longer, zero-padded, ``ipad`` 0x36,
``opad`` 0x5c). The ``key ⊕ ipad`` and ``key ⊕ opad`` blocks and any whole 64-byte
blocks of the constant prefix are compressed once (midstates); each item then
costs its own inner blocks plus one outer block. For many keys over the same items (a
simulation), :func:`prepare_inner` also expands the items' inner message schedules once,
since they do not depend on the key, so each key costs only the rounds of those blocks. Items are hashed 128 at a time,
one per vector lane (the loops over lanes compile to SIMD), as uint32 words whose
sums, shifts and rotations are all cast back mod 2^32; the one-off midstates use a
plain scalar compression on int64 words masked to 32 bits.

The result is bit-identical to :func:`engine.randomness.lottery_numbers` (the
hashlib/hmac reference, which stays the specification's executable form): tests
cross-check both on the published vectors and on random seeds and keys (empty,
non-ASCII, longer than a block, multi-part, empty batches) with hypothesis.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from engine.arrays import Int64Array, UInt8Array, UInt32Array, UInt64Array
from engine.compiled import inlined_kernel, kernel

__all__ = [
    "PreparedInner",
    "flatten_keys",
    "hmac_first8",
    "hmac_first8_flat",
    "hmac_first8_prepared",
    "hmac_sha256_many",
    "prepare_inner",
    "sha256_many",
    "utf8_parts",
]


_BLOCK = 64

# FIPS 180-4 §4.2.2 and §5.3.3.
_K = np.array(
    [
        0x428A2F98, 0x71374491, 0xB5C0FBCF, 0xE9B5DBA5, 0x3956C25B, 0x59F111F1, 0x923F82A4, 0xAB1C5ED5,
        0xD807AA98, 0x12835B01, 0x243185BE, 0x550C7DC3, 0x72BE5D74, 0x80DEB1FE, 0x9BDC06A7, 0xC19BF174,
        0xE49B69C1, 0xEFBE4786, 0x0FC19DC6, 0x240CA1CC, 0x2DE92C6F, 0x4A7484AA, 0x5CB0A9DC, 0x76F988DA,
        0x983E5152, 0xA831C66D, 0xB00327C8, 0xBF597FC7, 0xC6E00BF3, 0xD5A79147, 0x06CA6351, 0x14292967,
        0x27B70A85, 0x2E1B2138, 0x4D2C6DFC, 0x53380D13, 0x650A7354, 0x766A0ABB, 0x81C2C92E, 0x92722C85,
        0xA2BFE8A1, 0xA81A664B, 0xC24B8B70, 0xC76C51A3, 0xD192E819, 0xD6990624, 0xF40E3585, 0x106AA070,
        0x19A4C116, 0x1E376C08, 0x2748774C, 0x34B0BCB5, 0x391C0CB3, 0x4ED8AA4A, 0x5B9CCA4F, 0x682E6FF3,
        0x748F82EE, 0x78A5636F, 0x84C87814, 0x8CC70208, 0x90BEFFFA, 0xA4506CEB, 0xBEF9A3F7, 0xC67178F2,
    ],
    dtype=np.int64,
)  # fmt: skip
_IV = np.array(
    [0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19],
    dtype=np.int64,
)


_u32 = np.uint32  # truncating cast inside kernels: x mod 2^32



@kernel
def _load_block(w: Int64Array, buf: UInt8Array, pos: int) -> None:
    # W[0..15] = the 16 big-endian words of buf[pos : pos + 64].
    for t in range(16):
        i = pos + 4 * t
        w[t] = (np.int64(buf[i]) << 24) | (np.int64(buf[i + 1]) << 16) | (np.int64(buf[i + 2]) << 8) | np.int64(
            buf[i + 3]
        )


@kernel
def _compress(state: Int64Array, w: Int64Array) -> None:
    # One SHA-256 compression (FIPS 180-4 §6.2.2) of the block whose words are w[0..15]; w[16..63] is scratch.
    m = 0xFFFFFFFF
    for t in range(16, 64):
        x = w[t - 15]
        y = w[t - 2]
        s0 = ((x >> 7) | (x << 25)) ^ ((x >> 18) | (x << 14)) ^ (x >> 3)
        s1 = ((y >> 17) | (y << 15)) ^ ((y >> 19) | (y << 13)) ^ (y >> 10)
        w[t] = (w[t - 16] + (s0 & m) + w[t - 7] + (s1 & m)) & m
    a = state[0]
    b = state[1]
    c = state[2]
    d = state[3]
    e = state[4]
    f = state[5]
    g = state[6]
    h = state[7]
    for t in range(64):
        big1 = (((e >> 6) | (e << 26)) ^ ((e >> 11) | (e << 21)) ^ ((e >> 25) | (e << 7))) & m
        ch = (e & f) ^ ((e ^ m) & g)
        t1 = h + big1 + ch + _K[t] + w[t]
        big0 = (((a >> 2) | (a << 30)) ^ ((a >> 13) | (a << 19)) ^ ((a >> 22) | (a << 10))) & m
        maj = (a & b) ^ (a & c) ^ (b & c)
        h = g
        g = f
        f = e
        e = (d + t1) & m
        d = c
        c = b
        b = a
        a = (t1 + big0 + maj) & m
    state[0] = (state[0] + a) & m
    state[1] = (state[1] + b) & m
    state[2] = (state[2] + c) & m
    state[3] = (state[3] + d) & m
    state[4] = (state[4] + e) & m
    state[5] = (state[5] + f) & m
    state[6] = (state[6] + g) & m
    state[7] = (state[7] + h) & m


@kernel
def _midstate(data: UInt8Array) -> Int64Array:
    # State after compressing data (a whole number of blocks) from the initial hash value.
    state = _IV.copy()
    w = np.empty(64, dtype=np.int64)
    for pos in range(0, data.shape[0], 64):
        _load_block(w, data, pos)
        _compress(state, w)
    return state


@kernel
def _put_u32be(buf: UInt8Array, pos: int, value: int) -> None:
    buf[pos] = (value >> 24) & 0xFF
    buf[pos + 1] = (value >> 16) & 0xFF
    buf[pos + 2] = (value >> 8) & 0xFF
    buf[pos + 3] = value & 0xFF


_LANES = 128  # items hashed side by side; the inner loops over lanes are what the compiler vectorises


@inlined_kernel
def _schedule_lanes(w: UInt32Array, nl: int) -> None:
    # FIPS 180-4 §6.2.2 step 1 in each lane ln < nl: w[16..63, ln] from the block's words w[0..15, ln].
    # It depends on the message only, not on the chaining value: a simulation's inner blocks are the
    # same under every seed, so their schedules are expanded once (:func:`prepare_inner`).
    for t in range(16, 64):
        wt = w[t]
        w15 = w[t - 15]
        w2 = w[t - 2]
        w16 = w[t - 16]
        w7 = w[t - 7]
        for ln in range(nl):
            x = w15[ln]
            y = w2[ln]
            s0 = _u32((x >> 7) | (x << 25)) ^ _u32((x >> 18) | (x << 14)) ^ _u32(x >> 3)
            s1 = _u32((y >> 17) | (y << 15)) ^ _u32((y >> 19) | (y << 13)) ^ _u32(y >> 10)
            wt[ln] = _u32(_u32(w16[ln] + _u32(s0)) + _u32(w7[ln] + _u32(s1)))


@kernel
def _compress_lanes(state: UInt32Array, w: UInt32Array, a_hist: UInt32Array, e_hist: UInt32Array, nl: int) -> None:
    # One SHA-256 compression (FIPS 180-4 §6.2.2) in each lane ln < nl: state[:, ln] is the chaining
    # value, w[0..15, ln] the block's words; w[16..63] is scratch.
    _schedule_lanes(w, nl)
    _rounds_lanes(state, w, a_hist, e_hist, nl)


@inlined_kernel
def _rounds_lanes(state: UInt32Array, w: UInt32Array, a_hist: UInt32Array, e_hist: UInt32Array, nl: int) -> None:
    # The 64 rounds and the chaining addition (§6.2.2 steps 2-4) in each lane, w[0..63] expanded.
    # The working variables are kept
    # as histories: round t reads a, b, c, d = a_hist[t + 3], ..., a_hist[t] (e..h likewise from
    # e_hist) and writes a_hist[t + 4], e_hist[t + 4]. numba widens uint32 arithmetic to 64 bits;
    # every sum, shift and rotation is cast back with _u32 (mod 2^32), which also lets LLVM emit
    # 32-bit vector rotates across the lanes.
    for ln in range(nl):
        a_hist[3, ln] = state[0, ln]
        a_hist[2, ln] = state[1, ln]
        a_hist[1, ln] = state[2, ln]
        a_hist[0, ln] = state[3, ln]
        e_hist[3, ln] = state[4, ln]
        e_hist[2, ln] = state[5, ln]
        e_hist[1, ln] = state[6, ln]
        e_hist[0, ln] = state[7, ln]
    for t in range(64):
        k = _u32(_K[t])
        ar = a_hist[t + 3]
        br = a_hist[t + 2]
        cr = a_hist[t + 1]
        dr = a_hist[t]
        er = e_hist[t + 3]
        fr = e_hist[t + 2]
        gr = e_hist[t + 1]
        hr = e_hist[t]
        wt = w[t]
        a_next = a_hist[t + 4]
        e_next = e_hist[t + 4]
        for ln in range(nl):
            a = ar[ln]
            b = br[ln]
            c = cr[ln]
            e = er[ln]
            big1 = _u32(_u32((e >> 6) | (e << 26)) ^ _u32((e >> 11) | (e << 21)) ^ _u32((e >> 25) | (e << 7)))
            ch = _u32((e & fr[ln]) ^ (_u32(~e) & gr[ln]))
            t1 = _u32(_u32(hr[ln] + big1) + _u32(ch + _u32(k + wt[ln])))
            big0 = _u32(_u32((a >> 2) | (a << 30)) ^ _u32((a >> 13) | (a << 19)) ^ _u32((a >> 22) | (a << 10)))
            maj = _u32((a & b) ^ (a & c) ^ (b & c))
            e_next[ln] = _u32(dr[ln] + t1)
            a_next[ln] = _u32(t1 + _u32(big0 + maj))
    for ln in range(nl):
        for t in range(4):
            state[t, ln] = _u32(state[t, ln] + a_hist[67 - t, ln])
            state[t + 4, ln] = _u32(state[t + 4, ln] + e_hist[67 - t, ln])


@kernel
def _lane_buffers(most: int, tail: UInt8Array) -> tuple[UInt8Array, UInt32Array, Int64Array, UInt32Array,
                                                          UInt32Array, UInt32Array, UInt32Array]:
    # Per lane: a message row of ``most`` blocks starting with ``tail`` (its words view), how far
    # the row may hold non-zero bytes (msg[ln, dirty[ln]:] is all zero), the schedule, the state
    # and the round histories of _compress_lanes.
    lanes = _LANES
    msg = np.zeros((lanes, most * 64), dtype=np.uint8)
    for ln in range(lanes):
        msg[ln, : tail.shape[0]] = tail
    return (msg, msg.view(np.uint32), np.zeros(lanes, dtype=np.int64), np.empty((64, lanes), dtype=np.uint32),
            np.empty((8, lanes), dtype=np.uint32), np.empty((68, lanes), dtype=np.uint32),
            np.empty((68, lanes), dtype=np.uint32))


@kernel
def _group_stop(blocks: Int64Array, order: Int64Array, start: int) -> int:
    # End of the run of at most _LANES items from order[start] with the same block count.
    n = order.shape[0]
    stop = start + 1
    while stop < n and stop - start < _LANES and blocks[order[stop]] == blocks[order[start]]:
        stop += 1
    return stop


@kernel
def _order_by_blocks(blocks: Int64Array, most: int) -> Int64Array:
    # Item indices grouped by block count, stable (a counting sort; usually one group).
    n = blocks.shape[0]
    group_start = np.zeros(most + 2, dtype=np.int64)
    for i in range(n):
        group_start[blocks[i] + 1] += 1
    for g in range(1, most + 2):
        group_start[g] += group_start[g - 1]
    order = np.empty(n, dtype=np.int64)
    for i in range(n):
        order[group_start[blocks[i]]] = i
        group_start[blocks[i]] += 1
    return order


@kernel
def _pad(row: UInt8Array, pos: int, dirty: int, end: int, total: int) -> int:
    # FIPS 180-4 §5.1.1 padding after a message of ``total`` bytes whose last byte is row[pos - 1]:
    # 0x80, zeros (only where row is not already zero), u64be(bits) ending at row[end].
    row[pos] = 0x80
    for q in range(pos + 1, min(dirty, end - 8)):
        row[q] = 0
    bits = total * 8
    for b in range(8):
        row[end - 1 - b] = (bits >> (8 * b)) & 0xFF
    return max(dirty, end)


@kernel
def _load_words(w: UInt32Array, words: UInt32Array, blk: int, nl: int, little: bool) -> None:
    # w[0..15, ln] = the big-endian words of block blk of message row ln (rows read natively, then swapped).
    for ln in range(nl):
        for t in range(16):
            x = words[ln, blk * 16 + t]
            if little:
                x = _u32(((x & 0xFF) << 24) | ((x & 0xFF00) << 8) | ((x >> 8) & 0xFF00) | (x >> 24))
            w[t, ln] = x


@kernel
def _compress_rows(state: UInt32Array, state0: Int64Array, words: UInt32Array, w: UInt32Array,
                   a_hist: UInt32Array, e_hist: UInt32Array, nb: int, nl: int, little: bool) -> None:
    # state[:, ln] = state0, then the nb padded blocks of message row ln compressed into it.
    for t in range(8):
        for ln in range(nl):
            state[t, ln] = state0[t]
    for blk in range(nb):
        _load_words(w, words, blk, nl, little)
        _compress_lanes(state, w, a_hist, e_hist, nl)


@kernel
def _plan_items(lead: int, counts: Int64Array, part_lens: Int64Array) -> tuple[Int64Array, Int64Array, Int64Array,
                                                                             Int64Array, int]:
    # Per item: its first part, its inner message bytes after the midstate (tail ‖ key(...)), its
    # inner block count; the items grouped by block count (stable) and the largest count.
    n = counts.shape[0]
    first_part = np.empty(n + 1, dtype=np.int64)
    used = np.empty(n, dtype=np.int64)
    first_part[0] = 0
    most = 1
    for i in range(n):
        size = lead + 4
        for j in range(first_part[i], first_part[i] + counts[i]):
            size += 4 + part_lens[j]
        first_part[i + 1] = first_part[i] + counts[i]
        used[i] = size
        most = max(most, (size + 9 + 63) // 64)
    blocks = (used + 9 + 63) // 64
    return first_part, used, blocks, _order_by_blocks(blocks, most), most


@kernel
def _fill_rows(msg: UInt8Array, dirty: Int64Array, order: Int64Array, start: int, nl: int, lead: int, end: int,
               done: int, counts: Int64Array, first_part: Int64Array, used: Int64Array, part_starts: Int64Array,
               part_lens: Int64Array, raw: UInt8Array) -> None:
    # Row ln = the padded inner message of item order[start + ln] (FIPS 180-4 §5.1.1):
    # tail ‖ key(...) ‖ 0x80 ‖ zeros ‖ u64be(bits), ``end`` bytes; the tail is already in every row.
    for ln in range(nl):
        i = order[start + ln]
        row = msg[ln]
        pos = lead
        _put_u32be(row, pos, counts[i])
        pos += 4
        for j in range(first_part[i], first_part[i + 1]):
            length = part_lens[j]
            _put_u32be(row, pos, length)
            pos += 4
            src = part_starts[j]
            for b in range(length):
                row[pos + b] = raw[src + b]
            pos += length
        dirty[ln] = _pad(row, pos, dirty[ln], end, done + used[i])


@kernel
def _outer_first8(state: UInt32Array, outer0: Int64Array, w: UInt32Array, a_hist: UInt32Array,
                  e_hist: UInt32Array, nl: int, order: Int64Array, start: int, out: UInt64Array) -> None:
    # Outer hash (RFC 2104) of the inner digests in state: one block = digest ‖ 0x80 ‖ zeros ‖
    # u64be((64 + 32) * 8) from the key⊕opad midstate; its first 8 bytes go to out[order[start + ln]].
    for t in range(8):
        for ln in range(nl):
            w[t, ln] = state[t, ln]
            state[t, ln] = outer0[t]
    for ln in range(nl):
        w[8, ln] = 0x80000000
        for t in range(9, 15):
            w[t, ln] = 0
        w[15, ln] = (64 + 32) * 8
    _compress_lanes(state, w, a_hist, e_hist, nl)
    for ln in range(nl):
        out[order[start + ln]] = (np.uint64(state[0, ln]) << np.uint64(32)) | np.uint64(state[1, ln])


@kernel
def _hmac_first8_kernel(
    inner_head: UInt8Array,
    outer_head: UInt8Array,
    tail: UInt8Array,
    done: int,
    counts: Int64Array,
    part_starts: Int64Array,
    part_lens: Int64Array,
    raw: UInt8Array,
    little: bool,
    out: UInt64Array,
) -> None:
    # inner_head: key⊕ipad and the prefix's whole blocks (``done`` bytes); outer_head: key⊕opad;
    # both are compressed once into midstates here. tail: the rest of the prefix (< 64 bytes).
    # Item i's key has counts[i] parts, numbered on from the previous items' parts; part j's
    # UTF-8 bytes are raw[part_starts[j]:][:part_lens[j]].
    # little: the machine is little-endian (message words are read natively, then swapped).
    # Items are hashed _LANES at a time, grouped by their number of inner blocks.
    inner0 = _midstate(inner_head)
    outer0 = _midstate(outer_head)
    n = counts.shape[0]
    lead = tail.shape[0]
    first_part, used, blocks, order, most = _plan_items(lead, counts, part_lens)
    msg, words, dirty, w, state, a_hist, e_hist = _lane_buffers(most, tail)
    start = 0
    while start < n:
        nb = blocks[order[start]]
        stop = _group_stop(blocks, order, start)
        nl = stop - start
        _fill_rows(msg, dirty, order, start, nl, lead, nb * 64, done, counts, first_part, used, part_starts,
                   part_lens, raw)
        _compress_rows(state, inner0, words, w, a_hist, e_hist, nb, nl, little)
        _outer_first8(state, outer0, w, a_hist, e_hist, nl, order, start, out)
        start = stop


@kernel
def _inner_schedules(tail: UInt8Array, done: int, counts: Int64Array, part_starts: Int64Array,
                     part_lens: Int64Array, raw: UInt8Array, little: bool
                     ) -> tuple[Int64Array, Int64Array, Int64Array, UInt32Array]:
    # The expanded message schedules of every inner block (what _hmac_first8_kernel compresses), in
    # its lane groups: the item order, each group's first position in it (and one past the last
    # group), each group's block count, and sched[blk] = w[0..63, lanes] of the groups' blocks in turn.
    n = counts.shape[0]
    lead = tail.shape[0]
    first_part, used, blocks, order, most = _plan_items(lead, counts, part_lens)
    msg, words, dirty, w, _state, _a, _e = _lane_buffers(most, tail)
    group_start = np.empty(n + 1, dtype=np.int64)
    group_blocks = np.empty(n, dtype=np.int64)
    n_groups = 0
    total = 0
    start = 0
    while start < n:
        stop = _group_stop(blocks, order, start)
        group_start[n_groups] = start
        group_blocks[n_groups] = blocks[order[start]]
        total += blocks[order[start]]
        n_groups += 1
        start = stop
    group_start[n_groups] = n
    sched = np.zeros((total, 64, _LANES), dtype=np.uint32)
    k = 0
    for g in range(n_groups):
        start = group_start[g]
        nl = group_start[g + 1] - start
        nb = group_blocks[g]
        _fill_rows(msg, dirty, order, start, nl, lead, nb * 64, done, counts, first_part, used, part_starts,
                   part_lens, raw)
        for blk in range(nb):
            _load_words(w, words, blk, nl, little)
            _schedule_lanes(w, nl)
            sched[k] = w
            k += 1
    return order, group_start[: n_groups + 1].copy(), group_blocks[:n_groups].copy(), sched


@kernel
def _hmac_first8_prepared(inner_head: UInt8Array, outer_head: UInt8Array, order: Int64Array,
                          group_start: Int64Array, group_blocks: Int64Array, sched: UInt32Array,
                          out: UInt64Array) -> None:
    # _hmac_first8_kernel with the inner schedules already expanded: per block only the rounds.
    inner0 = _midstate(inner_head)
    outer0 = _midstate(outer_head)
    state = np.empty((8, _LANES), dtype=np.uint32)
    w = np.empty((64, _LANES), dtype=np.uint32)
    a_hist = np.empty((68, _LANES), dtype=np.uint32)
    e_hist = np.empty((68, _LANES), dtype=np.uint32)
    k = 0
    for g in range(group_blocks.shape[0]):
        start = group_start[g]
        nl = group_start[g + 1] - start
        for t in range(8):
            for ln in range(nl):
                state[t, ln] = inner0[t]
        for _ in range(group_blocks[g]):
            _rounds_lanes(state, sched[k], a_hist, e_hist, nl)
            k += 1
        _outer_first8(state, outer0, w, a_hist, e_hist, nl, order, start, out)


def flatten_keys(keys: Sequence[Sequence[str]]) -> tuple[Int64Array, Int64Array, Int64Array, UInt8Array]:
    """Item keys as flat arrays: parts per key, each part's start and UTF-8 length in ``raw``, and ``raw``.

    Raises :class:`UnicodeEncodeError` exactly where ``str.encode("utf-8")`` would (lone surrogates).
    """
    counts = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    return (counts, *utf8_parts(list(chain.from_iterable(keys))))


def utf8_parts(strings: Sequence[str]) -> tuple[Int64Array, Int64Array, UInt8Array]:
    """The UTF-8 bytes of ``strings`` in one buffer: each string's start and length, and the buffer.

    Raises :class:`UnicodeEncodeError` exactly where ``str.encode("utf-8")`` would (lone surrogates).
    """
    n_parts = len(strings)
    # Strings joined by NUL in one C-level join; UTF-8 has no 0 byte except U+0000 itself, so
    # the NULs are the boundaries unless some string holds U+0000 (then each is encoded alone).
    data = "\0".join(strings).encode("utf-8")
    raw = np.frombuffer(data, dtype=np.uint8)
    nul = np.flatnonzero(raw == 0)
    if n_parts > 0 and nul.size == n_parts - 1:
        starts = np.empty(n_parts, dtype=np.int64)
        starts[0] = 0
        starts[1:] = nul + 1
        ends = np.empty(n_parts, dtype=np.int64)
        ends[:-1] = nul
        ends[-1] = raw.size
        return starts, ends - starts, raw
    encoded = [p.encode("utf-8") for p in strings]
    lens = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    starts = np.zeros(len(encoded), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    return starts, lens, np.frombuffer(b"".join(encoded), dtype=np.uint8)


def hmac_first8(key: bytes, prefix: bytes, keys: Sequence[Sequence[str]]) -> UInt64Array:
    """First 8 bytes, big-endian, of ``HMAC-SHA256(key, prefix ‖ key(k1…kn))`` for every item key.

    ``key(…)`` is the spec's item-key encoding (docs/randomness.md §2). Result ``i``
    equals ``int.from_bytes(hmac.digest(key, prefix + encode_key(keys[i]), "sha256")[:8], "big")``.
    """
    return hmac_first8_flat(key, prefix, flatten_keys(keys))


def _heads(key: bytes, prefix: bytes) -> tuple[UInt8Array, UInt8Array, UInt8Array, int]:
    """RFC 2104 for ``key``: the ``key ⊕ ipad`` block with the prefix's whole blocks, the ``key ⊕ opad``
    block, the rest of the prefix and the inner bytes the first part covers."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    block = int.from_bytes(key.ljust(_BLOCK, b"\x00"), "big")
    whole = len(prefix) // _BLOCK * _BLOCK
    inner_head = np.frombuffer((block ^ _IPAD).to_bytes(_BLOCK, "big") + prefix[:whole], dtype=np.uint8)
    outer_head = np.frombuffer((block ^ _OPAD).to_bytes(_BLOCK, "big"), dtype=np.uint8)
    return inner_head, outer_head, np.frombuffer(prefix[whole:], dtype=np.uint8), _BLOCK + whole


_IPAD = int.from_bytes(b"\x36" * _BLOCK, "big")
_OPAD = int.from_bytes(b"\x5c" * _BLOCK, "big")


def hmac_first8_flat(
    key: bytes, prefix: bytes, flat: tuple[Int64Array, Int64Array, Int64Array, UInt8Array]
) -> UInt64Array:
    """:func:`hmac_first8` over keys already flattened by :func:`flatten_keys`.

    Why: a simulation draws the same keys under thousands of seeds; flattening them
    once keeps the per-seed cost to the hashing itself.
    """
    counts, part_starts, part_lens, raw = flat
    inner_head, outer_head, tail, done = _heads(key, prefix)
    out = np.empty(len(counts), dtype=np.uint64)
    little = sys.byteorder == "little"
    _hmac_first8_kernel(inner_head, outer_head, tail, done, counts, part_starts, part_lens, raw, little, out)
    return out


@dataclass(frozen=True)
class PreparedInner:
    """The inner blocks of every item's HMAC message, schedules expanded, for one prefix (see :func:`prepare_inner`)."""

    prefix: bytes
    n_items: int
    order: Int64Array
    group_start: Int64Array
    group_blocks: Int64Array
    sched: UInt32Array


def prepare_inner(prefix: bytes, flat: tuple[Int64Array, Int64Array, Int64Array, UInt8Array]) -> PreparedInner:
    """Expand once what :func:`hmac_first8_flat` recomputes under every key: the inner message schedules.

    Why: the inner message ``prefix ‖ key(…)`` of an item does not depend on the HMAC key (the
    seed), and SHA-256's message schedule depends on the message only, so for many seeds over
    one market the padded rows and their 48-word expansions are built once; each seed then
    costs the compression rounds alone for the inner blocks (plus the outer block). Memory:
    256 bytes per inner block per item (≈ 10 MB for 20,000 items of two blocks).
    """
    counts, part_starts, part_lens, raw = flat
    _, _, tail, done = _heads(b"", prefix)
    order, group_start, group_blocks, sched = _inner_schedules(tail, done, counts, part_starts, part_lens, raw,
                                                               sys.byteorder == "little")
    return PreparedInner(prefix, len(counts), order, group_start, group_blocks, sched)


def hmac_first8_prepared(key: bytes, prepared: PreparedInner) -> UInt64Array:
    """:func:`hmac_first8_flat` ``(key, prepared.prefix, flat)`` for the keys ``prepared`` was made from.

    Bit-identical (tested: random keys, seeds and prefixes, padding boundaries, the published vectors).
    """
    inner_head, outer_head, _, _ = _heads(key, prepared.prefix)
    out = np.empty(prepared.n_items, dtype=np.uint64)
    _hmac_first8_prepared(inner_head, outer_head, prepared.order, prepared.group_start, prepared.group_blocks,
                          prepared.sched, out)
    return out


@kernel
def _sha256_many_kernel(
    state0: Int64Array,
    done: int,
    tail: UInt8Array,
    raw: UInt8Array,
    starts: Int64Array,
    lens: Int64Array,
    little: bool,
    out: UInt32Array,
) -> None:
    # Message i is (``done`` bytes already compressed into state0) ‖ tail ‖ raw[starts[i]:][:lens[i]];
    # out[i] gets its 8 digest words. Same lane layout and grouping by block count as the HMAC kernel.
    n = starts.shape[0]
    lead = tail.shape[0]
    blocks = (lead + lens + 9 + 63) // 64
    most = 1
    for i in range(n):
        most = max(most, blocks[i])
    order = _order_by_blocks(blocks, most)
    msg, words, dirty, w, state, a_hist, e_hist = _lane_buffers(most, tail)
    start = 0
    while start < n:
        nb = blocks[order[start]]
        stop = _group_stop(blocks, order, start)
        nl = stop - start
        end = nb * 64
        for ln in range(nl):
            # Padded message (FIPS 180-4 §5.1.1): tail ‖ data ‖ 0x80 ‖ zeros ‖ u64be(bits).
            i = order[start + ln]
            row = msg[ln]
            length = lens[i]
            src = starts[i]
            for b in range(length):
                row[lead + b] = raw[src + b]
            pos = lead + length
            dirty[ln] = _pad(row, pos, dirty[ln], end, done + lead + length)
        _compress_rows(state, state0, words, w, a_hist, e_hist, nb, nl, little)
        for ln in range(nl):
            i = order[start + ln]
            for t in range(8):
                out[i, t] = state[t, ln]
        start = stop


def _digest_bytes(words: UInt32Array) -> UInt8Array:
    """``(n, 8)`` big-endian state words as ``(n, 32)`` digest bytes."""
    return words.astype(">u4").view(np.uint8).reshape(words.shape[0], 32)


def sha256_many(raw: UInt8Array, starts: Int64Array, lens: Int64Array, prefix: bytes = b"") -> UInt8Array:
    """``SHA-256(prefix ‖ raw[starts[i] : starts[i] + lens[i]])`` of every ``i``, as an ``(n, 32)`` array.

    One numba call for a whole batch (roster leaves, Merkle nodes): row ``i`` equals
    ``hashlib.sha256(prefix + bytes(raw[starts[i]:starts[i] + lens[i]])).digest()`` (tested).
    """
    whole = len(prefix) // _BLOCK * _BLOCK
    state = _midstate(np.frombuffer(prefix[:whole], dtype=np.uint8))
    return _sha256_from(state, whole, prefix[whole:], raw, starts, lens)


def _sha256_from(state: Int64Array, done: int, tail: bytes, raw: UInt8Array, starts: Int64Array,
                 lens: Int64Array) -> UInt8Array:
    out = np.empty((starts.shape[0], 8), dtype=np.uint32)
    _sha256_many_kernel(state, done, np.frombuffer(tail, dtype=np.uint8), raw,
                        starts.astype(np.int64, copy=False), lens.astype(np.int64, copy=False),
                        sys.byteorder == "little", out)
    return _digest_bytes(out)


def hmac_sha256_many(key: bytes, prefix: bytes, raw: UInt8Array, starts: Int64Array, lens: Int64Array) -> UInt8Array:
    """``HMAC-SHA256(key, prefix ‖ raw[starts[i] : starts[i] + lens[i]])`` of every ``i``, ``(n, 32)``.

    RFC 2104 as in :func:`hmac_first8`: the ``key ⊕ ipad`` block and the prefix's whole
    blocks are compressed once; each item costs its inner blocks and one outer block.
    Row ``i`` equals ``hmac.digest(key, prefix + data_i, "sha256")`` (tested).
    """
    inner_head, outer_head, tail, done = _heads(key, prefix)
    inner = _sha256_from(_midstate(inner_head), done, tail.tobytes(), raw, starts, lens)
    outer0 = _midstate(outer_head)
    n = inner.shape[0]
    return _sha256_from(outer0, _BLOCK, b"", inner.reshape(-1), np.arange(n, dtype=np.int64) * 32,
                        np.full(n, 32, dtype=np.int64))
