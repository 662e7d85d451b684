"""drand beacons as a proven public value: chains, round arithmetic and offline BLS verification.

Why: the ceremony's public value must be something nobody in the room can choose or
re-spell (issue 13). A drand beacon is a BLS threshold signature by the League of
Entropy over a message fixed by the round number alone (plus, on the chained chain, the
previous signature), so once the round is pinned before it exists there is exactly one
valid value, and anyone can check it offline against the chain's public key. This module
is that check; it does no I/O, reads no clock and fetches nothing: the beacon is an input.

Formulas (drand ``crypto/schemes.go``, ``common/time.go``, ``common/chain/info.go``):

* round at time t (t ≥ genesis):  ``floor((t − genesis) / period) + 1``; round r is due at
  ``genesis + (r − 1) · period`` (round 1 at genesis).
* ``pedersen-bls-chained`` (the default mainnet chain): message = SHA-256(previous_signature
  ‖ round as 8-byte big-endian); public key on G1 (48 bytes), signature on G2 (96 bytes),
  hash-to-curve DST ``BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_``. Round 1's
  previous signature is the chain's genesis seed (32 bytes).
* ``bls-unchained-g1-rfc9380`` (quicknet): message = SHA-256(round as 8-byte big-endian);
  signature on G1 (48 bytes), public key on G2 (96 bytes), DST
  ``BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_``.
* randomness = SHA-256(signature).
* chain hash = SHA-256(period as uint32 BE ‖ genesis time as int64 BE ‖ public key ‖
  genesis seed ‖ beacon id, the id omitted for the ``default`` beacon). Every
  :class:`DrandChain` recomputes it, so a pinned chain whose fields disagree with its hash
  cannot be built.

Other drand schemes (``pedersen-bls-unchained``, ``bls-unchained-on-g1`` with its
non-standard DST, the BN254 chain) are refused, not guessed at.

BLS12-381 arithmetic is py-arkworks-bls12381 (Rust arkworks bindings), chosen by
measurement against py-ecc and blspy (benchmarks/beacon.py, benchmarks/RESULTS.md).
Points are decoded with the subgroup check, must re-encode to exactly the given bytes
(one encoding per point) and must not be the identity.
"""

from __future__ import annotations

import functools
import hashlib
import struct
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from types import MappingProxyType
from typing import TypeGuard, TypeVar

from py_arkworks_bls12381 import GT, G1Point, G2Point

from audit.errors import BeaconError, SpellingError
from audit.spelling import canonical_hex, canonical_text

__all__ = [
    "CHAINED_SCHEME",
    "DST_G1",
    "DST_G2",
    "KNOWN_CHAINS",
    "MAINNET",
    "QUICKNET",
    "UNCHAINED_G1_SCHEME",
    "DrandChain",
    "beacon_message",
    "check_declared_round",
    "first_round_after",
    "round_at",
    "round_time",
    "verified_randomness",
    "verify_beacon",
    "verify_beacon_record",
]

CHAINED_SCHEME = "pedersen-bls-chained"
UNCHAINED_G1_SCHEME = "bls-unchained-g1-rfc9380"
DST_G2 = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_"
DST_G1 = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"

_G1_BYTES = 48
_G2_BYTES = 96
_DEFAULT_BEACON_ID = "default"
_MAX_ROUND = 2**64 - 1  # the round is signed as an unsigned 64-bit integer
_Point = TypeVar("_Point", G1Point, G2Point)
_INFO_KEYS = ("public_key", "period", "genesis_time", "genesis_seed", "chain_hash", "scheme", "beacon_id")
# scheme -> (public key bytes, signature bytes)
_SIZES = {CHAINED_SCHEME: (_G1_BYTES, _G2_BYTES), UNCHAINED_G1_SCHEME: (_G2_BYTES, _G1_BYTES)}


@functools.lru_cache(maxsize=8)
def _public_key_point(chain: DrandChain) -> tuple[G1Point, G2Point]:
    """The chain's public key decoded once; the unused slot holds the group generator."""
    key = bytes.fromhex(chain.public_key)
    item = f"chain {chain.chain_hash} public_key"
    if chain.chained:
        return _decode(G1Point, key, item), G2Point()
    return G1Point(), _decode(G2Point, key, item)


