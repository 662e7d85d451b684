"""drand beacons: real known answers for both schemes, mutation-named negatives, chains, round arithmetic."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from audit.beacon import (
    DST_G1,
    DST_G2,
    KNOWN_CHAINS,
    MAINNET,
    QUICKNET,
    DrandChain,
    beacon_message,
    check_declared_round,
    first_round_after,
    round_at,
    round_time,
    verify_beacon,
    verify_beacon_record,
)
from audit.errors import BeaconError, VerificationError

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "beacon"
KNOWN: dict[str, Any] = json.loads((VECTORS / "known_answers.json").read_text(encoding="utf-8"))
NEGATIVES: list[dict[str, Any]] = json.loads((VECTORS / "negatives.json").read_text(encoding="utf-8"))["cases"]
POSITIVES: list[dict[str, Any]] = KNOWN["positives"]


def _load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("beacon_vector_generator", VECTORS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = _load_generator()


def _chain(name: str) -> DrandChain:
    return {"mainnet": MAINNET, "quicknet": QUICKNET}[name]


# ---- known answers -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("vector", POSITIVES, ids=[p["desc"] for p in POSITIVES])
def test_real_beacon_verifies_and_gives_its_randomness(vector: dict[str, Any]) -> None:
    chain = _chain(vector["chain"])
    randomness = verify_beacon(chain, vector["round"], vector["signature"], vector["previous_signature"])
    assert randomness.hex() == vector["randomness"]


def test_known_answers_cover_both_schemes_with_published_randomness() -> None:
    for name in ("mainnet", "quicknet"):
        assert any(p["chain"] == name and p["randomness_published"] for p in POSITIVES)
        assert sum(p["chain"] == name for p in POSITIVES) >= 2  # "signature-of-other-round" needs a second one


@pytest.mark.parametrize("case", NEGATIVES, ids=[c["desc"] for c in NEGATIVES])
def test_mutated_beacon_is_refused(case: dict[str, Any]) -> None:
    chain = DrandChain.from_info(case["chain"])
    with pytest.raises(BeaconError, match=case["want_error"]) as info:
        verify_beacon(chain, case["round"], case["signature"], case["previous_signature"])
    assert info.value.step == "drand beacon"
    assert isinstance(info.value, VerificationError)


def test_every_positive_has_every_mutation() -> None:
    mutations = {c["desc"].split("/", 1)[1] for c in NEGATIVES}
    required = {"signature-bit-flipped", "wrong-round", "wrong-previous-signature", "other-chain-key",
                "truncated-signature", "uppercase-hex", "signature-of-other-round", "other-chain"}
    assert required <= mutations
    for p in POSITIVES:
        names = {c["desc"].split("/", 1)[1] for c in NEGATIVES if c["desc"].startswith(p["desc"] + "/")}
        assert required - ({"wrong-previous-signature"} if p["chain"] == "quicknet" else set()) <= names


def test_negatives_file_is_what_the_generator_makes() -> None:
    assert GENERATOR.negatives(KNOWN) == NEGATIVES


def test_recorded_randomness_field_is_not_trusted() -> None:
    # The randomness is recomputed from the verified signature; there is no way to pass one in.
    vector = POSITIVES[0]
    out = verify_beacon(MAINNET, vector["round"], vector["signature"], vector["previous_signature"])
    assert len(out) == 32


# ---- chains ------------------------------------------------------------------------------------------------------

def test_pinned_chains_match_drand_published_info() -> None:
    assert KNOWN["chains"]["mainnet"] == MAINNET.to_info()
    assert KNOWN["chains"]["quicknet"] == QUICKNET.to_info()
    assert set(KNOWN_CHAINS) == {"8990e7a9aaed2ffed73dbd7092123d6f289930540d7651336225dc172e51b2ce",
                                 "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"}
    assert (MAINNET.scheme, MAINNET.period, MAINNET.genesis_time) == ("pedersen-bls-chained", 30, 1595431050)
    assert (QUICKNET.scheme, QUICKNET.period, QUICKNET.genesis_time) == ("bls-unchained-g1-rfc9380", 3, 1692803367)
    assert DST_G2 == b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_"
    assert DST_G1 == b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"


@pytest.mark.parametrize("field, value", [
    ("period", 31), ("genesis_time", 1595431051), ("beacon_id", "mainnet"),
    ("genesis_seed", "00" * 32), ("public_key", QUICKNET.public_key[:96]),
])
def test_chain_whose_fields_disagree_with_its_hash_is_refused(field: str, value: object) -> None:
    with pytest.raises(BeaconError, match="chain hash does not match"):
        DrandChain.from_info({**MAINNET.to_info(), field: value})


@pytest.mark.parametrize("changes, match", [
    ({"scheme": "pedersen-bls-unchained"}, "unsupported drand scheme 'pedersen-bls-unchained'"),
    ({"scheme": "bls-unchained-on-g1"}, "unsupported drand scheme"),
    ({"period": 0}, "period must be an integer from 1 to 4294967295"),
    ({"period": True}, "period must be an integer from 1"),
    ({"period": 2**32}, "period must be an integer from 1 to 4294967295"),
    ({"genesis_time": "1595431050"}, "genesis_time must be an integer from 0 to"),
    ({"genesis_time": 2**63}, "genesis_time must be an integer from 0 to 9223372036854775807"),
    ({"genesis_time": -1}, "genesis_time must be an integer from 0"),
    ({"chain_hash": MAINNET.chain_hash.upper()}, "chain_hash.*lowercase"),
    ({"beacon_id": ""}, "beacon_id.*is empty"),
    ({"beacon_id": "quicknet\u200b"}, "beacon_id.*U\\+200B ZERO WIDTH SPACE"),
])
def test_malformed_chain_is_refused(changes: dict[str, object], match: str) -> None:
    with pytest.raises(BeaconError, match=match):
        DrandChain.from_info({**MAINNET.to_info(), **changes})


def test_chain_key_off_the_curve_is_refused_even_with_a_matching_hash() -> None:
    info = {**MAINNET.to_info(), "public_key": MAINNET.public_key[:-2] + "30"}
    info["chain_hash"] = GENERATOR.chain_hash(info)
    with pytest.raises(BeaconError, match="public_key: is not a valid G1Point point"):
        DrandChain.from_info(info)


def test_chain_hash_written_out_independently_agrees() -> None:
    for chain in KNOWN_CHAINS.values():
        assert GENERATOR.chain_hash(chain.to_info()) == chain.chain_hash


def test_chain_info_keys_are_exact() -> None:
    with pytest.raises(BeaconError, match=r"unknown \['metadata'\], missing \[\]"):
        DrandChain.from_info({**MAINNET.to_info(), "metadata": {}})
    info = MAINNET.to_info()
    del info["genesis_seed"]
    with pytest.raises(BeaconError, match=r"missing \['genesis_seed'\]"):
        DrandChain.from_info(info)
    assert DrandChain.from_info(QUICKNET.to_info()) == QUICKNET


# ---- round arithmetic --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("chain", [MAINNET, QUICKNET], ids=["mainnet", "quicknet"])
def test_round_boundaries(chain: DrandChain) -> None:
    g, p = chain.genesis_time, chain.period
    assert round_at(chain, g) == 1  # round 1 is due exactly at genesis
    assert round_at(chain, g + p - 1) == 1
    assert round_at(chain, g + p) == 2  # the off-by-one of filecoin-project/lotus#2170 would give 1 or 3 here
    assert round_at(chain, g + 2 * p - 1) == 2
    assert round_time(chain, 1) == g
    assert round_time(chain, 2) == g + p
    assert first_round_after(chain, g - 1) == 1
    assert first_round_after(chain, g) == 2
    assert first_round_after(chain, g + p - 1) == 2
    assert first_round_after(chain, g + p) == 3
    with pytest.raises(BeaconError, match="before the chain's genesis time"):
        round_at(chain, g - 1)


def test_round_times_of_known_rounds() -> None:
    # drand's documentation example beacon (round 5347804 of mainnet) and quicknet round 42.
    assert round_time(MAINNET, 5347804) == 1595431050 + 5347803 * 30
    assert round_at(MAINNET, round_time(MAINNET, 5347804) + 29) == 5347804
    assert round_time(QUICKNET, 42) == 1692803367 + 41 * 3


@given(chain=st.sampled_from([MAINNET, QUICKNET]), offset=st.integers(min_value=0, max_value=10**10))
def test_round_at_and_round_time_agree(chain: DrandChain, offset: int) -> None:
    t = chain.genesis_time + offset
    r = round_at(chain, t)
    assert round_time(chain, r) <= t < round_time(chain, r + 1)
    assert round_time(chain, first_round_after(chain, t)) > t
    assert round_time(chain, first_round_after(chain, t) - 1) <= t


@given(r=st.integers(min_value=1, max_value=10**9))
def test_round_time_inverts(r: int) -> None:
    assert round_at(MAINNET, round_time(MAINNET, r)) == r
    assert round_at(QUICKNET, round_time(QUICKNET, r) + QUICKNET.period - 1) == r


@pytest.mark.parametrize("bad", [0, -1, 2**64, True, 1.0, "5"])
def test_bad_round_numbers_are_refused(bad: object) -> None:
    with pytest.raises(BeaconError, match="round must be an integer from 1 to 2"):
        round_time(MAINNET, bad)  # type: ignore[arg-type]
    with pytest.raises(BeaconError, match="round must be an integer"):
        verify_beacon(QUICKNET, bad, POSITIVES[-1]["signature"], None)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [1.5, "1692803367", None, False])
def test_bad_times_are_refused(bad: object) -> None:
    with pytest.raises(BeaconError, match="time must be integer Unix seconds"):
        round_at(QUICKNET, bad)  # type: ignore[arg-type]


# ---- round selection rule ----------------------------------------------------------------------------------------

def test_declared_round_must_be_after_the_reveal_deadline() -> None:
    declared, deadline = QUICKNET.genesis_time + 1000, QUICKNET.genesis_time + 3000
    first = first_round_after(QUICKNET, deadline)
    assert round_time(QUICKNET, first) > deadline >= round_time(QUICKNET, first - 1)
    check_declared_round(QUICKNET, first, declared_at=declared, reveal_deadline=deadline)
    check_declared_round(QUICKNET, first + 1000, declared_at=declared, reveal_deadline=deadline)
    with pytest.raises(BeaconError, match=rf"round {first - 1}: .*not after the reveal deadline time {deadline}.*"
                                          rf"earliest acceptable round is {first}"):
        check_declared_round(QUICKNET, first - 1, declared_at=declared, reveal_deadline=deadline)


def test_round_due_exactly_at_the_deadline_is_refused() -> None:
    deadline = round_time(MAINNET, 100)
    with pytest.raises(BeaconError, match="not after the reveal deadline"):
        check_declared_round(MAINNET, 100, declared_at=deadline - 3600, reveal_deadline=deadline)
    check_declared_round(MAINNET, 101, declared_at=deadline - 3600, reveal_deadline=deadline)


def test_round_already_published_at_declaration_is_refused() -> None:
    # A declaration made after its own deadline: the round may exist already, whatever the deadline says.
    declared = round_time(MAINNET, 500)
    with pytest.raises(BeaconError, match="may already be published at the declaration"):
        check_declared_round(MAINNET, 500, declared_at=declared, reveal_deadline=declared - 600)
    check_declared_round(MAINNET, 501, declared_at=declared, reveal_deadline=declared - 600)


@given(declared=st.integers(min_value=0, max_value=10**8), gap=st.integers(min_value=0, max_value=10**6),
       r=st.integers(min_value=1, max_value=4 * 10**7))
def test_round_rule_is_exactly_first_round_after_both(declared: int, gap: int, r: int) -> None:
    chain = QUICKNET
    declared_at = chain.genesis_time + declared
    deadline = declared_at + gap
    earliest = first_round_after(chain, max(declared_at, deadline))
    if r >= earliest:
        check_declared_round(chain, r, declared_at=declared_at, reveal_deadline=deadline)
    else:
        with pytest.raises(BeaconError, match=f"round {r}: its time"):
            check_declared_round(chain, r, declared_at=declared_at, reveal_deadline=deadline)


# ---- message construction ----------------------------------------------------------------------------------------

def test_message_is_sha256_of_previous_signature_and_big_endian_round() -> None:
    import hashlib

    prev = bytes(range(96))
    assert beacon_message(MAINNET, 258, prev) == hashlib.sha256(prev + b"\x00" * 6 + b"\x01\x02").digest()
    assert beacon_message(QUICKNET, 258, None) == hashlib.sha256(b"\x00" * 6 + b"\x01\x02").digest()
    with pytest.raises(BeaconError, match="needs the previous signature"):
        beacon_message(MAINNET, 258, None)
    with pytest.raises(BeaconError, match="carry no previous signature"):
        beacon_message(QUICKNET, 258, b"")


@given(flip=st.integers(min_value=0, max_value=8 * 48 - 1))
def test_any_single_bit_flip_of_a_quicknet_signature_is_refused(flip: int) -> None:
    vector = next(p for p in POSITIVES if p["chain"] == "quicknet")
    sig = bytearray(bytes.fromhex(vector["signature"]))
    sig[flip // 8] ^= 1 << (flip % 8)
    assume(bytes(sig).hex() != vector["signature"])
    with pytest.raises(BeaconError, match=f"round {vector['round']}"):
        verify_beacon(QUICKNET, vector["round"], bytes(sig).hex(), None)


def test_identity_and_second_encodings_are_refused() -> None:
    vector = next(p for p in POSITIVES if p["chain"] == "quicknet")
    identity = "c0" + "00" * 47
    with pytest.raises(BeaconError, match="canonical encoding .* or is the identity"):
        verify_beacon(QUICKNET, vector["round"], identity, None)
    with pytest.raises(BeaconError, match="canonical encoding .* or is the identity"):
        verify_beacon(QUICKNET, vector["round"], "ff" * 48, None)  # an identity spelled with junk bits


# ---- beacon records (drand HTTP API JSON) ---------------------------------------------------------------------


@pytest.mark.parametrize("vector", POSITIVES, ids=[p["desc"] for p in POSITIVES])
def test_record_as_the_http_api_returns_it_verifies(vector: dict[str, Any]) -> None:
    chain = _chain(vector["chain"])
    v2 = {"round": vector["round"], "signature": vector["signature"]}
    if chain.chained:
        v2["previous_signature"] = vector["previous_signature"]
    v1 = {**v2, "randomness": vector["randomness"]}
    assert verify_beacon_record(chain, v2).hex() == vector["randomness"]
    assert verify_beacon_record(chain, v1).hex() == vector["randomness"]


def test_record_with_a_false_randomness_is_refused() -> None:
    vector = next(p for p in POSITIVES if p["chain"] == "quicknet")
    record = {"round": vector["round"], "signature": vector["signature"], "randomness": "00" * 32}
    with pytest.raises(BeaconError, match=f"round {vector['round']} randomness: the recorded randomness is not"):
        verify_beacon_record(QUICKNET, record)
    with pytest.raises(BeaconError, match="randomness.*hex must be lowercase"):
        verify_beacon_record(QUICKNET, {**record, "randomness": vector["randomness"].upper()})


@pytest.mark.parametrize("chain, record, match", [
    (QUICKNET, {"round": 42, "signature": "00", "previous_signature": "00"},
     r"unknown \['previous_signature'\], missing \[\]"),
    (MAINNET, {"round": 42, "signature": "00"}, r"unknown \[\], missing \['previous_signature'\]"),
    (QUICKNET, {"round": 42, "signature": "00", "metadata": {}}, r"unknown \['metadata'\]"),
    (QUICKNET, {"signature": "00"}, r"missing \['round'\]"),
    (QUICKNET, {"round": "42", "signature": "00"}, "round must be an integer"),
    (QUICKNET, {"round": 42, "signature": b"\x00"}, "signatures must be hex text"),
])
def test_record_with_other_fields_is_refused(chain: DrandChain, record: dict[str, object], match: str) -> None:
    with pytest.raises(BeaconError, match=match):
        verify_beacon_record(chain, record)
