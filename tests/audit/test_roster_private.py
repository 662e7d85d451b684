"""``roster_private.json`` written column-wise equals ``json.dumps`` of the per-applicant dicts, byte for byte.

``json.dumps(…, ensure_ascii=False, sort_keys=True)`` is the reference (what the file was
before issue 12): generated ids and private fields with Chinese text, every JSON escape,
astral characters in names and values, shared and differing key sets, empty rosters.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.errors import VerificationError
from audit.roster import commit_roster, roster_private_json

_chars = st.one_of(
    st.characters(exclude_categories=("Cs",)),
    st.sampled_from(list('"\\/\b\f\n\r\t\x00\x1f\x7f\u2028\u2029中文学校\U0001f600\U00020000\uffff\ue000')),
)
_text = st.text(_chars, max_size=10)
_ids = st.lists(st.text(_chars, min_size=1, max_size=60), max_size=20, unique=True)


def _reference(roster: list[dict[str, Any]], private: dict[str, dict[str, Any]], salts: list[bytes]) -> bytes:
    out = {str(r["id"]): {"salt": s.hex(), "private": private.get(str(r["id"]), {})}
           for r, s in zip(roster, salts, strict=True)}
    return (json.dumps(out, ensure_ascii=False, sort_keys=True) + "\n").encode()


@st.composite
def _cases(draw: st.DrawFn) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    ids = sorted(draw(_ids))
    roster = [{"id": i, "tier": draw(st.integers(0, 3))} for i in ids]
    shared = draw(st.booleans())  # one key set for all (the column-wise route) or any key sets
    keys = draw(st.lists(_text, max_size=3, unique=True))
    value = st.one_of(_text, st.integers(-(2**53) + 1, 2**53 - 1), st.booleans(), st.none())
    private = {}
    for i in ids:
        if draw(st.booleans()):
            names = keys if shared else draw(st.lists(_text, max_size=3, unique=True))
            private[i] = {k: draw(value) for k in names}
    return roster, private


@settings(max_examples=300, deadline=None)
@given(_cases(), st.binary(min_size=32, max_size=32))
def test_roster_private_matches_json_dumps(case: tuple[list[dict[str, Any]], dict[str, dict[str, Any]]],
                                           secret: bytes) -> None:
    roster, private = case
    committed = commit_roster(roster, private, secret)
    written = roster_private_json(roster, private, committed)
    assert written == _reference(roster, private, committed.salts)
    assert json.loads(written) == {r["id"]: {"private": private.get(r["id"], {}), "salt": s.hex()}
                                   for r, s in zip(roster, committed.salts, strict=True)}


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(["\U0001f600", "\uffff", "a", "\ue000", "z"]), min_size=2, max_size=5, unique=True))
def test_astral_member_names_keep_sort_keys_order(keys: list[str]) -> None:
    """JCS sorts names by UTF-16 units, ``sort_keys`` by code points: the file keeps ``sort_keys``' order."""
    roster = [{"id": "A1"}, {"id": "A2"}]
    private = {"A1": {k: k for k in keys}, "A2": {k: "学" for k in keys}}
    committed = commit_roster(roster, private, b"k" * 32)
    assert roster_private_json(roster, private, committed) == _reference(roster, private, committed.salts)


def test_empty_roster_is_an_empty_object() -> None:
    committed = commit_roster([], {}, b"k" * 32)
    assert roster_private_json([], {}, committed) == b"{}\n" == _reference([], {}, [])


def test_unsorted_roster_is_refused() -> None:
    roster = [{"id": "B"}, {"id": "A"}]
    committed = commit_roster([{"id": "A"}, {"id": "B"}], {}, b"k" * 32)
    with pytest.raises(VerificationError, match="not sorted"):
        roster_private_json(roster, {}, committed)
