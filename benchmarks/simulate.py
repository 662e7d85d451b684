"""Simulation benchmark (issue 16): Monte Carlo over lottery seeds, in-process (1 or 2 threads) vs 2 Dask workers.

    .venv/bin/python benchmarks/simulate.py                         # zone 10,000 draws, city 1,000 draws
    .venv/bin/python benchmarks/simulate.py --zone-draws 2000 --city-draws 200 --backends in-process-2

Backends: ``in-process`` (one thread), ``in-process-2`` (two threads, what ``sunshine simulate``
uses on a 2-core machine by default), ``dask-2`` (a 2-worker ``LocalCluster``).

Instances are the lottery benchmark's (benchmarks/lottery.py ``build``: Zipf-like lists,
three tiers, 5 % siblings, 2 % twins, seats ≈ 95 % of applicants). Each (instance,
backend) runs in its own subprocess so ``ru_maxrss`` is that run's peak; for Dask the
peak of each worker process is reported too (``client.run``). Figures: wall time of
the draws (cluster start-up reported apart), draws/s, time to render the output files,
the widest 95 % interval half-width over every probability row, and a digest of the
output bytes (equal across backends, checked, not assumed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from lottery import SIZES, build  # the lottery benchmark's instances

SEED = bytes.fromhex("51" * 32)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _all_cpu_s(client: object | None) -> float:
    """CPU seconds of this process plus, on Dask, of every worker process (the machine is shared:
    CPU time says what the work costs, wall time what the others left us)."""
    own = _cpu_s()
    if client is None:
        return own
    return own + sum(client.run(_cpu_s).values())  # type: ignore[attr-defined]


def run(name: str, draws: int, backend_name: str) -> dict[str, object]:
    from api.distributed import compute_backend
    from api.simulate import max_half_width, render_outputs, simulate_market

    n, s, k = SIZES[name]
    market = build(n, s, k)
    workers = 2 if backend_name == "dask-2" else None
    threads = 2 if backend_name == "in-process-2" else None
    t0 = time.perf_counter()
    with compute_backend(workers=workers, threads=threads) as backend:
        started = time.perf_counter() - t0
        client = getattr(backend, "client", None)
        c1 = _all_cpu_s(client)
        t1 = time.perf_counter()
        sim = simulate_market(market, ("",) * market.n_schools, "da", False, SEED, draws, backend)
        wall = time.perf_counter() - t1
        cpu = _all_cpu_s(client) - c1
        worker_mb: list[float] = []
        if client is not None:
            worker_mb = sorted(v / 1024 for v in client.run(
                lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss).values())
    t2 = time.perf_counter()
    files = render_outputs(sim)
    render = time.perf_counter() - t2
    digest = hashlib.sha256(b"".join(files[f] for f in sorted(files))).hexdigest()[:16]
    return {"name": name, "shape": f"{n}×{s}×{k}", "backend": backend_name, "draws": draws,
            "startup_s": round(started, 2), "wall_s": round(wall, 2), "draws_per_s": round(draws / wall, 1),
            "cpu_s": round(cpu, 1), "cpu_ms_per_draw": round(1000 * cpu / draws, 1),
            "render_s": round(render, 2), "peak_mb": round(_peak_mb()), "worker_peak_mb": [round(x) for x in worker_mb],
            "half_width_pp": round(100 * max_half_width(sim), 3), "mean_unplaced": float(sim.tally.unplaced.mean()),
            "digest": digest}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zone-draws", type=int, default=10_000)
    parser.add_argument("--city-draws", type=int, default=1_000)
    parser.add_argument("--backends", nargs="*", default=["in-process", "in-process-2", "dask-2"])
    parser.add_argument("--instances", nargs="*", default=["zone", "city"])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run(args.child[0], int(args.child[1]), args.child[2])))
        return
    load_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    rows = []
    for name, draws in (("zone", args.zone_draws), ("city", args.city_draws)):
        if draws <= 0 or name not in args.instances:
            continue
        for backend in args.backends:
            out = subprocess.run([sys.executable, __file__, "--child", name, str(draws), backend], check=True,
                                 capture_output=True, text=True)
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(f"... {name} {backend}: {rows[-1]}", file=sys.stderr, flush=True)
    print(f"load average (1, 5, 15 min) at the start: {load_start}; at the end: "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("| instance | backend | draws | start-up s | draws wall s | draws/s | CPU s (ms/draw) | render s "
          "| peak MB (client; workers) | widest 95% half-width | output digest |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        workers = "; " + ", ".join(map(str, r["worker_peak_mb"])) if r["worker_peak_mb"] else ""  # type: ignore[arg-type]
        print(f"| {r['name']} {r['shape']} | {r['backend']} | {r['draws']} | {r['startup_s']} | {r['wall_s']} | "
              f"{r['draws_per_s']} | {r.get('cpu_s', '-')} ({r.get('cpu_ms_per_draw', '-')}) | {r['render_s']} | "
              f"{r['peak_mb']}{workers} | {r['half_width_pp']} pp | "
              f"`{r['digest']}` |")
    digests = {(r["name"], r["digest"]) for r in rows}
    if len(digests) != len({r["name"] for r in rows}):
        raise SystemExit("outputs differ between backends")


if __name__ == "__main__":
    main()
