"""Practice runs (an engine command with ``--seed``): a self-contained, clearly marked audit context.

The signing key is derived from the seed (so it proves nothing, and the bundle says so) and
entries carry no time. The run id is ``practice-`` + the first 16 hex digits of
SHA-256(public roster root ‖ config hash ‖ seed): the same inputs and seed, the same run id.
The roster secret is fresh random bytes for every run: derived from the published seed it would
let anyone recompute every salt and test guesses of the names behind the practice leaves. So a
practice run's results are byte-reproducible, its roster commitment is not.
``docs/ceremony.md`` § Practice mode.
"""

from __future__ import annotations

import hashlib

from audit.ceremony import run_origin
from audit.context import RunAudit
from audit.log import AuditLog
from audit.signing import Signer
from engine.randomness import encode_str

__all__ = ["PRACTICE_ACTOR", "practice_audit"]

PRACTICE_ACTOR = "sunshine-practice"


def _practice_bytes(label: str, seed: bytes) -> bytes:
    return hashlib.sha256(encode_str(f"sunshine/v1/practice-{label}") + seed).digest()


def practice_audit(kind: str, config_hash: str, roots: tuple[str, str], roster_size: int, seed: bytes,
                   roster_secret: bytes) -> RunAudit:
    """The audit context of a practice run: ``practice.init``, ``roster.freeze`` and ``seed.practice`` logged.

    ``roots`` is (salted roster root, public roster root), hex.
    """
    roster_root, public_root = roots
    # From the public root (no roster secret), so the same inputs and seed give the same run id: the
    # title rows of the run's XLSX lists show it, and those are byte-reproducible result files.
    digest = hashlib.sha256(bytes.fromhex(public_root) + bytes.fromhex(config_hash) + seed).hexdigest()
    run_id = "practice-" + digest[:16]
    log = AuditLog()
    log.append(PRACTICE_ACTOR, "practice.init", None, {"kind": kind, "run_id": run_id, "config_hash": config_hash})
    log.append(PRACTICE_ACTOR, "roster.freeze", None,
               {"roster_root": roster_root, "public_root": public_root, "roster_size": roster_size,
                "config_hash": config_hash})
    log.append(PRACTICE_ACTOR, "seed.practice", None,
               {"mode": "practice", "seed": seed.hex(), "notice": "manual seed typed in by the operator"})
    return RunAudit(
        run_id=run_id,
        origin=run_origin(kind, run_id, True),
        practice=True,
        log=log,
        signer=Signer(PRACTICE_ACTOR, _practice_bytes("key", seed)),
        roster_secret=roster_secret,
        actor=PRACTICE_ACTOR,
        time=None,
    )
