"""The public what-if over HTTP (POST/GET /runs/{id}/what-if) on a real server, both databases.

A frozen lottery run answers anonymous questions; the answer equals what ``sunshine simulate``'s
what-if writes for the same inputs and the seed the service names (byte for byte: the command
the answer gives is run as it stands); probabilities sum to 1 with "no seat"; bad bodies are 422
naming the key path in both languages and change nothing; runs before the freeze or after the
seed are refused (409) with the reason; a withdrawal gives a new seed; the budget is its own.
"""

from __future__ import annotations

import json
import shlex
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from service_process import ServiceProcess, sunshine

from api.placement_day import placement_day, sample_day
from api.simulate import _json_bytes
from engine.randomness import what_if_seed

FAMILY = {"preferences": ["S0001", "S0004"], "tier": 1, "round2": ["S0006"]}


@pytest.fixture(scope="module")
def runs(service: ServiceProcess) -> dict[str, Any]:
    token = service.add_user("教育局", "operator")
    title, inputs, options = sample_day("lottery")
    frozen = placement_day(service.url, token, [], "lottery", title, inputs, options, until="freeze")
    witness = service.witness("公证处", "1", "s")
    published = placement_day(service.url, token, [witness], "lottery", title, inputs, options, seal=False)
    return {"token": token, "frozen": frozen, "published": published, "inputs": inputs}


def _url(service: ServiceProcess, run_id: str) -> str:
    return f"{service.url}/api/v1/runs/{run_id}/what-if"


def _ask(service: ServiceProcess, run_id: str, body: Any) -> httpx.Response:
    return httpx.post(_url(service, run_id), json=body, timeout=120)


def test_an_anonymous_what_if_equals_sunshine_simulate_byte_for_byte(
        service: ServiceProcess, runs: dict[str, Any], tmp_path: Path) -> None:
    run = httpx.get(f"{service.url}/api/v1/runs/{runs['frozen']}").json()
    form = httpx.get(_url(service, runs["frozen"])).json()
    assert form["available"] is True and form["state"] == "ROSTER_FROZEN"
    seed = what_if_seed(run["public_root"], run["config_hash"])  # public data only: anyone recomputes it
    assert form["seed"] == seed.hex() and form["round2"] is True
    assert [s["id"] for s in form["schools"]][:2] == ["S0001", "S0002"] and form["schools"][0]["name"]
    r = _ask(service, runs["frozen"], {**FAMILY, "draws": 400})
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["seed"] == seed.hex() and answer["draws"] == 400 and answer["run_id"] == runs["frozen"]
    assert [(c["round"], c["school_id"]) for c in answer["choices"]] == [
        ("round1", "S0001"), ("round1", "S0004"), ("round2", "S0006")]
    for c in [*answer["choices"], answer["no_seat"]]:
        assert 0 <= c["ci_low"] <= c["probability"] <= c["ci_high"] <= 1
    assert _ask(service, runs["frozen"], {**FAMILY, "draws": 400}).json() == answer  # same question, same answer

    # the command the answer names, with the run's input files, writes the same bytes
    for name, (_filename, data) in runs["inputs"].items():
        (tmp_path / f"{name}.csv").write_bytes(data)
    args = shlex.split(answer["reproduce"])[1:]
    fill = {"<学校表 schools file>": str(tmp_path / "schools.csv"), "<DIR>": str(tmp_path / "out"),
            "<报名表 applicants file, withdrawn rows removed>": str(tmp_path / "applicants.csv")}
    sunshine(*(fill.get(a, a) for a in args))
    cli = (tmp_path / "out" / "what_if.json").read_bytes()
    served = {k: v for k, v in answer.items() if k not in ("run_id", "seed_derivation", "reproduce")}
    assert _json_bytes(served) == cli
    assert answer["seed_derivation"]["tag"] == "sunshine/v1/what-if-seed"


@pytest.mark.parametrize("draws", [1, 37, 1000])
def test_probabilities_sum_to_one_with_no_seat(service: ServiceProcess, runs: dict[str, Any], draws: int) -> None:
    answer = _ask(service, runs["frozen"], {"preferences": ["S0001", "S0002", "S0003"], "tier": 2,
                                            "multiples": 2, "draws": draws}).json()
    counts = [round(c["probability"] * draws) for c in [*answer["choices"], answer["no_seat"]]]
    assert sum(counts) == draws
    assert answer["family"]["multiples"] == 2


