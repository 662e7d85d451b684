"""Derive the mutation-named negative beacon vectors from the real ones (run from the repo root).

    .venv/bin/python tests/vectors/beacon/generate.py

Input: ``known_answers.json`` (real League of Entropy beacons, each with the public source
it was copied from). Output: ``negatives.json``, one case per (positive, mutation), named
``<positive>/<mutation>`` with the chain to verify under and ``want_error``, a regular
expression the refusal's English message must match. Nothing here uses a BLS library:
each mutation is chosen so that its outcome follows from drand's definitions alone
(a changed message or key cannot verify; a wrong spelling or length is refused before
any curve arithmetic). tests/audit/test_beacon.py checks that this file is current.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
NOT_VERIFIED = "BLS signature does not verify"

# Public keys of other real League of Entropy chains (same key group as the chain they stand in for):
# the unchained testnet's G1 key and fastnet's G2 key, both from noislabs/drand-verify src/verify.rs.
OTHER_KEYS = {
    "pedersen-bls-chained":
        "8200fc249deb0148eb918d6e213980c5d01acd7fc251900d9260136da3b54836ce125172399ddc69c4e3e11429b62c11",
    "bls-unchained-g1-rfc9380":
        "a0b862a7527fee3a731bcb59280ab6abd62d5c0b6ea03dc4ddf6612fdfc9d01f01c31542541771903475eb1ec6615f8d0df0b8b6dce3858"
        "11d6dcf8cbefb8759e5e616a3dfd054c928940766d9a5b9db91e3b697e5d70a975181e007f87fca5e",
}
SIGNATURE_BYTES = {"pedersen-bls-chained": 96, "bls-unchained-g1-rfc9380": 48}


def chain_hash(info: dict[str, Any]) -> str:
    """drand's chain hash (common/chain/info.go), written out independently of audit.beacon."""
    h = hashlib.sha256(struct.pack(">I", info["period"]) + struct.pack(">q", info["genesis_time"]))
    h.update(bytes.fromhex(info["public_key"]) + bytes.fromhex(info["genesis_seed"]))
    if info["beacon_id"] != "default":
        h.update(info["beacon_id"].encode())
    return h.hexdigest()


def flip_bit(hex_text: str, byte_index: int) -> str:
    data = bytearray(bytes.fromhex(hex_text))
    data[byte_index] ^= 0x01
    return data.hex()


def negatives(known: dict[str, Any]) -> list[dict[str, Any]]:
    """Every mutation of every positive, in file order."""
    return [case for pos in known["positives"] for case in _mutations(pos, known)]


def _mutations(pos: dict[str, Any], known: dict[str, Any]) -> list[dict[str, Any]]:
    chains: dict[str, dict[str, Any]] = known["chains"]
    chain = chains[pos["chain"]]
    scheme = chain["scheme"]
    chained = scheme == "pedersen-bls-chained"
    same_chain = [p for p in known["positives"] if p["chain"] == pos["chain"] and p is not pos]
    other_chain = chains[next(name for name in chains if name != pos["chain"])]
    other_key_chain = {**chain, "public_key": OTHER_KEYS[scheme]}
    other_key_chain["chain_hash"] = chain_hash(other_key_chain)
    r, sig, prev = pos["round"], pos["signature"], pos["previous_signature"]
    size, other_size = SIGNATURE_BYTES[scheme], SIGNATURE_BYTES[other_chain["scheme"]]
    cases: list[dict[str, Any]] = []

    def case(mutation: str, want: str, *, on: dict[str, Any] = chain, **changes: Any) -> None:
        beacon = {"round": r, "signature": sig, "previous_signature": prev, **changes}
        cases.append({"desc": f"{pos['desc']}/{mutation}", "chain": on, **beacon, "want_error": want})

    # The flipped x coordinate is off the curve or outside the prime-order subgroup (all but ~2^-125 of points).
    case("signature-bit-flipped", rf"round {r} signature: is not a valid G{2 if chained else 1}Point point",
         signature=flip_bit(sig, size - 1))
    case("signature-of-other-round", NOT_VERIFIED, signature=same_chain[0]["signature"])
    if chained and r == 1:  # round 2's previous signature is a 96-byte signature, not the 32-byte genesis seed
        case("wrong-round", r"round 2 previous_signature: .*must be 96 bytes", round=2)
    else:
        case("wrong-round", NOT_VERIFIED, round=r + 1)
    if chained:
        case("wrong-previous-signature", NOT_VERIFIED, previous_signature=flip_bit(prev, 0))
        case("previous-signature-missing", "needs the previous signature", previous_signature=None)
        case("uppercase-previous-signature-hex", "hex must be lowercase", previous_signature=prev.upper())
    else:
        case("previous-signature-given", "carry no previous signature", previous_signature=same_chain[0]["signature"])
    case("other-chain-key", NOT_VERIFIED, on=other_key_chain)
    case("other-chain", rf"round {r} signature: .*must be {other_size} bytes", on=other_chain)
    case("truncated-signature", rf"must be {size} bytes \({2 * size} hex digits\), got {2 * size - 2}",
         signature=sig[:-2])
    case("uppercase-hex", "hex must be lowercase", signature=sig.upper())
    case("trailing-newline", re.escape("U+000A"), signature=sig + "\n")
    return cases


def main() -> None:
    known = json.loads((HERE / "known_answers.json").read_text(encoding="utf-8"))
    doc = {
        "desc": "Mutation-named negatives derived from known_answers.json by generate.py; every case must be "
                "refused with a BeaconError whose English message matches want_error (a regular expression).",
        "cases": negatives(known),
    }
    (HERE / "negatives.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
