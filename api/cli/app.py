"""The ``sunshine`` Typer application object shared by every command module."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="sunshine",
    help="Sunshine: seeded, auditable admission lottery, points admission and balanced class placement.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
