"""Fixtures of the service tests: a PostgreSQL server for the session, service processes per database."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))  # pg_server, shared with the store tests

from forked_service import ForkServer, fork_server
from pg_server import PostgresServer, find_pg_bin
from service_process import ServiceProcess


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


def start_service(tmp: Path, backend: str, request: pytest.FixtureRequest) -> ServiceProcess:
    database = request.getfixturevalue("pg_server").create_database() if backend == "postgresql" else None
    return ServiceProcess(tmp / "data", database).start()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def service(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    """A running service per database kind, shared by the tests of one module."""
    proc = start_service(tmp_path_factory.mktemp(f"service-{request.param}"), request.param, request)
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="session")
def forks() -> Iterator[ForkServer]:
    """One fork server for the session's fault tests (:mod:`fork_server`): fast server restarts."""
    with fork_server() as server:
        yield server
