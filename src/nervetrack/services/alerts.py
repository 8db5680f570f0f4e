"""Acknowledge an alert: a clinician records that they have seen it and what they did, with a note."""

from __future__ import annotations

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
        row.acknowledged_at = clock.now()
        row.acknowledged_by = int(actor.id) if actor.kind == "clinician" else None
        row.acknowledged_by_name = actor.name
        row.note = note.strip()[:MAX_NOTE] or None
        refresh_open_alert_rank(session, patient)
        record_event(session, actor, "alert.acknowledge", "patient", patient.id)
        uow.commit()
        return alert_view(patient, row)
