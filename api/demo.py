"""``make demo``: every engine end to end on the bundled samples, each bundle verified.

Runs, with one published practice seed:

1. the zone lottery (``samples/lottery``) with round 2;
2. points admission (``samples/points``, Foshan-style rules) with the district-wide second pass;
3. balanced class placement (``samples/classes``);

then verifies each run's bundle the way an auditor would (signatures, log, roster
root, seed, recomputed lottery numbers, full replay, result hashes). Output goes to
``--out`` (default ``demo-out/``), one folder per job.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from api.audit_runs import load_bundle_files
from api.runs import PreparedRun, get_kind
from api.runs.classes import prepare_classes
from api.runs.lottery import prepare_lottery
from api.runs.points import prepare_points
from api.runs.publish import publish_run
from audit.bundle import Bundle
from audit.verify import verify_bundle
from engine.errors import SunshineError
from engine.randomness import parse_seed

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
# A practice seed: SHA-256 of the text "sunshine demo". Real runs derive the seed in a ceremony.
DEMO_SEED = "21a6996ae8a886e5eddffbabe67f1ddfb5893b7e0dcbc7bcdd34a96b02e444e6"


def _jobs() -> list[tuple[str, Callable[[], PreparedRun]]]:
    return [
        ("lottery", lambda: prepare_lottery(SAMPLES / "lottery" / "schools.csv",
                                            SAMPLES / "lottery" / "applicants.csv", "da", round2=True)),
        ("points", lambda: prepare_points(SAMPLES / "points" / "rules.toml", SAMPLES / "points" / "applicants.csv",
                                          SAMPLES / "points" / "schools.csv", second_pass=True)),
        ("classes", lambda: prepare_classes(SAMPLES / "classes" / "students.csv", None,
                                            SAMPLES / "classes" / "config.toml")),
    ]


def run_demo(out: Path) -> int:
    """Run every job and verify its bundle; a failure raises (VerificationError is a SunshineError)."""
    seed = parse_seed(DEMO_SEED)
    print(f"Sunshine demo — practice seed {DEMO_SEED}\n")
    for name, prepare in _jobs():
        target = out / name
        published = publish_run(prepare(), seed, target, practice=True)
        print(f"== {name}: results in {target}/")
        print(published.summary.rstrip())
        bundle = Bundle.from_files(load_bundle_files(target / "bundle.zip"))
        steps = list(verify_bundle(bundle, trusted_keys=None, execute=get_kind(bundle.kind).execute))
        print(f"   verify {target / 'bundle.zip'}: {len(steps)} steps hold\n")
    print(f"Done. Re-check any bundle yourself:  .venv/bin/sunshine verify {out}/lottery/bundle.zip")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("demo-out"))
    args = parser.parse_args()
    try:
        sys.exit(run_demo(args.out))
    except SunshineError as exc:
        print(exc.diagnostics(), file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
