"""RFC 8785 (JCS) lines for many records of one shape, built column by column.

Why: committing a million-applicant roster one ``canonical_bytes`` call per leaf costs
about a minute; the records of a run kind all have the same keys and the same kind of
value under each key, so the bytes can be built per column: every string of the roster
is UTF-8 encoded in one C-level join, and one numba kernel escapes and places the bytes
of every line (two passes: lengths, then bytes).

What is handled here (a *shape*, decided up front by :func:`record_shape`): records that
are ``dict`` s with the same key set, each key's values being all *scalars* (``str``,
``int``, ``bool``, ``None``), all lists of scalars, all objects with string keys and
scalar values, or all objects that share a shape themselves (nested: encoded first, then
placed as bytes; a few levels deep at most). Any other set of records (nested containers, floats, other types, keys
differing between records) is not a shape, and the caller encodes it record by record
with :func:`audit.canonical.canonical_bytes`; that choice is made from the shape before
encoding, never by catching an error. Errors are those of ``canonical_bytes``:
:class:`CanonicalError` for an integer beyond ±(2⁵³−1) or a lone surrogate.

JCS details reproduced: object members sorted by the UTF-16 code units of their names;
strings escaped as ``\\"`` ``\\\\`` ``\\b`` ``\\f`` ``\\n`` ``\\r`` ``\\t`` and ``\\u00xx`` (lowercase)
for the other controls, everything else verbatim UTF-8; integers in plain decimal. The
tests compare every line with the reference ``rfc8785`` package on generated records.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter, methodcaller
from typing import Any

import numpy as np
from numpy.typing import NDArray

from audit.canonical import canonical_bytes
from audit.errors import CanonicalError
from audit.roster_columns import CodedLists, ColumnRoster, column_of
from engine.compiled import kernel
from engine.lottery.sha256_kernel import utf8_parts

__all__ = [
    "NESTED", "Field", "Lines", "Member", "Shape", "Tokens",
    "encode_lines", "hex_field", "member_literals", "raw_field", "record_fields", "record_shape", "string_field",
]

Int64Array = NDArray[np.int64]
UInt8Array = NDArray[np.uint8]

SCALAR, LIST, OBJECT = 0, 1, 2  # field kinds
NESTED = 3  # a member kind (not a field kind): objects of one shape, encoded first and placed as raw bytes
_MAX_DEPTH = 4  # objects nested deeper than this are encoded record by record
RAW, STRING, INT = 0, 1, 2  # token modes: bytes as they are, a JSON string to escape, an integer
_MAX_INT = 2**53 - 1
_SCALARS = frozenset({str, int, bool, type(None)})
_CONSTANTS = b"truefalsenull"
_CONSTANT_AT = {True: (0, 4), False: (4, 5), None: (9, 4)}
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")



@dataclass(frozen=True)
class Member:
    """One member of a shape: its name, kind, every record's value, and the list items or object names."""

    key: str
    kind: int
    column: list[Any]
    items: list[Any]
    strings: bool  # every scalar of the member (the values, or the list items) is a str
    inner: Shape | None = None  # NESTED: the shape the member's objects share
    coded: CodedLists | None = None  # LIST: the lists as codes (a ColumnRoster's declaration)


@dataclass(frozen=True)
class Shape:
    """The members shared by a set of records, in JCS order."""

    members: tuple[Member, ...]

    @property
    def keys(self) -> list[str]:
        return [m.key for m in self.members]


@dataclass(frozen=True)
class Tokens:
    """A stream of JSON values: token ``j`` is ``pool[start[j]:][:length[j]]`` (RAW, STRING) or ``start[j]`` (INT)."""

    mode: UInt8Array
    start: Int64Array
    length: Int64Array
    pool: UInt8Array


@dataclass(frozen=True)
class Field:
    """One member of every line: record ``i`` has ``counts[i]`` values (OBJECT: key/value pairs) in ``tokens``."""

    kind: int
    counts: Int64Array
    tokens: Tokens


