"""Seed ceremony state machine (modelled on RFC 3797) and seed derivation; see ``docs/ceremony.md``.

The state of a run is not stored anywhere: it is *replayed* from the audit log, so the
log alone proves the order in which things happened. :func:`replay` raises
:class:`~audit.errors.CeremonyError` on the first action that is not allowed in the
current state; the ceremony CLI calls it before appending, the verifier after the fact.

States and the actions that leave them::

    DRAFT            --roster.freeze-->    ROSTER_FROZEN
    ROSTER_FROZEN    --sources.declare-->  SOURCES_DECLARED
    SOURCES_DECLARED --witness.commit (all declared witnesses)--> COMMITTED
    COMMITTED        --witness.reveal / witness.forfeit (all witnesses)--> REVEALED
    REVEALED         --seed.derive-->      SEEDED
    SEEDED           --run.execute-->      EXECUTED
    EXECUTED         --run.publish-->      PUBLISHED

``roster.withdraw`` is allowed from ROSTER_FROZEN up to SEEDED and does not change the
state. ``inputs.update`` {config_hash, roster_size} is allowed only in DRAFT: the operator
replaced an input before the freeze (the log keeps the history; the freeze must match the
latest config hash). A practice run is ``practice.init``, ``roster.freeze``, ``seed.practice``
(ROSTER_FROZEN → SEEDED, manual seed), then execute and publish.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from audit.canonical import canonical_bytes, record_hash, sha256
from audit.errors import CeremonyError

if TYPE_CHECKING:
    from audit.log import AuditLog

__all__ = [
    "SEED_DOMAIN",
    "CeremonyState",
    "State",
    "check_next",
    "derive_seed",
    "replay",
    "replay_log",
    "witness_commitment",
]

SEED_DOMAIN = "sunshine/v1/seed"


class State(enum.Enum):
    DRAFT = "DRAFT"
    ROSTER_FROZEN = "ROSTER_FROZEN"
    SOURCES_DECLARED = "SOURCES_DECLARED"
    COMMITTED = "COMMITTED"
    REVEALED = "REVEALED"
    SEEDED = "SEEDED"
    EXECUTED = "EXECUTED"
    PUBLISHED = "PUBLISHED"


_ORDER = list(State)


@dataclass
class CeremonyState:
    """Everything the log has established so far."""

    state: State = State.DRAFT
    kind: str = ""
    practice: bool = False
    run_id: str = ""
    config_hash: str = ""
    roster_root: str = ""
    roster_size: int = 0
    withdrawals: list[str] = field(default_factory=list)
    witnesses: list[str] = field(default_factory=list)
    public_source: str = ""
    fallback: str = ""
    commitments: dict[str, str] = field(default_factory=dict)
    reveals: dict[str, dict[str, str]] = field(default_factory=dict)
    forfeits: list[str] = field(default_factory=list)
    seed_record: dict[str, Any] | None = None
    results: dict[str, str] | None = None
    engine: dict[str, Any] | None = None


def witness_commitment(value: str, salt: str) -> str:
    """``H(value ‖ salt)`` as hex SHA-256 of the canonical JSON array ``[value, salt]``."""
    return record_hash([value, salt])


def derive_seed(
    roster_root: str, config_hash: str, reveals: dict[str, str], public_value: dict[str, str]
) -> tuple[dict[str, Any], bytes]:
    """Seed = SHA-256(canonical(inputs)); returns (inputs, seed).

    ``inputs`` = ``{"domain", "roster_root", "config_hash", "contributions", "public_value"}``
    where ``contributions`` lists ``{"witness", "value"}`` sorted by witness name.
    """
    inputs = {
        "domain": SEED_DOMAIN,
        "roster_root": roster_root,
        "config_hash": config_hash,
        "contributions": [{"witness": w, "value": reveals[w]} for w in sorted(reveals)],
        "public_value": {"source": public_value["source"], "value": public_value["value"]},
    }
    return inputs, sha256(canonical_bytes(inputs))


def _fail(i: int, action: str, state: State, why: str = "") -> CeremonyError:
    return CeremonyError(
        f"第 {i} 条日志「{action}」不能在状态 {state.value} 下执行{('：' + why) if why else ''}",
        f"log entry {i}: action '{action}' is not allowed in state {state.value}{(': ' + why) if why else ''}",
    )


def replay(actions: list[tuple[str, Any]]) -> CeremonyState:
    """Replay ``(action, payload)`` pairs from the log; raise :class:`CeremonyError` on the first bad one."""
    st = CeremonyState()
    for i, (action, p) in enumerate(actions):
        s = st.state
        if i == 0:
            if action not in ("ceremony.init", "practice.init"):
                raise _fail(i, action, s, "the log must start with ceremony.init or practice.init")
            st.kind, st.run_id, st.config_hash = p["kind"], p["run_id"], p["config_hash"]
            st.practice = action == "practice.init"
            continue
        if action == "roster.freeze" and s is State.DRAFT:
            st.roster_root, st.roster_size = p["roster_root"], p["roster_size"]
            if p["config_hash"] != st.config_hash:
                raise _fail(i, action, s, "config hash differs from the one declared at init")
            st.state = State.ROSTER_FROZEN
        elif action == "inputs.update" and s is State.DRAFT:
            st.config_hash, st.roster_size = p["config_hash"], p["roster_size"]
        elif action == "roster.withdraw" and 1 <= _ORDER.index(s) <= _ORDER.index(State.SEEDED):
            if p["id"] in st.withdrawals:
                raise _fail(i, action, s, f"{p['id']} already withdrawn")
            st.withdrawals.append(p["id"])
        elif action == "sources.declare" and s is State.ROSTER_FROZEN and not st.practice:
            if not p["witnesses"] or len(set(p["witnesses"])) != len(p["witnesses"]):
                raise _fail(i, action, s, "at least one witness, names unique")
            st.witnesses, st.public_source, st.fallback = list(p["witnesses"]), p["public_source"], p["fallback"]
            st.state = State.SOURCES_DECLARED
        elif action == "witness.commit" and s is State.SOURCES_DECLARED:
            w = p["witness"]
            if w not in st.witnesses or w in st.commitments:
                raise _fail(i, action, s, f"{w} is not a declared witness or already committed")
            st.commitments[w] = p["commitment"]
            if len(st.commitments) == len(st.witnesses):
                st.state = State.COMMITTED
        elif action == "witness.reveal" and s is State.COMMITTED:
            w = p["witness"]
            if w not in st.commitments or w in st.reveals:
                raise _fail(i, action, s, f"{w} did not commit or already revealed")
            if witness_commitment(p["value"], p["salt"]) != st.commitments[w]:
                raise _fail(i, action, s, f"the reveal of {w} does not match the commitment")
            st.reveals[w] = {"value": p["value"], "salt": p["salt"]}
            if len(st.reveals) + len(st.forfeits) == len(st.witnesses):
                st.state = State.REVEALED
        elif action == "witness.forfeit" and s is State.COMMITTED:
            # a witness who does not reveal is recorded as forfeited; the seed uses the others and the public value
            w = p["witness"]
            if w not in st.commitments or w in st.reveals or w in st.forfeits:
                raise _fail(i, action, s, f"{w} did not commit, already revealed or already forfeited")
            st.forfeits.append(w)
            if len(st.reveals) + len(st.forfeits) == len(st.witnesses):
                st.state = State.REVEALED
        elif action == "seed.derive" and s is State.REVEALED:
            pv = p["inputs"]["public_value"]
            if pv["source"] not in (st.public_source, st.fallback):
                raise _fail(i, action, s, "public value source is neither the declared source nor the fallback")
            inputs, seed = derive_seed(
                st.roster_root, st.config_hash, {w: r["value"] for w, r in st.reveals.items()}, pv
            )
            if inputs != p["inputs"] or seed.hex() != p["seed"] or p.get("mode") != "ceremony":
                raise _fail(i, action, s, "seed derivation does not recompute")
            st.seed_record = p
            st.state = State.SEEDED
        elif action == "seed.practice" and s is State.ROSTER_FROZEN and st.practice:
            if p.get("mode") != "practice":
                raise _fail(i, action, s, "practice seed must be marked practice")
            st.seed_record = p
            st.state = State.SEEDED
        elif action == "run.execute" and s is State.SEEDED:
            st.results, st.engine = dict(p["results"]), dict(p["engine"])
            st.state = State.EXECUTED
        elif action == "run.publish" and s is State.EXECUTED:
            st.state = State.PUBLISHED
        elif action in ("key.rotate", "note"):
            pass  # informational entries allowed in any state
        else:
            need = _NEEDS.get(action)
            raise _fail(i, action, s, f"needs state {need.value}" if need else "")
    return st


def replay_log(log: AuditLog) -> CeremonyState:
    """The state a log establishes (:func:`replay` over its entries and payloads)."""
    return replay([(e.action, p) for e, p in zip(log.entries, log.payloads, strict=True)])


#: The state each action needs, for the actions whose precondition is checked *before* costly work.
_NEEDS = {"inputs.update": State.DRAFT, "roster.freeze": State.DRAFT, "sources.declare": State.ROSTER_FROZEN,
          "seed.derive": State.REVEALED, "run.execute": State.SEEDED, "run.publish": State.EXECUTED}


def check_next(st: CeremonyState, action: str) -> None:
    """Refuse ``action`` early when the current state cannot allow it (the replay re-checks it in full).

    The service calls this before it runs the engine, so a refused ``execute`` costs nothing;
    :func:`replay` stays the one authority on what the log may contain.
    """
    need = _NEEDS.get(action)
    if need is not None and st.state is not need:
        raise CeremonyError(f"状态 {st.state.value} 下不能执行「{action}」（需要 {need.value}）",
                            f"cannot do '{action}' in state {st.state.value} (needs {need.value})")
