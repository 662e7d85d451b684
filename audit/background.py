"""Run a fixed sequence of jobs on the second core, in a forked child, or inline where that is not possible.

Why: verifying a million-applicant bundle spends seconds in ``hashlib`` calls on small
inputs (a million Merkle leaves, a million lottery-number HMACs). Those hold the GIL, so
threads cannot overlap them with the parse and the replay; a process can. A *forked* child
sees the bundle's bytes copy-on-write, so nothing large is pickled on the way in; only each
job's small argument and result cross the pipe.

The child is forked at construction, while the parent's heap is still small: a fork taken
after a million records exist would make every later write to them copy a page. Job ``i``
runs on the parent's ``i``-th :meth:`Background.submit` argument. A job that fails in the
child (or a child that dies) is simply run again inline by :meth:`Background.result`, so
errors surface exactly as the inline code raises them. Without ``fork``, with one CPU, with
other threads running or inside a daemonic worker, every job runs inline, lazily, when its
result is asked for: the results are the same either way, only the timing differs.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any

__all__ = ["Background"]

_FAILED = "background-job-failed"


def _can_fork() -> bool:
    # A second CPU to use; fork available; no other threads (a fork copies only the calling thread, and
    # a lock another thread held would stay locked in the child); not inside a daemonic worker, which
    # may not have children.
    return ((os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1 and not multiprocessing.current_process().daemon)


def _child(conn: Connection, jobs: Sequence[Callable[[Any], Any]]) -> None:
    for job in jobs:
        try:
            arg = conn.recv()
        except EOFError:  # the parent is done with us
            return
        try:
            result = job(arg)
        except BaseException:  # the parent re-runs the job inline and reports the error itself
            result = _FAILED
        try:
            conn.send(result)
        except OSError:  # the parent closed the pipe: nobody wants the result
            return
        if result is _FAILED:
            return


class Background:
    """``jobs[i](arg_i)`` for the ``i``-th submitted argument, computed in the background when possible."""

    def __init__(self, jobs: Sequence[Callable[[Any], Any]], *, fork: bool | None = None) -> None:
        self._jobs = list(jobs)
        self._args: list[Any] = []
        self._done = 0
        self._conn: Connection | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        if _can_fork() if fork is None else fork:
            ctx = multiprocessing.get_context("fork")
            parent, child = ctx.Pipe()
            self._process = ctx.Process(target=_child, args=(child, self._jobs), daemon=True)
            self._process.start()
            child.close()
            self._conn = parent

    @property
    def child(self) -> multiprocessing.process.BaseProcess | None:
        """The forked helper process while there is one (None when the jobs run inline, or after close)."""
        return self._process

    def submit(self, arg: Any) -> None:
        """Hand the next job its argument (sent to the child at once, or kept for inline use)."""
        self._args.append(arg)
        if self._conn is not None:
            try:
                self._conn.send(arg)
            except (OSError, ValueError):
                self._stop()

    def result(self) -> Any:
        """The next job's result, waiting for the child if needed; inline when there is no child."""
        i = self._done
        self._done += 1
        if self._conn is not None:
            try:
                got = self._conn.recv()
            except (EOFError, OSError):
                got = _FAILED
            if not (isinstance(got, str) and got == _FAILED):
                return got
            self._stop()
        return self._jobs[i](self._args[i])

    def _stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()  # it may be mid-job; nothing it holds is needed
            self._process.join()
            self._process = None

    def close(self) -> None:
        """End the child (if any); jobs not yet asked for are abandoned."""
        self._stop()
