"""Long steps (execute, publish) run in the background; clients poll their progress.

One worker thread per server process runs them one at a time (the engines use both cores
already). A job is claimed in the ``jobs`` table, in the transaction of the request that
starts it: while one runs, a second start (another operator, another worker process) is
refused with 409 ``job_running``, so two racing requests cannot run a step twice; the
thread starts only once that transaction has committed. Progress (percent and stage) is
written to the ``jobs`` table, so every worker process and a restarted server can answer
``GET …/jobs/{action}``. A job that was running when the process died is found ``running``
by no one: on start-up each such row is marked ``interrupted`` (the step itself is atomic in
the store, so the run is at its last committed state and the client simply starts the step again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from api.http.errors import ApiError, error_code_of
from api.store.database import Database
from api.store.models import jobs
from engine.errors import SunshineError

__all__ = ["JobRunner"]

_log = logging.getLogger("sunshine.jobs")

Work = Callable[[Callable[[int, str, str], None]], object]


class JobRunner:
    """Starts, tracks and reports the background steps of one server process."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sunshine-job")
        self._unsaved: dict[tuple[str, str], dict[str, Any]] = {}
        with db.writing() as conn:
            conn.execute(update(jobs).where(jobs.c.status == "running").values(
                status="interrupted",
                step="服务器重启，步骤未完成，请重新开始 | server restarted; start the step again"))

    def start(self, run_id: str, action: str, work: Work) -> None:
        """Claim the job and queue ``work(progress)`` (after the current unit commits); 409 while it runs."""
        busy = ApiError(409, "job_running", "该后台步骤正在运行，请等待其结束",
                        f"the {action} job of this run is running already; wait for it to end")
        values = {"status": "running", "percent": 0, "step": "排队中 | queued", "error": ""}
        try:
            with self.db.writing() as conn:
                claimed = conn.execute(update(jobs).where(jobs.c.run_id == run_id, jobs.c.action == action,
                                                          jobs.c.status != "running").values(**values))
                if claimed.rowcount != 1:
                    conn.execute(insert(jobs).values(run_id=run_id, action=action, **values))
        except IntegrityError:  # the row exists and says running
            raise busy from None

        def submit() -> None:
            self._pool.submit(self._run, run_id, action, work)

        self.db.after_commit(submit)

    def _set(self, run_id: str, action: str, **values: Any) -> None:
        with self.db.writing() as conn:
            conn.execute(update(jobs).where(jobs.c.run_id == run_id, jobs.c.action == action).values(**values))

    def _run(self, run_id: str, action: str, work: Work) -> None:
        def progress(percent: int, zh: str, en: str) -> None:
            self._set(run_id, action, percent=percent, step=f"{zh} | {en}")

        try:
            work(progress)
            end: dict[str, Any] = {"status": "done", "percent": 100}
        except SunshineError as exc:
            end = {"status": "failed", "error": f"{error_code_of(exc)} | {exc.message_zh} | {exc.message_en}"}
        except Exception as exc:  # reported to the client, logged in full; the store step was atomic
            _log.exception("job %s/%s failed", run_id, action)
            end = {"status": "failed", "error": f"internal_error | 内部错误 | internal error: {type(exc).__name__}"}
        try:
            self._set(run_id, action, **end)
            self._unsaved.pop((run_id, action), None)
        except SunshineError:  # e.g. the disk is full: this process still answers how the job ended
            _log.exception("job %s/%s: its end could not be stored", run_id, action)
            self._unsaved[(run_id, action)] = end

    def status(self, run_id: str, action: str) -> dict[str, Any] | None:
        """The job as stored (``error``: ``code | zh | en``), or as it ended here if that could not be stored."""
        with self.db.reading() as conn:
            row = conn.execute(select(jobs).where(jobs.c.run_id == run_id, jobs.c.action == action)).one_or_none()
        if row is None:
            return None
        got = {"status": row.status, "percent": row.percent, "error": row.error}
        if row.status == "running":
            got.update(self._unsaved.get((run_id, action), {}))
        zh, _, en = row.step.partition(" | ")
        parts = str(got["error"]).split(" | ", 2) if got["error"] else []
        code, err_zh, err_en = ([None] * (3 - len(parts)) + parts) if len(parts) < 3 else parts
        return {"action": action, "status": got["status"], "percent": got["percent"], "step_zh": zh, "step_en": en,
                "error_code": code or None, "error_zh": err_zh or None, "error_en": err_en or None}

    def close(self) -> None:
        self._pool.shutdown(wait=True)
