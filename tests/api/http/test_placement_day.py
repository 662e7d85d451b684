"""The whole placement day over HTTP, for each kind, on SQLite and on PostgreSQL (a real server each).

Create, upload, 公示, freeze, declare, two witnesses cosign+commit and reveal, the public value,
seed, execute and publish in the background, both witnesses seal the published checkpoint;
three applicants are looked up; the bundle served is checked by ``sunshine verify`` with the
service key and both witness keys pinned: VERIFIED, the cosignatures checked.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import pytest
from service_process import ServiceProcess, sunshine

from api.placement_day import Witness, placement_day, sample_day
from audit.bundle import read_zip
from audit.receipt import verify_receipt
from audit.signing import Verifier


@pytest.fixture(scope="module")
def people(service: ServiceProcess) -> tuple[str, list[Witness]]:
    return service.add_user("教育局", "operator"), [service.witness("公证处", "739182", "n-salt"),
                                                   service.witness("家长代表", "55501", "p-salt")]


@pytest.mark.parametrize("kind", ["lottery", "points", "classes"])
def test_a_placement_day_ends_in_a_verified_sealed_bundle(service: ServiceProcess, people: tuple[str, list[Witness]],
                                                        kind: str, tmp_path: Path) -> None:
    operator, witnesses = people
    title, inputs, options = sample_day(kind)
    run_id = placement_day(service.url, operator, witnesses, kind, title, inputs, options)
    api = f"{service.url}/api/v1"

    run = httpx.get(f"{api}/runs/{run_id}").json()
    assert (run["state"], run["kind"], run["title"]) == ("PUBLISHED", kind, title)
    assert run["published_cosigners"] == ["公证处", "家长代表"] and run["checklist"] == []
    assert {"run_id": run_id, "kind": kind, "state": "PUBLISHED", "title": title}.items() <= next(
        r for r in httpx.get(f"{api}/runs").json() if r["run_id"] == run_id).items()

    zipped = httpx.get(f"{api}/runs/{run_id}/bundle.zip").content
    assert "cosignatures.json" in read_zip(zipped)
    (tmp_path / "bundle.zip").write_bytes(zipped)
    pins = ["--key", service.service_key(), *(a for w in witnesses for a in ("--witness-key", w.signer.verifier.vkey))]
    out = sunshine("verify", str(tmp_path / "bundle.zip"), *pins)
    assert "VERIFIED: every step holds" in out and "published checkpoint cosigned by 公证处, 家长代表" in out

    results = read_zip(zipped)["results/results.csv" if kind != "classes" else "results/placement_public.csv"]
    ids = [row[0] for row in csv.reader(io.StringIO(results.decode()))][1:4]
    for applicant in ids:
        got = httpx.get(f"{api}/runs/{run_id}/applicants/{applicant}").json()
        assert got["applicant_id"] == applicant and got["explanation_zh"] and got["explanation_en"]
        assert got["result"][next(iter(got["result"]))] == applicant
        lines = list(verify_receipt(got["receipt"], [Verifier.from_vkey(service.service_key())]))
        assert lines, "the receipt verifies against the pinned service key"
    missing = httpx.get(f"{api}/runs/{run_id}/applicants/NOBODY")
    assert missing.status_code == 404 and missing.json()["code"] == "applicant_not_found"
