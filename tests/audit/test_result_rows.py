"""The result rows tree (audit/result_rows.py): its fast route gives exactly the definition's leaves."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.canonical import canonical_bytes
from audit.merkle import leaf_hash, root_of
from audit.result_rows import ResultRows, row_leaf, rows_commitment


def _by_definition(results: dict[str, bytes]) -> dict[str, object]:
    """Straight from docs/bundle.md § Result rows tree: csv module, RFC 8785 bytes, one leaf at a time."""
    hashes: list[bytes] = []
    files: dict[str, int] = {}
    for name in sorted(n for n in results if n.endswith(".csv")):
        try:
            table = list(csv.reader(io.StringIO(results[name].decode("utf-8"))))
        except UnicodeDecodeError:
            continue
        files[name] = max(len(table) - 1, 0)
        hashes += [leaf_hash(canonical_bytes([name, table[0], row])) for row in table[1:]]
    return {"root": root_of(hashes).hex(), "size": len(hashes), "files": files}


CELL = st.text(st.characters(codec="utf-8", exclude_characters="\r"), max_size=6)
PLAIN_CELL = st.text("abz019-_. 张", max_size=6)


def _csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.one_of(PLAIN_CELL, CELL), min_size=1, max_size=4), max_size=6),
       st.lists(st.lists(PLAIN_CELL, min_size=1, max_size=3), max_size=5), st.booleans())
def test_fast_route_equals_the_definition(quoted: list[list[str]], plain: list[list[str]], trailing: bool) -> None:
    plain_bytes = b"\n".join(",".join(r).encode() for r in plain) + (b"\n" if trailing else b"")
    results = {"b.csv": _csv(quoted), "a.csv": plain_bytes, "c.json": b"{}", "d.csv": b"\xff\xfe"}
    assert rows_commitment(results) == _by_definition(results)


def test_documented_example() -> None:
    results = {"results.csv": b"applicant_id,lottery_number,school_id\n202600010,4dcc0a1b2c3d4e5f,S0001\n"
                              b"202600020,0123456789abcdef,\n", "schools.csv": b"school_id,capacity\nS0001,1\n"}
    assert row_leaf("results.csv", ["applicant_id", "lottery_number", "school_id"],
                    ["202600010", "4dcc0a1b2c3d4e5f", "S0001"]) == (
        b'["results.csv",["applicant_id","lottery_number","school_id"],["202600010","4dcc0a1b2c3d4e5f","S0001"]]')
    assert rows_commitment(results) == {
        "root": "070fb21c10344ad32174d7f86e4f0f5758fe58e5980dedf2cda1749097fe897a", "size": 3,
        "files": {"results.csv": 2, "schools.csv": 1}}
    tree = ResultRows.of(results)
    assert tree.proof("schools.csv", 2)[0] == 2 and tree.tree.root.hex() == rows_commitment(results)["root"]


@settings(max_examples=150, deadline=None)
@given(st.text("abz_张", min_size=1, max_size=40), st.lists(st.text("abz019_张 ", max_size=70), min_size=1, max_size=5),
       st.lists(st.lists(PLAIN_CELL, min_size=1, max_size=4), min_size=1, max_size=8), st.booleans())
def test_plain_leaves_hashed_from_the_prefix_midstate_equal_the_definition(
        stem: str, header: list[str], rows: list[list[str]], trailing: bool) -> None:
    # Prefixes ``0x00 ["<file>",[<header>],["`` of every length around the 64-byte blocks the kernel compresses
    # once per file, and leaves of every length after them: the same roots as hashlib over the definition's bytes.
    body = b"\n".join(",".join(r).encode() for r in [header, *rows]) + (b"\n" if trailing else b"")
    results = {f"{stem}.csv": body, "z.csv": body}
    assert rows_commitment(results) == _by_definition(results)


def test_a_large_file_hashed_in_two_halves_gives_the_definitions_root(monkeypatch: pytest.MonkeyPatch) -> None:
    import audit.result_rows as result_rows

    monkeypatch.setattr(result_rows, "_SPLIT", 3)  # every file of more than two rows goes to the two threads
    rows = [[f"A{i:05d}", "张" * (i % 7), str(i % 13)] for i in range(257)]
    results = {"results.csv": _csv([["id", "name", "n"], *rows]), "q.csv": _csv([["a"], ['x"y'], ["z"], ["w"]])}
    assert rows_commitment(results) == _by_definition(results)
