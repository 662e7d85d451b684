"""The disk fills up during publish: a clear error, the run still EXECUTED, nothing half-published; after
space is freed, publish succeeds and the bundle is byte-identical to an uninterrupted run's.

The service's data folder (its SQLite database) is on a small tmpfs mounted for the test
(we run as root in the container). The run is taken to EXECUTED, a twin of its data folder
publishes undisturbed (the reference bundle), then the tmpfs is filled to within a few pages
(the job's claim and progress rows still fit, the publication does not) and publish is
started: the job fails with ``storage_full`` (or, had the claim itself not fit, the request
is 507 ``storage_full``), in Chinese and English. The run is still EXECUTED with its log as
before, ``bundle.zip`` is 404 ``not_published``, the run list says not published, and that
holds once the filler is deleted and the server SIGKILLed and restarted (a server does not
start on a full disk: opening the database writes). Then publish again: done, and the
bundle equals the twin's.

Where ``mount -t tmpfs`` is not permitted (not root, or a container without CAP_SYS_ADMIN)
the test is skipped and says so.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from fault_day import copy_data, day_of, run_log, run_view, wait_job
from forked_service import ForkedService, ForkServer

from api.placement_day import take_step

#: Free bytes left on the full disk: a few WAL frames (the job's claim and progress rows may fit), not the publication.
LEFT_FREE = 24 * 1024


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("a tmpfs needs root: the disk-full test is not run here")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m,mode=0700", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"mount -t tmpfs not permitted here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _database_bytes(data: Path) -> int:
    return sum(p.stat().st_size for p in data.glob("sunshine.db*"))


def _fill(mount: Path, leave: int) -> Path:
    """A filler file taking every free byte of ``mount`` but ``leave``."""
    st = os.statvfs(mount)
    filler = mount / "filler"
    with open(filler, "wb") as f:
        remaining = st.f_bavail * st.f_frsize - leave
        chunk = b"\0" * (1 << 20)
        while remaining > 0:
            remaining -= f.write(chunk[:min(len(chunk), remaining)])
    return filler


def test_disk_full_during_publish(small_disk: Path, forks: ForkServer, tmp_path: Path) -> None:
    svc = ForkedService(small_disk / "data", forks=forks).start()
    people, steps = day_of(svc)
    publish = next(s for s in steps if s.name == "publish")
    run_id = ""
    for step in steps[:steps.index(publish)]:
        run_id = take_step(svc.url, run_id, step)
    svc.stop()  # the last connection closes: SQLite checkpoints and removes the WAL, which starts small again

    twin = ForkedService(copy_data(svc.data, tmp_path / "twin" / "data"), forks=forks).start()
    grown = _database_bytes(twin.data)
    take_step(twin.url, run_id, publish)
    grown = _database_bytes(twin.data) - grown
    reference = httpx.get(f"{twin.url}/api/v1/runs/{run_id}/bundle.zip").content
    twin.stop()
    assert grown > 4 * LEFT_FREE, grown  # what publishing writes cannot fit in what is left

    svc.start()
    try:
        before = run_log(svc.url, people.auditor, run_id)
        filler = _fill(small_disk, LEFT_FREE)
        r = publish.send(svc.url, run_id)
        if r.status_code == 202:
            job = wait_job(svc.url, run_id, "publish")
            assert (job["status"], job["error_code"]) == ("failed", "storage_full"), job
            error = (job["error_zh"], job["error_en"])
        else:
            assert (r.status_code, r.json()["code"]) == (507, "storage_full"), r.text
            error = (r.json()["message_zh"], r.json()["message_en"])
        assert "磁盘已满" in error[0] and "disk is full" in error[1], error

        for restarted in (False, True):  # nothing half-published; after space is freed, SIGKILL and restart: still
            if restarted:
                filler.unlink()
                svc.kill()
                svc.start()
            view = run_view(svc.url, run_id)
            assert (view["state"], view["files"]) == ("EXECUTED", []), view
            assert run_log(svc.url, people.auditor, run_id) == before
            missing = httpx.get(f"{svc.url}/api/v1/runs/{run_id}/bundle.zip")
            assert (missing.status_code, missing.json()["code"]) == (404, "not_published")
            assert [r["published"] for r in httpx.get(f"{svc.url}/api/v1/runs").json()] == [False]

        # publish again (a new request: the failed one kept no answer)
        take_step(svc.url, run_id, replace(publish, key=publish.key + "-after-space-freed"))
        assert httpx.get(f"{svc.url}/api/v1/runs/{run_id}/bundle.zip").content == reference
    finally:
        svc.stop()
