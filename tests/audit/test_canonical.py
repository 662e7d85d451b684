"""Canonical bytes equal the reference ``rfc8785`` encoder on Sunshine's JSON subset."""

from __future__ import annotations

from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.canonical import canonical_bytes, record_hash
from audit.errors import CanonicalError

_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**53) + 1, 2**53 - 1), _text)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_text, inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_values)
def test_matches_rfc8785(value: Any) -> None:
    assert canonical_bytes(value) == rfc8785.dumps(value)


def test_astral_keys_sort_by_utf16() -> None:
    value = {"\U0001f600": 1, "\uffff": 2, "a": 3}
    assert canonical_bytes(value) == rfc8785.dumps(value)
    assert canonical_bytes(value).index("\U0001f600".encode()) < canonical_bytes(value).index("\uffff".encode())


@pytest.mark.parametrize(("bad", "why"), [
    (1.5, "type float"), ({"a": 0.1}, "type float"), (2**53, "out of the JSON-safe range: 9007199254740992"),
    ({1: "x"}, "keys must be strings: 1"), ({"s": {1, 2}}, "type set"), ("\ud800", "lone surrogate"),
])
def test_rejects_outside_subset(bad: Any, why: str) -> None:
    with pytest.raises(CanonicalError, match=why):
        canonical_bytes(bad)


def test_record_hash_known_answer() -> None:
    assert canonical_bytes({"b": [1, "二"], "a": None}) == '{"a":null,"b":[1,"二"]}'.encode()
    assert record_hash({}) == "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"


def _reference_leaves(roster: list[dict[str, Any]], private: dict[str, dict[str, str]], secret: bytes
                      ) -> list[dict[str, Any]]:
    """The leaves as docs/bundle.md defines them, one applicant at a time (no shared key schedule)."""
    from audit.roster import private_commitment, roster_salt

    return [{"private": private_commitment(roster_salt(secret, r["id"]), private.get(r["id"], {})), "record": r}
            for r in roster]


def test_commit_roster_matches_slow_path() -> None:
    from audit.merkle import leaf_hash, root_of
    from audit.roster import commit_roster, roster_salt

    roster = [{"id": f"A{i:02d}", "zone": "Z"} for i in range(20)]
    private = {"A3": {"name": "张三"}}
    for secret in (bytes(32), b"k" * 100):
        c = commit_roster(roster, private, secret)
        assert c.leaves == _reference_leaves(roster, private, secret)
        assert c.salts == [roster_salt(secret, r["id"]) for r in roster]
        assert c.root == root_of([leaf_hash(rfc8785.dumps(x)) for x in c.leaves])
        assert c.lines == [rfc8785.dumps(x) for x in c.leaves]
