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

import hashlib
import json
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from audit.ceremony import witness_commitment
from audit.signing import Checkpoint, Signer
from audit.witness import cosign, sign_statement
from engine.errors import SunshineError

__all__ = ["DEMO_DAY", "DayRequest", "DayStep", "PlacementDayError", "Witness", "api_client", "day_steps",
           "placement_day", "register_witness_key", "review_day", "sample_day", "take_step"]

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


def _statement_body(c: httpx.Client, run_id: str, w: Witness, action: str, fields: dict[str, str],
                    stamp: int) -> dict[str, str]:
    cp = _checkpoint(c, run_id, action)
    return {"statement": sign_statement(w.signer, cp.origin, action, w.name, cp, fields),
            "cosignature": cosign(w.signer, cp, stamp)}


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


#: A step's request: method, path (under /api/v1) and httpx keyword arguments (json=, files=).
DayRequest = tuple[str, str, dict[str, Any]]


@dataclass(frozen=True)
class DayStep:
    """One request of the day, as the person taking the step sends it.

    ``make(client, run_id)`` builds the request (a witness's step first reads the checkpoint
    it signs; everything is deterministic, so building it again after a crash gives the same
    bytes); ``key`` is its ``Idempotency-Key`` (unique per day and step: a retry after a lost
    answer sends the same key and cannot take the step twice); ``job`` names the background job
    the step starts (``execute``, ``publish``), whose end the day waits for.
    """

    name: str
    token: str
    key: str
    make: Callable[[httpx.Client, str], DayRequest]
    job: str | None = None

    def send(self, base_url: str, run_id: str, *, timeout: float = 120.0) -> httpx.Response:
        """Build and send the request once (no retry), with its Idempotency-Key."""
        with api_client(base_url, self.token, timeout) as c:
            method, path, kwargs = self.make(c, run_id)
            return c.request(method, path, headers={"Idempotency-Key": self.key}, **kwargs)


def day_steps(operator_token: str, witnesses: Sequence[Witness], kind: str, title: str,
              inputs: Mapping[str, tuple[str, bytes]], options: Mapping[str, Any] | None = None,
              plan: DayPlan = DEMO_DAY, *, seal: bool = True) -> list[DayStep]:
    """Every request of one placement day, in order (the first, ``create``, answers the run id)."""
    day = secrets.token_hex(6)
    op = operator_token

    def fixed(method: str, path: str, **kwargs: Any) -> Callable[[httpx.Client, str], DayRequest]:
        return lambda _c, run_id: (method, path.format(run=run_id), kwargs)

    def step(name: str, token: str, make: Callable[[httpx.Client, str], DayRequest], job: str | None = None) -> DayStep:
        key = f"day-{day}-{hashlib.sha256(name.encode()).hexdigest()[:16]}"  # header values are ASCII
        return DayStep(name, token, key, make, job)

    steps = [step("create", op, fixed("POST", "/runs", json={"kind": kind, "title": title, "options": {}}))]
    if options:
        steps.append(step("options", op, fixed("PUT", "/runs/{run}/options", json={"options": dict(options)})))
    for key, (filename, data) in inputs.items():
        steps.append(step(f"upload {key}", op, fixed("PUT", f"/runs/{{run}}/inputs/{key}",
                                                     files={"file": (filename, data)})))
    steps.append(step("roster", op, fixed("GET", "/runs/{run}/roster")))  # 公示: what the public sees
    steps.append(step("freeze", op, fixed("POST", "/runs/{run}/freeze")))
    steps.append(step("declare", op, fixed("POST", "/runs/{run}/declare", json={
        "witnesses": [w.name for w in witnesses], "reveal_deadline": plan.reveal_deadline,
        "public_source": {"chain": "quicknet", "round": int(plan.beacon["round"])}})))

    def statement(w: Witness, action: str, fields: dict[str, str], stamp: int) -> DayStep:
        return step(f"{action} {w.name}", w.token, lambda c, run_id: (
            "POST", f"/runs/{run_id}/witness/{action}", {"json": _statement_body(c, run_id, w, action, fields, stamp)}))

    def cosign_committed(w: Witness) -> DayStep:
        def make(c: httpx.Client, run_id: str) -> DayRequest:
            cp = _checkpoint(c, run_id, "reveal")
            return "POST", f"/runs/{run_id}/witness/cosign", {
                "json": {"size": cp.size, "cosignature": cosign(w.signer, cp, plan.cosign_time + 60)}}
        return step(f"cosign {w.name}", w.token, make)

    def seal_published(w: Witness) -> DayStep:
        def make(c: httpx.Client, run_id: str) -> DayRequest:
            cp = _checkpoint(c, run_id, "published")
            return "POST", f"/runs/{run_id}/witness/seal", {
                "json": {"cosignature": cosign(w.signer, cp, plan.cosign_time + 7200)}}
        return step(f"seal {w.name}", w.token, make)

    steps += [statement(w, "commit", {"commitment": witness_commitment(w.value, w.salt)}, plan.cosign_time)
              for w in witnesses]
    steps += [cosign_committed(w) for w in witnesses]  # every witness cosigns COMMITTED before anyone reveals
    steps += [statement(w, "reveal", {"value": w.value, "salt": w.salt}, plan.cosign_time + 60) for w in witnesses]
    steps.append(step("seed", op, fixed("POST", "/runs/{run}/seed", json={
        k: plan.beacon[k] for k in ("round", "signature", "previous_signature") if k in plan.beacon})))
    steps += [step(action, op, fixed("POST", f"/runs/{{run}}/{action}"), job=action)
              for action in ("execute", "publish")]
    if seal:
        steps += [seal_published(w) for w in witnesses]
    return steps


def take_step(base_url: str, run_id: str, step: DayStep, *, timeout: float = 120.0) -> str:
    """Send one step (raises at a refusal), wait for its job if it starts one; the run id.

    ``timeout``: seconds to wait for the answer (a city's 1,000,000-applicant upload is
    validated before it is answered, which takes minutes on a small machine)."""
    got = _ok(step.name, step.send(base_url, run_id, timeout=timeout))
    if step.name == "create":
        return str(got["run_id"])
    if step.job is not None:
        with api_client(base_url) as c:
            _wait(c, run_id, step.job)
    return run_id


def placement_day(base_url: str, operator_token: str, witnesses: Sequence[Witness], kind: str, title: str,
                  inputs: Mapping[str, tuple[str, bytes]], options: Mapping[str, Any] | None = None,
                  plan: DayPlan = DEMO_DAY, *, seal: bool = True, until: str | None = None) -> str:
    """Run one whole placement day (:func:`day_steps`); returns the run's id (raises at the first refusal).

    ``until="seed"`` stops once the seed is derived (before execute), for tests of what follows;
    ``until="freeze"`` once the roster is frozen (what a family's what-if asks about).
    """
    run_id = ""
    stop_before = {"seed": "execute", "freeze": "declare"}.get(until or "")
    for step in day_steps(operator_token, witnesses, kind, title, inputs, options, plan, seal=seal):
        if step.name == stop_before:
            break
        run_id = take_step(base_url, run_id, step)
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
