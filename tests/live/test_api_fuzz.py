"""Schemathesis over every operation of the API, against a real server on SQLite and on PostgreSQL, with a
valid token and (mostly) real patient, check-in and alert ids: no server error, and every response matches
the OpenAPI description (status code, content type, body schema), for valid and for invalid input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.live.server import Prepared, ServerProcess, prepare, surgery_date
from tests.pg import PostgresServer, acquire, release

EXAMPLES = 40  # per operation and generation mode
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Prepared, ServerProcess]]:
    pg: PostgresServer | None = acquire() if request.param == "postgresql" else None
    prepared = prepare(tmp_path, pg.new_database() if pg else None, patients=3)
    process = ServerProcess(prepared, tmp_path / "server.log")
    yield prepared, process
    process.stop()
    if pg is not None:
        release()


def _real_ids(prepared: Prepared, url: str) -> dict[str, list[Any]]:
    """Check-ins (one with an emergency, so an alert) for the prepared patients: the ids to fuzz with."""
    headers = {"Authorization": f"Bearer {prepared.token}"}
    checkins, alerts = [], []
    for number, patient in enumerate(prepared.patients):
        body = {
            "date": (surgery_date() + dt.timedelta(days=3)).isoformat(),
            "leg_pain": 4,
            "bladder_problem": number == 0,
        }
        answer = httpx.post(f"{url}/api/v1/patients/{patient}/checkins", json=body, headers=headers, timeout=30).json()
        checkins.append(answer["checkin"]["id"])
        alerts += [a["id"] for a in answer["new_alerts"]]
    return {"patient_id": prepared.patients, "checkin_id": checkins, "alert_id": alerts}


def test_every_operation_answers_without_server_errors_and_as_documented(
    server: tuple[Prepared, ServerProcess],
) -> None:
    prepared, process = server
    real = _real_ids(prepared, process.url)
    schema = schemathesis.openapi.from_url(f"{process.url}/api/v1/openapi.json")
    headers = {"Authorization": f"Bearer {prepared.token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    statuses: dict[int, int] = {}
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
            def run(case: Any, data: st.DataObject) -> None:
                for name, ids in real.items():
                    if case.path_parameters and name in case.path_parameters and data.draw(st.integers(0, 4)) > 0:
                        case.path_parameters[name] = data.draw(st.sampled_from(ids))
                response = case.call(base_url=process.url, headers=headers, timeout=30)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                case.validate_response(response, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:
                # An operation with no parameters and no body (GET /fhir/metadata) has nothing to get wrong.
                if mode is not GenerationMode.NEGATIVE:
                    raise
    print("answers by status:", dict(sorted(statuses.items())))
    assert not [status for status in statuses if status >= 500], statuses
    # Real ids reach the operations behind them: far from every answer is a 404.
    assert sum(n for s, n in statuses.items() if s < 300) > sum(statuses.values()) // 10, statuses
