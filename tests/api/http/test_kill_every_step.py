"""SIGKILL of the server at every step of a placement day, in turn; a restart on the same data; the day goes on.

One lottery day (the samples, ``--fixed-time``, two witnesses) is run three ways from the
same stored run (a copy of the data folder right after ``create``: same run id, roster
secret and service key):

* the reference: uninterrupted; after each step it records the run's view and its full
  log (entries, payloads, every signed checkpoint), and finally ``bundle.zip``;
* ``answered``: every mutating step is sent, its 2xx answer received (for execute and
  publish: their job done), then the server is SIGKILLed and restarted;
* ``in_flight``: every mutating step is sent and the server SIGKILLed before the answer
  (a few milliseconds to a quarter second in, cycling); execute and publish are killed
  right after their 202, while their job runs.

After each restart: the log and the run view are exactly the reference's after the same
step (``answered``), or after the step before or the step (``in_flight``: the kill may
land before or after the commit); an interrupted job reports ``interrupted``; the client
then retries as docs/service.md tells it to (the same ``Idempotency-Key``; a new POST for an
interrupted job) and the log is the reference's after the step: exactly one effect. The
final bundle is byte-identical to the reference's.

The kills are chained through one day (the server dies once or twice at every step of the
same run), which keeps the loop to one day per mode; a state reached after earlier kills is
the harder case. PostgreSQL runs the subset the task names (a witness step, execute,
publish) in flight. The first step, ``create``, makes the run id (random), so it is
killed on its own: the run exists exactly once after the retry.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from fault_day import People, copy_data, day_of, job_status, run_log, run_view, verify_log, wait_job
from forked_service import ForkedService, ForkServer
from service_process import sunshine

from api.placement_day import DayStep, take_step

#: How long an in-flight request runs before the kill (cycled over the steps).
IN_FLIGHT_DELAYS_S = (0.005, 0.05, 0.15, 0.3, 0.45)


@dataclass(frozen=True)
class Base:
    """A stopped service's data right after ``create`` (and on PostgreSQL its database), and the day."""

    data: Path
    database: str | None
    run_id: str
    people: People
    steps: list[DayStep]


@dataclass(frozen=True)
class Reference:
    """The uninterrupted day: view and log after each step (index = step), and the bundle."""

    views: list[dict[str, Any]]
    logs: list[dict[str, Any]]
    bundle: bytes


def _base(root: Path, forks: ForkServer, database: str | None = None) -> Base:
    svc = ForkedService(root / "data", database, forks=forks).start()
    people, steps = day_of(svc)
    run_id = take_step(svc.url, "", steps[0])
    svc.stop()
    return Base(svc.data, database, run_id, people, steps)


def _reference(base: Base, data: Path, forks: ForkServer, database: str | None, verify_in: Path | None) -> Reference:
    svc = ForkedService(copy_data(base.data, data), database, forks=forks).start()
    try:
        views = [run_view(svc.url, base.run_id)]
        logs = [run_log(svc.url, base.people.auditor, base.run_id)]
        for step in base.steps[1:]:
            take_step(svc.url, base.run_id, step)
            views.append(run_view(svc.url, base.run_id))
            logs.append(run_log(svc.url, base.people.auditor, base.run_id))
        assert verify_log(logs[-1], svc.service_key()).state.value == "PUBLISHED"
        bundle = httpx.get(f"{svc.url}/api/v1/runs/{base.run_id}/bundle.zip", timeout=60).content
        if verify_in is not None:  # the reference itself holds: sunshine verify with every key pinned
            (verify_in / "bundle.zip").write_bytes(bundle)
            pins = ["--key", svc.service_key(),
                    *(a for w in base.people.witnesses for a in ("--witness-key", w.signer.verifier.vkey))]
            assert "VERIFIED: every step holds" in sunshine("verify", str(verify_in / "bundle.zip"), *pins)
    finally:
        svc.stop()
    return Reference(views, logs, bundle)


@pytest.fixture(scope="module")
def sqlite_day(tmp_path_factory: pytest.TempPathFactory, forks: ForkServer) -> tuple[Base, Reference]:
    root = tmp_path_factory.mktemp("kill-sqlite")
    base = _base(root / "base", forks)
    return base, _reference(base, root / "reference" / "data", forks, None, root)


def _same_as_reference(svc: ForkedService, base: Base, ref: Reference, i: int) -> None:
    assert run_log(svc.url, base.people.auditor, base.run_id) == ref.logs[i]
    assert run_view(svc.url, base.run_id) == ref.views[i]


def _send_in_thread(step: DayStep, url: str, run_id: str) -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []

    def send() -> None:
        try:
            outcome.append(step.send(url, run_id, timeout=60))
        except httpx.HTTPError as exc:  # the server died under the request
            outcome.append(exc)

    thread = threading.Thread(target=send)
    thread.start()
    return thread, outcome


