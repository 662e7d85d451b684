"""The page proves drand beacons as ``sunshine verify`` does: the same known answers (both schemes) verify to
the same randomness, and every mutation-named negative is refused with the message Python gives
(tests/vectors/beacon, docs/ceremony.md § Public value: drand beacons)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from audit.beacon import DrandChain, verify_beacon
from audit.errors import BeaconError

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "beacon"
KNOWN: dict[str, Any] = json.loads((VECTORS / "known_answers.json").read_text(encoding="utf-8"))
NEGATIVES: list[dict[str, Any]] = json.loads((VECTORS / "negatives.json").read_text(encoding="utf-8"))["cases"]

#: The page's beacon check on one case: {randomness} or {error} (its English message).
CHECK = """(cases) => cases.map((c) => {
  try { return { randomness: toHex(verifyBeacon(c.chain, c.round, c.signature, c.previous_signature ?? null)) }; }
  catch (e) { if (!(e instanceof BeaconFail)) throw e; return { error: e.message }; }
})"""


def test_known_answers_of_both_schemes_verify_in_the_page(verifier_page: Any) -> None:
    cases = [{**p, "chain": KNOWN["chains"][p["chain"]]} for p in KNOWN["positives"]]
    assert {c["chain"]["scheme"] for c in cases} == {"pedersen-bls-chained", "bls-unchained-g1-rfc9380"}
    got = verifier_page.evaluate(CHECK, cases)
    assert got == [{"randomness": c["randomness"]} for c in cases]


def test_every_negative_is_refused_in_the_page_as_in_python(verifier_page: Any) -> None:
    got = verifier_page.evaluate(CHECK, NEGATIVES)
    for case, page in zip(NEGATIVES, got, strict=True):
        with pytest.raises(BeaconError, match=case["want_error"]) as python:
            verify_beacon(DrandChain(**case["chain"]), case["round"], case["signature"], case["previous_signature"])
        assert "error" in page, case["desc"]
        assert re.search(case["want_error"], page["error"]), (case["desc"], page["error"])
        assert page["error"].split(":")[0] == python.value.message_en.split(":")[0], case["desc"]  # same item


@pytest.mark.parametrize("signature", ["c0" + "00" * 47, "ff" * 48], ids=["identity", "identity-with-junk-bits"])
def test_the_identity_is_refused_in_the_page_as_in_python(signature: str, verifier_page: Any) -> None:
    vector = next(p for p in KNOWN["positives"] if p["chain"] == "quicknet")
    case = {**vector, "chain": KNOWN["chains"]["quicknet"], "signature": signature, "previous_signature": None}
    with pytest.raises(BeaconError, match="canonical encoding .* or is the identity"):
        verify_beacon(DrandChain(**case["chain"]), case["round"], signature, None)
    [page] = verifier_page.evaluate(CHECK, [case])
    assert "canonical encoding" in page["error"] and "or is the identity" in page["error"]
