"""Receipts for applicants, made from a bundle only after it verified (``docs/bundle.md`` § Receipts).

The command line (``sunshine receipt``) and the HTTP lookup both call :func:`receipt_for`; a
receipt is never assembled from files that did not pass verification first (every step but
the engine replay, whose result hashes the signed log already fixes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from api.service.lookup import PublishedIndex
from audit.signing import Verifier

__all__ = ["receipt_for"]


def receipt_for(files: Mapping[str, bytes], applicant_id: str, private: Mapping[str, Any] | None,
                trusted_keys: list[Verifier] | None = None) -> dict[str, Any]:
    """Verify the bundle ``files`` (raises VerificationError), then make ``applicant_id``'s receipt.

    ``private`` is the applicant's entry of ``audit-private/roster_private.json`` (salt and
    private fields), or ``None`` for a receipt without them.
    """
    index = PublishedIndex(files, trusted_keys)
    return index.receipts.receipt(applicant_id, index.rows.get(applicant_id, []),
                                  dict(private) if private is not None else None)
