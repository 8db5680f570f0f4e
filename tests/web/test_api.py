"""The JSON API through the ASGI app on SQLite: bearer tokens, problem details naming the field, health."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from tests.asgi import AsgiClient

from nervetrack.adapters.db.engine import make_engine, make_session_factory
from nervetrack.adapters.db.migrate import upgrade
from nervetrack.config import Settings
from nervetrack.services import clinics as clinics_service
from nervetrack.services.clinics import create_clinic
from nervetrack.services.tokens import create_api_token
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.web.app import create_app

SURGERY = dt.date.today() - dt.timedelta(days=20)


@dataclass
class Api:
    client: AsgiClient
    token_a: str
    token_b: str

    def call(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}))
        headers["Authorization"] = f"Bearer {token or self.token_a}"
        return self.client.request(method, f"/api/v1{path}", headers=headers, **kwargs)


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    monkeypatch.setattr(clinics_service, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    settings = Settings(data_dir=tmp_path, secret_key="test-secret")
    engine = make_engine(settings)
    upgrade(engine)
    uow = UnitOfWork(make_session_factory(engine))
    tokens = [create_api_token(uow, create_clinic(uow, name).id, "ehr").secret for name in ("A", "B")]
    engine.dispose()
    with AsgiClient(create_app(settings)) as client:
        yield Api(client, *tokens)


def patient_json(patient_id: str = "p-1") -> dict[str, Any]:
    return {
        "patient": {"id": patient_id, "birth_year": 1960},
        "surgery": {"date": SURGERY.isoformat(), "procedure": "microdiscectomy"},
        "baseline": {"leg_pain": 8},
    }


def checkin_json(day: int = 10, **extra: Any) -> dict[str, Any]:
    return {"date": (SURGERY + dt.timedelta(days=day)).isoformat(), "leg_pain": 3, **extra}


@pytest.fixture
def patient(api: Api) -> str:
    assert api.call("POST", "/patients", json=patient_json()).status_code == 201
    return "p-1"


def test_health_answers_200_with_the_database_state(api: Api) -> None:
    response = api.client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == {"state": "ok", "dialect": "sqlite", "revision": "0005"}


def test_health_answers_503_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:9/none"
    with AsgiClient(create_app(Settings(data_dir=tmp_path, database_url=unreachable))) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"]["state"] == "unreachable"


def test_the_openapi_document_is_served_under_api_v1(api: Api) -> None:
    paths = api.client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/patients/{patient_id}/checkins" in paths


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic abc"])
def test_the_api_needs_a_valid_bearer_token(api: Api, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = api.client.get("/api/v1/patients", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 401


def test_every_response_carries_the_security_headers(api: Api) -> None:
    headers = api.client.get("/healthz").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert (headers["x-content-type-options"], headers["referrer-policy"]) == ("nosniff", "no-referrer")


def test_a_patient_is_added_and_read_back(api: Api, patient: str) -> None:
    response = api.call("GET", f"/patients/{patient}")
    assert response.status_code == 200
    body = response.json()
    assert body["record"]["surgery"]["procedure"] == "microdiscectomy"
    assert body["assessment"]["patient_id"] == patient


def test_an_invalid_patient_is_a_problem_naming_each_field(api: Api) -> None:
    data = patient_json()
    data["surgery"]["procedure"] = "tonsillectomy"
    data["patient"]["birth_year"] = 1800
    response = api.call("POST", "/patients", json=data)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert sorted(e["field"] for e in response.json()["errors"]) == ["patient.birth_year", "surgery.procedure"]


def test_a_duplicate_patient_is_a_conflict(api: Api, patient: str) -> None:
    assert api.call("POST", "/patients", json=patient_json(patient)).status_code == 409


def test_a_retried_checkin_with_the_same_idempotency_key_is_stored_once(api: Api, patient: str) -> None:
    headers = {"Idempotency-Key": "abc-1"}
    first = api.call("POST", f"/patients/{patient}/checkins", json=checkin_json(), headers=headers)
    retry = api.call("POST", f"/patients/{patient}/checkins", json=checkin_json(), headers=headers)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert first.json()["checkin"]["id"] == retry.json()["checkin"]["id"]
    assert len(api.call("GET", f"/patients/{patient}").json()["checkins"]) == 1


def test_an_idempotency_key_reused_with_other_answers_is_refused_and_stores_nothing(api: Api, patient: str) -> None:
    headers = {"Idempotency-Key": "abc-2"}
    assert api.call("POST", f"/patients/{patient}/checkins", json=checkin_json(), headers=headers).status_code == 201
    other = api.call("POST", f"/patients/{patient}/checkins", json=checkin_json(leg_pain=7), headers=headers)
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["type"].endswith("/idempotency-key-reused")
    assert "Idempotency-Key" in other.json()["detail"]
    assert [c["values"]["leg_pain"] for c in api.call("GET", f"/patients/{patient}").json()["checkins"]] == [3]


def test_an_invalid_checkin_is_a_problem_naming_the_field(api: Api, patient: str) -> None:
    response = api.call("POST", f"/patients/{patient}/checkins", json=checkin_json(leg_pain=12))
    assert response.status_code == 422
    problems = response.json()["errors"]
    assert problems == [{"field": "leg_pain", "detail": "must be a whole number from 0 to 10 (got 12)"}]


def test_a_checkin_that_is_not_an_object_is_a_problem(api: Api, patient: str) -> None:
    response = api.call("POST", f"/patients/{patient}/checkins", json=[1, 2])
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == ""


def test_an_emergency_checkin_raises_an_alert_that_a_clinic_system_acknowledges(api: Api, patient: str) -> None:
    submitted = api.call("POST", f"/patients/{patient}/checkins", json=checkin_json(bladder_problem=True)).json()
    assert submitted["triage"]["level"] == "emergency"
    alert_id = submitted["new_alerts"][0]["id"]
    board = api.call("GET", "/patients").json()
    assert board["rows"][0]["open_alert_level"] == "emergency"
    acked = api.call("POST", f"/alerts/{alert_id}/acknowledge", json={"note": "patient sent to A&E"})
    assert acked.status_code == 200
    assert (acked.json()["acknowledged_by"], acked.json()["note"]) == ("API token ehr", "patient sent to A&E")
    assert api.call("POST", f"/alerts/{alert_id}/acknowledge", json={"note": "x"}).status_code == 409
    events = [e["action"] for e in api.call("GET", f"/patients/{patient}/audit").json()["events"]]
    assert "alert.acknowledge" in events


def test_the_dashboard_filters_and_rejects_unknown_levels(api: Api, patient: str) -> None:
    assert api.call("GET", "/patients", params={"search": "p-"}).json()["total"] == 1
    assert api.call("GET", "/patients", params={"level": "routine"}).json()["total"] == 0
    response = api.call("GET", "/patients", params={"level": "whenever"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "level"


def test_a_link_is_issued_once_and_revoked(api: Api, patient: str) -> None:
    issued = api.call("POST", f"/patients/{patient}/link")
    assert issued.status_code == 201 and len(issued.json()["token"]) >= 40
    assert api.call("GET", f"/patients/{patient}").json()["has_active_link"] is True
    assert api.call("DELETE", f"/patients/{patient}/link").status_code == 204
    assert api.call("GET", f"/patients/{patient}").json()["has_active_link"] is False


def test_the_export_is_a_json_attachment(api: Api, patient: str) -> None:
    api.call("POST", f"/patients/{patient}/checkins", json=checkin_json())
    response = api.call("GET", f"/patients/{patient}/export")
    assert response.headers["content-disposition"].startswith("attachment")
    assert len(response.json()["checkins"]) == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/patients/p-1"),
        ("GET", "/patients/p-1/export"),
        ("POST", "/patients/p-1/link"),
        ("GET", "/patients/p-1/audit"),
    ],
)
def test_another_clinic_s_token_cannot_see_the_patient(api: Api, patient: str, method: str, path: str) -> None:
    response = api.call(method, path, token=api.token_b)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_another_clinic_s_token_cannot_submit_a_checkin(api: Api, patient: str) -> None:
    response = api.call("POST", f"/patients/{patient}/checkins", json=checkin_json(), token=api.token_b)
    assert response.status_code == 404
    assert api.call("GET", "/patients", token=api.token_b).json()["total"] == 0


def test_a_check_in_asks_follow_up_questions_and_the_answers_escalate_at_once(api: Api, patient: str) -> None:
    assert api.call("POST", f"/patients/{patient}/checkins", json=checkin_json(12, weakness=1)).status_code == 201
    response = api.call("POST", f"/patients/{patient}/checkins", json=checkin_json(19, weakness=4))
    body = response.json()
    questions = body["assessment"]["follow_up"]
    assert {q["id"] for q in questions} >= {"weakness_sudden", "heel_toe_harder", "weakness_which_legs"}
    assert {"id", "text", "answer", "choices", "why", "sources"} <= set(questions[0])
    checkin_id = body["checkin"]["id"]
    answered = api.call(
        "POST", f"/patients/{patient}/checkins/{checkin_id}/follow-up", json={"answers": {"weakness_sudden": True}}
    )
    assert answered.status_code == 200
    assert answered.json()["triage"]["level"] == "emergency"
    assert [a["code"] for a in answered.json()["new_alerts"]] == ["rapid_weakness"]


def test_a_wrong_follow_up_answer_is_a_problem_naming_it(api: Api, patient: str) -> None:
    stored = api.call("POST", f"/patients/{patient}/checkins", json=checkin_json(19, weakness=4)).json()
    path = f"/patients/{patient}/checkins/{stored['checkin']['id']}/follow-up"
    response = api.call("POST", path, json={"answers": {"weakness_which_legs": "three"}})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "follow_up.weakness_which_legs"
    assert (
        api.call("POST", f"/patients/{patient}/checkins/999/follow-up", json={"answers": {"x": 1}}).status_code == 404
    )


@pytest.mark.parametrize(("field", "given"), [("leg_pain", "7"), ("bladder_problem", "yes"), ("weakness", 7.5)])
def test_the_check_in_contract_is_strict_json(api: Api, patient: str, field: str, given: Any) -> None:
    response = api.call("POST", f"/patients/{patient}/checkins", json=checkin_json(10, **{field: given}))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
