"""Inputs as bytes: the one form in which every edge hands a file to a run kind.

An upload over HTTP, a file the command line read, a test fixture: each becomes an
:class:`InputFile` (the name the user knows the file by, and its bytes) before any
parsing happens. Parsers never see a path, so the service and the CLI share every
step after reading, and a file is read exactly once (what is hashed is what was parsed).
Only the command line turns paths into :class:`InputFile` (:func:`read_input_file`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine.errors import InputError

__all__ = ["InputFile", "read_input_file"]


@dataclass(frozen=True)
class InputFile:
    """A named input file: ``name`` is used in messages (and its suffix picks the format), ``data`` is parsed."""

    name: str
    data: bytes

    @property
    def suffix(self) -> str:
        """The lower-case extension including the dot (``.csv``, ``.xlsx``), or ``""``."""
        return Path(self.name).suffix.lower()


def read_input_file(path: str | Path) -> InputFile:
    """Read ``path`` once (CLI edge); an unreadable file is an :class:`InputError` naming it."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(p.name, f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}") from exc
    return InputFile(p.name, data)
