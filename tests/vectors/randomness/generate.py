"""Generate the randomness known-answer vectors (docs/randomness.md).

Run from the repository root:  .venv/bin/python tests/vectors/randomness/generate.py
The JSON files it writes are checked in; tests recompute every value and compare.
Changing any output here means the randomness spec changed: bump its version.
"""

from __future__ import annotations

import json
from pathlib import Path

from engine.randomness import (
    WordStream,
    encode_key,
    format_lottery_number,
    item_digest,
    lottery_number,
    seeded_permutation,
    simulation_draw_seed,
    what_if_seed,
)

HERE = Path(__file__).parent
SEEDS = {
    "counting": bytes(range(32)).hex(),
    "zero": "00" * 32,
    "ff": "ff" * 32,
    "published-example": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
}


def _write(name: str, desc: str, cases: list[dict[str, object]]) -> None:
    doc = {"desc": desc, "spec": "sunshine-randomness/v1", "cases": cases}
    (HERE / name).write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    keys: list[list[str]] = [
        ["A0001"], ["A0002"], ["2024-0017"], ["报名号-甲"], [""],
        ["2024-0017", "2024-0018"], ["T1", "T2", "T3"],
    ]
    number_cases: list[dict[str, object]] = []
    for seed_name, seed_hex in SEEDS.items():
        seed = bytes.fromhex(seed_hex)
        for kind in ("lottery", "points"):
            for key in keys:
                number_cases.append({
                    "desc": f"{seed_name}/{kind}/{'+'.join(key) or '(empty)'}",
                    "seed": seed_hex, "kind": kind, "key": key,
                    "encoded_key": encode_key(key).hex(),
                    "digest": item_digest(seed, kind, "lottery-number", key).hex(),
                    "lottery_number": format_lottery_number(lottery_number(seed, kind, key)),
                })
    _write("lottery_numbers.json", "Per-item digests and 16-hex-digit lottery numbers (spec §3)", number_cases)

    stream_cases: list[dict[str, object]] = []
    for seed_name, seed_hex in SEEDS.items():
        seed = bytes.fromhex(seed_hex)
        stream = WordStream(seed, "classes", "class-labels", "S0001")
        words = [f"{stream.next_word():016x}" for _ in range(9)]
        bounded_stream = WordStream(seed, "classes", "order-among-equals", "")
        bounds = [1, 2, 3, 7, 10, 45, 1000, 2**63 + 1, 2**64 - 1, 2**64]
        draws = [{"n": str(n), "value": str(bounded_stream.below(n))} for n in bounds]
        stream_cases.append({
            "desc": f"{seed_name}/classes/class-labels/S0001",
            "seed": seed_hex, "kind": "classes", "purpose": "class-labels", "label": "S0001",
            "first_words": words,
            "bounded": {"purpose": "order-among-equals", "label": "", "draws": draws},
        })
    _write("streams.json", "Counter-mode words (spec §4) and rejection-sampled bounded integers (spec §5); "
           "bounded draws are taken in order from one stream", stream_cases)

    perm_cases: list[dict[str, object]] = []
    for seed_name, seed_hex in SEEDS.items():
        seed = bytes.fromhex(seed_hex)
        for purpose, n in (("class-labels", 10), ("head-teachers", 24), ("class-labels", 1), ("class-labels", 2)):
            items = list(range(1, n + 1))
            perm_cases.append({
                "desc": f"{seed_name}/classes/{purpose}/n={n}",
                "seed": seed_hex, "kind": "classes", "purpose": purpose, "label": "", "n": n,
                "permutation": seeded_permutation(seed, "classes", purpose, items),
            })
    _write("permutations.json", "Fisher–Yates permutations of 1..n (spec §6)", perm_cases)

    draw_cases: list[dict[str, object]] = []
    for seed_name, seed_hex in SEEDS.items():
        seed = bytes.fromhex(seed_hex)
        for draw in (0, 1, 2, 9999, 2**64 - 1):
            draw_cases.append({
                "desc": f"{seed_name}/draw={draw}", "simulation_seed": seed_hex, "draw": str(draw),
                "draw_seed": simulation_draw_seed(seed, draw).hex(),
            })
    _write("simulation_draws.json", "Per-draw seeds of a simulation (spec §9): "
           "HMAC(simulation_seed, enc(\"sunshine/v1/simulation-draw\") ‖ u64be(draw))", draw_cases)
    root, config = "ab" * 32, "cd" * 32
    what_if_cases = [
        {"desc": desc, "public_root": r, "config_hash": c, "withdrawn": w, "seed": what_if_seed(r, c, w).hex()}
        for desc, r, c, w in (
            ("no-withdrawals", root, config, []),
            ("withdrawals-any-order", root, config, ["202600040", "202600010"]),
            ("unicode-withdrawal", root, config, ["报名号-甲"]),
            ("empty-strings", "", "", []),
        )
    ]
    _write("what_if_seeds.json", "Seed of a run's public what-if (spec §9.1): "
           "SHA-256(enc(\"sunshine/v1/what-if-seed\") ‖ enc(public_root) "
           "‖ enc(config_hash) ‖ key(withdrawn sorted by UTF-8 bytes))", what_if_cases)


if __name__ == "__main__":
    main()
