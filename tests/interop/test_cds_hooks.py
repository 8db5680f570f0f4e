"""The CDS Hooks 2.0 service through the ASGI app: discovery, cards, JWT client checks, prefetch missing or
fetched from a real FHIR server (Medplum), feedback, CORS; discovery, request and cards against golden files
written in the shape of the specification's examples."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from nervetrack.interop.cds_hooks import PREFETCH, SUMMARY_LIMIT, prefetch_query
from nervetrack.services import clock
from tests.interop.cds_support import ISSUER, SERVICE_URL, ClientKeys, hook_request
from tests.interop.conftest import FhirServer
from tests.interop.support import EXAMPLES, Fhir, example, make_fhir, medplum_issues, store_record

GOLDEN = Path(__file__).parent / "golden"
TODAY = dt.date(2026, 1, 20)
KEYS = ClientKeys.generate()
# The specification's field tables: what each object must have, and what it may have.
SERVICE_FIELDS = ({"hook", "description", "id"}, {"title", "prefetch", "usageRequirements", "extension"})
CARD_FIELDS = (
    {"summary", "indicator", "source"},
    {"uuid", "detail", "suggestions", "selectionBehavior", "overrideReasons", "links", "extension"},
)
REQUEST_FIELDS = ({"hook", "hookInstance", "context"}, {"fhirServer", "fhirAuthorization", "prefetch", "extension"})


@pytest.fixture
def fhir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Fhir]:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    yield from make_fhir(tmp_path, cds_hooks_issuers={ISSUER: KEYS.jwks()})


def prefetch_of(fhir: Fhir, patient_id: str) -> dict[str, Any]:
    """What an EHR holding the patient's NerveTrack export would prefetch (via NerveTrack's own /fhir)."""
    patient = fhir.get(f"/fhir/Patient/{patient_id}").json()
    searches = {key: prefetch_query(t, patient_id) for key, t in PREFETCH.items() if key != "patient"}
    found = {key: fhir.get("/fhir/" + query.split("&")[0]).json() for key, query in searches.items()}
    for bundle in found.values():
        for entry in bundle["entry"]:
            entry.pop("fullUrl")
    return {"patient": patient} | found


def call(fhir: Fhir, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    headers = KEYS.header() if headers is None else headers
    return fhir.client.post("/cds-services/nervetrack-recovery", json=body, headers=headers)


def check_shape(value: Any, fields: tuple[set[str], set[str]]) -> None:
    required, optional = fields
    assert required <= set(value) <= required | optional, set(value) ^ required


def no_null_or_empty(value: Any, where: str = "$") -> None:
    assert value not in (None, "", [], {}), where
    if isinstance(value, dict):
        for key, item in value.items():
            no_null_or_empty(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            no_null_or_empty(item, f"{where}[{i}]")


def golden(name: str, actual: Any) -> Any:
    """The golden file's content; NERVETRACK_REGENERATE_GOLDEN=1 rewrites it from `actual` first."""
    path = GOLDEN / name
    if os.environ.get("NERVETRACK_REGENERATE_GOLDEN") == "1":
        path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return json.loads(path.read_text(encoding="utf-8"))


def test_discovery_lists_the_patient_view_service_with_its_prefetch_templates(fhir: Fhir) -> None:
    body = fhir.client.get("/cds-services").json()
    assert body == golden("cds_discovery.json", body)
    (service,) = body["services"]
    check_shape(service, SERVICE_FIELDS)
    no_null_or_empty(body)
    assert service["hook"] == "patient-view"
    assert set(service["prefetch"]) == {"patient", "surgery", "responses", "observations"}


def test_an_emergency_patient_gets_a_critical_card_and_the_summary(fhir: Fhir) -> None:
    patient = store_record(fhir.uow, fhir.actor, example(EXAMPLES[1]), acknowledge=False)
    request = golden("cds_request_patient_view.json", hook_request(patient, prefetch_of(fhir, patient)))
    check_shape(request, REQUEST_FIELDS)
    response = call(fhir, request)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == golden("cds_cards_emergency.json", body)
    details = " ".join(card["detail"] for card in body["cards"])
    assert "(, " not in details and ", )" not in details, "a source cited without its journal or publisher"
    indicators = [card["indicator"] for card in body["cards"]]
    assert indicators[0] == "critical" and indicators[-1] == "info"
    for card in body["cards"]:
        check_shape(card, CARD_FIELDS)
        no_null_or_empty(card)
        assert len(card["summary"]) < SUMMARY_LIMIT
        assert card["source"]["label"] and card["source"]["url"].startswith("http")
        assert card["links"][0]["url"] == f"http://testserver/clinic/patients/{patient}"
        assert "**Sources:**" in card["detail"]
    assert "**Evidence:**" in body["cards"][0]["detail"]


