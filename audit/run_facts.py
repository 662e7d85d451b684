"""What a run is, as its own log records it: the facts the title rows of its lists show.

A clerk or a parent who opens ``results_by_school.xlsx`` must see which run the list is from:
its kind, its run id, when it ran, whether it is a practice run and where its seed came from.
Those facts are not a function of (config, roster, seed) alone, yet the lists are public result
files that verify and replay recompute byte for byte. So they are taken only from what the
signed log holds — the ``run.execute`` entry's time, the manifest's run id and practice mark,
the seed record — and :func:`facts_from_log` recomputes them from a bundle exactly as the run
had them (``RunFacts`` is passed to the engine's ``execute``). No clock is read: a practice run,
whose entries carry no time, says that it records none.

Pure, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from audit.log import AuditLog
from engine.randomness import unit_key

__all__ = ["RunFacts", "execute_time", "facts_from_log", "frozen_groups", "seed_source"]


@dataclass(frozen=True)
class RunFacts:
    """A run's identity for people: kind, run id, practice mark, execute time (log UTC), seed source."""

    kind: str
    run_id: str
    practice: bool
    time: str | None  # the run.execute entry's time, YYYY-MM-DDTHH:MM:SSZ (None: practice runs carry none)
    seed_source: str  # in Chinese, for people (seed.json has the machine record)
    # multiples groups that lost a member to a withdrawal → their members in the FROZEN roster: the
    # unit keeps the lottery key of that membership (docs/lottery.md §3); from the committed roster
    frozen_groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def frozen_groups(records: Iterable[Mapping[str, Any]], withdrawn: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each multiples group with a withdrawn member → the unit key of all its frozen members.

    ``records`` is the frozen (committed) roster, withdrawn applicants included. Pure data for
    the engine: withdrawing one twin before the draw leaves the other twin the pair's number.
    """
    gone = set(withdrawn)
    if not gone:
        return {}
    members: dict[str, list[str]] = {}
    hit: set[str] = set()
    for r in records:
        g = r.get("group")
        if g:
            members.setdefault(str(g), []).append(str(r["id"]))
            if str(r["id"]) in gone:
                hit.add(str(g))
    return {g: tuple(unit_key(members[g])) for g in sorted(hit)}


def seed_source(record: Mapping[str, Any] | None) -> str:
    """Where the seed came from, in Chinese, from the logged seed record."""
    if not record or record.get("mode") == "practice":
        return "练习种子（操作员手动输入，不是公开仪式产生）"
    inputs = record.get("inputs") or {}
    witnesses = [str(c.get("witness")) for c in inputs.get("contributions") or []]
    pv = inputs.get("public_value") or {}
    if pv.get("source") == "drand":
        public = f"drand 公开随机数第 {pv.get('round')} 轮"
    elif pv.get("source") == "fallback":
        public = f"声明的备用公开来源「{pv.get('description')}」"
    else:
        public = "公开值"
    return f"公开仪式：见证人 {'、'.join(witnesses) if witnesses else '无'} 揭示的承诺值 + {public}"


def facts_from_log(kind: str, run_id: str, practice: bool, seed_record: Mapping[str, Any] | None,
                   time: str | None) -> RunFacts:
    """The facts of a run whose seed record and ``run.execute`` time (None in practice) are given."""
    return RunFacts(kind=kind, run_id=run_id, practice=practice, time=None if practice else time,
                    seed_source=seed_source(seed_record))


def execute_time(log: AuditLog) -> str | None:
    """The time of the log's ``run.execute`` entry (None when it has none or carries no time)."""
    for entry in reversed(log.entries):
        if entry.action == "run.execute":
            return entry.time
    return None
