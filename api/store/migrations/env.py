"""Alembic environment: always run programmatically on the connection :class:`~api.store.database.Database` passes.

There is no ``alembic.ini``: the database opens its engine, takes a lock, and calls
``alembic.command.upgrade(config, "head")`` with ``config.attributes["connection"]`` set,
so a migration runs in the caller's transaction (and a second process waits for it).
"""

from __future__ import annotations

from alembic import context

from api.store.models import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the migrations through api.store.database.Database (no alembic.ini is shipped)")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
