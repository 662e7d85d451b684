"""Count what the hostile-input fuzzers of ``tests/hostile/test_fuzz_parsers.py`` fed each parser, and how it ended.

Runs every fuzz test once (the same hypothesis strategies and example counts as the test suite, a fresh
random seed each run unless ``--seed``) and prints one Markdown row per parser: inputs tried, how many
parsed, how many were refused with which of the project's errors, and how many escaped as anything
else (must be 0: the test fails on those). The table in benchmarks/RESULTS.md § Hostile input comes
from this script.

    .venv/bin/python benchmarks/hostile_inputs.py [--seed N]
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "hostile"))
sys.path.insert(0, str(ROOT))

import hostile_samples  # noqa: E402
import test_fuzz_parsers  # noqa: E402
from hypothesis import seed as hypothesis_seed  # noqa: E402

PARSERS = {
    "test_fuzz_lottery_inputs": "lottery CSV (applicants, schools)",
    "test_fuzz_points_inputs": "points CSV (applicants, schools, corrections)",
    "test_fuzz_classes_students": "classes CSV (students)",
    "test_fuzz_points_rule_set": "points rule set TOML (bytes)",
    "test_fuzz_rule_set_text": "points rule set TOML (appended text)",
    "test_fuzz_classes_config": "classes config TOML",
    "test_fuzz_xlsx": "XLSX (member bytes / zip bytes)",
    "test_fuzz_xlsx_tables": "XLSX (edited tables, typed cells)",
    "test_fuzz_bundle": "bundle.zip → verify",
    "test_fuzz_receipt": "receipt JSON → verify-receipt",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=None, help="hypothesis seed (default: random)")
    args = parser.parse_args()
    counts: dict[str, collections.Counter[str]] = {}
    current = [""]
    original: Callable[[Callable[[], object]], str] = hostile_samples.outcome_of

    def counting(parse: Callable[[], object]) -> str:
        try:
            outcome = original(parse)
        except Exception as exc:
            counts[current[0]][f"ESCAPED {type(exc).__name__}"] += 1
            raise
        counts[current[0]][outcome] += 1
        return outcome

    test_fuzz_parsers.outcome_of = counting  # type: ignore[assignment]
    print("| parser | inputs | parsed | refused (error: count) | escaped | seconds |")
    print("|---|---|---|---|---|---|")
    for name, label in PARSERS.items():
        current[0] = name
        counts[name] = collections.Counter()
        test = getattr(test_fuzz_parsers, name)
        if args.seed is not None:
            test = hypothesis_seed(args.seed)(test)
        start = time.perf_counter()
        test()
        seconds = time.perf_counter() - start
        c = counts[name]
        refused = ", ".join(f"{k}: {v}" for k, v in sorted(c.items()) if k != "ok" and not k.startswith("ESCAPED"))
        escaped = sum(v for k, v in c.items() if k.startswith("ESCAPED"))
        print(f"| {label} | {sum(c.values())} | {c['ok']} | {refused} | {escaped} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
