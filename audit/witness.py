"""Witness statements and cosignatures: what a witness signs with their own key.

A witness (notary, parent representative) holds an Ed25519 key registered in
``sources.declare``. Everything a witness contributes is a statement signed by that key,
so the operator who runs the log can record a witness's act but can never make one up:

* a **statement** (commit, reveal, forfeit) is a C2SP signed note whose text is ::

      sunshine witness statement/v1
      origin <log origin>
      action <commit | reveal | forfeit>
      witness <witness name>
      checkpoint <tree size> <base64 root>
      <field> <value>                      (commit: commitment; reveal: value, salt)

  The ``checkpoint`` line names the checkpoint the witness has cosigned and acts upon
  (the one after ``sources.declare`` for a commit, the COMMITTED one for a reveal or
  forfeit), so a statement cannot be replayed into another run or another branch of
  the same run. Field values are canonical text (:func:`audit.spelling.canonical_text`).
* a **cosignature** is a C2SP tlog-cosignature/v1 line on a checkpoint of the run's log:
  ``— <name> base64(key ID ‖ u64be(time) ‖ Ed25519(cosignature/v1\\ntime <t>\\n ‖ body))``
  with key ID ``SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]`` (https://c2sp.org/tlog-cosignature).

Everything here is pure: keys, texts and checkpoints in, verdicts out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from audit.errors import SignatureInvalid, VerificationError
from audit.signing import Checkpoint, Signer, Verifier, format_checkpoint, open_note, sign_note
from audit.spelling import canonical_text

__all__ = [
    "COSIGNATURE_HEADER",
    "STATEMENT_HEADER",
    "Statement",
    "cosign",
    "cosignature_key_id",
    "open_statement",
    "sign_statement",
    "statement_text",
    "verify_cosignature",
]

STATEMENT_HEADER = "sunshine witness statement/v1"
COSIGNATURE_HEADER = "cosignature/v1"
_COSIGNATURE_TYPE = b"\x04"
_SIG_PREFIX = "\u2014 "


@dataclass(frozen=True)
class Statement:
    """An opened witness statement: who, what, on which checkpoint, and its fields."""

    origin: str
    action: str
    witness: str
    checkpoint_size: int
    checkpoint_root: bytes
    fields: dict[str, str]


def statement_text(origin: str, action: str, witness: str, checkpoint: Checkpoint,
                   fields: dict[str, str]) -> str:
    """The exact text a witness signs (fields in the given order, each ``key value`` on one line)."""
    lines = [STATEMENT_HEADER, f"origin {origin}", f"action {action}",
             f"witness {canonical_text(witness, field='witness')}",
             f"checkpoint {checkpoint.size} {base64.b64encode(checkpoint.root).decode()}"]
    for key, value in fields.items():
        lines.append(f"{key} {canonical_text(value, field=key)}")
    return "\n".join(lines) + "\n"


def sign_statement(signer: Signer, origin: str, action: str, witness: str, checkpoint: Checkpoint,
                   fields: dict[str, str]) -> str:
    """A witness statement signed with the witness's own key (a C2SP signed note)."""
    return sign_note(statement_text(origin, action, witness, checkpoint, fields), [signer])


def open_statement(note: str, key: Verifier, *, step: str = "ceremony") -> Statement:
    """Verify ``note`` against the witness's registered ``key`` and parse it; VerificationError otherwise."""
    text, _ = open_note(note, [key], step=step)
    lines = text.split("\n")[:-1]
    try:
        if lines[0] != STATEMENT_HEADER:
            raise ValueError("header")
        head = dict(line.split(" ", 1) for line in lines[1:5])
        size_text, root_b64 = head["checkpoint"].split(" ")
        if not size_text.isdigit():
            raise ValueError("size")
        fields = dict(line.split(" ", 1) for line in lines[5:])
        return Statement(head["origin"], head["action"], head["witness"], int(size_text),
                         base64.b64decode(root_b64, validate=True), fields)
    except (ValueError, KeyError, IndexError, binascii.Error) as exc:
        raise VerificationError(step, "witness statement", "见证人声明格式错误", "malformed witness statement") from exc


def cosignature_key_id(name: str, public_key: bytes) -> bytes:
    """The C2SP cosignature/v1 key ID: ``SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]``."""
    return hashlib.sha256(name.encode() + b"\n" + _COSIGNATURE_TYPE + public_key).digest()[:4]


def _cosigned_message(checkpoint: Checkpoint, timestamp: int) -> bytes:
    return f"{COSIGNATURE_HEADER}\ntime {timestamp}\n{format_checkpoint(checkpoint)}".encode()


def cosign(signer: Signer, checkpoint: Checkpoint, timestamp: int) -> str:
    """A cosignature line (``— name base64(…)``, no newline) on ``checkpoint`` at POSIX time ``timestamp``."""
    if not 0 <= timestamp < 2**63:
        raise ValueError("timestamp out of range")
    sig = signer.sign(_cosigned_message(checkpoint, timestamp))
    raw = cosignature_key_id(signer.name, signer.verifier.public_key) + timestamp.to_bytes(8, "big") + sig
    return f"{_SIG_PREFIX}{signer.name} {base64.b64encode(raw).decode()}"


def verify_cosignature(line: str, key: Verifier, checkpoint: Checkpoint, *, step: str = "ceremony") -> int:
    """Check a cosignature line by ``key`` on ``checkpoint``; return its timestamp. SignatureInvalid otherwise."""
    if not line.startswith(_SIG_PREFIX) or line.count(" ") != 2:
        raise SignatureInvalid(step, key.name, "联署格式错误", "malformed cosignature line")
    name, b64 = line[len(_SIG_PREFIX):].split(" ")
    try:
        raw = base64.b64decode(b64, validate=True)
    except binascii.Error as exc:
        raise SignatureInvalid(step, key.name, "联署 base64 错误", "bad base64 in cosignature") from exc
    if name != key.name or len(raw) != 4 + 8 + 64 or raw[:4] != cosignature_key_id(key.name, key.public_key):
        raise SignatureInvalid(step, key.name, "联署不是该见证人的密钥", "cosignature is not by this witness's key")
    timestamp = int.from_bytes(raw[4:12], "big")
    if timestamp >= 2**63 or not key.verify(_cosigned_message(checkpoint, timestamp), raw[12:]):
        raise SignatureInvalid(step, key.name, "联署签名无效",
                               f"cosignature by {key.name} is invalid for this checkpoint")
    return timestamp
