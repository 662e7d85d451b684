"""The audit context a run is published with: its log so far, the signer, the roster secret.

Built by the ceremony service from a run's store, or by :func:`audit.practice.practice_audit`
for a practice run; consumed by the build step, which appends nothing to a store itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from audit.ceremony import State, replay_log
from audit.log import AuditLog
from audit.signing import Signer

__all__ = ["RunAudit"]


@dataclass
class RunAudit:
    """Audit state a run is published with: the log so far, the signer and the roster secret."""

    run_id: str
    origin: str
    practice: bool
    log: AuditLog
    signer: Signer
    roster_secret: bytes
    actor: str
    time: str | None
    history: list[str] = field(default_factory=list)  # earlier signed checkpoints, oldest first
    keys: list[str] = field(default_factory=list)  # every verifier key (vkey) that signed in this run

    @property
    def state(self) -> State:
        return replay_log(self.log).state
