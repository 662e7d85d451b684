"""The numba HMAC-SHA256 kernel gives the same bits as the hashlib/hmac reference (docs/randomness.md §2–3)."""

from __future__ import annotations

import hmac
import json
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.lottery.numbers import draw_numbers, number_drawer
from engine.lottery.sha256_kernel import flatten_keys, hmac_first8, hmac_first8_prepared, prepare_inner
from engine.randomness import encode_key, lottery_numbers, parse_seed

VECTORS = Path(__file__).parents[2] / "vectors" / "randomness" / "lottery_numbers.json"

# Part strings: ASCII ids, Chinese, empty, and long enough (> 64 bytes) to need extra blocks.
_PART = st.one_of(
    st.text(max_size=12),
    st.text(alphabet="0123456789-ABC", max_size=20),
    st.text(alphabet="张王李赵派位号学校中文", max_size=30),
    st.text(min_size=40, max_size=200),
    st.just(""),
)
_KEYS = st.lists(st.lists(_PART, min_size=0, max_size=4), max_size=150)
_SEED = st.binary(min_size=32, max_size=32)


def _reference(key: bytes, prefix: bytes, keys: list[list[str]]) -> list[int]:
    return [int.from_bytes(hmac.digest(key, prefix + encode_key(k), "sha256")[:8], "big") for k in keys]


def test_published_vectors() -> None:
    cases = json.loads(VECTORS.read_text(encoding="utf-8"))["cases"]
    for kind in sorted({c["kind"] for c in cases}):
        mine = [c for c in cases if c["kind"] == kind]
        seeds = {c["seed"] for c in mine}
        for seed_hex in seeds:
            group = [c for c in mine if c["seed"] == seed_hex]
            prefix = b"".join(
                len(s.encode()).to_bytes(4, "big") + s.encode() for s in ("sunshine/v1/item", kind, "lottery-number")
            )
            got = hmac_first8(parse_seed(seed_hex), prefix, [c["key"] for c in group])
            assert [f"{x:016x}" for x in got.tolist()] == [c["lottery_number"] for c in group]
            assert draw_numbers(parse_seed(seed_hex), [c["key"] for c in group], kind).tolist() == [
                int(c["lottery_number"], 16) for c in group
            ]


@settings(max_examples=300, deadline=None)
@given(_KEYS, _SEED, st.sampled_from(["lottery", "points"]))
def test_draw_numbers_equals_reference(keys: list[list[str]], seed: bytes, kind: str) -> None:
    # One draw function for both engines: the lottery's units and the points tie-break.
    got = draw_numbers(seed, keys, kind)
    assert got.dtype == np.uint64 and got.shape == (len(keys),)
    assert got.tolist() == lottery_numbers(seed, kind, keys)


@settings(max_examples=150, deadline=None)
@given(_KEYS, st.binary(max_size=100), st.binary(max_size=200))
def test_any_hmac_key_and_prefix_length(keys: list[list[str]], key: bytes, prefix: bytes) -> None:
    # Keys longer than a block are hashed first (RFC 2104); prefixes of 64+ bytes use precomputed blocks.
    assert hmac_first8(key, prefix, keys).tolist() == _reference(key, prefix, keys)


@settings(max_examples=150, deadline=None)
@given(_KEYS, st.lists(_SEED, min_size=1, max_size=3), st.binary(max_size=200), st.sampled_from(["lottery", "points"]))
def test_prepared_schedules_give_the_same_numbers(keys: list[list[str]], seeds: list[bytes], prefix: bytes,
                                                  kind: str) -> None:
    # A simulation's drawer expands the inner message schedules once and reuses them under every seed.
    prepared = prepare_inner(prefix, flatten_keys(keys))
    draw = number_drawer(keys, kind)
    for seed in seeds:
        assert hmac_first8_prepared(seed, prepared).tolist() == _reference(seed, prefix, keys)
        assert draw(seed).tolist() == lottery_numbers(seed, kind, keys)


def test_prepared_padding_boundaries_and_vectors() -> None:
    seed = bytes(range(32))
    keys = [["x" * n] for n in range(0, 200)] + [["é" * n, "a"] for n in range(0, 70)] + [[]] * 300
    assert number_drawer(keys)(seed).tolist() == lottery_numbers(seed, "lottery", keys)
    assert number_drawer([])(seed).shape == (0,)
    cases = json.loads(VECTORS.read_text(encoding="utf-8"))["cases"]
    for c in cases:
        assert f"{number_drawer([c['key']], c['kind'])(parse_seed(c['seed']))[0]:016x}" == c["lottery_number"]


def test_padding_boundaries() -> None:
    # Message lengths around every place where SHA-256 padding spills into another block.
    seed = bytes(range(32))
    keys = [["x" * n] for n in range(0, 200)] + [["é" * n, "a"] for n in range(0, 70)]
    assert draw_numbers(seed, keys).tolist() == lottery_numbers(seed, "lottery", keys)


def test_empty_batch_and_empty_key() -> None:
    seed = bytes(32)
    assert draw_numbers(seed, []).shape == (0,)
    assert draw_numbers(seed, [[]]).tolist() == lottery_numbers(seed, "lottery", [[]])
    assert draw_numbers(seed, [[""]]).tolist() == lottery_numbers(seed, "lottery", [[""]])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=40), st.binary(max_size=200), st.binary(max_size=100))
def test_batch_sha256_and_hmac_equal_hashlib(messages: list[bytes], prefix: bytes, key: bytes) -> None:
    # The batch kernels behind roster leaves, Merkle nodes and roster salts (audit.roster).
    import hashlib
    import hmac

    from engine.lottery.sha256_kernel import hmac_sha256_many, sha256_many

    lens = np.array([len(m) for m in messages], dtype=np.int64)
    starts = np.zeros(len(messages), dtype=np.int64)
    np.cumsum(lens[:-1] + 1, out=starts[1:])  # one byte of gap between messages
    raw = np.frombuffer(b"".join(m + b"\xff" for m in messages), dtype=np.uint8)
    got = sha256_many(raw, starts, lens, prefix)
    assert [bytes(r) for r in got] == [hashlib.sha256(prefix + m).digest() for m in messages]
    mac = hmac_sha256_many(key, prefix, raw, starts, lens)
    assert [bytes(r) for r in mac] == [hmac.digest(key, prefix + m, "sha256") for m in messages]
