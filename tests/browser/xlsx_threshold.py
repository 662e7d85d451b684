"""The lottery's xlsx threshold lowered to 0 for a test, in the engine and in the page alike.

A small lottery writes ``results_by_school.xlsx``, which the page does not rebuild (docs/verifier.md § What the
page cannot prove), so its verdict is NOT VERIFIED. With the threshold at 0 the engine writes no xlsx (for the
build and for Python's replay) and the page expects none, so nothing but what a test checks stands between the
page and VERIFIED. A plain helper module (like ``points_inputs``), shared by the official and 复核 tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

__all__ = ["no_xlsx", "page_without_xlsx"]

_PAGE_LIMIT = b"const XLSX_MAX_APPLICANTS = 50000;"


@contextmanager
def no_xlsx() -> Iterator[None]:
    """While it lasts, the engine writes no ``results_by_school.xlsx`` (build and ``sunshine verify``'s replay)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("api.runs.lottery.XLSX_MAX_APPLICANTS", 0)
        yield


def page_without_xlsx(html: bytes) -> bytes:
    """The verifier page with the same threshold at 0."""
    assert html.count(_PAGE_LIMIT) == 1
    return html.replace(_PAGE_LIMIT, b"const XLSX_MAX_APPLICANTS = 0;")
