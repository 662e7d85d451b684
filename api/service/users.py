"""People who may change runs: operators, witnesses and auditors, each with a bearer token.

A token is 32 random bytes (``secrets.token_urlsafe``), shown once when the user is added and
stored only as its SHA-256: a stolen database gives no usable token, and because tokens are
high-entropy random strings a plain hash (no slow KDF) is the right tool. Lookup is by that
hash (an index probe, so the time taken does not depend on how much of a guess matches), and
the stored hash is compared once more with :func:`hmac.compare_digest`.

Roles (docs/service.md § Roles): ``operator`` (the bureau: every step but witnessing),
``witness`` (notary, parent representative: only their own commit, reveal and cosignatures),
``auditor`` (every public thing plus the full log). The public needs no user.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from api.store.database import Database
from api.store.models import ROLES, users
from audit.signing import Verifier
from engine.errors import SunshineError

__all__ = ["ROLES", "User", "UserError", "add_user", "authenticate", "list_users", "revoke_user",
           "set_witness_key", "token_hash"]

_NAME = re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]{1,64}$")


class UserError(SunshineError):
    """A user cannot be added, found or changed (name taken, unknown role, no such user)."""


@dataclass(frozen=True)
class User:
    """A signed-in person: name (the actor recorded in the log), role, and a witness's public key."""

    name: str
    role: str
    revoked: bool = False
    created: str = ""
    witness_key: str | None = None


def token_hash(token: str) -> str:
    """What is stored for a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(db: Database, name: str, role: str) -> str:
    """Add ``name`` with ``role``; returns the one-time token (never stored, never shown again)."""
    if role not in ROLES:
        raise UserError(f"未知角色 {role!r}（可用：{'、'.join(ROLES)}）",
                        f"unknown role {role!r} (one of {', '.join(ROLES)})")
    if not _NAME.match(name):
        raise UserError(f"用户名 {name!r} 无效（1–64 个字母、数字、汉字或 _.-）",
                        f"invalid user name {name!r} (1-64 letters, digits, Chinese characters or _.-)")
    token = secrets.token_urlsafe(32)
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        with db.writing() as conn:
            conn.execute(insert(users).values(name=name, role=role, token_hash=token_hash(token), created=created,
                                              revoked=0, witness_key=None))
    except IntegrityError as exc:
        raise UserError(f"用户 {name} 已存在", f"a user {name!r} already exists") from exc
    return token


def list_users(db: Database) -> list[User]:
    """Every user, by name (tokens are never listed: only their hashes are stored)."""
    with db.reading() as conn:
        return [User(r.name, r.role, bool(r.revoked), r.created, r.witness_key)
                for r in conn.execute(select(users).order_by(users.c.name))]


def revoke_user(db: Database, name: str) -> None:
    """Revoke ``name``'s token at once (the user stays listed, so the log's actors stay explained)."""
    with db.writing() as conn:
        if conn.execute(update(users).where(users.c.name == name).values(revoked=1)).rowcount != 1:
            raise UserError(f"没有用户 {name}", f"there is no user {name!r}")


def authenticate(db: Database, token: str) -> User | None:
    """The user holding ``token``, or None (unknown or revoked)."""
    digest = token_hash(token)
    with db.reading() as conn:
        row = conn.execute(select(users).where(users.c.token_hash == digest)).one_or_none()
    if row is None or row.revoked or not hmac.compare_digest(row.token_hash, digest):
        return None
    return User(row.name, row.role, False, row.created, row.witness_key)


def set_witness_key(db: Database, name: str, vkey: str) -> None:
    """Register a witness's own Ed25519 verifier key (a signed-note key ``name+hash+base64``).

    The operator declares witnesses by name; the keys come from here, set by each witness
    themselves, so the operator cannot substitute a key of their own.
    """
    key = Verifier.from_vkey(vkey)
    if key.name != name:
        raise UserError(f"公钥名称 {key.name} 与用户名 {name} 不一致",
                        f"the key's name {key.name!r} is not the witness's user name {name!r}")
    with db.writing() as conn:
        conn.execute(update(users).where(users.c.name == name).values(witness_key=vkey))
