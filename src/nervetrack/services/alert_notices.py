"""Urgent and emergency alerts also email the clinic (its alert address in the clinic settings), so nobody
has to watch the dashboard to see an emergency. One notice row per alert, queued in the alert's own
transaction and sent by the reminder senders (services/reminder_sender.py) exactly like a reminder."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from nervetrack.adapters.db.tables import Alert, AlertNotice, Clinic, Patient
from nervetrack.domain.model import TriageLevel
from nervetrack.services import clock

NOTIFIED_LEVELS = {TriageLevel.URGENT.value, TriageLevel.EMERGENCY.value}


def queue_alert_notices(session: Session, patient: Patient, alerts: Sequence[Alert]) -> None:
    """Queue an email to the clinic for each new urgent or emergency alert, when it has an alert address."""
    notable = [a for a in alerts if a.level in NOTIFIED_LEVELS]
    if not notable:
        return
    clinic = session.get(Clinic, patient.clinic_id)
    if clinic is None or not clinic.alert_email:
        return
    now = clock.now()
    for alert in notable:
        session.add(
            AlertNotice(
                alert_id=alert.id, clinic_id=clinic.id, state="queued", send_after=now, attempts=0, created_at=now
            )
        )
    session.flush()
