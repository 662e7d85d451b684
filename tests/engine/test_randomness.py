"""Known-answer and property tests for the randomness spec (docs/randomness.md)."""

from __future__ import annotations

import hashlib
import hmac
import json
import struct
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import SeedError
from engine.randomness import (
    WordStream,
    encode_key,
    format_lottery_number,
    item_digest,
    lottery_number,
    lottery_numbers,
    parse_seed,
    seeded_permutation,
    simulation_draw_seed,
    what_if_seed,
)

VECTORS = Path(__file__).parents[1] / "vectors" / "randomness"


def _load(name: str) -> list[dict]:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))["cases"]


def _reference_digest(seed: bytes, kind: str, purpose: str, key: list[str]) -> bytes:
    """Spec §3.1 written out from the document, independent of the module's helpers."""
    def enc(s: str) -> bytes:
        b = s.encode("utf-8")
        return struct.pack(">I", len(b)) + b

    msg = enc("sunshine/v1/item") + enc(kind) + enc(purpose) + struct.pack(">I", len(key))
    msg += b"".join(enc(k) for k in key)
    return hmac.new(seed, msg, hashlib.sha256).digest()


@pytest.mark.parametrize("case", _load("lottery_numbers.json"), ids=lambda c: c["desc"])
def test_lottery_number_vectors(case: dict) -> None:
    seed = parse_seed(case["seed"])
    assert encode_key(case["key"]).hex() == case["encoded_key"]
    assert item_digest(seed, case["kind"], "lottery-number", case["key"]).hex() == case["digest"]
    assert _reference_digest(seed, case["kind"], "lottery-number", case["key"]).hex() == case["digest"]
    assert format_lottery_number(lottery_number(seed, case["kind"], case["key"])) == case["lottery_number"]
    assert case["digest"].startswith(case["lottery_number"])


@pytest.mark.parametrize("case", _load("streams.json"), ids=lambda c: c["desc"])
def test_stream_vectors(case: dict) -> None:
    seed = parse_seed(case["seed"])
    stream = WordStream(seed, case["kind"], case["purpose"], case["label"])
    assert [f"{stream.next_word():016x}" for _ in case["first_words"]] == case["first_words"]
    bounded = WordStream(seed, case["kind"], case["bounded"]["purpose"], case["bounded"]["label"])
    for draw in case["bounded"]["draws"]:
        assert bounded.below(int(draw["n"])) == int(draw["value"])


@pytest.mark.parametrize("case", _load("permutations.json"), ids=lambda c: c["desc"])
def test_permutation_vectors(case: dict) -> None:
    seed = parse_seed(case["seed"])
    items = list(range(1, case["n"] + 1))
    assert seeded_permutation(seed, case["kind"], case["purpose"], items, case["label"]) == case["permutation"]


@pytest.mark.parametrize("case", _load("simulation_draws.json"), ids=lambda c: c["desc"])
def test_simulation_draw_seed_vectors(case: dict) -> None:
    seed = parse_seed(case["simulation_seed"])
    draw = int(case["draw"])
    tag = b"sunshine/v1/simulation-draw"  # spec §9 written out: enc(tag) ‖ u64be(draw)
    message = struct.pack(">I", len(tag)) + tag + struct.pack(">Q", draw)
    assert hmac.new(seed, message, hashlib.sha256).hexdigest() == case["draw_seed"]
    assert simulation_draw_seed(seed, draw).hex() == case["draw_seed"]


def test_simulation_draw_seed_is_not_an_item_or_stream_value() -> None:
    """Domain separation: a draw seed differs from every item digest and stream block of the same seed."""
    seed = bytes(range(32))
    drawn = simulation_draw_seed(seed, 0)
    assert drawn != item_digest(seed, "lottery", "lottery-number", [])
    assert drawn.hex()[:16] != f"{WordStream(seed, 'lottery', 'lottery-number').next_word():016x}"
    with pytest.raises(ValueError, match="draw index"):
        simulation_draw_seed(seed, -1)
    with pytest.raises(SeedError, match="32"):
        simulation_draw_seed(b"short", 0)


