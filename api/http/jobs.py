"""Long steps (execute, publish) run in the background; clients poll their progress.

One worker thread per server process runs them one at a time (the engines use both cores
already). Progress (percent and stage) is written to the ``jobs`` table, so every worker
process and a restarted server can answer ``GET …/jobs/{action}``. A job that was running
when the process died is found ``running`` by no one: on start-up each such row is marked
``interrupted`` (the step itself is atomic in the store, so the run is at its last committed
state and the client simply starts the step again).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import delete, insert, select, update

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
        self._mine: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        with db.writing() as conn:
            conn.execute(update(jobs).where(jobs.c.status == "running").values(
                status="interrupted",
                step="服务器重启，步骤未完成，请重新开始 | server restarted; start the step again"))

    def running(self, run_id: str, action: str) -> bool:
        with self._lock:
            return (run_id, action) in self._mine

    def start(self, run_id: str, action: str, work: Work) -> None:
        """Queue ``work(progress)``; refuses (returns without queueing) when the same job runs already."""
        with self._lock:
            if (run_id, action) in self._mine:
                return
            self._mine.add((run_id, action))
        with self.db.writing() as conn:
            conn.execute(delete(jobs).where(jobs.c.run_id == run_id, jobs.c.action == action))
            conn.execute(insert(jobs).values(run_id=run_id, action=action, status="running", percent=0,
                                             step="排队中 | queued", error=""))
        self._pool.submit(self._run, run_id, action, work)

    def _set(self, run_id: str, action: str, **values: Any) -> None:
        with self.db.writing() as conn:
            conn.execute(update(jobs).where(jobs.c.run_id == run_id, jobs.c.action == action).values(**values))

    def _run(self, run_id: str, action: str, work: Work) -> None:
        def progress(percent: int, zh: str, en: str) -> None:
            self._set(run_id, action, percent=percent, step=f"{zh} | {en}")

        try:
            work(progress)
            self._set(run_id, action, status="done", percent=100)
        except SunshineError as exc:
            self._set(run_id, action, status="failed", error=f"{exc.message_zh} | {exc.message_en}")
        except Exception as exc:  # reported to the client, logged in full; the store step was atomic
            _log.exception("job %s/%s failed", run_id, action)
            self._set(run_id, action, status="failed", error=f"内部错误 | internal error: {type(exc).__name__}")
        finally:
            with self._lock:
                self._mine.discard((run_id, action))

    def status(self, run_id: str, action: str) -> dict[str, Any] | None:
        with self.db.reading() as conn:
            row = conn.execute(select(jobs).where(jobs.c.run_id == run_id, jobs.c.action == action)).one_or_none()
        if row is None:
            return None
        zh, _, en = row.step.partition(" | ")
        err_zh, _, err_en = row.error.partition(" | ")
        return {"action": action, "status": row.status, "percent": row.percent, "step_zh": zh, "step_en": en,
                "error_zh": err_zh or None, "error_en": err_en or None}

    def close(self) -> None:
        self._pool.shutdown(wait=True)