def _decode(group: type[_Point], data: bytes, item: str) -> _Point:
    """Decode a compressed point with the subgroup check; refuse a second encoding and the identity."""
    try:
        point = group.from_compressed_bytes(data)
    except ValueError as exc:
        raise BeaconError(item, f"不是 {group.__name__} 上的有效点（{exc}）",
                          f"is not a valid {group.__name__} point ({exc})") from exc
    if point.to_compressed_bytes() != data or point == group.identity():
        raise BeaconError(item, f"不是 {group.__name__} 点的唯一规范编码，或为单位元",
                          f"is not the one canonical encoding of a {group.__name__} point, or is the identity")
    return point


def _hex(item: str, field: str, value: object, nbytes: int | None) -> bytes:
    try:
        return canonical_hex(value, field=field, nbytes=nbytes)
    except SpellingError as exc:
        raise BeaconError(f"{item} {field}", exc.message_zh, exc.message_en) from exc


def _check_round(round_number: object) -> int:
    if not _is_int(round_number) or not 1 <= round_number <= _MAX_ROUND:
        raise BeaconError(f"round {round_number!r}", "轮次必须是 1 到 2^64−1 之间的整数",
                          "round must be an integer from 1 to 2^64 − 1")
    return round_number


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class DrandChain:
    """One drand chain as drand's ``/info`` describes it (v2 field names), self-checked on construction.

    All hex fields are lowercase (audit.spelling); ``chain_hash`` must equal the hash of
    the other fields (module docstring), ``public_key`` must be a valid point of the
    scheme's key group. Raises :class:`BeaconError` otherwise.
    """

    chain_hash: str
    public_key: str
    scheme: str
    genesis_time: int
    period: int
    genesis_seed: str
    beacon_id: str

    def __post_init__(self) -> None:
        item = f"chain {self.chain_hash!r}"
        if self.scheme not in _SIZES:
            raise BeaconError(item, f"不支持的 drand 方案 {self.scheme!r}（支持：{', '.join(_SIZES)}）",
                              f"unsupported drand scheme {self.scheme!r} (supported: {', '.join(_SIZES)})")
        # drand hashes the period as uint32 and the genesis time as int64 (see _computed_hash).
        for name, value, low, high in (("genesis_time", self.genesis_time, 0, 2**63 - 1),
                                       ("period", self.period, 1, 2**32 - 1)):
            if not _is_int(value) or not low <= value <= high:
                raise BeaconError(item, f"{name} 必须是 {low} 到 {high} 之间的整数（秒）",
                                  f"{name} must be an integer from {low} to {high} (seconds), got {value!r}")
        try:
            canonical_text(self.beacon_id, field="beacon_id")  # hashed into the chain hash: one spelling
        except SpellingError as exc:
            raise BeaconError(f"{item} beacon_id", exc.message_zh, exc.message_en) from exc
        key_bytes, _ = _SIZES[self.scheme]
        chain_hash = _hex(item, "chain_hash", self.chain_hash, 32)
        public_key = _hex(item, "public_key", self.public_key, key_bytes)
        seed = _hex(item, "genesis_seed", self.genesis_seed, None)
        computed = self._computed_hash(public_key, seed)
        if computed != chain_hash:
            raise BeaconError(item, f"链哈希与链参数不符：按参数计算为 {computed.hex()}",
                              f"chain hash does not match the chain's fields: they hash to {computed.hex()}")
        _public_key_point(self)  # refuses a key that is not a point of the key group

    def _computed_hash(self, public_key: bytes, seed: bytes) -> bytes:
        h = hashlib.sha256()
        h.update(struct.pack(">I", self.period))
        h.update(struct.pack(">q", self.genesis_time))
        h.update(public_key)
        h.update(seed)
        if self.beacon_id != _DEFAULT_BEACON_ID:
            h.update(self.beacon_id.encode())
        return h.digest()

    @property
    def chained(self) -> bool:
        """True for the chained scheme, whose beacons carry the previous signature."""
        return self.scheme == CHAINED_SCHEME

    @classmethod
    def from_info(cls, info: Mapping[str, object]) -> DrandChain:
        """A chain from drand's v2 ``/info`` JSON object; unknown or missing keys are refused."""
        keys = set(info)
        if keys != set(_INFO_KEYS):
            extra, missing = sorted(keys - set(_INFO_KEYS)), sorted(set(_INFO_KEYS) - keys)
            raise BeaconError("chain info", f"字段不符：多余 {extra}，缺少 {missing}",
                              f"fields do not match drand's chain info: unknown {extra}, missing {missing}")
        return cls(**{key: info[key] for key in _INFO_KEYS})  # type: ignore[arg-type]  # types checked in __post_init__

    def to_info(self) -> dict[str, object]:
        """The drand v2 ``/info`` JSON object for this chain (the inverse of :meth:`from_info`)."""
        return asdict(self)


