"""The fake run kinds behind the RunKind seam, shared by the audit and store tests (and their child processes).

Importing this module registers them (``fake``, ``cheat``, ``short``, ``latin1``, ``chart``); it is a
plain helper module, not a test module, so a child process started by a crash test can import it too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from api.outputs import csv_bytes
from api.runs import RUN_KINDS, PreparedRun, RunSummary, register
from api.runs.kind import InputSpec, OptionSpec
from audit.run_facts import RunFacts
from audit.signing import Signer
from engine.randomness import format_lottery_number, lottery_numbers

__all__ = ["BEACON", "DEADLINE", "T0", "T_DECLARE", "T_INIT", "WITNESSES", "ChartKind", "FakeKind", "make_fake_run"]

T_INIT = "2023-09-15T08:00:00Z"
T0 = "2023-09-15T09:30:00Z"
# A real, published quicknet beacon (tests/vectors/beacon), so the ceremony runs offline;
# the run's times are before that round was due (2023-09-15T11:00:03Z).
BEACON = next(p for p in json.loads((Path(__file__).parents[1] / "vectors" / "beacon" / "known_answers.json")
                                    .read_text())["positives"] if p["desc"] == "quicknet-round-657413")
T_DECLARE = "2023-09-15T09:00:00Z"
DEADLINE = "2023-09-15T10:00:00Z"
WITNESSES = {"alice": Signer("alice-notary", bytes([1]) * 32), "bob": Signer("bob-parent", bytes([2]) * 32)}



class FakeKind:
    """Rank applicants by lottery number; the first ``seats`` get a seat."""

    name = "fake"
    inputs: tuple[InputSpec, ...] = ()
    options: tuple[OptionSpec, ...] = ()

    def prepare(self, inputs: Mapping[str, Any], options: Mapping[str, Any]) -> PreparedRun:
        return make_fake_run(kind=self.name)

    def execute(self, config: Mapping[str, Any], roster: list[dict[str, Any]], seed: bytes,
                facts: RunFacts | None = None) -> dict[str, bytes]:
        nums = lottery_numbers(seed, self.name, [[r["id"]] for r in roster])
        order = sorted(zip(nums, [r["id"] for r in roster], strict=True))
        rows = [(aid, format_lottery_number(n), i + 1, "yes" if i < config["seats"] else "no")
                for i, (n, aid) in enumerate(order)]
        return {
            "results.csv": csv_bytes(("applicant_id", "lottery_number", "rank", "seat"), rows),
            "summary.json": json.dumps({"placed": min(config["seats"], len(rows))}).encode(),
        }

    def render_private(self, run: PreparedRun, public_files: Mapping[str, bytes], seed: bytes,
                       facts: RunFacts | None = None) -> dict[str, bytes]:
        names = [(r["id"], run.private.get(r["id"], {}).get("name", "")) for r in run.roster]
        return {"private/names.csv": csv_bytes(("applicant_id", "name"), names)}

    def summarize(self, public_files: Mapping[str, bytes]) -> RunSummary:
        return RunSummary(self.name, "测试", "fake run", ())


class _EditedResultsKind(FakeKind):
    """The fake kind, publishing its ``results.csv`` passed through :meth:`edit` (as no real engine would)."""

    def edit(self, results_csv: bytes) -> bytes:
        raise NotImplementedError

    def execute(self, config: Mapping[str, Any], roster: list[dict[str, Any]], seed: bytes,
                facts: RunFacts | None = None) -> dict[str, bytes]:
        files = super().execute(config, roster, seed, facts)
        files["results.csv"] = self.edit(files["results.csv"])
        return files


class CheatKind(_EditedResultsKind):
    """Publishes a wrong lottery number for the first row (to exercise the lottery-numbers step)."""

    name = "cheat"

    def edit(self, results_csv: bytes) -> bytes:
        lines = results_csv.split(b"\n")
        lines[1] = b",".join([lines[1].split(b",")[0], b"0000000000000000", *lines[1].split(b",")[2:]])
        return b"\n".join(lines)


class ShortRowKind(_EditedResultsKind):
    """Publishes a results row cut short after the applicant id (step 8 must name it, not crash)."""

    name = "short"

    def edit(self, results_csv: bytes) -> bytes:
        lines = results_csv.split(b"\n")
        lines[3] = lines[3].split(b",")[0]
        return b"\n".join(lines)


class Latin1Kind(_EditedResultsKind):
    """Publishes its results CSV in Latin-1 (not UTF-8): step 8 must name the file, not crash."""

    name = "latin1"

    def edit(self, results_csv: bytes) -> bytes:
        return results_csv.replace(b"yes", "jà".encode("latin-1"))


class ChartKind(FakeKind):
    """Adds a rendering, ``chart.png``, whose bytes differ on every call (another matplotlib, say)."""

    name = "chart"
    calls = 0

    def execute(self, config: Mapping[str, Any], roster: list[dict[str, Any]], seed: bytes,
                facts: RunFacts | None = None) -> dict[str, bytes]:
        files = super().execute(config, roster, seed, facts)
        ChartKind.calls += 1
        files["chart.png"] = b"\x89PNG\r\n\x1a\n" + ChartKind.calls.to_bytes(4, "big")
        return files


if "fake" not in RUN_KINDS:
    for _kind in (FakeKind(), CheatKind(), ShortRowKind(), Latin1Kind(), ChartKind()):
        register(_kind)


def make_fake_run(n: int = 12, kind: str = "fake") -> PreparedRun:
    roster: list[dict[str, Any]] = [{"id": f"A{i:04d}", "zone": f"Z{i % 3}"} for i in range(n)]
    private = {r["id"]: {"name": f"学生{i}", "id_number": f"11010120200101{i:04d}"} for i, r in enumerate(roster)}
    return PreparedRun(kind=kind, config={"seats": 5, "rules": "fake-v1"}, roster=roster, private=private)
