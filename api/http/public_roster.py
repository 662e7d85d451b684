"""The 公示 roster as the public sees it, computed once per run and log size (api/http/run_cache.py).

During the objection period the roster is published for anyone to check; at a city's size it
is 1,000,000 records whose public root takes minutes to compute on a small machine. Computed
per request, one public URL would let anyone keep the server busy. Once frozen, the root is the
one signed in ``roster.freeze``; before that it is computed once per upload (the log grows with
each ``inputs.update``). Pages ask for a slice (``offset``/``limit``); the whole list is encoded
once and kept.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from api.store.database import DatabaseRunStore
from audit.ceremony import State, replay_log
from audit.roster import commit_roster

__all__ = ["PublicRoster", "public_roster"]


def _json(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass
class PublicRoster:
    """The roster's summary (run id, state, frozen, public root, size, withdrawals) and its records."""

    summary: dict[str, Any]
    records: list[dict[str, Any]]
    _whole: bytes | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def body(self, offset: int, limit: int | None) -> bytes:
        """The answer's JSON: the summary, ``offset`` and the records from ``offset`` (``limit`` of them, or all)."""
        if offset == 0 and limit is None:
            with self._lock:
                if self._whole is None:
                    self._whole = _json({**self.summary, "offset": 0, "records": self.records})
                return self._whole
        end = None if limit is None else offset + limit
        return _json({**self.summary, "offset": offset, "records": self.records[offset:end]})


def public_roster(store: DatabaseRunStore) -> PublicRoster:
    """Read and (before the freeze) commit the run's public roster."""
    run = store.prepared()
    st = replay_log(store.log())
    frozen = st.state is not State.DRAFT
    root = st.public_root if frozen else commit_roster(run.roster, {}, bytes(32)).public_root.hex()
    summary = {"run_id": store.run_id, "state": st.state.value, "frozen": frozen, "public_root": root,
               "size": len(run.roster), "withdrawn": st.withdrawals}
    return PublicRoster(summary, [dict(r) for r in run.roster])
