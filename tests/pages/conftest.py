"""The pages' fixtures: one real ``sunshine serve --demo`` on 127.0.0.1 and one headless Debian Chromium.

The server is the real command in a child process with its own data folder (embedded SQLite), loaded
with the samples (one published run per kind) and the demo users, whose tokens it writes under
``<data>/demo-keys/``. Playwright drives the system's ``chromium`` (``executable_path``; it downloads
no browser). Screenshots go to ``tests/pages/artifacts/`` (gitignored) for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))  # the shared browser
from chromium_session import save_full_page, shared_browser

from api.cli import load_commands
from api.http.server import free_port

load_commands()  # imports the service modules in their working order

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
#: Loading the demo runs three whole placement days before the server answers.
START_LIMIT_S = 600.0
#: The rehearsal clock of the samples' drand round (``--fixed-time``), so a whole day fits in a test:
#: the reveal deadline and drand round 657413 of samples/beacons/ are still ahead of it.
REHEARSAL_TIME = "2023-09-15T08:00:00Z"
#: Optional: a data folder ``sunshine serve --demo`` has loaded before (copied, so that it stays as it was).
LOADED_DATA = "SUNSHINE_PAGES_DEMO_DATA"


@dataclass(frozen=True)
class Service:
    """The running server: its base URL, data folder and the demo runs by kind."""

    url: str
    data: Path
    runs: dict[str, str]

    def token(self, user: str) -> str:
        return (self.data / "demo-keys" / f"{user}.token").read_text(encoding="utf-8").strip()

    def api(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=f"{self.url}/api/v1", headers=headers, timeout=60)


@pytest.fixture(scope="session")
def browser() -> Any:
    """The session's one Chromium (:mod:`chromium_session`)."""
    return shared_browser()


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    data = tmp_path_factory.mktemp("pages") / "data"
    loaded = os.environ.get(LOADED_DATA)
    if loaded:  # a copy of a folder the demo was loaded into: the same command, without loading it again
        shutil.copytree(loaded, data)
    port = free_port()
    log = (data.parent / "serve.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-c", "from api.cli import main; main()", "serve", "--demo",
                             "--data", str(data), "--host", "127.0.0.1", "--port", str(port),
                             "--fixed-time", REHEARSAL_TIME],
                            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_LIMIT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"sunshine serve exited: {(data.parent / 'serve.log').read_text(errors='replace')}")
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("sunshine serve --demo did not answer /api/v1/health")
            time.sleep(0.25)
        runs = {r["kind"]: r["run_id"] for r in httpx.get(f"{url}/api/v1/runs", timeout=10).json()}
        yield Service(url, data, runs)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@dataclass
class PageErrors:
    """Script errors and failed loads seen by a page (a test asserts there were none)."""

    messages: list[str]


def open_page(browser: Any, width: int = 1280, height: int = 900) -> tuple[Any, PageErrors]:
    """A page in a fresh context (its own storage, like another person's device), recording script errors."""
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    context.set_default_timeout(90_000)  # two cores shared with other work: a slow step is not a failure
    page = context.new_page()
    errors = PageErrors([])
    page.on("pageerror", lambda e: errors.messages.append(f"pageerror: {e}"))
    # a refused request (422, 409) is logged by the browser as a failed load: that is expected, not a page error
    page.on("console", lambda m: errors.messages.append(f"console: {m.text}")
            if m.type == "error" and "Failed to load resource" not in m.text else None)
    return page, errors


@pytest.fixture(scope="session")
def new_page(browser: Any) -> Any:
    """``new_page(width=1280, height=900)``: (page, errors) in a fresh browser context."""
    return lambda width=1280, height=900: open_page(browser, width, height)


def screenshot(page: Any, name: str) -> Path:
    return save_full_page(page, ARTIFACTS, name)


@pytest.fixture(scope="session")
def shot() -> Any:
    """``shot(page, name)``: a full-page PNG under tests/pages/artifacts/."""
    return screenshot
