"""The placement-day service under a results-hour burst, SQLite and PostgreSQL side by side.

For each database: a real ``sunshine serve`` (one uvicorn worker, lookup rate limit off, as
behind a proxy that limits) holds a published 100,000-applicant zone lottery, run through the
whole placement day over HTTP; then ``wrk`` (Debian's, a separate process) asks for random
applicants' lookups over loopback with 50 connections for a fixed time and reports
requests/s, p50/p99 and errors. Also: uploading, validating and executing a 200,000-applicant
lottery through the API, against ``sunshine lottery`` (CLI) on the same files.

    .venv/bin/python benchmarks/service.py [--seconds 15] [--connections 50] [--backends sqlite postgresql]
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "api" / "http"), str(ROOT / "tests" / "api" / "store")]

from pg_server import PostgresServer, find_pg_bin  # noqa: E402
from service_process import ServiceProcess  # noqa: E402

from api.placement_day import api_client, placement_day  # noqa: E402
from benchmarks.e2e import lottery_inputs  # noqa: E402

_LUA = """
local ids = {}
for line in io.lines("%s") do ids[#ids + 1] = line end
math.randomseed(7)
request = function()
  return wrk.format("GET", "/api/v1/runs/%s/applicants/" .. ids[math.random(#ids)])
end
"""


def _wrk(url: str, run_id: str, ids: Path, seconds: int, connections: int, work: Path) -> dict[str, Any]:
    script = work / "lookup.lua"
    script.write_text(_LUA % (ids, run_id), encoding="utf-8")
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
                         capture_output=True, text=True, check=True).stdout
    def latency(p: str) -> str:
        m = re.search(rf"^\s+{p}%\s+(\S+)", out, re.M)
        return m.group(1) if m else "?"
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": latency("50"), "p99": latency("99"), "non_2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else "none"}


def _day(proc: ServiceProcess, token: str, witness: Any, schools: Path, applicants: Path) -> tuple[str, float]:
    t = time.perf_counter()
    run_id = placement_day(proc.url, token, [witness], "lottery", "benchmark", {
        "schools": (schools.name, schools.read_bytes()), "applicants": (applicants.name, applicants.read_bytes())},
        {}, seal=False)
    return run_id, time.perf_counter() - t


def _upload_and_execute(proc: ServiceProcess, token: str, schools: Path, applicants: Path) -> float:
    """Create, upload (validated), freeze, and the rest of the day: the API path's wall time for 200k."""
    t = time.perf_counter()
    with api_client(proc.url, token, timeout=600) as c:
        run = c.post("/runs", json={"kind": "lottery", "title": "200k"}).json()["run_id"]
        for key, p in (("schools", schools), ("applicants", applicants)):
            c.put(f"/runs/{run}/inputs/{key}", files={"file": (p.name, p.read_bytes())}).raise_for_status()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--backends", nargs="*", default=["sqlite", "postgresql"])
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    work = Path(tempfile.mkdtemp(prefix="sunshine-service-bench-"))
    schools, applicants = lottery_inputs(Path("/tmp/sunshine-e2e"), "lottery-100k")
    ids = work / "ids.txt"
    with applicants.open(encoding="utf-8") as f:
        ids.write_text("\n".join(row[0] for row in list(csv.reader(f))[1:]) + "\n", encoding="utf-8")
    big_schools, big_applicants = lottery_inputs(Path("/tmp/sunshine-e2e"), "lottery-200k")
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "api.cli", "lottery", "--schools", str(big_schools), "--applicants",
                    str(big_applicants), "--seed", "5eed" * 16, "--out", str(work / "cli-200k")], check=True,
                   capture_output=True)
    cli_200k = time.perf_counter() - t
    pg = PostgresServer.start(find_pg_bin()) if "postgresql" in args.backends and find_pg_bin() else None
    rows = []
    try:
        for backend in args.backends:
            if backend == "postgresql" and pg is None:
                continue
            data = work / backend / "data"
            data.parent.mkdir(parents=True)
            proc = ServiceProcess(data, pg.create_database() if backend == "postgresql" and pg else None).start()
            try:
                token = proc.add_user("bench", "operator")
                witness = proc.witness("公证处", "1", "s")
                run_id, day_s = _day(proc, token, witness, schools, applicants)
                t = time.perf_counter()
                api_client(proc.url).get(f"/runs/{run_id}/applicants/{ids.read_text().split()[0]}").raise_for_status()
                index_s = time.perf_counter() - t
                load = _wrk(proc.url, run_id, ids, args.seconds, args.connections, work)
                upload_200k = _upload_and_execute(proc, token, big_schools, big_applicants)
                rows.append({"backend": backend, "day_100k_s": day_s, "first_lookup_s": index_s,
                             "upload_validate_200k_s": upload_200k, **load})
            finally:
                proc.stop()
    finally:
        if pg is not None:
            pg.stop()
    print(f"public lookup, published 100,000-applicant lottery; wrk -t2 -c{args.connections} -d{args.seconds}s; "
          f"1 uvicorn worker; 2-core machine")
    print("| database | day over HTTP (100k) | first lookup (verify + index) | lookups/s | p50 | p99 | non-2xx | "
          "socket errors | upload+validate 200k (API) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['backend']} | {r['day_100k_s']:.1f} s | {r['first_lookup_s']:.2f} s | {r['rps']:.0f} | {r['p50']} "
              f"| {r['p99']} | {r['non_2xx']} | {r['socket_errors']} | {r['upload_validate_200k_s']:.1f} s |")
    print(f"CLI `sunshine lottery` 200k (read, validate, draw, place, bundle, write): {cli_200k:.1f} s")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
