"""Starting the service: the data folder, the service key, the database, and uvicorn.

``sunshine serve`` (:mod:`api.cli.serve`) calls :func:`serve`. The data folder (default
``./sunshine-data/``, mode 0700) holds the service's Ed25519 log key ``service.key`` (0600,
created on first start; its public key is ``GET /api/v1/keys`` and what auditors pin) and,
when no ``--database`` is given, the embedded SQLite file ``sunshine.db``, created and
migrated on first start. With several workers each process builds its own context from the
same settings (passed in the environment, as uvicorn's factory mode needs).
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from api.audit_runs import load_signer, write_key_file
from api.http.app import create_app
from api.http.context import ServiceContext
from api.store.database import Database, sqlite_url
from audit.signing import Signer

__all__ = ["Settings", "app_from_environment", "free_port", "prepare_data", "running_server", "serve"]

_SETTINGS_VARIABLE = "SUNSHINE_SERVE_SETTINGS"
#: uvloop and httptools by name, not uvicorn's "auto" (which quietly falls back to the pure-Python
#: asyncio loop and h11 parser when they are missing): they are declared dependencies, and the
#: results-hour lookup rate depends on them (benchmarks/RESULTS.md § service).
_UVICORN: dict[str, Any] = {"loop": "uvloop", "http": "httptools", "log_level": "warning"}
KEY_NAME = "sunshine-service"


@dataclass(frozen=True)
class Settings:
    """What a server process needs to build its context."""

    data: str
    database: str
    fixed_time: str | None = None
    lookup_rate: int = 30
    what_if_rate: int = 6


def prepare_data(data: Path, database: str | None) -> tuple[str, Signer]:
    """Create the data folder (0700) and the service key (0600) if missing; the database URL and the key."""
    data.mkdir(parents=True, exist_ok=True, mode=0o700)
    key_file = data / "service.key"
    if not key_file.exists():
        write_key_file(key_file, Signer.generate(KEY_NAME))
    url = database or sqlite_url(data / "sunshine.db")
    return url, load_signer(key_file)


def context(settings: Settings) -> ServiceContext:
    url, signer = prepare_data(Path(settings.data), settings.database)
    return ServiceContext(Database(url), signer, fixed_time=settings.fixed_time, lookup_rate=settings.lookup_rate,
                          what_if_rate=settings.what_if_rate)


def app_from_environment() -> FastAPI:
    """uvicorn's factory for worker processes: the settings come from the environment."""
    settings = Settings(**json.loads(os.environ[_SETTINGS_VARIABLE]))
    return create_app(context(settings))


def serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    """Run uvicorn until interrupted (one process, or ``workers`` processes sharing the port)."""
    if workers > 1:
        os.environ[_SETTINGS_VARIABLE] = json.dumps(asdict(settings))
        uvicorn.run("api.http.server:app_from_environment", factory=True, host=host, port=port, workers=workers,
                    **_UVICORN)
    else:
        uvicorn.run(create_app(context(settings)), host=host, port=port, **_UVICORN)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def running_server(settings: Settings) -> Iterator[str]:
    """A server on a free port of 127.0.0.1 in a thread of this process, for as long as the block runs."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(context(settings)), host="127.0.0.1", port=port, **_UVICORN))
    thread = threading.Thread(target=server.run, name="sunshine-serve", daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the service did not start")
        threading.Event().wait(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()