@dataclass(frozen=True)
class Lines:
    """Lines each followed by ``\\n`` in ``data``: line ``i`` is ``data[start[i]:][:length[i]]``."""

    data: bytes
    start: Int64Array
    length: Int64Array

    @classmethod
    def of(cls, lines: Sequence[bytes]) -> Lines:
        """Lines already encoded (none may hold a newline)."""
        lens = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
        start = np.zeros(len(lines), dtype=np.int64)
        np.cumsum(lens[:-1] + 1, out=start[1:])
        return cls(b"".join(line + b"\n" for line in lines), start, lens)

    def split(self) -> list[bytes]:
        """Each line as its own ``bytes`` (no line holds a raw newline: JSON escapes it)."""
        return self.data.split(b"\n")[:-1]


def _utf16_key(text: str) -> bytes:
    return text.encode("utf-16-be", "surrogatepass")


def _jcs_order(keys: Sequence[str]) -> list[str]:
    """Member names in JCS order (UTF-16 code units); code point order is the same without astral characters."""
    if _ASTRAL.search("".join(keys)):
        return sorted(keys, key=_utf16_key)
    return sorted(keys)


def _only_strings(types: set[type]) -> bool:
    return types <= {str}


_MISSING = object()  # a member absent from a record: its type is no JSON type, so no shape


def record_shape(records: Sequence[Mapping[str, Any]], depth: int = 0) -> Shape | None:
    """The shape shared by all ``records``, or ``None`` when they have none (see the module docstring).

    ``shape.columns`` holds each member's values (and, for lists and objects, their items), so
    :func:`record_fields` does not read the records again. A :class:`~audit.roster_columns.ColumnRoster`'s
    columns are taken as they are (no record is made). A member whose values are objects that
    are no flat OBJECT (a value is a list) but share a shape of their own is NESTED (the points
    roster's ``values``: one member per rule field, lists among them).
    """
    coded: Mapping[str, CodedLists] = {}
    declared_strings: frozenset[str] = frozenset()
    if isinstance(records, ColumnRoster):  # every record has every key: the columns are read as they are
        if not records:
            return None
        names = list(records.columns)
        coded, declared_strings = records.coded, records.strings
    else:
        if not records or set(map(type, records)) != {dict} or len(set(map(len, records))) != 1:
            return None
        names = list(records[0])
    if set(map(type, names)) - {str}:
        return None
    members: list[Member] = []
    for key in _jcs_order(names):
        column = column_of(records, key, _MISSING)
        if key in coded:  # declared: no scan of the lists
            members.append(Member(key, LIST, column, [], True, coded=coded[key]))
            continue
        if key in declared_strings:
            members.append(Member(key, SCALAR, column, column, True))
            continue
        types = set(map(type, column))
        if types <= _SCALARS:
            members.append(Member(key, SCALAR, column, column, _only_strings(types)))
            continue
        if types <= {list, tuple}:
            items = list(chain.from_iterable(column))
            item_types = set(map(type, items))
            if item_types <= _SCALARS:
                members.append(Member(key, LIST, column, items, _only_strings(item_types)))
                continue
        elif types == {dict}:
            value_types = set(map(type, chain.from_iterable(map(methodcaller("values"), column))))
            keys = list(chain.from_iterable(column)) if value_types <= _SCALARS else []
            if value_types <= _SCALARS and set(map(type, keys)) <= {str}:
                members.append(Member(key, OBJECT, column, keys, _only_strings(value_types)))
                continue
            inner = record_shape(column, depth + 1) if depth < _MAX_DEPTH else None
            if inner is not None:
                members.append(Member(key, NESTED, column, [], False, inner))
                continue
        return None
    return Shape(tuple(members))


