"""Latency of one public what-if (issue 16): ``api.simulate.what_if`` and ``POST /runs/{id}/what-if``.

    .venv/bin/python benchmarks/what_if.py                  # 1,000 draws: sample zone and a 10,000-applicant market
    .venv/bin/python benchmarks/what_if.py --draws 200 --repeat 2

Markets: the sample zone (samples/lottery, 301 applicants, 6 schools, round 2 on) and
``benchmarks/lottery.py``'s ``hr-10k`` instance (10,000 × 30 × 5, siblings and twins) turned back
into roster records. Per market: building the roster's market (what the service caches per
run), one what-if that builds it (cold, as ``sunshine simulate --what-if-preferences`` does)
and the median of ``--repeat`` what-ifs on the cached market (as the service answers), with the
CPU seconds each took (the machine is shared: CPU says what the work costs). For the
sample zone also end to end over HTTP: a real server on 127.0.0.1 (SQLite), a frozen run, the
first POST (reads the run and builds the base) and the median of the next ones. Numba kernels
are compiled (and cached) by a warm-up call first, so the figures are steady-state ones.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.inputs import read_input_file
from api.simulate import market_of, prepare_simulation, what_if
from engine.lottery import Market

SEED = bytes.fromhex("5e" * 32)
SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "lottery"


def _seconds(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def records_of(market: Market) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A config and roster whose market is ``market``'s in substance (the lists, tiers, twins, siblings)."""
    config = {"mechanism": "da", "round2": False,
              "schools": [{"id": s, "name": "", "capacity": int(c)} for s, c in zip(market.school_ids,
                                                                                   market.capacity.tolist(),
                                                                                   strict=True)]}
    roster: list[dict[str, Any]] = []
    for u in range(market.n_units):
        lo, hi = int(market.ptr[u]), int(market.ptr[u + 1])
        prefs = [market.school_ids[s] for s in market.school[lo:hi].tolist()]
        members = market.member_idx[market.member_ptr[u]:market.member_ptr[u + 1]].tolist()
        for i in members:
            tier = int(market.applicant_tier[i])
            priority = {p: int(t) for p, t in zip(prefs, market.tier[lo:hi].tolist(), strict=True) if t < tier}
            roster.append({"id": market.applicant_ids[i], "preferences": prefs, "tier": tier, "priority": priority,
                           "group": f"G{u}" if len(members) > 1 else "", "round2": []})
    roster.sort(key=lambda r: str(r["id"]))
    return config, roster


def library(name: str, config: dict[str, Any], roster: list[dict[str, Any]], family: dict[str, Any],
            draws: int, repeat: int) -> dict[str, Any]:
    build = _seconds(lambda: market_of(config, roster))
    market = market_of(config, roster)
    cold = _seconds(lambda: what_if(config, roster, family, draws, SEED))
    cpu0 = time.process_time()
    warm = [_seconds(lambda: what_if(config, roster, family, draws, SEED, market=market)) for _ in range(repeat)]
    cpu = (time.process_time() - cpu0) / repeat
    return {"market": name, "applicants": len(roster), "draws": draws, "path": "api.simulate.what_if",
            "build_ms": round(1000 * build, 1), "first_s": round(cold, 3),
            "cached_s": round(statistics.median(warm), 3), "cpu_s": round(cpu, 2)}


def http(inputs: dict[str, tuple[str, bytes]], options: dict[str, Any], family: dict[str, Any], draws: int,
         repeat: int) -> dict[str, Any]:
    import httpx

    from api.http.server import Settings, prepare_data, running_server
    from api.placement_day import placement_day
    from api.service.users import add_user
    from api.store.database import Database

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        url, _signer = prepare_data(data, None)
        settings = Settings(str(data), url, fixed_time="2023-09-15T08:00:00Z", lookup_rate=0, what_if_rate=0)
        with running_server(settings) as base:
            db = Database(url)
            token = add_user(db, "教育局", "operator")
            db.close()
            run = placement_day(base, token, [], "lottery", "what-if benchmark", inputs, options, until="freeze")
            body = {**family, "draws": draws}

            def ask() -> None:
                r = httpx.post(f"{base}/api/v1/runs/{run}/what-if", json=body, timeout=600)
                r.raise_for_status()

            first = _seconds(ask)
            rest = [_seconds(ask) for _ in range(repeat)]
    return {"market": "sample zone", "applicants": 301, "draws": draws, "path": "POST /runs/{id}/what-if",
            "build_ms": "-", "first_s": round(first, 3), "cached_s": round(statistics.median(rest), 3), "cpu_s": "-"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--draws", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(1, str(Path(__file__).resolve().parent))
    from lottery import BASELINE_SIZES, build  # the lottery benchmark's instances

    files = {"schools": ("schools.csv", (SAMPLES / "schools.csv").read_bytes()),
             "applicants": ("applicants.csv", (SAMPLES / "applicants.csv").read_bytes())}
    sample = prepare_simulation({k: read_input_file(SAMPLES / name) for k, (name, _) in files.items()}, "da", True)
    family = {"preferences": ["S0001", "S0004"], "tier": 1}
    what_if(sample.config, sample.roster, family, 10, SEED)  # compile and cache the kernels first
    rows = [library("sample zone", dict(sample.config), list(sample.roster), family, args.draws, args.repeat)]
    print(f"... {rows[-1]}", file=sys.stderr, flush=True)
    config, roster = records_of(build(*BASELINE_SIZES["hr-10k"]))
    big_family = {"preferences": [s["id"] for s in config["schools"][:3]], "tier": 1}
    rows.append(library("hr-10k 10000×30×5", config, roster, big_family, args.draws, args.repeat))
    print(f"... {rows[-1]}", file=sys.stderr, flush=True)
    rows.append(http(files, {"round2": True}, family, args.draws, args.repeat))
    print("| market | applicants | draws | path | market build ms | first what-if s | cached what-if s (median) "
          "| CPU s per cached what-if |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['market']} | {r['applicants']} | {r['draws']} | {r['path']} | {r['build_ms']} | "
              f"{r['first_s']} | {r['cached_s']} | {r['cpu_s']} |")


if __name__ == "__main__":
    main()
