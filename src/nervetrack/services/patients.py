"""Patients: add one with their surgery, read the full record and current assessment, export it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nervetrack.adapters.db.tables import Alert, Checkin, Clinic, Patient, PatientLink, Surgery
from nervetrack.domain.assess import assess
from nervetrack.domain.errors import InvalidInput, Problem
from nervetrack.domain.model import PatientRecord, TriageLevel
from nervetrack.domain.results import Assessment
from nervetrack.domain.validation import parse_record
from nervetrack.knowledge import load_knowledge
from nervetrack.services import clock
from nervetrack.services.access import clinic_of, patient_row
from nervetrack.services.audit import record_event
from nervetrack.services.errors import Conflict
from nervetrack.services.records import alert_view, checkin_view, clinic_view, record_of
from nervetrack.services.schedules import refresh_overdue
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor, AlertView, PatientDetail, PatientSummary

EXPORT_FORMAT = "nervetrack-patient-export/1"
MAX_LEVELS = 6  # a lumbar fusion spans at most a few levels; a longer list is a mistake, not a patient


def add_patient(uow: UnitOfWork, actor: Actor, data: Mapping[str, Any]) -> PatientSummary:
    """Add a patient and their surgery from an input-contract dict (patient, surgery, optional baseline),
    with the patient's phone number in an optional `contact` object outside the contract ({"phone": ...}).

    Check-ins in `data` are not stored here; submit them with record_checkin. Raises InvalidInput
    (problems name the field, e.g. `surgery.date`) or Conflict if the clinic already has that patient id.
    """
    clinic_id = clinic_of(actor)
    if isinstance(data, Mapping) and data.get("checkins"):
        raise InvalidInput([Problem("checkins", "must be empty here; submit check-ins one by one")])
    surgery = data.get("surgery") if isinstance(data, Mapping) else None
    levels = surgery.get("levels") if isinstance(surgery, Mapping) else None
    if isinstance(levels, list) and len(levels) > MAX_LEVELS:
        raise InvalidInput([Problem("surgery.levels", f"must list at most {MAX_LEVELS} levels")])
    phone = _phone(data.get("contact") if isinstance(data, Mapping) else None)
    contract = {k: v for k, v in data.items() if k != "contact"} if isinstance(data, Mapping) else data
    record = parse_record(contract)
    with uow:
        session = uow.session
        exists = session.scalar(
            select(Patient.id).where(Patient.clinic_id == clinic_id, Patient.ref == record.patient.id)
        )
        if exists is not None:
            raise Conflict(f"patient {record.patient.id!r} already exists in this clinic")
        patient = _patient_from(record.model_dump(mode="json"), clinic_id)
        patient.phone = phone
        session.add(patient)
        session.flush()
        refresh_overdue(session, patient)
        record_event(session, actor, "patient.create", "patient", patient.id)
        uow.commit()
        return summary_of(patient)


def get_patient(
    uow: UnitOfWork,
    actor: Actor,
    patient_id: str,
    *,
    today: dt.date | None = None,
    checkins_limit: int | None = None,
    checkins_offset: int = 0,
) -> PatientDetail:
    """Read one patient in full: record, check-ins (oldest first), alerts (newest first), assessment.

    With `checkins_limit` only that many check-ins are returned (in the list and in the record), counted from
    the newest after skipping `checkins_offset`; the assessment is made on the whole history either way.
    """
    with uow:
        session = uow.session
        patient = patient_row(session, actor, patient_id)
        checkins = _checkins(session, patient)
        alerts = session.scalars(
            select(Alert).where(Alert.patient_id == patient.id).order_by(Alert.raised_at.desc(), Alert.id.desc())
        ).all()
        linked = session.scalar(
            select(PatientLink.id).where(PatientLink.patient_id == patient.id, PatientLink.revoked_at.is_(None))
        )
        record = record_of(patient, checkins, None, alerts)
        shown = _page(checkins, checkins_limit, checkins_offset)
        detail = PatientDetail(
            record=record if len(shown) == len(checkins) else record_of(patient, shown, None, alerts),
            checkins=[checkin_view(patient, c) for c in shown],
            alerts=[alert_view(patient, a) for a in alerts],
            assessment=_assess_now(record, today),
            has_active_link=linked is not None,
            clinic=clinic_view(session.get_one(Clinic, patient.clinic_id)),
            phone=patient.phone,
            checkins_total=len(checkins),
            checkins_limit=checkins_limit,
            checkins_offset=checkins_offset,
        )
        record_event(session, actor, "patient.read", "patient", patient.id)
        uow.commit()
        return detail


def _page(checkins: list[Checkin], limit: int | None, offset: int) -> list[Checkin]:
    """The check-ins of one page, oldest first, counting the pages from the newest."""
    if limit is None:
        return checkins
    end = max(len(checkins) - max(offset, 0), 0)
    return checkins[max(end - limit, 0) : end]


def current_assessment(uow: UnitOfWork, actor: Actor, patient_id: str, *, today: dt.date | None = None) -> Assessment:
    """Assess the patient now (as of `today`, or their last check-in if that is later)."""
    with uow:
        session = uow.session
        patient = patient_row(session, actor, patient_id)
        record = record_of(patient, _checkins(session, patient), None, acknowledged_alerts(session, patient))
        record_event(session, actor, "assessment.read", "patient", patient.id)
        uow.commit()
        return _assess_now(record, today)


def export_patient(uow: UnitOfWork, actor: Actor, patient_id: str, *, today: dt.date | None = None) -> dict[str, Any]:
    """Everything stored about one patient as a JSON-ready dict (record, check-ins, alerts, assessment)."""
    detail = get_patient(uow, actor, patient_id, today=today)
    with uow:
        patient = patient_row(uow.session, actor, patient_id)
        record_event(uow.session, actor, "patient.export", "patient", patient.id)
        uow.commit()
    return {
        "format": EXPORT_FORMAT,
        "exported_at": clock.now().isoformat(),
        "record": detail.record.model_dump(mode="json"),
        "checkins": [
            {
                "id": c.id,
                "submitted_at": c.submitted_at.isoformat(),
                "triage_level": c.triage_level.value,
                **c.values.model_dump(mode="json"),
            }
            for c in detail.checkins
        ],
        "alerts": [_alert_json(a) for a in detail.alerts],
        "assessment": detail.assessment.model_dump(mode="json"),
    }


def summary_of(patient: Patient) -> PatientSummary:
    """The short view of a stored patient."""
    return PatientSummary(
        patient_id=patient.ref,
        clinic_id=patient.clinic_id,
        procedure=patient.surgery.procedure,
        surgery_date=patient.surgery.date,
        current_level=TriageLevel(patient.current_level) if patient.current_level else None,
        last_checkin_date=patient.last_checkin_date,
    )


def _patient_from(data: dict[str, Any], clinic_id: int) -> Patient:
    person, surgery = data["patient"], data["surgery"]
    return Patient(
        clinic_id=clinic_id,
        ref=person["id"],
        birth_year=person["birth_year"],
        sex=person["sex"],
        diabetes=person["diabetes"],
        peripheral_neuropathy=person["peripheral_neuropathy"],
        smoker=person["smoker"],
        baseline=data.get("baseline"),
        created_at=clock.now(),
        open_alert_rank=0,
        surgery=Surgery(
            date=dt.date.fromisoformat(surgery["date"]),
            procedure=surgery["procedure"],
            approach=surgery["approach"],
            levels=surgery["levels"],
            symptom_duration_weeks=surgery["symptom_duration_weeks"],
            dural_tear=surgery.get("dural_tear"),
        ),
    )


PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]{3,38}$")


def _phone(contact: Any) -> str | None:
    """The patient's phone number from the optional `contact` object, checked; None without one."""
    if contact is None:
        return None
    if not isinstance(contact, Mapping) or set(contact) - {"phone"}:
        raise InvalidInput([Problem("contact", 'must be an object with only "phone"')])
    phone = contact.get("phone")
    if phone is None or phone == "":
        return None
    if not isinstance(phone, str) or not PHONE.match(phone.strip()):
        raise InvalidInput([Problem("contact.phone", "must be a phone number: digits, spaces, + ( ) . / -")])
    return phone.strip()


def acknowledged_alerts(session: Session, patient: Patient) -> list[Alert]:
    """The patient's acknowledged alerts (what the engine's record calls acknowledgements)."""
    return list(
        session.scalars(select(Alert).where(Alert.patient_id == patient.id, Alert.acknowledged_at.is_not(None)))
    )


def _checkins(session: Session, patient: Patient) -> list[Checkin]:
    return list(
        session.scalars(select(Checkin).where(Checkin.patient_id == patient.id).order_by(Checkin.date, Checkin.id))
    )


def _assess_now(record: PatientRecord, today: dt.date | None) -> Assessment:
    day = today or clock.today()
    last = max((c.date for c in record.checkins), default=record.surgery.date)
    return assess(record, load_knowledge(), as_of=max(day, last, record.surgery.date))


def _alert_json(alert: AlertView) -> dict[str, Any]:
    return {
        "id": alert.id,
        "code": alert.code,
        "level": alert.level.value,
        "message": alert.message,
        "raised_at": alert.raised_at.isoformat(),
        "checkin_id": alert.checkin_id,
        "evidence": alert.evidence,
        "acknowledged_by": alert.acknowledged_by,
        "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
        "note": alert.note,
    }
