"""A published run's answers come from memory, yet never go stale, and a restart preloads them.

The view, files and bundle of a published run are loaded once per process (api/http/published.py);
the one thing that still changes after publication, the witnesses' seal, must show at once in
the view and in the served bundle. A restarted server builds every published run's lookup index
in the background (GET /health counts them), so the first parent of the results hour waits for
nothing and a burst of first lookups builds one index, not one per request.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from service_process import ServiceProcess

from api.placement_day import DEMO_DAY, api_client, placement_day, sample_day
from audit.bundle import read_zip
from audit.signing import Checkpoint
from audit.witness import cosign


def _indexes_ready(url: str, want: int, timeout: float = 120) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        health = httpx.get(f"{url}/api/v1/health", timeout=30).json()
        if health["lookup_indexes"] >= want:
            return dict(health)
        time.sleep(0.2)
    raise AssertionError(f"no {want} lookup indexes after {timeout} s: {health}")


def test_the_seal_shows_at_once_and_a_restart_preloads_the_lookup(tmp_path: Path) -> None:
    service = ServiceProcess(tmp_path / "data").start()
    try:
        operator = service.add_user("教育局", "operator")
        notary = service.witness("公证处", "739182", "n-salt")
        title, inputs, options = sample_day("lottery")
        run_id = placement_day(service.url, operator, [notary], "lottery", title, inputs, options, seal=False)
        api = f"{service.url}/api/v1"

        before_view = httpx.get(f"{api}/runs/{run_id}").json()
        before = httpx.get(f"{api}/runs/{run_id}/bundle.zip").content
        assert before_view["published_cosigners"] == [] and "cosignatures.json" not in read_zip(before)
        assert httpx.get(f"{api}/runs/{run_id}").json() == before_view, "the cached view is the view"

        with api_client(service.url, notary.token) as c:
            got = c.get(f"/runs/{run_id}/checkpoint", params={"action": "published"}).json()
            cp = Checkpoint(got["origin"], int(got["size"]), bytes.fromhex(got["root_hex"]))
            c.post(f"/runs/{run_id}/witness/seal", json={
                "cosignature": cosign(notary.signer, cp, DEMO_DAY.cosign_time + 7200)}).raise_for_status()
        after = httpx.get(f"{api}/runs/{run_id}/bundle.zip").content
        assert httpx.get(f"{api}/runs/{run_id}").json()["published_cosigners"] == ["公证处"]
        assert "cosignatures.json" in read_zip(after)
        assert {k: v for k, v in read_zip(after).items() if k != "cosignatures.json"} == read_zip(before)
        results = httpx.get(f"{api}/runs/{run_id}/files/results.csv")
        assert results.status_code == 200 and results.content == read_zip(after)["results/results.csv"]
        assert httpx.get(f"{api}/runs/{run_id}/files/nothing.csv").json()["code"] == "file_not_found"

        service.stop()
        service.start()
        health = _indexes_ready(service.url, 1)
        assert health["status"] == "ok" and isinstance(health["process"], int)
        applicant = read_zip(after)["results/results.csv"].decode().splitlines()[1].split(",")[0]
        with ThreadPoolExecutor(8) as pool:  # a burst of first lookups after the restart: one index, same answers
            answers = list(pool.map(lambda _: httpx.get(f"{api}/runs/{run_id}/applicants/{applicant}",
                                                        timeout=60).json(), range(16)))
        assert all(a == answers[0] for a in answers) and answers[0]["applicant_id"] == applicant
        assert httpx.get(f"{api}/health").json()["lookup_indexes"] == 1
        assert httpx.get(f"{api}/runs/{run_id}/bundle.zip").content == after
    finally:
        service.stop()


def test_the_public_roster_is_sliced_cached_per_log_size_and_never_stale(tmp_path: Path) -> None:
    """公示: the same records and root the roster commitment gives, a slice when asked, a new answer
    after each upload (the log grows), and after the freeze the root signed in ``roster.freeze``."""
    from api.inputs import InputFile
    from api.runs import get_kind
    from audit.roster import commit_roster

    service = ServiceProcess(tmp_path / "data").start()
    try:
        operator = service.add_user("教育局", "operator")
        title, inputs, options = sample_day("lottery")
        api = f"{service.url}/api/v1"
        with api_client(service.url, operator) as c:
            run_id = c.post("/runs", json={"kind": "lottery", "title": title, "options": options}).json()["run_id"]
            for key, (name, data) in inputs.items():
                c.put(f"/runs/{run_id}/inputs/{key}", files={"file": (name, data)}).raise_for_status()
            whole = httpx.get(f"{api}/runs/{run_id}/roster").json()
            prepared = get_kind("lottery").prepare({k: InputFile(n, d) for k, (n, d) in inputs.items()}, options)
            committed = commit_roster(prepared.roster, {}, bytes(32))
            assert whole["records"] == [leaf["record"] for leaf in committed.leaves]
            assert [list(r) for r in whole["records"]] == [list(leaf["record"]) for leaf in committed.leaves]
            assert whole["public_root"] == committed.public_root.hex() and whole["size"] == len(committed.lines)
            assert not whole["frozen"] and whole["state"] == "DRAFT" and whole["offset"] == 0

            page = httpx.get(f"{api}/runs/{run_id}/roster", params={"offset": 3, "limit": 5}).json()
            assert page["records"] == whole["records"][3:8] and page["size"] == whole["size"]
            assert page["public_root"] == whole["public_root"] and page["offset"] == 3
            assert httpx.get(f"{api}/runs/{run_id}/roster", params={"limit": 0}).json()["records"] == []
            assert httpx.get(f"{api}/runs/{run_id}/roster", params={"offset": -1}).status_code == 422

            name, data = inputs["applicants"]
            fewer = b"\n".join(data.rstrip(b"\n").split(b"\n")[:-1]) + b"\n"  # one applicant less
            c.put(f"/runs/{run_id}/inputs/applicants", files={"file": (name, fewer)}).raise_for_status()
            after_upload = httpx.get(f"{api}/runs/{run_id}/roster").json()
            assert after_upload["size"] == whole["size"] - 1, "an upload must not be answered from the old roster"
            assert after_upload["public_root"] != whole["public_root"]

            c.post(f"/runs/{run_id}/freeze").raise_for_status()
            frozen = httpx.get(f"{api}/runs/{run_id}/roster", params={"limit": 2}).json()
            assert frozen["frozen"] and frozen["state"] == "ROSTER_FROZEN"
            assert frozen["public_root"] == httpx.get(f"{api}/runs/{run_id}").json()["public_root"]
            assert frozen["public_root"] == after_upload["public_root"]
        assert httpx.get(f"{api}/runs/nope/roster").json()["code"] == "run_not_found"
    finally:
        service.stop()
