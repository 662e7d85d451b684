"""A whole placement day over HTTP, as the people in the room do it: the client side of docs/service.md.

The operator creates the run, uploads the inputs, shows the 公示 roster, freezes it and
declares the sources; each witness, holding their own key on their own device, cosigns the
checkpoint, commits, later reveals, and after publication seals the final checkpoint; the
operator gives the drand beacon, executes and publishes. A 复核 afterwards (:func:`review_day`) is a
linked run: corrections uploaded, frozen, the original's seed inherited, executed and published.
Every request is what a script or
the pages send; nothing here reaches into the server.

Used by ``make demo`` (against a temporary server), ``sunshine serve --demo`` (to load the
samples), the end-to-end tests and ``benchmarks/service.py``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from audit.ceremony import witness_commitment
from audit.signing import Checkpoint, Signer
from audit.witness import cosign, sign_statement
from engine.errors import SunshineError

__all__ = ["DEMO_DAY", "PlacementDayError", "Witness", "api_client", "placement_day", "register_witness_key",
           "review_day", "sample_day"]

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


class PlacementDayError(SunshineError):
    """The service refused a step of the placement day (the error body is in ``body``)."""

    def __init__(self, what: str, response: httpx.Response) -> None:
        try:
            body: dict[str, Any] = response.json()
        except ValueError:
            body = {"code": "not_json", "message_zh": response.text[:200], "message_en": response.text[:200]}
        self.status, self.body = response.status_code, body
        super().__init__(f"{what}：{body.get('message_zh')}（{response.status_code}）",
                         f"{what}: {body.get('message_en')} ({response.status_code}, {body.get('code')})")


@dataclass(frozen=True)
class Witness:
    """A witness at their own device: user name (= key name), token, and their private key."""

    name: str
    token: str
    signer: Signer
    value: str
    salt: str


@dataclass(frozen=True)
class DayPlan:
    """The fixed parts of a day: the reveal deadline, the drand round and its published beacon, the clock."""

    reveal_deadline: str
    beacon: Mapping[str, Any]
    cosign_time: int


#: The samples' day: drand quicknet round 657413 (2023-09-15T11:00:03Z), as in ``make demo``.
DEMO_DAY = DayPlan("2023-09-15T10:00:00Z",
                   json.loads((SAMPLES / "beacons" / "quicknet-657413.json").read_text(encoding="utf-8")),
                   1694761200)


def api_client(base_url: str, token: str | None = None, timeout: float = 120.0) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=base_url.rstrip("/") + "/api/v1", headers=headers, timeout=timeout)


def _ok(what: str, response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise PlacementDayError(what, response)
    return response.json()


def register_witness_key(base_url: str, witness: Witness) -> None:
    with api_client(base_url, witness.token) as c:
        _ok("登记见证人公钥 register the witness key", c.put("/me/key", json={"key": witness.signer.verifier.vkey}))


def _checkpoint(c: httpx.Client, run_id: str, action: str) -> Checkpoint:
    got = _ok("读取检查点 read the checkpoint", c.get(f"/runs/{run_id}/checkpoint", params={"action": action}))
    return Checkpoint(got["origin"], int(got["size"]), bytes.fromhex(got["root_hex"]))


def _witness_act(base_url: str, run_id: str, w: Witness, action: str, fields: dict[str, str], stamp: int) -> None:
    with api_client(base_url, w.token) as c:
        cp = _checkpoint(c, run_id, action)
        body = {"statement": sign_statement(w.signer, cp.origin, action, w.name, cp, fields),
                "cosignature": cosign(w.signer, cp, stamp)}
        _ok(f"见证人 {w.name} {action}", c.post(f"/runs/{run_id}/witness/{action}", json=body))


def _wait(c: httpx.Client, run_id: str, action: str, limit_s: float = 1800.0) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        job = _ok("读取进度 poll the job", c.get(f"/runs/{run_id}/jobs/{action}"))
        if job["status"] == "done":
            return
        if job["status"] in ("failed", "interrupted"):
            raise SunshineError(f"{action} 失败：{job['error_zh'] or job['step_zh']}",
                                f"{action} failed: {job['error_en'] or job['step_en']}")
        time.sleep(0.05)
    raise SunshineError(f"{action} 超时", f"{action} did not finish in {limit_s} s")


def placement_day(base_url: str, operator_token: str, witnesses: Sequence[Witness], kind: str, title: str,
                  inputs: Mapping[str, tuple[str, bytes]], options: Mapping[str, Any] | None = None,
                  plan: DayPlan = DEMO_DAY, *, seal: bool = True, until: str | None = None) -> str:
    """Run one whole placement day; returns the run's id (raises at the first refusal).

    ``until="seed"`` stops once the seed is derived (before execute), for tests of what follows.
    """
    with api_client(base_url, operator_token) as op:
        run = _ok("创建运行 create the run", op.post("/runs", json={"kind": kind, "title": title,
                                                                  "options": dict(options or {})}))
        run_id = str(run["run_id"])
        for key, (filename, data) in inputs.items():
            _ok(f"上传 {key} upload {key}", op.put(f"/runs/{run_id}/inputs/{key}", files={"file": (filename, data)}))
        _ok("公示名单 the public roster", op.get(f"/runs/{run_id}/roster"))
        _ok("冻结名单 freeze", op.post(f"/runs/{run_id}/freeze"))
        _ok("声明来源 declare", op.post(f"/runs/{run_id}/declare", json={
            "witnesses": [w.name for w in witnesses], "reveal_deadline": plan.reveal_deadline,
            "public_source": {"chain": "quicknet", "round": int(plan.beacon["round"])}}))
        for w in witnesses:
            _witness_act(base_url, run_id, w, "commit", {"commitment": witness_commitment(w.value, w.salt)},
                         plan.cosign_time)
        for w in witnesses:  # every witness cosigns the COMMITTED checkpoint before anyone reveals
            with api_client(base_url, w.token) as c:
                cp = _checkpoint(c, run_id, "reveal")
                _ok(f"见证人 {w.name} 联署 cosign", c.post(f"/runs/{run_id}/witness/cosign", json={
                    "size": cp.size, "cosignature": cosign(w.signer, cp, plan.cosign_time + 60)}))
        for w in witnesses:
            _witness_act(base_url, run_id, w, "reveal", {"value": w.value, "salt": w.salt}, plan.cosign_time + 60)
        _ok("公开随机值与种子 seed", op.post(f"/runs/{run_id}/seed", json={
            k: plan.beacon[k] for k in ("round", "signature", "previous_signature") if k in plan.beacon}))
        if until == "seed":
            return run_id
        for action in ("execute", "publish"):
            _ok(action, op.post(f"/runs/{run_id}/{action}"))
            _wait(op, run_id, action)
    if seal:
        for w in witnesses:
            with api_client(base_url, w.token) as c:
                cp = _checkpoint(c, run_id, "published")
                line = cosign(w.signer, cp, plan.cosign_time + 7200)
                _ok(f"见证人 {w.name} 签章 seal", c.post(f"/runs/{run_id}/witness/seal", json={"cosignature": line}))
    return run_id


def review_day(base_url: str, operator_token: str, run_id: str, reason: str,
               corrections: tuple[str, bytes]) -> str:
    """A 复核 of the published run ``run_id``: the linked run's id, PUBLISHED (raises at the first refusal).

    The review holds the original's inputs; the corrections (file name, bytes) are uploaded, the
    roster frozen, the original's seed inherited (``seed.inherit``: no witnesses, no beacon).
    """
    with api_client(base_url, operator_token) as op:
        review = _ok("发起复核 start the review", op.post(f"/runs/{run_id}/review", json={"reason": reason}))
        rid = str(review["run_id"])
        _ok("上传更正表 upload the corrections", op.put(f"/runs/{rid}/inputs/corrections",
                                                   files={"file": corrections}))
        _ok("冻结名单 freeze", op.post(f"/runs/{rid}/freeze"))
        _ok("继承原运行的种子 inherit the seed", op.post(f"/runs/{rid}/inherit-seed"))
        for action in ("execute", "publish"):
            _ok(action, op.post(f"/runs/{rid}/{action}"))
            _wait(op, rid, action)
    return rid


def sample_day(kind: str) -> tuple[str, dict[str, tuple[str, bytes]], dict[str, Any]]:
    """The bundled samples of ``kind`` as a day's title, inputs and options."""
    def f(*parts: str) -> tuple[str, bytes]:
        p = SAMPLES.joinpath(*parts)
        return p.name, p.read_bytes()

    if kind == "lottery":
        return ("2026 阳光学区小学一年级电脑派位", {"schools": f("lottery", "schools.csv"),
                                               "applicants": f("lottery", "applicants.csv")}, {"round2": True})
    if kind == "points":
        return ("2026 随迁子女积分入学", {"rules": f("points", "rules.toml"),
                                       "applicants": f("points", "applicants.csv"),
                                       "schools": f("points", "schools.csv")}, {"second_pass": True})
    if kind == "classes":
        return ("2026 七年级阳光编班", {"config": f("classes", "config.toml"),
                                     "students": f("classes", "students.csv")}, {})
    raise SunshineError(f"没有 {kind} 的样例", f"no samples for kind {kind!r}")
