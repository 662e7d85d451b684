"""Canonical bytes (RFC 8785, JSON Canonicalization Scheme) and SHA-256 record hashes.

Every hashed or signed record in Sunshine is the JCS encoding of a value from a
restricted JSON subset: strings, booleans, ``null``, integers with magnitude below
2⁵³, lists and objects with string keys. Floats are refused: the run-kind seam keeps
configs and rosters float-free, so the canonical bytes are unambiguous.

For that subset JCS equals ``json.dumps(sort_keys=True, separators=(",", ":"),
ensure_ascii=False)`` *provided no key contains a character outside the Basic
Multilingual Plane* (JCS sorts keys by UTF-16 code units, Python by code points).
We use the C encoder for speed (a million roster leaves) and fall back to the
reference ``rfc8785`` package whenever a key leaves the BMP; the tests cross-check
both against ``rfc8785`` on generated values.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import rfc8785

from audit.errors import CanonicalError

__all__ = ["canonical_bytes", "record_hash", "sha256", "sha256_hex"]

_MAX_INT = 2**53 - 1
_BMP_LIMIT = "\U00010000"


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _bad_type(value: Any) -> CanonicalError:
    return CanonicalError(
        f"不支持的值类型 {type(value).__name__}（不允许浮点数）",
        f"unsupported value of type {type(value).__name__} in a hashed record (floats are not allowed)",
    )


def _check(value: Any) -> bool:
    """Validate ``value`` is in the subset; return True when some key leaves the BMP.

    Iterative (an explicit stack) with scalars handled inline: this runs once per roster
    leaf, a million times for a large roster.
    """
    astral = False
    stack = [value]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is dict:
            for k in v:
                if type(k) is not str:
                    raise CanonicalError(f"键必须是字符串：{k!r}", f"object keys must be strings: {k!r}")
                if not k.isascii() and max(k) >= _BMP_LIMIT:
                    astral = True
            items: Any = v.values()
        elif t is list or t is tuple:
            items = v
        else:
            items = (v,)
        for x in items:
            tx = type(x)
            if tx is str or tx is bool or x is None:
                continue
            if tx is int:
                if not -_MAX_INT <= x <= _MAX_INT:
                    raise CanonicalError(f"整数超出范围：{x}", f"integer out of the JSON-safe range: {x}")
                continue
            if tx is dict or tx is list or tx is tuple:
                stack.append(x)
                continue
            raise _bad_type(x)
    return astral


def canonical_bytes(value: Any) -> bytes:
    """RFC 8785 bytes of ``value``; raises :class:`CanonicalError` outside the subset."""
    try:
        if _check(value):
            return bytes(rfc8785.dumps(value))
        return _ENCODER.encode(value).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CanonicalError("字符串含有孤立代理字符", "string contains a lone surrogate") from exc


def sha256(data: bytes) -> bytes:
    """SHA-256 digest."""
    return hashlib.sha256(data).digest()


def sha256_hex(data: bytes) -> str:
    """SHA-256 digest as lowercase hex."""
    return hashlib.sha256(data).hexdigest()


def record_hash(value: Any) -> str:
    """Hex SHA-256 of the canonical bytes of ``value``: the hash of every hashed record."""
    return sha256_hex(canonical_bytes(value))
