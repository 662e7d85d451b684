"""The tables of the run database (SQLAlchemy Core), as the Alembic migrations create them.

This module is the description the code reads and writes through; the migrations under
``api/store/migrations/versions/`` are written by hand and create the same schema (a test,
``tests/api/store/test_database_integrity.py``, checks with Alembic's ``compare_metadata`` that the
two agree). Change both together, in a new migration.

Tables (``docs/architecture.md`` § The database store):

* ``runs``: one row per run, its identity and ``state``/``log_size``, which are written only
  in the transaction that appends a log row and are derived by replaying that log;
* ``run_keys``: every operator verifier key that signed, in first-use order;
* ``log_entries``: the audit log, one row per entry with its payload and the signed
  checkpoint of the log size it makes; append-only (database triggers refuse UPDATE and
  DELETE), ``(run_id, seq)`` and ``(run_id, prev)`` unique so two racing writers cannot both append;
* ``run_private``: the roster secret and the private fields (names, ID numbers), apart from
  everything else;
* ``blobs``: file contents by SHA-256 hex digest (deduplicated across runs);
* ``run_files``: which blob each named file of a run is, per section (``source`` inputs,
  ``prepared`` config and roster, ``result`` files of ``run.execute``, ``publication``).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = [
    "ROLES",
    "SECTIONS",
    "blobs",
    "idempotency",
    "jobs",
    "log_entries",
    "metadata",
    "published_cosignatures",
    "run_files",
    "run_keys",
    "run_private",
    "run_settings",
    "runs",
    "users",
]

#: The sections of ``run_files``.
SECTIONS = ("source", "prepared", "result", "publication")

metadata = MetaData()

runs = Table(
    "runs", metadata,
    Column("run_id", String(64), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("origin", String(200), nullable=False),
    Column("title", Text, nullable=False),
    Column("state", String(32), nullable=False),
    Column("log_size", Integer, nullable=False),
)

run_keys = Table(
    "run_keys", metadata,
    Column("run_id", String(64), ForeignKey("runs.run_id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("vkey", Text, nullable=False),
    PrimaryKeyConstraint("run_id", "position"),
    UniqueConstraint("run_id", "vkey", name="uq_run_keys_vkey"),
)

log_entries = Table(
    "log_entries", metadata,
    Column("run_id", String(64), ForeignKey("runs.run_id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(64), nullable=False),
    Column("time", String(64), nullable=True),
    Column("payload_hash", String(64), nullable=False),
    Column("prev", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False),
    Column("payload", Text, nullable=False),
    Column("checkpoint", Text, nullable=False),
    PrimaryKeyConstraint("run_id", "seq"),
    UniqueConstraint("run_id", "prev", name="uq_log_entries_prev"),
)

run_private = Table(
    "run_private", metadata,
    Column("run_id", String(64), ForeignKey("runs.run_id"), primary_key=True),
    Column("roster_secret", LargeBinary, nullable=False),
    Column("private_fields", LargeBinary, nullable=False),
)

blobs = Table(
    "blobs", metadata,
    Column("digest", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

run_files = Table(
    "run_files", metadata,
    Column("run_id", String(64), ForeignKey("runs.run_id"), nullable=False),
    Column("section", String(16), nullable=False),
    Column("name", Text, nullable=False),
    Column("digest", String(64), ForeignKey("blobs.digest"), nullable=False),
    PrimaryKeyConstraint("run_id", "section", "name"),
    CheckConstraint("section IN ('source', 'prepared', 'result', 'publication')", name="ck_run_files_section"),
)

# ---- the service's tables (migration 0002) -----------------------------------------------------

#: The roles of the service (docs/service.md § Roles).
ROLES = ("operator", "witness", "auditor")

users = Table(
    "users", metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created", String(64), nullable=False),
    Column("revoked", Integer, nullable=False),
    Column("witness_key", Text, nullable=True),
    CheckConstraint("role IN ('operator', 'witness', 'auditor')", name="ck_users_role"),
)

run_settings = Table(
    "run_settings", metadata,
    Column("run_id", String(64), ForeignKey("runs.run_id"), primary_key=True),
    Column("options", Text, nullable=False),
    Column("parent_run_id", String(64), ForeignKey("runs.run_id"), nullable=True),
    Column("reason", Text, nullable=False),
)

idempotency = Table(
    "idempotency", metadata,
    Column("user_name", String(64), nullable=False),
    Column("key", String(200), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("body", LargeBinary, nullable=False),
    PrimaryKeyConstraint("user_name", "key"),
)

jobs = Table(
    "jobs", metadata,
    Column("run_id", String(64), ForeignKey("runs.run_id"), nullable=False),
    Column("action", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("percent", Integer, nullable=False),
    Column("step", Text, nullable=False),
    Column("error", Text, nullable=False),
    PrimaryKeyConstraint("run_id", "action"),
)

published_cosignatures = Table(
    "published_cosignatures", metadata,
    Column("run_id", String(64), ForeignKey("runs.run_id"), nullable=False),
    Column("witness", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("cosignature", Text, nullable=False),
    PrimaryKeyConstraint("run_id", "witness"),
)
