"""The database tables, as SQLAlchemy 2 typed declarative models.

A patient row carries a denormalised summary (current triage level, open-alert rank, last check-in date)
updated in the same transaction as each check-in and acknowledgement, so the dashboard reads one table.
Audit events name who did what to which row, never the health data itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _tz() -> DateTime:
    return DateTime(timezone=True)


class Clinic(Base):
    __tablename__ = "clinic"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(_tz())
    # How patients reach the clinic, and its time zone for the times shown (migration 0004).
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    hours: Mapped[str | None] = mapped_column(String(200), nullable=True)
    out_of_hours: Mapped[str | None] = mapped_column(String(300), nullable=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # Reminders (migration 0006): where urgent and emergency alerts are emailed, and the clinic's own
    # check-in schedule ("from_day:every_days, ..."; none: the knowledge base's).
    alert_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    checkin_schedule: Mapped[str | None] = mapped_column(String(400), nullable=True)


class Clinician(Base):
    __tablename__ = "clinician"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(_tz())
    disabled_at: Mapped[dt.datetime | None] = mapped_column(_tz(), nullable=True)  # migration 0005

    clinic: Mapped[Clinic] = relationship()


class Patient(Base):
    __tablename__ = "patient"
    __table_args__ = (
        UniqueConstraint("clinic_id", "ref"),
        Index("ix_patient_dashboard", "clinic_id", "open_alert_rank", "last_checkin_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    ref: Mapped[str] = mapped_column(String(64))
    birth_year: Mapped[int] = mapped_column(Integer)
    sex: Mapped[str] = mapped_column(String(16))
    diabetes: Mapped[bool] = mapped_column(Boolean)
    peripheral_neuropathy: Mapped[bool] = mapped_column(Boolean)
    smoker: Mapped[bool] = mapped_column(Boolean)
    baseline: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)  # migration 0004
    created_at: Mapped[dt.datetime] = mapped_column(_tz())
    current_level: Mapped[str | None] = mapped_column(String(16), nullable=True)
    open_alert_rank: Mapped[int] = mapped_column(Integer, default=0)
    last_checkin_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # The day the patient becomes overdue (two due check-ins missed) unless they check in before; set with
    # every check-in and schedule change (migration 0006).
    overdue_from: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    surgery: Mapped[Surgery] = relationship(back_populates="patient", uselist=False)


class Surgery(Base):
    __tablename__ = "surgery"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), unique=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    procedure: Mapped[str] = mapped_column(String(32), index=True)
    approach: Mapped[str] = mapped_column(String(32))
    levels: Mapped[list[str]] = mapped_column(JSON)
    symptom_duration_weeks: Mapped[float | None] = mapped_column(Float, nullable=True)
    dural_tear: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # migration 0003

    patient: Mapped[Patient] = relationship(back_populates="surgery")


class Checkin(Base):
    __tablename__ = "checkin"
    # (patient, date): a check-in reads a bounded window of its patient's latest ones (migration 0005).
    __table_args__ = (
        UniqueConstraint("patient_id", "idempotency_key"),
        Index("ix_checkin_patient_date", "patient_id", "date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    leg_pain: Mapped[int | None] = mapped_column(Integer, nullable=True)
    back_pain: Mapped[int | None] = mapped_column(Integer, nullable=True)
    numbness: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tingling: Mapped[int | None] = mapped_column(Integer, nullable=True)
    weakness: Mapped[int | None] = mapped_column(Integer, nullable=True)
    walking_minutes: Mapped[float | None] = mapped_column(Float, nullable=True)
    temperature_c: Mapped[float | None] = mapped_column(Float, nullable=True)
    chills: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    bladder_problem: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    urinary_difficulty: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # migration 0003
    bowel_problem: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    saddle_numbness: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    genital_numbness: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # migration 0003
    both_legs: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # migration 0003
    sudden_weakness: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    wound_redness: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    wound_drainage: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    calf_pain_swelling: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    chest_pain_or_breathlessness: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    headache_when_upright: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    odi: Mapped[list[int | None] | None] = mapped_column(JSON, nullable=True)
    # Follow-up questions (migration 0003): the answers given, the questions asked when the check-in was
    # stored, and whether some are still unanswered (indexed for the sweep that calls them in after a day).
    follow_up: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    follow_up_asked: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    follow_up_open: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    triage_level: Mapped[str] = mapped_column(String(16))
    # Deferred: the stored assessment is read back only when a retried submission is replayed, while every
    # new check-in loads all earlier rows of its patient.
    assessment: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    submitted_at: Mapped[dt.datetime] = mapped_column(_tz())


class Alert(Base):
    __tablename__ = "alert"
    __table_args__ = (Index("ix_alert_open", "patient_id", "acknowledged_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkin.id"))
    code: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text, nullable=True)  # migration 0004: what raised it
    raised_at: Mapped[dt.datetime] = mapped_column(_tz())
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("clinician.id"), nullable=True)
    acknowledged_by_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(_tz(), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    acknowledger: Mapped[Clinician | None] = relationship()


class PatientLink(Base):
    __tablename__ = "patient_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(_tz())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(_tz(), nullable=True)


class ApiToken(Base):
    """A bearer token for a clinic's own systems (added in migration 0002)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(_tz())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(_tz(), nullable=True)


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinic.id"), nullable=True)
    actor_kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(_tz())


