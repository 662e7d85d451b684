"""Seed ceremony state machine (modelled on RFC 3797) and seed derivation; see ``docs/ceremony.md``.

The state of a run is not stored anywhere: it is *replayed* from the audit log, so the
log alone proves the order in which things happened. :func:`replay_log` raises
:class:`~audit.errors.CeremonyError` on the first entry that is not allowed; the ceremony
service calls it before appending, the verifier after the fact. It is the one place that
decides which action is allowed when, and it checks every witness signature, every
cosignature and the drand beacon itself (no step trusts the operator's word).

States and the actions that leave them::

    DRAFT            --roster.freeze-->    ROSTER_FROZEN
    ROSTER_FROZEN    --sources.declare-->  SOURCES_DECLARED
    SOURCES_DECLARED --witness.commit (every declared witness)--> COMMITTED
    COMMITTED        --witness.reveal / witness.forfeit (every witness, once)--> REVEALED
    REVEALED         --seed.derive-->      SEEDED
    ROSTER_FROZEN    --seed.inherit-->     SEEDED   (a 复核 run only: the reviewed run's seed, proven)
    SEEDED           --run.execute-->      EXECUTED
    EXECUTED         --run.publish-->      PUBLISHED

Rules beyond the arrows (ceremony v2; the threat model is in ``docs/ceremony.md``):

* ``inputs.update`` only in DRAFT; ``roster.withdraw`` only in ROSTER_FROZEN (before any
  source of randomness is even named).
* ``sources.declare`` registers each witness's Ed25519 key, the reveal deadline, a drand
  chain and round due strictly after both the declaration and the deadline, and an optional
  fallback with its rule.
* ``witness.cosign`` records a witness's C2SP cosignature on a checkpoint of this log.
* A witness commits only after cosigning the checkpoint that holds the declaration (so the
  roster, config and sources are fixed in their eyes); nobody reveals or forfeits until every
  witness has cosigned the COMMITTED checkpoint holding every commitment. Commit, reveal and
  forfeit are statements signed by the witness (:mod:`audit.witness`); a forfeited witness
  never reveals, and each witness counts once.
* ``seed.derive`` recomputes the seed from the public roster root (records only, no salt),
  the config hash, the reveals and the drand beacon, whose BLS signature is verified here; a
  fallback value is accepted only when one was declared (and verify reports it as claimed).
* Entry times are ``YYYY-MM-DDTHH:MM:SSZ`` and never go backwards (practice runs carry none).

A 复核 (review) run is one whose entry 1 is a ``note`` naming ``review_of`` (the original run).
It never declares sources nor records withdrawals (the seed is already public: it withdraws through
its corrections, published with their reasons); it takes ``seed.inherit`` (:mod:`audit.inherit`).

A practice run is ``practice.init``, ``roster.freeze``, ``seed.practice`` (ROSTER_FROZEN →
SEEDED, manual seed), then execute and publish.
"""

from __future__ import annotations

import base64
import calendar
import enum
import functools
import re
import time as _time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from audit.beacon import DrandChain, check_declared_round, verified_randomness
from audit.canonical import canonical_bytes, record_hash, sha256
from audit.errors import CeremonyError, KeyFileError, SpellingError, VerificationError
from audit.inherit import Inherited, check_inherit
from audit.signing import Checkpoint, Verifier
from audit.spelling import canonical_hex, canonical_text
from audit.witness import open_statement, verify_cosignature

if TYPE_CHECKING:
    from audit.log import AuditLog

__all__ = [
    "CEREMONY_VERSION",
    "SEED_DOMAIN",
    "CeremonyState",
    "State",
    "Witness",
    "check_next",
    "derive_seed",
    "parse_time",
    "replay",
    "replay_log",
    "run_origin",
    "witness_commitment",
]

SEED_DOMAIN = "sunshine/v2/seed"
CEREMONY_VERSION = 2
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class State(enum.Enum):
    DRAFT = "DRAFT"
    ROSTER_FROZEN = "ROSTER_FROZEN"
    SOURCES_DECLARED = "SOURCES_DECLARED"
    COMMITTED = "COMMITTED"
    REVEALED = "REVEALED"
    SEEDED = "SEEDED"
    EXECUTED = "EXECUTED"
    PUBLISHED = "PUBLISHED"