def _kill_at(svc: ForkedService, base: Base, ref: Reference, i: int, mode: str, delay: float) -> str:
    """Take step ``i`` with a SIGKILL (``mode``), restart, check, retry as a client does; what happened."""
    step, run_id = base.steps[i], base.run_id
    if mode == "answered":
        r = step.send(svc.url, run_id)
        assert r.status_code < 300, r.text
        if step.job is not None:
            assert wait_job(svc.url, run_id, step.job)["status"] == "done"
        svc.kill()
        svc.start()
        _same_as_reference(svc, base, ref, i)  # answered: it is in the log, and nothing else is
        return "answered"
    if step.job is not None:
        r = step.send(svc.url, run_id)
        assert r.status_code == 202, r.text
        svc.kill()  # the job has just started
        svc.start()
        assert job_status(svc.url, run_id, step.job)["status"] == "interrupted"
        _same_as_reference(svc, base, ref, i - 1)  # at its last committed state
        again = replace(step, key=step.key + "-again")  # an interrupted job is started again
        assert again.send(svc.url, run_id).status_code == 202
        assert wait_job(svc.url, run_id, step.job)["status"] == "done"
        _same_as_reference(svc, base, ref, i)
        return "job interrupted"
    thread, outcome = _send_in_thread(step, svc.url, run_id)
    threading.Event().wait(delay)
    svc.kill()
    thread.join(60)
    svc.start()
    answered = bool(outcome) and isinstance(outcome[0], httpx.Response) and outcome[0].status_code < 300
    landed = run_log(svc.url, base.people.auditor, run_id) == ref.logs[i]
    if answered:
        assert landed, "a step answered 2xx must be in the log"
    else:
        assert landed or run_log(svc.url, base.people.auditor, run_id) == ref.logs[i - 1]
    retry = step.send(svc.url, run_id)  # the client retries with the same Idempotency-Key
    assert retry.status_code < 300, retry.text
    _same_as_reference(svc, base, ref, i)  # exactly one effect
    return "answered" if answered else ("landed, answer lost" if landed else "not landed")


def _day_with_kills(svc: ForkedService, base: Base, ref: Reference, mode: str,
                    kill: set[str] | None = None) -> dict[str, str]:
    outcomes: dict[str, str] = {}
    for i, step in enumerate(base.steps[1:], start=1):
        if step.name == "roster" or (kill is not None and step.name not in kill):
            take_step(svc.url, base.run_id, step)
            continue
        outcomes[step.name] = _kill_at(svc, base, ref, i, mode, IN_FLIGHT_DELAYS_S[i % len(IN_FLIGHT_DELAYS_S)])
    return outcomes


@pytest.mark.parametrize("mode", ["answered", "in_flight"])
def test_sigkill_at_every_step_sqlite(sqlite_day: tuple[Base, Reference], forks: ForkServer, tmp_path: Path,
                                      mode: str) -> None:
    base, ref = sqlite_day
    svc = ForkedService(copy_data(base.data, tmp_path / "data"), forks=forks).start()
    try:
        outcomes = _day_with_kills(svc, base, ref, mode)
        assert set(outcomes) == {s.name for s in base.steps[1:]} - {"roster"}
        assert httpx.get(f"{svc.url}/api/v1/runs/{base.run_id}/bundle.zip").content == ref.bundle
    finally:
        svc.stop()
    print(f"{mode}: {outcomes}")


@pytest.mark.parametrize("mode", ["answered", "in_flight"])
def test_sigkill_at_create(forks: ForkServer, tmp_path: Path, mode: str) -> None:
    svc = ForkedService(tmp_path / "data", forks=forks).start()
    try:
        people, steps = day_of(svc)
        create = steps[0]
        with httpx.Client() as c:
            title = create.make(c, "")[2]["json"]["title"]
        if mode == "answered":
            assert create.send(svc.url, "").status_code == 201
            svc.kill()
        else:
            thread, _ = _send_in_thread(create, svc.url, "")
            threading.Event().wait(0.05)
            svc.kill()
            thread.join(60)
        svc.start()
        retry = create.send(svc.url, "")
        assert retry.status_code == 201, retry.text
        runs = [r for r in httpx.get(f"{svc.url}/api/v1/runs").json() if r["title"] == title]
        assert [(r["run_id"], r["state"], r["log_size"]) for r in runs] == [(retry.json()["run_id"], "DRAFT", 1)]
        assert run_log(svc.url, people.auditor, runs[0]["run_id"])["size"] == 1
    finally:
        svc.stop()


@pytest.mark.parametrize("mode", ["in_flight"])  # the harder mode only: each PostgreSQL day costs a minute here
def test_sigkill_on_postgresql(request: pytest.FixtureRequest, forks: ForkServer, tmp_path: Path, mode: str) -> None:
    """The subset on PostgreSQL: a witness's reveal, execute and publish; the twin is a template copy."""
    pg = request.getfixturevalue("pg_server")
    database = pg.create_database()
    base = _base(tmp_path / "base", forks, database)
    twin = pg.clone_database(database)
    ref = _reference(base, tmp_path / "reference" / "data", forks, twin, None)
    svc = ForkedService(base.data, database, forks=forks).start()
    try:
        outcomes = _day_with_kills(svc, base, ref, mode, kill={"reveal 家长代表", "execute", "publish"})
        assert len(outcomes) == 3
        assert httpx.get(f"{svc.url}/api/v1/runs/{base.run_id}/bundle.zip").content == ref.bundle
    finally:
        svc.stop()
