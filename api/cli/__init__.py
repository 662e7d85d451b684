"""Command line entry point ``sunshine``.

Each command lives in its own module and registers itself on :data:`api.cli.app.app`
when imported below. Every :class:`~engine.errors.SunshineError` ends the program with
its bilingual diagnostics on stderr and exit status 2; nothing is written to ``--out``.
"""

from __future__ import annotations

import sys

# Command modules register themselves on import.
# (command modules add their import lines here)
from api.cli import audit as _audit  # noqa: F401
from api.cli import ceremony as _ceremony  # noqa: F401
from api.cli import classes as _classes  # noqa: F401
from api.cli import lottery as _lottery  # noqa: F401
from api.cli import points as _points  # noqa: F401
from api.cli import simulate as _simulate  # noqa: F401
from api.cli.app import app
from engine.errors import SunshineError

__all__ = ["app", "main"]

EXIT_BAD_INPUT = 2


def main() -> None:
    """Run the CLI, turning domain errors into exit status 2 with a clerk-readable message.

    Typer's standalone mode reports usage errors itself (exit 2); Sunshine's own
    errors propagate out of it and are printed here.
    """
    try:
        app()
    except SunshineError as exc:
        print(exc.diagnostics(), file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