def _concat(parts: Sequence[Tokens]) -> Tokens:
    """One stream of the tokens of ``parts`` in order (RAW/STRING starts shifted into the joined pool)."""
    offsets = np.cumsum([0, *(p.pool.shape[0] for p in parts)])
    starts = [np.where(p.mode == INT, p.start, p.start + off) for p, off in zip(parts, offsets, strict=False)]
    return Tokens(
        np.concatenate([p.mode for p in parts]) if parts else np.zeros(0, np.uint8),
        np.concatenate(starts) if parts else np.zeros(0, np.int64),
        np.concatenate([p.length for p in parts]) if parts else np.zeros(0, np.int64),
        np.concatenate([p.pool for p in parts]) if parts else np.zeros(0, np.uint8),
    )


def _strings(values: Sequence[str]) -> Tokens:
    try:
        start, length, pool = utf8_parts(values)
    except UnicodeEncodeError as exc:
        raise CanonicalError("字符串含有孤立代理字符", "string contains a lone surrogate") from exc
    return Tokens(np.full(len(values), STRING, np.uint8), start, length, pool)


def _scalars(values: Sequence[Any], strings: bool) -> Tokens:
    """Tokens of scalar values (``strings``: all are str), in order.

    Strings, integers and constants are each encoded in one pass over their kind.
    """
    if strings:
        return _strings(values)
    n = len(values)
    types = list(map(type, values))
    is_str = np.array([t is str for t in types], dtype=bool)
    is_int = np.array([t is int for t in types], dtype=bool)
    mode = np.full(n, RAW, np.uint8)
    start = np.zeros(n, np.int64)
    length = np.zeros(n, np.int64)
    text = _strings([v for v, s in zip(values, is_str, strict=True) if s])
    mode[is_str] = STRING
    start[is_str] = text.start
    length[is_str] = text.length
    ints = [v for v, i in zip(values, is_int, strict=True) if i]
    if ints and not -_MAX_INT <= min(ints) <= max(ints) <= _MAX_INT:
        bad = next(x for x in ints if not -_MAX_INT <= x <= _MAX_INT)
        raise CanonicalError(f"整数超出范围：{bad}", f"integer out of the JSON-safe range: {bad}")
    mode[is_int] = INT
    start[is_int] = np.array(ints, dtype=np.int64)
    constant = ~(is_str | is_int)
    at = np.array([_CONSTANT_AT[v] for v, c in zip(values, constant, strict=True) if c], dtype=np.int64)
    if at.size:
        start[constant] = at[:, 0] + text.pool.shape[0]
        length[constant] = at[:, 1]
    return Tokens(mode, start, length, np.concatenate([text.pool, np.frombuffer(_CONSTANTS, np.uint8)]))


def _counts(column: Sequence[Any]) -> Int64Array:
    return np.fromiter(map(len, column), dtype=np.int64, count=len(column))


def record_fields(shape: Shape) -> list[Field]:
    """The fields of the records ``shape`` was taken from, in member order."""
    fields: list[Field] = []
    for m in shape.members:
        n = len(m.column)
        if m.kind == SCALAR:
            fields.append(Field(SCALAR, np.ones(n, np.int64), _scalars(m.column, m.strings)))
        elif m.coded is not None:  # each distinct string encoded once, placed by code
            pool = _strings(m.coded.values)
            codes = m.coded.codes
            fields.append(Field(LIST, np.diff(m.coded.offsets),
                                Tokens(pool.mode[codes], pool.start[codes], pool.length[codes], pool.pool)))
        elif m.kind == LIST:
            fields.append(Field(LIST, _counts(m.column), _scalars(m.items, m.strings)))
        elif m.inner is not None:  # NESTED: each object's canonical bytes, written as they are
            fields.append(raw_field(encode_lines(member_literals(b"", m.inner.keys, b""), record_fields(m.inner), n)))
        else:
            if _ASTRAL.search("".join(m.items)):
                items = list(chain.from_iterable(sorted(d.items(), key=lambda kv: _utf16_key(kv[0]))
                                                 for d in m.column))
            else:
                items = list(chain.from_iterable(map(sorted, map(methodcaller("items"), m.column))))
            values = _scalars(list(map(itemgetter(1), items)), m.strings)
            pair = _concat([_strings(list(map(itemgetter(0), items))), values])
            k = len(items)
            order = np.empty(2 * k, dtype=np.int64)  # key j, then value j
            order[0::2] = np.arange(k)
            order[1::2] = np.arange(k, 2 * k)
            tokens = Tokens(pair.mode[order], pair.start[order], pair.length[order], pair.pool)
            fields.append(Field(OBJECT, _counts(m.column), tokens))
    return fields