MAINNET = DrandChain(
    chain_hash="8990e7a9aaed2ffed73dbd7092123d6f289930540d7651336225dc172e51b2ce",
    public_key="868f005eb8e6e4ca0a47c8a77ceaa5309a47978a7c71bc5cce96366b5d7a569937c529eeda66c7293784a9402801af31",
    scheme=CHAINED_SCHEME,
    genesis_time=1595431050,
    period=30,
    genesis_seed="176f93498eac9ca337150b46d21dd58673ea4e3581185f869672e59fa4cb390a",
    beacon_id=_DEFAULT_BEACON_ID,
)
"""League of Entropy mainnet, the default chained chain (30 s)."""

QUICKNET = DrandChain(
    chain_hash="52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
    public_key="83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d"
               "1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a",
    scheme=UNCHAINED_G1_SCHEME,
    genesis_time=1692803367,
    period=3,
    genesis_seed="f477d5c89f21a17c863a7f937c6a6d15859414d2be09cd448d4279af331c5d3e",
    beacon_id="quicknet",
)
"""League of Entropy quicknet, unchained with signatures on G1 (3 s)."""

KNOWN_CHAINS: Mapping[str, DrandChain] = MappingProxyType({c.chain_hash: c for c in (MAINNET, QUICKNET)})


def round_at(chain: DrandChain, unix_time: int) -> int:
    """The round due at ``unix_time`` (the latest round whose time is ≤ it): ``floor((t − genesis)/period) + 1``."""
    if not _is_int(unix_time):
        raise BeaconError(f"time {unix_time!r}", "时间必须是整数 Unix 秒", "time must be integer Unix seconds")
    if unix_time < chain.genesis_time:
        raise BeaconError(f"time {unix_time}", f"早于该链的创世时间 {chain.genesis_time}，尚无轮次",
                          f"is before the chain's genesis time {chain.genesis_time}: no round exists yet")
    return (unix_time - chain.genesis_time) // chain.period + 1


def round_time(chain: DrandChain, round_number: int) -> int:
    """The Unix time at which ``round_number`` is due: ``genesis + (round − 1)·period``."""
    _check_round(round_number)
    return chain.genesis_time + (round_number - 1) * chain.period


def first_round_after(chain: DrandChain, unix_time: int) -> int:
    """The first round whose time is strictly after ``unix_time`` (round 1 before genesis)."""
    if _is_int(unix_time) and unix_time < chain.genesis_time:
        return 1
    return round_at(chain, unix_time) + 1


def check_declared_round(chain: DrandChain, round_number: int, *, declared_at: int, reveal_deadline: int) -> None:
    """Refuse a round that may already be known at declaration, or that is not after the reveal deadline.

    The rule (docs/ceremony.md, "Public value: drand beacons"): ``round_time(round)`` must be
    strictly later than ``declared_at`` (a round due at or before the declaration may
    already be published) and strictly later than ``reveal_deadline`` (the beacon must
    not exist while anyone can still choose to reveal or withhold). Equivalently
    ``round ≥ first_round_after(max(declared_at, reveal_deadline))``.
    """
    due = round_time(chain, round_number)
    for what, limit, zh, en in (
        ("declaration", declared_at, "宣布时该轮可能已公布", "may already be published at the declaration"),
        ("reveal deadline", reveal_deadline, "不晚于揭示截止时间", "is not after the reveal deadline"),
    ):
        if not _is_int(limit):
            raise BeaconError(f"{what} time {limit!r}", "时间必须是整数 Unix 秒", "time must be integer Unix seconds")
        if due <= limit:
            raise BeaconError(
                f"round {round_number}",
                f"该轮时间 {due} 不晚于{'宣布' if what == 'declaration' else '揭示截止'}时间 {limit}：{zh}；"
                f"最早可用第 {first_round_after(chain, limit)} 轮",
                f"its time {due} is not after the {what} time {limit}: it {en}; "
                f"the earliest acceptable round is {first_round_after(chain, limit)}",
            )


def beacon_message(chain: DrandChain, round_number: int, previous_signature: bytes | None) -> bytes:
    """The 32-byte digest drand signs for ``round_number`` (module docstring)."""
    _check_round(round_number)
    h = hashlib.sha256()
    if chain.chained:
        if previous_signature is None:
            raise BeaconError(f"round {round_number} previous_signature", "链式方案需要上一轮签名",
                              "the chained scheme needs the previous signature")
        h.update(previous_signature)
    elif previous_signature is not None:
        raise BeaconError(f"round {round_number} previous_signature", f"{chain.scheme} 方案的信标没有上一轮签名",
                          f"{chain.scheme} beacons carry no previous signature")
    h.update(round_number.to_bytes(8, "big"))
    return h.digest()


