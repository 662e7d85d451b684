"""Races over HTTP against a real server (SQLite and PostgreSQL): one effect each, and the loser is told.

Threads line up on a barrier and send at once:

* two operators (two tokens) freeze, execute, publish the same run: the log holds the step
  once; the other operator gets 409 (``conflict``: another writer first; ``step_refused``:
  the state moved on; ``job_running``: the background step runs already) — a publish that
  arrives after the first has finished rebuilds the same bytes instead and appends nothing;
* two witnesses reveal at the same instant: both are recorded (a statement names the
  committed checkpoint, not the log's last entry, so the later one is re-based on the new
  log) and the log verifies;
* one request sent twice at once with the same ``Idempotency-Key`` (an upload, a create):
  one effect, and both callers get the same answer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fault_day import People, day_of, run_log, verify_log, wait_job
from forked_service import ForkedService, ForkServer

from api.placement_day import DayStep, take_step


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def svc(request: pytest.FixtureRequest, forks: ForkServer,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[ForkedService]:
    database = request.getfixturevalue("pg_server").create_database() if request.param == "postgresql" else None
    service = ForkedService(tmp_path_factory.mktemp(f"races-{request.param}") / "data", database, forks=forks)
    service.start()
    try:
        yield service
    finally:
        service.stop()


def _at_once(url: str, calls: list[tuple[str, str | None, tuple[str, str, dict[str, Any]]]]) -> list[httpx.Response]:
    """Send every (token, Idempotency-Key, request) from its own thread, released together."""
    barrier = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)

    def send(i: int, token: str, key: str | None, request: tuple[str, str, dict[str, Any]]) -> None:
        method, path, kwargs = request
        headers = {"Authorization": f"Bearer {token}", **({"Idempotency-Key": key} if key else {})}
        with httpx.Client(base_url=f"{url}/api/v1", timeout=120) as c:
            barrier.wait()
            answers[i] = c.request(method, path, headers=headers, **kwargs)

    threads = [threading.Thread(target=send, args=(i, *call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert all(isinstance(a, httpx.Response) for a in answers)
    return answers


def _request(step: DayStep, url: str, run_id: str) -> tuple[str, str, dict[str, Any]]:
    with httpx.Client(base_url=f"{url}/api/v1", headers={"Authorization": f"Bearer {step.token}"}) as c:
        return step.make(c, run_id)


def _actions(url: str, people: People, run_id: str) -> list[str]:
    return [e["entry"]["action"] for e in run_log(url, people.auditor, run_id)["entries"]]


@pytest.fixture(scope="module")
def day(svc: ForkedService) -> tuple[People, list[DayStep], str]:
    people, steps = day_of(svc)
    return people, steps, svc.add_user("教育局二", "operator")


def test_a_concurrent_retry_with_one_key_has_one_effect_and_one_answer(
        svc: ForkedService, day: tuple[People, list[DayStep], str]) -> None:
    people, steps, _second = day
    create = steps[0]
    got = _at_once(svc.url, [(people.operator, "same-create", _request(create, svc.url, ""))] * 2)
    assert [r.status_code for r in got] == [201, 201] and got[0].json() == got[1].json()
    assert sorted(r.headers.get("Idempotent-Replayed", "") for r in got) == ["", "true"]
    run_id = got[0].json()["run_id"]
    title = got[0].json()["title"]
    assert [r["run_id"] for r in httpx.get(f"{svc.url}/api/v1/runs").json() if r["title"] == title] == [run_id]

    upload = next(s for s in steps if s.name == "upload schools")
    got = _at_once(svc.url, [(people.operator, "same-upload", _request(upload, svc.url, run_id))] * 2)
    assert [r.status_code for r in got] == [200, 200] and got[0].json() == got[1].json()
    assert _actions(svc.url, people, run_id) == ["ceremony.init", "inputs.update"]


def test_two_operators_race_freeze_execute_publish_and_two_witnesses_reveal_at_once(
        svc: ForkedService, day: tuple[People, list[DayStep], str], tmp_path: Path) -> None:
    people, steps, second = day
    by_name = {s.name: s for s in steps}
    run_id = take_step(svc.url, "", steps[0])
    for name in ("options", "upload schools", "upload applicants"):
        take_step(svc.url, run_id, by_name[name])

    freeze = _request(by_name["freeze"], svc.url, run_id)
    got = _at_once(svc.url, [(people.operator, None, freeze), (second, None, freeze)])
    assert sorted(r.status_code for r in got) == [200, 409], [r.text for r in got]
    assert next(r for r in got if r.status_code == 409).json()["code"] in ("conflict", "step_refused")
    assert _actions(svc.url, people, run_id).count("roster.freeze") == 1

    for name in ("declare", "commit 公证处", "commit 家长代表", "cosign 公证处", "cosign 家长代表"):
        take_step(svc.url, run_id, by_name[name])
    reveals = [by_name[f"reveal {w.name}"] for w in people.witnesses]
    got = _at_once(svc.url, [(s.token, None, _request(s, svc.url, run_id)) for s in reveals])
    assert [r.status_code for r in got] == [200, 200], [r.text for r in got]
    assert _actions(svc.url, people, run_id).count("witness.reveal") == 2
    assert verify_log(run_log(svc.url, people.auditor, run_id), svc.service_key()).state.value == "REVEALED"

    take_step(svc.url, run_id, by_name["seed"])
    for action, done in (("execute", "run.execute"), ("publish", "run.publish")):
        post = _request(by_name[action], svc.url, run_id)
        got = _at_once(svc.url, [(people.operator, None, post), (second, None, post)])
        codes = sorted(r.status_code for r in got)
        assert codes in ([202, 409], [202, 202]), [r.text for r in got]  # 202 twice: a rebuild after the end
        if codes == [202, 409]:
            assert got[[r.status_code for r in got].index(409)].json()["code"] in ("job_running", "step_refused")
        assert wait_job(svc.url, run_id, action)["status"] == "done"
        assert _actions(svc.url, people, run_id).count(done) == 1
    log = run_log(svc.url, people.auditor, run_id)
    assert verify_log(log, svc.service_key()).state.value == "PUBLISHED"
    assert httpx.get(f"{svc.url}/api/v1/runs/{run_id}/bundle.zip").status_code == 200
