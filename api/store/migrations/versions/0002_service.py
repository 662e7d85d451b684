"""The service's tables: users (hashed tokens), run settings (options, 复核 links), idempotency keys,
background jobs (progress), and witness cosignatures of a published checkpoint.

None of these is audit evidence on its own: what a run is and did stays in ``log_entries``.
Settings are copied into the log when they matter (options become part of the config hash);
cosignatures of the published checkpoint are signed by the witnesses and are checked by
``sunshine verify`` from the bundle, where the service adds them as ``cosignatures.json``.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created", sa.String(64), nullable=False),
        sa.Column("revoked", sa.Integer, nullable=False),
        sa.Column("witness_key", sa.Text, nullable=True),
        sa.CheckConstraint("role IN ('operator', 'witness', 'auditor')", name="ck_users_role"),
    )
    op.create_table(
        "run_settings",
        sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.run_id"), primary_key=True),
        sa.Column("options", sa.Text, nullable=False),
        sa.Column("parent_run_id", sa.String(64), sa.ForeignKey("runs.run_id"), nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_table(
        "idempotency",
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("user_name", "key"),
    )
    op.create_table(
        "jobs",
        sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.run_id"), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("percent", sa.Integer, nullable=False),
        sa.Column("step", sa.Text, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("run_id", "action"),
    )
    op.create_table(
        "published_cosignatures",
        sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.run_id"), nullable=False),
        sa.Column("witness", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("cosignature", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("run_id", "witness"),
    )


def downgrade() -> None:
    for table in ("published_cosignatures", "jobs", "idempotency", "run_settings", "users"):
        op.drop_table(table)
