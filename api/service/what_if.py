"""The public what-if of a lottery run before its draw: "with this list, what are my chances?"

Families choose their list before placement day and choose badly when they cannot see their
chances (docs/simulate.md). Once a run's roster is frozen the market is known, so anybody may
ask what a hypothetical family (a list of schools, a tier, sibling priorities, twins) would get
against it: :func:`api.simulate.what_if` over a Monte Carlo of lottery seeds.

Which runs (docs/service.md § What-if): a lottery run from ROSTER_FROZEN up to REVEALED. In
DRAFT the roster may still change; from SEEDED on the official seed is known, so the outcome
is fixed (a chance is 0 or 1, and computing it is the draw itself); after publication the
lookup gives the real result. Those are refused with the reason (409).

The simulation seed is :func:`engine.randomness.what_if_seed` of the frozen roster's public
root, the config hash and the withdrawals (docs/randomness.md §9.1): public, so the same
question always gets the same answer and anybody can reproduce it with ``sunshine simulate
--seed``; known before the draw, so it can never be, or foretell, the official seed.

:class:`WhatIfBase` is what one run's questions share (the frozen inputs minus withdrawals, the
market built once, the seed): the HTTP context caches it per run and roster, so a question
only splices the family into the market and runs the draws.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from api.service.ceremony import frozen_inputs
from api.simulate import MAX_MULTIPLES, market_of, max_preferences, what_if
from api.store.base import RunStore
from audit.ceremony import CeremonyState, State
from engine.lottery import Market
from engine.lottery.data import DEFAULT_TIER, MAX_TIER
from engine.randomness import WHAT_IF_SEED_TAG, what_if_seed

__all__ = [
    "DEFAULT_DRAWS",
    "ELIGIBLE_STATES",
    "MAX_WHAT_IF_DRAWS",
    "WhatIfBase",
    "WhatIfClosed",
    "answer",
    "base_key",
    "build_base",
    "check_open",
    "describe",
]

#: Draws of one question unless the body asks otherwise (±3.1 percentage points at worst, 95 %).
DEFAULT_DRAWS = 1_000
#: The most draws one question may ask (±1.0 pp at worst): each call runs them all on the server.
MAX_WHAT_IF_DRAWS = 10_000
#: States in which the roster is frozen and the seed still unknown.
ELIGIBLE_STATES = (State.ROSTER_FROZEN, State.SOURCES_DECLARED, State.COMMITTED, State.REVEALED)
SEED_FORMULA = ('what_if_seed = SHA-256(enc("sunshine/v1/what-if-seed") ‖ enc(public_root) ‖ enc(config_hash) '
                '‖ key(withdrawn, sorted))')

_CLOSED = {
    State.DRAFT: ("名单尚未冻结：报名表还可能变化，冻结后才能模拟",
                  "the roster is not frozen yet: it may still change; ask again after the freeze"),
    State.SEEDED: ("派位种子已生成，结果已经确定，模拟不再有意义；请等待公布后查询",
                   "the official seed is derived, so the outcome is fixed and a simulation means nothing; "
                   "look the result up once it is published"),
    State.EXECUTED: ("派位已经完成，模拟不再有意义；请等待公布后查询",
                     "the draw has run, so a simulation means nothing; look the result up once it is published"),
    State.PUBLISHED: ("结果已经公布，模拟不再有意义；请直接查询录取结果",
                      "the results are published, so a simulation means nothing for this run; look up the result"),
}


class WhatIfClosed(Exception):
    """This run does not answer what-ifs (wrong kind or state); the reason in both languages."""

    def __init__(self, state: State, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.state, self.message_zh, self.message_en = state, message_zh, message_en


def check_open(kind: str, st: CeremonyState) -> None:
    """Raise :class:`WhatIfClosed` unless ``st`` is a lottery run between the freeze and the seed."""
    if kind != "lottery":
        raise WhatIfClosed(st.state, "只有电脑派位（lottery）运行提供录取机会模拟",
                           "only lottery runs answer what-ifs")
    if st.state not in ELIGIBLE_STATES:
        zh, en = _CLOSED[st.state]
        raise WhatIfClosed(st.state, zh, en)


def base_key(run_id: str, st: CeremonyState) -> tuple[str, ...]:
    """What a cached :class:`WhatIfBase` depends on: the run, its frozen roster, config and withdrawals."""
    return (run_id, st.public_root, st.config_hash, *sorted(st.withdrawals))


@dataclass(frozen=True)
class WhatIfBase:
    """What every question about one frozen run shares: its inputs, market and simulation seed."""

    run_id: str
    config: Mapping[str, Any]
    roster: Sequence[Mapping[str, Any]]
    market: Market
    seed: bytes
    public_root: str
    config_hash: str
    withdrawn: tuple[str, ...]

    @property
    def max_preferences(self) -> int:
        return max_preferences(self.market)


def build_base(store: RunStore, st: CeremonyState) -> WhatIfBase:
    """The run's frozen inputs (checked against the log) minus withdrawals, their market and the seed."""
    run = frozen_inputs(store, st)
    gone = set(st.withdrawals)
    roster = [r for r in run.roster if str(r["id"]) not in gone]
    withdrawn = tuple(sorted(gone, key=lambda s: s.encode("utf-8")))
    seed = what_if_seed(st.public_root, st.config_hash, withdrawn)
    return WhatIfBase(run_id=store.info().run_id, config=run.config, roster=roster,
                      market=market_of(run.config, roster), seed=seed,
                      public_root=st.public_root, config_hash=st.config_hash, withdrawn=withdrawn)


