"""drand beacon verification: time one BLS verify per candidate BLS12-381 library and scheme.

    .venv/bin/python benchmarks/beacon.py              # 5 repetitions each (py-ecc: 3)
    .venv/bin/python benchmarks/beacon.py --reps 20 --slow-reps 5

blspy and py-ecc are not project dependencies: ``.venv/bin/pip install blspy py-ecc`` first
to measure them (they are reported as not installed otherwise).

Why: ``sunshine verify`` checks the recorded drand beacon offline (docs/ceremony.md,
"Public value: drand beacons"), so the library must be correct, kept, and fast enough
for a verify run. The candidates are measured on the same two real beacons (the
drand-verify project's chained mainnet round 72785 and quicknet round 123) with the
same message construction; each candidate must also accept them, so a wrong port shows
as "FAILED" instead of as a fast time. The production code (audit/beacon.py) uses the
library chosen from these figures; the other candidates are imported here only.

Each figure is the median wall time of one full verification (decode + subgroup-check
the points, hash to curve, one pairing check), imports excluded. Candidates that are
not installed are reported as such.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audit.beacon import DST_G1, DST_G2, MAINNET, QUICKNET, beacon_message, verify_beacon

CHAINED = {
    "round": 72785,
    "previous_signature": "a609e19a03c2fcc559e8dae14900aaefe517cb55c840f6e69bc8e4f66c8d18e8a609685d9917efbfb0c37f05"
                          "8c2de88f13d297c7e19e0ab24813079efe57a182554ff054c7638153f9b26a60e7111f71a0ff63d9571704905d3ca6"
                          "df0b031747",
    "signature": "82f5d3d2de4db19d40a6980e8aa37842a0e55d1df06bd68bddc8d60002e8e959eb9cfa368b3c1b77d18f02a54fe047b80f09"
                 "89315f83b12a74fd8679c4f12aae86eaf6ab5690b34f1fddd50ee3cc6f6cdf59e95526d5a5d82aaa84fa6f181e42",
}
UNCHAINED = {
    "round": 123,
    "previous_signature": None,
    "signature": "b75c69d0b72a5d906e854e808ba7e2accb1542ac355ae486d591aa9d43765482e26cd02df835d3546d23c4b13e0dfc92",
}

Verifier = Callable[[bytes, bytes, bytes], bool]  # (public key, message digest, signature) -> valid


def arkworks() -> tuple[Verifier, Verifier]:
    from py_arkworks_bls12381 import GT, G1Point, G2Point

    def chained(pk: bytes, msg: bytes, sig: bytes) -> bool:
        h = G2Point.hash_to_curve(msg, DST_G2)
        pk_g1, sig_g2 = G1Point.from_compressed_bytes(pk), G2Point.from_compressed_bytes(sig)
        return GT.pairing_check([-G1Point(), pk_g1], [sig_g2, h])

    def unchained(pk: bytes, msg: bytes, sig: bytes) -> bool:
        h = G1Point.hash_to_curve(msg, DST_G1)
        sig_g1, pk_g2 = G1Point.from_compressed_bytes(sig), G2Point.from_compressed_bytes(pk)
        return GT.pairing_check([sig_g1, -h], [G2Point(), pk_g2])

    return chained, unchained


def py_ecc() -> tuple[Verifier, Verifier]:
    from py_ecc.bls import G2Basic  # chained drand == the IETF "basic" scheme: key on G1, signature on G2, NUL DST
    from py_ecc.bls.hash_to_curve import hash_to_G1
    from py_ecc.bls.point_compression import decompress_G1, decompress_G2
    from py_ecc.fields import optimized_bls12_381_FQ12 as FQ12
    from py_ecc.optimized_bls12_381 import (
        G2,
        b,
        b2,
        curve_order,
        final_exponentiate,
        is_inf,
        is_on_curve,
        multiply,
        neg,
        pairing,
    )

    assert G2Basic.DST == DST_G2

    def chained(pk: bytes, msg: bytes, sig: bytes) -> bool:
        return bool(G2Basic.Verify(pk, msg, sig))  # type: ignore[arg-type]

    def unchained(pk: bytes, msg: bytes, sig: bytes) -> bool:
        s = decompress_G1(int.from_bytes(sig, "big"))  # type: ignore[arg-type]
        p = decompress_G2((int.from_bytes(pk[:48], "big"), int.from_bytes(pk[48:], "big")))  # type: ignore[arg-type]
        for point, coeff in ((s, b), (p, b2)):  # subgroup checks, as G2Basic does for its points
            if not is_on_curve(point, coeff) or not is_inf(multiply(point, curve_order)):
                return False
        h = hash_to_G1(msg, DST_G1, hashlib.sha256)
        value = pairing(G2, s, final_exponentiate=False) * pairing(p, neg(h), final_exponentiate=False)
        return bool(final_exponentiate(value) == FQ12.one())

    return chained, unchained


def blspy() -> tuple[Verifier, Verifier]:
    from blspy import BasicSchemeMPL, G1Element, G2Element  # type: ignore[import-not-found]

    def chained(pk: bytes, msg: bytes, sig: bytes) -> bool:
        return bool(BasicSchemeMPL.verify(G1Element.from_bytes(pk), msg, G2Element.from_bytes(sig)))

    def unchained(pk: bytes, msg: bytes, sig: bytes) -> bool:
        s = G1Element.from_bytes(sig)
        h = G1Element.from_message(msg, DST_G1)
        return bool(s.pair(G2Element.generator()) == h.pair(G2Element.from_bytes(pk)))

    return chained, unchained


def production() -> tuple[Verifier, Verifier]:
    """audit.beacon.verify_beacon itself (spelling checks and key cache included), for the same beacons."""

    def run(beacon: dict[str, Any], chain: Any) -> Verifier:
        return lambda pk, msg, sig: len(verify_beacon(chain, beacon["round"], beacon["signature"],
                                                      beacon["previous_signature"])) == 32

    return run(CHAINED, MAINNET), run(UNCHAINED, QUICKNET)


CANDIDATES: dict[str, Callable[[], tuple[Verifier, Verifier]]] = {
    "audit.verify_beacon": production,
    "py-arkworks-bls12381": arkworks,
    "blspy": blspy,
    "py-ecc": py_ecc,
}


def time_one(verify: Verifier, chain: Any, beacon: dict[str, Any], reps: int) -> str:
    prev = bytes.fromhex(beacon["previous_signature"]) if beacon["previous_signature"] else None
    msg = beacon_message(chain, beacon["round"], prev)
    pk, sig = bytes.fromhex(chain.public_key), bytes.fromhex(beacon["signature"])
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        ok = verify(pk, msg, sig)
        times.append(time.perf_counter() - t0)
        if not ok:
            return "FAILED (rejected a genuine beacon)"
    return f"{statistics.median(times) * 1000:10.1f} ms (median of {reps})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5, help="repetitions per compiled library")
    parser.add_argument("--slow-reps", type=int, default=3, help="repetitions for pure-Python py-ecc")
    args = parser.parse_args()
    for name, load in CANDIDATES.items():
        try:
            chained, unchained = load()
        except ImportError as exc:
            print(f"{name:22} not installed ({exc})")
            continue
        reps = args.slow_reps if name == "py-ecc" else args.reps
        print(f"{name:22} chained  (G2 sig)  {time_one(chained, MAINNET, CHAINED, reps)}")
        print(f"{name:22} quicknet (G1 sig)  {time_one(unchained, QUICKNET, UNCHAINED, reps)}")


if __name__ == "__main__":
    main()
