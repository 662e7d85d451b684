"""The ``sunshine`` Typer application object shared by every command module, with ``--version``."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

import typer

__all__ = ["app", "package_version"]

app = typer.Typer(
    name="sunshine",
    help="阳光招生：可复核的电脑派位、积分入学与均衡编班。\n\n"
         "Sunshine: seeded, auditable admission lottery, points admission and balanced class placement.\n\n"
         "每个命令的说明 help of a command: sunshine COMMAND --help",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def package_version() -> str:
    """The installed version of Sunshine (``pyproject.toml``), or ``unknown`` when run from a bare checkout."""
    try:
        return version("sunshine")
    except PackageNotFoundError:
        return "unknown"


def _print_version(value: bool) -> None:
    if value:
        print(f"sunshine {package_version()}")
        raise typer.Exit()


@app.callback()
def _commands(
    show_version: Annotated[bool, typer.Option(
        "--version", help="显示版本并退出 show the version and exit", callback=_print_version, is_eager=True)] = False,
) -> None:
    """阳光招生 Sunshine: seeded, auditable admission lottery, points admission and balanced class placement."""
