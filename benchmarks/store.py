"""Run-store benchmark: the whole ceremony of the sample lottery, and appends, on each store.

    .venv/bin/python benchmarks/store.py                       # folder and SQLite
    .venv/bin/python benchmarks/store.py --postgres URL        # and an existing PostgreSQL database
    .venv/bin/python benchmarks/store.py --start-postgres      # and a throwaway server (tests' helper)

For each store: wall time of the whole ceremony through ``api.service.ceremony`` (init with
the sample lottery, freeze, declare, one witness, seed, execute, publish), and of ``--notes``
further ``note`` appends (each append re-reads the log in its transaction, so the cost grows
with the log; a ceremony has a few dozen entries). Timings are wall clock of this process;
nothing measured here feeds a result.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.cli.common import prepare_from_paths  # noqa: E402
from api.service import ceremony as svc  # noqa: E402
from api.store.base import NewRun, RunStore  # noqa: E402
from api.store.database import Database, sqlite_url  # noqa: E402
from api.store.directory import DirectoryRunStore  # noqa: E402
from audit.ceremony import witness_commitment  # noqa: E402
from audit.signing import Signer  # noqa: E402

SIGNER = Signer("bench-operator", bytes(range(32)))
STEP = svc.Step(SIGNER, "operator", "2026-06-01T00:00:00Z")


def ceremony(create: Callable[[NewRun], RunStore], notes: int) -> tuple[float, float, int]:
    run = prepare_from_paths("lottery", {"schools": ROOT / "samples/lottery/schools.csv",
                                         "applicants": ROOT / "samples/lottery/applicants.csv"}, {})
    t0 = time.perf_counter()
    store = svc.init_run(create, run, STEP)
    svc.freeze(store, STEP)
    svc.declare(store, STEP, ["w"], "drand", "lotto")
    svc.commit(store, STEP, "w", witness_commitment("v", "s"))
    svc.reveal(store, STEP, "w", "v", "s")
    svc.seed(store, STEP, "ff")
    svc.execute(store, STEP)
    pub = svc.publish(store, STEP)
    t1 = time.perf_counter()
    for i in range(notes):
        svc.append_step(store, STEP, "note", {"text": f"note {i}"})
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, len(pub.bundle_zip)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--notes", type=int, default=100)
    ap.add_argument("--postgres", help="URL of an empty PostgreSQL database")
    ap.add_argument("--start-postgres", action="store_true", help="start a throwaway server (needs initdb)")
    args = ap.parse_args()
    server = None
    tmp = Path(tempfile.mkdtemp(prefix="sunshine-bench-store-"))
    stores: list[tuple[str, Callable[[NewRun], RunStore]]] = [
        ("folder", lambda new: DirectoryRunStore.create(tmp / "run", new)),
        ("sqlite", Database(sqlite_url(tmp / "runs.db")).create_run),
    ]
    if args.start_postgres:
        sys.path.insert(0, str(ROOT / "tests/api/store"))
        from pg_server import PostgresServer, find_pg_bin

        bin_dir = find_pg_bin()
        if bin_dir is None:
            raise SystemExit("no PostgreSQL server binary found")
        server = PostgresServer.start(bin_dir)
        args.postgres = server.create_database()
    if args.postgres:
        stores.append(("postgresql", Database(args.postgres).create_run))
    try:
        print(f"| store | whole ceremony s | {args.notes} note appends s | per append ms | bundle.zip bytes |")
        print("|---|---|---|---|---|")
        for name, create in stores:
            whole, appends, size = ceremony(create, args.notes)
            print(f"| {name} | {whole:.2f} | {appends:.2f} | {1000 * appends / max(args.notes, 1):.1f} | {size} |")
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
