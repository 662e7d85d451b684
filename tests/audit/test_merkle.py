"""RFC 6962 Merkle trees: known answers, checked-in mutation vectors, and a slow reference cross-check."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_merkle import REFERENCE_LEAVES, mth, path, proof

from audit.errors import ProofError, RootMismatch
from audit.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    consistency_proof,
    leaf_hash,
    node_hash,
    root_from_inclusion_proof,
    root_of,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "merkle"
RFC6962_8_LEAF_ROOT = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"


_PROOF_FAILURE = "Merkle root mismatch|proof|index|size"  # RootMismatch, or a ProofError naming the bad part


def _load(name: str) -> list[dict[str, object]]:
    data: list[dict[str, object]] = json.loads((VECTORS / name).read_text())
    return data


def test_known_answers() -> None:
    assert EMPTY_ROOT.hex().startswith("e3b0c442")
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"").hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    assert root_of([leaf_hash(x) for x in REFERENCE_LEAVES]).hex() == RFC6962_8_LEAF_ROOT
    assert root_of([]) == EMPTY_ROOT


def test_known_answer_file_matches() -> None:
    kat = json.loads((VECTORS / "rfc6962.json").read_text())
    assert kat["roots"][-1] == RFC6962_8_LEAF_ROOT
    for n, want in enumerate(kat["roots"], 1):
        assert root_of([leaf_hash(x) for x in REFERENCE_LEAVES[:n]]).hex() == want


def test_node_hash_is_not_leaf_hash_of_concatenation() -> None:
    a, b = leaf_hash(b"a"), leaf_hash(b"b")
    assert node_hash(a, b) != leaf_hash(a + b)


@pytest.mark.parametrize("case", _load("inclusion.json"), ids=lambda c: str(c["desc"]))
def test_inclusion_vectors(case: dict[str, object]) -> None:
    args = (
        int(case["leaf_index"]),  # type: ignore[call-overload]
        int(case["tree_size"]),  # type: ignore[call-overload]
        bytes.fromhex(str(case["leaf_hash"])),
        [bytes.fromhex(p) for p in case["proof"]],  # type: ignore[attr-defined]
        bytes.fromhex(str(case["root"])),
    )
    if case["want_error"]:
        with pytest.raises((ProofError, RootMismatch), match=_PROOF_FAILURE):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)


@pytest.mark.parametrize("case", _load("consistency.json"), ids=lambda c: str(c["desc"]))
def test_consistency_vectors(case: dict[str, object]) -> None:
    args = (
        int(case["size1"]),  # type: ignore[call-overload]
        int(case["size2"]),  # type: ignore[call-overload]
        [bytes.fromhex(p) for p in case["proof"]],  # type: ignore[attr-defined]
        bytes.fromhex(str(case["root1"])),
        bytes.fromhex(str(case["root2"])),
    )
    if case["want_error"]:
        with pytest.raises((ProofError, RootMismatch), match=_PROOF_FAILURE):
            verify_consistency(*args)
    else:
        verify_consistency(*args)


def test_fast_matches_reference_up_to_70_leaves() -> None:
    """Root, every inclusion path and every consistency proof agree with the RFC's recursive definitions."""
    rolling = hashlib.sha256()
    data = [i.to_bytes(2, "big") for i in range(70)]
    for n in range(1, 71):
        leaves = data[:n]
        hashes = [leaf_hash(x) for x in leaves]
        tree = MerkleTree(hashes)
        assert tree.root == mth(leaves)
        for i in range(n):
            assert tree.inclusion_proof(i) == path(i, leaves)
            verify_inclusion(i, n, hashes[i], tree.inclusion_proof(i), tree.root)
        for m in range(0, n + 1):
            p = consistency_proof(hashes, m)
            assert p == proof(m, leaves)
            verify_consistency(m, n, p, root_of(hashes[:m]), tree.root)
            rolling.update(b"".join(p))
        rolling.update(tree.root)
    # golden digest pinning every root and consistency proof for sizes 1..70
    assert rolling.hexdigest() == GOLDEN


GOLDEN = "26d7be04ec72f35548aff60fc0aaff40e5091314508641c01d385edbe20b9cf7"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.binary(max_size=8), min_size=1, max_size=40), st.data())
def test_inclusion_property(leaves: list[bytes], data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(leaves) - 1))
    hashes = [leaf_hash(x) for x in leaves]
    tree = MerkleTree(hashes)
    assert root_from_inclusion_proof(i, len(leaves), hashes[i], tree.inclusion_proof(i)) == tree.root


def test_bad_requests() -> None:
    with pytest.raises(ProofError, match="index 1"):
        MerkleTree([leaf_hash(b"")]).inclusion_proof(1)
    with pytest.raises(ProofError, match="leaf index 0 not below tree size 0"):
        root_from_inclusion_proof(0, 0, leaf_hash(b""), [])
    with pytest.raises(ProofError, match="2"):
        consistency_proof([leaf_hash(b"")], 2)
    with pytest.raises(RootMismatch, match="Merkle root mismatch") as exc:
        verify_inclusion(0, 1, leaf_hash(b"a"), [], leaf_hash(b"b"))
    assert exc.value.expected == leaf_hash(b"b") and exc.value.calculated == leaf_hash(b"a")
