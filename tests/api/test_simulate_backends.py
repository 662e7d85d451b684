"""Backend identity of ``sunshine simulate``: in-process, LocalCluster with 1 and 2 workers, a real
``dask scheduler`` + ``dask worker`` on 127.0.0.1, any chunk size, and a worker killed mid-run all give
the same bytes. Every cluster is shut down by its ``with`` block or a ``finally``."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from api.distributed import DaskBackend, compute_backend
from api.simulate import render_outputs, run_simulation
from engine.errors import ConfigError

pytestmark = pytest.mark.timeout(300)

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SEED = bytes.fromhex("a1" * 32)


def _market(n: int = 1500, n_schools: int = 8) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A deterministic roster (hashlib-derived lists and tiers, a few twin pairs and siblings)."""
    def h(*parts: object) -> int:
        return int.from_bytes(hashlib.sha256("/".join(map(str, parts)).encode()).digest()[:8], "big")

    schools = [{"id": f"S{s:02d}", "name": f"学校{s}", "capacity": 20 + h("cap", s) % 200} for s in range(n_schools)]
    roster = []
    for i in range(n):
        order = sorted(range(n_schools), key=lambda s, i=i: (h("pref", i, s) % 1000) * (s + 1))
        prefs = [f"S{s:02d}" for s in order[: 1 + h("len", i) % 4]]
        group = f"G{i // 2}" if i < 40 else ""
        if i < 40 and i % 2:
            prefs = roster[-1]["preferences"]
        roster.append({"id": f"A{i:05d}", "preferences": prefs, "tier": 1 + h("tier", i) % 3,
                       "priority": {prefs[0]: 0} if h("sib", i) % 20 == 0 and not group else {},
                       "group": group, "round2": []})
    return {"mechanism": "da", "round2": False, "schools": schools}, roster


CONFIG, ROSTER = _market()
DRAWS = 120


@pytest.fixture(scope="module")
def reference() -> dict[str, bytes]:
    return render_outputs(run_simulation(CONFIG, ROSTER, SEED, DRAWS))


def _outputs(backend: Any, chunk: int | None) -> dict[str, bytes]:
    return render_outputs(run_simulation(CONFIG, ROSTER, SEED, DRAWS, backend, chunk))


@pytest.mark.parametrize("chunk", [1, 7, 120, 500])
def test_chunk_size_never_changes_bytes(reference: dict[str, bytes], chunk: int) -> None:
    with compute_backend() as backend:
        assert _outputs(backend, chunk) == reference


@pytest.mark.parametrize(("threads", "chunk"), [(1, None), (2, None), (2, 1), (3, 7), (4, 500)])
def test_in_process_threads_never_change_bytes(reference: dict[str, bytes], threads: int, chunk: int | None) -> None:
    # Chunks run side by side on a thread pool; results are merged in draw order whatever finishes first.
    with compute_backend(threads=threads) as backend:
        assert backend.workers == threads
        assert _outputs(backend, chunk) == reference


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"threads": 0}, "--threads must be at least 1"),
    ({"threads": 2, "workers": 1}, "cannot be combined with --workers or --scheduler"),
])
def test_bad_thread_settings_are_config_errors(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ConfigError, match=message), compute_backend(**kwargs):
        pass


@pytest.mark.parametrize(("workers", "chunk"), [(1, 13), (2, 9), (2, None)])
def test_local_cluster_gives_the_same_bytes(reference: dict[str, bytes], workers: int, chunk: int | None) -> None:
    with compute_backend(workers=workers) as backend:
        assert backend.workers == workers
        assert _outputs(backend, chunk) == reference


def _wait_for_file(path: Path, proc: subprocess.Popen[bytes], seconds: float) -> None:
    end = time.monotonic() + seconds
    while not path.exists():
        if proc.poll() is not None or time.monotonic() > end:
            raise AssertionError(f"{path.name} not written (exit {proc.poll()})")
        time.sleep(0.2)


def test_real_scheduler_and_worker_processes(reference: dict[str, bytes], tmp_path: Path) -> None:
    info = tmp_path / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs: list[subprocess.Popen[bytes]] = []
    try:
        scheduler = subprocess.Popen(
            [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(info)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(scheduler)
        _wait_for_file(info, scheduler, 60)
        address = json.loads(info.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for _ in range(2):
            procs.append(subprocess.Popen(
                [str(BIN / "dask"), "worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--no-dashboard",
                 "--nworkers", "1"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with compute_backend(scheduler=address) as backend:
            assert isinstance(backend, DaskBackend)
            backend.client.wait_for_workers(2, timeout=120)
            assert _outputs(backend, 11) == reference
    finally:
        for p in reversed(procs):
            p.send_signal(signal.SIGTERM)
        for p in reversed(procs):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=30)


def test_killed_worker_is_retried_with_identical_result(reference: dict[str, bytes]) -> None:
    killed: list[int] = []
    with compute_backend(workers=2) as backend:
        assert isinstance(backend, DaskBackend)
        client = backend.client
        pids: dict[str, int] = client.run(os.getpid)

        def kill_a_busy_worker() -> None:
            end = time.monotonic() + 120
            while time.monotonic() < end and not killed:
                busy = [w for w, keys in client.processing().items() if keys and w in pids]
                if busy:
                    os.kill(pids[busy[0]], signal.SIGKILL)  # a worker process this test's cluster started
                    killed.append(pids[busy[0]])
                time.sleep(0.05)

        killer = threading.Thread(target=kill_a_busy_worker)
        killer.start()
        try:
            got = _outputs(backend, 3)
        finally:
            killer.join()
        assert killed, "no worker was busy to kill"
        assert killed[0] not in client.run(os.getpid).values()  # the nanny replaced it
    assert got == reference
