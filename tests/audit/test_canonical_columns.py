"""Column-wise roster lines equal ``rfc8785`` record by record; salts, commitments and roots equal hashlib/hmac.

``rfc8785`` stays the reference: every generated roster is committed by
:func:`audit.roster.commit_roster` (the column-wise route for shaped records, the
record-by-record route otherwise) and compared with the definitions of docs/bundle.md
computed one applicant at a time with ``rfc8785``, ``hmac`` and ``hashlib``.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_merkle import mth

from audit.canonical_columns import NESTED, encode_lines, member_literals, record_fields, record_shape
from audit.errors import CanonicalError, VerificationError
from audit.roster import PUBLIC_RECORD_START, commit_roster
from engine.randomness import encode_str

# Chinese text, JSON escapes, every control character, astral characters (no lone surrogates).
_chars = st.one_of(
    st.characters(exclude_categories=("Cs",)),
    st.sampled_from(list('"\\/\b\f\n\r\t\x00\x1f\x7f\u2028\u2029中文学校\U0001f600\U00020000\uffff\ue000')),
)
_text = st.text(_chars, max_size=10)
_ids = st.lists(st.text(_chars, min_size=1, max_size=80), min_size=1, max_size=25, unique=True)
_scalar = st.one_of(st.none(), st.booleans(), st.integers(-(2**53) + 1, 2**53 - 1), _text)


def _reference(roster: list[dict[str, Any]], private: dict[str, dict[str, str]], secret: bytes
               ) -> tuple[list[bytes], list[bytes]]:
    """Lines and salts exactly as docs/bundle.md defines them, one applicant at a time."""
    lines, salts = [], []
    for r in roster:
        salt = hmac.digest(secret, encode_str("sunshine/v1/roster-salt") + encode_str(r["id"]), "sha256")
        fields = private.get(r["id"], {})
        p = hashlib.sha256(salt + (rfc8785.dumps(fields) if fields else b"{}")).hexdigest()
        lines.append(rfc8785.dumps({"private": p, "record": r}))
        salts.append(salt)
    return lines, salts


def _check(roster: list[dict[str, Any]], private: dict[str, dict[str, str]], secret: bytes) -> None:
    lines, salts = _reference(roster, private, secret)
    c = commit_roster(roster, private, secret)
    assert c.lines == lines
    assert c.salts == salts
    assert c.root == mth(lines)
    assert c.public_root == mth([line[PUBLIC_RECORD_START:-1] for line in lines])
    assert [line[PUBLIC_RECORD_START:-1] for line in lines] == [rfc8785.dumps(r) for r in roster]
    assert c.leaves == [{"private": line[12:76].decode(), "record": r} for line, r in zip(lines, roster, strict=True)]


@st.composite
def _lottery_rosters(draw: st.DrawFn) -> list[dict[str, Any]]:
    ids = sorted(draw(_ids), key=lambda s: s.encode())
    schools = st.lists(_text, max_size=5)
    return [{"group": draw(_text), "id": i, "preferences": draw(schools),
             "priority": draw(st.dictionaries(_text, st.integers(-(2**53) + 1, 2**53 - 1), max_size=3)),
             "round2": draw(schools), "tier": draw(st.integers(0, 9))} for i in ids]


@settings(max_examples=200, deadline=None)
@given(_lottery_rosters(), st.binary(min_size=0, max_size=100))
def test_lottery_records_match_rfc8785(roster: list[dict[str, Any]], secret: bytes) -> None:
    assert record_shape(roster) is not None  # the column-wise route
    _check(roster, {}, secret)


@st.composite
def _shaped_rosters(draw: st.DrawFn) -> tuple[list[dict[str, Any]], dict[str, dict[str, str]]]:
    """Any shape: member names (astral ones too), scalar / list / object members, mixed scalar types."""
    ids = sorted(draw(_ids), key=lambda s: s.encode())
    names = draw(st.lists(_text.filter(lambda k: k != "id"), max_size=4, unique=True))
    kinds = [draw(st.sampled_from(["scalar", "list", "object"])) for _ in names]
    values = {"scalar": _scalar, "list": st.lists(_scalar, max_size=4),
              "object": st.dictionaries(_text, _scalar, max_size=4)}
    roster = [{"id": i, **{k: draw(values[kind]) for k, kind in zip(names, kinds, strict=True)}} for i in ids]
    private_keys = draw(st.lists(_text, max_size=3, unique=True))
    private = {i: {k: draw(_text) for k in private_keys} for i in ids if draw(st.booleans())}
    return roster, private


@settings(max_examples=200, deadline=None)
@given(_shaped_rosters(), st.binary(min_size=32, max_size=32))
def test_any_shaped_records_match_rfc8785(case: tuple[list[dict[str, Any]], dict[str, dict[str, str]]],
                                          secret: bytes) -> None:
    roster, private = case
    assert record_shape(roster) is not None
    _check(roster, private, secret)


@st.composite
def _nested_rosters(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Records with a member whose objects share a shape of their own (the points roster's ``values``:
    scalars of mixed types and lists per field), nested once or twice."""
    ids = sorted(draw(_ids), key=lambda s: s.encode())
    names = draw(st.lists(_text, min_size=1, max_size=4, unique=True))
    kinds = [draw(st.sampled_from(["scalar", "list", "object"])) for _ in names]
    deeper = draw(st.booleans())
    values = {"scalar": _scalar, "list": st.lists(_scalar, max_size=3), "object": st.dictionaries(_text, _scalar,
                                                                                                 max_size=2)}

    def inner() -> dict[str, Any]:
        out = {k: draw(values[kind]) for k, kind in zip(names, kinds, strict=True)}
        out["\u00e9list"] = draw(st.lists(_text, max_size=2))  # a list member: no flat object
        if deeper:
            out["deeper"] = {"x": draw(st.lists(_scalar, max_size=2)), "y": draw(_scalar)}
        return out

    return [{"id": i, "values": inner(), "scope": draw(_text)} for i in ids]


