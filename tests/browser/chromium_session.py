"""The one headless Debian Chromium of a test session, shared by ``tests/browser`` and ``tests/pages``.

Playwright's sync API runs its own event loop, so a process can hold only one ``sync_playwright``
at a time; both directories' ``browser`` fixtures therefore hand out this one browser, started on
first use and stopped when the process exits. Playwright drives the system's ``chromium``
(``executable_path``; no browser download). Without it the tests are skipped only where it cannot
be installed (not root); as root it is a failure, since ``make system-deps`` installs it.
"""

from __future__ import annotations

import atexit
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

__all__ = ["CHROMIUM", "save_full_page", "shared_browser"]

CHROMIUM = shutil.which("chromium")
_running: dict[str, Any] = {}


def _stop() -> None:
    if "browser" in _running:
        _running.pop("browser").close()
        _running.pop("playwright").stop()


def shared_browser() -> Any:
    """The session's browser (started on the first call)."""
    if CHROMIUM is None:
        if os.geteuid() != 0:
            pytest.skip("chromium is not installed and this user cannot install it (apt-get install -y chromium)")
        pytest.fail("chromium is missing: run `make system-deps` (installs the Debian chromium package)")
    if "browser" not in _running:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        _running["playwright"] = playwright
        _running["browser"] = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                         args=["--no-sandbox"])
        atexit.register(_stop)
    return _running["browser"]


def save_full_page(page: Any, folder: Path, name: str) -> Path:
    """A full-page PNG ``folder/name.png`` of ``page``, kept for a person to look at."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
