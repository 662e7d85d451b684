"""schemathesis against the OpenAPI document of a real server (SQLite), anonymous and as an operator.

Every generated request, valid or not, must get an answer the schema allows (status codes
declared, error bodies of the one shape) and never a server error. A published run exists so
that generated lookups and downloads also reach real data.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.openapi import from_url
from service_process import ServiceProcess

from api.placement_day import placement_day, sample_day


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServiceProcess, str]]:
    proc = ServiceProcess(tmp_path_factory.mktemp("schemathesis") / "data").start()
    token = proc.add_user("教育局", "operator")
    title, inputs, options = sample_day("lottery")
    placement_day(proc.url, token, [proc.witness("公证处", "1", "s")], "lottery", title, inputs, options)
    try:
        yield proc, token
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def api_schema(server: tuple[ServiceProcess, str]) -> schemathesis.BaseSchema:
    return from_url(f"{server[0].url}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


def _check(case: schemathesis.Case, proc: ServiceProcess, headers: dict[str, str]) -> None:
    response = case.call_and_validate(base_url=proc.url, headers=headers)
    assert response.status_code < 500
    if response.status_code >= 400 and response.headers.get("content-type", "").startswith("application/json"):
        assert set(response.json()) == {"code", "message_zh", "message_en", "details"}


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_anonymous_answers_match_the_schema(case: schemathesis.Case, server: tuple[ServiceProcess, str]) -> None:
    _check(case, server[0], {})


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_operator_answers_match_the_schema(case: schemathesis.Case, server: tuple[ServiceProcess, str]) -> None:
    _check(case, server[0], {"Authorization": f"Bearer {server[1]}"})
