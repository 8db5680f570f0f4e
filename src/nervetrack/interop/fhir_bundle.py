"""A patient's whole record as FHIR resources and Bundles, and the way back: resources -> PatientRecord.

Export order: Questionnaires, Patient, Procedure, baseline, then per check-in its QuestionnaireResponse and
the Observations derived from it, the alerts (DetectedIssue, Flag), the CarePlan and the RiskAssessment.
Import reads the Patient, the surgery Procedure and the QuestionnaireResponses (Observations are derived data
and are not read back); DetectedIssues with a mitigation give the acknowledgements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from nervetrack.domain.knowledge import Knowledge
from nervetrack.domain.model import CheckIn, Patient, PatientRecord, Scores, Surgery
from nervetrack.domain.results import Assessment
from nervetrack.interop import codes
from nervetrack.interop.errors import FhirInputError
from nervetrack.interop.fhir_alerts import Acknowledged, AlertFacts, acknowledged_from, detected_issue, flag
from nervetrack.interop.fhir_observations import checkin_observations
from nervetrack.interop.fhir_patient import (
    is_surgery,
    patient_from,
    patient_reference,
    patient_resource,
    procedure_resource,
    surgery_from,
)
from nervetrack.interop.fhir_plan import care_plan, risk_assessment
from nervetrack.interop.fhir_questionnaires import checkin_questionnaire, odi_questionnaire
from nervetrack.interop.fhir_responses import (
    StoredCheckin,
    baseline_from,
    baseline_response,
    checkin_from,
    checkin_response,
    is_baseline,
)

Json = dict[str, Any]


@dataclass(frozen=True)
class PatientFacts:
    """What the exporter needs about one patient: the record, the stored check-ins and alerts, the assessment."""

    record: PatientRecord
    checkins: Sequence[StoredCheckin]
    alerts: Sequence[AlertFacts]
    assessment: Assessment


@dataclass(frozen=True)
class ImportedPatient:
    """A patient read from FHIR resources: the record parts, in date order, and acknowledged alerts."""

    patient: Patient
    surgery: Surgery
    baseline: Scores | None
    checkins: list[CheckIn]
    acknowledged: list[Acknowledged] = field(default_factory=list)

    def record(self, as_of: dt.date | None = None) -> PatientRecord:
        return PatientRecord(
            patient=self.patient,
            surgery=self.surgery,
            baseline=self.baseline,
            checkins=self.checkins,
            acknowledgements=[{"code": a.code, "date": a.acknowledged_at.date()} for a in self.acknowledged],
            as_of=as_of,
        )


def questionnaires(knowledge: Knowledge) -> list[Json]:
    return [checkin_questionnaire(knowledge), odi_questionnaire(knowledge)]


def patient_resources(facts: PatientFacts, knowledge: Knowledge) -> list[Json]:
    """Every resource NerveTrack holds about one patient (no Questionnaires)."""
    record = facts.record
    ref = patient_reference(record.patient)
    fhir_id = codes.patient_fhir_id(record.patient.id)
    resources = [patient_resource(record.patient), procedure_resource(record.patient, record.surgery)]
    if record.baseline is not None:
        resources.append(baseline_response(ref, fhir_id, record.baseline))
    for checkin in sorted(facts.checkins, key=lambda c: (c.values.date, c.id)):
        resources.append(checkin_response(ref, checkin, knowledge.odi.sections))
        resources += checkin_observations(ref, checkin, knowledge.odi)
    for alert in facts.alerts:
        resources += [detected_issue(ref, alert), flag(ref, alert)]
    resources.append(care_plan(ref, fhir_id, record.surgery, knowledge, facts.assessment.as_of))
    forecast = risk_assessment(ref, fhir_id, facts.assessment, record.surgery)
    if forecast is not None:
        resources.append(forecast)
    return resources


def searchset(resources: Sequence[Json], base_url: str) -> Json:
    """A searchset Bundle (search results, $everything) of these resources."""
    bundle: Json = {"resourceType": "Bundle", "type": "searchset", "total": len(resources)}
    if resources:  # FHIR JSON forbids empty arrays: no match is a Bundle without `entry`
        bundle["entry"] = [
            {"fullUrl": f"{base_url}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
            for r in resources
        ]
    return bundle


def transaction(resources: Iterable[Json]) -> Json:
    """A transaction Bundle that PUTs every resource under its id: loadable into any FHIR server as it is."""
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": f"urn:nervetrack:{r['resourceType']}/{r['id']}",
                "resource": r,
                "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"},
            }
            for r in resources
        ],
    }


def bundle_resources(bundle: Any) -> list[Json]:
    """The resources of a Bundle (any type), each entry's resource in order."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise FhirInputError("Bundle", "the file or body must be a FHIR Bundle")
    resources = []
    for i, entry in enumerate(bundle.get("entry") or []):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            raise FhirInputError(f"Bundle.entry[{i}].resource", "is missing")
        resources.append(resource)
    return resources


def imported_patient(resources: Sequence[Json], odi_sections: tuple[str, ...]) -> ImportedPatient:
    """The one patient these resources describe: Patient, surgery Procedure, QuestionnaireResponses."""
    patients = [r for r in resources if r.get("resourceType") == "Patient"]
    if len(patients) != 1:
        raise FhirInputError("Bundle.entry", f"must hold exactly one Patient (found {len(patients)})")
    surgeries = [r for r in resources if r.get("resourceType") == "Procedure" and is_surgery(r)]
    if not surgeries:
        raise FhirInputError("Bundle.entry", "must hold the surgery as a Procedure with a NerveTrack or SNOMED code")
    surgery = max((surgery_from(r) for r in surgeries), key=lambda s: s.date)
    responses = [r for r in resources if r.get("resourceType") == "QuestionnaireResponse"]
    baseline = next((baseline_from(r) for r in responses if is_baseline(r)), None)
    checkins = [checkin_from(r, odi_sections) for r in responses if not is_baseline(r) and _answered(r)]
    issues = [acknowledged_from(r) for r in resources if r.get("resourceType") == "DetectedIssue"]
    return ImportedPatient(
        patient=patient_from(patients[0]),
        surgery=surgery,
        baseline=baseline,
        checkins=sorted(checkins, key=lambda c: c.date),
        acknowledged=sorted((a for a in issues if a is not None), key=lambda a: a.acknowledged_at),
    )


def _answered(response: Json) -> bool:
    return response.get("status") in ("completed", "amended")
