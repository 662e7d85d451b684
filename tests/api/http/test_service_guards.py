"""Who may do what, and that refused or repeated requests change nothing (real server, both databases).

The authorization matrix asks every endpoint with every role and with no token and asserts
the exact status; a rejected upload leaves the run byte for byte as it was; a retried request
with the same ``Idempotency-Key`` has one effect; an illegal step is 409 with the checklist.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from service_process import ServiceProcess, sunshine

from api.placement_day import placement_day, sample_day
from audit.signing import Checkpoint
from audit.witness import sign_statement

ROLES = ("public", "operator", "witness", "auditor")


@pytest.fixture(scope="module")
def world(service: ServiceProcess) -> dict[str, Any]:
    """Tokens for each role, a published lottery run, one with its roster frozen and a fresh DRAFT run."""
    tokens = {"operator": service.add_user("op", "operator"), "auditor": service.add_user("aud", "auditor")}
    witnesses = [service.witness("w1", "1", "s1"), service.witness("w2", "2", "s2")]
    tokens["witness"] = witnesses[0].token
    title, inputs, options = sample_day("lottery")
    published = placement_day(service.url, tokens["operator"], witnesses, "lottery", title, inputs, options,
                              seal=False)
    frozen = placement_day(service.url, tokens["operator"], witnesses, "lottery", title, inputs, options,
                           until="freeze")
    draft = httpx.post(f"{service.url}/api/v1/runs", json={"kind": "lottery", "title": "草稿"},
                       headers=_auth(tokens["operator"])).json()["run_id"]
    return {"tokens": tokens, "published": published, "frozen": frozen, "draft": draft, "witnesses": witnesses}


def _auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def _call(service: ServiceProcess, world: dict[str, Any], role: str, method: str, path: str,
          body: Any = None, files: Any = None) -> httpx.Response:
    token = None if role == "public" else world["tokens"][role]
    url = f"{service.url}/api/v1{path.format(pub=world['published'], frozen=world['frozen'], draft=world['draft'])}"
    return httpx.request(method, url, headers=_auth(token), json=body, files=files, timeout=60)


_PUBLIC = dict.fromkeys(ROLES, 200)
_OPERATOR_ONLY_BODYLESS = {"public": 401, "witness": 403, "auditor": 403}
#: (method, path, body, files) → expected status per role. Steps an operator may take but that the
#: run's state refuses are 409: the role check comes first, then the state machine.
MATRIX: list[tuple[str, str, Any, Any, dict[str, int]]] = [
    ("GET", "/health", None, None, _PUBLIC),
    ("GET", "/keys", None, None, _PUBLIC),
    ("GET", "/kinds", None, None, _PUBLIC),
    ("GET", "/runs", None, None, _PUBLIC),
    ("GET", "/runs/{pub}", None, None, _PUBLIC),
    ("GET", "/runs/{pub}/roster", None, None, _PUBLIC),
    ("GET", "/runs/{pub}/bundle.zip", None, None, _PUBLIC),
    ("GET", "/runs/{pub}/files/results.csv", None, None, _PUBLIC),
    ("GET", "/runs/{pub}/applicants/202600010", None, None, _PUBLIC),
    ("GET", "/runs/{pub}/checkpoint?action=published", None, None, _PUBLIC),
    ("GET", "/runs/{pub}/jobs/execute", None, None, _PUBLIC),
    ("GET", "/runs/{pub}/what-if", None, None, _PUBLIC),
    ("GET", "/runs/{frozen}/what-if", None, None, _PUBLIC),
    ("POST", "/runs/{frozen}/what-if", {"preferences": ["S0001", "S0004"], "draws": 20}, None, _PUBLIC),
    ("POST", "/runs/{pub}/what-if", {"preferences": ["S0001"]}, None, dict.fromkeys(ROLES, 409)),
    ("POST", "/runs/{draft}/what-if", {"preferences": ["S0001"]}, None, dict.fromkeys(ROLES, 409)),
    ("POST", "/runs/nosuchrun/what-if", {"preferences": ["S0001"]}, None, dict.fromkeys(ROLES, 404)),
    ("GET", "/runs/{draft}/bundle.zip", None, None, dict.fromkeys(ROLES, 404)),
    ("GET", "/runs/nosuchrun", None, None, dict.fromkeys(ROLES, 404)),
    ("GET", "/me", None, None, {"public": 401, "operator": 200, "witness": 200, "auditor": 200}),
    ("GET", "/runs/{pub}/log", None, None, {"public": 401, "operator": 200, "witness": 200, "auditor": 200}),
    ("GET", "/runs/{pub}/private/audit-private/roster_private.json", None, None,
     {**_OPERATOR_ONLY_BODYLESS, "operator": 200}),
    ("POST", "/runs", {"kind": "points", "title": "x"}, None, {**_OPERATOR_ONLY_BODYLESS, "operator": 201}),
    ("PUT", "/runs/{pub}/inputs/schools", None, {"file": ("schools.csv", b"a,b\n")},
     {**_OPERATOR_ONLY_BODYLESS, "operator": 409}),
    ("PUT", "/runs/{pub}/options", {"options": {}}, None, {**_OPERATOR_ONLY_BODYLESS, "operator": 409}),
    ("POST", "/runs/{pub}/freeze", None, None, {**_OPERATOR_ONLY_BODYLESS, "operator": 409}),
    ("POST", "/runs/{pub}/withdrawals", {"applicant_id": "202600010"}, None,
     {**_OPERATOR_ONLY_BODYLESS, "operator": 409}),
    ("POST", "/runs/{pub}/declare", {"witnesses": ["w1"], "reveal_deadline": "2023-09-15T10:00:00Z"}, None,
     {**_OPERATOR_ONLY_BODYLESS, "operator": 409}),
    ("POST", "/runs/{pub}/seed", {"round": 1, "signature": "00"}, None, {**_OPERATOR_ONLY_BODYLESS, "operator": 409}),
    ("POST", "/runs/{pub}/execute", None, None, {**_OPERATOR_ONLY_BODYLESS, "operator": 409}),
    ("POST", "/runs/{draft}/publish", None, None, {**_OPERATOR_ONLY_BODYLESS, "operator": 409}),
    ("POST", "/runs/{draft}/review", {"reason": "复核"}, None, {**_OPERATOR_ONLY_BODYLESS, "operator": 409}),
    ("POST", "/runs/{pub}/inherit-seed", None, None, {**_OPERATOR_ONLY_BODYLESS, "operator": 409}),
    ("PUT", "/me/key", {"key": "w1+00000000+AAAA"}, None,
     {"public": 401, "operator": 403, "witness": 422, "auditor": 403}),
    ("POST", "/runs/{pub}/witness/cosign", {"size": 1, "cosignature": "— w1 AAAAAAAAAAAA"}, None,
     {"public": 401, "operator": 403, "witness": 409, "auditor": 403}),
    ("POST", "/runs/{draft}/witness/commit", {"statement": "not a statement"}, None,
     {"public": 401, "operator": 403, "witness": 403, "auditor": 403}),
    ("POST", "/runs/{pub}/witness/reveal", {"statement": "not a statement"}, None,
     {"public": 401, "operator": 403, "witness": 409, "auditor": 403}),
    ("POST", "/runs/{pub}/witness/forfeit", {"statement": "not a statement"}, None,
     {"public": 401, "operator": 403, "witness": 409, "auditor": 403}),
    ("POST", "/runs/{pub}/witness/seal", {"cosignature": "— w1 AAAAAAAAAAAA"}, None,
     {"public": 401, "operator": 403, "witness": 422, "auditor": 403}),
    ("DELETE", "/runs/{pub}", None, None, dict.fromkeys(ROLES, 405)),
]


@pytest.mark.parametrize(("method", "path", "body", "files", "expected"), MATRIX,
                         ids=[f"{m} {p}" for m, p, *_ in MATRIX])
def test_authorization_matrix(service: ServiceProcess, world: dict[str, Any], method: str, path: str, body: Any,
                              files: Any, expected: dict[str, int]) -> None:
    got = {role: _call(service, world, role, method, path, body, files) for role in ROLES}
    assert {role: r.status_code for role, r in got.items()} == expected
    for r in got.values():
        if r.status_code >= 400:
            assert set(r.json()) == {"code", "message_zh", "message_en", "details"}, r.text
    if 401 in expected.values():
        assert got["public"].headers.get("WWW-Authenticate") == "Bearer"


def test_a_revoked_or_unknown_token_is_401(service: ServiceProcess, world: dict[str, Any]) -> None:
    token = service.add_user("leaver", "operator")
    assert httpx.get(f"{service.url}/api/v1/me", headers=_auth(token)).status_code == 200
    sunshine("users", "revoke", "leaver", *service._db_args())
    for bad in (token, "not-a-token", token + "x"):
        r = httpx.get(f"{service.url}/api/v1/me", headers=_auth(bad))
        assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    assert "leaver\toperator\trevoked" in sunshine("users", "list", *service._db_args())


def _snapshot(service: ServiceProcess, world: dict[str, Any], run: str) -> tuple[Any, Any]:
    auditor = _auth(world["tokens"]["auditor"])
    return (httpx.get(f"{service.url}/api/v1/runs/{run}").json(),
            httpx.get(f"{service.url}/api/v1/runs/{run}/log", headers=auditor).json())


def test_a_rejected_upload_changes_nothing_and_names_file_row_column(service: ServiceProcess,
                                                                     world: dict[str, Any]) -> None:
    op = _auth(world["tokens"]["operator"])
    api = f"{service.url}/api/v1/runs/{world['draft']}"
    _, inputs, _ = sample_day("lottery")
    assert httpx.put(f"{api}/inputs/schools", files={"file": inputs["schools"]}, headers=op).status_code == 200
    before = _snapshot(service, world, world["draft"])
    bad = inputs["applicants"][1].replace(b"S0001", b"S9999", 1)  # an unknown school in one row
    r = httpx.put(f"{api}/inputs/applicants", files={"file": ("报名表.csv", bad)}, headers=op)
    assert r.status_code == 422, r.text
    problem = r.json()["details"][0]
    assert problem["file"] == "报名表.csv" and problem["row"] is not None and problem["column"]
    assert problem["message_zh"] and problem["message_en"]
    assert _snapshot(service, world, world["draft"]) == before


def test_an_illegal_step_is_409_with_the_state_and_the_checklist(service: ServiceProcess,
                                                                world: dict[str, Any]) -> None:
    op = _auth(world["tokens"]["operator"])
    r = httpx.post(f"{service.url}/api/v1/runs", json={"kind": "points", "title": "缺输入"}, headers=op)
    run = r.json()["run_id"]
    r = httpx.post(f"{service.url}/api/v1/runs/{run}/freeze", headers=op)
    assert r.status_code == 409
    details = r.json()["details"]
    assert details["state"] == "DRAFT"
    assert [i["code"] for i in details["checklist"]] == ["input_missing"] * 3


def test_an_idempotent_retry_has_one_effect(service: ServiceProcess, world: dict[str, Any]) -> None:
    op = {**_auth(world["tokens"]["operator"]), "Idempotency-Key": "create-once-1"}
    body = {"kind": "classes", "title": "同一请求"}
    first = httpx.post(f"{service.url}/api/v1/runs", json=body, headers=op)
    again = httpx.post(f"{service.url}/api/v1/runs", json=body, headers=op)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again.headers.get("Idempotent-Replayed") == "true"
    titles = [r["title"] for r in httpx.get(f"{service.url}/api/v1/runs").json()]
    assert titles.count("同一请求") == 1
    other = httpx.post(f"{service.url}/api/v1/runs", json={**body, "title": "另一请求"}, headers=op)
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"


def test_a_witness_cannot_act_in_another_witness_slot(service: ServiceProcess, world: dict[str, Any]) -> None:
    """w1's token with a statement signed by w2's key, in w1's slot and claiming w2: both refused."""
    op = _auth(world["tokens"]["operator"])
    _title, inputs, options = sample_day("lottery")
    run = httpx.post(f"{service.url}/api/v1/runs", json={"kind": "lottery", "title": "slots", "options": options},
                     headers=op).json()["run_id"]
    for key, f in inputs.items():
        httpx.put(f"{service.url}/api/v1/runs/{run}/inputs/{key}", files={"file": f}, headers=op).raise_for_status()
    httpx.post(f"{service.url}/api/v1/runs/{run}/freeze", headers=op).raise_for_status()
    httpx.post(f"{service.url}/api/v1/runs/{run}/declare", headers=op, json={
        "witnesses": ["w1", "w2"], "reveal_deadline": "2023-09-15T10:00:00Z",
        "public_source": {"chain": "quicknet", "round": 657413}}).raise_for_status()
    w1, w2 = world["witnesses"]
    cp_json = httpx.get(f"{service.url}/api/v1/runs/{run}/checkpoint", params={"action": "commit"}).json()
    cp = Checkpoint(cp_json["origin"], cp_json["size"], bytes.fromhex(cp_json["root_hex"]))
    forged = sign_statement(w2.signer, cp.origin, "commit", "w2", cp, {"commitment": "00" * 32})
    r = httpx.post(f"{service.url}/api/v1/runs/{run}/witness/commit", json={"statement": forged},
                   headers=_auth(w1.token))
    assert r.status_code == 409  # recorded as w1's statement, it does not open with w1's key
    log = httpx.get(f"{service.url}/api/v1/runs/{run}/log", headers=_auth(world["tokens"]["auditor"])).json()
    assert [e["entry"]["action"] for e in log["entries"]][-1] == "sources.declare"
