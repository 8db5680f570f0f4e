"""Rows <-> the engine's value objects (input contract) and the services' views."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from nervetrack.adapters.db.tables import Alert, Checkin, Clinic, Patient
from nervetrack.domain.model import RED_FLAG_SIGNS, CheckIn, PatientRecord, TriageLevel
from nervetrack.services.clock import aware
from nervetrack.services.views import AlertView, CheckinView, ClinicView

SCORE_FIELDS = ("leg_pain", "back_pain", "numbness", "tingling", "weakness", "walking_minutes")
CHECKIN_FIELDS = ("date", *SCORE_FIELDS, "temperature_c", *RED_FLAG_SIGNS, "odi", "follow_up")


def patient_contract(patient: Patient) -> dict[str, Any]:
    """The patient and surgery parts of the input contract."""
    surgery = patient.surgery
    return {
        "patient": {
            "id": patient.ref,
            "birth_year": patient.birth_year,
            "sex": patient.sex,
            "diabetes": patient.diabetes,
            "peripheral_neuropathy": patient.peripheral_neuropathy,
            "smoker": patient.smoker,
        },
        "surgery": {
            "date": surgery.date,
            "procedure": surgery.procedure,
            "approach": surgery.approach,
            "levels": list(surgery.levels),
            "symptom_duration_weeks": surgery.symptom_duration_weeks,
            "dural_tear": surgery.dural_tear,
        },
        "baseline": patient.baseline,
    }


def checkin_values(row: Checkin) -> CheckIn:
    """The stored check-in as the engine's CheckIn. Every row was validated against the contract when it was
    stored, and its columns have the contract's types, so it is not validated again (a new check-in loads
    all of its patient's earlier ones)."""
    return CheckIn.model_construct(**{name: getattr(row, name) for name in CHECKIN_FIELDS})


def record_of(
    patient: Patient, checkins: Sequence[Checkin], as_of: dt.date | None, alerts: Sequence[Alert] = ()
) -> PatientRecord:
    """Rebuild the full input-contract record of a stored patient; the acknowledged `alerts` become its
    acknowledgements (the engine keeps a cauda equina report open until one is dated after it)."""
    data = patient_contract(patient)
    data["checkins"] = [checkin_values(c) for c in checkins]
    data["acknowledgements"] = [
        {"code": a.code, "date": aware(a.acknowledged_at).date()} for a in alerts if a.acknowledged_at is not None
    ]
    data["as_of"] = as_of
    return PatientRecord.model_validate(data)


def checkin_row_fields(values: CheckIn) -> dict[str, Any]:
    """The columns of a check-in row from the engine's CheckIn."""
    return {name: getattr(values, name) for name in CHECKIN_FIELDS}


def checkin_view(patient: Patient, row: Checkin) -> CheckinView:
    return CheckinView(
        id=row.id,
        patient_id=patient.ref,
        values=checkin_values(row),
        triage_level=TriageLevel(row.triage_level),
        submitted_at=aware(row.submitted_at),
    )


def alert_view(patient: Patient, row: Alert) -> AlertView:
    return AlertView(
        id=row.id,
        patient_id=patient.ref,
        code=row.code,
        level=TriageLevel(row.level),
        message=row.message,
        raised_at=aware(row.raised_at),
        checkin_id=row.checkin_id,
        evidence=row.evidence,
        acknowledged_by=row.acknowledged_by_name,
        acknowledged_at=aware(row.acknowledged_at) if row.acknowledged_at else None,
        note=row.note,
    )


def clinic_view(clinic: Clinic) -> ClinicView:
    return ClinicView(
        id=clinic.id,
        name=clinic.name,
        phone=clinic.phone,
        hours=clinic.hours,
        out_of_hours=clinic.out_of_hours,
        timezone=clinic.timezone or "UTC",
        alert_email=clinic.alert_email,
        checkin_schedule=clinic.checkin_schedule,
    )
