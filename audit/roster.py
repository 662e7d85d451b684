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

How (issue 12, a million applicants): the canonical lines are built column-wise by
:mod:`audit.canonical_columns` when the records share a shape (every run kind's roster
does), chosen up front from the shape; rosters without one are encoded record by
record with :func:`audit.canonical.canonical_bytes`. Salts, private commitments, leaf
hashes and the tree are batches of the numba SHA-256 kernel. Both routes give the bytes
the definitions above give (tests compare with ``rfc8785``, ``hmac`` and ``hashlib``).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import compress, count
from operator import ge
from typing import Any

import numpy as np
from numpy.typing import NDArray

from audit.canonical import canonical_bytes, sha256_hex
from audit.canonical_columns import (
    Lines,
    encode_lines,
    hex_field,
    member_literals,
    raw_field,
    record_fields,
    record_shape,
    string_field,
)
from audit.errors import VerificationError
from audit.merkle import leaf_hashes, root_of, root_of_digests
from audit.roster_columns import column_of
from engine.compiled import kernel
from engine.lottery.sha256_kernel import hmac_sha256_many, sha256_many, utf8_parts
from engine.randomness import encode_str

__all__ = [
    "PUBLIC_RECORD_END",
    "PUBLIC_RECORD_START",
    "CommittedRoster",
    "commit_roster",
    "private_commitment",
    "public_root_of",
    "record_lines",
    "roster_private_json",
    "roster_salt",
]

_SALT_TAG = encode_str("sunshine/v1/roster-salt")
_LEAF_HEAD = b'{"private":"'
_RECORD_HEAD = b'","record":'
PUBLIC_RECORD_START = len(_LEAF_HEAD) + 64 + len(_RECORD_HEAD)  # 87: where the record starts in a leaf line
PUBLIC_RECORD_END = -1  # the record ends before the leaf's closing brace

UInt8Array = NDArray[np.uint8]
Int64Array = NDArray[np.int64]


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

    ``jsonl`` is ``roster.jsonl`` itself (each leaf line followed by ``\n``) and ``salt_bytes`` the
    32-byte salts one after another, as built: a million-line roster is not split into a million
    objects unless :attr:`lines` or :attr:`salts` is asked for.
    """

    jsonl: bytes
    salt_bytes: bytes
    root: bytes
    public_root: bytes

    @property
    def lines(self) -> list[bytes]:
        """The canonical leaf lines, without their newlines."""
        return self.jsonl.split(b"\n")[:-1]

    @property
    def salts(self) -> list[bytes]:
        """Each applicant's 32-byte salt, in roster order."""
        flat = self.salt_bytes
        return [flat[i : i + 32] for i in range(0, len(flat), 32)]

    @property
    def leaves(self) -> list[dict[str, Any]]:
        """The leaves as values, ``{"private": P, "record": R}`` (parsed back from the lines)."""
        return [json.loads(line) for line in self.lines]


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
    """Salts, leaves, canonical lines and both roots; raises if ids are unsorted or repeated.

    The public root's leaf hashes and tree are computed on a second thread while this one
    hashes the salted leaves (both are ``nogil`` kernels over the same finished lines, so the
    roots do not depend on the schedule).
    """
    ids = _sorted_ids(roster)
    n = len(ids)
    id_start, id_len, id_raw = utf8_parts(ids)
    be_len = id_len.astype(">u4").view(np.uint8).reshape(n, 4)
    salts = hmac_sha256_many(secret, _SALT_TAG, *_prefixed(be_len, id_raw, id_start, id_len))
    body = _canonical_lines([private.get(i) or {} for i in ids] if private else [{}] * n)
    commitments = sha256_many(*_prefixed(salts, np.frombuffer(body.data, np.uint8), body.start, body.length))
    shape = record_shape(roster)
    if shape is None:
        lines = Lines.of([canonical_bytes({"private": p, "record": dict(r)})
                          for p, r in zip(_hex(commitments), roster, strict=True)])
    else:
        literals = [_LEAF_HEAD, *member_literals(_RECORD_HEAD, shape.keys, b"}")]
        lines = encode_lines(literals, [hex_field(commitments), *record_fields(shape)], n)
    raw = np.frombuffer(lines.data, dtype=np.uint8)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="public-root") as pool:
        public = pool.submit(lambda: root_of_digests(sha256_many(
            raw, lines.start + PUBLIC_RECORD_START, lines.length - PUBLIC_RECORD_START + PUBLIC_RECORD_END, b"\x00")))
        root = root_of_digests(sha256_many(raw, lines.start, lines.length, b"\x00"))
        public_root = public.result()
    return CommittedRoster(lines.data, salts.tobytes(), root, public_root)


