"""The command table of ``sunshine`` and its console script (issue 12: start-up cost).

:func:`api.cli.main` imports only the module of the command it runs, so the table
``COMMAND_MODULES`` must name every command each module registers; ``api.cli.run`` (the
console script) leaves without tearing the interpreter down, so its output and exit status
must be exactly what :func:`main` produced.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from api.cli import COMMAND_MODULES, app, load_commands

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "lottery"
SEED = "5e" * 32
HEAVY = ("sqlalchemy", "alembic", "fastapi", "ortools", "dask", "uvicorn")


def _python(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_the_table_names_every_registered_command_and_its_module() -> None:
    load_commands()
    registered = {c.name: c.callback.__module__ for c in app.registered_commands if c.callback is not None}
    for group in app.registered_groups:
        callbacks = [c.callback for c in group.typer_instance.registered_commands if c.callback is not None]
        registered[str(group.name)] = callbacks[0].__module__
    assert registered == COMMAND_MODULES


def test_sunshine_lottery_imports_neither_the_service_nor_the_database() -> None:
    code = ("import sys; from api.cli import load_commands; "
            "load_commands(['lottery', '--schools', 's.csv']); import api.runs.publish; "
            f"print([m for m in {HEAVY!r} if m in sys.modules])")
    done = _python("-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_help_lists_every_command() -> None:
    done = _python("-m", "api.cli", "--help")
    assert done.returncode == 0, done.stderr
    for name in COMMAND_MODULES:
        assert name in done.stdout


def test_console_script_writes_everything_and_exits_zero(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = _python("-m", "api.cli", "lottery", "--schools", str(SAMPLES / "schools.csv"),
                   "--applicants", str(SAMPLES / "applicants.csv"), "--seed", SEED, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert f"结果 results: {out / 'results.csv'}" in done.stdout  # flushed before the fast exit
    assert json.loads((out / "summary.json").read_bytes())["applicants"] > 0
    assert (out / "bundle.zip").stat().st_size > 0


def test_console_script_bad_input_exits_2_with_the_located_message(tmp_path: Path) -> None:
    applicants = tmp_path / "applicants.csv"
    applicants.write_text("报名号,志愿\nA1,S404\n", encoding="utf-8")
    out = tmp_path / "out"
    done = _python("-m", "api.cli", "lottery", "--schools", str(SAMPLES / "schools.csv"),
                   "--applicants", str(applicants), "--seed", SEED, "--out", str(out))
    assert done.returncode == 2
    assert "S404" in done.stderr and "applicants.csv" in done.stderr
    assert not out.exists()


def test_console_script_usage_error_exits_2() -> None:
    done = _python("-m", "api.cli", "lottery", "--no-such-option")
    assert done.returncode == 2
    assert "没有选项" in done.stderr and "No such option" in done.stderr