class ReminderPreference(Base):
    """How and when a patient wants check-in reminders (migration 0006); no row: none are sent."""

    __tablename__ = "reminder_preference"

    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8), default="none")
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    sms_number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    local_time: Mapped[dt.time] = mapped_column(Time)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    quiet_start: Mapped[dt.time | None] = mapped_column(Time, nullable=True)
    quiet_end: Mapped[dt.time | None] = mapped_column(Time, nullable=True)
    paused_until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    stopped_at: Mapped[dt.datetime | None] = mapped_column(_tz(), nullable=True)
    stopped_by: Mapped[str | None] = mapped_column(String(16), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(_tz())


class Reminder(Base):
    """One reminder per patient and due date: the unique row every sender claims before sending."""

    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint("patient_id", "due_date"),
        Index("ix_reminder_claim", "state", "send_after"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    due_date: Mapped[dt.date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(12))  # queued, sending, sent, failed, bounced, skipped
    send_after: Mapped[dt.datetime] = mapped_column(_tz())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(_tz(), nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(_tz(), nullable=True)
    outcome: Mapped[str | None] = mapped_column(Text, nullable=True)  # the last error, or why it was skipped
    provider_ref: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(_tz())


class CheckinLink(Base):
    """A short-lived check-in link sent in a reminder: signed, expiring, good for one check-in, revocable."""

    __tablename__ = "checkin_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    reminder_id: Mapped[int | None] = mapped_column(ForeignKey("reminder.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(_tz())
    expires_at: Mapped[dt.datetime] = mapped_column(_tz())
    used_at: Mapped[dt.datetime | None] = mapped_column(_tz(), nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(_tz(), nullable=True)


class AlertNotice(Base):
    """The email that tells a clinic about an urgent or emergency alert: one row per alert, claimed like a
    reminder."""

    __tablename__ = "alert_notice"
    __table_args__ = (Index("ix_alert_notice_claim", "state", "send_after"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id"), unique=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    state: Mapped[str] = mapped_column(String(12))
    send_after: Mapped[dt.datetime] = mapped_column(_tz())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(_tz(), nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(_tz(), nullable=True)
    outcome: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(_tz())


class SenderLease(Base):
    """Who may send for now, on SQLite (one sender at a time there)."""

    __tablename__ = "sender_lease"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(80))
    until: Mapped[dt.datetime] = mapped_column(_tz())


class WebSession(Base):
    """A clinician's signed-in session (migration 0005): the cookie carries the secret, this row its hash, so
    logging out, a password change or an administrator ends it at once on every server process."""

    __tablename__ = "web_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey("clinician.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(_tz())
    last_seen_at: Mapped[dt.datetime] = mapped_column(_tz())
    ended_at: Mapped[dt.datetime | None] = mapped_column(_tz(), nullable=True)

    clinician: Mapped[Clinician] = relationship()


class LoginThrottle(Base):
    """Failed logins per key (an account, an account from one device, an address) and until when the key must
    wait (migration 0005), shared by every server process."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    first_failure_at: Mapped[dt.datetime] = mapped_column(_tz())
    blocked_until: Mapped[dt.datetime | None] = mapped_column(_tz(), nullable=True)