@pytest.mark.parametrize(("path", "expected"), [(EXAMPLES[2], "warning"), (EXAMPLES[0], None)])
def test_urgent_and_soon_are_warnings_and_an_uneventful_recovery_only_a_summary(
    fhir: Fhir, path: Path, expected: str | None
) -> None:
    patient = store_record(fhir.uow, fhir.actor, example(path), acknowledge=False)
    cards = call(fhir, hook_request(patient, prefetch_of(fhir, patient))).json()["cards"]
    assert [c["indicator"] for c in cards[:-1]] == ([expected] * (len(cards) - 1) if expected else [])
    assert cards[-1]["indicator"] == "info"


def test_a_patient_nerve_track_knows_nothing_about_gets_no_cards(fhir: Fhir) -> None:
    prefetch = {"patient": {"resourceType": "Patient", "id": "x"}, "surgery": None, "responses": None}
    prefetch |= {"surgery": {"resourceType": "Bundle", "type": "searchset"}}
    prefetch |= {"responses": {"resourceType": "Bundle", "type": "searchset"}}
    assert call(fhir, hook_request("x", prefetch)).json() == {"cards": []}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-jwt"},
        "expired",
        "other audience",
        "other issuer",
        "forged",
        "hs256",
        "no jti",
    ],
)
def test_a_call_without_a_valid_client_jwt_is_refused(fhir: Fhir, headers: Any) -> None:
    now = dt.datetime.now(dt.UTC)
    made = {
        "expired": lambda: KEYS.header(iat=now - dt.timedelta(hours=2), exp=now - dt.timedelta(hours=1)),
        "other audience": lambda: KEYS.header("https://elsewhere.test/cds-services/nervetrack-recovery"),
        "other issuer": lambda: KEYS.header(issuer="https://intruder.test"),
        "forged": lambda: {"Authorization": f"Bearer {ClientKeys.generate().token()}"},
        "hs256": lambda: {"Authorization": "Bearer " + _hs256_token()},
        "no jti": lambda: {"Authorization": "Bearer " + _without_jti()},
    }
    sent = made[headers]() if isinstance(headers, str) else headers
    response = call(fhir, hook_request("p", None), sent)
    assert response.status_code == 401
    body = response.json()
    assert body["resourceType"] == "OperationOutcome" and body["issue"][0]["code"] == "login"


def _hs256_token() -> str:
    import jwt

    now = dt.datetime.now(dt.UTC)
    claims = {"iss": ISSUER, "aud": SERVICE_URL, "iat": now, "exp": now + dt.timedelta(minutes=5), "jti": "1"}
    return jwt.encode(claims, "a-shared-secret-of-enough-length-for-hs256", algorithm="HS256", headers={"kid": "ec-1"})


def _without_jti() -> str:
    import jwt

    now = dt.datetime.now(dt.UTC)
    claims = {"iss": ISSUER, "aud": SERVICE_URL, "iat": now, "exp": now + dt.timedelta(minutes=5)}
    return jwt.encode(claims, KEYS.ec_key, algorithm="ES384", headers={"kid": "ec-1"})


def test_rs384_tokens_are_accepted_too(fhir: Fhir) -> None:
    response = call(fhir, hook_request("x", {"patient": {"resourceType": "Patient"}}), KEYS.header(alg="RS384"))
    assert response.status_code == 412  # past authentication: the prefetch is missing


def test_missing_prefetch_without_a_fhir_server_is_412_with_an_operation_outcome(fhir: Fhir) -> None:
    response = call(fhir, hook_request("p-1", {"patient": {"resourceType": "Patient", "id": "p-1"}}))
    assert response.status_code == 412
    body = response.json()
    assert body["resourceType"] == "OperationOutcome" and "surgery" in body["issue"][0]["diagnostics"]
    assert medplum_issues([body]) == [[]]