@settings(max_examples=200, deadline=None)
@given(_nested_rosters(), st.binary(min_size=32, max_size=32))
def test_nested_shaped_records_match_rfc8785(roster: list[dict[str, Any]], secret: bytes) -> None:
    shape = record_shape(roster)
    assert shape is not None
    assert [m.kind for m in shape.members if m.key == "values"] == [NESTED]
    _check(roster, {}, secret)


def test_objects_of_differing_shapes_are_no_nested_member() -> None:
    roster = [{"id": "a", "values": {"x": [1]}}, {"id": "b", "values": {"y": [1]}}]
    assert record_shape(roster) is None
    _check(roster, {}, bytes(32))


_nested = st.recursive(_scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(_text, inner, max_size=3)), max_leaves=8)


@settings(max_examples=100, deadline=None)
@given(_ids, st.data())
def test_records_without_a_shape_take_the_general_route(ids: list[str], data: st.DataObject) -> None:
    ids = sorted(ids, key=lambda s: s.encode())
    roster = [{"id": i, **data.draw(st.dictionaries(_text, _nested, max_size=3))} for i in ids]
    roster[0]["nested"] = [[1], {"a": []}]  # a list of containers is no shape
    assert record_shape(roster) is None
    _check(roster, {}, bytes(32))


def test_long_ids_and_every_control_character() -> None:
    roster = [{"group": "".join(map(chr, range(32))), "id": "A" * 5000 + str(i), "preferences": [],
               "priority": {}, "round2": ["\u2028", "\\"], "tier": 0} for i in range(3)]
    _check(roster, {}, b"s" * 32)


def test_empty_records_and_empty_roster() -> None:
    assert member_literals(b"<", [], b">") == [b"<{}>"]
    _check([{"id": "a"}, {"id": "b"}], {}, bytes(32))
    _check([], {}, bytes(32))


@pytest.mark.parametrize("roster", [[{"id": "a", "n": 2**53}], [{"id": "a", "n": [-(2**53)]}],
                                    [{"id": "a", "n": {"k": 2**60}}]])
def test_integers_beyond_the_json_safe_range_are_refused(roster: list[dict[str, Any]]) -> None:
    with pytest.raises(CanonicalError, match="integer out of the JSON-safe range"):
        commit_roster(roster, {}, bytes(32))


def test_lone_surrogates_are_refused() -> None:
    with pytest.raises(CanonicalError, match="lone surrogate"):
        commit_roster([{"id": "a", "name": "\ud800"}], {}, bytes(32))


def test_floats_are_refused() -> None:
    assert record_shape([{"id": "a", "x": 1.5}]) is None
    with pytest.raises(CanonicalError, match="floats are not allowed"):
        commit_roster([{"id": "a", "x": 1.5}], {}, bytes(32))


@pytest.mark.parametrize("ids", [["b", "a"], ["a", "a"], ["中", "z"]])
def test_unsorted_or_repeated_ids_are_refused(ids: list[str]) -> None:
    with pytest.raises(VerificationError, match="roster not sorted by id or id repeated"):
        commit_roster([{"id": i} for i in ids], {}, bytes(32))


def test_encode_lines_needs_one_literal_more_than_fields() -> None:
    shape = record_shape([{"a": 1}])
    assert shape is not None
    with pytest.raises(ValueError, match="one literal more than fields"):
        encode_lines([b"{"], record_fields(shape), 1)
