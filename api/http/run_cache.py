"""Answers computed once per run and per log size, however many requests ask at once.

A run's public answers (a published run's view and files, the 公示 roster) change only when
its log grows: an upload, a step. At a city's size they cost seconds to minutes to compute (the
roster of 1,000,000 applicants is hashed and encoded), and they are public, so anyone could
otherwise make the server redo that work per request. :class:`RunCache` keeps the latest answer
of each run with the log size it was computed at; a request for that size gets it from memory,
and the requests that arrive while it is being computed wait for that one computation.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["RunCache"]

T = TypeVar("T")


class RunCache(Generic[T]):
    """The latest ``(log size, answer)`` of each run (one loader at a time per run)."""

    def __init__(self) -> None:
        self._answers: dict[str, tuple[int, T]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def peek(self, run_id: str, log_size: int) -> T | None:
        """The answer computed at ``log_size`` if there is one (no waiting, no computing)."""
        kept = self._answers.get(run_id)
        return kept[1] if kept is not None and kept[0] == log_size else None

    def get(self, run_id: str, log_size: int, load: Callable[[], T]) -> T:
        """The answer at ``log_size``: kept, or ``load()`` once (concurrent callers wait for that call)."""
        with self._lock:
            run_lock = self._locks.setdefault(run_id, threading.Lock())
        with run_lock:
            kept = self._answers.get(run_id)
            if kept is None or kept[0] != log_size:
                kept = (log_size, load())
                self._answers[run_id] = kept
            return kept[1]
