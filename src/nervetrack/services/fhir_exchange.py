"""FHIR exchange use cases: a patient's record as FHIR facts, FHIR ids -> patients, importing a patient bundle
and recording QuestionnaireResponses as check-ins (assessed and alerted like any other check-in).

Every read goes through get_patient (audited `patient.read`), every write through add_patient and
record_checkin, so access rules, validation and alerts are the REST API's own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nervetrack.adapters.db.tables import Alert, Checkin, Patient
from nervetrack.domain.errors import InvalidInput
from nervetrack.domain.model import CheckIn, PatientRecord
from nervetrack.domain.validation import parse_record
from nervetrack.interop import codes
from nervetrack.interop.errors import FhirInputError
from nervetrack.interop.fhir_alerts import Acknowledged, AlertFacts
from nervetrack.interop.fhir_bundle import ImportedPatient, PatientFacts
from nervetrack.interop.fhir_responses import StoredCheckin, checkin_from
from nervetrack.services import clock
from nervetrack.services.access import clinic_of, patient_row
from nervetrack.services.audit import record_event
from nervetrack.services.checkins import record_checkin, refresh_open_alert_rank, validate_checkin
from nervetrack.services.errors import NotFound
from nervetrack.services.patients import add_patient, get_patient
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor, AlertView, CheckinResult

_BY_CHECKIN = re.compile(r"^checkin-(\d+)(-[a-z-]+)?$")
_BY_ALERT = re.compile(r"^alert-(\d+)$")
_BY_PATIENT = re.compile(r"^(?:surgery|recovery|forecast|baseline)-(.+)$")


@dataclass(frozen=True)
class ImportResult:
    patient_id: str
    checkins: int
    acknowledged: int


def patient_facts(uow: UnitOfWork, actor: Actor, patient_id: str, *, today: dt.date | None = None) -> PatientFacts:
    """Everything the FHIR exporter needs about one patient (read and audited as `patient.read`)."""
    detail = get_patient(uow, actor, patient_id, today=today)
    checkins = [StoredCheckin(c.id, c.values, c.submitted_at) for c in detail.checkins]
    alerts = [_alert_facts(a) for a in sorted(detail.alerts, key=lambda a: (a.raised_at, a.id))]
    return PatientFacts(record=detail.record, checkins=checkins, alerts=alerts, assessment=detail.assessment)


def patient_for_fhir_id(uow: UnitOfWork, actor: Actor, fhir_id: str) -> str:
    """The NerveTrack id of the actor's patient with this FHIR id; NotFound otherwise."""
    clinic = clinic_of(actor)
    with uow:
        refs = uow.session.scalars(
            select(Patient.ref).where(Patient.clinic_id == clinic, Patient.ref == fhir_id)
        ).all() or [
            ref
            for ref in uow.session.scalars(
                select(Patient.ref).where(Patient.clinic_id == clinic, Patient.ref.contains("_", autoescape=True))
            )
            if codes.patient_fhir_id(ref) == fhir_id
        ]
    if not refs:
        raise NotFound(f"no Patient/{fhir_id} in this clinic")
    return refs[0]


def patient_for_resource(uow: UnitOfWork, actor: Actor, kind: str, resource_id: str) -> str:
    """The NerveTrack id of the patient a resource id belongs to (ids name their check-in, alert or patient)."""
    if kind == "Patient":
        return patient_for_fhir_id(uow, actor, resource_id)
    by_patient = _BY_PATIENT.match(resource_id)
    if by_patient:
        return patient_for_fhir_id(uow, actor, by_patient.group(1))
    row_id, table = _row_of(resource_id)
    clinic = clinic_of(actor)
    with uow:
        ref = uow.session.scalar(
            select(Patient.ref)
            .join(table, table.patient_id == Patient.id)
            .where(table.id == row_id, Patient.clinic_id == clinic)
        )
    if ref is None:
        raise NotFound(f"no {kind}/{resource_id} in this clinic")
    return ref


def patient_ids(uow: UnitOfWork, actor: Actor) -> list[str]:
    """The NerveTrack ids of the actor's clinic's patients, in the order they were added."""
    clinic = clinic_of(actor)
    with uow:
        return list(uow.session.scalars(select(Patient.ref).where(Patient.clinic_id == clinic).order_by(Patient.id)))


