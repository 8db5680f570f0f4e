"""Helpers for the reminder tests: a patient with a link and reminder preferences, and a sender."""

from __future__ import annotations

import datetime as dt
from typing import Any

from nervetrack.config import Settings
from nervetrack.services import clock
from nervetrack.services.patients import add_patient
from nervetrack.services.reminder_prefs import set_preferences
from nervetrack.services.reminder_sender import Sender, transports_from
from nervetrack.services.tokens import issue_link
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor


def enrolled(uow: UnitOfWork, actor: Actor, patient_id: str, *, day: int = 3, link: bool = True, **prefs: Any) -> str:
    """A patient `day` days after surgery (today, in UTC) with an active link and reminders at 00:00 UTC by
    email (so the reminder is due now), unless `prefs` say otherwise; returns the permanent link's secret."""
    surgery = clock.now().date() - dt.timedelta(days=day)
    add_patient(
        uow,
        actor,
        {
            "patient": {"id": patient_id, "birth_year": 1970},
            "surgery": {"date": surgery.isoformat(), "procedure": "microdiscectomy", "levels": ["L5-S1"]},
        },
    )
    secret = issue_link(uow, actor, patient_id).secret if link else ""
    chosen = {
        "channel": "email",
        "email": f"{patient_id}@patients.example",
        "local_time": "00:00",
        "timezone": "UTC",
        "quiet_start": "",
        "quiet_end": "",
        **prefs,
    }
    set_preferences(uow, actor, patient_id, chosen)
    return secret


def sender(uow: UnitOfWork, settings: Settings, **overrides: Any) -> Sender:
    """A sender over the configured transports (smtp_url, sms_* in `overrides`)."""
    configured = settings.model_copy(update={"public_url": "http://127.0.0.1:9", **overrides})
    return Sender(uow, configured, transports_from(configured))
