"""One database read shared by every request that arrives while it waits, and never older than them.

In the results hour thousands of parents open the same published run's page each second. Its
answer is in memory; what must still come from the database is the run's head, because a
witness's seal of the published checkpoint may arrive at any moment, in any worker, and the
page must show it at once. One read per request, each on the thread pool, was the page's whole
cost: dozens of threads contending for the GIL and the connection pool.

:class:`FreshReads` keeps, per key, at most one read running and one queued. A request joins
the *queued* read, which starts only after the running one ends, so the answer it gets was
read after the request arrived: as fresh as a read of its own, at the cost of one read per
round trip of the database instead of one per request. It lives on the event loop (one per
worker process), so it needs no lock; the read itself runs on the thread pool.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from starlette.concurrency import run_in_threadpool

__all__ = ["FreshReads"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class FreshReads(Generic[K, V]):
    """``await reads.get(key)``: ``read(key)`` as of a moment after the call, shared with concurrent callers."""

    def __init__(self, read: Callable[[K], V]) -> None:
        self._read = read
        self._running: set[K] = set()
        self._queued: dict[K, asyncio.Future[V]] = {}

    async def get(self, key: K) -> V:
        """The value read for ``key`` by a read that started after this call (its exception, if it raised)."""
        future = self._queued.get(key)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            future.add_done_callback(_retrieve)
            self._queued[key] = future
            if key not in self._running:
                self._start(key)
        # shield: one caller giving up (a client gone) must not cancel the read the others wait for
        return await asyncio.shield(future)

    def _start(self, key: K) -> None:
        future = self._queued.pop(key)
        self._running.add(key)
        task = asyncio.ensure_future(run_in_threadpool(self._read, key))
        task.add_done_callback(lambda done: self._finish(key, future, done))

    def _finish(self, key: K, future: asyncio.Future[V], task: asyncio.Future[V]) -> None:
        self._running.discard(key)
        if task.cancelled():
            future.cancel()
        elif (error := task.exception()) is not None:
            future.set_exception(error)
        else:
            future.set_result(task.result())
        if key in self._queued:
            self._start(key)


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Mark the outcome seen, so a failed read whose callers all left is not logged as never retrieved."""
    if not future.cancelled():
        future.exception()
