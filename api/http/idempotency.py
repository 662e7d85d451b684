"""``Idempotency-Key`` on uploads and transitions: a retried request has exactly one effect.

The first request with a key runs and its answer (status and body) is stored under
(user, key) with a fingerprint of what was asked (method, path and the request's content);
a retry with the same key and the same content gets the stored answer without running
again; the same key with other content is 409. A placeholder row is inserted *before* the
step runs, so two concurrent requests with one key cannot both run: the second gets 409
``idempotency_in_progress`` and may retry. Only successful answers are kept: a refused step
(4xx) or a server error changed nothing, so the placeholder is removed and a retry runs again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from api.http.errors import ApiError
from api.service.users import User
from api.store.database import Database
from api.store.models import idempotency

__all__ = ["idempotent"]

_PENDING = 0


def _fingerprint(request: Request, content: bytes) -> str:
    h = hashlib.sha256()
    for part in (request.method.encode(), request.url.path.encode(), content):
        h.update(len(part).to_bytes(8, "big") + part)
    return h.hexdigest()


def idempotent(request: Request, user: User, content: bytes, run: Callable[[], Response]) -> Response:
    """Run ``run`` once per (user, Idempotency-Key); without the header, just run it."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return run()
    if not 1 <= len(key) <= 200:
        raise ApiError(400, "bad_idempotency_key", "Idempotency-Key 长度应为 1–200",
                       "Idempotency-Key must be 1-200 characters")
    db: Database = request.app.state.ctx.db
    fingerprint = _fingerprint(request, content)
    where = (idempotency.c.user_name == user.name) & (idempotency.c.key == key)
    try:
        with db.writing() as conn:
            conn.execute(insert(idempotency).values(user_name=user.name, key=key, request_hash=fingerprint,
                                                    status=_PENDING, body=b""))
    except IntegrityError:
        with db.reading() as conn:
            row = conn.execute(select(idempotency).where(where)).one()
        if row.request_hash != fingerprint:
            raise ApiError(409, "idempotency_key_reused", "该 Idempotency-Key 已用于另一个请求",
                           "this Idempotency-Key was used for a different request") from None
        if row.status == _PENDING:
            raise ApiError(409, "idempotency_in_progress", "相同请求仍在处理中，请稍后重试",
                           "the same request is still being processed; retry shortly") from None
        return Response(bytes(row.body), status_code=row.status, media_type="application/json",
                        headers={"Idempotent-Replayed": "true"})
    try:
        response = run()
    except BaseException:  # a refused or failed step had no effect: the key is free again
        with db.writing() as conn:
            conn.execute(delete(idempotency).where(where))
        raise
    if response.status_code >= 400:
        with db.writing() as conn:
            conn.execute(delete(idempotency).where(where))
        return response
    body = bytes(response.body)
    json.loads(body)  # only JSON answers are stored (every mutating endpoint answers JSON)
    with db.writing() as conn:
        conn.execute(update(idempotency).where(where).values(status=response.status_code, body=body))
    return response
