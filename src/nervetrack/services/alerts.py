"""Acknowledge alerts: a clinician records that they have seen them and what they did, with one note for the
alerts of one episode."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from nervetrack.adapters.db.tables import Alert, Patient
from nervetrack.services import clock
from nervetrack.services.audit import record_event
from nervetrack.services.checkins import refresh_open_alert_rank
from nervetrack.services.errors import Conflict, Forbidden, NotFound
from nervetrack.services.records import alert_view
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor, AlertView

MAX_NOTE = 2000


def acknowledge_alert(
    uow: UnitOfWork, actor: Actor, alert_id: int, note: str, *, patient_id: str | None = None
) -> AlertView:
    """Close an open alert of the actor's clinic with a note; Conflict if it was already acknowledged.

    With `patient_id` (the patient named in the URL) the alert must also be that patient's, or NotFound.
    """
    if actor.kind not in ("clinician", "api_token"):
        raise Forbidden("only a clinician or a clinic system can acknowledge an alert")
    with uow:
        session = uow.session
        row = session.scalars(
            select(Alert)
            .join(Patient, Alert.patient_id == Patient.id)
            .where(Alert.id == alert_id, Patient.clinic_id == actor.clinic_id)
        ).one_or_none()
        if row is None:
            raise NotFound(f"no alert {alert_id} in this clinic")
        patient = session.get_one(Patient, row.patient_id)
        if patient_id is not None and patient.ref != patient_id:
            raise NotFound(f"no alert {alert_id} for patient {patient_id}")
        if row.acknowledged_at is not None:
            raise Conflict(f"alert {alert_id} was already acknowledged")
        _close(row, actor, clock.now(), note)
        refresh_open_alert_rank(session, patient)
        record_event(session, actor, "alert.acknowledge", "patient", patient.id)
        uow.commit()
        return alert_view(patient, row)


def _close(row: Alert, actor: Actor, moment: dt.datetime, note: str) -> None:
    """Mark the alert acknowledged by `actor` (a clinician's id is kept; a clinic system's name only)."""
    row.acknowledged_at = moment
    row.acknowledged_by = int(actor.id) if actor.kind == "clinician" else None
    row.acknowledged_by_name = actor.name
    row.note = note.strip()[:MAX_NOTE] or None


def acknowledge_alerts(
    uow: UnitOfWork, actor: Actor, patient_id: str, alert_ids: list[int], note: str
) -> list[AlertView]:
    """Close several open alerts of one patient with the same note (one episode often raises several);
    NotFound if any is not this patient's, Conflict if any was already acknowledged (nothing is changed then)."""
    if actor.kind != "clinician":
        raise Forbidden("only a clinician can acknowledge alerts")
    if not alert_ids:
        raise NotFound("no alerts chosen")
    with uow:
        session = uow.session
        rows = list(
            session.scalars(
                select(Alert)
                .join(Patient, Alert.patient_id == Patient.id)
                .where(Alert.id.in_(alert_ids), Patient.clinic_id == actor.clinic_id, Patient.ref == patient_id)
            )
        )
        if len(rows) != len(set(alert_ids)):
            raise NotFound(f"not every alert chosen belongs to patient {patient_id}")
        if any(row.acknowledged_at is not None for row in rows):
            raise Conflict("an alert chosen was already acknowledged")
        moment = clock.now()
        for row in rows:
            _close(row, actor, moment, note)
        patient = session.get_one(Patient, rows[0].patient_id)
        refresh_open_alert_rank(session, patient)
        record_event(session, actor, "alert.acknowledge", "patient", patient.id)
        uow.commit()
        return [alert_view(patient, row) for row in rows]
