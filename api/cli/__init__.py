"""Command line entry point ``sunshine``.

Each command lives in its own module and registers itself on :data:`api.cli.app.app`
when imported. :func:`main` imports only the module of the command being run (issue 12:
``sunshine lottery`` need not import the HTTP service, the database layer or the class
solver, which cost seconds per run); ``--help``, no command or an unknown one load every
module, so the help lists every command in its usual order. Every
:class:`~engine.errors.SunshineError` ends the program with its bilingual diagnostics on
stderr and exit status 2; nothing is written to ``--out``.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
import threading
from collections.abc import Sequence

import typer
from typer._click.exceptions import NoArgsIsHelpError, UsageError

from api.cli.app import app
from engine.errors import SunshineError

__all__ = ["COMMAND_MODULES", "app", "load_commands", "main", "run", "usage_error_text"]

#: Each top-level command (or command group) and the module that registers it, in the order
#: the help lists them. A new command module adds its commands here
#: (tests/api/test_cli_commands.py checks the table against what the modules register).
COMMAND_MODULES: dict[str, str] = {
    "keys": "api.cli.audit",
    "verify": "api.cli.audit",
    "verify-posted": "api.cli.audit",
    "replay": "api.cli.audit",
    "receipt": "api.cli.audit",
    "verify-receipt": "api.cli.audit",
    "ceremony": "api.cli.ceremony",
    "classes": "api.cli.classes",
    "lottery": "api.cli.lottery",
    "points": "api.cli.points",
    "serve": "api.cli.serve",
    "users": "api.cli.serve",
    "simulate": "api.cli.simulate",
    "verifier": "api.cli.verifier",
}


def load_commands(argv: Sequence[str] | None = None) -> None:
    """Register the command that ``argv`` runs, or every command (``argv`` None, help, unknown command).

    Only options precede the command (``--help``, ``--version``), so the first argument not
    starting with ``-`` names it. Loading a module twice is a no-op (Python caches it).
    """
    name = next((a for a in argv if not a.startswith("-")), None) if argv is not None else None
    wanted = [COMMAND_MODULES[name]] if name in COMMAND_MODULES else list(COMMAND_MODULES.values())
    for module in dict.fromkeys(wanted):
        importlib.import_module(module)

EXIT_BAD_INPUT = 2

# Click's usage messages (English) and their Chinese line; the English original is always printed too.
_USAGE_ZH = (
    (re.compile(r"Missing option '([^']+)'"), "缺少必需的选项 {0}"),
    (re.compile(r"Missing argument '([^']+)'"), "缺少必需的参数 {0}"),
    (re.compile(r"No such option: (\S+)"), "没有选项 {0}"),
    (re.compile(r"No such command '([^']+)'"), "没有命令 {0}"),
    (re.compile(r"Invalid value for '([^']+)'"), "选项 {0} 的值无效"),
    (re.compile(r"Option '([^']+)' requires an argument"), "选项 {0} 需要一个值"),
    (re.compile(r"Got unexpected extra arguments? \(([^)]*)\)"), "多余的参数 {0}"),
)


def usage_error_text(message: str, command_path: str) -> str:
    """A usage error in Chinese and English, with where to find help (two lines plus a hint)."""
    zh = "命令行用法错误"
    for pattern, template in _USAGE_ZH:
        m = pattern.search(message)
        if m:
            zh = template.format(*m.groups())
            break
    return (f"用法错误：{zh}。运行 `{command_path} --help` 查看说明。\n"
            f"Usage error: {message} Try '{command_path} --help' for help.")


def main() -> None:
    """Run the CLI, turning domain and usage errors into exit status 2 with a bilingual message.

    Sunshine's own errors print their diagnostics (Chinese and English); a usage error
    (a missing or unknown option, a bad value) is printed in both languages too, so a clerk
    who reads no English still sees what is wrong. ``--help`` and ``--version`` exit 0.
    """
    load_commands(sys.argv[1:])
    try:
        code = app(standalone_mode=False)
    except NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except UsageError as exc:
        path = exc.ctx.command_path if exc.ctx is not None else "sunshine"
        print(usage_error_text(exc.format_message(), path), file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    except typer.Abort:
        print("已中止 Aborted!", file=sys.stderr)
        sys.exit(1)
    except SunshineError as exc:
        print(exc.diagnostics(), file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    sys.exit(code if isinstance(code, int) else 0)


def run() -> None:
    """The ``sunshine`` console script: :func:`main`, then leave without tearing the interpreter down.

    Tearing down a city-scale run's objects (a million roster records, numba's LLVM state)
    takes about a second and changes nothing on disk: every output file was written and closed
    before :func:`main` returned, and stdout/stderr are flushed here. A command that left
    another thread or a child process running exits the ordinary way, which waits for them.
    Uncaught exceptions propagate as usual (traceback, status 1).
    """
    try:
        main()
        code: str | int | None = 0
    except SystemExit as exc:
        code = exc.code
    if threading.active_count() > 1 or _has_children():
        sys.exit(code)
    status = 0 if code is None else code if isinstance(code, int) else 1
    if not isinstance(code, int | None):
        print(code, file=sys.stderr)  # what sys.exit(text) prints
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def _has_children() -> bool:
    mp = sys.modules.get("multiprocessing")
    return bool(mp is not None and mp.active_children())
