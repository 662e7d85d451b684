"""A 复核 (review) run inherits its original's seed, with proof: the ``seed.inherit`` step.

A review run recomputes the *original* draw and then applies the corrections, so it must use
the seed the original's witnesses and beacon made, not a fresh one: a fresh seed would let the
operator re-roll the whole draw by opening review runs. ``seed.inherit`` takes a review run from
ROSTER_FROZEN straight to SEEDED, carrying everything needed to prove, offline and from this
bundle alone, that the seed is the one the original's signed log derived:

* ``parent_run_id`` (the run the review's first ``note`` names as ``review_of``; no other);
* ``checkpoint``: the original's signed checkpoint (the published one), a signed note;
* ``entry_index``, ``entry``: the original's ``seed.derive`` log entry and where it is;
* ``proof``: its RFC 6962 inclusion proof in that checkpoint's tree (hex hashes);
* ``inputs``, ``seed``: the original's ``seed.derive`` payload (``mode`` ``"ceremony"``), so that
  ``{"mode": "ceremony", "inputs", "seed"}`` hashes to ``entry.payload_hash``;
* ``mode``: ``"inherit"``.

What must match (docs/ceremony.md § 复核): the review's public roster root equals the
original's (``inputs.public_roster_root``: a review keeps the original roster), and the review's
config without its review part (:data:`REVIEW_CONFIG_KEYS`) hashes to the original's
``inputs.config_hash`` (:func:`matches_original_config`). :func:`check_inherit` (run by the state
machine, no keys needed) checks the structure, the inclusion proof, the seed derivation and the roster; the checkpoint's
signature (trusted keys) and the config (the config itself) are checked by ``audit.verify``
step 6 and, before appending, by the service step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from audit.beacon import KNOWN_CHAINS, verified_randomness
from audit.canonical import canonical_bytes, record_hash, sha256
from audit.errors import CeremonyError, ProofError, RootMismatch, SpellingError, VerificationError
from audit.log import AuditLog, LogEntry
from audit.merkle import MerkleTree, leaf_hash, verify_inclusion
from audit.signing import Checkpoint, parse_checkpoint
from audit.spelling import canonical_hex

__all__ = ["INHERIT_KEYS", "REVIEW_CONFIG_KEYS", "Inherited", "check_inherit", "inherit_payload",
           "matches_original_config", "note_body"]

#: The config keys a review adds to its kind's config: the corrections (and, for classes, how the
#: total is formed for corrected scores, which follows from the students table). Everything else
#: must be the original's.
REVIEW_CONFIG_KEYS = ("corrections", "total_is_sum")
#: The keys of a ``seed.inherit`` payload, exactly.
INHERIT_KEYS = frozenset({"mode", "parent_run_id", "checkpoint", "entry_index", "entry", "proof", "inputs", "seed"})
_ENTRY_KEYS = {"actor", "action", "time", "payload_hash", "prev"}


@dataclass(frozen=True)
class Inherited:
    """What a ``seed.inherit`` established: the parent, its checkpoint (signature: verify), its config hash."""

    parent_run_id: str
    note: str
    checkpoint: Checkpoint
    parent_config_hash: str


def matches_original_config(config: Mapping[str, Any], original_hash: str) -> bool:
    """Whether ``config`` without its review part is the config that hashes (SHA-256 of JCS) to ``original_hash``.

    The review part (:data:`REVIEW_CONFIG_KEYS`) is either absent from the original (lottery,
    classes) or, for a kind that always records a corrections list (points), that list empty.
    """
    rest = {k: v for k, v in config.items() if k not in REVIEW_CONFIG_KEYS}
    return original_hash in (record_hash(rest), record_hash({**rest, "corrections": []}))


def note_body(note: str) -> str:
    """The text of a signed note (everything up to its last blank line), signatures not checked here."""
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise CeremonyError("原运行的检查点不是签名文本", "the parent checkpoint is not a signed note")
    return note[: cut + 1]


def _refuse(zh: str, en: str) -> CeremonyError:
    return CeremonyError(f"继承原运行的种子失败：{zh}", f"cannot inherit the parent's seed: {en}")


def check_inherit(p: Mapping[str, Any], *, kind: str, review_of: str, public_root: str) -> Inherited:
    """Check a ``seed.inherit`` payload against the review run's state; the parent's :class:`Inherited`.

    Raises :class:`CeremonyError` (bilingual) naming the part that does not hold.
    """
    if not review_of:
        raise _refuse("只有复核运行（日志第一条说明写明 review_of）才能继承种子",
                      "only a review run (whose first note names review_of) may inherit a seed")
    if set(p) != INHERIT_KEYS or p["mode"] != "inherit":
        raise _refuse("内容字段不符", f"the payload must have exactly {sorted(INHERIT_KEYS)} and mode 'inherit'")
    if p["parent_run_id"] != review_of:
        raise _refuse(f"只能继承被复核的运行 {review_of} 的种子",
                      f"only the reviewed run {review_of} may give the seed, not {p['parent_run_id']!r}")
    try:
        cp = parse_checkpoint(note_body(str(p["checkpoint"])), step="ceremony")
    except VerificationError as exc:
        raise _refuse("原运行的检查点格式错误", exc.message_en) from exc
    if cp.origin != f"sunshine/{kind}/{review_of}":
        raise _refuse("检查点不属于被复核的运行", f"the checkpoint's origin {cp.origin!r} is not run {review_of} "
                                          f"of kind {kind}")
    e = p["entry"]
    if not isinstance(e, dict) or set(e) != _ENTRY_KEYS or e["action"] != "seed.derive":
        raise _refuse("所给日志条目不是 seed.derive", "the entry given is not a seed.derive log entry")
    entry = LogEntry(str(e["actor"]), "seed.derive", e["time"], str(e["payload_hash"]), str(e["prev"]))
    derive = {"mode": "ceremony", "inputs": p["inputs"], "seed": p["seed"]}
    if record_hash(derive) != entry.payload_hash:
        raise _refuse("种子记录与日志条目的哈希不符", "inputs and seed do not hash to the entry's payload_hash")
    try:
        proof = [canonical_hex(h, field="proof", nbytes=32) for h in p["proof"]]
        verify_inclusion(int(p["entry_index"]), cp.size, leaf_hash(entry.leaf), proof, cp.root)
    except (ProofError, RootMismatch, SpellingError) as exc:
        raise _refuse("包含证明不成立", f"the inclusion proof does not hold: {exc}") from exc
    from audit.ceremony import SEED_DOMAIN  # here: audit.ceremony imports this module

    inputs = p["inputs"]
    if inputs.get("domain") != SEED_DOMAIN or sha256(canonical_bytes(inputs)).hex() != p["seed"]:
        raise _refuse("原运行的种子不能由其输入重算", "the parent's seed does not recompute from its inputs")
    if inputs["public_roster_root"] != public_root:
        raise _refuse("复核运行的公开名单根与原运行不同（复核必须沿用原名单）",
                      f"the review's public roster root {public_root[:16]}… differs from the parent's "
                      f"{str(inputs['public_roster_root'])[:16]}… (a review keeps the original roster)")
    _check_public_value(inputs["public_value"])
    return Inherited(review_of, str(p["checkpoint"]), cp, str(inputs["config_hash"]))


def _check_public_value(pv: Mapping[str, Any]) -> None:
    """The parent's drand beacon is re-verified (BLS) when it names a known chain; a fallback stays claimed."""
    if pv.get("source") == "fallback":
        return
    chain = KNOWN_CHAINS.get(str(pv.get("chain_hash")))
    if pv.get("source") != "drand" or chain is None:
        raise _refuse("原运行的公开随机值不是已知 drand 链的信标",
                      "the parent's public value is not a known drand chain's beacon")
    try:
        randomness = verified_randomness(chain, int(pv["round"]), str(pv["signature"]), pv.get("previous_signature"))
    except VerificationError as exc:
        raise _refuse("原运行的 drand 信标不成立", exc.message_en) from exc
    if randomness.hex() != pv.get("randomness"):
        raise _refuse("原运行的 drand 随机值不符", "the parent's recorded randomness is not its beacon's")


def inherit_payload(parent_log: AuditLog, parent_note: str, parent_run_id: str) -> dict[str, Any]:
    """The ``seed.inherit`` payload proving the parent's ``seed.derive`` under its signed checkpoint ``parent_note``."""
    cp = parse_checkpoint(note_body(parent_note), step="ceremony")
    found = [i for i, e in enumerate(parent_log.entries[: cp.size]) if e.action == "seed.derive"]
    if not found:
        raise _refuse("原运行没有派生种子", "the parent run has no seed.derive entry")
    index = found[-1]
    derive = parent_log.payloads[index]
    if derive.get("mode") != "ceremony":
        raise _refuse("原运行不是正式仪式", "the parent's seed was not derived by a ceremony")
    proof = MerkleTree(parent_log.leaf_hashes(cp.size)).inclusion_proof(index)
    return {"mode": "inherit", "parent_run_id": parent_run_id, "checkpoint": parent_note, "entry_index": index,
            "entry": parent_log.entries[index].as_dict(), "proof": [h.hex() for h in proof],
            "inputs": derive["inputs"], "seed": derive["seed"]}