def describe(base: WhatIfBase) -> dict[str, Any]:
    """What a form needs to ask a question: the schools, the limits, the settings and the seed."""
    return {
        "schools": [{"id": str(s["id"]), "name": str(s.get("name") or ""), "seats": int(s["capacity"])}
                    for s in sorted(base.config["schools"], key=lambda s: str(s["id"]))],
        "mechanism": str(base.config.get("mechanism", "da")), "round2": bool(base.config.get("round2", False)),
        "max_preferences": base.max_preferences, "tier": {"min": 0, "max": MAX_TIER, "default": DEFAULT_TIER},
        "max_multiples": MAX_MULTIPLES, "draws": {"default": DEFAULT_DRAWS, "max": MAX_WHAT_IF_DRAWS},
        "applicants": len(base.roster), "seed": base.seed.hex(), "seed_derivation": _derivation(base),
    }


def _derivation(base: WhatIfBase) -> dict[str, Any]:
    return {"tag": WHAT_IF_SEED_TAG, "formula": SEED_FORMULA, "spec": "docs/randomness.md §9.1",
            "public_root": base.public_root, "config_hash": base.config_hash, "withdrawn": list(base.withdrawn)}


def _reproduce(base: WhatIfBase, family: Mapping[str, Any], draws: int) -> str:
    """The ``sunshine simulate`` command that gives the same answer from the run's input files."""
    args = ["sunshine", "simulate", "--schools", "<学校表 schools file>",
            "--applicants", "<报名表 applicants file, withdrawn rows removed>",
            "--mechanism", str(base.config.get("mechanism", "da")),
            *(["--round2"] if base.config.get("round2") else []),
            "--draws", str(draws), "--seed", base.seed.hex(), "--out", "<DIR>",
            "--what-if-preferences", ";".join(family["preferences"]), "--what-if-tier", str(family["tier"])]
    if family["priority"]:
        args += ["--what-if-priority", ";".join(f"{s}:{t}" for s, t in family["priority"].items())]
    if family["round2"]:
        args += ["--what-if-round2", ";".join(family["round2"])]
    if family.get("multiples", 1) > 1:
        args += ["--what-if-multiples", str(family["multiples"])]
    return shlex.join(args)


def answer(base: WhatIfBase, family: Mapping[str, Any], draws: int) -> dict[str, Any]:
    """The family's chances against the run (``what_if``'s answer), with the run, the seed's derivation
    and the command that reproduces it. Raises ``ConfigError`` naming the key path of a bad field."""
    result = what_if(base.config, base.roster, family, draws, base.seed, market=base.market)
    return {**result, "run_id": base.run_id, "seed_derivation": _derivation(base),
            "reproduce": _reproduce(base, result["family"], draws)}
