"""SIGKILL of the server during execute, restart, finish: the bundle is byte-identical to an
uninterrupted run's. And the public lookup's rate limit holds for a client that enumerates."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
from service_process import ServiceProcess

from api.placement_day import api_client, placement_day, sample_day


def _finish(proc: ServiceProcess, token: str, run_id: str) -> bytes:
    with api_client(proc.url, token) as c:
        for action in ("execute", "publish"):
            state = c.get(f"/runs/{run_id}").json()["state"]
            if (action, state) in (("execute", "SEEDED"), ("publish", "EXECUTED")):
                assert c.post(f"/runs/{run_id}/{action}").status_code == 202
            deadline = time.monotonic() + 300
            while c.get(f"/runs/{run_id}").json()["state"] not in (
                    {"execute": ("EXECUTED", "PUBLISHED"), "publish": ("PUBLISHED",)}[action]):
                assert time.monotonic() < deadline
                time.sleep(0.05)
        while not c.get(f"/runs/{run_id}").json()["files"]:  # the publication is stored after the commit
            time.sleep(0.05)
        return c.get(f"/runs/{run_id}/bundle.zip").content


def test_sigkill_during_execute_then_restart_gives_the_same_bundle(tmp_path: Path) -> None:
    a = ServiceProcess(tmp_path / "a" / "data")
    (tmp_path / "a").mkdir()
    a.start()
    token = a.add_user("教育局", "operator")
    witnesses = [a.witness("公证处", "739182", "n"), a.witness("家长代表", "55501", "p")]
    title, inputs, options = sample_day("classes")  # the slowest execute: the kill lands inside it
    run_id = placement_day(a.url, token, witnesses, "classes", title, inputs, options, until="seed")
    a.stop()
    (tmp_path / "b").mkdir()
    shutil.copytree(a.data, tmp_path / "b" / "data")  # the twin: same database, same service key
    b = ServiceProcess(tmp_path / "b" / "data").start()
    a.start()

    with api_client(a.url, token) as c:
        assert c.post(f"/runs/{run_id}/execute").status_code == 202
        time.sleep(0.5)
    a.kill()
    a.start()
    state = httpx.get(f"{a.url}/api/v1/runs/{run_id}").json()["state"]
    assert state == "SEEDED"  # killed inside execute: the last committed step, nothing half-done
    job = httpx.get(f"{a.url}/api/v1/runs/{run_id}/jobs/execute").json()
    assert job["status"] == "interrupted"
    after_crash = _finish(a, token, run_id)
    uninterrupted = _finish(b, token, run_id)
    a.stop()
    b.stop()
    assert after_crash == uninterrupted


def test_the_lookup_rate_limit_holds_against_enumeration(tmp_path: Path) -> None:
    proc = ServiceProcess(tmp_path / "data", extra=("--fixed-time", "2023-09-15T08:00:00Z", "--lookup-rate", "5"))
    proc.start()
    try:
        token = proc.add_user("教育局", "operator")
        witnesses = [proc.witness("公证处", "739182", "n")]
        title, inputs, options = sample_day("lottery")
        run_id = placement_day(proc.url, token, witnesses, "lottery", title, inputs, options, seal=False)
        codes = [httpx.get(f"{proc.url}/api/v1/runs/{run_id}/applicants/20260{i:04d}").status_code
                 for i in range(12)]
        assert codes.count(429) >= 6 and all(c in (200, 404, 429) for c in codes)
        assert codes[:5].count(429) == 0
        limited = httpx.get(f"{proc.url}/api/v1/runs/{run_id}/applicants/202600010")
        assert limited.status_code == 429 and limited.json()["details"]["retry_after"] >= 1
    finally:
        proc.stop()
