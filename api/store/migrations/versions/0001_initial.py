"""The run database: runs, keys, the append-only log, private data, content-addressed files.

Written by hand (not generated from :mod:`api.store.models`, which must agree with it: see
``tests/api/store/test_migrations.py``). The triggers make the log append-only in the
database itself, so no code path, old or new, and no hand-typed SQL can rewrite history.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_REFUSED = "log_entries is append-only: UPDATE and DELETE are refused"

_SQLITE_TRIGGERS = [
    f"CREATE TRIGGER log_entries_no_update BEFORE UPDATE ON log_entries "
    f"BEGIN SELECT RAISE(ABORT, '{_REFUSED}'); END",
    f"CREATE TRIGGER log_entries_no_delete BEFORE DELETE ON log_entries "
    f"BEGIN SELECT RAISE(ABORT, '{_REFUSED}'); END",
]

_POSTGRESQL_TRIGGERS = [
    "CREATE FUNCTION log_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{_REFUSED} (% on %)', TG_OP, TG_TABLE_NAME; END $$",
    "CREATE TRIGGER log_entries_no_update_delete BEFORE UPDATE OR DELETE ON log_entries "
    "FOR EACH ROW EXECUTE FUNCTION log_entries_append_only()",
    # TRUNCATE skips row triggers: refuse it too.
    "CREATE TRIGGER log_entries_no_truncate BEFORE TRUNCATE ON log_entries "
    "FOR EACH STATEMENT EXECUTE FUNCTION log_entries_append_only()",
]


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("origin", sa.String(200), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("log_size", sa.Integer, nullable=False),
    )
    op.create_table(
        "run_keys",
        sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.run_id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("vkey", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("run_id", "position"),
        sa.UniqueConstraint("run_id", "vkey", name="uq_run_keys_vkey"),
    )
    op.create_table(
        "log_entries",
        sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.run_id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("time", sa.String(64), nullable=True),
        sa.Column("payload_hash", sa.String(64), nullable=False),
        sa.Column("prev", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("checkpoint", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("run_id", "seq"),
        sa.UniqueConstraint("run_id", "prev", name="uq_log_entries_prev"),
    )
    op.create_table(
        "run_private",
        sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.run_id"), primary_key=True),
        sa.Column("roster_secret", sa.LargeBinary, nullable=False),
        sa.Column("private_fields", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "blobs",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "run_files",
        sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.run_id"), nullable=False),
        sa.Column("section", sa.String(16), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("digest", sa.String(64), sa.ForeignKey("blobs.digest"), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "section", "name"),
        sa.CheckConstraint("section IN ('source', 'prepared', 'result', 'publication')",
                           name="ck_run_files_section"),
    )
    dialect = op.get_bind().dialect.name
    for statement in _POSTGRESQL_TRIGGERS if dialect == "postgresql" else _SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER log_entries_no_truncate ON log_entries")
        op.execute("DROP TRIGGER log_entries_no_update_delete ON log_entries")
        op.execute("DROP FUNCTION log_entries_append_only()")
    else:
        op.execute("DROP TRIGGER log_entries_no_delete")
        op.execute("DROP TRIGGER log_entries_no_update")
    for table in ("run_files", "blobs", "run_private", "log_entries", "run_keys", "runs"):
        op.drop_table(table)
