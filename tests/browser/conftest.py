"""The browser tests' shared fixtures: one headless Debian Chromium for the session, the verifier page loaded once.

Playwright drives the system's ``chromium`` (``executable_path``; no browser download). Without it the
tests are skipped only where it cannot be installed (not root); as root it is a failure, since
``make system-deps`` installs it. Bundles come from the audit tests' own builders (the fake run kind and
its two-witness ceremony, ``tests/audit/conftest.py``) and from the real CLI on ``samples/``.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from chromium_session import save_full_page, shared_browser
from xlsx_threshold import page_without_xlsx

ROOT = Path(__file__).resolve().parents[2]
AUDIT_TESTS = ROOT / "tests" / "audit"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
SEED_HEX = "0" * 63 + "7"
sys.path.insert(0, str(AUDIT_TESTS))  # fake_kind and tamper_cases: plain helper modules of the audit tests

Report = dict[str, Any]


def _audit_helpers() -> ModuleType:
    """The audit tests' builders (fake kind, ceremony driver), loaded under their own module name."""
    spec = importlib.util.spec_from_file_location("audit_test_helpers", AUDIT_TESTS / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def browser() -> Any:
    """The session's one Chromium (:mod:`chromium_session`)."""
    return shared_browser()


@pytest.fixture(scope="session")
def audit_helpers() -> ModuleType:
    return _audit_helpers()


@pytest.fixture(scope="session")
def verifier_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page as ``sunshine verifier --out`` writes it (the real command, in a child process)."""
    out = tmp_path_factory.mktemp("page") / "verifier.html"
    done = subprocess.run([sys.executable, "-c", "from api.cli import main; main()", "verifier", "--out", str(out)],
                          capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip().splitlines()[-1] == __import__("hashlib").sha256(out.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="session")
def verifier_page(browser: Any, verifier_file: Path) -> Any:
    """One page, reused by every test (the page verifies again each time a file is chosen).

    The test context bypasses the page's Content-Security-Policy only so that Playwright may evaluate
    its own probes; ``test_page_works_under_its_own_csp`` loads it with the policy in force.
    """
    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(verifier_file.as_uri())
    page.wait_for_selector("body[data-state=ready]")
    return page


def run_page(page: Any, zip_bytes: bytes, keys: Sequence[str] = ()) -> Report:
    """Choose ``zip_bytes`` in the page's file input (with ``keys`` pasted); the report the page produced."""
    page.fill("#keys", "\n".join(keys))
    page.evaluate("document.body.dataset.state = 'idle'; document.getElementById('file').value = ''")
    page.set_input_files("#file", files=[{"name": "bundle.zip", "mimeType": "application/zip", "buffer": zip_bytes}])
    page.wait_for_selector("body[data-state=done]", timeout=120_000)
    report: Report = page.evaluate("window.sunshineReport")
    return report


@pytest.fixture(scope="session")
def page_runner() -> Callable[..., Report]:
    """:func:`run_page` itself, for a test module that opens a page of its own (``conftest`` is not importable
    by that name when another test directory's conftest is loaded first)."""
    return run_page


@pytest.fixture(scope="session")
def browser_verify(verifier_page: Any) -> Callable[..., Report]:
    """``browser_verify(zip_bytes, keys=())``: the page's report ({ok, bundle, steps, failed, verdict})."""
    return lambda zip_bytes, keys=(): run_page(verifier_page, zip_bytes, keys)


@pytest.fixture(scope="session")
def no_xlsx_verify(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Report]:
    """``browser_verify`` on a page whose lottery xlsx threshold is 0 (:mod:`xlsx_threshold`), for bundles built
    and replayed by Python under :func:`xlsx_threshold.no_xlsx`."""
    from api.verifier_page import verifier_html

    path = tmp_path_factory.mktemp("page-no-xlsx") / "verifier.html"
    path.write_bytes(page_without_xlsx(verifier_html()))
    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-state=ready]")
    return lambda zip_bytes, keys=(): run_page(page, zip_bytes, keys)


@pytest.fixture(scope="session")
def cli_bundles(tmp_path_factory: pytest.TempPathFactory) -> Mapping[str, Path]:
    """Practice runs of the real engines on samples/ through the CLI: name → the --out folder."""
    base = tmp_path_factory.mktemp("cli")
    samples = ROOT / "samples"
    lottery = ["lottery", "--schools", samples / "lottery" / "schools.csv",
               "--applicants", samples / "lottery" / "applicants.csv"]
    runs: dict[str, list[Any]] = {
        "lottery-da-round2": [*lottery, "--round2"],
        "lottery-boston": [*lottery, "--mechanism", "boston"],
        "lottery-serial-round2": [*lottery, "--mechanism", "serial", "--round2"],
        "points": ["points", "--rules", samples / "points" / "rules.toml", "--applicants",
                   samples / "points" / "applicants.csv", "--schools", samples / "points" / "schools.csv"],
        "classes": ["classes", "--students", samples / "classes" / "students.csv", "--config",
                    samples / "classes" / "config.toml"],
    }
    for name, args in runs.items():
        subprocess.run([sys.executable, "-c", "from api.cli import main; main()", *map(str, args),
                        "--seed", SEED_HEX, "--out", str(base / name)], capture_output=True, timeout=300, check=True)
    return {name: base / name for name in runs}


def screenshot(page: Any, name: str) -> Path:
    return save_full_page(page, ARTIFACTS, name)


@pytest.fixture(scope="session")
def save_screenshot() -> Callable[[Any, str], Path]:
    return screenshot
