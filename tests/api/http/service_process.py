"""A real ``sunshine serve`` in a subprocess on 127.0.0.1 and a free port, for the service tests.

The server is the installed command itself (no in-process app): uvicorn, the database
(a SQLite file or a PostgreSQL URL) and the data folder as a bureau would run them. Users are
added with ``sunshine users add`` (its token is the last line of its output).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from api.placement_day import Witness, register_witness_key
from audit.signing import Signer

__all__ = ["DAY_TIME", "ServiceProcess", "sunshine"]

#: The rehearsal clock of the samples' day (the declared drand round 657413 is due after it).
DAY_TIME = "2023-09-15T08:00:00Z"
_SUNSHINE = [sys.executable, "-m", "api.cli"]


def sunshine(*args: str) -> str:
    """Run a ``sunshine`` command; its stdout (raises on a non-zero exit, with its stderr)."""
    r = subprocess.run([*_SUNSHINE, *args], capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise RuntimeError(f"sunshine {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class ServiceProcess:
    """One server process over ``data`` (and ``database``, a URL, or None for the folder's SQLite file)."""

    data: Path
    database: str | None = None
    extra: tuple[str, ...] = ("--fixed-time", DAY_TIME, "--lookup-rate", "0", "--what-if-rate", "0")
    port: int = field(default_factory=_free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _db_args(self) -> list[str]:
        return ["--data", str(self.data), *(["--database", self.database] if self.database else [])]

    def start(self) -> ServiceProcess:
        log = open(self.data.parent / f"serve-{self.port}.log", "ab")  # noqa: SIM115 (kept open by the child)
        self.proc = subprocess.Popen([*_SUNSHINE, "serve", "--port", str(self.port), *self._db_args(), *self.extra],
                                     stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        proc = self.proc
        self.wait_healthy(lambda: proc.poll() is None)
        return self

    def wait_healthy(self, alive: Callable[[], bool]) -> None:
        """Until ``/health`` answers 200 (raises with the server's log if ``alive()`` turns false first)."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if not alive():
                log = (self.data.parent / f"serve-{self.port}.log").read_text(errors="replace")
                raise RuntimeError(f"server exited: {log}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
        raise RuntimeError("server did not answer /health in 120 s")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs."""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)
            self.proc = None

    def add_user(self, name: str, role: str) -> str:
        return sunshine("users", "add", name, "--role", role, *self._db_args()).strip().splitlines()[-1]

    def witness(self, name: str, value: str, salt: str) -> Witness:
        """A witness user with their own key, registered through the API."""
        w = Witness(name, self.add_user(name, "witness"), Signer.generate(name), value, salt)
        register_witness_key(self.url, w)
        return w

    def service_key(self) -> str:
        key: str = httpx.get(f"{self.url}/api/v1/keys").json()["log_key"]
        return key
