"""Alembic migrations of the run database (applied by :class:`api.store.database.Database` on first use)."""
