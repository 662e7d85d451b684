"""Endpoints anyone may call without a token: health, the run list, a run, its 公示 roster,
downloads, the public lookup, the checkpoints witnesses cosign, and the service's key."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.cli.app import package_version
from api.http.common import check_rate, ctx_of, fresh_head, open_head, open_run
from api.http.errors import ApiError
from api.http.public_roster import public_roster
from api.http.published import PublishedRun
from api.http.views import run_summary, run_view, settings_of
from api.service import ceremony
from api.service.lookup import PublishedIndex
from api.service.seal import published_checkpoint
from api.store.database import DatabaseRunStore, RunHead
from audit.ceremony import replay_log
from audit.errors import CeremonyError, NotInRun
from audit.signing import format_checkpoint

__all__ = ["router"]

router = APIRouter()

_MEDIA = {".csv": "text/csv; charset=utf-8", ".json": "application/json", ".zip": "application/zip",
          ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".png": "image/png",
          ".md": "text/markdown; charset=utf-8", ".txt": "text/plain; charset=utf-8"}


def _media(name: str) -> str:
    return next((m for suffix, m in _MEDIA.items() if name.endswith(suffix)), "application/octet-stream")


@router.get("/health", summary="服务状态 health")
def health(request: Request) -> dict[str, Any]:
    ctx = ctx_of(request)
    return {"status": "ok", "version": package_version(), "database": ctx.db.dialect, **ctx.lookup_status()}


@router.get("/keys", summary="服务签名公钥 the service's log key (pin it with sunshine verify --key)")
def keys(request: Request) -> dict[str, Any]:
    v = ctx_of(request).signer.verifier
    return {"log_key": v.vkey, "fingerprint": f"SHA256:{v.fingerprint}"}


@router.get("/runs", summary="运行列表 every run (public)")
def list_runs(request: Request) -> list[dict[str, Any]]:
    ctx = ctx_of(request)
    return [run_summary(r, settings_of(ctx.store(r.info.run_id))[0]) for r in ctx.db.list_runs()]


@router.get("/runs/{run_id}", summary="运行详情 one run: state, checklist, roots, witnesses, files",
            response_model=dict[str, Any])
async def get_run(request: Request, run_id: str) -> Any:
    """A published run's page is answered from memory after one fresh read of its head (seals included)."""
    head = await fresh_head(request, run_id)
    published = ctx_of(request).published.cached(run_id, head)
    if published is None:
        return await run_in_threadpool(_run_page, request, run_id, head)
    return Response(published.view_json(head.cosignatures), media_type="application/json")


def _run_page(request: Request, run_id: str, head: RunHead) -> Any:
    """The run's view from the database (loading a published run's answers once, for the next requests)."""
    store = ctx_of(request).store(run_id)
    published = ctx_of(request).published.get(store, head)
    if published is None:
        return run_view(store)
    return Response(published.view_json(head.cosignatures), media_type="application/json")


@router.get("/runs/{run_id}/roster", summary="公示名单 the public roster (masked records, for the objection period)",
            response_model=dict[str, Any])
def roster(request: Request, run_id: str, offset: int = Query(0, ge=0, le=2**31),
           limit: int | None = Query(None, ge=0, le=2**31)) -> Any:
    """The roster's public records (no names or ID numbers: those are private fields) and its public root.

    ``offset``/``limit`` give a slice of the records (``size`` is always the whole roster's); the
    answer is computed once per run and log size, so a city's roster is not re-hashed per request.
    """
    store, head = open_head(request, run_id)
    answer = ctx_of(request).rosters.get(run_id, head.log_size, lambda: public_roster(store))
    return Response(answer.body(offset, limit), media_type="application/json")


def _publication(request: Request, run_id: str) -> tuple[Any, dict[str, bytes]]:
    store = open_run(request, run_id)
    publication = store.publication()
    if not publication:
        raise ApiError(404, "not_published", "该运行尚未发布", "the run is not published yet")
    return store, publication


async def _published(request: Request, run_id: str) -> tuple[DatabaseRunStore, RunHead, PublishedRun]:
    ctx = ctx_of(request)
    head = await fresh_head(request, run_id)
    store = ctx.store(run_id)
    published = ctx.published.cached(run_id, head) or await run_in_threadpool(ctx.published.get, store, head)
    if published is None:
        raise ApiError(404, "not_published", "该运行尚未发布", "the run is not published yet")
    return store, head, published