@pytest.mark.parametrize("case", _load("what_if_seeds.json"), ids=lambda c: c["desc"])
def test_what_if_seed_vectors(case: dict) -> None:
    """Spec §9.1 written out with hashlib alone, then the reference implementation."""
    def enc(text: str) -> bytes:
        raw = text.encode("utf-8")
        return struct.pack(">I", len(raw)) + raw

    withdrawn = sorted(case["withdrawn"], key=lambda s: s.encode("utf-8"))
    message = (enc("sunshine/v1/what-if-seed") + enc(case["public_root"]) + enc(case["config_hash"])
               + struct.pack(">I", len(withdrawn)) + b"".join(enc(w) for w in withdrawn))
    assert hashlib.sha256(message).hexdigest() == case["seed"]
    assert what_if_seed(case["public_root"], case["config_hash"], case["withdrawn"]).hex() == case["seed"]
    assert what_if_seed(case["public_root"], case["config_hash"], reversed(case["withdrawn"])).hex() == case["seed"]


def test_vectors_are_what_the_generator_writes(tmp_path: Path) -> None:
    """The checked-in files are exactly the generator's output (nobody hand-edited them)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen", VECTORS / "generate.py")
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    gen.HERE = tmp_path
    gen.main()
    for name in ("lottery_numbers.json", "streams.json", "permutations.json", "simulation_draws.json",
                 "what_if_seeds.json"):
        assert (tmp_path / name).read_bytes() == (VECTORS / name).read_bytes(), name


@given(st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=3), max_size=20))
def test_batch_numbers_equal_single_numbers(keys: list[list[str]]) -> None:
    seed = bytes(range(32))
    assert lottery_numbers(seed, "lottery", keys) == [lottery_number(seed, "lottery", k) for k in keys]


def test_item_number_independent_of_other_rows() -> None:
    seed = bytes(range(32))
    alone = lottery_numbers(seed, "lottery", [["A7"]])[0]
    crowd = lottery_numbers(seed, "lottery", [["A1"], ["A9"], ["A7"], ["B2"]])
    assert crowd[2] == alone


def test_domains_are_separated() -> None:
    seed = bytes(range(32))
    assert lottery_number(seed, "lottery", ["A1"]) != lottery_number(seed, "points", ["A1"])
    assert item_digest(seed, "lottery", "lottery-number", ["A1"]) != item_digest(
        seed, "lottery", "other", ["A1"]
    )
    # A twin unit's key never collides with a single applicant's.
    assert lottery_number(seed, "lottery", ["A1", "A2"]) != lottery_number(seed, "lottery", ["A1A2"])


@pytest.mark.parametrize("bad", ["", "00" * 31, "00" * 33, "zz" * 32, "0x" + "00" * 31])
def test_bad_seeds_are_rejected(bad: str) -> None:
    with pytest.raises(SeedError, match="64"):
        parse_seed(bad)


def test_seed_accepts_upper_case_and_whitespace() -> None:
    assert parse_seed("  " + "AB" * 32 + "\n") == bytes([0xAB]) * 32


def test_published_number_is_fixed_width_and_orders_like_integers() -> None:
    values = [0, 1, 15, 16, 255, 2**32, 2**63, 2**64 - 1]
    texts = [format_lottery_number(v) for v in values]
    assert all(len(t) == 16 and t == t.lower() for t in texts)
    assert sorted(texts) == texts


def test_below_rejects_words_at_or_above_the_limit() -> None:
    """Rejection sampling: a word >= limit is skipped, never folded in by modulo."""

    class Scripted(WordStream):
        def __init__(self, words: list[int]) -> None:
            self.script = list(words)

        def next_word(self) -> int:
            return self.script.pop(0)

    n = 3
    limit = 2**64 - (2**64 % n)
    s = Scripted([limit, 2**64 - 1, 7])
    assert s.below(n) == 7 % n
    assert s.script == []


def test_below_is_uniform_on_a_small_range() -> None:
    stream = WordStream(bytes(range(32)), "classes", "order-among-equals")
    counts = Counter(stream.below(6) for _ in range(60_000))
    expected = 10_000
    chi2 = sum((c - expected) ** 2 / expected for c in counts.values())
    assert len(counts) == 6
    assert chi2 < 20.52  # chi-square, 5 degrees of freedom, p = 0.001


@given(st.integers(min_value=0, max_value=40), st.binary(min_size=32, max_size=32))
def test_permutation_is_a_permutation(n: int, seed: bytes) -> None:
    items = list(range(n))
    out = seeded_permutation(seed, "classes", "class-labels", items)
    assert sorted(out) == items
    assert out == seeded_permutation(seed, "classes", "class-labels", items)
