"""FHIR exchange end to end: /fhir routes on SQLite, the CLI round trip into an empty database, and a real FHIR
server (Medplum) loaded with an export and queried with the CDS service's prefetch templates."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from nervetrack.cli import app as cli
from nervetrack.interop.fhir_validation import validated
from nervetrack.services.patients import current_assessment
from nervetrack.services.views import Actor
from tests.interop.conftest import FhirServer
from tests.interop.support import EXAMPLES, Fhir, example, make_fhir, medplum_issues, store_record


@pytest.fixture
def fhir(tmp_path: Path) -> Iterator[Fhir]:
    yield from make_fhir(tmp_path)


@pytest.fixture
def emergency(fhir: Fhir) -> str:
    return store_record(fhir.uow, fhir.actor, example(EXAMPLES[1]))


def everything(fhir: Fhir, patient_id: str) -> list[dict[str, Any]]:
    response = fhir.get(f"/fhir/Patient/{patient_id}/$everything")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    return [entry["resource"] for entry in response.json()["entry"]]


def test_metadata_is_a_capability_statement_for_fhir_4_0_1(fhir: Fhir) -> None:
    body = fhir.client.get("/fhir/metadata").json()
    assert (body["resourceType"], body["fhirVersion"], body["kind"]) == ("CapabilityStatement", "4.0.1", "instance")
    assert medplum_issues([body]) == [[]]
    assert validated(body) == body


def test_behind_a_proxy_the_configured_public_address_is_the_fhir_base(tmp_path: Path) -> None:
    for proxied in make_fhir(tmp_path, public_url="https://spine.example.org/nervetrack"):
        patient = store_record(proxied.uow, proxied.actor, example(EXAMPLES[1]))
        base = "https://spine.example.org/nervetrack/fhir"
        assert proxied.client.get("/fhir/metadata").json()["implementation"]["url"] == base
        entries = proxied.get(f"/fhir/Patient/{patient}/$everything").json()["entry"]
        assert entries and all(e["fullUrl"].startswith(base + "/") for e in entries)


def test_everything_holds_the_record_and_every_resource_reads_back_by_id(fhir: Fhir, emergency: str) -> None:
    resources = everything(fhir, emergency)
    kinds = {r["resourceType"] for r in resources}
    assert {"Patient", "Procedure", "QuestionnaireResponse", "Observation", "DetectedIssue", "Flag"} <= kinds
    for resource in resources:
        assert fhir.get(f"/fhir/{resource['resourceType']}/{resource['id']}").json() == resource
    assert all(issues == [] for issues in medplum_issues(resources))


def test_search_by_patient_returns_only_that_kind_of_resource(fhir: Fhir, emergency: str) -> None:
    bundle = fhir.get("/fhir/Observation", params={"patient": emergency, "code": "http://loinc.org|72514-3"}).json()
    assert bundle["type"] == "searchset" and bundle["total"] == len(bundle["entry"]) > 0
    assert {e["resource"]["code"]["coding"][0]["code"] for e in bundle["entry"]} == {"72514-3"}
    every = fhir.get("/fhir/Flag", params={"subject": f"Patient/{emergency}"}).json()["total"]
    closed = fhir.get("/fhir/Flag", params={"subject": f"Patient/{emergency}", "status": "inactive"}).json()
    assert closed["total"] == 1 <= every  # store_record acknowledged one alert
    assert closed["entry"][0]["resource"]["period"]["end"]


def test_a_search_without_matches_is_a_bundle_without_entries(fhir: Fhir, emergency: str) -> None:
    bundle = fhir.get("/fhir/Observation", params={"patient": emergency, "code": "http://loinc.org|0000-0"}).json()
    assert bundle == {"resourceType": "Bundle", "type": "searchset", "total": 0}  # FHIR JSON has no empty arrays
    assert medplum_issues([bundle]) == [[]]


@pytest.mark.parametrize(
    ("path", "token", "status", "code"),
    [
        ("/fhir/Patient/p-002/$everything", "", 401, "login"),
        ("/fhir/Patient/p-002", "b", 404, "not-found"),
        ("/fhir/Observation?patient=p-002", "b", 404, "not-found"),
        ("/fhir/Observation", "a", 400, "invalid"),
        ("/fhir/Observation?colour=red&patient=p-002", "a", 400, "invalid"),
        ("/fhir/Medication/1", "a", 400, "invalid"),
        ("/fhir/Observation/checkin-999-leg-pain", "a", 404, "not-found"),
        ("/fhir/no/such/route/here", "a", 404, "not-found"),
    ],
)
def test_every_error_is_an_operation_outcome(
    fhir: Fhir, emergency: str, path: str, token: str, status: int, code: str
) -> None:
    headers = {"Authorization": f"Bearer {fhir.token_b if token == 'b' else fhir.token_a}"} if token else {}
    response = fhir.client.get(path, headers=headers)
    assert response.status_code == status
    body = response.json()
    assert body["resourceType"] == "OperationOutcome" and body["issue"][0]["code"] == code
    assert medplum_issues([body]) == [[]]


def response_for(patient_id: str, day: dt.date, response_id: str, **answers: Any) -> dict[str, Any]:
    kinds = {int: "valueInteger", bool: "valueBoolean", float: "valueDecimal"}
    items = [{"linkId": "date", "answer": [{"valueDate": day.isoformat()}]}]
    items += [{"linkId": k, "answer": [{kinds[type(v)]: v}]} for k, v in answers.items()]
    return {
        "resourceType": "QuestionnaireResponse",
        "id": response_id,
        "questionnaire": "https://nervetrack.example/fhir/Questionnaire/nervetrack-checkin|1",
        "status": "completed",
        "subject": {"reference": f"Patient/{patient_id}"},
        "item": items,
    }


def transaction_of(*responses: dict[str, Any]) -> dict[str, Any]:
    entries = [{"resource": r, "request": {"method": "POST", "url": "QuestionnaireResponse"}} for r in responses]
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


def test_a_transaction_of_responses_becomes_check_ins_assessed_like_any_other(fhir: Fhir) -> None:
    data = example(EXAMPLES[0]) | {"checkins": []}
    patient = store_record(fhir.uow, fhir.actor, data)
    day = dt.date.fromisoformat(data["surgery"]["date"]) + dt.timedelta(days=3)
    bundle = transaction_of(
        response_for(patient, day, "ehr-1", leg_pain=4, back_pain=3),
        response_for(patient, day + dt.timedelta(days=1), "ehr-2", leg_pain=3, bladder_problem=True),
    )
    response = fhir.post("/fhir", bundle)
    assert response.status_code == 200, response.text
    entries = response.json()["entry"]
    assert [e["response"]["status"] for e in entries] == ["201 Created", "201 Created"]
    assert "triage emergency" in entries[1]["response"]["outcome"]["issue"][0]["diagnostics"]
    issues = fhir.get("/fhir/DetectedIssue", params={"patient": patient}).json()
    assert any(e["resource"]["code"]["coding"][0]["code"] == "cauda_equina" for e in issues["entry"])
    again = fhir.post("/fhir", bundle).json()["entry"]
    assert [e["response"]["status"] for e in again] == ["200 OK", "200 OK"]
    assert len(fhir.get("/fhir/QuestionnaireResponse", params={"patient": patient}).json()["entry"]) == 3


def test_a_transaction_with_one_bad_response_stores_none_of_it(fhir: Fhir) -> None:
    data = example(EXAMPLES[0]) | {"checkins": []}
    patient = store_record(fhir.uow, fhir.actor, data)
    day = dt.date.fromisoformat(data["surgery"]["date"]) + dt.timedelta(days=3)
    bundle = transaction_of(
        response_for(patient, day, "ok-1", leg_pain=4), response_for(patient, day, "bad", leg_pain=12)
    )
    response = fhir.post("/fhir", bundle)
    assert response.status_code == 400
    issue = response.json()["issue"][0]
    assert "Bundle.entry[1]" in issue["expression"][0] and "leg_pain" in issue["expression"][0]
    assert fhir.get("/fhir/QuestionnaireResponse", params={"patient": patient}).json()["total"] == 1  # baseline


def test_export_then_import_into_an_empty_database_gives_the_same_assessment(tmp_path: Path) -> None:
    runner = CliRunner()
    for db in ("one", "two"):
        assert runner.invoke(cli, ["clinic", "create", "Clinic", "--data-dir", str(tmp_path / db)]).exit_code == 0
    from nervetrack.adapters.db.engine import make_engine, make_session_factory
    from nervetrack.config import Settings
    from nervetrack.services.unit_of_work import UnitOfWork

    def uow(db: str) -> UnitOfWork:
        return UnitOfWork(make_session_factory(make_engine(Settings(data_dir=tmp_path / db))))

    for path in EXAMPLES:
        patient = store_record(uow("one"), Actor.system(1), example(path))
        exported = runner.invoke(cli, ["fhir", "export", patient, "--data-dir", str(tmp_path / "one")])
        assert exported.exit_code == 0, exported.output
        bundle = tmp_path / f"{patient}.json"
        bundle.write_text(exported.stdout, encoding="utf-8")
        imported = runner.invoke(cli, ["fhir", "import", str(bundle), "--data-dir", str(tmp_path / "two")])
        assert imported.exit_code == 0, imported.output
        before = current_assessment(uow("one"), Actor.system(1), patient).model_dump(mode="json")
        after = current_assessment(uow("two"), Actor.system(1), patient).model_dump(mode="json")
        assert after == before, path.name
        assert any(s["forecast"] for s in before["symptoms"]) or not example(path)["checkins"]


def test_import_refuses_a_bundle_it_cannot_read_with_exit_code_2(tmp_path: Path) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["clinic", "create", "Clinic", "--data-dir", str(tmp_path)])
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": []}), encoding="utf-8")
    result = runner.invoke(cli, ["fhir", "import", str(bad), "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "exactly one Patient" in result.output


def test_an_export_loads_into_a_real_fhir_server_and_answers_the_prefetch_queries(
    fhir: Fhir, emergency: str, fhir_server: FhirServer
) -> None:
    from nervetrack.interop.cds_hooks import PREFETCH

    bundle = fhir.get(f"/fhir/Patient/{emergency}/$everything").json()
    puts = [
        {
            "resource": e["resource"],
            "request": {"method": "PUT", "url": f"{e['resource']['resourceType']}/{e['resource']['id']}"},
        }
        for e in bundle["entry"]
    ]
    with httpx.Client(base_url=fhir_server.base, headers=fhir_server.headers, trust_env=False, timeout=30) as client:
        loaded = client.post("/", json={"resourceType": "Bundle", "type": "transaction", "entry": puts})
        assert loaded.status_code == 200, loaded.text
        assert all(e["response"]["status"].startswith("20") for e in loaded.json()["entry"])
        for key, template in PREFETCH.items():
            found = client.get("/" + template.replace("{{context.patientId}}", emergency)).json()
            expected = {"patient": "Patient", "surgery": "Bundle", "responses": "Bundle", "observations": "Bundle"}
            assert found["resourceType"] == expected[key], key
            if found["resourceType"] == "Bundle":
                assert found.get("entry"), key


def test_a_patient_whose_id_is_not_a_fhir_id_is_read_by_its_digest_id(fhir: Fhir) -> None:
    data = example(EXAMPLES[0])
    data["patient"]["id"] = "ward_7_bed_2"
    store_record(fhir.uow, fhir.actor, data)
    found = fhir.get("/fhir/Patient", params={"identifier": "ward_7_bed_2"}).json()["entry"][0]["resource"]
    assert found["id"].startswith("nt-") and found["identifier"][0]["value"] == "ward_7_bed_2"
    assert fhir.get(f"/fhir/Patient/{found['id']}").json() == found
    assert fhir.get(f"/fhir/Patient/{found['id']}/$everything").status_code == 200
