"""The public what-if of a lottery run before its draw (docs/service.md § What-if), no token needed.

``GET /runs/{id}/what-if``: whether the run answers one now (and why not), and what a form needs
(schools, limits, the seed). ``POST /runs/{id}/what-if``: one hypothetical family's chances per
choice. Each question runs up to :data:`~api.service.what_if.MAX_WHAT_IF_DRAWS` lotteries, so it
is rate-limited on a budget of its own (``--what-if-rate``, stricter than the lookup's), runs off
the event loop, and at most :data:`~api.http.context.WHAT_IF_CONCURRENCY` run at once.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.http.common import check_rate, ctx_of, open_run
from api.http.errors import ApiError, ErrorBody, Problem
from api.service.what_if import (
    DEFAULT_DRAWS,
    MAX_WHAT_IF_DRAWS,
    WhatIfBase,
    WhatIfClosed,
    answer,
    check_open,
    describe,
)
from api.simulate import MAX_MULTIPLES
from audit.ceremony import replay_log
from engine.errors import ConfigError
from engine.lottery.data import DEFAULT_TIER, MAX_TIER

__all__ = ["WhatIfRequest", "router"]

router = APIRouter()


class WhatIfRequest(BaseModel):
    """One hypothetical family: its list in order, tier, sibling priorities, 二轮志愿, twins; the draws."""

    model_config = ConfigDict(extra="forbid", strict=True)

    preferences: list[str] = Field(
        min_length=1, max_length=100, description="志愿学校代码，按顺序 school ids in order (at most max_preferences)")
    tier: int = Field(DEFAULT_TIER, description=f"类别 tier, 0..{MAX_TIER} (smaller is stronger; 1 is the default)")
    priority: dict[str, int] = Field(default_factory=dict,
                                     description="按学校的类别（如兄弟姐妹在读 S0002:0） per-school tiers")
    round2: list[str] = Field(default_factory=list, max_length=100,
                              description="二轮志愿 round-2 list (runs with round 2 only)")
    multiples: int = Field(1, description=f"多胞胎人数 1..{MAX_MULTIPLES} (twins 2: one unit, admitted together)")
    draws: int = Field(DEFAULT_DRAWS, ge=1, le=MAX_WHAT_IF_DRAWS,
                       description=f"模拟次数 lottery draws, 1..{MAX_WHAT_IF_DRAWS} (default {DEFAULT_DRAWS})")


def _closed(exc: WhatIfClosed) -> dict[str, Any]:
    return {"state": exc.state.value, "available": False, "reason_zh": exc.message_zh, "reason_en": exc.message_en}


def _open_base(request: Request, run_id: str) -> tuple[str, WhatIfBase]:
    """(state, the run's cached what-if base); :class:`WhatIfClosed` says why this run answers none."""
    store = open_run(request, run_id)
    st = replay_log(store.log())
    check_open(store.info().kind, st)
    return st.state.value, ctx_of(request).what_if_base(store, st)


def _form(request: Request, run_id: str) -> dict[str, Any]:
    try:
        state, base = _open_base(request, run_id)
    except WhatIfClosed as exc:
        return {"run_id": run_id, **_closed(exc)}
    return {"run_id": run_id, "state": state, "available": True, "reason_zh": "", "reason_en": "", **describe(base)}


@router.get("/runs/{run_id}/what-if", summary="录取机会模拟的条件 whether a run answers what-ifs, and its form data")
async def what_if_form(request: Request, run_id: str) -> dict[str, Any]:
    """``available`` with the reason when not; when available: the schools, ``max_preferences``, tier and
    draw bounds, the mechanism, and the simulation seed with its derivation."""
    return await run_in_threadpool(_form, request, run_id)


def _ask(request: Request, run_id: str, body: WhatIfRequest) -> dict[str, Any]:
    try:
        _state, base = _open_base(request, run_id)
    except WhatIfClosed as exc:
        raise ApiError(409, "what_if_closed", exc.message_zh, exc.message_en, _closed(exc)) from exc
    try:
        return answer(base, body.model_dump(exclude={"draws"}), body.draws)
    except ConfigError as exc:  # a field the schema allows but the run does not: named by its key path
        problem = Problem(file="request", row=None, column=exc.where, message_zh=exc.message_zh,
                          message_en=exc.message_en)
        raise ApiError(422, "invalid_request", exc.message_zh, exc.message_en, [problem.model_dump()]) from exc


@router.post("/runs/{run_id}/what-if", summary="我的志愿能录取吗？ one hypothetical family's chances (rate-limited)",
             responses={503: {"model": ErrorBody, "description": "正忙 too many what-ifs at once; retry"}})
async def ask_what_if(request: Request, run_id: str, body: WhatIfRequest) -> dict[str, Any]:
    """Per choice: school, probability, 95 % Wilson ``ci_low``/``ci_high``; the chance of no seat; the
    draws, the seed used (derived from the run's public data) and the ``sunshine simulate`` command
    that reproduces the answer. Refused (409) unless the roster is frozen and the seed still unknown."""
    ctx = ctx_of(request)
    check_rate(ctx.what_if_limiter, request, "模拟", "what-ifs")
    if not ctx.what_if_slots.acquire(blocking=False):
        raise ApiError(503, "busy", "同时进行的模拟过多，请稍后再试", "too many what-ifs at once; retry shortly",
                       {"retry_after": 2}, headers={"Retry-After": "2"})
    try:
        return await run_in_threadpool(_ask, request, run_id, body)
    finally:
        ctx.what_if_slots.release()
