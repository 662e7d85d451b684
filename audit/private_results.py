"""Salted commitments to a run's private result files: the class lists with names that schools post.

A school posts ``placement.csv`` (student id, name, class) on its wall. The file is private (it
has names), so it is not in the bundle and step 12 of verify can only call it "NOT proven": an
edited posted list (a child moved to another class, a name changed) was proven by nothing. So
``run.execute`` signs, for every private result file of the run (``placement.csv`` and
``placement.xlsx`` of the classes kind, ``private/contacts.csv`` of the points kind):

    private_results[name] = hex SHA-256(salt ‖ bytes),
    salt = HMAC-SHA256(roster_secret, enc("sunshine/v1/private-result-salt") ‖ enc(name))

A plain hash of a small class list could be brute-forced from public data (the public
``placement_public.csv`` gives ids and classes; names come from a short list), so the hash
is salted with a 32-byte secret nobody outside the office can derive: the run's roster secret
is 32 fresh random bytes per run (ceremony and practice alike), never derived from the seed or
anything public, and HMAC keeps it hidden from whoever holds a file's salt. The salt is written
to ``audit-private/private_salts.json`` (0600) and handed to the school with its list; anyone
holding list + salt checks them against the signed bundle with ``sunshine verify-posted``.
Deriving it (instead of storing another secret) keeps a rebuild of the same run byte-identical.
Pure, no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from audit.errors import VerificationError
from audit.step_line import StepLine
from engine.randomness import encode_str

__all__ = ["SALT_TAG", "private_result_hash", "private_result_hashes", "private_salt", "verify_posted"]

SALT_TAG = "sunshine/v1/private-result-salt"


def private_salt(roster_secret: bytes, name: str) -> bytes:
    """The 32-byte salt of private result file ``name`` of the run with ``roster_secret``."""
    return hmac.digest(roster_secret, encode_str(SALT_TAG) + encode_str(name), "sha256")


def private_result_hash(salt: bytes, data: bytes) -> str:
    """``hex SHA-256(salt ‖ data)``: what ``run.execute`` signs for a private file."""
    return hashlib.sha256(salt + data).hexdigest()


def private_result_hashes(private: Mapping[str, bytes], roster_secret: bytes) -> dict[str, str]:
    """The ``private_results`` of ``run.execute``: every private file's salted hash, by name."""
    return {name: private_result_hash(private_salt(roster_secret, name), data)
            for name, data in sorted(private.items())}


def verify_posted(private_results: Mapping[str, str], name: str, salt: bytes, data: bytes) -> StepLine:
    """Step ``posted``: ``data`` with ``salt`` hashes to the signed commitment of private file ``name``.

    Raises :class:`VerificationError` (step ``posted``) when ``name`` is not committed by the run
    or the posted bytes differ from what was committed (a name, a class, a row changed).
    """
    want = private_results.get(name)
    if want is None:
        raise VerificationError("posted", name, f"本次运行没有承诺名为 {name} 的名单（已承诺："
                                f"{'、'.join(sorted(private_results)) or '无'}）",
                                f"the run commits no private file named {name!r} (committed: "
                                f"{', '.join(sorted(private_results)) or 'none'})")
    if private_result_hash(salt, data) != want:
        raise VerificationError("posted", name,
                                f"张贴的 {name} 与运行记录中签名承诺的名单不同（或盐值不对）：不是本次运行的名单",
                                f"the posted {name} is not the list the run committed (its salted SHA-256 differs "
                                "from the one signed in run.execute; or the salt is wrong)")
    return StepLine(f"posted: {name} ({len(data)} bytes) is the list the run committed: salted SHA-256 "
                    f"{want[:16]}… signed in run.execute", f"张贴名单：{name}（{len(data)} 字节）与运行记录中签名承诺的"
                    f"名单一致（加盐 SHA-256 {want[:16]}…）")
