"""The placement-day service under a results-hour burst: SQLite and PostgreSQL, 1 and 2 workers, side by side.

For each database a real ``sunshine serve`` (lookup rate limit off, as behind a proxy that
limits) holds a published zone lottery (``--case lottery-100k`` or ``lottery-1m``), run through
the whole placement day over HTTP. The server is then restarted with each worker count on the
same data, and once every worker has its lookup index (``GET /health``), ``wrk`` (Debian's, a
separate process on the same two cores) measures over loopback, for a fixed time each:

* ``lookup``: random applicants' ``GET /api/v1/runs/{id}/applicants/{aid}``;
* ``run view``: ``GET /api/v1/runs/{id}`` (what the public run page loads);
* ``lookup + bundle``: the lookup again while ``--bundle-clients`` other connections download
  ``bundle.zip`` over and over (does the download starve the lookups?);
* ``lookup + uploads``: the lookup again while an operator uploads and validates the
  applicants file into a draft run, over and over (uploads done and failed are counted:
  a writer must never make a reader fail, nor a lock error surface).

Each row: requests/s, p50/p99/p99.9, non-2xx and socket errors, and the server's memory (RSS
of all its processes). Also: uploading and validating a 200,000-applicant lottery through the
API, against ``sunshine lottery`` (CLI) end to end on the same files.

    .venv/bin/python benchmarks/service.py [--case lottery-100k] [--workers 1 2] [--seconds 10]
        [--connections 50] [--bundle-clients 50] [--bundle-timeout 120] [--backends sqlite postgresql] [--skip-200k]
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "api" / "http"), str(ROOT / "tests" / "api" / "store")]

from pg_server import PostgresServer, find_pg_bin  # noqa: E402
from service_process import ServiceProcess  # noqa: E402

from api.placement_day import api_client, day_steps, take_step  # noqa: E402
from benchmarks.e2e import lottery_inputs  # noqa: E402

# wrk prints only p50..p99 itself; done() prints the percentiles this benchmark reports, in µs.
_DONE = """
done = function(summary, latency, requests)
  for _, p in ipairs({50, 99, 99.9}) do
    io.write(string.format("pct %g %d\\n", p, latency:percentile(p)))
  end
