"""The pure FHIR mapping, both ways, on every bundled example and the demo patients; both validators."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from nervetrack import assess, load_knowledge, parse_record
from nervetrack.demo import demo_records
from nervetrack.domain.model import PatientRecord, TriageLevel
from nervetrack.interop import codes
from nervetrack.interop.errors import FhirInputError
from nervetrack.interop.fhir_alerts import AlertFacts
from nervetrack.interop.fhir_bundle import PatientFacts, imported_patient, patient_resources, questionnaires
from nervetrack.interop.fhir_responses import StoredCheckin, checkin_from
from nervetrack.interop.fhir_validation import validated
from tests.interop.support import EXAMPLES, example, medplum_issues

KNOWLEDGE = load_knowledge()
RAISED = dt.datetime(2026, 1, 2, 9, 30, tzinfo=dt.UTC)
KINDS = {
    "Questionnaire", "Patient", "Procedure", "QuestionnaireResponse", "Observation", "DetectedIssue", "Flag",
    "CarePlan", "RiskAssessment",
}  # fmt: skip


def facts_of(record: PatientRecord) -> PatientFacts:
    """Stored check-ins numbered in date order, and one alert per flag above routine (the first acknowledged)."""
    assessment = assess(record, KNOWLEDGE)
    checkins = [StoredCheckin(i + 1, c, RAISED) for i, c in enumerate(record.ordered_checkins())]
    raised = [f for f in assessment.flags if f.level is not TriageLevel.ROUTINE]
    alerts = [
        AlertFacts(i + 1, f.code, f.level, f.message, f.evidence, RAISED, len(checkins)) for i, f in enumerate(raised)
    ]
    if alerts:
        first = alerts[0]
        alerts[0] = AlertFacts(**{**first.__dict__, "acknowledged_at": RAISED, "acknowledged_by": "Dr Test"})
    return PatientFacts(record, checkins, alerts, assessment)


def all_records() -> list[PatientRecord]:
    return [parse_record(example(path)) for path in EXAMPLES] + demo_records(dt.date(2026, 3, 1))


@pytest.fixture(scope="module")
def exported() -> list[tuple[PatientRecord, list[dict[str, Any]]]]:
    return [(r, questionnaires(KNOWLEDGE) + patient_resources(facts_of(r), KNOWLEDGE)) for r in all_records()]


def test_the_exports_cover_every_resource_kind_of_the_issue(exported: list[Any]) -> None:
    kinds = {resource["resourceType"] for _record, resources in exported for resource in resources}
    assert kinds == KINDS


def test_every_exported_resource_validates_with_fhir_resources(exported: list[Any]) -> None:
    for _record, resources in exported:
        for resource in resources:
            assert validated(resource) == resource


def test_every_exported_resource_validates_with_medplum(exported: list[Any]) -> None:
    resources = [resource for _record, rs in exported for resource in rs]
    issues = medplum_issues(resources)
    failing = [(r["resourceType"], r["id"], i) for r, i in zip(resources, issues, strict=True) if i]
    assert failing == []
    assert len(issues) == len(resources) > 500


def test_medplum_catches_what_it_should(exported: list[Any]) -> None:
    """The second validator is not a rubber stamp: a broken resource of each kind is refused."""
    broken = []
    for resource in {r["resourceType"]: r for _rec, rs in exported for r in rs}.values():
        broken.append({**resource, "status": None} if "status" in resource else {**resource, "gender": 7})
        broken.append({**resource, "inventedElement": True})
    assert all(issues for issues in medplum_issues(broken))


def test_importing_an_export_gives_the_same_record_and_assessment(exported: list[Any]) -> None:
    for record, resources in exported:
        back = imported_patient(resources, KNOWLEDGE.odi.sections).record(as_of=record.as_of)
        assert back.model_dump(exclude={"acknowledgements"}) == record.model_dump(exclude={"acknowledgements"})
        again = assess(back.model_copy(update={"acknowledgements": record.acknowledgements}), KNOWLEDGE)
        assert again.model_dump(mode="json") == assess(record, KNOWLEDGE).model_dump(mode="json")


def test_the_surgery_carries_verified_snomed_codes_and_a_local_code_otherwise() -> None:
    for procedure, snomed in (("laminectomy", "387731002"), ("microdiscectomy", "178625001"), ("fusion", None)):
        data = example(EXAMPLES[0]) | {"surgery": {"date": "2026-01-01", "procedure": procedure}}
        resources = patient_resources(facts_of(parse_record(data)), KNOWLEDGE)
        coding = next(r for r in resources if r["resourceType"] == "Procedure")["code"]["coding"]
        systems = {c["system"]: c["code"] for c in coding}
        assert systems.get(codes.SNOMED) == snomed
        assert systems[codes.CS_PROCEDURE] == procedure


def test_pain_observations_name_leg_or_back_and_derive_from_the_response(exported: list[Any]) -> None:
    observations = [r for _rec, rs in exported for r in rs if r["resourceType"] == "Observation"]
    pain = [o for o in observations if o["code"]["coding"][0]["code"] == "72514-3"]
    sites = {o["bodySite"]["coding"][0]["code"] for o in pain}
    assert sites == {"61685007", "77568009"}
    assert all(o["derivedFrom"][0]["reference"].startswith("QuestionnaireResponse/checkin-") for o in observations)
    temperatures = [o for o in observations if o["code"]["coding"][0]["code"] == "8310-5"]
    assert temperatures and all(o["valueQuantity"]["code"] == "Cel" for o in temperatures)
    odi = [o for o in observations if o["code"]["coding"][0]["code"] == "97909-6"]
    assert odi and all(0 <= o["valueQuantity"]["value"] <= 100 for o in odi)


def test_the_odi_questionnaire_weights_answers_0_to_5_without_the_licensed_statements() -> None:
    odi = questionnaires(KNOWLEDGE)[1]
    assert len(odi["item"]) == 10
    for item, ends in zip(odi["item"], KNOWLEDGE.odi.section_ends, strict=True):
        weights = [o["extension"][0]["valueDecimal"] for o in item["answerOption"]]
        assert weights == [0, 1, 2, 3, 4, 5]
        assert item["answerOption"][0]["valueCoding"]["display"] == f"0 - {ends[0]}"
        assert item["answerOption"][5]["valueCoding"]["display"] == f"5 - {ends[1]}"


def test_an_acknowledged_alert_is_a_mitigation_and_its_flag_is_no_longer_active(exported: list[Any]) -> None:
    issues = [r for _rec, rs in exported for r in rs if r["resourceType"] == "DetectedIssue"]
    flags = {r["id"]: r for _rec, rs in exported for r in rs if r["resourceType"] == "Flag"}
    acknowledged = [i for i in issues if "mitigation" in i]
    assert acknowledged and all(flags[i["id"]]["status"] == "inactive" for i in acknowledged)
    assert all(flags[i["id"]]["status"] == "active" for i in issues if "mitigation" not in i)


@pytest.mark.parametrize(
    ("item", "where"),
    [
        ({"linkId": "leg_pain", "answer": [{"valueInteger": 11}]}, "leg_pain"),
        ({"linkId": "odi.lifting", "answer": [{"valueCoding": {"code": "6"}}]}, "odi"),
        ({"linkId": "favourite_colour", "answer": [{"valueString": "blue"}]}, "favourite_colour"),
    ],
)
def test_a_response_nerve_track_cannot_read_is_refused_naming_the_item(item: dict[str, Any], where: str) -> None:
    response = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "item": [{"linkId": "date", "answer": [{"valueDate": "2026-01-05"}]}, item],
    }
    with pytest.raises(FhirInputError) as raised:
        checkin_from(response, KNOWLEDGE.odi.sections)
    assert where in raised.value.where


def empty_parts(value: Any, where: str) -> list[str]:
    """Where a JSON value holds null, "", [] or {} (FHIR JSON allows none of them, R4 json.html)."""
    if value in (None, "", [], {}):
        return [where]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in empty_parts(item, f"{where}.{key}")]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in empty_parts(item, f"{where}[{i}]")]
    return []


def test_no_exported_resource_holds_a_null_or_an_empty_string_array_or_object(exported: list[Any]) -> None:
    resources = [resource for _record, rs in exported for resource in rs]
    assert [p for r in resources for p in empty_parts(r, f"{r['resourceType']}/{r['id']}")] == []
