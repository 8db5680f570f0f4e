"""The check-in schedule a clinic follows (its own from its settings, else the knowledge base's), and each
patient's overdue day kept on the patient row so the dashboard can sort and filter by it in SQL."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from nervetrack.adapters.db.tables import Clinic, Patient, Surgery
from nervetrack.domain.schedule import Step, overdue_from, parse_schedule
from nervetrack.knowledge import load_knowledge


def schedule_of(clinic: Clinic | None) -> Sequence[Step]:
    """The clinic's own schedule, or the knowledge base's."""
    return schedule_from_text(clinic.checkin_schedule if clinic is not None else None)


def schedule_from_text(text: str | None) -> Sequence[Step]:
    """A clinic's stored schedule setting, or the knowledge base's schedule when it has none."""
    return _parsed(text) if text else load_knowledge().schedule


@functools.lru_cache(maxsize=256)
def _parsed(text: str) -> Sequence[Step]:
    return parse_schedule(text)


def refresh_overdue(session: Session, patient: Patient, clinic: Clinic | None = None) -> None:
    """Set the day the patient becomes overdue, from their surgery date and latest check-in."""
    clinic = clinic or session.get(Clinic, patient.clinic_id)
    surgery = patient.surgery
    patient.overdue_from = overdue_from(schedule_of(clinic), surgery.date, patient.last_checkin_date)


def refresh_clinic_overdue(session: Session, clinic: Clinic) -> None:
    """Recompute every patient's overdue day after the clinic's schedule changed."""
    schedule = schedule_of(clinic)
    rows = session.execute(
        select(Patient, Surgery.date)
        .join(Surgery, Surgery.patient_id == Patient.id)
        .where(Patient.clinic_id == clinic.id)
    ).all()
    for patient, surgery_date in rows:
        patient.overdue_from = overdue_from(schedule, surgery_date, patient.last_checkin_date)
