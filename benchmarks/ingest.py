"""Input-reading benchmark: ``sunshine lottery`` / ``sunshine points`` reading + validating, per stage.

    .venv/bin/python benchmarks/ingest.py write --out /tmp/ingest          # the CSVs (deterministic)
    .venv/bin/python benchmarks/ingest.py lottery --dir /tmp/ingest --size city
    .venv/bin/python benchmarks/ingest.py points --dir /tmp/ingest
    .venv/bin/python benchmarks/ingest.py all --dir /tmp/ingest [--before]   # all three, one process each

The lottery instances are the ones of ``benchmarks/lottery.py`` (same generator, same
salt) written as the CSVs a bureau would have: ``报名号,志愿,类别,优先,多胞胎组,二轮志愿``
with ``;``-separated choices, sibling priority ``S0003:0`` and twin groups. The points
applicants are ``samples/points/applicants.csv`` replicated with fresh ids. Stages:
``read`` = :func:`api.tables.read_columns` (bytes → stripped text columns), ``validate`` =
the rest of ``prepare_*`` (located checks and roster records); ``prepare`` is both, as the
CLI runs it. Each measurement runs in its own process so the peak RSS is that run's.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import rfc8785

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.inputs import InputFile
from api.runs.kind import PreparedRun

SIZES = {"city": (200_000, 500, 10), "stress": (1_000_000, 1_000, 10)}
ROOT = Path(__file__).resolve().parents[1]


def write_lottery(out: Path, name: str) -> None:
    from benchmarks.lottery import _generate

    n, n_schools, k = SIZES[name]
    w = 1.0 / np.arange(1, n_schools + 1) ** 0.8
    cdf = np.cumsum(w / w.sum())
    prefs, tier, sibling, twin = _generate(n, n_schools, k, cdf, 12345 + n)
    noise = (np.arange(n_schools) * 2654435761 % 1000) / 1000.0
    cap = np.maximum(1, np.round(0.95 * n / n_schools * (0.5 + noise))).astype(np.int64)
    sids = [f"S{s:04d}" for s in range(n_schools)]
    with (out / f"schools_{name}.csv").open("w", encoding="utf-8", newline="") as f:
        w_ = csv.writer(f, lineterminator="\n")
        w_.writerow(["学校代码", "学校名称", "招生计划"])
        w_.writerows([s, f"第{i + 1}小学", int(c)] for i, (s, c) in enumerate(zip(sids, cap, strict=True)))
    prefs = prefs.reshape(n, k)[:, :min(k, n_schools)].tolist()
    tiers, sib, tw = tier.tolist(), sibling.tolist(), twin.tolist()
    buf = io.StringIO()
    w_ = csv.writer(buf, lineterminator="\n")
    w_.writerow(["报名号", "志愿", "类别", "优先", "多胞胎组", "二轮志愿"])
    group = ""
    for i in range(n):
        if tw[i]:
            group = f"G{i:07d}"
        elif i == 0 or not tw[i - 1]:
            group = ""
        p = prefs[i]
        w_.writerow([f"A{i:07d}", ";".join(sids[s] for s in p), tiers[i],
                     f"{sids[p[0]]}:0" if sib[i] and not group else "", group, ""])
    (out / f"applicants_{name}.csv").write_text(buf.getvalue(), encoding="utf-8")


def write_points(out: Path, n: int = 200_000) -> None:
    text = (ROOT / "samples/points/applicants.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    buf = io.StringIO()
    w_ = csv.writer(buf, lineterminator="\n")
    w_.writerow(header)
    for i in range(n):
        row = list(body[i % len(body)])
        row[0] = f"FS{i:08d}"
        w_.writerow(row)
    (out / "points_applicants.csv").write_text(buf.getvalue(), encoding="utf-8")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reader(before: bool) -> tuple[Callable[..., object], float]:
    """The read stage (``read_table`` for the code before the column-wise ingest) and its first-call cost.

    The first call loads the compiled tokenizer from numba's cache (once per process); it is
    timed on a two-line file and reported apart from the read itself.
    """
    from api.inputs import InputFile
    from api.tables import Column, read_table

    read: Callable[..., object] = read_table
    if not before:
        from api.tables import read_columns
        read = read_columns
    t0 = time.perf_counter()
    read(InputFile("warm.csv", b"id\nA1\n"), [Column("id", ())])
    return read, time.perf_counter() - t0


def _digest(run: PreparedRun) -> str:
    """SHA-256 over the canonical JSON of the roster and config: equal digests = byte-identical records."""
    h = hashlib.sha256()
    for record in run.roster:
        h.update(rfc8785.dumps(record))
    h.update(rfc8785.dumps(run.config))
    return h.hexdigest()[:16]


def _report(what: str, read: Callable[..., object], load: float, applicants: InputFile, columns: object,
            prepare: Callable[[], PreparedRun]) -> None:
    t0 = time.perf_counter()
    read(applicants, columns)
    t1 = time.perf_counter()
    run = prepare()
    t2 = time.perf_counter()
    print(f"{what}: first-call load {load:.2f} s; read {t1 - t0:.2f} s; prepare (read+validate) {t2 - t1:.2f} s; "
          f"validate ≈ {t2 - t1 - (t1 - t0):.2f} s; {len(run.roster):,} records; peak {_rss_mb():.0f} MiB; "
          f"digest {_digest(run)}")


def bench_lottery(d: Path, name: str, before: bool) -> None:
    from api.runs.lottery import APPLICANT_TABLE, prepare_lottery

    read, load = _reader(before)
    schools = InputFile("schools.csv", (d / f"schools_{name}.csv").read_bytes())
    applicants = InputFile("applicants.csv", (d / f"applicants_{name}.csv").read_bytes())
    _report(f"lottery {name} {SIZES[name]}", read, load, applicants, APPLICANT_TABLE,
            lambda: prepare_lottery(schools, applicants))


def bench_points(d: Path, before: bool) -> None:
    from api.runs.points import _applicant_columns, _read_rules, prepare_points

    read, load = _reader(before)
    rules = InputFile("rules.toml", (ROOT / "samples/points/rules.toml").read_bytes())
    schools = InputFile("schools.csv", (ROOT / "samples/points/schools.csv").read_bytes())
    applicants = InputFile("applicants.csv", (d / "points_applicants.csv").read_bytes())
    _report("points 200,000 x 10", read, load, applicants, _applicant_columns(_read_rules(rules)[0]),
            lambda: prepare_points(rules, applicants, schools))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["write", "lottery", "points", "all"])
    parser.add_argument("--out", "--dir", dest="dir", type=Path, default=Path("/tmp/ingest"))
    parser.add_argument("--size", choices=list(SIZES), default="city")
    parser.add_argument("--before", action="store_true", help="time read_table (the code before column-wise ingest)")
    args = parser.parse_args()
    if args.what == "write":
        args.dir.mkdir(parents=True, exist_ok=True)
        for name in SIZES:
            write_lottery(args.dir, name)
        write_points(args.dir)
    elif args.what == "lottery":
        bench_lottery(args.dir, args.size, args.before)
    elif args.what == "points":
        bench_points(args.dir, args.before)
    else:
        for extra in (["lottery", "--size", "city"], ["lottery", "--size", "stress"], ["points"]):
            flags = ["--before"] if args.before else []
            subprocess.run([sys.executable, __file__, *extra, *flags, "--dir", str(args.dir)], check=True)


if __name__ == "__main__":
    main()
