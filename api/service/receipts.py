"""Receipts for applicants, made from a bundle only after it verified (``docs/bundle.md`` § Receipts).

The command line (``sunshine receipt``) and the HTTP lookup both call :func:`receipt_for`; a
receipt is never assembled from files that did not pass verification first (every step but
the engine replay, whose result hashes the signed log already fixes).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from audit.bundle import Bundle
from audit.log import AuditLog
from audit.receipt import make_receipt
from audit.results import rows_of
from audit.signing import Verifier
from audit.verify import verify_bundle

__all__ = ["receipt_for"]


def receipt_for(files: Mapping[str, bytes], applicant_id: str, private: Mapping[str, Any] | None,
                trusted_keys: list[Verifier] | None = None) -> dict[str, Any]:
    """Verify the bundle ``files`` (raises VerificationError), then make ``applicant_id``'s receipt.

    ``private`` is the applicant's entry of ``audit-private/roster_private.json`` (salt and
    private fields), or ``None`` for a receipt without them.
    """
    bundle = Bundle.from_files(files)
    for _ in verify_bundle(bundle, trusted_keys=trusted_keys, execute=None):
        pass
    leaves = [json.loads(line) for line in files["roster.jsonl"].splitlines()]
    return make_receipt(
        applicant_id=applicant_id,
        manifest=bundle.manifest,
        checkpoint=files["checkpoint"].decode(),
        log_keys=list(bundle.keys["log_keys"]),
        log=AuditLog.from_bytes(files["log.jsonl"]),
        leaves=leaves,
        result_rows=rows_of(bundle.results, applicant_id),
        private=dict(private) if private is not None else None,
    )
