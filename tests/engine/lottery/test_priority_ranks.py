"""The compiled rank pass (radix order + tie fix-up) is the spec's order: number ascending, ties by key encoding.

docs/randomness.md §3.2; the reference here is a plain Python sort on ``(number, encode_key(key))``.
Numbers are drawn from a few values (many ties), from the full 64-bit range (every radix digit
matters) and around digit boundaries.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.lottery.numbers import priority_ranks
from engine.randomness import encode_key

_NUMBER = st.one_of(
    st.integers(0, 3),
    st.integers(0, 2**64 - 1),
    st.sampled_from([2**11 - 1, 2**11, 2**33, 2**63, 2**64 - 1]),
)


@given(st.lists(st.tuples(_NUMBER, st.lists(st.text(max_size=4), min_size=1, max_size=2)), max_size=300,
                unique_by=lambda item: tuple(item[1])))
@settings(max_examples=200, deadline=None)
def test_ranks_follow_number_then_key_encoding(items: list[tuple[int, list[str]]]) -> None:
    numbers = np.array([n for n, _ in items], dtype=np.uint64)
    keys = [k for _, k in items]
    rank = priority_ranks(numbers, keys)
    expected = sorted(range(len(items)), key=lambda u: (items[u][0], encode_key(keys[u])))
    assert rank.tolist() == [expected.index(u) for u in range(len(items))]


def test_ranks_of_no_units_are_empty() -> None:
    assert priority_ranks(np.zeros(0, dtype=np.uint64), []).tolist() == []
