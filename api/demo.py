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
receipt checked; and last, one placement day per kind through the HTTP service (a temporary
server on 127.0.0.1 over an embedded SQLite file), the served bundle verified and sealed by
both witnesses. Output goes to ``--out`` (default ``demo-out/``), one folder per job.
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
    run_service_demo(out / "service")
    print(f"Done. Re-check any bundle yourself:  .venv/bin/sunshine verify {out}/lottery/bundle.zip")
    return 0


def _sunshine(*args: str) -> str:
    """Run the installed ``sunshine`` command (as a user would) and return its standard output."""
    exe = Path(sys.executable).with_name("sunshine")
    done = subprocess.run([str(exe), *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"sunshine {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


DEMO_MARKER = ".sunshine-demo"


def _public_key(output: str) -> str:
    return next(line.split(": ", 1)[1] for line in output.splitlines() if line.startswith("public key"))


def run_ceremony_demo(base: Path) -> None:
    """The zone lottery through the full public ceremony, then verified with every key pinned.

    The public value is a real, published drand quicknet beacon (round 657413, 2023-09-15T11:00:03Z,
    ``samples/beacons``), so the demo runs offline; every step is stamped with a time before that
    round was due, as on a real placement day the round is declared before it exists.
    """
    if base.exists():
        if not (base / DEMO_MARKER).is_file():
            raise SystemExit(f"{base} exists and was not made by the demo; refusing to replace it")
        shutil.rmtree(base)
    base.mkdir(parents=True)
    (base / DEMO_MARKER).write_text("made by `make demo`; replaced on the next run\n", encoding="utf-8")
    run, result = str(base / "run"), str(base / "result")
    lottery = SAMPLES / "lottery"
    beacon = SAMPLES / "beacons" / "quicknet-657413.json"

    def at(time: str) -> list[str]:
        return ["--key-file", str(base / "operator.key"), "--time", time]

    print("== ceremony: zone lottery as on placement day (正式派位仪式)")
    public_key = _public_key(_sunshine("keys", "init", "--key-file", str(base / "operator.key")))
    witnesses = {"公证处": ("notary", "739182", "notary-salt-7f3a"),
                 "家长代表": ("parent", "55501", "parent-salt-19c2")}
    witness_keys = {name: _public_key(_sunshine("keys", "init", "--name", f"{tag}-demo", "--key-file",
                                                str(base / f"{tag}.key")))
                    for name, (tag, _, _) in witnesses.items()}
    _sunshine("ceremony", "init", run, "--kind", "lottery", "--schools", str(lottery / "schools.csv"),
              "--applicants", str(lottery / "applicants.csv"), "--round2", *at("2023-09-15T08:00:00Z"))
    _sunshine("ceremony", "freeze", run, *at("2023-09-15T08:10:00Z"))
    declared = [a for name, k in witness_keys.items() for a in ("--witness", f"{name}={k}")]
    _sunshine("ceremony", "declare", run, *declared,
              "--reveal-deadline", "2023-09-15T10:00:00Z", "--public-source", "drand:quicknet:657413",
              "--fallback", "福利彩票 3D 2023-09-15 开奖号码",
              "--fallback-rule", "only if drand quicknet round 657413 is not published by 2023-09-15T12:00:00Z",
              *at("2023-09-15T08:20:00Z"))
    for name, (tag, value, salt) in witnesses.items():
        _sunshine("ceremony", "commit", run, "--witness", name, "--witness-key-file", str(base / f"{tag}.key"),
                  "--value", value, "--salt", salt, *at("2023-09-15T09:00:00Z"))
    for name, (tag, _, _) in witnesses.items():  # both cosign the COMMITTED checkpoint before anyone reveals
        _sunshine("ceremony", "cosign", run, "--witness", name, "--witness-key-file", str(base / f"{tag}.key"),
                  *at("2023-09-15T09:30:00Z"))
    for name, (tag, value, salt) in witnesses.items():
        _sunshine("ceremony", "reveal", run, "--witness", name, "--witness-key-file", str(base / f"{tag}.key"),
                  "--value", value, "--salt", salt, *at("2023-09-15T10:00:00Z"))
    seed_line = _sunshine("ceremony", "seed", run, "--beacon", str(beacon), *at("2023-09-15T11:00:10Z"))
    _sunshine("ceremony", "execute", run, *at("2023-09-15T11:01:00Z"))
    _sunshine("ceremony", "publish", run, "--out", result, *at("2023-09-15T11:02:00Z"))
    pins = ["--key", public_key, *(a for k in witness_keys.values() for a in ("--witness-key", k))]
    verified = _sunshine("verify", str(Path(result) / "bundle.zip"), *pins)
    receipt = _sunshine("receipt", result, "202600010")
    (base / "receipt-202600010.json").write_text(receipt, encoding="utf-8")
    _sunshine("verify-receipt", str(base / "receipt-202600010.json"), "--key", public_key)
    print(f"   {seed_line.splitlines()[0]}")
    verdict = next(line for line in verified.splitlines() if "VERIFIED" in line)
    print(f"   verify with the operator and both witness keys pinned: {verdict[:100]}…")
    print(f"   receipt for 202600010 verified: {base / 'receipt-202600010.json'}")
    print(f"   results and bundle in {result}/\n")


def run_service_demo(base: Path) -> None:
    """One placement day per kind through the HTTP service (temporary server, embedded SQLite under
    ``base``), then the lottery's served bundle verified with the service and witness keys pinned, and
    a 复核 of it (the samples' corrections) that inherits its seed, verified too."""
    import httpx

    from api.http.demo_day import DEMO_WITNESSES, load_demo
    from api.http.server import Settings, prepare_data, running_server
    from api.placement_day import SAMPLES, review_day
    from audit.signing import Signer

    if base.exists():
        if not (base / DEMO_MARKER).is_file():
            raise SystemExit(f"{base} exists and was not made by the demo; refusing to replace it")
        shutil.rmtree(base)
    base.mkdir(parents=True)
    (base / DEMO_MARKER).write_text("made by `make demo`; replaced on the next run\n", encoding="utf-8")
    print("== service: placement day over HTTP (派位日服务，临时服务器 + SQLite)")
    data = base / "sunshine-data"
    settings = Settings(str(data), prepare_data(data, None)[0], None, 0)
    for line in load_demo(settings):
        print(f"   {line}")
    with running_server(settings) as url:
        runs = httpx.get(f"{url}/api/v1/runs").json()
        lottery = next(r["run_id"] for r in runs if r["kind"] == "lottery")
        (base / "lottery-bundle.zip").write_bytes(httpx.get(f"{url}/api/v1/runs/{lottery}/bundle.zip").content)
        key = httpx.get(f"{url}/api/v1/keys").json()["log_key"]
        answer = httpx.get(f"{url}/api/v1/runs/{lottery}/applicants/202600010").json()
        token = (data / "demo-keys" / "operator-demo.token").read_text(encoding="utf-8").strip()
        fixes = SAMPLES / "lottery" / "corrections.csv"
        review = review_day(url, token, lottery, "第二轮资格复核及 3 日确认期放弃（演示）",
                            (fixes.name, fixes.read_bytes()))
        (base / "lottery-review-bundle.zip").write_bytes(
            httpx.get(f"{url}/api/v1/runs/{review}/bundle.zip").content)
    pins = ["--key", key]
    for name, _, _ in DEMO_WITNESSES:
        signer = Signer.from_skey((data / "demo-keys" / f"{name}.key").read_text())
        pins += ["--witness-key", signer.verifier.vkey]
    verified = _sunshine("verify", str(base / "lottery-bundle.zip"), *pins)
    print(f"   lookup 202600010: {answer['explanation_zh']}")
    print(f"   {next(line for line in verified.splitlines() if line.startswith('VERIFIED'))[:110]}…")
    reviewed = _sunshine("verify", str(base / "lottery-review-bundle.zip"), "--key", key)
    seed_line = next(line for line in reviewed.splitlines() if " seed: " in line).split(" seed: ", 1)[1]
    print(f"   复核 run {review}: seed {seed_line[:110]}…")
    print(f"   {next(line for line in reviewed.splitlines() if line.startswith('VERIFIED'))[:110]}…")
    print(f"   served bundle in {base / 'lottery-bundle.zip'} (复核: lottery-review-bundle.zip); "
          "start the service yourself: make serve\n")


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
