"""One error shape for every error the service answers (docs/service.md § Errors).

Every non-2xx body is ``{"code", "message_zh", "message_en", "details"}``: FastAPI's own
request-validation errors and Starlette's 404/405 included, so a client (the console page, a
bureau's script) needs one parser. ``details`` is a list of located problems
(``{file, row, column, message_zh, message_en}``) for a rejected input, the state and the
checklist for a refused step, else ``null`` or a small object.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.store.base import StoreConflict, StoreError, StoreFull
from audit.errors import CanonicalError, VerificationError
from engine.errors import ConfigError, InputError, SunshineError

__all__ = ["MAX_JSON_INT", "ApiError", "ErrorBody", "Problem", "error_code_of", "error_response", "install_handlers",
           "problems_of"]

_log = logging.getLogger("sunshine.http")

#: The largest integer canonical JSON (RFC 8785, I-JSON) carries exactly: request fields are bounded by it.
MAX_JSON_INT = 2**53 - 1


class Problem(BaseModel):
    """One located problem of a rejected input (row is the Excel row; null for the whole file)."""

    file: str
    row: int | None
    column: str | None
    message_zh: str
    message_en: str


class ErrorBody(BaseModel):
    """The body of every error answer."""

    code: str
    message_zh: str
    message_en: str
    details: Any = None


class ApiError(Exception):
    """An error answer: HTTP status, stable code, both messages, details."""

    def __init__(self, status: int, code: str, message_zh: str, message_en: str, details: Any = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message_en)
        self.status, self.code, self.message_zh, self.message_en, self.details = (
            status, code, message_zh, message_en, details)
        self.headers = dict(headers or {})


def error_response(status: int, code: str, zh: str, en: str, details: Any = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = ErrorBody(code=code, message_zh=zh, message_en=en, details=details)
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def problems_of(exc: SunshineError) -> list[dict[str, Any]]:
    """The located problem(s) of an input or config error, for ``details``."""
    if isinstance(exc, InputError):
        return [Problem(file=exc.file, row=exc.row, column=exc.column, message_zh=exc.message_zh,
                        message_en=exc.message_en).model_dump()]
    if isinstance(exc, ConfigError):
        return [Problem(file=exc.file, row=None, column=exc.where, message_zh=exc.message_zh,
                        message_en=exc.message_en).model_dump()]
    return [Problem(file="", row=None, column=None, message_zh=exc.message_zh,
                    message_en=exc.message_en).model_dump()]


_STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "invalid_request",
                 429: "rate_limited"}
_STATUS_ZH = {400: "请求无效", 401: "需要登录令牌", 403: "无权执行此操作", 404: "未找到", 405: "不支持该方法",
              409: "与当前状态冲突", 413: "请求过大", 422: "请求格式错误", 429: "请求过于频繁"}


def error_code_of(exc: SunshineError) -> str:
    """The code a failed background step reports (the one its request would have answered)."""
    if isinstance(exc, StoreFull):
        return "storage_full"
    if isinstance(exc, StoreConflict):
        return "conflict"
    if isinstance(exc, StoreError):
        return "store_unavailable"
    if isinstance(exc, (InputError, ConfigError)):
        return "invalid_input"
    if isinstance(exc, VerificationError):
        return "integrity_error"
    return "step_refused"


def install_handlers(app: FastAPI) -> None:
    """Answer every error in the one shape."""

    @app.exception_handler(ApiError)
    async def _api(_request: Request, exc: ApiError) -> JSONResponse:
        headers = {**exc.headers, **({"WWW-Authenticate": "Bearer"} if exc.status == 401 else {})}
        return error_response(exc.status, exc.code, exc.message_zh, exc.message_en, exc.details, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [Problem(file="request", row=None, column=".".join(str(p) for p in e.get("loc", ())),
                           message_zh="请求格式错误", message_en=str(e.get("msg", "invalid"))).model_dump()
                   for e in exc.errors()]
        return error_response(422, "invalid_request", "请求格式错误", "the request is not valid", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        status = exc.status_code
        return error_response(status, _STATUS_CODES.get(status, "error"), _STATUS_ZH.get(status, "错误"),
                              str(exc.detail), None, dict(exc.headers) if exc.headers else None)

    @app.exception_handler(InputError)
    @app.exception_handler(ConfigError)
    async def _input(_request: Request, exc: SunshineError) -> JSONResponse:
        return error_response(422, "invalid_input", exc.message_zh, exc.message_en, problems_of(exc))

    @app.exception_handler(CanonicalError)
    async def _canonical(_request: Request, exc: CanonicalError) -> JSONResponse:
        return error_response(422, "invalid_request", exc.message_zh, exc.message_en)

    @app.exception_handler(StoreConflict)
    async def _conflict(_request: Request, exc: StoreConflict) -> JSONResponse:
        return error_response(409, "conflict", exc.message_zh, exc.message_en)

    @app.exception_handler(VerificationError)
    async def _verification(_request: Request, exc: VerificationError) -> JSONResponse:
        _log.error("stored run does not verify: %s", exc.message_en)
        return error_response(500, "integrity_error", "存储的运行未通过核验：" + exc.message_zh,
                              "the stored run does not verify: " + exc.message_en)

    @app.exception_handler(StoreFull)
    async def _full(_request: Request, exc: StoreFull) -> JSONResponse:
        _log.error("store full: %s", exc.message_en)
        return error_response(507, "storage_full", exc.message_zh, exc.message_en)

    @app.exception_handler(StoreError)
    async def _store(_request: Request, exc: StoreError) -> JSONResponse:
        _log.error("store error: %s", exc.message_en)
        return error_response(503, "store_unavailable", exc.message_zh, exc.message_en)

    @app.exception_handler(Exception)
    async def _crash(_request: Request, exc: Exception) -> JSONResponse:
        _log.exception("unhandled error")
        return error_response(500, "internal_error", "服务器内部错误", "internal server error")
