"""A column roster (audit.roster_columns) is the same roster as its records, to every consumer.

The lottery ingest hands the run layer a :class:`ColumnRoster`; the commitment, the market
and the receipts read its columns. Committing, executing and listing it must give exactly the
bytes the same records give as a list of dicts (``rfc8785`` stays the reference for the lines).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from api.inputs import read_input_file
from api.runs.lottery import execute, prepare_lottery
from audit.canonical_columns import record_fields, record_shape
from audit.roster import PUBLIC_RECORD_START, commit_roster
from audit.roster_columns import CodedLists, ColumnRoster, column_of

SAMPLES_LOTTERY = Path(__file__).resolve().parents[2] / "samples" / "lottery"
_chars = st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from(list('"\\\n\x00中文\U0001f600')))
_text = st.text(_chars, max_size=8)


@st.composite
def _lottery_rosters(draw: st.DrawFn) -> list[dict[str, Any]]:
    ids = sorted(draw(st.lists(st.text(_chars, min_size=1, max_size=40), min_size=1, max_size=20, unique=True)),
                 key=lambda s: s.encode())
    schools = st.lists(_text, max_size=5)
    return [{"id": i, "preferences": draw(schools), "tier": draw(st.integers(0, 9)),
             "priority": draw(st.dictionaries(_text, st.integers(0, 9), max_size=3)), "group": draw(_text),
             "round2": draw(schools)} for i in ids]


def _columns(records: list[dict[str, Any]]) -> ColumnRoster:
    return ColumnRoster({k: [r[k] for r in records] for k in records[0]})


@settings(max_examples=150, deadline=None)
@given(_lottery_rosters(), st.binary(min_size=32, max_size=32))
def test_a_column_roster_commits_to_the_bytes_of_its_records(records: list[dict[str, Any]], secret: bytes) -> None:
    roster = _columns(records)
    from_columns, from_records = commit_roster(roster, {}, secret), commit_roster(records, {}, secret)
    assert from_columns == from_records
    assert [line[PUBLIC_RECORD_START:-1] for line in from_columns.lines] == [rfc8785.dumps(r) for r in records]
    shape, reference = record_shape(roster), record_shape(records)
    assert shape is not None and reference is not None
    assert shape.keys == reference.keys
    assert [(f.kind, f.counts.tolist()) for f in record_fields(shape)] == \
        [(f.kind, f.counts.tolist()) for f in record_fields(reference)]


def _coded(lists: list[list[str]], values: list[str]) -> CodedLists:
    at = {v: i for i, v in enumerate(values)}
    offsets = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum([len(x) for x in lists], out=offsets[1:])
    return CodedLists(offsets, np.array([at[v] for x in lists for v in x], dtype=np.int64), values)


@settings(max_examples=150, deadline=None)
@given(_lottery_rosters(), st.binary(min_size=32, max_size=32), st.randoms(use_true_random=False))
def test_declared_columns_commit_to_the_bytes_of_the_records(records: list[dict[str, Any]], secret: bytes,
                                                             rnd: Any) -> None:
    """Lists declared as codes (in any order of the distinct values) and str columns declared: the same roster."""
    values = sorted({v for r in records for k in ("preferences", "round2") for v in r[k]} | {"未用"})
    rnd.shuffle(values)
    columns = {k: [r[k] for r in records] for k in records[0]}
    declared = ColumnRoster(columns, coded={k: _coded(columns[k], values) for k in ("preferences", "round2")},
                            strings=("id", "group"))
    assert commit_roster(declared, {}, secret) == commit_roster(records, {}, secret)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["S1", "S2", "学校3"]), max_size=4), min_size=1, max_size=12),
       st.randoms(use_true_random=False))
def test_coded_lists_taken_in_an_order_are_those_lists_in_that_order(lists: list[list[str]], rnd: Any) -> None:
    values = ["S1", "S2", "学校3"]
    order = list(range(len(lists)))
    rnd.shuffle(order)
    taken = _coded(lists, values).take(order)
    assert len(taken) == len(lists)
    assert [[values[c] for c in taken.codes[a:b]] for a, b in zip(taken.offsets, taken.offsets[1:], strict=False)] \
        == [lists[i] for i in order]


def test_a_declaration_must_name_a_column_of_the_roster() -> None:
    with pytest.raises(ValueError, match="declaration"):
        ColumnRoster({"id": ["a"]}, strings=("group",))
    with pytest.raises(ValueError, match="declaration"):
        ColumnRoster({"id": ["a"], "p": [["S1"]]}, coded={"p": _coded([["S1"], ["S1"]], ["S1"])})


@settings(max_examples=100, deadline=None)
@given(_lottery_rosters())
def test_a_column_roster_is_the_sequence_of_its_records(records: list[dict[str, Any]]) -> None:
    roster = _columns(records)
    assert len(roster) == len(records)
    assert roster == records and list(roster) == records
    assert roster[1:3] == records[1:3]
    assert roster[-1] == records[-1]
    for key in records[0]:
        assert column_of(roster, key) == column_of(records, key) == [r[key] for r in records]
    assert column_of(roster, "absent", 7) == column_of(records, "absent", 7) == [7] * len(records)


def test_records_made_from_columns_are_fresh() -> None:
    shared = {"S1": 0}
    roster = ColumnRoster({"id": ["a", "b"], "priority": [shared, shared], "preferences": [["S1"], ["S1"]]})
    first = roster[0]
    first["priority"]["S2"] = 1
    first["preferences"].append("S2")
    assert roster[0] == {"id": "a", "priority": {"S1": 0}, "preferences": ["S1"]}
    assert roster[1]["priority"] == {"S1": 0} and shared == {"S1": 0}


def test_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="columns of different lengths"):
        ColumnRoster({"id": ["a", "b"], "tier": [1]})
    with pytest.raises(KeyError, match="tier"):
        column_of(ColumnRoster({"id": ["a"]}), "tier")


def test_the_lottery_roster_executes_as_its_records() -> None:
    run = prepare_lottery(read_input_file(SAMPLES_LOTTERY / "schools.csv"),
                          read_input_file(SAMPLES_LOTTERY / "applicants.csv"), "da", True)
    assert isinstance(run.roster, ColumnRoster)
    records = list(run.roster)
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)
    seed = bytes(range(32))
    assert execute(run.config, run.roster, seed) == execute(run.config, records, seed)


def test_coded_lists_map_to_indices_or_name_the_unknown_value() -> None:
    lists = _coded([["S2", "S1"], [], ["S1"]], ["S1", "S2", "S9"])
    ptr, flat = lists.indices({"S1": 0, "S2": 1})  # S9 is a value no cell uses
    assert ptr.tolist() == [0, 2, 2, 3] and flat.tolist() == [1, 0, 0]
    with pytest.raises(KeyError, match="S2"):
        lists.indices({"S1": 0})
