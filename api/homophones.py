"""Pinyin keys of students' names for the homophone groups, computed in a helper process.

Edge module. Why a helper: importing pypinyin (its phrase dictionary) takes ≈ 1.1 s of
Python, as long as reading and validating a 1,200-student table. :class:`PinyinHelper`
starts ``python -m api.homophones`` before the table is read (:func:`~api.helper_process.helper_for`:
for the process's first table; later ones are answered in process); it imports pypinyin on
the second core and then answers one list of names with their keys, computed by
:func:`pinyin_keys`, the function one would call in process (same interpreter and
libraries: same keys; ``tests/api/test_classes_chart.py`` compares them).
"""

from __future__ import annotations

import json

from api.helper_process import helper_for, serve

__all__ = ["PinyinHelper", "pinyin_keys"]


def pinyin_keys(names: list[str]) -> list[str]:
    """Each name's pinyin without tones, syllables joined by spaces: equal keys, names that sound the same."""
    from pypinyin import Style, lazy_pinyin

    return [" ".join(lazy_pinyin(name, style=Style.NORMAL)) for name in names]


class PinyinHelper:
    """The helper that computes the keys of one list of names: start it early, :meth:`keys` when the names are read."""

    def __init__(self) -> None:
        self._helper = helper_for("api.homophones", _answer)

    def keys(self, names: list[str]) -> list[str]:
        """:func:`pinyin_keys` of ``names`` (waits; :class:`~api.helper_process.HelperError` if the helper failed)."""
        keys: list[str] = json.loads(self._helper.ask(json.dumps(names, ensure_ascii=False).encode("utf-8")))
        return keys

    def close(self) -> None:
        """Stop a helper that will not be asked (the input was rejected first)."""
        self._helper.close()


def _answer(request: bytes) -> bytes:
    return json.dumps(pinyin_keys(json.loads(request.decode("utf-8"))), ensure_ascii=False).encode("utf-8")


def _warm() -> None:
    import pypinyin  # noqa: F401  (the slow import, done while the caller reads the table)


if __name__ == "__main__":
    serve(_warm, _answer)
