"""Fixtures of the store tests: a PostgreSQL server for the session, and one factory per store kind.

Every store is real: a run folder, a SQLite file, a database on a PostgreSQL server these
fixtures start themselves (skipped, with the reason shown, only when no server binary exists).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "audit"))  # fake_kind: the fake run kinds

from pg_server import PostgresServer, find_pg_bin
from store_fixtures import StoreFactory


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binary (initdb, pg_ctl, postgres) found: install Debian's postgresql")
    server = PostgresServer.start(bin_dir)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> str:
    """The URL of a new, empty database on the session's server."""
    return pg_server.create_database()


@pytest.fixture(params=["directory", "sqlite", "postgresql"])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Each store kind in turn (the PostgreSQL server starts only when a test asks for it)."""
    kind = request.param
    location = (request.getfixturevalue("pg_url") if kind == "postgresql"
                else str(tmp_path / ("runs.db" if kind == "sqlite" else "run")))
    factory = StoreFactory(kind, location)
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty database of each kind (as a URL)."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("pg_url")
        return url
    from api.store.database import sqlite_url

    return sqlite_url(tmp_path / "runs.db")
