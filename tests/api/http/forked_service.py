"""A :class:`ServiceProcess` started by the fork server (:mod:`fork_server`): restarts in a fraction of a second.

Same command, same data folder, same database and port on every restart, as a bureau's
process supervisor would restart it; users are added in this process straight into the
database (``api.service.users.add_user``, what ``sunshine users add`` calls) instead of by a
``sunshine`` subprocess each.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from service_process import ServiceProcess

from api.http.server import prepare_data
from api.service.users import add_user
from api.store.database import Database

__all__ = ["ForkServer", "ForkedService", "fork_server"]

_SCRIPT = Path(__file__).with_name("fork_server.py")


class ForkServer:
    """The running fork server: :meth:`spawn` starts one ``sunshine`` process, answers its pid."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, str(_SCRIPT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})

    def spawn(self, argv: list[str], log: Path) -> int:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"argv": argv, "log": str(log)}) + "\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(60)


@contextmanager
def fork_server() -> Iterator[ForkServer]:
    server = ForkServer()
    try:
        yield server
    finally:
        server.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@dataclass
class ForkedService(ServiceProcess):
    """A service process forked by ``forks``; ``pid`` while it runs."""

    forks: ForkServer | None = None
    pid: int | None = None

    def start(self) -> ForkedService:
        assert self.forks is not None and self.pid is None
        self.data.parent.mkdir(parents=True, exist_ok=True)
        log = self.data.parent / f"serve-{self.port}.log"
        pid = self.pid = self.forks.spawn(["serve", "--port", str(self.port), *self._db_args(), *self.extra], log)
        try:
            self.wait_healthy(lambda: _alive(pid))
        except RuntimeError:
            self.kill()
            raise
        return self

    def _signal(self, sig: signal.Signals) -> None:
        if self.pid is None:
            return
        with suppress(ProcessLookupError):  # already gone
            os.kill(self.pid, sig)
        deadline = time.monotonic() + 30
        while _alive(self.pid):
            if time.monotonic() > deadline:
                with suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
            time.sleep(0.01)
        self.pid = None

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, no transaction is finished."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        self._signal(signal.SIGTERM)

    def add_user(self, name: str, role: str) -> str:
        url, _signer = prepare_data(self.data, self.database)
        db = Database(url)
        try:
            return add_user(db, name, role)
        finally:
            db.close()