def raw_field(lines: Lines) -> Field:
    """A scalar field whose value in record ``i`` is line ``i`` of ``lines``, written as it is (already encoded)."""
    n = lines.start.shape[0]
    return Field(SCALAR, np.ones(n, np.int64),
                 Tokens(np.full(n, RAW, np.uint8), lines.start, lines.length, np.frombuffer(lines.data, np.uint8)))


def string_field(values: Sequence[str]) -> Field:
    """A scalar field of JSON strings, one per record (raises :class:`CanonicalError` for a lone surrogate)."""
    return Field(SCALAR, np.ones(len(values), np.int64), _strings(values))


def hex_field(digests: UInt8Array) -> Field:
    """A scalar field of 64 lowercase hex digits (written without quotes), one per row of ``(n, 32)`` ``digests``."""
    n = digests.shape[0]
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    out = np.empty((n, 64), dtype=np.uint8)
    out[:, 0::2] = digits[digests >> 4]
    out[:, 1::2] = digits[digests & 0xF]
    return Field(SCALAR, np.ones(n, np.int64), Tokens(np.full(n, RAW, np.uint8), np.arange(n, dtype=np.int64) * 64,
                                                      np.full(n, 64, np.int64), out.reshape(-1)))


def member_literals(prefix: bytes, keys: Sequence[str], suffix: bytes, separators: tuple[bytes, bytes] = (b",", b":")
                    ) -> list[bytes]:
    """The bytes around the fields of an object with members ``keys``: ``prefix{"k1":`` … ``,"kn":`` … ``}suffix``.

    ``separators`` (item, key) are JCS's; ``(b", ", b": ")`` gives what ``json.dumps`` writes by default
    (its string escapes with ``ensure_ascii=False`` are JCS's too).
    """
    if not keys:
        return [prefix + b"{}" + suffix]
    item, colon = separators
    names = [canonical_bytes(k) + colon for k in keys]
    return [prefix + b"{" + names[0], *(item + k for k in names[1:]), b"}" + suffix]


def encode_lines(literals: Sequence[bytes], fields: Sequence[Field], n: int) -> Lines:
    """``n`` lines ``literals[0] field_0 literals[1] … field_last literals[-1]``, each followed by ``\\n``."""
    if len(literals) != len(fields) + 1:
        raise ValueError("one literal more than fields is needed")
    lit = np.frombuffer(b"".join(literals), dtype=np.uint8)
    lit_len = np.array([len(x) for x in literals], dtype=np.int64)
    lit_start = np.zeros(len(literals), dtype=np.int64)
    np.cumsum(lit_len[:-1], out=lit_start[1:])
    tokens = _concat([f.tokens for f in fields])
    kinds = np.array([f.kind for f in fields], dtype=np.int64)
    counts = np.zeros((len(fields), n), dtype=np.int64)
    for j, f in enumerate(fields):
        counts[j] = f.counts
    base = np.zeros(len(fields) + 1, dtype=np.int64)
    np.cumsum([f.tokens.mode.shape[0] for f in fields], out=base[1:])
    length = np.empty(n, dtype=np.int64)
    empty = np.zeros(0, dtype=np.uint8)
    no_pos = np.zeros(0, dtype=np.int64)
    _emit(lit, lit_start, lit_len, kinds, counts, base, tokens.mode, tokens.start, tokens.length, tokens.pool,
          empty, no_pos, length)
    start = np.zeros(n, dtype=np.int64)
    np.cumsum(length[:-1] + 1, out=start[1:])
    out = np.empty(int(length.sum()) + n, dtype=np.uint8)
    _emit(lit, lit_start, lit_len, kinds, counts, base, tokens.mode, tokens.start, tokens.length, tokens.pool,
          out, start, length)
    return Lines(out.tobytes(), start, length)


