"""What a published run serves, loaded once per process: its view, its public files, its bundle.

In the results hour thousands of parents open a run's page and download its files at once.
Answering each from the database would read the whole publication (tens of megabytes at
100,000 applicants) and re-parse its result tables per request. None of that can change: a
published run's log is final and its publication is rebuilt only ever to the same bytes. So
each process loads it once, keyed on the run's head (state, log size, publication stored),
and serves it from memory. The one thing that still arrives after publication, the
witnesses' cosignatures of the final checkpoint, comes with the head: one statement per
request (:meth:`DatabaseRunStore.head`), so a seal shows at once in every worker; the
served ``bundle.zip`` is re-zipped only when their set changes.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from api.http.run_cache import RunCache
from api.http.views import public_files, run_view
from api.service.seal import served_bundle
from api.store.database import Cosignatures, DatabaseRunStore, RunHead
from audit.ceremony import State

__all__ = ["PublishedCache", "PublishedRun"]

@dataclass
class PublishedRun:
    """One published run's answers: its view (cosigners apart), public files, and the bundle as served."""

    log_size: int
    view: dict[str, Any]
    files: dict[str, bytes]  # public result files by name (bundle.zip apart)
    _bundle: tuple[Cosignatures, bytes]
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _view_json: tuple[Cosignatures, bytes] | None = None

    def current_view(self, cosignatures: Cosignatures) -> dict[str, Any]:
        return {**self.view, "published_cosigners": sorted(w for w, _size, _line in cosignatures)}

    def view_json(self, cosignatures: Cosignatures) -> bytes:
        """:meth:`current_view` as the JSON FastAPI would send, serialised once per set of seals.

        The view carries every school's summary figures; encoding that nested object per request
        cost more than everything else the run page asks for.
        """
        with self._lock:
            if self._view_json is None or self._view_json[0] != cosignatures:
                body = json.dumps(self.current_view(cosignatures), ensure_ascii=False, allow_nan=False,
                                  separators=(",", ":")).encode()
                self._view_json = (cosignatures, body)
            return self._view_json[1]

    def bundle(self, store: DatabaseRunStore, cosignatures: Cosignatures) -> bytes:
        """``bundle.zip`` with ``cosignatures`` (re-zipped from the store only when they changed)."""
        with self._lock:
            if self._bundle[0] != cosignatures:
                self._bundle = (cosignatures, served_bundle(store.publication(), cosignatures))
            return self._bundle[1]


class PublishedCache:
    """Published runs' answers by run id, each loaded once (one loader per run, however many ask)."""

    def __init__(self) -> None:
        self._runs: RunCache[PublishedRun] = RunCache()

    def cached(self, run_id: str, head: RunHead) -> PublishedRun | None:
        """The run's answers if this process has them loaded at ``head`` (no database, no waiting)."""
        return self._runs.peek(run_id, head.log_size) if self._current(head) else None

    @staticmethod
    def _current(head: RunHead) -> bool:
        return head.state is State.PUBLISHED and head.publication_stored

    def get(self, store: DatabaseRunStore, head: RunHead) -> PublishedRun | None:
        """The run's answers if ``head`` says it is published (and its publication stored), else ``None``."""
        if not self._current(head):
            return None
        return self._runs.get(store.run_id, head.log_size, lambda: self._load(store, head))

    @staticmethod
    def _load(store: DatabaseRunStore, head: RunHead) -> PublishedRun:
        publication = store.publication()
        view = run_view(store)
        view.pop("published_cosigners", None)
        files = {name: publication[f"bundle/results/{name}"] for name in public_files(publication)
                 if name != "bundle.zip"}
        return PublishedRun(head.log_size, view, files,
                            (head.cosignatures, served_bundle(publication, head.cosignatures)))
