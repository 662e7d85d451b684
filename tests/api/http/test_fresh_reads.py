"""FreshReads: concurrent callers share reads, and no caller gets a value read before it called."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest

from api.http.fresh_reads import FreshReads

T = TypeVar("T")


def _run(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """``asyncio.run`` in a thread of its own: in a suite worker, the session's Playwright (sync API) keeps
    an event loop running in the main thread, where ``asyncio.run`` refuses to start another."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(main())).result()


class Counter:
    """A 'database' whose value changes between reads; each read takes a little while."""

    def __init__(self) -> None:
        self.value = 0
        self.reads = 0
        self._lock = threading.Lock()

    def read(self, key: str) -> tuple[str, int]:
        with self._lock:
            self.reads += 1
            seen = self.value
        time.sleep(0.005)
        return key, seen


def test_a_caller_never_gets_a_value_read_before_it_called() -> None:
    db = Counter()
    reads: FreshReads[str, tuple[str, int]] = FreshReads(db.read)

    async def caller(i: int) -> None:
        await asyncio.sleep(0.0005 * (i % 20))
        db.value += 1  # a write (a seal) committed just before this request arrives
        written = db.value
        key, seen = await reads.get("run")
        assert key == "run"
        assert seen >= written, f"caller {i} was answered with a read from before its own arrival"

    async def main() -> None:
        await asyncio.gather(*(caller(i) for i in range(200)))

    _run(main)
    assert db.reads < 200, "concurrent callers should share reads"


def test_keys_are_read_separately() -> None:
    db = Counter()
    reads: FreshReads[str, tuple[str, int]] = FreshReads(db.read)

    async def main() -> list[tuple[str, int]]:
        return await asyncio.gather(reads.get("a"), reads.get("b"), reads.get("a"))

    answers = _run(main)
    assert [key for key, _ in answers] == ["a", "b", "a"]


def test_a_failed_read_fails_every_caller_waiting_for_it_and_the_next_read_is_fresh() -> None:
    calls = {"n": 0}

    def read(key: str) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            time.sleep(0.01)
            raise LookupError(f"no run {key}")
        return calls["n"]

    reads: FreshReads[str, int] = FreshReads(read)

    async def main() -> None:
        first = asyncio.ensure_future(reads.get("x"))
        await asyncio.sleep(0)  # the first read is running; the next caller queues for the next read
        second = asyncio.ensure_future(reads.get("x"))
        with pytest.raises(LookupError, match="no run x"):
            await first
        assert await second == 2
        assert await reads.get("x") == 3

    _run(main)


def test_a_caller_that_gives_up_does_not_cancel_the_read_the_others_wait_for() -> None:
    db = Counter()
    reads: FreshReads[str, tuple[str, int]] = FreshReads(db.read)

    async def main() -> None:
        leaving = asyncio.ensure_future(reads.get("run"))
        staying = asyncio.ensure_future(reads.get("run"))
        await asyncio.sleep(0)
        leaving.cancel()
        assert await staying == ("run", 0)
        assert leaving.cancelled()

    _run(main)
