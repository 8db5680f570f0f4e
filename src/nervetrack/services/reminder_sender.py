"""Send what is due: one pass (`nervetrack reminders run`, or the loop in `serve`) plans the day's reminders,
claims ready rows in batches (services/reminder_queue.py), checks each again just before sending (a patient
who stopped, paused, lost their link or already checked in gets nothing; quiet hours move it on), sends it
through its channel's transport and records the outcome: sent, retried with back-off (doubling from
reminder_retry_seconds), failed after reminder_max_attempts, or bounced. The clinic's alert emails go out
the same way.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from nervetrack.adapters.db.tables import Alert, AlertNotice, Clinic, Patient, PatientLink, Reminder, ReminderPreference
from nervetrack.adapters.delivery import DeliveryError, Outgoing, Transport
from nervetrack.adapters.mail import SmtpTransport
from nervetrack.adapters.sms import SmsTransport
from nervetrack.config import Settings
from nervetrack.domain.schedule import in_quiet_hours, out_of_quiet_hours, window_on
from nervetrack.services import clock
from nervetrack.services.checkin_links import issue_checkin_link
from nervetrack.services.reminder_messages import alert_email, reminder_email, reminder_text
from nervetrack.services.reminder_prefs import manage_token
from nervetrack.services.reminder_queue import (
    claim,
    hold_sender_lease,
    plan_reminders,
    quiet_of,
    release_sender_lease,
    settle,
    worker_name,
    zone_named,
)
from nervetrack.services.schedules import schedule_of
from nervetrack.services.unit_of_work import UnitOfWork

log = logging.getLogger("nervetrack.reminders")
BATCH = 50
MAX_BACKOFF = dt.timedelta(hours=6)


@dataclass
class RunReport:
    """What one pass did."""

    queued: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    bounced: int = 0
    skipped: int = 0
    deferred: int = 0
    alerts_sent: int = 0
    waiting_for_lease: bool = False
    skipped_because: dict[str, int] = field(default_factory=dict)


def transports_from(settings: Settings) -> dict[str, Transport]:
    """The configured channels: email with NERVETRACK_SMTP_URL, text messages with NERVETRACK_SMS_*."""
    found: dict[str, Transport] = {}
    if settings.smtp_url:
        found["email"] = SmtpTransport(settings.smtp_url, settings.mail_from)
    if settings.sms_url and settings.sms_account and settings.sms_token and settings.sms_from:
        found["sms"] = SmsTransport(settings.sms_url, settings.sms_account, settings.sms_token, settings.sms_from)
    return found


@dataclass
class Sender:
    """One sender: the settings, its transports and a name for its claims."""

    uow: UnitOfWork
    settings: Settings
    transports: Mapping[str, Transport]
    now: Callable[[], dt.datetime] = clock.now
    worker: str = field(default_factory=worker_name)

    def run_once(self, *, plan: bool = True, max_batches: int = 1000) -> RunReport:
        """Plan, then send every ready reminder and alert email in batches; on SQLite only the lease holder sends."""
        report = RunReport()
        if plan:
            report.queued = plan_reminders(self.uow, self.now()).queued
        if not hold_sender_lease(self.uow, self.worker, self.now()):
            report.waiting_for_lease = True
            return report
        try:
            for _ in range(max_batches):
                if not self._reminder_batch(report) and not self._alert_batch(report):
                    break
        finally:
            for transport in self.transports.values():
                transport.close()
            release_sender_lease(self.uow, self.worker, self.now())
        return report

    def _reminder_batch(self, report: RunReport) -> bool:
        """Claim a batch, prepare it in one transaction (links issued, skips recorded), then send each message
        and record its outcome in its own transaction, so a sent message is never left unrecorded for long."""
        if not self.transports:
            return False
        token, ids = claim(self.uow, Reminder, self.worker, self.now(), BATCH, list(self.transports))
        ready: list[tuple[int, tuple[str, Outgoing]]] = []
        with self.uow:
            session = self.uow.session
            for reminder_id in ids:
                message, why = self._prepare(session, reminder_id, token)
                if message is None:
                    self._skip(session, reminder_id, token, why, report)
                else:
                    ready.append((reminder_id, message))
            self.uow.commit()
        for reminder_id, (channel, outgoing) in ready:
            self._deliver(Reminder, reminder_id, token, self.transports[channel], outgoing, report)
        return bool(ids)

    def _prepare(self, session: Session, reminder_id: int, token: str) -> tuple[tuple[str, Outgoing] | None, str]:
        """The message for a claimed reminder, or why it is not sent (issuing its check-in link on the way)."""
        row = session.get_one(Reminder, reminder_id)
        patient = session.get_one(Patient, row.patient_id)
        pref = session.get(ReminderPreference, patient.id)
        clinic = session.get_one(Clinic, patient.clinic_id)
        now = self.now()
        why = self._reason_not_to_send(session, row, patient, pref, clinic, now)
        if why or pref is None:
            return None, why or "no reminder preferences"
        zone = zone_named(pref.timezone or clinic.timezone or "UTC")
        if in_quiet_hours(now, zone, quiet_of(pref)):
            return None, "quiet"
        hours = self.settings.checkin_link_hours
        key = self.settings.resolved_secret_key()
        link = issue_checkin_link(session, key, patient.id, row.id, hours, now)
        base = self.settings.resolved_public_url()
        checkin_url = f"{base}/p/{link}"
        if pref.channel == "sms":
            callback = f"{base}/sms/status"
            return ("sms", reminder_text(pref.sms_number or "", checkin_url, hours, callback)), ""
        manage = f"{base}/u/{manage_token(key, patient.id)}"
        message_id = f"<reminder-{row.id}@{urlsplit(base).hostname or 'nervetrack'}>"
        return ("email", reminder_email(pref.email or "", checkin_url, manage, hours, message_id)), ""

    def _reason_not_to_send(
        self,
        session: Session,
        row: Reminder,
        patient: Patient,
        pref: ReminderPreference | None,
        clinic: Clinic,
        now: dt.datetime,
    ) -> str:
        """Why a claimed reminder must not go out now ('' when it may)."""
        if pref is None or pref.channel == "none":
            return "reminders switched off"
        if pref.stopped_at is not None:
            return "reminders stopped"
        zone = zone_named(pref.timezone or clinic.timezone or "UTC")
        local_today = now.astimezone(zone).date()
        if pref.paused_until is not None and local_today <= pref.paused_until:
            return "reminders paused"
        if pref.channel not in self.transports:
            return f"no {pref.channel} transport configured"
        if not _has_active_link(session, patient.id):
            return "patient link revoked"
        if patient.last_checkin_date is not None and patient.last_checkin_date >= row.due_date:
            return "already checked in"
        window = window_on(schedule_of(clinic), patient.surgery.date, row.due_date)
        if window is None or local_today >= window[1]:
            return "check-in window closed"
        return ""

    def _skip(self, session: Session, reminder_id: int, token: str, why: str, report: RunReport) -> None:
        if why == "quiet":
            row = session.get_one(Reminder, reminder_id)
            pref = session.get_one(ReminderPreference, row.patient_id)
            clinic = session.get_one(Clinic, session.get_one(Patient, row.patient_id).clinic_id)
            later = out_of_quiet_hours(
                self.now(), zone_named(pref.timezone or clinic.timezone or "UTC"), quiet_of(pref)
            )
            settle(session, Reminder, reminder_id, token, state="queued", send_after=later, attempts=row.attempts - 1)
            report.deferred += 1
        else:
            settle(session, Reminder, reminder_id, token, state="skipped", outcome=why)
            report.skipped += 1
            report.skipped_because[why] = report.skipped_because.get(why, 0) + 1

    def _deliver(
        self,
        table: type[Reminder] | type[AlertNotice],
        row_id: int,
        token: str,
        transport: Transport,
        message: Outgoing,
        report: RunReport,
    ) -> None:
        try:
            reference = transport.send(message)
        except DeliveryError as error:
            self._failed(table, row_id, token, error, report)
            return
        with self.uow:
            values = {"state": "sent", "sent_at": self.now(), "outcome": None}
            if table is Reminder:
                values["provider_ref"] = reference[:200]
            settle(self.uow.session, table, row_id, token, **values)
            self.uow.commit()
        if table is Reminder:
            report.sent += 1
        else:
            report.alerts_sent += 1

    def _failed(
        self,
        table: type[Reminder] | type[AlertNotice],
        row_id: int,
        token: str,
        error: DeliveryError,
        report: RunReport,
    ) -> None:
        with self.uow:
            session = self.uow.session
            row = session.get_one(Reminder, row_id) if table is Reminder else session.get_one(AlertNotice, row_id)
            outcome = str(error)[:500]
            if error.permanent or row.attempts >= self.settings.reminder_max_attempts:
                state = "bounced" if error.bounce else "failed"
                settle(session, table, row_id, token, state=state, outcome=outcome)
                report.bounced += state == "bounced"
                report.failed += state == "failed"
            else:
                wait = dt.timedelta(seconds=self.settings.reminder_retry_seconds * 2 ** (row.attempts - 1))
                later = self.now() + min(wait, MAX_BACKOFF)
                settle(session, table, row_id, token, state="queued", send_after=later, outcome=outcome)
                report.retried += 1
            self.uow.commit()
        log.warning("message %s %d not sent: %s", table.__tablename__, row_id, type(error).__name__)

    def _alert_batch(self, report: RunReport) -> bool:
        transport = self.transports.get("email")
        if transport is None:
            return False
        token, ids = claim(self.uow, AlertNotice, self.worker, self.now(), BATCH)
        for notice_id in ids:
            with self.uow:
                message = self._alert_message(self.uow.session, notice_id)
                self.uow.commit()
            if isinstance(message, str):
                with self.uow:
                    settle(self.uow.session, AlertNotice, notice_id, token, state="skipped", outcome=message)
                    self.uow.commit()
                continue
            self._deliver(AlertNotice, notice_id, token, transport, message, report)
        return bool(ids)

    def _alert_message(self, session: Session, notice_id: int) -> Outgoing | str:
        """The clinic's email about an alert, or why none is sent: no address, or the alert was acknowledged
        before the email went (the clinic has seen it; an imported history's past alerts come acknowledged)."""
        notice = session.get_one(AlertNotice, notice_id)
        clinic = session.get_one(Clinic, notice.clinic_id)
        alert = session.get_one(Alert, notice.alert_id)
        patient = session.get_one(Patient, alert.patient_id)
        if not clinic.alert_email:
            return "no alert address"
        if alert.acknowledged_at is not None:
            return "the alert was acknowledged before the email went"
        base = self.settings.resolved_public_url()
        message_id = f"<alert-{alert.id}@{urlsplit(base).hostname or 'nervetrack'}>"
        url = f"{base}/clinic/patients/{patient.ref}"
        return alert_email(clinic.alert_email, patient.ref, alert.level, url, message_id)


def _has_active_link(session: Session, patient_pk: int) -> bool:
    from sqlalchemy import select

    found = session.scalar(
        select(PatientLink.id).where(PatientLink.patient_id == patient_pk, PatientLink.revoked_at.is_(None)).limit(1)
    )
    return found is not None


class ReminderLoop:
    """The optional loop inside `serve` (NERVETRACK_REMINDER_LOOP_SECONDS > 0): a daemon thread that runs a
    pass every so many seconds until stopped. Safe beside other servers and cron runs: claims decide."""

    def __init__(self, sender: Sender, every_seconds: float) -> None:
        self.sender = sender
        self.every = every_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nervetrack-reminders", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.sender.run_once()
            except Exception as error:  # the loop must outlive a database or network hiccup
                log.warning("reminder pass failed: %s", type(error).__name__)
            self._stop.wait(self.every)
