"""``sunshine serve --demo``: the bundled samples loaded as published runs, one per kind.

The samples go through the same placement day as a bureau's (:func:`api.placement_day.placement_day`,
over HTTP against a temporary server on a free loopback port), with demo users: an operator
and two witnesses (公证处, 家长代表) whose private keys are kept in ``<data>/demo-keys/`` (0600)
so that one can play either role on the pages. The samples' day uses the real drand quicknet
round 657413, so its steps are stamped on 2023-09-15 (a rehearsal clock on the temporary
server only); the real server that follows uses the real clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from api.audit_runs import write_key_file
from api.http.server import Settings, running_server
from api.placement_day import Witness, placement_day, register_witness_key, sample_day
from api.service.users import add_user
from api.store.database import Database
from audit.signing import Signer

__all__ = ["DEMO_TIME", "DEMO_WITNESSES", "load_demo"]

#: The rehearsal clock of the samples' day (before the declared drand round is due).
DEMO_TIME = "2023-09-15T08:00:00Z"
#: The demo witnesses: name, committed value, salt.
DEMO_WITNESSES = (("公证处", "739182", "notary-salt-7f3a"), ("家长代表", "55501", "parent-salt-19c2"))


def _write_private(path: Path, text: str) -> None:
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(text + "\n", encoding="utf-8")


def load_demo(settings: Settings) -> Iterator[str]:
    """Load the samples unless the database holds runs already; yields what it did, line by line."""
    db = Database(settings.database)
    try:
        if db.list_runs():
            yield "demo: the database already holds runs; nothing loaded"
            return
        keys = Path(settings.data) / "demo-keys"
        operator_token = add_user(db, "operator-demo", "operator")
        keys.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_private(keys / "operator-demo.token", operator_token)
        witnesses = []
        for name, value, salt in DEMO_WITNESSES:
            signer = Signer.generate(name)
            write_key_file(keys / f"{name}.key", signer, overwrite=True)
            token = add_user(db, name, "witness")
            _write_private(keys / f"{name}.token", token)
            witnesses.append(Witness(name, token, signer, value, salt))
    finally:
        db.close()
    with running_server(replace(settings, fixed_time=DEMO_TIME, lookup_rate=0)) as url:
        for w in witnesses:
            register_witness_key(url, w)
        for kind in ("lottery", "points", "classes"):
            title, inputs, options = sample_day(kind)
            run_id = placement_day(url, operator_token, witnesses, kind, title, inputs, options)
            yield f"demo: {kind} run {run_id} published ({title})"
    yield f"demo: tokens and witness keys in {keys}/ (operator-demo.token, 公证处.token …)"