@dataclass(frozen=True)
class Witness:
    """A declared witness: display name and registered Ed25519 key."""

    name: str
    key: Verifier


@dataclass
class CeremonyState:
    """Everything the log has established so far."""

    state: State = State.DRAFT
    kind: str = ""
    practice: bool = False
    run_id: str = ""
    origin: str = ""
    config_hash: str = ""
    roster_root: str = ""
    public_root: str = ""
    roster_size: int = 0
    inputs: dict[str, str] = field(default_factory=dict)
    withdrawals: list[str] = field(default_factory=list)
    witnesses: list[Witness] = field(default_factory=list)
    reveal_deadline: str = ""
    chain: DrandChain | None = None
    beacon_round: int = 0
    fallback: dict[str, str] | None = None
    declared_size: int = 0  # log size right after sources.declare: the checkpoint witnesses cosign to commit
    committed_size: int = 0  # log size right after the last commit: cosigned by all before any reveal
    cosigned: dict[str, dict[int, int]] = field(default_factory=dict)  # witness -> size -> cosignature time
    commitments: dict[str, str] = field(default_factory=dict)
    reveals: dict[str, dict[str, str]] = field(default_factory=dict)
    forfeits: list[str] = field(default_factory=list)
    seed_record: dict[str, Any] | None = None
    results: dict[str, str] | None = None
    rows: dict[str, Any] | None = None  # run.execute's result rows tree {root, size, files} (audit.result_rows)
    private_results: dict[str, str] = field(default_factory=dict)  # salted hashes of private files
    engine: dict[str, Any] | None = None
    last_time: str | None = None
    review_of: str = ""  # the original run a 复核 run reviews (its entry 1 note), else ""
    inherited: Inherited | None = None  # set by seed.inherit: the parent checkpoint verify checks the signature of

    @property
    def witness_names(self) -> list[str]:
        return [w.name for w in self.witnesses]

    def witness(self, name: str) -> Witness | None:
        return next((w for w in self.witnesses if w.name == name), None)


def run_origin(kind: str, run_id: str, practice: bool) -> str:
    """The log origin of a run (its checkpoints' first line): ``sunshine.practice/<id>`` or ``sunshine/<kind>/<id>``."""
    return f"sunshine.practice/{run_id}" if practice else f"sunshine/{kind}/{run_id}"


