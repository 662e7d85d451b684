"""One verification step's line, in English and Chinese.

:func:`audit.verify.verify_bundle`, :func:`audit.published.verify_out_folder` and
:func:`audit.receipt.verify_receipt` yield these. A :class:`StepLine` *is* the English line (a
``str``), so everything that matches on it — ``line.split(":")[0]`` is the step name, scripts
and tests look for ``"replay: "`` — keeps working, and it carries its Chinese text in ``zh`` for
the command line, which prints Chinese first as the rest of its output does.
"""

from __future__ import annotations

__all__ = ["StepLine"]


class StepLine(str):
    """The English line of a step that held (the ``str`` itself) with its Chinese text in :attr:`zh`."""

    zh: str

    def __new__(cls, en: str, zh: str) -> StepLine:
        line = super().__new__(cls, en)
        line.zh = zh
        return line
