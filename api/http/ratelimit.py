"""A per-client token bucket for the public lookup, so the roster cannot be scraped by enumeration.

Application numbers are often sequential; without a limit anyone could walk them and rebuild
the whole result list with lottery numbers in minutes. Each client (its address as the
server sees it; behind a reverse proxy, the proxy must set the limit itself) may make
``rate`` lookups per minute, with a burst of the same size. Hits and misses cost the same, so
guessing is no cheaper than looking up. Per process: with N workers a client gets at most N
times the rate, which the docs state.
"""

from __future__ import annotations

import threading
import time

__all__ = ["RateLimiter"]


class RateLimiter:
    """``allow(client)`` is False when ``client`` has used up its lookups; ``rate`` 0 allows everything."""

    def __init__(self, rate_per_minute: int, *, max_clients: int = 100_000) -> None:
        self.rate = rate_per_minute
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> tuple[bool, float]:
        """(allowed, seconds until the next lookup would be allowed)."""
        if self.rate <= 0:
            return True, 0.0
        now = time.monotonic()
        per_second = self.rate / 60.0
        with self._lock:
            tokens, last = self._buckets.get(client, (float(self.rate), now))
            tokens = min(float(self.rate), tokens + (now - last) * per_second)
            if len(self._buckets) >= self.max_clients and client not in self._buckets:
                self._buckets.clear()  # bounded memory; a flood of new addresses resets everyone's bucket
            if tokens < 1.0:
                self._buckets[client] = (tokens, now)
                return False, (1.0 - tokens) / per_second
            self._buckets[client] = (tokens - 1.0, now)
            return True, 0.0
