"""What every request handler shares: the database, the service's signing key, the clock, caches.

One :class:`ServiceContext` per server process (``app.state.ctx``). Nothing here is audit
evidence: the log, signed with :attr:`ServiceContext.signer`, is.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import threading
from dataclasses import dataclass, field

from api.audit_runs import now_utc
from api.http.fresh_reads import FreshReads
from api.http.jobs import JobRunner
from api.http.public_roster import PublicRoster
from api.http.published import PublishedCache
from api.http.ratelimit import RateLimiter
from api.http.run_cache import RunCache
from api.service import ceremony
from api.service.lookup import PublishedIndex, bundle_files
from api.service.users import User
from api.service.what_if import WhatIfBase, base_key, build_base
from api.store.database import Database, DatabaseRunStore, RunHead
from audit.canonical import sha256_hex
from audit.ceremony import CeremonyState, State
from audit.signing import Signer
from engine.errors import SunshineError

__all__ = ["WHAT_IF_CONCURRENCY", "ServiceContext"]

#: What-ifs computed at once per process; more are answered 503 ``busy`` with Retry-After.
WHAT_IF_CONCURRENCY = 2

_log = logging.getLogger("sunshine.serve")


@dataclass
class ServiceContext:
    """The service's shared state.

    ``fixed_time``: every step is stamped with this time instead of the clock (rehearsals that
    must reproduce a published run byte for byte, and tests); ``lookup_rate``: public lookups
    allowed per client per minute (0: no limit, for load tests behind a proxy that limits);
    ``download_streams``: large downloads (bundle, result files) sent at once, the rest queue;
    ``what_if_rate``: public what-ifs per client per minute, a budget of its own and stricter,
    since each one runs a thousand lotteries (0: no limit). At most :data:`WHAT_IF_CONCURRENCY`
    what-ifs run at once per process, so a crowd of them cannot starve lookups and steps.
    """

    db: Database
    signer: Signer
    fixed_time: str | None = None
    lookup_rate: int = 30
    download_streams: int = 4
    what_if_rate: int = 6
    _indexes: dict[str, tuple[str, PublishedIndex]] = field(default_factory=dict)
    _index_lock: threading.Lock = field(default_factory=threading.Lock)
    _building: dict[str, threading.Lock] = field(default_factory=dict)
    _closing: threading.Event = field(default_factory=threading.Event)
    _preload: threading.Thread | None = None
    _what_if_bases: dict[str, tuple[tuple[str, ...], WhatIfBase]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.lookup_rate)
        self.published = PublishedCache()
        self.rosters: RunCache[PublicRoster] = RunCache()
        self.heads: FreshReads[str, RunHead] = FreshReads(lambda run_id: self.store(run_id).head())
        self.download_slots = asyncio.Semaphore(self.download_streams)
        self.what_if_limiter = RateLimiter(self.what_if_rate)
        self.what_if_slots = threading.BoundedSemaphore(WHAT_IF_CONCURRENCY)
        self.jobs = JobRunner(self.db)

    def close(self) -> None:
        self._closing.set()
        if self._preload is not None:
            self._preload.join()
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
        """The lookup index of a published run, built once (verified on build) however many ask at once.

        The first lookups of the results hour arrive together; each building its own index
        (seconds of verification and a copy of the run in memory apiece) would stall the
        process exactly when it is busiest. So one caller builds and the others wait for it
        (a lock per run). Once built, the index's objects are moved out of the garbage
        collector's generations (:func:`gc.freeze`): they live as long as the process, and a
        full collection walking a 100,000-row index would otherwise pause every request
        in flight for tens of milliseconds, again and again.
        """
        digest = sha256_hex(publication.get("bundle.zip", b""))
        with self._index_lock:
            cached = self._indexes.get(store.run_id)
            if cached is not None and cached[0] == digest:
                return cached[1]
            building = self._building.setdefault(store.run_id, threading.Lock())
        with building:
            cached = self._indexes.get(store.run_id)
            if cached is not None and cached[0] == digest:
                return cached[1]
            index = PublishedIndex(bundle_files(publication), [self.signer.verifier])
            gc.collect()
            gc.freeze()
            with self._index_lock:
                self._indexes[store.run_id] = (digest, index)
            return index

    def preload_published(self) -> None:
        """Load every published run's page answers and build its lookup index, so the first parent of the day
        waits for nothing.

        Run in a background thread at start (``create_app``): a restart during the results
        hour serves lookups of a run as soon as its index is ready, and a lookup that comes
        earlier waits for that same build rather than starting another.
        """
        for record in self.db.list_runs():
            if self._closing.is_set():
                return
            if record.state is State.PUBLISHED and record.publication_stored:
                store = self.store(record.info.run_id)
                try:
                    self.published.get(store, store.head())  # the run page's answers, then the lookups'
                    self.published_index(store, store.publication())
                except SunshineError as exc:  # its lookups answer the same error, located
                    _log.error("published run %s does not verify, so it is not preloaded: %s", record.info.run_id, exc)

    def start_preload(self) -> None:
        """:meth:`preload_published` in a background thread (stopped between runs by :meth:`close`)."""
        self._preload = threading.Thread(target=self.preload_published, name="sunshine-preload", daemon=True)
        self._preload.start()

    def lookup_status(self) -> dict[str, int]:
        """How many published runs this process can answer lookups of from memory (``GET /health``)."""
        return {"process": os.getpid(), "lookup_indexes": len(self._indexes)}

    def what_if_base(self, store: DatabaseRunStore, st: CeremonyState) -> WhatIfBase:
        """The run's what-if base (frozen inputs minus withdrawals, market, seed), built once per roster.

        Keyed by the frozen roster's public root, the config hash and the withdrawals: a
        withdrawal (the only change the log allows after the freeze) builds a new base; one
        base per run is kept, so memory stays at one market per run asked about.
        """
        key = base_key(store.run_id, st)
        with self._index_lock:
            cached = self._what_if_bases.get(store.run_id)
        if cached is not None and cached[0] == key:
            return cached[1]
        base = build_base(store, st)  # outside the lock: reads the store, builds the market
        with self._index_lock:
            self._what_if_bases[store.run_id] = (key, base)
        return base
