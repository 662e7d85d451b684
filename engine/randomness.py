"""Seeded, portable randomness: the reference implementation of ``docs/randomness.md``.

Everything audit-relevant that Sunshine draws at random comes from this module and
nowhere else. Each function corresponds to a numbered section of the spec:

* §1 seed format (:func:`parse_seed`),
* §2 length-prefixed encoding and domain separation (:func:`encode_str`),
* §3 per-item draws (:func:`item_digest`, :func:`lottery_number`) — an item's value
  depends only on the seed, the domain and the item's own key, never on other rows,
* §4 counter-mode word streams (:class:`WordStream`),
* §5 unbiased bounded integers by rejection sampling (:meth:`WordStream.below`),
* §6 seeded permutations by Fisher–Yates (:func:`seeded_permutation`).

Only :mod:`hmac` and :mod:`hashlib` are used: numpy ``Generator`` streams and Python's
``random`` promise stability only on one build, so they never decide a result here.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import struct
from collections.abc import Iterable, Sequence
from typing import TypeVar

from engine.errors import SeedError

__all__ = [
    "LOTTERY_NUMBER_HEX_DIGITS",
    "SEED_BYTES",
    "SIMULATION_DRAW_TAG",
    "SPEC_VERSION",
    "WHAT_IF_SEED_TAG",
    "WordStream",
    "encode_key",
    "encode_str",
    "format_lottery_number",
    "item_digest",
    "lottery_number",
    "lottery_numbers",
    "parse_seed",
    "seeded_permutation",
    "simulation_draw_seed",
    "unit_key",
    "what_if_seed",
]

SPEC_VERSION = "sunshine-randomness/v1"
SEED_BYTES = 32
LOTTERY_NUMBER_HEX_DIGITS = 16
_TAG_ITEM = b"sunshine/v1/item"
_TAG_STREAM = b"sunshine/v1/stream"
SIMULATION_DRAW_TAG = "sunshine/v1/simulation-draw"
WHAT_IF_SEED_TAG = "sunshine/v1/what-if-seed"
_HEX_SEED = re.compile(r"^[0-9a-fA-F]{64}$")
_TWO_64 = 1 << 64

T = TypeVar("T")


def parse_seed(text: str) -> bytes:
    """Parse a seed written as 64 hexadecimal digits (spec §1).

    Surrounding whitespace is ignored and either letter case is accepted; the
    canonical written form is lowercase. Raises :class:`SeedError` otherwise.
    """
    cleaned = text.strip()
    if not _HEX_SEED.match(cleaned):
        raise SeedError(
            f"种子必须是 64 位十六进制数字（32 字节），收到 {len(cleaned)} 个字符：{cleaned[:80]!r}",
            f"The seed must be 64 hexadecimal digits (32 bytes); got {len(cleaned)} characters: "
            f"{cleaned[:80]!r}",
        )
    return bytes.fromhex(cleaned)


def _check_seed(seed: bytes) -> None:
    if len(seed) != SEED_BYTES:
        raise SeedError(
            f"种子长度必须为 {SEED_BYTES} 字节，实际 {len(seed)} 字节",
            f"The seed must be {SEED_BYTES} bytes, got {len(seed)}",
        )


def encode_str(text: str) -> bytes:
    """``enc(s)``: 4-byte big-endian length of the UTF-8 bytes, then the bytes (spec §2)."""
    raw = text.encode("utf-8")
    return struct.pack(">I", len(raw)) + raw


def encode_key(parts: Sequence[str]) -> bytes:
    """Encode an item key, a list of strings: 4-byte big-endian count, then ``enc`` of each (spec §2)."""
    return struct.pack(">I", len(parts)) + b"".join(encode_str(p) for p in parts)


def _item_prefix(kind: str, purpose: str) -> bytes:
    return encode_str(_TAG_ITEM.decode()) + encode_str(kind) + encode_str(purpose)


def unit_key(member_ids: Iterable[str]) -> list[str]:
    """The item key of a multiples unit (twins, triplets; spec §3.2): its members' ids sorted by UTF-8 bytes.

    The one definition of the rule: the unit draws once with this key and every member is
    published with the unit's number. A single applicant is a unit of one (``[id]``).
    """
    return sorted(member_ids, key=lambda s: s.encode("utf-8"))


def item_digest(seed: bytes, kind: str, purpose: str, key: Sequence[str]) -> bytes:
    """Per-item draw (spec §3): ``HMAC-SHA256(seed, enc(TAG) ‖ enc(kind) ‖ enc(purpose) ‖ key)``.

    ``key`` is the item's own identity, e.g. ``[application_number]`` or, for a
    multiples unit, its members' application numbers sorted by UTF-8 bytes.
    """
    _check_seed(seed)
    return hmac.digest(seed, _item_prefix(kind, purpose) + encode_key(key), "sha256")


def lottery_number(seed: bytes, kind: str, key: Sequence[str]) -> int:
    """The 64-bit lottery number (派位号) of one item: the first 8 digest bytes, big-endian (spec §3.2)."""
    return int.from_bytes(item_digest(seed, kind, "lottery-number", key)[:8], "big")


def lottery_numbers(seed: bytes, kind: str, keys: Iterable[Sequence[str]]) -> list[int]:
    """:func:`lottery_number` for many items at once, with the HMAC key schedule done once.

    Result ``i`` equals ``lottery_number(seed, kind, keys[i])`` exactly; only the
    cost differs (HMAC's inner and outer states are computed once and copied).
    """
    _check_seed(seed)
    block = 64
    key = seed.ljust(block, b"\x00")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    inner.update(_item_prefix(kind, "lottery-number"))
    out: list[int] = []
    for parts in keys:
        h = inner.copy()
        h.update(encode_key(parts))
        o = outer.copy()
        o.update(h.digest())
        out.append(int.from_bytes(o.digest()[:8], "big"))
    return out


def format_lottery_number(number: int) -> str:
    """Published form of a lottery number: 16 lowercase hex digits, so string order is numeric order."""
    if not 0 <= number < _TWO_64:
        raise ValueError(f"lottery number out of range: {number}")
    return f"{number:0{LOTTERY_NUMBER_HEX_DIGITS}x}"


class WordStream:
    """Counter-mode stream of 64-bit words (spec §4) with unbiased bounded draws (spec §5).

    Block ``j`` is ``HMAC-SHA256(seed, enc(TAG) ‖ enc(kind) ‖ enc(purpose) ‖ enc(label) ‖ u64be(j))``;
    each block yields four big-endian 64-bit words, consumed in order.
    """

    def __init__(self, seed: bytes, kind: str, purpose: str, label: str = "") -> None:
        _check_seed(seed)
        self._seed = seed
        self._prefix = (
            encode_str(_TAG_STREAM.decode()) + encode_str(kind) + encode_str(purpose) + encode_str(label)
        )
        self._counter = 0
        self._words: list[int] = []

    def next_word(self) -> int:
        """The next 64-bit word of the stream."""
        if not self._words:
            block = hmac.digest(self._seed, self._prefix + struct.pack(">Q", self._counter), "sha256")
            self._counter += 1
            self._words = list(reversed(struct.unpack(">4Q", block)))
        return self._words.pop()

    def below(self, n: int) -> int:
        """A uniform integer in ``[0, n)`` by rejection sampling (spec §5).

        Requires ``1 <= n <= 2**64``. For ``n == 1`` returns 0 without consuming a
        word. Words at or above ``2**64 - (2**64 mod n)`` are rejected so every
        residue is equally likely (no modulo bias).
        """
        if not 1 <= n <= _TWO_64:
            raise ValueError(f"bound must be in [1, 2**64], got {n}")
        if n == 1:
            return 0
        limit = _TWO_64 - (_TWO_64 % n)
        while True:
            word = self.next_word()
            if word < limit:
                return word % n


def seeded_permutation(seed: bytes, kind: str, purpose: str, items: Sequence[T], label: str = "") -> list[T]:
    """Shuffle ``items`` by Fisher–Yates over a :class:`WordStream` (spec §6).

    ``items`` must already be in their canonical order (the spec says which for each
    use, e.g. class labels ``1..K`` ascending). For ``i = n-1`` down to ``1``:
    ``j = below(i + 1)``; swap positions ``i`` and ``j``.
    """
    stream = WordStream(seed, kind, purpose, label)
    out = list(items)
    for i in range(len(out) - 1, 0, -1):
        j = stream.below(i + 1)
        out[i], out[j] = out[j], out[i]
    return out


def simulation_draw_seed(simulation_seed: bytes, draw: int) -> bytes:
    """Seed of draw ``draw`` of a simulation (spec §9): ``HMAC(simulation_seed, enc(TAG) ‖ u64be(draw))``.

    The tag differs from every item and stream tag, so a draw seed is never related to a
    number drawn from the simulation seed itself; a simulation is never an official run,
    and its draw seeds are practice seeds (docs/randomness.md §9).
    """
    _check_seed(simulation_seed)
    if not 0 <= draw < _TWO_64:
        raise ValueError(f"draw index out of range: {draw}")
    return hmac.digest(simulation_seed, encode_str(SIMULATION_DRAW_TAG) + struct.pack(">Q", draw), "sha256")


def what_if_seed(public_root: str, config_hash: str, withdrawn: Iterable[str] = ()) -> bytes:
    """Simulation seed of a run's public what-if (spec §9.1), derived from public data only.

    ``SHA-256(enc(TAG) ‖ enc(public_root) ‖ enc(config_hash) ‖ key(withdrawn, sorted))``: the
    frozen roster's public root and config hash (hex, as the run view shows them) and the
    withdrawn application numbers. Anyone can recompute it, so every family asking the same
    question of the same roster gets the same answer and can reproduce it with
    ``sunshine simulate --seed``; because it is known before the draw and the ceremony accepts
    no typed seed, it can never be, or predict, the official seed (§9).
    """
    message = (encode_str(WHAT_IF_SEED_TAG) + encode_str(public_root) + encode_str(config_hash)
               + encode_key(sorted(withdrawn, key=lambda s: s.encode("utf-8"))))
    return hashlib.sha256(message).digest()
