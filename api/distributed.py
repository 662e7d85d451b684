"""Where batch work runs: in this process, on a local Dask cluster, or on an existing Dask scheduler.

Edge module (starts processes, opens sockets on the addresses it is given). Every engine
batch (simulation chunks, one class placement per school) goes through :class:`Backend.map`,
which returns the results **in the order of the tasks**, whoever computed them; tasks are pure
functions of their arguments, so results never depend on the backend or the worker count.

* neither ``workers`` nor ``scheduler``: in-process, one task after the other, or ``threads``
  tasks at a time on a thread pool (the engine's kernels release the GIL, so the threads use
  the cores; results are still collected in task order, so they never depend on the thread
  count or on which thread finished first);
* ``workers=K``: a :class:`distributed.LocalCluster` of K single-threaded worker processes
  on 127.0.0.1 with the dashboard off, shut down when the ``with`` block ends;
* ``scheduler="tcp://host:port"``: a client of a running ``dask scheduler``; its workers must
  be able to import this package (same environment) and, for batches that write files, see
  the same file system.

Worker failure: Dask reschedules the tasks of a worker that dies on the remaining (or
restarted) workers; a task is allowed :data:`RETRIES` extra attempts. Since a task is a pure
function, a retried chunk gives the same bytes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from engine.errors import ConfigError

__all__ = ["RETRIES", "Backend", "InProcess", "compute_backend", "default_threads"]

T = TypeVar("T")
RETRIES = 3


class Backend(Protocol):
    """Runs ``fn(*args, **shared)`` for each ``args`` in ``tasks``; results in task order."""

    name: str
    workers: int

    def map(self, fn: Callable[..., T], tasks: Sequence[tuple[Any, ...]], shared: dict[str, Any]) -> list[T]: ...


def default_threads() -> int:
    """The cores this process may run on (``--threads`` default): 2 on the project's benchmark machine."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class InProcess:
    """The reference backend: the tasks in this process, ``threads`` at a time, results in task order.

    Why threads and not processes: a task (a chunk of simulation draws) spends almost all its
    time in numba kernels compiled ``nogil``, so two threads keep two cores busy with one copy
    of the market and no pickling; a task is a pure function of its arguments, so which thread
    runs it, and when, cannot change its result.
    """

    def __init__(self, threads: int = 1) -> None:
        if threads < 1:
            raise ConfigError("--threads", "threads", "--threads 必须至少为 1", "--threads must be at least 1")
        self.threads = threads
        self.workers = threads
        self.name = "in-process" if threads == 1 else f"in-process ({threads} threads)"

    def map(self, fn: Callable[..., T], tasks: Sequence[tuple[Any, ...]], shared: dict[str, Any]) -> list[T]:
        if self.threads == 1 or len(tasks) <= 1:
            return [fn(*args, **shared) for args in tasks]
        with ThreadPoolExecutor(max_workers=min(self.threads, len(tasks)),
                                thread_name_prefix="sunshine-task") as pool:
            return list(pool.map(lambda args: fn(*args, **shared), tasks))


class DaskBackend:
    """Tasks on a Dask cluster; ``shared`` values are sent to every worker once (scatter, broadcast)."""

    def __init__(self, client: Any, name: str) -> None:
        self.client = client
        self.name = name
        self.workers = max(1, len(client.scheduler_info().get("workers", {})))

    def map(self, fn: Callable[..., T], tasks: Sequence[tuple[Any, ...]], shared: dict[str, Any]) -> list[T]:
        if not tasks:
            return []
        scattered = {k: self.client.scatter(v, broadcast=True, hash=False) for k, v in shared.items()}
        # pure=False: fresh task keys per call, so a long-lived scheduler never hands back a result
        # computed for other inputs under the same key
        futures = [self.client.submit(fn, *args, **scattered, pure=False, retries=RETRIES) for args in tasks]
        try:
            return list(self.client.gather(futures))
        finally:
            self.client.cancel([*futures, *scattered.values()])


@contextmanager
def compute_backend(workers: int | None = None, scheduler: str | None = None,
                    threads: int | None = None) -> Iterator[Backend]:
    """The backend for ``--workers K`` / ``--scheduler ADDRESS`` / neither (in-process, ``threads`` threads).

    ``threads`` is the in-process thread count (default 1); with a Dask backend each worker is
    one single-threaded process, so ``threads`` together with ``workers`` or ``scheduler`` is an error.
    """
    if workers is not None and scheduler is not None:
        raise ConfigError("--workers/--scheduler", "backend", "--workers 与 --scheduler 只能选一个",
                          "give either --workers or --scheduler, not both")
    if threads is not None and (workers is not None or scheduler is not None):
        raise ConfigError("--threads", "threads", "--threads 只用于本进程运行，不能与 --workers 或 --scheduler 同用",
                          "--threads is for the in-process backend; "
                          "it cannot be combined with --workers or --scheduler")
    if workers is not None and workers < 1:
        raise ConfigError("--workers", "workers", "--workers 必须至少为 1", "--workers must be at least 1")
    if scheduler is None and workers is None:
        yield InProcess(1 if threads is None else threads)
        return
    from distributed import Client, LocalCluster  # imported on first use: dask is slow to import

    if scheduler is not None:
        if not scheduler.startswith(("tcp://", "tls://", "inproc://")):
            raise ConfigError("--scheduler", "scheduler", f"调度器地址应形如 tcp://127.0.0.1:8786，收到 {scheduler!r}",
                              f"the scheduler address should look like tcp://127.0.0.1:8786, got {scheduler!r}")
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise ConfigError("--scheduler", "scheduler", f"无法连接调度器 {scheduler}：{exc}",
                              f"cannot connect to the scheduler at {scheduler}: {exc}") from exc
        try:
            yield DaskBackend(client, f"dask scheduler {scheduler}")
        finally:
            client.close()
        return
    assert workers is not None
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.wait_for_workers(workers, timeout=120)
        yield DaskBackend(client, f"dask LocalCluster ({workers} workers)")
