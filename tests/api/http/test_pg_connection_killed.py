"""PostgreSQL connections of the service terminated while a step's transaction runs: a clean failure, then on.

No test hook in the service: the test holds the run's row lock (``SELECT … FOR NO KEY UPDATE``
in its own transaction), so the service's store transaction — an upload's append, inside the
request's one transaction, or execute's append in its background job — waits on it,
mid-transaction. The test sees that wait in ``pg_stat_activity`` and terminates every
backend of the service's database (``pg_terminate_backend``) but its own, then lets go.

The request fails cleanly (503 ``store_unavailable``, the one error body, bilingual; the job:
``failed`` with ``store_unavailable``), the log is unchanged (nothing half-written), the next
requests succeed on fresh connections (``pool_pre_ping`` drops the dead pooled ones), the
retried step has exactly one effect, and the day ends PUBLISHED with a log that verifies.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fault_day import day_of, run_log, verify_log, wait_job
from forked_service import ForkedService, ForkServer

from api.placement_day import DayStep, take_step


def _connect(pg: Any, database: str) -> psycopg.Connection[Any]:
    return psycopg.connect(host=str(pg.socket_dir), port=pg.port, user="postgres", dbname=database.rsplit("/", 1)[1])


def _cut_connections_while_locked(pg: Any, database: str, run_id: str, send: Callable[[], None]) -> int:
    """Lock the run's row, run ``send`` in a thread, wait until the service waits on the lock, terminate its
    backends, release; the number of backends terminated."""
    name = database.rsplit("/", 1)[1]
    with _connect(pg, database) as lock:
        # NO KEY UPDATE: the service's FOR UPDATE waits on it, a foreign-key check (the job's claim) does not
        lock.execute("SELECT 1 FROM runs WHERE run_id = %s FOR NO KEY UPDATE", (run_id,))
        thread = threading.Thread(target=send)
        thread.start()
        deadline = time.monotonic() + 60
        with _connect(pg, database) as watch:
            watch.autocommit = True
            while not watch.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = "
                                    "'Lock' AND pid <> %s", (name, lock.info.backend_pid)).fetchone()[0]:  # type: ignore[index]
                assert time.monotonic() < deadline, "the service never waited on the row lock"
                time.sleep(0.02)
            cut = watch.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s "
                                "AND pid NOT IN (pg_backend_pid(), %s)", (name, lock.info.backend_pid)).fetchone()
        lock.rollback()
    thread.join(120)
    return int(cut[0]) if cut else 0  # type: ignore[index]


def test_killed_postgresql_connections_mid_transaction(request: pytest.FixtureRequest, forks: ForkServer,
                                                       tmp_path: Path) -> None:
    pg = request.getfixturevalue("pg_server")
    database = pg.create_database()
    svc = ForkedService(tmp_path / "data", database, forks=forks).start()
    try:
        people, steps = day_of(svc)
        by_name = {s.name: s for s in steps}
        run_id = take_step(svc.url, "", steps[0])
        take_step(svc.url, run_id, by_name["options"])
        take_step(svc.url, run_id, by_name["upload schools"])

        upload: DayStep = by_name["upload applicants"]
        before = run_log(svc.url, people.auditor, run_id)
        answers: list[httpx.Response] = []
        assert _cut_connections_while_locked(pg, database, run_id,
                                             lambda: answers.append(upload.send(svc.url, run_id))) >= 1
        [failed] = answers
        body = failed.json()
        assert (failed.status_code, body["code"]) == (503, "store_unavailable"), failed.text
        assert set(body) == {"code", "message_zh", "message_en", "details"}
        assert body["message_zh"] and body["message_en"]
        assert run_log(svc.url, people.auditor, run_id) == before  # nothing half-written; and reads work again
        assert upload.send(svc.url, run_id).status_code == 200  # the retry (same key: no answer was kept) runs
        actions = [e["entry"]["action"] for e in run_log(svc.url, people.auditor, run_id)["entries"]]
        assert actions == [e["entry"]["action"] for e in before["entries"]] + ["inputs.update"]

        for step in steps[steps.index(upload) + 1:steps.index(by_name["execute"])]:
            take_step(svc.url, run_id, step)
        execute = by_name["execute"]
        _cut_connections_while_locked(pg, database, run_id, lambda: answers.append(execute.send(svc.url, run_id)))
        assert answers[-1].status_code == 202  # the job was claimed; its append waited on the lock
        job = wait_job(svc.url, run_id, "execute")
        assert (job["status"], job["error_code"]) == ("failed", "store_unavailable"), job
        assert httpx.get(f"{svc.url}/api/v1/runs/{run_id}").json()["state"] == "SEEDED"

        take_step(svc.url, run_id, DayStep(execute.name, execute.token, execute.key + "-again", execute.make,
                                           execute.job))
        for step in steps[steps.index(execute) + 1:]:
            take_step(svc.url, run_id, step)
        log = run_log(svc.url, people.auditor, run_id)
        assert verify_log(log, svc.service_key()).state.value == "PUBLISHED"
        assert [e["entry"]["action"] for e in log["entries"]].count("run.execute") == 1
    finally:
        svc.stop()
