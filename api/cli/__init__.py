"""Command line entry point ``sunshine``.

Each command lives in its own module and registers itself on :data:`api.cli.app.app`
when imported below. Every :class:`~engine.errors.SunshineError` ends the program with
its bilingual diagnostics on stderr and exit status 2; nothing is written to ``--out``.
"""

from __future__ import annotations

import re
import sys

import typer
from typer._click.exceptions import NoArgsIsHelpError, UsageError

# Command modules register themselves on import.
# (command modules add their import lines here)
from api.cli import audit as _audit  # noqa: F401
from api.cli import ceremony as _ceremony  # noqa: F401
from api.cli import classes as _classes  # noqa: F401
from api.cli import lottery as _lottery  # noqa: F401
from api.cli import points as _points  # noqa: F401
from api.cli import serve as _serve  # noqa: F401
from api.cli import simulate as _simulate  # noqa: F401
from api.cli import verifier as _verifier  # noqa: F401
from api.cli.app import app
from engine.errors import SunshineError

__all__ = ["app", "main", "usage_error_text"]

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
