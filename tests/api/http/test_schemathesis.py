"""schemathesis against the OpenAPI document of a real server (SQLite), anonymous and as an operator.

Every generated request, valid or not, must get an answer the schema allows (status codes
declared, error bodies of the one shape) and never a server error. A published run exists so
that generated lookups and downloads also reach real data.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.openapi import from_url
from schemathesis.specs.openapi.checks import positive_data_acceptance
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


def _check(case: schemathesis.Case, proc: ServiceProcess, headers: dict[str, str]) -> None:
    # positive_data_acceptance is left out: a schema-valid body can still be refused by rules no
    # JSON Schema states (a kind's option names, a file's content), with the documented 422/409.
    response = case.call_and_validate(base_url=proc.url, headers=headers, excluded_checks=[positive_data_acceptance])
    assert response.status_code < 500
    content_type = "".join(response.headers.get("content-type", []))  # schemathesis keeps header values as lists
    if response.status_code >= 400 and content_type.startswith("application/json"):
        assert set(response.json()) == {"code", "message_zh", "message_en", "details"}


@pytest.mark.parametrize("who", ["anonymous", "operator"])
def test_every_answer_matches_the_schema_and_none_is_a_server_error(server: tuple[ServiceProcess, str],
                                                                   who: str) -> None:
    """Each operation of the document in turn, with generated requests (schemathesis strategies
    driven by hypothesis here: its pytest plugin's fixture loader does not run on this pytest)."""
    proc, token = server
    headers = {"Authorization": f"Bearer {token}"} if who == "operator" else {}
    operations = [result.ok() for result in from_url(f"{proc.url}/openapi.json").get_all_operations()]
    assert len(operations) >= 25
    for operation in operations:
        @given(operation.as_strategy())
        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: schemathesis.Case) -> None:
            _check(case, proc, headers)

        check()