@pytest.mark.parametrize(("body", "code", "column", "message"), [
    ({"preferences": ["S0001", "S9999"]}, "invalid_request", "preferences[1]", "S9999 is not in the schools file"),
    ({"preferences": ["S0001", "S0001"]}, "invalid_request", "preferences[1]", "S0001 is listed twice"),
    ({"preferences": ["S0001", "S0002", "S0003", "S0004", "S0005"]}, "invalid_request", "preferences[4]",
     "at most 4"),
    ({"preferences": ["S0001"], "tier": 100}, "invalid_request", "tier", "tier must be an integer 0..99"),
    ({"preferences": ["S0001"], "tier": -1}, "invalid_request", "tier", "tier must be an integer 0..99"),
    ({"preferences": ["S0001"], "priority": {"S9999": 0}}, "invalid_request", "priority.S9999", "not in the schools"),
    ({"preferences": ["S0001"], "priority": {"S0001": 500}}, "invalid_request", "priority.S0001", "tier must be"),
    ({"preferences": ["S0001"], "round2": ["S0001", "S9999"]}, "invalid_request", "round2[1]", "S9999"),
    ({"preferences": ["S0001"], "multiples": 9}, "invalid_request", "multiples", "multiples must be"),
    ({"preferences": ["S0001"], "tier": "1"}, "invalid_request", "body.tier", "valid integer"),
    ({"preferences": []}, "invalid_request", "body.preferences", "at least 1"),
    ({"preferences": ["S0001"], "colour": "blue"}, "invalid_request", "body.colour", "Extra inputs"),
    ({"preferences": ["S0001"], "draws": 10001}, "invalid_request", "body.draws", "less than or equal to 10000"),
    ({"preferences": ["S0001"], "draws": 0}, "invalid_request", "body.draws", "greater than or equal to 1"),
])
def test_a_bad_question_is_422_naming_the_key_path_and_changes_nothing(
        service: ServiceProcess, runs: dict[str, Any], body: Any, code: str, column: str, message: str) -> None:
    before = httpx.get(f"{service.url}/api/v1/runs/{runs['frozen']}").json()
    r = _ask(service, runs["frozen"], body)
    assert r.status_code == 422, r.text
    err = r.json()
    assert set(err) == {"code", "message_zh", "message_en", "details"} and err["code"] == code
    problem = err["details"][0]
    assert problem["column"] == column and message in problem["message_en"], problem
    assert problem["message_zh"] and err["message_zh"]
    assert httpx.get(f"{service.url}/api/v1/runs/{runs['frozen']}").json() == before


def test_runs_before_the_freeze_or_after_the_seed_are_refused_with_the_reason(
        service: ServiceProcess, runs: dict[str, Any]) -> None:
    op = {"Authorization": f"Bearer {runs['token']}"}
    draft = httpx.post(f"{service.url}/api/v1/runs", json={"kind": "lottery", "title": "草稿"}, headers=op).json()
    points = httpx.post(f"{service.url}/api/v1/runs", json={"kind": "points", "title": "积分"}, headers=op).json()
    for run_id, state, why in ((draft["run_id"], "DRAFT", "not frozen"),
                               (runs["published"], "PUBLISHED", "published"),
                               (points["run_id"], "DRAFT", "only lottery runs")):
        r = _ask(service, run_id, {"preferences": ["S0001"]})
        assert r.status_code == 409 and r.json()["code"] == "what_if_closed", r.text
        assert why in r.json()["message_en"] and r.json()["message_zh"]
        form = httpx.get(_url(service, run_id)).json()
        assert form["available"] is False and form["state"] == state and why in form["reason_en"]
    assert _ask(service, "nosuchrun", {"preferences": ["S0001"]}).status_code == 404


def test_a_withdrawal_gives_the_what_if_a_new_seed_and_roster(service: ServiceProcess, runs: dict[str, Any]) -> None:
    token = runs["token"]
    title, inputs, options = sample_day("lottery")
    run_id = placement_day(service.url, token, [], "lottery", title, inputs, options, until="freeze")
    before = httpx.get(_url(service, run_id)).json()
    r = httpx.post(f"{service.url}/api/v1/runs/{run_id}/withdrawals", json={"applicant_id": "202600040"},
                   headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    after = httpx.get(_url(service, run_id)).json()
    run = httpx.get(f"{service.url}/api/v1/runs/{run_id}").json()
    assert after["seed"] == what_if_seed(run["public_root"], run["config_hash"], ["202600040"]).hex() != before["seed"]
    assert after["applicants"] == before["applicants"] - 1
    assert after["seed_derivation"]["withdrawn"] == ["202600040"]
    assert "applicants file, withdrawn rows removed" in _ask(service, run_id, {"preferences": ["S0001"],
                                                                              "draws": 10}).json()["reproduce"]


def test_the_what_if_has_its_own_stricter_budget(tmp_path: Path) -> None:
    proc = ServiceProcess(tmp_path / "data", extra=("--fixed-time", "2023-09-15T08:00:00Z", "--lookup-rate", "0",
                                                    "--what-if-rate", "2")).start()
    try:
        token = proc.add_user("教育局", "operator")
        title, inputs, options = sample_day("lottery")
        run_id = placement_day(proc.url, token, [], "lottery", title, inputs, options, until="freeze")
        codes = [_ask(proc, run_id, {"preferences": ["S0001"], "draws": 10}).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        r = _ask(proc, run_id, {"preferences": ["S0001"], "draws": 10})
        assert r.json()["code"] == "rate_limited" and int(r.headers["Retry-After"]) >= 1
        assert "what-ifs" in r.json()["message_en"]
        assert httpx.get(f"{proc.url}/api/v1/runs/{run_id}/roster").status_code == 200  # the rest is unaffected
        assert json.loads(httpx.get(_url(proc, run_id)).text)["available"] is True  # the form is not limited
    finally:
        proc.stop()


def test_at_most_two_what_ifs_compute_at_once(service: ServiceProcess, runs: dict[str, Any]) -> None:
    """Four long questions at once: two are computed, the others answered 503 ``busy`` with Retry-After
    (the cap is per process; the server's event loop and the lookups stay free)."""
    body = {"preferences": ["S0001", "S0002"], "draws": 5000}
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: _ask(service, runs["frozen"], body), range(4)))
    codes = sorted(r.status_code for r in answers)
    assert codes[:2] == [200, 200] and 503 in codes, codes
    busy = next(r for r in answers if r.status_code == 503)
    assert busy.json()["code"] == "busy" and busy.headers["Retry-After"] == "2" and busy.json()["message_zh"]
    assert _ask(service, runs["frozen"], {**body, "draws": 10}).status_code == 200  # the slots are free again
