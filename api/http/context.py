"""What every request handler shares: the database, the service's signing key, the clock, caches.

One :class:`ServiceContext` per server process (``app.state.ctx``). Nothing here is audit
evidence: the log, signed with :attr:`ServiceContext.signer`, is.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from api.audit_runs import now_utc
from api.http.jobs import JobRunner
from api.http.ratelimit import RateLimiter
from api.service import ceremony
from api.service.lookup import PublishedIndex, bundle_files
from api.service.users import User
from api.store.database import Database, DatabaseRunStore
from audit.canonical import sha256_hex
from audit.signing import Signer

__all__ = ["ServiceContext"]


@dataclass
class ServiceContext:
    """The service's shared state.

    ``fixed_time``: every step is stamped with this time instead of the clock (rehearsals that
    must reproduce a published run byte for byte, and tests); ``lookup_rate``: public lookups
    allowed per client per minute (0: no limit, for load tests behind a proxy that limits).
    """

    db: Database
    signer: Signer
    fixed_time: str | None = None
    lookup_rate: int = 30
    _indexes: dict[str, tuple[str, PublishedIndex]] = field(default_factory=dict)
    _index_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.lookup_rate)
        self.jobs = JobRunner(self.db)

    def close(self) -> None:
        self.jobs.close()
        self.db.close()

    def store(self, run_id: str) -> DatabaseRunStore:
        return DatabaseRunStore(self.db, run_id)

    def now(self, store: DatabaseRunStore | None = None) -> str:
        """The time to stamp a step with: never before the run's last entry (clocks can step back)."""
        t = self.fixed_time or now_utc()
        return t if store is None else ceremony.not_before_last(store.log(), t)

    def step(self, user: User, store: DatabaseRunStore | None = None) -> ceremony.Step:
        return ceremony.Step(self.signer, user.name, self.now(store))

    def cached_index(self, run_id: str) -> PublishedIndex | None:
        """The lookup index of a published run if this process built it already.

        A published run's publication is rebuilt only ever to the same bytes (the build is
        deterministic and checked against the logged result hashes), so an index, once built
        from it and verified, stays right for the life of the process.
        """
        cached = self._indexes.get(run_id)
        return None if cached is None else cached[1]

    def published_index(self, store: DatabaseRunStore, publication: dict[str, bytes]) -> PublishedIndex:
        """The lookup index of a published run, built once (verified on build)."""
        digest = sha256_hex(publication.get("bundle.zip", b""))
        with self._index_lock:
            cached = self._indexes.get(store.run_id)
            if cached is not None and cached[0] == digest:
                return cached[1]
        index = PublishedIndex(bundle_files(publication), [self.signer.verifier])  # outside the lock: seconds
        with self._index_lock:
            self._indexes[store.run_id] = (digest, index)
        return index
