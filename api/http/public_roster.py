"""The 公示 roster as the public sees it, computed once per run and log size (api/http/run_cache.py).

During the objection period the roster is published for anyone to check; at a city's size it
is 1,000,000 records whose public root takes minutes to compute on a small machine. Computed
per request, one public URL would let anyone keep the server busy. Once frozen, the root is the
one signed in ``roster.freeze``; before that it is computed once per upload (the log grows with
each ``inputs.update``). Pages ask for a slice (``offset``/``limit``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from api.store.database import DatabaseRunStore
from audit.ceremony import State, replay_log
from audit.roster import commit_roster

__all__ = ["PublicRoster", "public_roster"]


def _json(obj: object, *, sort_keys: bool = False) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys).encode()


@dataclass(frozen=True)
class PublicRoster:
    """The roster's summary (run id, state, frozen, public root, size, withdrawals) and its records.

    Each record is kept as its JSON text (keys in code point order, as in ``roster.jsonl``), not
    parsed: every worker holds it for the whole results hour, and parsed records (dicts, lists,
    strings) take about 5.5 times the memory of their text (112 MB against 20 MB per 100,000
    lottery records, tracemalloc); a slice is then a join.
    """

    summary: dict[str, Any]
    records: list[bytes]

    def body(self, offset: int, limit: int | None) -> bytes:
        """The answer's JSON: the summary, ``offset`` and the records from ``offset`` (``limit`` of them, or all)."""
        end = None if limit is None else offset + limit
        head = _json({**self.summary, "offset": offset})
        return head[:-1] + b',"records":[' + b",".join(self.records[offset:end]) + b"]}"


def public_roster(store: DatabaseRunStore) -> PublicRoster:
    """Read and (before the freeze) commit the run's public roster."""
    run = store.prepared()
    st = replay_log(store.log())
    frozen = st.state is not State.DRAFT
    root = st.public_root if frozen else commit_roster(run.roster, {}, bytes(32)).public_root.hex()
    summary = {"run_id": store.run_id, "state": st.state.value, "frozen": frozen, "public_root": root,
               "size": len(run.roster), "withdrawn": st.withdrawals}
    return PublicRoster(summary, [_json(dict(r), sort_keys=True) for r in run.roster])
