"""Helpers the route modules share: opening a run, answering a refused step, JSON answers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from api.http.context import ServiceContext
from api.http.errors import ApiError
from api.http.ratelimit import RateLimiter
from api.service.checklist import checklist
from api.store.base import StoreError
from api.store.database import DatabaseRunStore, RunHead
from audit.ceremony import replay_log
from audit.errors import CeremonyError, VerificationError

__all__ = ["check_rate", "ctx_of", "fresh_head", "json_answer", "open_head", "open_run", "refused_step"]


def ctx_of(request: Request) -> ServiceContext:
    ctx: ServiceContext = request.app.state.ctx
    return ctx


def open_run(request: Request, run_id: str) -> DatabaseRunStore:
    """The run's store, or 404 in the one error shape."""
    store = ctx_of(request).store(run_id)
    try:
        store.info()
    except StoreError:
        raise _no_run(run_id) from None
    return store


def open_head(request: Request, run_id: str) -> tuple[DatabaseRunStore, RunHead]:
    """The run's store and its head, read now (one statement), or 404."""
    store = ctx_of(request).store(run_id)
    try:
        return store, store.head()
    except StoreError:
        raise _no_run(run_id) from None


async def fresh_head(request: Request, run_id: str) -> RunHead:
    """The run's head read after this request arrived (shared with concurrent requests), or 404."""
    try:
        return await ctx_of(request).heads.get(run_id)
    except StoreError:
        raise _no_run(run_id) from None


def _no_run(run_id: str) -> ApiError:
    return ApiError(404, "run_not_found", f"没有运行 {run_id}", f"there is no run {run_id!r}")


def check_rate(limiter: RateLimiter, request: Request, what_zh: str, what_en: str) -> None:
    """429 ``rate_limited`` (with Retry-After) when this client has used up ``limiter``'s budget."""
    client = request.client.host if request.client else "unknown"
    allowed, wait = limiter.allow(client)
    if not allowed:
        retry = int(wait) + 1
        raise ApiError(429, "rate_limited", f"{what_zh}过于频繁，请 {retry} 秒后再试",
                       f"too many {what_en}; retry in {retry} s", {"retry_after": retry},
                       headers={"Retry-After": str(retry)})


@contextmanager
def refused_step(store: DatabaseRunStore) -> Iterator[None]:
    """A step the ceremony refuses answers 409 with the current state and what is still missing;
    signed data that does not verify (a cosignature, a beacon) is the caller's: 422."""
    try:
        yield
    except VerificationError as exc:
        raise ApiError(422, "invalid_signature", exc.message_zh, exc.message_en) from exc
    except CeremonyError as exc:
        st = replay_log(store.log())
        raise ApiError(409, "step_refused", exc.message_zh, exc.message_en,
                       {"state": st.state.value, "checklist": [i.as_json() for i in checklist(store)]}) from exc


def json_answer(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)
