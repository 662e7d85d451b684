"""``Idempotency-Key`` on uploads and transitions: a retried request has exactly one effect.

Every mutating request runs as ONE database transaction (:meth:`Database.unit`): the step's
writes and, when the request has a key, its answer (status and body, stored under
(user, key) with a fingerprint of what was asked: method, path and the request's content)
commit together or not at all. So a crash at any instant (SIGKILL, a lost database
connection, a full disk) leaves either nothing, and a retry runs the step, or the step *and*
its answer, and a retry with the same key and content gets that answer
(``Idempotent-Replayed: true``) without running again; the same key with other content is
409 ``idempotency_key_reused``.

Two concurrent requests with one key: both may start, but only one can commit its answer
(the table's primary key, and the run's log lock, serialise them); the other's whole
transaction is rolled back and it answers the stored answer of the first. Both callers get
the same answer, and the log holds one effect. Only successful answers are kept: a refused
step (4xx) or a server error changed nothing, so its key is free again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from api.http.errors import ApiError
from api.service.users import User
from api.store.database import Database
from api.store.models import idempotency
from engine.errors import SunshineError

__all__ = ["idempotent"]


def _fingerprint(request: Request, content: bytes) -> str:
    h = hashlib.sha256()
    for part in (request.method.encode(), request.url.path.encode(), content):
        h.update(len(part).to_bytes(8, "big") + part)
    return h.hexdigest()


def _stored(db: Database, user: User, key: str, fingerprint: str) -> Response | None:
    """The answer kept for (user, key), or None; 409 when the key was used for other content."""
    with db.reading() as conn:
        row = conn.execute(select(idempotency).where((idempotency.c.user_name == user.name)
                                                     & (idempotency.c.key == key))).one_or_none()
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise ApiError(409, "idempotency_key_reused", "该 Idempotency-Key 已用于另一个请求",
                       "this Idempotency-Key was used for a different request")
    return Response(bytes(row.body), status_code=row.status, media_type="application/json",
                    headers={"Idempotent-Replayed": "true"})


class _Refused(Exception):
    """An error answer returned (not raised) by a step: it rolls the unit back like an exception."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def idempotent(request: Request, user: User, content: bytes, run: Callable[[], Response]) -> Response:
    """Run ``run`` as one transaction, once per (user, Idempotency-Key) when the header is given."""
    db: Database = request.app.state.ctx.db
    key = request.headers.get("Idempotency-Key")
    if key is None:
        try:
            with db.unit():
                response = run()
                if response.status_code >= 400:
                    raise _Refused(response)
        except _Refused as refused:
            return refused.response
        return response
    if not 1 <= len(key) <= 200:
        raise ApiError(400, "bad_idempotency_key", "Idempotency-Key 长度应为 1–200",
                       "Idempotency-Key must be 1-200 characters")
    fingerprint = _fingerprint(request, content)
    earlier = _stored(db, user, key, fingerprint)
    if earlier is not None:
        return earlier
    try:
        with db.unit():
            response = run()
            if response.status_code >= 400:
                raise _Refused(response)
            body = bytes(response.body)
            json.loads(body)  # only JSON answers are stored (every mutating endpoint answers JSON)
            with db.writing() as conn:
                conn.execute(insert(idempotency).values(user_name=user.name, key=key, request_hash=fingerprint,
                                                        status=response.status_code, body=body))
    except _Refused as refused:
        return _stored(db, user, key, fingerprint) or refused.response
    except (IntegrityError, SunshineError, ApiError):  # a concurrent twin with the key may have won
        won = _stored(db, user, key, fingerprint)
        if won is None:
            raise
        return won
    return response
