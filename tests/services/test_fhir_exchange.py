"""FHIR exchange use cases on SQLite and PostgreSQL: a patient exported from one clinic and imported into another
is assessed the same; acknowledgements and QuestionnaireResponses come through; ids that are not FHIR ids."""

from __future__ import annotations

import datetime as dt

import pytest

from nervetrack import load_knowledge
from nervetrack.interop import codes
from nervetrack.interop.errors import FhirInputError
from nervetrack.interop.fhir_bundle import imported_patient, patient_resources, questionnaires
from nervetrack.services.alerts import acknowledge_alert
from nervetrack.services.checkins import record_checkin
from nervetrack.services.errors import NotFound
from nervetrack.services.fhir_exchange import (
    import_patient,
    patient_facts,
    patient_for_fhir_id,
    patient_for_resource,
    record_responses,
)
from nervetrack.services.patients import add_patient, current_assessment, get_patient
from nervetrack.services.unit_of_work import UnitOfWork
from tests.services.conftest import SURGERY, TODAY, Clinics, checkin_dict, patient_dict

KNOWLEDGE = load_knowledge()


def test_a_patient_moved_between_clinics_through_fhir_is_assessed_the_same(uow: UnitOfWork, clinics: Clinics) -> None:
    patient = add_patient(uow, clinics.alice, patient_dict("ward_3")).patient_id
    for day in (2, 5, 9, 14):
        record_checkin(
            uow, clinics.alice, patient, checkin_dict(day, odi=[2, 2, 3, 1, 2, 2, 1, None, 2, 3]), today=TODAY
        )
    record_checkin(uow, clinics.alice, patient, checkin_dict(15, bladder_problem=True), today=TODAY)
    alert = get_patient(uow, clinics.alice, patient, today=TODAY).alerts[0]
    acknowledge_alert(uow, clinics.alice, alert.id, "Seen in clinic, scan clear")
    resources = questionnaires(KNOWLEDGE) + patient_resources(patient_facts(uow, clinics.alice, patient), KNOWLEDGE)
    result = import_patient(uow, clinics.bob, imported_patient(resources, KNOWLEDGE.odi.sections), today=TODAY)
    assert (result.patient_id, result.checkins, result.acknowledged) == ("ward_3", 5, 1)
    before = current_assessment(uow, clinics.alice, patient, today=TODAY).model_dump(mode="json")
    after = current_assessment(uow, clinics.bob, patient, today=TODAY).model_dump(mode="json")
    assert after == before
    moved = get_patient(uow, clinics.bob, patient, today=TODAY).alerts
    assert [(a.code, a.note, a.acknowledged_at is not None) for a in moved] == [
        (alert.code, "Seen in clinic, scan clear", True)
    ]


def test_resource_ids_lead_back_to_their_patient_only_within_the_clinic(uow: UnitOfWork, clinics: Clinics) -> None:
    patient = add_patient(uow, clinics.alice, patient_dict("bed_1")).patient_id
    record_checkin(uow, clinics.alice, patient, checkin_dict(3), today=TODAY)
    fhir_id = codes.patient_fhir_id(patient)
    assert fhir_id != patient and patient_for_fhir_id(uow, clinics.alice, fhir_id) == patient
    resources = patient_resources(patient_facts(uow, clinics.alice, patient), KNOWLEDGE)
    for resource in resources:
        assert patient_for_resource(uow, clinics.alice, resource["resourceType"], resource["id"]) == patient
    with pytest.raises(NotFound):
        patient_for_resource(uow, clinics.bob, "QuestionnaireResponse", resources[2]["id"])


def test_responses_from_a_form_engine_become_check_ins(uow: UnitOfWork, clinics: Clinics) -> None:
    patient = add_patient(uow, clinics.alice, patient_dict()).patient_id
    day = (SURGERY + dt.timedelta(days=4)).isoformat()
    response = {
        "resourceType": "QuestionnaireResponse",
        "id": "form-engine-17",
        "status": "completed",
        "subject": {"reference": f"Patient/{patient}"},
        "authored": f"{day}T08:15:00Z",
        "item": [
            {"linkId": "leg_pain", "answer": [{"valueInteger": 5}]},
            {"linkId": "odi", "item": [{"linkId": "odi.walking", "answer": [{"valueCoding": {"code": "3"}}]}]},
        ],
    }
    (result,) = record_responses(uow, clinics.alice, [response], KNOWLEDGE.odi.sections, today=TODAY)
    assert result.created and result.checkin.values.date.isoformat() == day
    assert result.checkin.values.leg_pain == 5 and result.checkin.values.odi[3] == 3
    (again,) = record_responses(uow, clinics.alice, [response], KNOWLEDGE.odi.sections, today=TODAY)
    assert not again.created and again.checkin.id == result.checkin.id


def test_a_bundle_with_a_response_dated_before_the_surgery_stores_nothing(uow: UnitOfWork, clinics: Clinics) -> None:
    patient = add_patient(uow, clinics.alice, patient_dict()).patient_id

    def response(day: dt.date, response_id: str) -> dict:
        items = [{"linkId": "date", "answer": [{"valueDate": day.isoformat()}]}]
        items.append({"linkId": "leg_pain", "answer": [{"valueInteger": 4}]})
        subject = {"reference": f"Patient/{patient}"}
        return {
            "resourceType": "QuestionnaireResponse",
            "id": response_id,
            "status": "completed",
            "subject": subject,
            "item": items,
        }

    good, early = response(SURGERY + dt.timedelta(days=2), "a"), response(SURGERY - dt.timedelta(days=2), "b")
    with pytest.raises(FhirInputError) as raised:
        record_responses(uow, clinics.alice, [good, early], KNOWLEDGE.odi.sections, today=TODAY)
    assert raised.value.where.startswith("Bundle.entry[1]") and "date" in raised.value.where
    assert get_patient(uow, clinics.alice, patient, today=TODAY).checkins == []
