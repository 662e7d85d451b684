"""A strict, column-wise reader of lottery roster leaves (``roster.jsonl`` of a lottery bundle).

Why (issue 12): ``sunshine verify`` of a million-applicant bundle spent about a fifth of its
time in ``json.loads`` making a million leaf dicts, and the replay then read them back key by
key. A lottery leaf is RFC 8785 text of one fixed shape,

    {"private":"<64 hex>","record":{"group":S,"id":S,"preferences":[S,…],"priority":{S:I,…},"round2":[S,…],"tier":I}}

so a numba kernel reads every line into columns, and the records come out as a
:class:`~audit.roster_columns.ColumnRoster` (the replay's market reads those columns).

The reader is strict: it accepts a line only in exactly that form — no whitespace, no string
holding a backslash escape or a control character, integers in canonical decimal below 10¹⁵,
``priority`` names strictly increasing by their UTF-8 bytes, strings valid UTF-8 — which is a
subset of JSON on which it gives exactly what ``json.loads`` gives (property tests). Any
other roster (another kind's, or a lottery roster whose strings need escapes) is refused as a
whole (``None``), and verify reads it with the general parser, which applies every check and
names any bad line: a refusal here is a shape decision, never a verification result.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import NDArray

from audit.roster_columns import CodedLists, ColumnRoster
from engine.compiled import kernel

__all__ = ["LOTTERY_RECORD_KEYS", "lottery_leaves"]

Int64Array = NDArray[np.int64]
UInt8Array = NDArray[np.uint8]

#: The members of a lottery record, in JCS order (the order of the columns and of each record's keys).
LOTTERY_RECORD_KEYS = ("group", "id", "preferences", "priority", "round2", "tier")
_LITERALS = (b'{"private":"', b'","record":{"group":', b',"id":', b',"preferences":[', b'],"priority":{',
             b'},"round2":[', b'],"tier":', b"}}")
_LIT = np.frombuffer(b"".join(_LITERALS), dtype=np.uint8)
_LIT_AT = np.cumsum([0, *map(len, _LITERALS)]).astype(np.int64)
_MAX_DIGITS = 15  # below 10**15 < 2**53: every accepted integer is JSON-safe and fits int64


@kernel
def _literal(data: UInt8Array, p: int, end: int, lit: UInt8Array, a: int, b: int) -> int:
    if p < 0 or p + (b - a) > end:
        return -1
    for k in range(b - a):
        if data[p + k] != lit[a + k]:
            return -1
    return p + (b - a)


@kernel
def _string_end(data: UInt8Array, p: int, end: int) -> int:
    # ``data[p]`` opens a string without escapes or controls: the position after its closing quote, or -1.
    if p < 0 or p >= end or data[p] != 0x22:
        return -1
    q = p + 1
    while q < end:
        b = data[q]
        if b == 0x22:
            return q + 1
        if b == 0x5C or b < 0x20:
            return -1
        q += 1
    return -1


@kernel
def _integer(data: UInt8Array, p: int, end: int, out: Int64Array, at: int, write: bool) -> int:
    # A canonical integer at ``p`` (``0`` or ``-?[1-9][0-9]*``, at most 15 digits): the position after it, or -1.
    if p < 0 or p >= end:
        return -1
    negative = data[p] == 0x2D
    if negative:
        p += 1
    if p >= end or not 0x30 <= data[p] <= 0x39 or (data[p] == 0x30 and negative):
        return -1
    if data[p] == 0x30:
        if write:
            out[at] = 0
        return p + 1
    value = 0
    digits = 0
    while p < end and 0x30 <= data[p] <= 0x39:
        value = value * 10 + (data[p] - 0x30)
        digits += 1
        p += 1
        if digits > _MAX_DIGITS:
            return -1
    if write:
        out[at] = -value if negative else value
    return p


@kernel
def _before(data: UInt8Array, a: int, a_end: int, b: int, b_end: int) -> bool:
    # Whether bytes data[a:a_end] sort strictly before data[b:b_end].
    n = min(a_end - a, b_end - b)
    for k in range(n):
        if data[a + k] != data[b + k]:
            return bool(data[a + k] < data[b + k])
    return a_end - a < b_end - b


@kernel
def _strings(data: UInt8Array, p: int, end: int, close: int, s: Int64Array, e: Int64Array, k: int,
             write: bool) -> tuple[int, int]:
    # The strings of a list up to (not past) its closing byte ``close``: (position, strings read), p -1 if malformed.
    count = 0
    if p < 0 or p >= end or data[p] == close:
        return p, 0
    while True:
        q = _string_end(data, p, end)
        if q < 0:
            return -1, 0
        if write:
            s[k + count] = p + 1
            e[k + count] = q - 1
        count += 1
        if q < end and data[q] == 0x2C:
            p = q + 1
        else:
            return q, count


@kernel
def _scan(data: UInt8Array, starts: Int64Array, ends: Int64Array, lit: UInt8Array, lit_at: Int64Array,
          write: bool, scalar_s: Int64Array, scalar_e: Int64Array, tier: Int64Array,
          pref_ptr: Int64Array, pref_s: Int64Array, pref_e: Int64Array,
          prio_ptr: Int64Array, key_s: Int64Array, key_e: Int64Array, prio_value: Int64Array,
          r2_ptr: Int64Array, r2_s: Int64Array, r2_e: Int64Array) -> int:
    # Every line in the lottery leaf form: -1, with the counts (``write`` False) or the positions and
    # values (``write`` True, counts known) stored; else the index of the first line not in that form.
    for i in range(starts.shape[0]):
        p, end = starts[i], ends[i]
        p = _literal(data, p, end, lit, lit_at[0], lit_at[1])
        if p < 0 or p + 64 > end:
            return i
        for k in range(64):
            b = data[p + k]
            if not (0x30 <= b <= 0x39 or 0x61 <= b <= 0x66):
                return i
        p = _literal(data, p + 64, end, lit, lit_at[1], lit_at[2])
        for f in range(2):  # group, then id
            q = _string_end(data, p, end)
            if q < 0:
                return i
            if write:
                scalar_s[2 * i + f] = p + 1
                scalar_e[2 * i + f] = q - 1
            p = _literal(data, q, end, lit, lit_at[2 + f], lit_at[3 + f])
        p, count = _strings(data, p, end, 0x5D, pref_s, pref_e, pref_ptr[i], write)
        if not write:
            pref_ptr[i + 1] = count
        p = _literal(data, p, end, lit, lit_at[4], lit_at[5])
        count = 0
        k0 = prio_ptr[i]
        last_s, last_e = 0, 0
        if p >= 0 and p < end and data[p] != 0x7D:
            while True:
                q = _string_end(data, p, end)
                if q < 0 or q >= end or data[q] != 0x3A:
                    return i
                if count and not _before(data, last_s, last_e, p + 1, q - 1):
                    return i
                last_s, last_e = p + 1, q - 1
                if write:
                    key_s[k0 + count] = p + 1
                    key_e[k0 + count] = q - 1
                p = _integer(data, q + 1, end, prio_value, k0 + count, write)
                count += 1
                if p < 0:
                    return i
                if p < end and data[p] == 0x2C:
                    p += 1
                else:
                    break
        if not write:
            prio_ptr[i + 1] = count
        p = _literal(data, p, end, lit, lit_at[5], lit_at[6])
        p, count = _strings(data, p, end, 0x5D, r2_s, r2_e, r2_ptr[i], write)
        if not write:
            r2_ptr[i + 1] = count
        p = _literal(data, p, end, lit, lit_at[6], lit_at[7])
        p = _integer(data, p, end, tier, i, write)
        p = _literal(data, p, end, lit, lit_at[7], lit_at[8])
        if p != end:
            return i
    return -1


@kernel
def _join(data: UInt8Array, s: Int64Array, e: Int64Array) -> UInt8Array:
    # The byte strings data[s[j]:e[j]], each followed by a newline (none holds one: controls were refused).
    total = 0
    for j in range(s.shape[0]):
        total += e[j] - s[j] + 1
    out = np.empty(total, dtype=np.uint8)
    o = 0
    for j in range(s.shape[0]):
        for k in range(s[j], e[j]):
            out[o] = data[k]
            o += 1
        out[o] = 0x0A
        o += 1
    return out


@kernel
def _distinct(data: UInt8Array, s: Int64Array, e: Int64Array) -> tuple[Int64Array, Int64Array]:
    # (code of each byte string, index of each code's first string): equal bytes, equal code. An
    # open-addressing table keyed by FNV-1a (collisions resolved by comparing the bytes), doubled
    # when half full: the distinct values (school codes) are few, so it stays in the cache.
    n = s.shape[0]
    size = 1024
    table = np.full(size, -1, dtype=np.int64)
    hashes = np.empty(n, dtype=np.uint64)
    codes = np.empty(n, dtype=np.int64)
    first = np.empty(n, dtype=np.int64)
    n_codes = 0
    for j in range(n):
        h = np.uint64(14695981039346656037)
        for k in range(s[j], e[j]):
            h = (h ^ np.uint64(data[k])) * np.uint64(1099511628211)
        slot = np.int64(h & np.uint64(size - 1))
        while True:
            c = table[slot]
            if c < 0:
                table[slot] = n_codes
                first[n_codes] = j
                hashes[n_codes] = h
                codes[j] = n_codes
                n_codes += 1
                break
            f = first[c]
            if hashes[c] == h and e[f] - s[f] == e[j] - s[j]:
                same = True
                for k in range(e[j] - s[j]):
                    if data[s[f] + k] != data[s[j] + k]:
                        same = False
                        break
                if same:
                    codes[j] = c
                    break
            slot = (slot + 1) & (size - 1)
        if 2 * n_codes > size:
            size *= 2
            table = np.full(size, -1, dtype=np.int64)
            for c in range(n_codes):
                slot = np.int64(hashes[c] & np.uint64(size - 1))
                while table[slot] >= 0:
                    slot = (slot + 1) & (size - 1)
                table[slot] = c
    return codes, first[:n_codes]


def _texts(data: UInt8Array, s: Int64Array, e: Int64Array) -> list[str] | None:
    """The strings at those byte ranges; ``None`` unless every one is valid UTF-8 (no surrogates)."""
    try:
        text = _join(data, s, e).tobytes().decode("utf-8")
    except UnicodeDecodeError:  # json.loads would read some (surrogates): the general parser decides
        return None
    return text.split("\n")[:-1]


def _coded_texts(data: UInt8Array, s: Int64Array, e: Int64Array) -> tuple[list[str], Int64Array, list[str]] | None:
    """:func:`_texts` of repeating strings (school codes, groups): each distinct one decoded once and shared.

    Also the codes into the distinct values (``(strings, codes, values)``).
    """
    codes, first = _distinct(data, s, e)
    values = _texts(data, s[first], e[first])
    if values is None:
        return None
    return (np.array(values, dtype=object)[codes].tolist() if values else []), codes, values


def _lists(flat: list[str], ptr: Int64Array) -> list[list[str]]:
    return [flat[a:b] for a, b in pairwise(ptr.tolist())]


def lottery_leaves(raw: bytes) -> tuple[list[str], ColumnRoster] | None:
    """``(private commitments, records)`` of every line of ``raw`` (newline-terminated), or ``None``.

    ``None`` when some line is not a lottery leaf in the strict form (see the module docstring):
    the caller then parses the file as general JSON. Otherwise the values are exactly those of
    ``json.loads`` of each line: ``privates[i]`` is leaf ``i``'s ``"private"`` and ``records[i]``
    its ``"record"`` (keys in :data:`LOTTERY_RECORD_KEYS` order).
    """
    data = np.frombuffer(raw, dtype=np.uint8)
    newlines = np.flatnonzero(data == 0x0A).astype(np.int64)
    n = int(newlines.size)
    if not n or newlines[-1] != data.size - 1:
        return None
    starts = np.concatenate([np.zeros(1, np.int64), newlines[:-1] + 1])
    ptrs = [np.zeros(n + 1, np.int64) for _ in range(3)]
    none = np.zeros(0, np.int64)
    if _scan(data, starts, newlines, _LIT, _LIT_AT, False, none, none, none, ptrs[0], none, none, ptrs[1],
             none, none, none, ptrs[2], none, none) >= 0:
        return None
    for ptr in ptrs:
        np.cumsum(ptr, out=ptr)
    scalar_s, scalar_e, tier = np.empty(2 * n, np.int64), np.empty(2 * n, np.int64), np.empty(n, np.int64)
    pref_ptr, prio_ptr, r2_ptr = ptrs
    pref_s, pref_e = np.empty(int(pref_ptr[-1]), np.int64), np.empty(int(pref_ptr[-1]), np.int64)
    key_s, key_e = np.empty(int(prio_ptr[-1]), np.int64), np.empty(int(prio_ptr[-1]), np.int64)
    prio_value = np.empty(int(prio_ptr[-1]), np.int64)
    r2_s, r2_e = np.empty(int(r2_ptr[-1]), np.int64), np.empty(int(r2_ptr[-1]), np.int64)
    _scan(data, starts, newlines, _LIT, _LIT_AT, True, scalar_s, scalar_e, tier, pref_ptr, pref_s, pref_e,
          prio_ptr, key_s, key_e, prio_value, r2_ptr, r2_s, r2_e)
    group_texts, ids = _coded_texts(data, scalar_s[0::2], scalar_e[0::2]), _texts(data, scalar_s[1::2], scalar_e[1::2])
    coded_prefs, coded_r2 = _coded_texts(data, pref_s, pref_e), _coded_texts(data, r2_s, r2_e)
    key_texts = _coded_texts(data, key_s, key_e)
    if group_texts is None or ids is None or coded_prefs is None or key_texts is None or coded_r2 is None:
        return None
    groups, keys = group_texts[0], key_texts[0]
    prefs, r2 = coded_prefs[0], coded_r2[0]
    hex_start = len(b'{"private":"')
    privates = _join(data, starts + hex_start, starts + hex_start + 64).tobytes().decode("ascii").split("\n")[:-1]
    priority: list[dict[str, int]] = [{}] * n  # rows without priorities share one empty (read-only) dict
    values = prio_value.tolist()
    bounds = prio_ptr.tolist()
    for i in np.flatnonzero(np.diff(prio_ptr)).tolist():
        a, b = bounds[i], bounds[i + 1]
        priority[i] = dict(zip(keys[a:b], values[a:b], strict=True))
    columns: dict[str, list[Any]] = {"group": groups, "id": ids, "preferences": _lists(prefs, pref_ptr),
               "priority": priority, "round2": _lists(r2, r2_ptr), "tier": tier.tolist()}
    coded = {"preferences": CodedLists(pref_ptr, coded_prefs[1], coded_prefs[2]),
             "round2": CodedLists(r2_ptr, coded_r2[1], coded_r2[2])}
    return privates, ColumnRoster(columns, coded=coded, strings=("group", "id"))
