"""The strict column-wise reader of lottery roster leaves (audit.roster_lines) against ``json.loads``.

On every roster it accepts it must give exactly what ``json.loads`` gives line by line
(``rfc8785`` writes the lines); anything outside its strict form — escapes, whitespace,
non-canonical integers, another kind's records, a damaged line — it must refuse as a whole
(``None``: verify then reads the file with the general parser), never read differently.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.roster_columns import column_of
from audit.roster_lines import LOTTERY_RECORD_KEYS, lottery_leaves

_chars = st.one_of(st.characters(exclude_categories=("Cs",)),
                   st.sampled_from(list('"\\/\b\n\x00\x1f中文学校\U0001f600\ue000\uffff')))
_text = st.text(_chars, max_size=8)
# no escapes needed, and below U+D800 (where UTF-16 and UTF-8 order of priority names agree)
_plain = st.text(st.characters(max_codepoint=0xD7FF, exclude_categories=("Cs", "Cc"), exclude_characters='"\\'),
                 max_size=8)
_int = st.integers(-(10**15) + 1, 10**15 - 1)


def _records(text: st.SearchStrategy[str]) -> st.SearchStrategy[list[dict[str, Any]]]:
    record = st.fixed_dictionaries({
        "group": text, "id": text, "preferences": st.lists(text, max_size=4),
        "priority": st.dictionaries(text, _int, max_size=3), "round2": st.lists(text, max_size=3), "tier": _int})
    return st.lists(record, min_size=1, max_size=12)


def _lines(records: list[dict[str, Any]], privates: list[str]) -> bytes:
    return b"".join(rfc8785.dumps({"private": p, "record": r}) + b"\n" for p, r in zip(privates, records, strict=True))


_private = st.text("0123456789abcdef", min_size=64, max_size=64)


def _check(raw: bytes) -> bool:
    """Whether the reader accepted ``raw``; when it did, its values are ``json.loads``'s."""
    got = lottery_leaves(raw)
    if got is None:
        return False
    privates, records = got
    expected = [json.loads(line) for line in raw.split(b"\n")[:-1]]
    assert privates == [leaf["private"] for leaf in expected]
    assert list(records) == [leaf["record"] for leaf in expected]
    assert all(list(r) == list(LOTTERY_RECORD_KEYS) for r in records)
    for key, coded in records.coded.items():  # the declared codes are the lists
        assert [[coded.values[c] for c in coded.codes[a:b]] for a, b in zip(coded.offsets, coded.offsets[1:],
                                                                             strict=False)] == column_of(records, key)
    assert all(set(map(type, column_of(records, key))) <= {str} for key in records.strings)
    return True


@settings(max_examples=300, deadline=None)
@given(_records(_plain), st.data())
def test_canonical_lottery_leaves_read_as_json_loads_reads_them(records: list[dict[str, Any]],
                                                               data: st.DataObject) -> None:
    privates = data.draw(st.lists(_private, min_size=len(records), max_size=len(records)))
    assert _check(_lines(records, privates))  # no escapes needed: always in the strict form


@settings(max_examples=300, deadline=None)
@given(_records(_text), st.data())
def test_any_lottery_leaves_are_read_as_json_or_refused(records: list[dict[str, Any]], data: st.DataObject) -> None:
    privates = data.draw(st.lists(_private, min_size=len(records), max_size=len(records)))
    raw = _lines(records, privates)
    accepted = _check(raw)
    assert not (accepted and b"\\" in raw)  # a string with an escape is never read here


@settings(max_examples=400, deadline=None)
@given(_records(_plain), st.data())
def test_damaged_lines_are_refused_or_read_as_json(records: list[dict[str, Any]], data: st.DataObject) -> None:
    raw = bytearray(_lines(records, ["ab" * 32] * len(records)))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(raw) - 2))
        raw[at] = data.draw(st.sampled_from(b' 0-9"\\,:{}[]e.\x00\xff\xc3\xa9\n'))
    raw = bytes(raw)
    lines = raw.split(b"\n")[:-1]
    try:
        valid = all(type(json.loads(line)) is dict for line in lines) and raw.endswith(b"\n")
    except ValueError:
        valid = False
    if not valid:
        assert lottery_leaves(raw) is None
    else:
        _check(raw)


def test_other_shapes_are_refused() -> None:
    private = "0" * 64
    points = {"id": "A1", "points": 3, "preferences": ["S1"], "town": "x"}
    assert lottery_leaves(rfc8785.dumps({"private": private, "record": points}) + b"\n") is None
    lottery = {"group": "", "id": "A1", "preferences": ["S1"], "priority": {}, "round2": [], "tier": 1}
    line = rfc8785.dumps({"private": private, "record": lottery})
    assert lottery_leaves(line + b"\n") is not None
    assert lottery_leaves(line) is None  # no final newline
    assert lottery_leaves(b"") is None
    assert lottery_leaves(line.replace(b'"tier":1', b'"tier":01') + b"\n") is None
    assert lottery_leaves(line.replace(b'"tier":1', b'"tier":-0') + b"\n") is None
    assert lottery_leaves(line.replace(b"0" * 64, b"0" * 63 + b"A") + b"\n") is None
    twice = {**lottery, "priority": {"S1": 0}}
    duplicated = rfc8785.dumps({"private": private, "record": twice}).replace(b'{"S1":0}', b'{"S1":0,"S1":1}')
    assert lottery_leaves(duplicated + b"\n") is None  # json.loads keeps the last: refused, not guessed
    astral = rfc8785.dumps({"private": private, "record": {**lottery, "priority": {"\U0001f600": 0, "\ue000": 1}}})
    assert lottery_leaves(astral + b"\n") is None  # JCS (UTF-16) order, not UTF-8 byte order: the general parser
    surrogate = line.replace(b'"A1"', b'"\xed\xa0\x80"')  # json.loads reads a lone surrogate here
    assert lottery_leaves(surrogate + b"\n") is None
