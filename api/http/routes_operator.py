"""The operator's endpoints: create runs, upload inputs, set options, and take each ceremony step.

Every one is authenticated (operator role), takes an optional ``Idempotency-Key``, and every
effect is one step appended to the run's signed log with the operator's name as its actor.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.http.auth import require
from api.http.common import ctx_of, open_run, refused_step
from api.http.context import ServiceContext
from api.http.errors import MAX_JSON_INT, ApiError
from api.http.idempotency import idempotent
from api.http.views import run_view
from api.inputs import InputFile
from api.runs import RUN_KINDS, get_kind
from api.runs.kind import OptionValue, PreparedRun, check_options
from api.service import ceremony, drafts
from api.service.users import User, list_users
from api.store.database import DatabaseRunStore
from api.store.models import run_settings
from audit.beacon import MAINNET, QUICKNET, first_round_after
from audit.canonical import canonical_bytes
from audit.ceremony import State, check_next, parse_time, replay_log
from audit.errors import CeremonyError
from audit.signing import Verifier

__all__ = ["MAX_UPLOAD_BYTES", "router"]

router = APIRouter()
operator = Depends(require("operator"))

#: The largest input file accepted (a 1,000,000-row applicants CSV is about 90 MB).
MAX_UPLOAD_BYTES = 256 * 1024 * 1024
_CHAINS = {"quicknet": QUICKNET, "mainnet": MAINNET}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewRunBody(Strict):
    kind: Literal["lottery", "points", "classes"]
    title: str = Field("", max_length=200)
    options: dict[str, str | int | bool | None] = Field(default_factory=dict)


class OptionsBody(Strict):
    options: dict[str, str | int | bool | None]


class WithdrawBody(Strict):
    applicant_id: str = Field(min_length=1, max_length=64)


class BeaconChoice(Strict):
    chain: Literal["quicknet", "mainnet"] = "quicknet"
    round: int | None = Field(None, ge=1, le=MAX_JSON_INT,
                              description="默认：揭示截止后的第一轮 default: the first after the deadline")


class Fallback(Strict):
    description: str = Field(min_length=1, max_length=500)
    rule: str = Field(min_length=1, max_length=500)


class DeclareBody(Strict):
    witnesses: list[str] = Field(min_length=1, description="见证人用户名（各自已登记公钥） witness user names")
    reveal_deadline: str = Field(description="UTC, e.g. 2026-07-01T10:00:00Z")
    public_source: BeaconChoice = Field(default_factory=lambda: BeaconChoice(round=None))
    fallback: Fallback | None = None


class BeaconBody(Strict):
    round: int = Field(ge=1, le=MAX_JSON_INT)
    signature: str = Field(min_length=2, max_length=400)
    previous_signature: str | None = Field(None, max_length=400)


class ReviewBody(Strict):
    reason: str = Field(min_length=1, max_length=1000, description="复核原因 why the run is reviewed")
    title: str = Field("", max_length=200)


def _content(body: BaseModel | None) -> bytes:
    return b"" if body is None else canonical_bytes(body.model_dump())


def _answer(store: DatabaseRunStore, status: int = 200) -> JSONResponse:
    return JSONResponse(run_view(store), status_code=status)


@router.post("/runs", status_code=201, summary="创建运行 create a run in DRAFT (operator)")
def create_run(request: Request, body: NewRunBody, user: User = operator) -> Response:
    ctx = ctx_of(request)

    def run() -> Response:
        store = _create(ctx, body.kind, body.title, body.options, user)
        return _answer(store, 201)

    return idempotent(request, user, _content(body), run)


def _create(ctx: ServiceContext, kind_name: str, title: str, options: dict[str, OptionValue], user: User,
            sources: dict[str, bytes] | None = None, parent: str | None = None, reason: str = "") -> DatabaseRunStore:
    kind = get_kind(kind_name)
    check_options(kind, options)  # refused before anything is stored
    empty = PreparedRun(kind=kind.name, config={}, roster=[])
    created = ceremony.init_run(ctx.db.create_run, empty, ctx.step(user), title=title)
    store = ctx.store(created.info().run_id)
    with ctx.db.writing() as conn:
        conn.execute(run_settings.insert().values(run_id=store.run_id, options="{}", parent_run_id=parent,
                                                  reason=reason))
    step = ctx.step(user, store)
    if parent is not None:
        ceremony.mark_review(store, step, parent, reason)
    if options:
        drafts.set_options(store, options, step)
    for name, data in sorted((sources or {}).items()):
        if name != drafts.OPTIONS_FILE:
            key, _, filename = name.partition("/")
            drafts.upload_input(store, key, InputFile(filename, data), ctx.step(user, store))
    return store


@router.put("/runs/{run_id}/inputs/{key}", summary="上传或替换输入文件 upload or replace an input (DRAFT only)")
async def upload(request: Request, run_id: str, key: str, file: UploadFile = File(...),
                 user: User = operator) -> Response:
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ApiError(413, "too_large", "文件过大", f"the file is larger than {MAX_UPLOAD_BYTES} bytes")
    name = (file.filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]

    def run() -> Response:
        store = open_run(request, run_id)
        with refused_step(store):
            drafts.upload_input(store, key, InputFile(name, data), ctx_of(request).step(user, store))
        return _answer(store)

    content = canonical_bytes({"key": key, "name": name}) + data
    return await run_in_threadpool(idempotent, request, user, content, run)


@router.put("/runs/{run_id}/options", summary="设置选项 set the run's options (DRAFT only)")
def set_options(request: Request, run_id: str, body: OptionsBody, user: User = operator) -> Response:
    def run() -> Response:
        store = open_run(request, run_id)
        with refused_step(store):
            drafts.set_options(store, body.options, ctx_of(request).step(user, store))
        return _answer(store)

    return idempotent(request, user, _content(body), run)


def _transition(request: Request, run_id: str, user: User, body: BaseModel | None, act: Any) -> Response:
    def run() -> Response:
        store = open_run(request, run_id)
        with refused_step(store):
            act(store, ctx_of(request).step(user, store))
        return _answer(store)

    return idempotent(request, user, _content(body), run)


@router.post("/runs/{run_id}/freeze", summary="冻结名单 freeze the roster (after 公示)")
def freeze(request: Request, run_id: str, user: User = operator) -> Response:
    def act(store: DatabaseRunStore, step: ceremony.Step) -> None:
        drafts.require_complete(store)
        ceremony.freeze(store, step)

    return _transition(request, run_id, user, None, act)


@router.post("/runs/{run_id}/withdrawals", summary="登记退出 record a withdrawal (ROSTER_FROZEN)")
def withdraw(request: Request, run_id: str, body: WithdrawBody, user: User = operator) -> Response:
    return _transition(request, run_id, user, body,
                       lambda store, step: ceremony.withdraw(store, step, body.applicant_id))


@router.post("/runs/{run_id}/declare", summary="声明见证人与公开随机源 declare witnesses, deadline, drand round")
def declare(request: Request, run_id: str, body: DeclareBody, user: User = operator) -> Response:
    ctx = ctx_of(request)
    keys = {u.name: u for u in list_users(ctx.db)}
    witnesses: list[tuple[str, Verifier]] = []
    for name in body.witnesses:
        u = keys.get(name)
        if u is None or u.role != "witness" or u.revoked:
            raise ApiError(422, "unknown_witness", f"{name} 不是见证人用户", f"{name} is not a witness user")
        if u.witness_key is None:
            raise ApiError(409, "witness_key_missing", f"见证人 {name} 尚未登记公钥（PUT /api/v1/me/key）",
                           f"witness {name} has not registered a key yet (PUT /api/v1/me/key)")
        witnesses.append((name, Verifier.from_vkey(u.witness_key)))
    try:
        deadline = parse_time(body.reveal_deadline)
    except ValueError as exc:
        raise ApiError(422, "invalid_time", "揭示截止时间格式应为 YYYY-MM-DDTHH:MM:SSZ", str(exc)) from exc
    chain = _CHAINS[body.public_source.chain]
    beacon_round = body.public_source.round or first_round_after(chain, deadline)
    fallback = None if body.fallback is None else body.fallback.model_dump()
    return _transition(request, run_id, user, body, lambda store, step: ceremony.declare(
        store, step, witnesses, reveal_deadline=body.reveal_deadline, chain=chain, beacon_round=beacon_round,
        fallback=fallback))


@router.post("/runs/{run_id}/seed", summary="提交公开随机值并生成种子 give the drand beacon; derive the seed")
def seed(request: Request, run_id: str, body: BeaconBody, user: User = operator) -> Response:
    beacon = {k: v for k, v in body.model_dump().items() if v is not None}
    return _transition(request, run_id, user, body, lambda store, step: ceremony.seed(store, step, beacon))


@router.post("/runs/{run_id}/inherit-seed",
             summary="复核运行继承原运行的种子 a 复核 run takes its original's seed, with proof (ROSTER_FROZEN)")
def inherit_seed(request: Request, run_id: str, user: User = operator) -> Response:
    """``seed.inherit``: the run named by this review's first note gives its seed, proven by its signed
    checkpoint and the inclusion proof of its ``seed.derive`` entry (no declaration, witnesses or beacon)."""
    def act(store: DatabaseRunStore, step: ceremony.Step) -> None:
        parent = replay_log(store.log()).review_of
        if not parent:
            raise CeremonyError("只有复核运行才能继承种子", "only a 复核 run can inherit a seed")
        ceremony.inherit_seed(store, step, ctx_of(request).store(parent))

    return _transition(request, run_id, user, None, act)


def _background(request: Request, run_id: str, user: User, action: str) -> Response:
    ctx = ctx_of(request)

    def run() -> Response:
        store = open_run(request, run_id)
        st = replay_log(store.log())
        with refused_step(store):
            if not (action == "publish" and st.state is State.PUBLISHED):
                check_next(st, f"run.{action}")
        step = ctx.step(user, store)
        if action == "execute":
            ctx.jobs.start(run_id, action, lambda progress: ceremony.execute(store, step, progress))
        else:
            ctx.jobs.start(run_id, action, lambda progress: ceremony.publish(store, step, progress))
        return JSONResponse({"run_id": run_id, "job": ctx.jobs.status(run_id, action),
                             "poll": f"/api/v1/runs/{run_id}/jobs/{action}"}, status_code=202)

    return idempotent(request, user, b"", run)


@router.post("/runs/{run_id}/execute", status_code=202, summary="执行派位（后台） run the engine in the background")
def execute(request: Request, run_id: str, user: User = operator) -> Response:
    return _background(request, run_id, user, "execute")


@router.post("/runs/{run_id}/publish", status_code=202, summary="发布（后台） publish in the background")
def publish(request: Request, run_id: str, user: User = operator) -> Response:
    return _background(request, run_id, user, "publish")


@router.post("/runs/{run_id}/review", status_code=201,
             summary="发起复核运行 start a linked 复核 run from a published run's inputs")
def review(request: Request, run_id: str, body: ReviewBody, user: User = operator) -> Response:
    """A new DRAFT run of the same kind holding the original's inputs and options, linked to it
    (its log's first note names the original and the reason); upload the ``corrections`` input,
    freeze, then inherit the original's seed (``/inherit-seed``). The original is never changed."""
    ctx = ctx_of(request)

    def run() -> Response:
        original = open_run(request, run_id)
        if not original.publication():
            raise ApiError(409, "not_published", "只能对已发布的运行发起复核", "only a published run can be reviewed")
        info = original.info()
        sources = original.source_files()
        store = _create(ctx, info.kind, body.title or f"复核：{info.title}", drafts.options_of(sources), user,
                        sources=sources, parent=run_id, reason=body.reason)
        return _answer(store, 201)

    return idempotent(request, user, _content(body), run)


@router.get("/runs/{run_id}/private/{name:path}", summary="非公开文件 a private file of the publication (operator)",
            response_class=Response)
def private_file(request: Request, run_id: str, name: str, user: User = operator) -> Response:
    store = open_run(request, run_id)
    publication = store.publication()
    if name.startswith("bundle/") or name == "bundle.zip" or name not in publication:
        raise ApiError(404, "file_not_found", f"没有非公开文件 {name}", f"there is no private file {name!r}")
    return Response(publication[name], media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{name.rsplit("/", 1)[-1]}"'})


@router.get("/kinds", summary="运行类型及其输入、选项 the run kinds, their inputs and options")
def kinds() -> list[dict[str, Any]]:
    return [{"kind": k.name,
             "inputs": [{"key": s.key, "required": s.required, "help_zh": s.help_zh, "help_en": s.help_en}
                        for s in k.inputs],
             "options": [{"key": o.key, "type": o.type.__name__, "default": o.default, "help_zh": o.help_zh,
                          "help_en": o.help_en, "choices": list(o.choices)} for o in k.options]}
            for k in RUN_KINDS.values() if k.name in ("lottery", "points", "classes")]