def parse_time(text: str) -> int:
    """POSIX seconds of a log time ``YYYY-MM-DDTHH:MM:SSZ`` (ValueError otherwise)."""
    if not _TIME.match(text):
        raise ValueError(f"not a UTC time YYYY-MM-DDTHH:MM:SSZ: {text!r}")
    return calendar.timegm(_time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def witness_commitment(value: str, salt: str) -> str:
    """``H(value ‖ salt)`` as hex SHA-256 of the canonical JSON array ``[value, salt]``."""
    return record_hash([value, salt])


def derive_seed(public_root: str, config_hash: str, reveals: dict[str, str], public_value: dict[str, Any]
                ) -> tuple[dict[str, Any], bytes]:
    """Seed = SHA-256(JCS(inputs)); returns (inputs, seed).

    ``inputs`` = ``{"domain", "public_roster_root", "config_hash", "contributions", "public_value"}``
    where ``contributions`` lists ``{"witness", "value"}`` sorted by witness name (Unicode code
    points, which for UTF-8 is also byte order). Nothing the operator alone chooses enters it:
    the roster root is over the public records only (no roster secret), so two runs of the same
    roster, witnesses and beacon give the same seed.
    """
    inputs = {
        "domain": SEED_DOMAIN,
        "public_roster_root": public_root,
        "config_hash": config_hash,
        "contributions": [{"witness": w, "value": reveals[w]} for w in sorted(reveals)],
        "public_value": dict(public_value),
    }
    return inputs, sha256(canonical_bytes(inputs))


def _fail(i: int, action: str, state: State, why: str = "", why_zh: str = "") -> CeremonyError:
    zh = why_zh or why
    return CeremonyError(
        f"第 {i} 条日志「{action}」不能在状态 {state.value} 下执行{('：' + zh) if zh else ''}",
        f"log entry {i}: action '{action}' is not allowed in state {state.value}{(': ' + why) if why else ''}",
    )


#: The state each action needs (the replay refuses it elsewhere; :func:`check_next` uses it early).
_NEEDS = {"inputs.update": State.DRAFT, "roster.freeze": State.DRAFT, "roster.withdraw": State.ROSTER_FROZEN,
          "sources.declare": State.ROSTER_FROZEN, "witness.commit": State.SOURCES_DECLARED,
          "witness.reveal": State.COMMITTED, "witness.forfeit": State.COMMITTED, "seed.derive": State.REVEALED,
          "seed.inherit": State.ROSTER_FROZEN,
          "run.execute": State.SEEDED, "run.publish": State.EXECUTED}

CheckpointAt = Callable[[int], Checkpoint]


class _Replay:
    """Applies log entries one at a time to a :class:`CeremonyState`; raises at the first bad one."""

    def __init__(self, checkpoint_at: CheckpointAt | None) -> None:
        self.st = CeremonyState()
        self.checkpoint_at = checkpoint_at

    def checkpoint(self, i: int, action: str, size: int) -> Checkpoint:
        if self.checkpoint_at is None:
            raise _fail(i, action, self.st.state, "signatures need the whole log (use replay_log)")
        if not 1 <= size <= i:
            raise _fail(i, action, self.st.state, f"checkpoint size {size} is not an earlier state of this log")
        return self.checkpoint_at(size)

    def witness_of(self, i: int, action: str, p: dict[str, Any]) -> Witness:
        w = self.st.witness(str(p.get("witness")))
        if w is None:
            raise _fail(i, action, self.st.state, f"{p.get('witness')!r} is not a declared witness")
        return w

    def statement(self, i: int, action: str, p: dict[str, Any], w: Witness, size: int, fields: set[str]
                  ) -> dict[str, str]:
        """Open the witness's signed statement and check it is about this run, action and checkpoint."""
        try:
            s = open_statement(str(p["statement"]), w.key)
        except VerificationError as exc:
            raise _fail(i, action, self.st.state, f"statement of {w.name}: {exc.message_en}") from exc
        cp = self.checkpoint(i, action, size)
        if (s.origin, s.action, s.witness) != (self.st.origin, action.split(".")[1], w.name):
            raise _fail(i, action, self.st.state, f"statement of {w.name} is for another run, action or witness")
        if (s.checkpoint_size, s.checkpoint_root) != (cp.size, cp.root):
            raise _fail(i, action, self.st.state, f"statement of {w.name} names checkpoint {s.checkpoint_size}, "
                                                  f"not the required checkpoint {cp.size}")
        if set(s.fields) != fields:
            raise _fail(i, action, self.st.state, f"statement of {w.name} must carry exactly {sorted(fields)}")
        return s.fields

    def all_cosigned(self, size: int) -> bool:
        return all(size in self.st.cosigned.get(w.name, {}) for w in self.st.witnesses)

    def time(self, i: int, action: str, t: str | None) -> None:
        st = self.st
        if st.practice and i > 0:
            if t is not None:
                raise _fail(i, action, st.state, "practice entries carry no time")
            return
        if t is None:
            if i == 0 and action == "practice.init":
                return
            raise _fail(i, action, st.state, "every entry of a ceremony carries its time")
        try:
            parse_time(t)
        except ValueError as exc:
            raise _fail(i, action, st.state, str(exc)) from exc
        if st.last_time is not None and t < st.last_time:
            raise _fail(i, action, st.state, f"time {t} is before the previous entry's {st.last_time}")
        st.last_time = t

    def apply(self, i: int, action: str, p: Any, t: str | None) -> None:
        st = self.st
        s = st.state
        if i == 0:
            if action not in ("ceremony.init", "practice.init"):
                raise _fail(i, action, s, "the log must start with ceremony.init or practice.init")
            st.kind, st.run_id, st.config_hash = p["kind"], p["run_id"], p["config_hash"]
            st.practice = action == "practice.init"
            if not st.practice and p.get("ceremony") != CEREMONY_VERSION:
                raise _fail(i, action, s, f"made by an older ceremony (v1) that cannot prove its public value; "
                                          f"this version verifies ceremony v{CEREMONY_VERSION} runs only")
            st.origin = str(p.get("origin") or run_origin(st.kind, st.run_id, st.practice))
            self.time(i, action, t)
            return
        self.time(i, action, t)
        need = _NEEDS.get(action)
        if need is not None and s is not need:
            raise _fail(i, action, s, f"needs state {need.value}")
        if action == "inputs.update":
            st.config_hash, st.roster_size = p["config_hash"], p["roster_size"]
        elif action == "roster.freeze":
            if p["config_hash"] != st.config_hash:
                raise _fail(i, action, s, "config hash differs from the one declared at init")
            st.roster_root, st.roster_size = p["roster_root"], p["roster_size"]
            st.public_root = str(p.get("public_root", ""))
            st.inputs = dict(p.get("inputs", {}))
            if not st.practice and not st.public_root:
                raise _fail(i, action, s, "the freeze must name the public roster root")
            st.state = State.ROSTER_FROZEN
        elif action == "roster.withdraw":
            if st.practice:
                raise _fail(i, action, s, "practice runs have no withdrawals")
            if st.review_of:
                raise _fail(i, action, s, "a review run withdraws through its corrections (published with the "
                                          "reason), never after the seed is known")
            if p["id"] in st.withdrawals:
                raise _fail(i, action, s, f"{p['id']} already withdrawn")
            st.withdrawals.append(p["id"])
        elif action == "sources.declare":
            if st.review_of:
                raise _fail(i, action, s, f"a review run inherits the seed of run {st.review_of} (seed.inherit); "
                                          "it never draws a new one")
            self.declare(i, action, p, t)
        elif action == "witness.cosign":
            if not st.witnesses:
                raise _fail(i, action, s, "no witnesses declared yet")
            w = self.witness_of(i, action, p)
            size = int(p["size"])
            try:
                stamp = verify_cosignature(str(p["cosignature"]), w.key, self.checkpoint(i, action, size))
            except VerificationError as exc:
                raise _fail(i, action, s, f"cosignature of {w.name}: {exc.message_en}") from exc
            st.cosigned.setdefault(w.name, {})[size] = stamp
        elif action == "witness.commit":
            w = self.witness_of(i, action, p)
            if w.name in st.commitments:
                raise _fail(i, action, s, f"{w.name} already committed")
            if st.declared_size not in st.cosigned.get(w.name, {}):
                raise _fail(i, action, s, f"{w.name} has not cosigned the declaration checkpoint "
                                          f"(size {st.declared_size}) yet")
            fields = self.statement(i, action, p, w, st.declared_size, {"commitment"})
            try:
                canonical_hex(fields["commitment"], field="commitment", nbytes=32)
            except SpellingError as exc:
                raise _fail(i, action, s, exc.message_en) from exc
            st.commitments[w.name] = fields["commitment"]
            if len(st.commitments) == len(st.witnesses):
                st.committed_size = i + 1
                st.state = State.COMMITTED
        elif action in ("witness.reveal", "witness.forfeit"):
            w = self.witness_of(i, action, p)
            if w.name in st.reveals or w.name in st.forfeits:
                raise _fail(i, action, s, f"{w.name} already revealed or forfeited")
            if not self.all_cosigned(st.committed_size):
                raise _fail(i, action, s, f"every witness must cosign the COMMITTED checkpoint "
                                          f"(size {st.committed_size}) before any reveal or forfeit")
            if action == "witness.reveal":
                fields = self.statement(i, action, p, w, st.committed_size, {"value", "salt"})
                if witness_commitment(fields["value"], fields["salt"]) != st.commitments[w.name]:
                    raise _fail(i, action, s, f"the reveal of {w.name} does not match the commitment")
                st.reveals[w.name] = {"value": fields["value"], "salt": fields["salt"]}
            else:
                self.statement(i, action, p, w, st.committed_size, set())
                st.forfeits.append(w.name)
            if len(st.reveals) + len(st.forfeits) == len(st.witnesses):
                st.state = State.REVEALED
        elif action == "seed.derive":
            self.seed(i, action, p)
        elif action == "seed.inherit":
            try:
                st.inherited = check_inherit(p, kind=st.kind, review_of=st.review_of, public_root=st.public_root)
            except CeremonyError as exc:
                raise _fail(i, action, s, exc.message_en, exc.message_zh) from exc
            st.seed_record = p
            st.state = State.SEEDED
        elif action == "seed.practice" and s is State.ROSTER_FROZEN and st.practice:
            if p.get("mode") != "practice":
                raise _fail(i, action, s, "practice seed must be marked practice")
            st.seed_record = p
            st.state = State.SEEDED
        elif action == "run.execute":
            st.results, st.engine = dict(p["results"]), dict(p["engine"])
            rows, private = p.get("rows"), p.get("private_results", {})
            if (rows is not None and not isinstance(rows, dict)) or not isinstance(private, dict):
                raise _fail(i, action, s, "rows and private_results must be objects")
            st.rows, st.private_results = rows, {str(k): str(v) for k, v in private.items()}
            st.state = State.EXECUTED
        elif action == "run.publish":
            st.state = State.PUBLISHED
        elif action == "key.rotate":
            self.rotation(i, action, p)
        elif action == "note":
            if isinstance(p, dict) and "review_of" in p:  # a run is a review from its start, or never
                if i != 1 or st.practice or not isinstance(p["review_of"], str) or not p["review_of"]:
                    raise _fail(i, action, s, "only the entry right after ceremony.init may name review_of")
                st.review_of = p["review_of"]
            # other notes are informational entries allowed in any state
        else:
            raise _fail(i, action, s)

    def declare(self, i: int, action: str, p: dict[str, Any], t: str | None) -> None:
        st = self.st
        s = st.state
        if st.practice:
            raise _fail(i, action, s, "practice runs have no witnesses")
        raw = p.get("witnesses")
        if not isinstance(raw, list) or not raw:
            raise _fail(i, action, s, "at least one witness, each {name, key}")
        witnesses: list[Witness] = []
        for item in raw:
            try:
                witnesses.append(Witness(canonical_text(item["name"], field="witness name"),
                                         Verifier.from_vkey(str(item["key"]))))
            except (KeyError, TypeError) as exc:
                raise _fail(i, action, s, f"witness {item!r} must be {{name, key}}") from exc
            except (SpellingError, VerificationError, KeyFileError) as exc:  # KeyFileError: a malformed key
                raise _fail(i, action, s, f"witness {item!r}: {exc.message_en}") from exc
        if len({w.name for w in witnesses}) != len(witnesses) or len({w.key for w in witnesses}) != len(witnesses):
            raise _fail(i, action, s, "witness names and keys must be distinct (each witness counts once)")
        source = p.get("public_source")
        if not isinstance(source, dict) or source.get("type") != "drand":
            raise _fail(i, action, s, "the public source must be a drand chain and round")
        try:
            chain = DrandChain.from_info(source["chain"])
            deadline = parse_time(str(p["reveal_deadline"]))
            declared_at = parse_time(str(t))
            check_declared_round(chain, int(source["round"]), declared_at=declared_at, reveal_deadline=deadline)
        except VerificationError as exc:
            raise _fail(i, action, s, exc.message_en) from exc
        except (KeyError, TypeError, ValueError) as exc:
            raise _fail(i, action, s, f"malformed public source: {exc}") from exc
        fallback = p.get("fallback")
        if fallback is not None:
            if not isinstance(fallback, dict) or set(fallback) != {"description", "rule"}:
                raise _fail(i, action, s, "a fallback is {description, rule}, both fixed now")
            try:
                fallback = {k: canonical_text(fallback[k], field=f"fallback {k}") for k in ("description", "rule")}
            except SpellingError as exc:
                raise _fail(i, action, s, exc.message_en) from exc
        st.witnesses, st.chain, st.beacon_round = witnesses, chain, int(source["round"])
        st.reveal_deadline, st.fallback = str(p["reveal_deadline"]), fallback
        st.declared_size = i + 1
        st.state = State.SOURCES_DECLARED

    def seed(self, i: int, action: str, p: dict[str, Any]) -> None:
        st = self.st
        s = st.state
        pv = p["inputs"]["public_value"]
        if pv.get("source") == "drand":
            assert st.chain is not None
            if pv.get("chain_hash") != st.chain.chain_hash or pv.get("round") != st.beacon_round:
                raise _fail(i, action, s, f"the beacon must be round {st.beacon_round} of the declared chain")
            try:
                randomness = verified_randomness(st.chain, st.beacon_round, str(pv.get("signature")),
                                                pv.get("previous_signature"))
            except VerificationError as exc:
                raise _fail(i, action, s, exc.message_en) from exc
            if pv.get("randomness") != randomness.hex() or set(pv) != {
                    "source", "chain_hash", "round", "signature", "previous_signature", "randomness"}:
                raise _fail(i, action, s, "the recorded beacon is not exactly the verified one")
        elif pv.get("source") == "fallback":
            if st.fallback is None:
                raise _fail(i, action, s, "no fallback was declared")
            try:
                canonical_text(pv.get("value"), field="fallback value")
            except SpellingError as exc:
                raise _fail(i, action, s, exc.message_en) from exc
            if set(pv) != {"source", "description", "value"} or pv["description"] != st.fallback["description"]:
                raise _fail(i, action, s, "the fallback value must name the declared fallback")
        else:
            raise _fail(i, action, s, "public value source must be 'drand' or the declared 'fallback'")
        inputs, derived = derive_seed(st.public_root, st.config_hash,
                                      {w: r["value"] for w, r in st.reveals.items()}, pv)
        if inputs != p["inputs"] or derived.hex() != p["seed"] or p.get("mode") != "ceremony":
            raise _fail(i, action, s, "seed derivation does not recompute")
        st.seed_record = p
        st.state = State.SEEDED

    def rotation(self, i: int, action: str, p: dict[str, Any]) -> None:
        """A key rotation names its run and the checkpoint it follows (checked here; signatures in verify)."""
        text = str(p["note"])
        lines = text[: text.find("\n\n") + 1].split("\n")
        after = next((line[len("after "):] for line in lines if line.startswith("after ")), None)
        if len(lines) < 2 or lines[1] != self.st.origin or after is None:
            raise _fail(i, action, self.st.state, "a key rotation must name this run and the checkpoint it follows")
        size_text, _, root_b64 = after.partition(" ")
        cp = self.checkpoint(i, action, int(size_text)) if size_text.isdigit() else None
        if cp is None or cp.size != i or base64.b64encode(cp.root).decode() != root_b64:
            raise _fail(i, action, self.st.state, "a key rotation must follow exactly the checkpoint before it")


def replay(actions: Sequence[tuple[str, Any]] | Sequence[tuple[str, Any, str | None]],
           checkpoint_at: CheckpointAt | None = None) -> CeremonyState:
    """Replay ``(action, payload[, time])`` entries; raise :class:`CeremonyError` on the first bad one.

    ``checkpoint_at(size)`` gives the log's checkpoint at an earlier size, needed to check
    statements and cosignatures; :func:`replay_log` provides it.
    """
    r = _Replay(checkpoint_at)
    for i, item in enumerate(actions):
        action, payload = str(item[0]), item[1]
        t: str | None = item[2] if len(item) > 2 else None
        try:
            r.apply(i, action, payload, t)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _fail(i, action, r.st.state, f"malformed payload ({type(exc).__name__}: {exc})") from exc
    return r.st


def replay_log(log: AuditLog, extra: Sequence[tuple[str, Any, str | None]] = ()) -> CeremonyState:
    """The state ``log`` establishes (plus ``extra`` entries to try, for a step about to be appended)."""
    from audit.merkle import root_of

    leaves = log.leaf_hashes()
    origin_holder: list[str] = []

    @functools.cache
    def checkpoint_at(size: int) -> Checkpoint:
        if not origin_holder:
            st0 = replay([(log.entries[0].action, log.payloads[0], log.entries[0].time)])
            origin_holder.append(st0.origin)
        return Checkpoint(origin_holder[0], size, root_of(leaves[:size]))  # leaves of the first `size` entries

    entries = [(e.action, p, e.time) for e, p in zip(log.entries, log.payloads, strict=True)]
    return replay([*entries, *extra], checkpoint_at)


def check_next(st: CeremonyState, action: str) -> None:
    """Refuse ``action`` early when the current state cannot allow it (the replay re-checks it in full).

    The service calls this before it runs the engine, so a refused ``execute`` costs nothing;
    the table is the same one :func:`replay` enforces.
    """
    need = _NEEDS.get(action)
    if need is not None and st.state is not need:
        raise CeremonyError(f"状态 {st.state.value} 下不能执行「{action}」（需要 {need.value}）",
                            f"cannot do '{action}' in state {st.state.value} (needs {need.value})")
