"""A 复核 over HTTP (real server, SQLite): the linked run inherits the original's seed and verifies.

Publish a run, POST a review with a reason, upload the samples' corrections, freeze, inherit the
seed, execute, publish; ``sunshine verify`` of the review's bundle is VERIFIED, and its
``review_diff.csv`` names exactly the corrected applicants as moving by their own correction,
everyone's "before" being the original's published result (the same seed, the same numbers).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import start_service
from service_process import ServiceProcess, sunshine

from api.placement_day import SAMPLES, api_client, placement_day, review_day, sample_day
from audit.bundle import read_zip


@pytest.fixture(scope="module")
def service(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    proc = start_service(tmp_path_factory.mktemp("review-sqlite"), "sqlite", request)
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def people(service: ServiceProcess) -> dict[str, Any]:
    return {"operator": service.add_user("教育局", "operator"),
            "witnesses": [service.witness("公证处", "739182", "n-salt"),
                          service.witness("家长代表", "55501", "p-salt")]}


def _published(service: ServiceProcess, people: dict[str, Any], kind: str) -> str:
    title, inputs, options = sample_day(kind)
    return placement_day(service.url, people["operator"], people["witnesses"], kind, title, inputs, options,
                         seal=False)


def _bundle(service: ServiceProcess, run_id: str) -> dict[str, bytes]:
    return read_zip(httpx.get(f"{service.url}/api/v1/runs/{run_id}/bundle.zip").content)


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _corrections(kind: str) -> tuple[str, bytes]:
    path = SAMPLES / kind / "corrections.csv"
    return path.name, path.read_bytes()


def _verified(service: ServiceProcess, run_id: str, tmp_path: Path) -> str:
    path = tmp_path / f"{run_id}.zip"
    path.write_bytes(httpx.get(f"{service.url}/api/v1/runs/{run_id}/bundle.zip").content)
    out = sunshine("verify", str(path), "--key", service.service_key())
    assert "VERIFIED: every step holds" in out, out
    return out


def test_a_lottery_review_over_http_inherits_the_seed_and_verifies(service: ServiceProcess, people: dict[str, Any],
                                                                   tmp_path: Path) -> None:
    original = _published(service, people, "lottery")
    rid = review_day(service.url, people["operator"], original, "家长申请复核（3 日确认期）", _corrections("lottery"))
    api = f"{service.url}/api/v1"
    view = httpx.get(f"{api}/runs/{rid}").json()
    parent = httpx.get(f"{api}/runs/{original}").json()
    assert (view["state"], view["parent_run_id"], view["seed"]) == ("PUBLISHED", original, parent["seed"])
    assert view["public_value"] == parent["public_value"] and view["witnesses"] == []
    out = _verified(service, rid, tmp_path)
    assert f"inherited from run {original}" in out

    before = {r["applicant_id"]: r for r in _rows(_bundle(service, original)["results/results.csv"])}
    files = _bundle(service, rid)
    after = {r["applicant_id"]: r for r in _rows(files["results/results.csv"])}
    diff = {r["applicant_id"]: r for r in _rows(files["results/review_diff.csv"])}
    corrected = {r["报名号"] for r in _rows(_corrections("lottery")[1])}
    assert {a for a, r in diff.items() if r["cause"] == "own"} == corrected
    for a, r in diff.items():  # the "before" of every row is the original's published result
        assert (r["lottery_number"], r["old_school"], r["old_round"]) == (
            before[a]["lottery_number"], before[a]["school_id"], before[a]["round"]), a
    for a, r in after.items():  # the original's numbers; whoever the diff does not name keeps their placement
        assert r["lottery_number"] in ("", before[a]["lottery_number"])
        if a not in diff:
            assert (r["school_id"], r["round"], r["choice_rank"]) == (
                before[a]["school_id"], before[a]["round"], before[a]["choice_rank"]), a


def test_inherit_seed_is_a_guarded_idempotent_transition(service: ServiceProcess, people: dict[str, Any]) -> None:
    original = _published(service, people, "lottery")
    with api_client(service.url, people["operator"]) as op:
        rid = op.post(f"/runs/{original}/review", json={"reason": "复核"}).json()["run_id"]
        early = op.post(f"/runs/{rid}/inherit-seed")
        assert early.status_code == 409 and early.json()["details"]["state"] == "DRAFT"
        op.put(f"/runs/{rid}/inputs/corrections", files={"file": _corrections("lottery")})
        op.post(f"/runs/{rid}/freeze")
        frozen = op.get(f"/runs/{rid}").json()
        assert [i["code"] for i in frozen["checklist"]] == ["seed_not_inherited"]
        declared = op.post(f"/runs/{rid}/declare", json={"witnesses": ["公证处"],
                                                          "reveal_deadline": "2023-09-15T10:00:00Z"})
        assert declared.status_code == 409 and "inherits the seed" in declared.json()["message_en"]
        size = op.get(f"/runs/{rid}").json()["log_size"]
        first = op.post(f"/runs/{rid}/inherit-seed", headers={"Idempotency-Key": "inherit-1"})
        again = op.post(f"/runs/{rid}/inherit-seed", headers={"Idempotency-Key": "inherit-1"})
        assert first.status_code == again.status_code == 200 and again.headers.get("Idempotent-Replayed") == "true"
        assert first.json() == again.json() and first.json()["state"] == "SEEDED"
        assert first.json()["log_size"] == size + 1
        twice = op.post(f"/runs/{rid}/inherit-seed", headers={"Idempotency-Key": "inherit-2"})
        assert twice.status_code == 409 and twice.json()["details"]["state"] == "SEEDED"
        plain = op.post("/runs", json={"kind": "lottery", "title": "不是复核"}).json()["run_id"]
        refused = op.post(f"/runs/{plain}/inherit-seed")
        assert refused.status_code == 409 and "only a 复核 run" in refused.json()["message_en"]


def test_a_classes_review_over_http_inherits_the_seed_and_verifies(service: ServiceProcess, people: dict[str, Any],
                                                                   tmp_path: Path) -> None:
    original = _published(service, people, "classes")
    rid = review_day(service.url, people["operator"], original, "学籍复核", _corrections("classes"))
    _verified(service, rid, tmp_path)
    before = {r["student_id"]: r["class"] for r in _rows(_bundle(service, original)["results/placement_public.csv"])}
    files = _bundle(service, rid)
    diff = {r["student_id"]: r for r in _rows(files["results/review_diff.csv"])}
    assert all(r["old_class"] == before[s] for s, r in diff.items())  # the posted classes are the original's
    after = {r["student_id"]: r["class"] for r in _rows(files["results/placement_public.csv"])}
    assert all(after[s] == before[s] for s in after if s not in diff)


def test_a_points_review_over_http_inherits_the_seed_and_verifies(service: ServiceProcess, people: dict[str, Any],
                                                                  tmp_path: Path) -> None:
    """Points commits the original roster and applies its corrections in execute, so its review inherits too."""
    original = _published(service, people, "points")
    rid = review_day(service.url, people["operator"], original, "积分复核", _corrections("points"))
    _verified(service, rid, tmp_path)
    before = {r["applicant_id"]: r for r in _rows(_bundle(service, original)["results/results.csv"])}
    files = _bundle(service, rid)
    api = f"{service.url}/api/v1"
    assert httpx.get(f"{api}/runs/{rid}").json()["public_root"] == httpx.get(f"{api}/runs/{original}").json()[
        "public_root"]  # the original roster, committed again
    diff = _rows(files["results/review_diff.csv"])
    corrected = {r["申请编号"] for r in _rows(_corrections("points")[1])}
    assert corrected <= {r["applicant_id"] for r in diff}
    assert all(r["old_school"] == before[r["applicant_id"]]["school_id"] for r in diff)  # "before" = the original
    after = {r["applicant_id"]: r for r in _rows(files["results/results.csv"])}
    moved = {r["applicant_id"] for r in diff}
    assert all(after[a] == before[a] for a in after if a not in moved)
