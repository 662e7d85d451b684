"""A throwaway PostgreSQL server for the tests: ``initdb`` + ``pg_ctl start`` on temporary folders.

The server listens on a Unix socket in its own temporary folder and on a free TCP port of
127.0.0.1 only, trusts local connections, and is stopped (``pg_ctl stop -m immediate``) and
removed at the end of the test session. PostgreSQL refuses to run as root, so when the tests
run as root the server runs as the unprivileged user ``nobody`` (through ``runuser``), with
its folders owned by that user (a system user ``sunshine-pg`` is created if ``nobody`` is missing).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PostgresServer", "find_pg_bin"]

_USER = "nobody"
_FALLBACK_USER = "sunshine-pg"  # created (system user, no home) when this machine has no "nobody"


def find_pg_bin() -> Path | None:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres`` (newest Debian version first), or None."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
                        if Path(p).parent.name.isdigit() else 0, reverse=True)
    found = shutil.which("initdb")
    if found:
        candidates.append(str(Path(found).resolve().parent))
    for folder in candidates:
        if all((Path(folder) / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    return None


def _server_user() -> str | None:
    """The unprivileged user the server runs as when we are root (None: run it as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in (_USER, _FALLBACK_USER):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", _FALLBACK_USER],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return _FALLBACK_USER


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class PostgresServer:
    """One running server; :meth:`create_database` gives each test its own empty database."""

    bin: Path
    root: Path
    port: int
    as_user: str | None
    databases: int = 0

    @classmethod
    def start(cls, bin_dir: Path) -> PostgresServer:
        as_user = _server_user()
        # Directly in /tmp when the server runs as another user: $TMPDIR may not be reachable by it.
        root = Path(tempfile.mkdtemp(prefix="sunshine-pg-", dir="/tmp" if as_user else None))
        if as_user:
            shutil.chown(root, as_user)
        server = cls(bin_dir, root, _free_port(), as_user)
        server._run(["initdb", "-D", str(root / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                     "--no-locale", "--no-sync"])
        (root / "socket").mkdir()
        if as_user:
            shutil.chown(root / "socket", as_user)
        options = (f"-c listen_addresses=127.0.0.1 -p {server.port} -k {root / 'socket'} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        try:
            server._run(["pg_ctl", "-D", str(root / "data"), "-l", str(root / "server.log"), "-o", options,
                         "-w", "-t", "60", "start"])
        except subprocess.CalledProcessError:
            log = (root / "server.log").read_text(errors="replace") if (root / "server.log").exists() else ""
            shutil.rmtree(root, ignore_errors=True)
            raise RuntimeError(f"PostgreSQL did not start:\n{log}") from None
        return server

    def _run(self, argv: Sequence[str]) -> None:
        cmd = [str(self.bin / argv[0]), *argv[1:]]
        if self.as_user:
            cmd = ["runuser", "-u", self.as_user, "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=self.root)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    def create_database(self) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        import psycopg

        self.databases += 1
        name = f"test_{self.databases}"
        with psycopg.connect(host=str(self.socket_dir), port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"'.encode())
        return self.url(name)

    def clone_database(self, url: str) -> str:
        """A copy of the database at ``url`` (``CREATE DATABASE … TEMPLATE``; nobody may be connected to it)."""
        import psycopg

        self.databases += 1
        name, source = f"test_{self.databases}", url.rsplit("/", 1)[1]
        with psycopg.connect(host=str(self.socket_dir), port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'.encode())
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(["pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop"])
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
