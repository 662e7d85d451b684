"""Where batch work runs: in this process, on a local Dask cluster, or on an existing Dask scheduler.

Edge module (starts processes, opens sockets on the addresses it is given). Every engine
batch (simulation chunks, one class placement per school) goes through :class:`Backend.map`,
which returns the results **in the order of the tasks**, whoever computed them; tasks are pure
functions of their arguments, so results never depend on the backend or the worker count.

* neither ``workers`` nor ``scheduler``: in-process, one task after the other;
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

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from engine.errors import ConfigError

__all__ = ["RETRIES", "Backend", "compute_backend"]

T = TypeVar("T")
RETRIES = 3


class Backend(Protocol):
    """Runs ``fn(*args, **shared)`` for each ``args`` in ``tasks``; results in task order."""

    name: str
    workers: int

    def map(self, fn: Callable[..., T], tasks: Sequence[tuple[Any, ...]], shared: dict[str, Any]) -> list[T]: ...


class InProcess:
    """The reference backend: the tasks in order, in this process."""

    name = "in-process"
    workers = 1

    def map(self, fn: Callable[..., T], tasks: Sequence[tuple[Any, ...]], shared: dict[str, Any]) -> list[T]:
        return [fn(*args, **shared) for args in tasks]


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
def compute_backend(workers: int | None = None, scheduler: str | None = None) -> Iterator[Backend]:
    """The backend for ``--workers K`` / ``--scheduler ADDRESS`` / neither (in-process)."""
    if workers is not None and scheduler is not None:
        raise ConfigError("--workers/--scheduler", "backend", "--workers 与 --scheduler 只能选一个",
                          "give either --workers or --scheduler, not both")
    if workers is not None and workers < 1:
        raise ConfigError("--workers", "workers", "--workers 必须至少为 1", "--workers must be at least 1")
    if scheduler is None and workers is None:
        yield InProcess()
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
