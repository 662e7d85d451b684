"""A witness's endpoints (their own slot only), ``/me``, and the auditor's full log.

A witness signs everything themselves (the witness page does it in the browser with
WebCrypto; ``sunshine ceremony`` on their own machine works too): the server receives only
signed statements and cosignature lines, checks them against the key the witness
registered, and records them with the witness as the actor. The user name is the witness
name, so no token can act in another witness's slot.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from api.http.auth import require
from api.http.common import ctx_of, open_run, refused_step
from api.http.errors import MAX_JSON_INT, ApiError
from api.http.idempotency import idempotent
from api.http.views import run_view
from api.service import ceremony
from api.service.seal import add_published_cosignature
from api.service.users import User, UserError, set_witness_key
from api.store.database import DatabaseRunStore
from audit.canonical import canonical_bytes
from audit.ceremony import replay_log
from audit.errors import KeyFileError

__all__ = ["router"]

router = APIRouter()
witness_only = Depends(require("witness"))
anyone = Depends(require("operator", "witness", "auditor"))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KeyBody(Strict):
    key: str = Field(min_length=10, max_length=300, description="name+keyid+base64 (signed-note verifier key)")


class CosignBody(Strict):
    size: int = Field(ge=1, le=MAX_JSON_INT)
    cosignature: str = Field(min_length=10, max_length=400)


class StatementBody(Strict):
    statement: str = Field(min_length=10, max_length=4000, description="the signed statement (a signed note)")
    cosignature: str | None = Field(None, max_length=400, description="cosignature of the checkpoint it names")


class SealBody(Strict):
    cosignature: str = Field(min_length=10, max_length=400)


@router.get("/me", summary="当前用户 who am I")
def me(user: User = anyone) -> dict[str, Any]:
    return {"name": user.name, "role": user.role, "witness_key": user.witness_key}


@router.put("/me/key", summary="见证人登记公钥 a witness registers their own Ed25519 key")
def register_key(request: Request, body: KeyBody, user: User = witness_only) -> dict[str, Any]:
    try:
        set_witness_key(ctx_of(request).db, user.name, body.key)
    except (UserError, KeyFileError) as exc:
        raise ApiError(422, "invalid_key", exc.message_zh, exc.message_en) from exc
    return {"name": user.name, "role": user.role, "witness_key": body.key}


def _declared(store: DatabaseRunStore, user: User) -> None:
    if replay_log(store.log()).witness(user.name) is None:
        raise ApiError(403, "not_this_runs_witness", f"{user.name} 不是本次运行声明的见证人",
                       f"{user.name} is not a declared witness of this run")


def _witness_step(request: Request, run_id: str, user: User, body: BaseModel, act: Any) -> Response:
    def run() -> Response:
        store = open_run(request, run_id)
        _declared(store, user)
        with refused_step(store):
            act(store, ctx_of(request).step(user, store))
        return JSONResponse(run_view(store))

    return idempotent(request, user, canonical_bytes(body.model_dump()), run)


@router.post("/runs/{run_id}/witness/cosign", summary="联署检查点 cosign a ceremony checkpoint (own slot)")
def cosign(request: Request, run_id: str, body: CosignBody, user: User = witness_only) -> Response:
    return _witness_step(request, run_id, user, body,
                         lambda store, step: ceremony.cosign(store, step, user.name, body.size, body.cosignature))


def _statement(action: str) -> Any:
    record = {"commit": ceremony.commit, "reveal": ceremony.reveal, "forfeit": ceremony.forfeit}[action]

    def endpoint(request: Request, run_id: str, body: StatementBody, user: User = witness_only) -> Response:
        def act(store: DatabaseRunStore, step: ceremony.Step) -> None:
            if body.cosignature is not None:
                cp = ceremony.witness_checkpoint(store, action)
                if cp.size not in replay_log(store.log()).cosigned.get(user.name, {}):
                    ceremony.cosign(store, step, user.name, cp.size, body.cosignature)
            record(store, step, user.name, body.statement)

        return _witness_step(request, run_id, user, body, act)

    return endpoint


for _action, _zh in (("commit", "提交承诺"), ("reveal", "揭示"), ("forfeit", "放弃揭示")):
    router.add_api_route(f"/runs/{{run_id}}/witness/{_action}", _statement(_action), methods=["POST"],
                         summary=f"{_zh} {_action} (own slot; signed statement, optional cosignature)")


@router.post("/runs/{run_id}/witness/seal", summary="联署发布的检查点 cosign the published checkpoint (数字签章)")
def seal(request: Request, run_id: str, body: SealBody, user: User = witness_only) -> Response:
    def run() -> Response:
        store = open_run(request, run_id)
        _declared(store, user)
        with refused_step(store):
            add_published_cosignature(store, user.name, body.cosignature)
        return JSONResponse(run_view(store))

    return idempotent(request, user, canonical_bytes(body.model_dump()), run)


@router.get("/runs/{run_id}/log", summary="完整日志 the full signed log (operator, witness, auditor)")
def full_log(request: Request, run_id: str, user: User = anyone) -> dict[str, Any]:
    store = open_run(request, run_id)
    log = store.log()
    return {"run_id": run_id, "origin": store.info().origin, "size": log.size,
            "entries": [{"entry": e.as_dict(), "payload": p} for e, p in zip(log.entries, log.payloads, strict=True)],
            "checkpoints": store.checkpoints()}
