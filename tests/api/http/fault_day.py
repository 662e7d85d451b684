"""What the fault tests share: the people of a day, the run's log and view as the service shows them, jobs.

A day's people are an operator, an auditor (who may read the full log) and the two witnesses
of the samples, each with their own key registered through the API.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from service_process import ServiceProcess

from api.placement_day import DayStep, Witness, day_steps, sample_day
from audit.canonical import canonical_bytes
from audit.ceremony import CeremonyState, replay_log
from audit.log import AuditLog
from audit.signing import Verifier, open_note, parse_checkpoint

__all__ = ["KIND", "People", "copy_data", "day_of", "job_status", "run_log", "run_view", "verify_log", "wait_job"]

#: The fault tests' day: the lottery samples (the quickest engine; execute and publish take well under a second).
KIND = "lottery"


@dataclass(frozen=True)
class People:
    operator: str
    auditor: str
    witnesses: list[Witness]


def day_of(service: ServiceProcess) -> tuple[People, list[DayStep]]:
    """The people (added to the running ``service``) and every step of their lottery day."""
    witnesses = [service.witness("公证处", "739182", "notary-salt"),
                 service.witness("家长代表", "55501", "parent-salt")]
    people = People(service.add_user("教育局", "operator"), service.add_user("审计员", "auditor"), witnesses)
    title, inputs, options = sample_day(KIND)
    return people, day_steps(people.operator, people.witnesses, KIND, title, inputs, options)


def run_log(url: str, auditor: str, run_id: str) -> dict[str, Any]:
    """Every entry (with payload) and every signed checkpoint of the run, as the auditor reads them."""
    r = httpx.get(f"{url}/api/v1/runs/{run_id}/log", headers={"Authorization": f"Bearer {auditor}"}, timeout=60)
    r.raise_for_status()
    got: dict[str, Any] = r.json()
    return got


def run_view(url: str, run_id: str) -> dict[str, Any]:
    r = httpx.get(f"{url}/api/v1/runs/{run_id}", timeout=60)
    r.raise_for_status()
    got: dict[str, Any] = r.json()
    return got


def job_status(url: str, run_id: str, action: str) -> dict[str, Any]:
    got: dict[str, Any] = httpx.get(f"{url}/api/v1/runs/{run_id}/jobs/{action}", timeout=60).json()
    return got


def wait_job(url: str, run_id: str, action: str, limit_s: float = 300.0) -> dict[str, Any]:
    """The job's status once it is no longer running."""
    deadline = time.monotonic() + limit_s
    while (job := job_status(url, run_id, action))["status"] == "running":
        assert time.monotonic() < deadline, f"{action} still running after {limit_s} s"
        time.sleep(0.02)
    return job


def verify_log(got: dict[str, Any], service_key: str) -> CeremonyState:
    """Check a run's log as served (hash chain, payload hashes, every checkpoint signed by the service
    key and equal to the log's own at its size); the state it establishes."""
    log = AuditLog.from_bytes(b"".join(canonical_bytes(e) + b"\n" for e in got["entries"]))
    verifier = Verifier.from_vkey(service_key)
    assert len(got["checkpoints"]) == log.size
    for size, note in enumerate(got["checkpoints"], start=1):
        text, _signers = open_note(note, [verifier])
        assert parse_checkpoint(text) == log.checkpoint(got["origin"], size)
    return replay_log(log)


def copy_data(source: Path, target: Path) -> Path:
    """A copy of a stopped service's data folder (database and service key): a twin of the run."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, target)
    return target
