"""A patient's reminder preferences: channel (email, sms, none), address or number, local time of day, time
zone (none: the clinic's), quiet hours; pause until a date, stop (from a message's link, a "STOP" text, the
patient's page or the clinic), resume. Every change is in the audit trail; no row means no reminders."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nervetrack.adapters.db.tables import Clinic, Patient, Reminder, ReminderPreference
from nervetrack.domain.errors import InvalidInput, Problem
from nervetrack.services import clock
from nervetrack.services.access import patient_row
from nervetrack.services.audit import record_event
from nervetrack.services.clinics import is_email, is_zone
from nervetrack.services.clock import aware
from nervetrack.services.errors import LinkInvalid
from nervetrack.services.patients import PHONE
from nervetrack.services.signing import sign, verify
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor

CHANNELS = ("email", "sms", "none")
DEFAULT_TIME = dt.time(9, 0)
DEFAULT_QUIET = (dt.time(21, 0), dt.time(8, 0))
MAX_PAUSE_DAYS = 90
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class ReminderPrefsView:
    """What the patient chose, and the time zone in force (theirs, else the clinic's)."""

    channel: str
    email: str | None
    sms_number: str | None
    local_time: str
    timezone: str | None
    effective_timezone: str
    quiet_start: str | None
    quiet_end: str | None
    paused_until: dt.date | None
    stopped: bool
    stopped_by: str | None


@dataclass(frozen=True)
class ReminderView:
    """One reminder of the patient's history (no message text: it is the same for everyone)."""

    due_date: dt.date
    channel: str
    state: str
    send_after: dt.datetime
    sent_at: dt.datetime | None
    attempts: int
    outcome: str | None


def get_preferences(uow: UnitOfWork, actor: Actor, patient_id: str) -> ReminderPrefsView:
    """The patient's reminder preferences (defaults when none were set)."""
    with uow:
        patient = patient_row(uow.session, actor, patient_id)
        view = _view(uow.session, patient, uow.session.get(ReminderPreference, patient.id))
        record_event(uow.session, actor, "reminders.read", "patient", patient.id)
        uow.commit()
        return view


def reminder_history(uow: UnitOfWork, actor: Actor, patient_id: str, limit: int = 50) -> list[ReminderView]:
    """The patient's reminders, newest due date first."""
    with uow:
        patient = patient_row(uow.session, actor, patient_id)
        rows = uow.session.scalars(
            select(Reminder).where(Reminder.patient_id == patient.id).order_by(Reminder.due_date.desc()).limit(limit)
        ).all()
        record_event(uow.session, actor, "reminders.read", "patient", patient.id)
        uow.commit()
        return [reminder_view(r) for r in rows]


def reminder_view(row: Reminder) -> ReminderView:
    return ReminderView(
        due_date=row.due_date,
        channel=row.channel,
        state=row.state,
        send_after=aware(row.send_after),
        sent_at=aware(row.sent_at) if row.sent_at else None,
        attempts=row.attempts,
        outcome=row.outcome,
    )


def set_preferences(uow: UnitOfWork, actor: Actor, patient_id: str, data: Mapping[str, Any]) -> ReminderPrefsView:
    """Set how and when the patient is reminded; InvalidInput names each bad field (nothing is changed then).

    Fields: channel (email, sms, none), email, sms_number, local_time ("HH:MM"), timezone (an IANA name or
    empty for the clinic's), quiet_start and quiet_end ("HH:MM", both or neither). Choosing a channel again
    resumes stopped reminders."""
    values = _checked(data)
    with uow:
        session = uow.session
        patient = patient_row(session, actor, patient_id)
        row = _row(session, patient)
        for name, value in values.items():
            setattr(row, name, value)
        if values["channel"] != "none":
            row.stopped_at, row.stopped_by = None, None
        row.updated_at = clock.now()
        record_event(session, actor, "reminders.update", "patient", patient.id)
        uow.commit()
        return _view(session, patient, row)


def pause_reminders(uow: UnitOfWork, actor: Actor, patient_id: str, days: int) -> ReminderPrefsView:
    """Send no reminder for `days` days (1 to 90) from today."""
    if not 1 <= days <= MAX_PAUSE_DAYS:
        raise InvalidInput([Problem("days", f"must be 1 to {MAX_PAUSE_DAYS}")])
    return _change(uow, actor, patient_id, "reminders.pause", paused_until=clock.today() + dt.timedelta(days=days))


def stop_reminders(uow: UnitOfWork, actor: Actor, patient_id: str, by: str) -> ReminderPrefsView:
    """Send no more reminders until the patient (or clinic) resumes them; `by` says where it was asked."""
    return _change(uow, actor, patient_id, "reminders.stop", stopped_at=clock.now(), stopped_by=by[:16])


def resume_reminders(uow: UnitOfWork, actor: Actor, patient_id: str) -> ReminderPrefsView:
    """Undo a pause or a stop."""
    return _change(uow, actor, patient_id, "reminders.resume", stopped_at=None, stopped_by=None, paused_until=None)


def stop_by_number(uow: UnitOfWork, number: str, *, resume: bool = False) -> int:
    """Stop (or resume) the text reminders of every patient with this number, after a "STOP" ("START") text;
    return how many patients."""
    wanted = digits(number)
    if len(wanted) < 4:
        return 0
    with uow:
        session = uow.session
        rows = session.execute(
            select(ReminderPreference, Patient).join(Patient, Patient.id == ReminderPreference.patient_id)
        ).all()
        matched = [(row, p) for row, p in rows if row.sms_number and digits(row.sms_number) == wanted]
        for row, patient in matched:
            if resume and row.stopped_by == "sms":
                row.stopped_at, row.stopped_by = None, None
            elif not resume:
                row.stopped_at, row.stopped_by = clock.now(), "sms"
            row.updated_at = clock.now()
            action = "reminders.resume" if resume else "reminders.stop"
            record_event(session, Actor.system(patient.clinic_id), action, "patient", patient.id)
        uow.commit()
        return len(matched)


def digits(number: str) -> str:
    """A phone number's digits, to match "+44 7700 900123" with "+447700900123"."""
    return "".join(c for c in number if c.isdigit())


def _change(uow: UnitOfWork, actor: Actor, patient_id: str, action: str, **changes: Any) -> ReminderPrefsView:
    with uow:
        session = uow.session
        patient = patient_row(session, actor, patient_id)
        row = _row(session, patient)
        for name, value in changes.items():
            setattr(row, name, value)
        row.updated_at = clock.now()
        record_event(session, actor, action, "patient", patient.id)
        uow.commit()
        return _view(session, patient, row)


def _row(session: Session, patient: Patient) -> ReminderPreference:
    row = session.get(ReminderPreference, patient.id)
    if row is None:
        row = ReminderPreference(
            patient_id=patient.id,
            channel="none",
            local_time=DEFAULT_TIME,
            quiet_start=DEFAULT_QUIET[0],
            quiet_end=DEFAULT_QUIET[1],
            updated_at=clock.now(),
        )
        session.add(row)
    return row


def _checked(data: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise InvalidInput([Problem("", "the reminder preferences must be an object")])
    known = {"channel", "email", "sms_number", "local_time", "timezone", "quiet_start", "quiet_end"}
    problems = [Problem(name, "unknown reminder setting") for name in data if name not in known]
    text = {name: str(data.get(name) or "").strip() for name in known}
    channel = text["channel"] or "none"
    if channel not in CHANNELS:
        problems.append(Problem("channel", "must be one of email, sms, none"))
    if text["email"] and not is_email(text["email"]):
        problems.append(Problem("email", "must be an email address such as name@example.org"))
    if channel == "email" and not text["email"]:
        problems.append(Problem("email", "is needed for reminders by email"))
    if text["sms_number"] and not PHONE.match(text["sms_number"]):
        problems.append(Problem("sms_number", "must be a phone number: digits, spaces, + ( ) . / -"))
    if channel == "sms" and not text["sms_number"]:
        problems.append(Problem("sms_number", "is needed for reminders by text message"))
    times = {name: _clock(text[name], name, problems) for name in ("local_time", "quiet_start", "quiet_end")}
    if (times["quiet_start"] is None) != (times["quiet_end"] is None):
        problems.append(Problem("quiet_end", "give both quiet_start and quiet_end, or neither"))
    if text["timezone"] and not is_zone(text["timezone"]):
        problems.append(Problem("timezone", "must be a time zone name such as Europe/London or America/Chicago"))
    if problems:
        raise InvalidInput(problems)
    return {
        "channel": channel,
        "email": text["email"].lower() or None,
        "sms_number": text["sms_number"] or None,
        "local_time": times["local_time"] or DEFAULT_TIME,
        "timezone": text["timezone"] or None,
        "quiet_start": times["quiet_start"],
        "quiet_end": times["quiet_end"],
    }


def _clock(value: str, name: str, problems: list[Problem]) -> dt.time | None:
    if not value:
        return None
    match = _CLOCK.match(value)
    if match is None:
        problems.append(Problem(name, "must be a time of day from 00:00 to 23:59, e.g. 09:30"))
        return None
    return dt.time(int(match[1]), int(match[2]))


def _view(session: Session, patient: Patient, row: ReminderPreference | None) -> ReminderPrefsView:
    clinic = session.get_one(Clinic, patient.clinic_id)
    zone = (row.timezone if row else None) or clinic.timezone or "UTC"
    if row is None:
        return ReminderPrefsView(
            "none",
            None,
            None,
            DEFAULT_TIME.strftime("%H:%M"),
            None,
            zone,
            DEFAULT_QUIET[0].strftime("%H:%M"),
            DEFAULT_QUIET[1].strftime("%H:%M"),
            None,
            False,
            None,
        )
    return ReminderPrefsView(
        channel=row.channel,
        email=row.email,
        sms_number=row.sms_number,
        local_time=row.local_time.strftime("%H:%M"),
        timezone=row.timezone,
        effective_timezone=zone,
        quiet_start=row.quiet_start.strftime("%H:%M") if row.quiet_start else None,
        quiet_end=row.quiet_end.strftime("%H:%M") if row.quiet_end else None,
        paused_until=row.paused_until,
        stopped=row.stopped_at is not None,
        stopped_by=row.stopped_by,
    )


MANAGE_PURPOSE = "reminders"


def manage_actor(uow: UnitOfWork, key: str, token: str) -> Actor:
    """The patient of a reminder message's pause/stop link (/u/{token}); LinkInvalid when it is not valid."""
    payload = verify(key, MANAGE_PURPOSE, token)
    with uow:
        patient = uow.session.get(Patient, int(payload)) if payload and payload.isdigit() else None
        if patient is None:
            raise LinkInvalid("this link is not valid")
        return Actor(
            "patient_link", f"u{patient.id}", "patient (reminder message)", patient.clinic_id, patient.id, patient.ref
        )


def manage_token(key: str, patient_pk: int) -> str:
    """The signed token of a patient's pause/stop link, put in every reminder email."""
    return sign(key, MANAGE_PURPOSE, str(patient_pk))


FAILED_STATUSES = {"undelivered", "failed"}


def record_sms_status(uow: UnitOfWork, sid: str, status: str, error_code: str | None) -> bool:
    """Record the provider's later word on a text (a status callback): undelivered or failed is a bounce."""
    with uow:
        row = uow.session.scalars(select(Reminder).where(Reminder.provider_ref == sid)).one_or_none()
        if row is None:
            return False
        if status in FAILED_STATUSES:
            row.state = "bounced"
            row.outcome = f"provider: {status}" + (f" (error {error_code})" if error_code else "")
        elif status == "delivered" and row.state == "sent":
            row.outcome = "delivered"
        uow.commit()
        return True
