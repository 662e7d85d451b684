"""The JSON a run is shown as: public metadata, the ceremony's progress, the checklist, downloads.

Only public facts: roots, hashes, witness names, which steps happened. No name, ID number,
phone, salt or secret ever goes into a view (the roster secret and private fields stay in
the store's private table).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from api.runs import get_kind
from api.service import ceremony
from api.service.checklist import checklist
from api.service.drafts import input_files, options_of
from api.store.database import DatabaseRunStore, RunRecord
from api.store.models import published_cosignatures, run_settings
from audit.ceremony import State, replay_log

__all__ = ["public_files", "run_summary", "run_view", "settings_of"]


def settings_of(store: DatabaseRunStore) -> tuple[str | None, str]:
    """(parent run id, reason) of a linked 复核 run; (None, "") otherwise."""
    with store.db.reading() as conn:
        row = conn.execute(select(run_settings).where(run_settings.c.run_id == store.run_id)).one_or_none()
    return (None, "") if row is None else (row.parent_run_id, row.reason)


def run_summary(record: RunRecord, parent: str | None = None) -> dict[str, Any]:
    """A run as listed by ``GET /runs``."""
    i = record.info
    return {"run_id": i.run_id, "kind": i.kind, "state": record.state.value, "title": i.title,
            "log_size": record.log_size, "published": record.state is State.PUBLISHED and record.publication_stored,
            "parent_run_id": parent}


def public_files(publication: dict[str, bytes]) -> list[str]:
    """The downloadable public files of a publication: the result files, bundle.zip (and PRACTICE.txt)."""
    names = sorted(n[len("bundle/results/"):] for n in publication if n.startswith("bundle/results/"))
    return [*names, "bundle.zip"]


def run_view(store: DatabaseRunStore) -> dict[str, Any]:
    """Everything public about one run (``GET /runs/{run_id}``)."""
    info = store.info()
    log = store.log()
    st = replay_log(log)
    sources = store.source_files()
    kind = get_kind(info.kind)
    parent, reason = settings_of(store)
    view: dict[str, Any] = {
        "run_id": info.run_id, "kind": info.kind, "title": info.title, "origin": info.origin,
        "state": st.state.value, "log_size": log.size, "operator_keys": list(info.keys),
        "next_step": ceremony.NEXT_STEP[st.state], "checklist": [i.as_json() for i in checklist(store)],
        "parent_run_id": parent, "reason": reason,
        "inputs": [{"key": s.key, "required": s.required, "help_zh": s.help_zh, "help_en": s.help_en,
                    "file": (f.name if (f := input_files(sources).get(s.key)) else None)} for s in kind.inputs],
        "options": options_of(sources),
        "config_hash": st.config_hash, "roster_size": st.roster_size,
        "public_root": st.public_root or None, "roster_root": st.roster_root or None,
        "withdrawals": len(st.withdrawals),
        "witnesses": [{"name": w.name, "key": w.key.vkey, "committed": w.name in st.commitments,
                       "revealed": w.name in st.reveals, "forfeited": w.name in st.forfeits,
                       "cosigned": sorted(st.cosigned.get(w.name, {}))} for w in st.witnesses],
        "reveal_deadline": st.reveal_deadline or None,
        "public_source": ({"type": "drand", "chain_hash": st.chain.chain_hash, "round": st.beacon_round}
                          if st.chain is not None else None),
        "seed": st.seed_record.get("seed") if st.seed_record else None,
        "public_value": (st.seed_record or {}).get("inputs", {}).get("public_value"),
        "results": st.results, "files": [], "summary": None, "published_cosigners": [],
    }
    if st.state is State.PUBLISHED:
        publication = store.publication()
        if publication:
            view["files"] = public_files(publication)
            results = {n[len("bundle/results/"):]: d for n, d in publication.items()
                       if n.startswith("bundle/results/")}
            view["summary"] = kind.summarize(results).as_json()
        with store.db.reading() as conn:
            view["published_cosigners"] = sorted(conn.execute(
                select(published_cosignatures.c.witness).where(published_cosignatures.c.run_id == store.run_id)
            ).scalars())
    return view