def verify_beacon(chain: DrandChain, round_number: int, signature_hex: str,
                  previous_signature_hex: str | None) -> bytes:
    """Check a beacon's BLS signature offline against ``chain``; return its randomness, SHA-256(signature).

    ``previous_signature_hex`` is required (and only allowed) on the chained scheme. Every
    hex value must be in its canonical spelling (lowercase, exact length). Raises
    :class:`BeaconError` naming the round and the part that failed.
    """
    _check_round(round_number)
    item = f"round {round_number}"
    _, sig_bytes = _SIZES[chain.scheme]
    signature = _hex(item, "signature", signature_hex, sig_bytes)
    previous: bytes | None = None
    if previous_signature_hex is not None and chain.chained:
        prev_len = len(bytes.fromhex(chain.genesis_seed)) if round_number == 1 else _G2_BYTES
        previous = _hex(item, "previous_signature", previous_signature_hex, prev_len)
    elif previous_signature_hex is not None:
        previous = b""  # present: beacon_message refuses a previous signature on this scheme
    message = beacon_message(chain, round_number, previous)
    public_key = _public_key_point(chain)
    if chain.chained:
        sig_g2 = _decode(G2Point, signature, f"{item} signature")
        valid = GT.pairing_check([-G1Point(), public_key[0]], [sig_g2, G2Point.hash_to_curve(message, DST_G2)])
    else:
        sig_g1 = _decode(G1Point, signature, f"{item} signature")
        valid = GT.pairing_check([sig_g1, -G1Point.hash_to_curve(message, DST_G1)], [G2Point(), public_key[1]])
    if not valid:
        raise BeaconError(item, f"BLS 签名与链 {chain.chain_hash[:16]}… 的公钥不符（签名、轮次或上一轮签名有误）",
                          f"BLS signature does not verify under chain {chain.chain_hash[:16]}…'s public key "
                          f"(wrong signature, round or previous signature)")
    return hashlib.sha256(signature).digest()


@functools.lru_cache(maxsize=64)
def verified_randomness(chain: DrandChain, round_number: int, signature_hex: str,
                        previous_signature_hex: str | None) -> bytes:
    """:func:`verify_beacon`, remembered: the state machine replays a whole log for every step and
    every view, and a pairing check per replay would dominate it (the result of a check never changes)."""
    return verify_beacon(chain, round_number, signature_hex, previous_signature_hex)


def verify_beacon_record(chain: DrandChain, record: Mapping[str, object]) -> bytes:
    """:func:`verify_beacon` on a beacon as drand's HTTP API returns it (v1 or v2 JSON object).

    Keys: ``round``, ``signature``, ``previous_signature`` (exactly on the chained scheme)
    and optionally ``randomness``, which is not trusted but must equal the recomputed
    SHA-256(signature) in its canonical spelling. Any other key is refused, so a recorded
    beacon has one form.
    """
    allowed = {"round", "signature", "randomness"} | ({"previous_signature"} if chain.chained else set())
    required = allowed - {"randomness"}
    keys = set(record)
    if not required <= keys <= allowed:
        extra, missing = sorted(keys - allowed), sorted(required - keys)
        raise BeaconError(f"beacon record round {record.get('round')!r}",
                          f"字段不符：多余 {extra}，缺少 {missing}",
                          f"fields do not match a {chain.scheme} beacon: unknown {extra}, missing {missing}")
    round_number = _check_round(record["round"])
    signature, previous = record["signature"], record.get("previous_signature")
    if not isinstance(signature, str) or not (previous is None or isinstance(previous, str)):
        raise BeaconError(f"round {round_number}", "签名必须是十六进制文本", "signatures must be hex text")
    randomness = verify_beacon(chain, round_number, signature, previous)
    if "randomness" in record:
        claimed = _hex(f"round {round_number}", "randomness", record["randomness"], 32)
        if claimed != randomness:
            raise BeaconError(f"round {round_number} randomness",
                              f"记录的随机数不是签名的 SHA-256（应为 {randomness.hex()}）",
                              f"the recorded randomness is not SHA-256 of the signature (it is {randomness.hex()})")
    return randomness

