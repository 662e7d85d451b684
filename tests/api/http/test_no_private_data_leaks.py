"""No public answer of the service holds a name, an ID number or a phone number, unmasked.

The points samples carry all three (姓名, 身份证号, 联系电话) and the classes samples carry names:
each kind's whole placement day runs over HTTP, then every public answer is fetched — the run
list, each run's view, its 公示 roster, every public file, the served bundle (every member,
and every member of every XLSX inside it), checkpoints, and a lookup of every applicant — and
none may contain any of those values. Masked names (``梁*``) are what public lists show.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from service_process import ServiceProcess

from api.placement_day import placement_day, sample_day

PRIVATE_COLUMNS = {"points": ("applicants", ("姓名", "身份证号", "联系电话")), "classes": ("students", ("姓名",))}


def _private_values(kind: str) -> tuple[set[str], list[str]]:
    """The private values of the kind's sample input, and its applicant ids (the first column)."""
    key, columns = PRIVATE_COLUMNS[kind]
    _title, inputs, _options = sample_day(kind)
    rows = list(csv.DictReader(io.StringIO(inputs[key][1].decode("utf-8-sig"))))
    values = {row[c].strip() for row in rows for c in columns if row.get(c, "").strip()}
    first = next(iter(rows[0]))
    return values, [row[first] for row in rows]


def _texts(name: str, data: bytes) -> Iterator[tuple[str, str]]:
    """Every text inside ``data``: zip containers (bundle, XLSX) opened recursively."""
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for member in z.namelist():
                yield from _texts(f"{name}/{member}", z.read(member))
    elif not name.endswith(".png"):
        yield name, data.decode("utf-8", errors="replace")


@pytest.mark.parametrize("kind", ["points", "classes"])
def test_no_public_answer_holds_a_name_id_number_or_phone(tmp_path: Path, kind: str) -> None:
    service = ServiceProcess(tmp_path / "data").start()
    try:
        operator = service.add_user("教育局", "operator")
        witness = service.witness("公证处", "739182", "n")
        title, inputs, options = sample_day(kind)
        run_id = placement_day(service.url, operator, [witness], kind, title, inputs, options)
        private, ids = _private_values(kind)
        assert len(private) > 20, "the samples should carry private values to look for"
        api = f"{service.url}/api/v1"
        with httpx.Client(base_url=api, timeout=120) as c:
            view = c.get(f"/runs/{run_id}").json()
            answers: dict[str, bytes] = {
                "runs": c.get("/runs").content, "view": c.get(f"/runs/{run_id}").content,
                "roster": c.get(f"/runs/{run_id}/roster").content,
                "checkpoint": c.get(f"/runs/{run_id}/checkpoint", params={"action": "published"}).content,
                "bundle.zip": c.get(f"/runs/{run_id}/bundle.zip").content,
                "health": c.get("/health").content, "keys": c.get("/keys").content,
            }
            for name in view["files"]:
                answers[name] = c.get(f"/runs/{run_id}/files/{name}").content
            for aid in ids:
                lookup = c.get(f"/runs/{run_id}/applicants/{aid}")
                assert lookup.status_code == 200, (aid, lookup.text)
                answers[f"lookup {aid}"] = lookup.content
            private_file = c.get(f"/runs/{run_id}/private/audit-private/roster_private.json",
                                 headers={"Authorization": f"Bearer {operator}"})
        assert len(view["files"]) >= 3
        # the search finds them where they belong: the operator's private file holds every one
        assert private <= {v for v in private for _w, text in _texts("private", private_file.content) if v in text}
        leaks = [(where, value) for name, data in answers.items() for where, text in _texts(name, data)
                 for value in private if value in text]
        assert leaks == [], f"private values in public answers: {leaks[:10]}"
    finally:
        service.stop()
