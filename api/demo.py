"""``make demo``: every engine end to end on the bundled samples, each bundle verified.

Runs, with one published practice seed:

1. the zone lottery (``samples/lottery``) with round 2;
2. points admission (``samples/points``, Foshan-style rules) with the district-wide second pass;
3. balanced class placement (``samples/classes``);

then verifies each run's bundle the way an auditor would (signatures, log, roster
root, seed, recomputed lottery numbers, full replay, result hashes). Finally it runs
the zone lottery as on placement day, through the public ceremony (``docs/ceremony.md``)
with the ``sunshine`` command itself: operator key, roster frozen, two witnesses commit
and reveal, a public value is mixed in, the seed derived, the run executed and
published, the bundle verified against the pinned operator key, and one applicant's
receipt checked. Output goes to ``--out`` (default ``demo-out/``), one folder per job.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from api.audit_runs import load_bundle_files
from api.cli.common import prepare_from_paths, print_summary
from api.runs import PreparedRun, get_kind
from api.runs.publish import publish_run
from audit.bundle import Bundle
from audit.verify import verify_bundle
from engine.errors import SunshineError
from engine.randomness import parse_seed

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
# A practice seed: SHA-256 of the text "sunshine demo". Real runs derive the seed in a ceremony.
DEMO_SEED = "21a6996ae8a886e5eddffbabe67f1ddfb5893b7e0dcbc7bcdd34a96b02e444e6"


def _jobs() -> list[tuple[str, Callable[[], PreparedRun]]]:
    lottery, points, classes = SAMPLES / "lottery", SAMPLES / "points", SAMPLES / "classes"
    return [
        ("lottery", lambda: prepare_from_paths(
            "lottery", {"schools": lottery / "schools.csv", "applicants": lottery / "applicants.csv"},
            {"mechanism": "da", "round2": True})),
        ("points", lambda: prepare_from_paths(
            "points", {"rules": points / "rules.toml", "applicants": points / "applicants.csv",
                       "schools": points / "schools.csv"}, {"second_pass": True})),
        ("classes", lambda: prepare_from_paths(
            "classes", {"students": classes / "students.csv", "config": classes / "config.toml"}, {})),
    ]


def run_demo(out: Path) -> int:
    """Run every job and verify its bundle; a failure raises (VerificationError is a SunshineError)."""
    seed = parse_seed(DEMO_SEED)
    print(f"Sunshine demo — practice seed {DEMO_SEED}\n")
    for name, prepare in _jobs():
        target = out / name
        published = publish_run(prepare(), seed, target)
        print(f"== {name}: results in {target}/")
        print_summary(published.summary, practice=True)
        bundle = Bundle.from_files(load_bundle_files(target / "bundle.zip"))
        steps = list(verify_bundle(bundle, trusted_keys=None, execute=get_kind(bundle.kind).execute))
        print(f"   verify {target / 'bundle.zip'}: {len(steps)} steps hold\n")
    run_ceremony_demo(out / "ceremony")
    print(f"Done. Re-check any bundle yourself:  .venv/bin/sunshine verify {out}/lottery/bundle.zip")
    return 0


def _sunshine(*args: str) -> str:
    """Run the installed ``sunshine`` command (as a user would) and return its standard output."""
    exe = Path(sys.executable).with_name("sunshine")
    done = subprocess.run([str(exe), *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"sunshine {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def run_ceremony_demo(base: Path) -> None:
    """The zone lottery through the full public ceremony, then verified with the pinned key."""
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    key = ["--key-file", str(base / "operator.key")]
    run, result = str(base / "run"), str(base / "result")
    lottery = SAMPLES / "lottery"
    print("== ceremony: zone lottery as on placement day (正式派位仪式)")
    public_key = next(line.split(": ", 1)[1] for line in _sunshine("keys", "init", *key).splitlines()
                      if line.startswith("public key"))
    _sunshine("ceremony", "init", run, "--kind", "lottery", "--schools", str(lottery / "schools.csv"),
              "--applicants", str(lottery / "applicants.csv"), "--round2", *key)
    _sunshine("ceremony", "freeze", run, *key)
    _sunshine("ceremony", "declare", run, "--witness", "公证处", "--witness", "家长代表",
              "--public-source", "福利彩票 3D 开奖号码 (next draw after the freeze)",
              "--fallback", "the witnesses' reveals alone", *key)
    witnesses = {"公证处": ("739182", "notary-salt-7f3a"), "家长代表": ("55501", "parent-salt-19c2")}
    for name, (value, salt) in witnesses.items():
        _sunshine("ceremony", "commit", run, "--witness", name, "--value", value, "--salt", salt, *key)
    for name, (value, salt) in witnesses.items():
        _sunshine("ceremony", "reveal", run, "--witness", name, "--value", value, "--salt", salt, *key)
    seed_line = _sunshine("ceremony", "seed", run, "--public-value", "3 8 1", *key).splitlines()[0]
    _sunshine("ceremony", "execute", run, *key)
    _sunshine("ceremony", "publish", run, "--out", result, *key)
    verified = _sunshine("verify", str(Path(result) / "bundle.zip"), "--key", public_key)
    receipt = _sunshine("receipt", result, "202600010")
    (base / "receipt-202600010.json").write_text(receipt, encoding="utf-8")
    _sunshine("verify-receipt", str(base / "receipt-202600010.json"))
    print(f"   {seed_line}")
    print(f"   verify with pinned key {public_key[:40]}…: {verified.strip().splitlines()[-1]}")
    print(f"   receipt for 202600010 verified: {base / 'receipt-202600010.json'}")
    print(f"   results and bundle in {result}/\n")


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
