"""Roster commitment: salted leaves of an RFC 6962 tree in application-number order.

Leaf ``i`` is the canonical bytes of ``{"private": P, "record": R}`` where ``R`` is the
public roster record (what the engine uses, no names) and

    salt = HMAC-SHA256(roster_secret, enc("sunshine/v1/roster-salt") ‖ enc(id))
    P    = hex SHA-256(salt ‖ canonical(private fields of the applicant))

The roster secret is the operator's (32 random bytes, kept privately in the run
directory); the salt is given to the applicant in their receipt. With it the applicant
(and only they) can show their name and ID number are what was committed; without it
nobody can brute-force the private fields from ``P``. Records are sorted by the UTF-8
bytes of ``id`` (application-number order) and ids must be unique.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from audit.canonical import canonical_bytes, sha256_hex
from audit.errors import VerificationError
from audit.merkle import leaf_hashes, root_of
from engine.randomness import encode_str

__all__ = [
    "CommittedRoster",
    "commit_roster",
    "private_commitment",
    "public_root_of",
    "record_lines",
    "roster_salt",
]

_SALT_TAG = encode_str("sunshine/v1/roster-salt")


def roster_salt(secret: bytes, applicant_id: str) -> bytes:
    return hmac.digest(secret, _SALT_TAG + encode_str(applicant_id), "sha256")


def private_commitment(salt: bytes, private_fields: Mapping[str, str]) -> str:
    return sha256_hex(salt + (canonical_bytes(dict(private_fields)) if private_fields else b"{}"))


@dataclass(frozen=True)
class CommittedRoster:
    """A roster's leaves, their canonical lines (``roster.jsonl``), the per-applicant salts and the roots.

    ``root`` is the salted commitment (it binds every applicant's private fields); ``public_root``
    is the RFC 6962 root over the canonical bytes of the public records alone, which anyone can
    recompute from ``roster.jsonl`` and which does not depend on the roster secret: the seed is
    derived from it, so running the same roster twice cannot give the operator two seeds to choose from.
    """

    leaves: list[dict[str, Any]]
    lines: list[bytes]
    salts: list[bytes]
    root: bytes
    public_root: bytes


# A leaf line is {"private":"<64 hex>","record":<record>} (JCS sorts "private" before "record"),
# so the record's canonical bytes are the line between this prefix length and the closing brace.
_RECORD_OFFSET = len(b'{"private":"') + 64 + len(b'","record":')


def record_lines(lines: Sequence[bytes]) -> list[bytes]:
    """The canonical bytes of each leaf's public record, cut from the leaf lines (no re-encoding)."""
    return [line[_RECORD_OFFSET:-1] for line in lines]


def public_root_of(lines: Sequence[bytes]) -> bytes:
    """The public roster root: RFC 6962 root over the records' canonical bytes, in roster order."""
    return root_of(leaf_hashes(record_lines(lines)))


def commit_roster(
    roster: Sequence[Mapping[str, Any]], private: Mapping[str, Mapping[str, str]], secret: bytes
) -> CommittedRoster:
    """Salts, leaves, canonical lines and root in one pass (each leaf encoded once)."""
    leaves: list[dict[str, Any]] = []
    lines: list[bytes] = []
    salts: list[bytes] = []
    # HMAC key schedule done once; salt_i equals roster_salt(secret, id_i) exactly
    key = secret if len(secret) <= 64 else hashlib.sha256(secret).digest()
    key = key.ljust(64, b"\x00")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    inner.update(_SALT_TAG)
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    prev: bytes | None = None
    for rec in roster:
        rid = str(rec["id"])
        rkey = rid.encode()
        if prev is not None and rkey <= prev:
            raise VerificationError("roster", rid, "名单未按编号排序或编号重复",
                                    "roster not sorted by id or id repeated")
        prev = rkey
        h = inner.copy()
        h.update(encode_str(rid))
        o = outer.copy()
        o.update(h.digest())
        salt = o.digest()
        leaf = {"private": private_commitment(salt, private.get(rid, {})), "record": dict(rec)}
        salts.append(salt)
        leaves.append(leaf)
        lines.append(canonical_bytes(leaf))
    return CommittedRoster(leaves, lines, salts, root_of(leaf_hashes(lines)), public_root_of(lines))