def test_a_malformed_request_is_400_naming_the_field(fhir: Fhir) -> None:
    response = call(fhir, {"hook": "patient-view", "hookInstance": "1", "context": {}})
    assert response.status_code == 400
    assert "context.patientId" in response.json()["issue"][0]["diagnostics"]


def test_missing_prefetch_is_fetched_from_the_fhir_server_with_the_granted_token(
    fhir: Fhir, fhir_server: FhirServer
) -> None:
    patient = store_record(fhir.uow, fhir.actor, example(EXAMPLES[1]), acknowledge=False)
    with_prefetch = call(fhir, hook_request(patient, prefetch_of(fhir, patient))).json()
    bundle = fhir.get(f"/fhir/Patient/{patient}/$everything").json()
    puts = [
        {
            "resource": e["resource"],
            "request": {"method": "PUT", "url": f"{e['resource']['resourceType']}/{e['resource']['id']}"},
        }
        for e in bundle["entry"]
    ]
    with httpx.Client(base_url=fhir_server.base, headers=fhir_server.headers, trust_env=False) as client:
        assert (
            client.post("/", json={"resourceType": "Bundle", "type": "transaction", "entry": puts}).status_code == 200
        )
    authorization = {"access_token": fhir_server.token, "token_type": "Bearer", "expires_in": 300}
    authorization |= {"scope": "user/Patient.read user/Observation.read", "subject": "nervetrack"}
    fetched = call(fhir, hook_request(patient, None, fhirServer=fhir_server.base, fhirAuthorization=authorization))
    assert fetched.status_code == 200, fetched.text
    assert fetched.json() == with_prefetch
    refused = call(
        fhir, hook_request(patient, None, fhirServer=fhir_server.base, fhirAuthorization={"access_token": "wrong"})
    )
    assert refused.status_code == 412 and "401" in refused.json()["issue"][0]["diagnostics"]


OVERRIDDEN, ACCEPTED = "9368d37b-283f-44a0-93ea-547cebab93ed", "4e0a3a1e-3283-4575-ab82-028d55fe2719"


def test_feedback_is_stored_in_the_audit_trail(fhir: Fhir) -> None:
    body = {
        "feedback": [
            {"card": OVERRIDDEN, "outcome": "overridden", "outcomeTimestamp": "2026-01-20T10:00:00Z",
             "overrideReason": {"reason": {"code": "d7ecf885", "system": "https://ehr.test/reasons"},
                                "userComment": "seen"}},
            {"card": ACCEPTED, "outcome": "accepted", "outcomeTimestamp": "2026-01-20T10:05:00Z"},
        ]
    }  # fmt: skip
    feedback_url = SERVICE_URL + "/feedback"
    response = fhir.client.post(
        "/cds-services/nervetrack-recovery/feedback", json=body, headers=KEYS.header(feedback_url)
    )
    assert response.status_code == 200 and response.json() == {"stored": 2}
    from sqlalchemy import select

    from nervetrack.adapters.db.tables import AuditEvent

    with fhir.uow:
        events = fhir.uow.session.execute(select(AuditEvent.action, AuditEvent.entity_id, AuditEvent.actor_id)).all()
    assert ("cds.feedback.overridden:d7ecf885", OVERRIDDEN, ISSUER) in events
    assert ("cds.feedback.accepted", ACCEPTED, ISSUER) in events
    unauthenticated = fhir.client.post("/cds-services/nervetrack-recovery/feedback", json=body)
    assert unauthenticated.status_code == 401


def test_browser_ehrs_may_call_across_origins(fhir: Fhir) -> None:
    preflight = fhir.client.request(
        "OPTIONS",
        "/cds-services/nervetrack-recovery",
        headers={"Origin": "https://ehr.test", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization,content-type"},
    )  # fmt: skip
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] in ("*", "https://ehr.test")
    discovery = fhir.client.get("/cds-services", headers={"Origin": "https://ehr.test"})
    assert discovery.headers["access-control-allow-origin"] in ("*", "https://ehr.test")
    page = fhir.client.get("/healthz", headers={"Origin": "https://ehr.test"})
    assert "access-control-allow-origin" not in page.headers


def test_an_unknown_service_is_404(fhir: Fhir) -> None:
    response = fhir.client.post("/cds-services/other", json={}, headers=KEYS.header())
    assert response.status_code == 404 and response.json()["resourceType"] == "OperationOutcome"
