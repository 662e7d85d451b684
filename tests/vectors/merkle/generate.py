"""Generate the RFC 6962 inclusion/consistency vectors in this folder (run from the repo root).

    .venv/bin/python tests/vectors/merkle/generate.py

Happy paths come from the slow reference implementation (tests/audit/reference_merkle.py)
over the transparency-dev reference leaves; every negative case is named by the mutation
applied (transparency-dev/merkle testdata style) and has ``want_error: true``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "audit"))

from reference_merkle import REFERENCE_LEAVES, mth, path, proof  # noqa: E402


def _leaf_hash(d: bytes) -> bytes:
    return mth([d])


def _case(desc: str, **kw: object) -> dict[str, object]:
    out: dict[str, object] = {"desc": desc}
    for k, v in kw.items():
        if isinstance(v, bytes):
            out[k] = v.hex()
        elif isinstance(v, list):
            out[k] = [x.hex() for x in v]
        else:
            out[k] = v
    return out


def _flip(b: bytes, bit: int) -> bytes:
    return bytes([b[0] ^ (1 << bit)]) + b[1:]


def inclusion_cases() -> list[dict[str, object]]:
    cases = []
    for size in range(1, 9):
        leaves = REFERENCE_LEAVES[:size]
        root = mth(leaves)
        for idx in range(size):
            p = path(idx, leaves)
            lh = _leaf_hash(leaves[idx])
            name = f"size-{size}-leaf-{idx}"
            base = {"leaf_index": idx, "tree_size": size, "root": root, "leaf_hash": lh}
            cases.append(_case(f"{name}/happy", **base, proof=p, want_error=False))
            cases.append(_case(f"{name}/wrong-leaf", **{**base, "leaf_hash": _leaf_hash(b"wrong")}, proof=p,
                               want_error=True))
            if idx + 1 < size:
                cases.append(_case(f"{name}/leafIdx-plus-1", **{**base, "leaf_index": idx + 1}, proof=p,
                                   want_error=True))
            if idx > 0:
                cases.append(_case(f"{name}/leafIdx-minus-1", **{**base, "leaf_index": idx - 1}, proof=p,
                                   want_error=True))
            cases.append(_case(f"{name}/treeSize-times-2", **{**base, "tree_size": size * 2}, proof=p,
                               want_error=True))
            if size > 1:
                cases.append(_case(f"{name}/treeSize-div-2", **{**base, "tree_size": size // 2}, proof=p,
                                   want_error=True))
            for i in range(len(p)):
                for bit in (0, 3):
                    mutated = list(p)
                    mutated[i] = _flip(mutated[i], bit)
                    cases.append(_case(f"{name}/modified-proof[{i}]-bit-{bit}", **base, proof=mutated,
                                       want_error=True))
            cases.append(_case(f"{name}/trailing-garbage", **base, proof=[*p, b"\x00" * 32], want_error=True))
            cases.append(_case(f"{name}/preceding-garbage", **base, proof=[b"\x00" * 32, *p], want_error=True))
            if p:
                cases.append(_case(f"{name}/removed-component", **base, proof=p[:-1], want_error=True))
            cases.append(_case(f"{name}/empty-root", **{**base, "root": mth([])}, proof=p, want_error=True))
            cases.append(_case(f"{name}/random-root", **{**base, "root": mth([b"random"])}, proof=p, want_error=True))
    return cases


def consistency_cases() -> list[dict[str, object]]:
    cases = []
    for size2 in range(1, 9):
        leaves = REFERENCE_LEAVES[:size2]
        root2 = mth(leaves)
        for size1 in range(1, size2 + 1):
            root1 = mth(leaves[:size1])
            p = proof(size1, leaves)
            name = f"size-{size1}-to-{size2}"
            base = {"size1": size1, "size2": size2, "root1": root1, "root2": root2}
            cases.append(_case(f"{name}/happy", **base, proof=p, want_error=False))
            if size1 == size2:
                cases.append(_case(f"{name}/wrong-root2", **{**base, "root2": mth([b"x"])}, proof=p, want_error=True))
                continue
            cases.append(_case(f"{name}/swapped-roots", **{**base, "root1": root2, "root2": root1}, proof=p,
                               want_error=True))
            cases.append(_case(f"{name}/size1-plus-1", **{**base, "size1": size1 + 1}, proof=p, want_error=True))
            cases.append(_case(f"{name}/size2-times-2", **{**base, "size2": size2 * 2}, proof=p, want_error=True))
            for i in range(len(p)):
                mutated = list(p)
                mutated[i] = _flip(mutated[i], 3)
                cases.append(_case(f"{name}/modified-proof[{i}]-bit-3", **base, proof=mutated, want_error=True))
            cases.append(_case(f"{name}/trailing-garbage", **base, proof=[*p, b"\x00" * 32], want_error=True))
            cases.append(_case(f"{name}/removed-component", **base, proof=p[:-1], want_error=True))
            cases.append(_case(f"{name}/empty-proof", **base, proof=[], want_error=True))
    return cases


def known_answers() -> dict[str, object]:
    return {
        "desc": "RFC 6962 known answers (transparency-dev/merkle rfc6962 and testonly constants)",
        "empty_root": mth([]).hex(),
        "empty_leaf_hash": _leaf_hash(b"").hex(),
        "leaves": [x.hex() for x in REFERENCE_LEAVES],
        "roots": [mth(REFERENCE_LEAVES[:n]).hex() for n in range(1, 9)],
    }


def main() -> None:
    for name, data in (
        ("inclusion.json", inclusion_cases()),
        ("consistency.json", consistency_cases()),
        ("rfc6962.json", known_answers()),
    ):
        (HERE / name).write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