_CHUNK = 1 << 18


def _download(request: Request, data: bytes, filename: str) -> StreamingResponse:
    """``data`` sent in chunks, at most a few downloads at a time (the others wait their turn).

    Fifty auditors fetching a 90 MB bundle at loopback speed would otherwise keep the event
    loop copying bytes while the parents' lookups queue behind them; a bounded number of
    streams, each yielding between chunks, keeps lookups answered during any download rush.
    """
    slots = ctx_of(request).download_slots

    async def chunks() -> AsyncIterator[bytes]:
        async with slots:
            for start in range(0, len(data), _CHUNK):
                yield data[start:start + _CHUNK]
                await asyncio.sleep(0)

    return StreamingResponse(chunks(), media_type=_media(filename), headers={
        "Content-Length": str(len(data)), "Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/runs/{run_id}/bundle.zip", summary="审计数据包 the bundle (sunshine verify accepts these bytes)",
            response_class=Response, responses={200: {"content": {"application/zip": {}}}})
async def bundle_zip(request: Request, run_id: str) -> StreamingResponse:
    store, head, published = await _published(request, run_id)
    data = await run_in_threadpool(published.bundle, store, head.cosignatures)  # re-zips only when seals changed
    return _download(request, data, f"{run_id}-bundle.zip")


@router.get("/runs/{run_id}/files/{name}", summary="公开结果文件 a public result file (CSV, XLSX, JSON …)",
            response_class=Response)
async def public_file(request: Request, run_id: str, name: str) -> StreamingResponse:
    if name == "bundle.zip":
        return await bundle_zip(request, run_id)
    _store, _head, published = await _published(request, run_id)
    if name not in published.files:
        raise ApiError(404, "file_not_found", f"没有公开文件 {name}", f"there is no public file {name!r}")
    return _download(request, published.files[name], name)


@router.get("/runs/{run_id}/applicants/{applicant_id}",
            summary="查询结果 one applicant's public result, why, and the receipt (rate-limited)")
async def lookup(request: Request, run_id: str, applicant_id: str) -> Response:
    """Answered from memory once the run's index is built (a published run never changes), so a
    results-hour burst does not touch the database; the answer is serialised once, directly."""
    ctx = ctx_of(request)
    check_rate(ctx.limiter, request, "查询", "lookups")
    index = ctx.cached_index(run_id)
    if index is None:  # first lookup of this run in this process: database and verification, off the loop
        index = await run_in_threadpool(_build_index, request, run_id)
    try:
        body = json.dumps(index.lookup(applicant_id), ensure_ascii=False, separators=(",", ":")).encode()
        return Response(body, media_type="application/json")
    except NotInRun:
        raise ApiError(404, "applicant_not_found", f"本次运行没有报名号 {applicant_id}",
                       f"no applicant {applicant_id!r} in this run") from None


def _build_index(request: Request, run_id: str) -> PublishedIndex:
    store, publication = _publication(request, run_id)
    return ctx_of(request).published_index(store, publication)


@router.get("/runs/{run_id}/checkpoint", summary="见证人要联署的检查点 the checkpoint a witness cosigns")
def checkpoint(request: Request, run_id: str,
               action: str = Query("commit", pattern="^(commit|reveal|forfeit|published)$")) -> dict[str, Any]:
    """``commit``: the checkpoint after the declaration; ``reveal``/``forfeit``: after the last commit;
    ``published``: the final one. The body (``origin\\nsize\\nroot``) is what is signed."""
    store = open_run(request, run_id)
    try:
        cp = published_checkpoint(store) if action == "published" else ceremony.witness_checkpoint(store, action)
    except CeremonyError as exc:
        raise ApiError(409, "no_checkpoint_yet", exc.message_zh, exc.message_en) from exc
    st = replay_log(store.log())
    return {"origin": cp.origin, "size": cp.size, "root_hex": cp.root.hex(), "body": format_checkpoint(cp),
            "public_root": st.public_root, "config_hash": st.config_hash}


@router.get("/runs/{run_id}/jobs/{action}", summary="后台步骤进度 progress of execute / publish")
def job(request: Request, run_id: str, action: str) -> dict[str, Any]:
    open_run(request, run_id)
    status = ctx_of(request).jobs.status(run_id, action)
    if status is None:
        raise ApiError(404, "job_not_found", "没有该后台步骤", f"no {action} job for this run")
    return status