def import_patient(
    uow: UnitOfWork, actor: Actor, imported: ImportedPatient, *, today: dt.date | None = None
) -> ImportResult:
    """Add a patient read from FHIR, record their check-ins in date order (each assessed and alerted as when
    it was submitted) and carry over the acknowledgements. Everything is validated before anything is stored."""
    day = today or clock.today()
    record = imported.record(as_of=day)
    _check_record(record)
    base = {k: v for k, v in record.model_dump(mode="json").items() if k in ("patient", "surgery", "baseline")}
    summary = add_patient(uow, actor, base)
    for i, checkin in enumerate(imported.checkins):
        data = checkin.model_dump(mode="json", exclude_none=True)
        record_checkin(uow, actor, summary.patient_id, data, idempotency_key=f"fhir-import-{i}", today=day)
    with uow:
        patient = patient_row(uow.session, actor, summary.patient_id)
        for acknowledged in imported.acknowledged:
            _acknowledge(uow.session, patient, acknowledged)
        refresh_open_alert_rank(uow.session, patient)
        record_event(uow.session, actor, "patient.import", "patient", patient.id)
        uow.commit()
    return ImportResult(summary.patient_id, len(imported.checkins), len(imported.acknowledged))


def record_responses(
    uow: UnitOfWork,
    actor: Actor,
    responses: Sequence[dict[str, Any]],
    odi_sections: tuple[str, ...],
    *,
    today: dt.date | None = None,
) -> list[CheckinResult]:
    """Record QuestionnaireResponses as check-ins of the patients they are about. All are read and checked
    first; a response sent again (same id) returns its earlier check-in instead of a second one."""
    day = today or clock.today()
    parsed = [_response_checkin(uow, actor, r, i, odi_sections, day) for i, r in enumerate(responses)]
    return [
        record_checkin(
            uow, actor, ref, values.model_dump(mode="json", exclude_none=True), idempotency_key=key, today=day
        )
        for ref, values, key in parsed
    ]


def _response_checkin(
    uow: UnitOfWork, actor: Actor, response: dict[str, Any], i: int, odi_sections: tuple[str, ...], day: dt.date
) -> tuple[str, CheckIn, str | None]:
    where = f"Bundle.entry[{i}].resource"
    reference = str((response.get("subject") or {}).get("reference") or "")
    if not reference.startswith("Patient/"):
        raise FhirInputError(f"{where}.subject", "must reference the Patient (Patient/<id>)")
    ref = patient_for_fhir_id(uow, actor, reference.removeprefix("Patient/"))
    try:
        values = checkin_from(response, odi_sections)
    except FhirInputError as error:
        raise FhirInputError(f"{where}.{error.where.removeprefix('QuestionnaireResponse.')}", error.message) from None
    try:
        with uow:
            validate_checkin(patient_row(uow.session, actor, ref), values.model_dump(mode="json"), day)
    except InvalidInput as error:
        problem = error.problems[0]
        raise FhirInputError(f"{where}.item.where(linkId='{problem.path or 'date'}')", problem.message) from None
    key = response.get("id") or next((x.get("value") for x in response.get("identifier") or [] if x), None)
    return ref, values, f"fhir-{key}" if key else None


def _check_record(record: PatientRecord) -> None:
    try:
        parse_record(record.model_dump(mode="json"))
    except InvalidInput as error:
        problem = error.problems[0]
        raise FhirInputError(problem.path or "Bundle", problem.message) from None


def _acknowledge(session: Session, patient: Patient, acknowledged: Acknowledged) -> None:
    """Close the open alert with this code as the source system closed it, or keep the closed alert as it was
    when no open one matches (it was raised again after an earlier acknowledgement)."""
    alert = session.scalars(
        select(Alert)
        .where(Alert.patient_id == patient.id, Alert.code == acknowledged.code, Alert.acknowledged_at.is_(None))
        .order_by(Alert.raised_at, Alert.id)
    ).first()
    if alert is None:
        checkin = session.scalars(
            select(Checkin.id).where(Checkin.patient_id == patient.id).order_by(Checkin.date.desc(), Checkin.id.desc())
        ).first()
        if checkin is None:
            return
        alert = Alert(
            patient_id=patient.id,
            checkin_id=checkin,
            code=acknowledged.code,
            level=acknowledged.level.value,
            message=acknowledged.message,
            evidence=acknowledged.evidence,
            raised_at=acknowledged.raised_at,
        )
        session.add(alert)
    alert.acknowledged_at = acknowledged.acknowledged_at
    alert.acknowledged_by_name = acknowledged.acknowledged_by or "imported"
    alert.note = acknowledged.note
    session.flush()


def _row_of(resource_id: str) -> tuple[int, Any]:
    by_checkin = _BY_CHECKIN.match(resource_id)
    if by_checkin:
        return int(by_checkin.group(1)), Checkin
    by_alert = _BY_ALERT.match(resource_id)
    if by_alert:
        return int(by_alert.group(1)), Alert
    raise NotFound(f"no resource with id {resource_id!r}")


def _alert_facts(alert: AlertView) -> AlertFacts:
    return AlertFacts(
        id=alert.id,
        code=alert.code,
        level=alert.level,
        message=alert.message,
        evidence=alert.evidence,
        raised_at=alert.raised_at,
        checkin_id=alert.checkin_id,
        acknowledged_at=alert.acknowledged_at,
        acknowledged_by=alert.acknowledged_by,
        note=alert.note,
    )