end
"""
_LOOKUP = """
local ids = {}
for line in io.lines("IDS") do ids[#ids + 1] = line end
math.randomseed(7)
request = function()
  return wrk.format("GET", "/api/v1/runs/RUN/applicants/" .. ids[math.random(#ids)])
end
""" + _DONE


def _wrk(url: str, script: str, seconds: int, connections: int, work: Path, name: str,
         timeout: int = 10) -> dict[str, Any]:
    path = work / f"{name}.lua"
    path.write_text(script, encoding="utf-8")
    argv = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", f"{timeout}s", "-s", str(path), url]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    pct = {float(p): int(us) / 1000 for p, us in re.findall(r"^pct (\S+) (\d+)$", out, re.M)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    transfer = re.search(r"Transfer/sec:\s+(\S+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": pct[50.0], "p99": pct[99.0], "p999": pct[99.9],
            "transfer": transfer.group(1) if transfer else "?", "non_2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else "none"}


def _rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants (uvicorn's workers are children)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except FileNotFoundError:
            continue
        m = re.search(r"VmRSS:\s+(\d+) kB", status)
        total += int(m.group(1)) if m else 0
        todo += [int(c) for c in children]
    return total / 1024


def _wait_ready(url: str, workers: int, timeout: float = 900) -> float:
    """Seconds until every worker process answered /health with its lookup index built."""
    t, ready = time.perf_counter(), set()
    with httpx.Client(timeout=60) as c:
        while len(ready) < workers:
            if time.perf_counter() - t > timeout:
                raise RuntimeError(f"only {len(ready)} of {workers} workers ready after {timeout} s")
            h = c.get(f"{url}/api/v1/health", headers={"Connection": "close"}).json()
            if h["lookup_indexes"] >= 1:
                ready.add(h["process"])
            else:
                time.sleep(0.2)
    return time.perf_counter() - t


def _upload_loop(url: str, token: str, applicants: Path, counts: dict[str, int], stop: threading.Event) -> None:
    """An operator re-uploading (and so re-validating) the applicants of a draft run until ``stop``."""
    data = applicants.read_bytes()
    with api_client(url, token, timeout=600) as c:
        run = c.post("/runs", json={"kind": "lottery", "title": "草稿 draft"}).json()["run_id"]
        while not stop.is_set():
            answer = c.put(f"/runs/{run}/inputs/applicants", files={"file": (applicants.name, data)})
            counts["done" if answer.status_code == 200 else "failed"] += 1


def _measure(proc: ServiceProcess, run_id: str, ids: Path, token: str, applicants: Path, args: argparse.Namespace,
             work: Path) -> dict[str, Any]:
    lookup = _LOOKUP.replace("IDS", str(ids)).replace("RUN", run_id)
    out: dict[str, Any] = {"lookup": _wrk(proc.url, lookup, args.seconds, args.connections, work, "lookup")}
    out["run view"] = _wrk(proc.url, f'wrk.path = "/api/v1/runs/{run_id}"\n' + _DONE, args.seconds,
                           args.connections, work, "view")
    downloads: dict[str, Any] = {}
    bundle = threading.Thread(target=lambda: downloads.update(_wrk(
        proc.url, f'wrk.path = "/api/v1/runs/{run_id}/bundle.zip"\n' + _DONE, args.seconds + 2,
        args.bundle_clients, work, "bundle", timeout=args.bundle_timeout)))
    bundle.start()
    time.sleep(1)
    out["lookup + bundle"] = _wrk(proc.url, lookup, args.seconds, args.connections, work, "lookup2")
    bundle.join()
    out["bundle (during)"] = downloads
    uploads = {"done": 0, "failed": 0}
    stop = threading.Event()
    uploader = threading.Thread(target=_upload_loop, args=(proc.url, token, applicants, uploads, stop))
    uploader.start()
    out["lookup + uploads"] = _wrk(proc.url, lookup, args.seconds, args.connections, work, "lookup3")
    stop.set()
    uploader.join()
    out["uploads"] = uploads
    assert proc.proc is not None
    out["rss_mb"] = _rss_mb(proc.proc.pid)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", default="lottery-100k", choices=["lottery-100k", "lottery-1m"])
    ap.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--bundle-clients", type=int, default=50)
    ap.add_argument("--bundle-timeout", type=int, default=120,
                    help="seconds a bundle download may take before wrk counts it as a timeout (a parent's browser "
                         "waits; 50 clients share the download slots, so one may queue for several downloads)")
    ap.add_argument("--backends", nargs="*", default=["sqlite", "postgresql"])
    ap.add_argument("--skip-200k", action="store_true", help="leave out the 200k upload and CLI comparison")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    work = Path(tempfile.mkdtemp(prefix="sunshine-service-bench-"))
    schools, applicants = lottery_inputs(Path("/tmp/sunshine-e2e"), args.case)
    ids = work / "ids.txt"
    with applicants.open(encoding="utf-8") as f:
        ids.write_text("\n".join(row[0] for row in list(csv.reader(f))[1:]) + "\n", encoding="utf-8")
    pg = PostgresServer.start(find_pg_bin()) if "postgresql" in args.backends and find_pg_bin() else None
    rows: list[dict[str, Any]] = []
    days: dict[str, float] = {}
    steps: dict[str, list[tuple[str, float]]] = {}
    try:
        for backend in args.backends:
            if backend == "postgresql" and pg is None:
                continue
            data = work / backend / "data"
            data.parent.mkdir(parents=True)
            url = pg.create_database() if backend == "postgresql" and pg else None
            proc = ServiceProcess(data, url).start()
            try:
                token = proc.add_user("bench", "operator")
                witness = proc.witness("公证处", "1", "s")
                t = time.perf_counter()
                run_id = ""
                for step in day_steps(token, [witness], "lottery", "benchmark", {
                        "schools": (schools.name, schools.read_bytes()),
                        "applicants": (applicants.name, applicants.read_bytes())}, {}, seal=False):
                    s = time.perf_counter()
                    run_id = take_step(proc.url, run_id, step, timeout=3600)
                    steps.setdefault(backend, []).append((step.name, time.perf_counter() - s))
                days[backend] = time.perf_counter() - t
            finally:
                proc.stop()
            for workers in args.workers:
                proc = ServiceProcess(data, url, extra=(*ServiceProcess.extra, "--workers", str(workers)))
                proc.start()
                try:
                    ready_s = _wait_ready(proc.url, workers)
                    rows.append({"backend": backend, "workers": workers, "ready_s": ready_s,
                                 **_measure(proc, run_id, ids, token, applicants, args, work)})
                finally:
                    proc.stop()
        upload_200k = cli_200k = None
        if not args.skip_200k:
            upload_200k, cli_200k = _upload_200k(work)
    finally:
        if pg is not None:
            pg.stop()
    _report(args, days, steps, rows, upload_200k, cli_200k)
    shutil.rmtree(work, ignore_errors=True)


def _upload_200k(work: Path) -> tuple[float, float]:
    """Create a run and upload (validating) a 200,000-applicant lottery over HTTP; and the CLI end to end."""
    schools, applicants = lottery_inputs(Path("/tmp/sunshine-e2e"), "lottery-200k")
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "api.cli", "lottery", "--schools", str(schools), "--applicants",
                    str(applicants), "--seed", "5eed" * 16, "--out", str(work / "cli-200k")], check=True,
                   capture_output=True)
    cli = time.perf_counter() - t
    data = work / "upload" / "data"
    data.parent.mkdir(parents=True)
    proc = ServiceProcess(data).start()
    try:
        token = proc.add_user("bench", "operator")
        t = time.perf_counter()
        with api_client(proc.url, token, timeout=600) as c:
            run = c.post("/runs", json={"kind": "lottery", "title": "200k"}).json()["run_id"]
            for key, p in (("schools", schools), ("applicants", applicants)):
                c.put(f"/runs/{run}/inputs/{key}", files={"file": (p.name, p.read_bytes())}).raise_for_status()
        return time.perf_counter() - t, cli
    finally:
        proc.stop()


def _report(args: argparse.Namespace, days: dict[str, float], steps: dict[str, list[tuple[str, float]]],
            rows: list[dict[str, Any]], upload_200k: float | None, cli_200k: float | None) -> None:
    print(f"published {args.case}; wrk -t2 -c{args.connections} -d{args.seconds}s per load; bundle downloads by "
          f"{args.bundle_clients} more connections during 'lookup + bundle'; 2-core machine")
    for backend, s in days.items():
        slow = ", ".join(f"{name} {t:.1f} s" for name, t in steps[backend] if t >= 1)
        print(f"placement day over HTTP ({backend}): {s:.1f} s (steps of 1 s or more: {slow})")
    print("| database | workers | ready (verify + index) | load | req/s | p50 | p99 | p99.9 | non-2xx | "
          "socket errors | server RSS |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        for load in ("lookup", "run view", "lookup + bundle", "bundle (during)", "lookup + uploads"):
            m = r[load]
            extra = f" ({m['transfer']}/s)" if load.startswith("bundle") else ""
            if load == "lookup + uploads":
                extra = f" ({r['uploads']['done']} uploads done, {r['uploads']['failed']} failed)"
            print(f"| {r['backend']} | {r['workers']} | {r['ready_s']:.1f} s | {load}{extra} | {m['rps']:.0f} | "
                  f"{m['p50']:.1f} ms | {m['p99']:.1f} ms | {m['p999']:.1f} ms | {m['non_2xx']} | "
                  f"{m['socket_errors']} | {r['rss_mb']:.0f} MB |")
    if upload_200k is not None and cli_200k is not None:
        print(f"upload + validate 200k over HTTP: {upload_200k:.1f} s; CLI `sunshine lottery` 200k end to end "
              f"(read, validate, draw, place, bundle, write): {cli_200k:.1f} s")


if __name__ == "__main__":
    main()