@kernel
def _token(out: UInt8Array, p: int, write: bool, mode: int, start: int, length: int, pool: UInt8Array) -> int:
    # Writes one token at out[p] (only counts when not ``write``); returns the position after it.
    if mode == RAW:
        if write:
            for k in range(length):
                out[p + k] = pool[start + k]
        return p + length
    if mode == INT:
        v = start
        if v < 0:
            if write:
                out[p] = 0x2D
            p += 1
            v = -v
        digits = 1
        t = v
        while t >= 10:
            t //= 10
            digits += 1
        if write:
            for k in range(digits):
                out[p + digits - 1 - k] = 0x30 + v % 10
                v //= 10
        return p + digits
    if write:
        out[p] = 0x22
    p += 1
    for k in range(length):
        b = pool[start + k]
        if b == 0x22 or b == 0x5C:
            if write:
                out[p] = 0x5C
                out[p + 1] = b
            p += 2
        elif b < 0x20:
            short = 0
            if b == 0x08:
                short = 0x62
            elif b == 0x0C:
                short = 0x66
            elif b == 0x0A:
                short = 0x6E
            elif b == 0x0D:
                short = 0x72
            elif b == 0x09:
                short = 0x74
            if short:
                if write:
                    out[p] = 0x5C
                    out[p + 1] = short
                p += 2
            else:
                if write:
                    out[p] = 0x5C
                    out[p + 1] = 0x75
                    out[p + 2] = 0x30
                    out[p + 3] = 0x30
                    out[p + 4] = 0x30 + (b >> 4)  # b < 0x20: the high digit is 0 or 1
                    low = b & 0xF
                    out[p + 5] = 0x30 + low if low < 10 else 0x57 + low
                p += 6
        else:
            if write:
                out[p] = b
            p += 1
    if write:
        out[p] = 0x22
    return p + 1


@kernel
def _emit(lit: UInt8Array, lit_start: Int64Array, lit_len: Int64Array, kinds: Int64Array, counts: Int64Array,
          base: Int64Array, mode: UInt8Array, start: Int64Array, length: Int64Array, pool: UInt8Array,
          out: UInt8Array, line_start: Int64Array, line_len: Int64Array) -> None:
    # With an empty ``out``: line_len[i] = the length of line i. Otherwise: write line i at
    # line_start[i], followed by a newline.
    write = out.shape[0] > 0
    n_fields = kinds.shape[0]
    cursor = base[:n_fields].copy()
    for i in range(line_len.shape[0]):
        p = line_start[i] if write else 0
        p0 = p
        for f in range(n_fields + 1):
            if write:
                for k in range(lit_len[f]):
                    out[p + k] = lit[lit_start[f] + k]
            p += lit_len[f]
            if f == n_fields:
                break
            c = counts[f, i]
            kind = kinds[f]
            if kind != SCALAR:
                if write:
                    out[p] = 0x5B if kind == LIST else 0x7B
                p += 1
            for e in range(c):
                if kind != SCALAR and e > 0:
                    if write:
                        out[p] = 0x2C
                    p += 1
                for part in range(2 if kind == OBJECT else 1):  # an object member: name, ":", value
                    if part:
                        if write:
                            out[p] = 0x3A
                        p += 1
                    j = cursor[f]
                    p = _token(out, p, write, mode[j], start[j], length[j], pool)
                    cursor[f] += 1
            if kind != SCALAR:
                if write:
                    out[p] = 0x5D if kind == LIST else 0x7D
                p += 1
        if write:
            out[p] = 0x0A
        else:
            line_len[i] = p - p0
