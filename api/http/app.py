"""The FastAPI application: ``create_app(ctx)``; every endpoint is under ``/api/v1`` (docs/service.md).

Route modules by who calls them: :mod:`api.http.routes_public` (no token; the what-if in
:mod:`api.http.routes_what_if`),
:mod:`api.http.routes_operator` (the bureau) and :mod:`api.http.routes_witness` (witnesses,
``/me``, the auditor's log). Every error answer has the one shape of :mod:`api.http.errors`,
and the OpenAPI document says so for every operation.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from api.cli.app import package_version
from api.http import routes_operator, routes_pages, routes_public, routes_what_if, routes_witness
from api.http.context import ServiceContext
from api.http.errors import ErrorBody, install_handlers

__all__ = ["API_PREFIX", "create_app"]

API_PREFIX = "/api/v1"

_ERROR_TEXT = {
    400: "请求无效 bad request", 401: "需要令牌 no valid token", 403: "角色不允许 role may not",
    404: "未找到 not found", 405: "不支持该方法 method not allowed",
    409: "状态冲突（附检查清单） refused step, with the checklist",
    413: "文件过大 too large", 422: "输入无效（附定位） invalid input, located",
    429: "查询过于频繁 rate-limited", 500: "服务器错误 server error",
    503: "数据库不可用 store unavailable", 507: "磁盘已满 storage full",
}
_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text} for status, text in _ERROR_TEXT.items()}


def create_app(ctx: ServiceContext) -> FastAPI:
    """The service over ``ctx`` (database, signing key, clock); closes ``ctx`` on shutdown."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        ctx.start_preload()
        yield
        ctx.close()

    app = FastAPI(
        title="Sunshine 阳光招生",
        version=package_version(),
        description="派位日服务：运行、仪式、公开查询与审计数据包。Placement-day service: runs, the ceremony, "
                    "public lookup and audit bundles. Every error body is `{code, message_zh, message_en, details}`.",
        lifespan=lifespan,
        responses=_ERRORS,
    )
    app.state.ctx = ctx
    install_handlers(app)
    for module in (routes_public, routes_what_if, routes_operator, routes_witness):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(routes_pages.router)  # the pages (/, /runs/{id}, /console, /witness, /screen/{id})
    return app