def _sorted_ids(roster: Sequence[Mapping[str, Any]]) -> list[str]:
    """The roster's ids as strings; raises unless they are strictly increasing (sorted, no repeats)."""
    ids = column_of(roster, "id")
    if set(map(type, ids)) - {str}:
        ids = [str(x) for x in ids]
    # str order is code point order, which is UTF-8 byte order
    bad = next(compress(count(1), map(ge, ids, ids[1:])), None)
    if bad is not None:
        raise VerificationError("roster", ids[bad], "名单未按编号排序或编号重复",
                                "roster not sorted by id or id repeated")
    return ids


def roster_private_json(roster: Sequence[Mapping[str, Any]], private: Mapping[str, Mapping[str, str]],
                        committed: CommittedRoster) -> bytes:
    """``audit-private/roster_private.json``: every applicant's salt and private fields, for receipts.

    The bytes of ``json.dumps({id: {"private": fields, "salt": hex}}, ensure_ascii=False,
    sort_keys=True) + "\n"`` (ids in roster order, which is sorted order), written column-wise:
    one line kernel call, the private fields column-wise too when they share a shape whose member
    order is ``sort_keys``' (else one ``json.dumps`` each). Tests compare with ``json.dumps``.
    """
    ids = _sorted_ids(roster)
    if not ids:
        return b"{}\n"
    values = [private.get(i) or {} for i in ids] if private else [{}] * len(ids)
    shape = record_shape(values)
    if shape is not None and shape.keys == sorted(shape.keys):
        fields = encode_lines(member_literals(b"", shape.keys, b"", _DUMPS), record_fields(shape), len(ids))
    else:
        fields = Lines.of([json.dumps(dict(v), ensure_ascii=False, sort_keys=True).encode() for v in values])
    salts = np.frombuffer(committed.salt_bytes, dtype=np.uint8).reshape(len(ids), 32)
    lines = encode_lines([b"", b': {"private": ', b', "salt": "', b'"}'],
                         [string_field(ids), raw_field(fields), hex_field(salts)], len(ids))
    return b"{" + lines.data[:-1].replace(b"\n", b", ") + b"}\n"  # JSON strings hold no raw newline


_DUMPS = (b", ", b": ")  # json.dumps' default separators


def _canonical_lines(values: Sequence[Mapping[str, Any]]) -> Lines:
    """Canonical bytes of each value: column-wise when they share a shape, else one at a time."""
    shape = record_shape(values)
    if shape is None:
        return Lines.of([canonical_bytes(dict(v)) for v in values])
    return encode_lines(member_literals(b"", shape.keys, b""), record_fields(shape), len(values))


def _hex(digests: UInt8Array) -> list[str]:
    text = digests.tobytes().hex()
    return [text[i : i + 64] for i in range(0, len(text), 64)]


def _prefixed(head: UInt8Array, raw: UInt8Array, start: Int64Array, length: Int64Array
              ) -> tuple[UInt8Array, Int64Array, Int64Array]:
    """Messages ``head[i] ‖ raw[start[i]:][:length[i]]`` in one buffer, with their starts and lengths."""
    n, width = head.shape
    lens = length + width
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    out = np.empty(int(lens.sum()), dtype=np.uint8)
    _put_prefixed(out, starts, np.ascontiguousarray(head), raw, start.astype(np.int64), length.astype(np.int64))
    return out, starts, lens


@kernel
def _put_prefixed(out: UInt8Array, at: Int64Array, head: UInt8Array, raw: UInt8Array, start: Int64Array,
                  length: Int64Array) -> None:
    width = head.shape[1]
    for i in range(at.shape[0]):
        p = at[i]
        for k in range(width):
            out[p + k] = head[i, k]
        p += width
        s = start[i]
        for k in range(length[i]):
            out[p + k] = raw[s + k]
