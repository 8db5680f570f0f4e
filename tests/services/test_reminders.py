"""Reminders through a real SMTP server (aiosmtpd) and a local text-message provider, on SQLite and
PostgreSQL: sent once, retried with back-off, bounces recorded, nothing to patients who stopped."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from nervetrack.adapters.db.tables import AlertNotice, Reminder
from nervetrack.config import Settings
from nervetrack.services import clock
from nervetrack.services.checkins import record_checkin
from nervetrack.services.errors import LinkInvalid, LinkUsed
from nervetrack.services.reminder_prefs import pause_reminders, reminder_history, stop_reminders
from nervetrack.services.tokens import resolve_link, revoke_link
from nervetrack.services.unit_of_work import UnitOfWork
from tests.mail_server import SmsProvider, SmtpServer
from tests.services.conftest import Clinics
from tests.services.reminder_support import enrolled, sender

LINK = re.compile(r"http://127\.0\.0\.1:9/p/(\S+)")


def _states(uow: UnitOfWork) -> list[tuple[str, str | None]]:
    with uow:
        return [(r.state, r.outcome) for r in uow.session.scalars(select(Reminder).order_by(Reminder.id))]


def test_a_due_reminder_is_emailed_once_with_both_parts_and_one_click_unsubscribe(
    uow: UnitOfWork,
    clinics: Clinics,
    db_settings: Settings,
    smtp_server: SmtpServer,
) -> None:
    enrolled(uow, clinics.alice, "mail-1")
    run = sender(uow, db_settings, smtp_url=smtp_server.url)
    first = run.run_once()
    second = run.run_once()
    assert (first.queued, first.sent, second.queued, second.sent) == (1, 1, 0, 0)
    [message] = smtp_server.received.to("mail-1@patients.example")
    assert message["Subject"] == "Time for your check-in"
    assert message["List-Unsubscribe"].startswith("<http://127.0.0.1:9/u/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "check-in" in plain and "Check in now" in html
    assert "mail-1" not in plain and "Clinic A" not in plain  # no patient id, no clinic: nothing about health
    [(state, _)] = _states(uow)
    assert state == "sent"


def test_the_reminder_link_stores_one_check_in_and_is_not_the_permanent_link(
    uow: UnitOfWork,
    clinics: Clinics,
    db_settings: Settings,
    smtp_server: SmtpServer,
) -> None:
    permanent = enrolled(uow, clinics.alice, "mail-2")
    sender(uow, db_settings, smtp_url=smtp_server.url).run_once()
    [message] = smtp_server.received.to("mail-2@patients.example")
    token = LINK.search(message.get_body(("plain",)).get_content())[1]  # type: ignore[index]
    assert permanent not in message.as_string()
    key = db_settings.resolved_secret_key()
    actor = resolve_link(uow, token, key, for_new_checkin=True)
    checkin = {"date": dt.date.today().isoformat(), "leg_pain": 3, "bladder_problem": False}
    record_checkin(uow, actor, "mail-2", checkin)
    with pytest.raises(LinkUsed):
        resolve_link(uow, token, key, for_new_checkin=True)
    with pytest.raises(LinkUsed):
        record_checkin(uow, actor, "mail-2", {**checkin, "leg_pain": 2})
    assert resolve_link(uow, token, key).patient_ref == "mail-2"  # the recovery page still opens
    with pytest.raises(LinkInvalid):
        resolve_link(uow, token[:-2] + "xx", key)  # a forged signature
    revoke_link(uow, clinics.alice, "mail-2")
    with pytest.raises(LinkInvalid):
        resolve_link(uow, token, key)


@pytest.mark.parametrize("stop", ["stopped", "paused", "revoked", "checked in", "no link"])
def test_nothing_is_sent_to_a_patient_who_stopped_paused_lost_their_link_or_checked_in(
    uow: UnitOfWork,
    clinics: Clinics,
    db_settings: Settings,
    smtp_server: SmtpServer,
    stop: str,
) -> None:
    enrolled(uow, clinics.alice, "quiet-1", link=stop != "no link")
    run = sender(uow, db_settings, smtp_url=smtp_server.url)
    if stop == "stopped":
        stop_reminders(uow, clinics.alice, "quiet-1", "clinic")
    elif stop == "paused":
        pause_reminders(uow, clinics.alice, "quiet-1", 3)
    elif stop == "revoked":
        revoke_link(uow, clinics.alice, "quiet-1")
    elif stop == "checked in":
        record_checkin(uow, clinics.alice, "quiet-1", {"date": dt.date.today().isoformat(), "leg_pain": 3})
    report = run.run_once()
    assert (report.queued, report.sent) == (0, 0)
    assert smtp_server.received.count() == 0


def test_a_reminder_queued_before_the_patient_stopped_is_skipped_not_sent(
    uow: UnitOfWork,
    clinics: Clinics,
    db_settings: Settings,
    smtp_server: SmtpServer,
) -> None:
    enrolled(uow, clinics.alice, "late-stop", local_time="23:59", timezone="Pacific/Kiritimati")
    run = sender(uow, db_settings, smtp_url=smtp_server.url)
    assert run.run_once().queued == 1  # queued for later today
    with uow:
        row = uow.session.scalars(select(Reminder)).one()
        row.send_after = row.created_at
        uow.commit()
    stop_reminders(uow, clinics.alice, "late-stop", "page")
    report = run.run_once()
    assert (report.sent, report.skipped_because) == (0, {"reminders stopped": 1})
    assert [h.state for h in reminder_history(uow, clinics.alice, "late-stop")] == ["skipped"]


def test_a_refused_address_is_recorded_as_a_bounce_and_not_retried(
    uow: UnitOfWork,
    clinics: Clinics,
    db_settings: Settings,
    smtp_server: SmtpServer,
) -> None:
    enrolled(uow, clinics.alice, "bounce-1")
    smtp_server.received.refuse.add("bounce-1@patients.example")
    run = sender(uow, db_settings, smtp_url=smtp_server.url, reminder_retry_seconds=0.001)
    report = run.run_once()
    assert (report.sent, report.bounced) == (0, 1)
    [(state, outcome)] = _states(uow)
    assert state == "bounced" and outcome is not None and "550" in outcome


def test_text_messages_go_to_the_provider_and_its_errors_are_retried_with_back_off(
    uow: UnitOfWork,
    clinics: Clinics,
    db_settings: Settings,
    sms_provider: SmsProvider,
) -> None:
    enrolled(uow, clinics.alice, "sms-1", channel="sms", sms_number="+44 7700 900123", email="")
    sms_provider.failures.extend([429, 503])
    settings = {"sms_url": sms_provider.url, "sms_account": "AC123", "sms_token": "tok", "sms_from": "+15005550006"}
    run = sender(uow, db_settings, reminder_retry_seconds=0.05, **settings)
    first = run.run_once()
    assert (first.sent, first.retried) == (0, 1)
    [(state, outcome)] = _states(uow)
    assert state == "queued" and outcome is not None and "429" in outcome
    deadline = dt.datetime.now() + dt.timedelta(seconds=10)
    while not sms_provider.texts and dt.datetime.now() < deadline:
        run.run_once()
    [text] = sms_provider.texts
    assert sms_provider.requests == 3 and sms_provider.auth[0] == "AC123:tok"
    assert text["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert text["To"] == "+44 7700 900123" and "Reply STOP" in text["Body"] and "/p/" in text["Body"]
    with uow:
        row = uow.session.scalars(select(Reminder)).one()
        assert (row.state, row.attempts, row.provider_ref) == ("sent", 3, "SM" + "1".zfill(32))


def test_a_provider_refusal_other_than_busy_fails_at_once(
    uow: UnitOfWork,
    clinics: Clinics,
    db_settings: Settings,
    sms_provider: SmsProvider,
) -> None:
    enrolled(uow, clinics.alice, "sms-2", channel="sms", sms_number="+44 7700 900124", email="")
    sms_provider.failures.append(400)
    settings = {"sms_url": sms_provider.url, "sms_account": "AC1", "sms_token": "t", "sms_from": "+15005550006"}
    report = sender(uow, db_settings, **settings).run_once()
    assert (report.failed, report.retried, sms_provider.requests) == (1, 0, 1)


def test_quiet_hours_hold_a_late_reminder_until_they_end(
    uow: UnitOfWork,
    clinics: Clinics,
    db_settings: Settings,
    smtp_server: SmtpServer,
) -> None:
    now = dt.datetime.now(dt.UTC)
    start = (now - dt.timedelta(hours=1)).strftime("%H:%M")
    end = (now + dt.timedelta(hours=2)).strftime("%H:%M")
    enrolled(uow, clinics.alice, "night-1", quiet_start=start, quiet_end=end)
    report = sender(uow, db_settings, smtp_url=smtp_server.url).run_once()
    assert (report.queued, report.sent) == (1, 0)
    with uow:
        row = uow.session.scalars(select(Reminder)).one()
        assert row.state == "queued"
        planned = row.send_after if row.send_after.tzinfo else row.send_after.replace(tzinfo=dt.UTC)
    assert dt.timedelta(hours=1) < planned - now <= dt.timedelta(hours=2, minutes=1)


def test_an_emergency_alert_emails_the_clinic_once_and_a_soon_one_does_not(
    uow: UnitOfWork, clinics: Clinics, db_settings: Settings, smtp_server: SmtpServer
) -> None:
    from nervetrack.services.clinics import update_clinic

    update_clinic(uow, clinics.alice, alert_email="Ward@clinic-a.example")
    enrolled(uow, clinics.alice, "alarm-1", channel="none", email="")
    today = dt.date.today().isoformat()
    raised = record_checkin(uow, clinics.alice, "alarm-1", {"date": today, "bladder_problem": True})
    assert any(a.level.value == "emergency" for a in raised.new_alerts)
    run = sender(uow, db_settings, smtp_url=smtp_server.url)
    assert run.run_once().alerts_sent == 1
    assert run.run_once().alerts_sent == 0
    [message] = smtp_server.received.to("ward@clinic-a.example")
    assert message["Subject"] == "NerveTrack: EMERGENCY alert for patient alarm-1"
    assert "http://127.0.0.1:9/clinic/patients/alarm-1" in message.get_body(("plain",)).get_content()
    assert "bladder" not in message.as_string().lower()  # the email says where to look, not the symptoms


def test_an_alert_acknowledged_before_the_email_went_is_not_emailed(
    uow: UnitOfWork, clinics: Clinics, db_settings: Settings, smtp_server: SmtpServer
) -> None:
    """The clinic has already seen it (and an imported history's past alerts arrive acknowledged)."""
    from nervetrack.services.alerts import acknowledge_alerts
    from nervetrack.services.clinics import update_clinic

    update_clinic(uow, clinics.alice, alert_email="ward@clinic-a.example")
    enrolled(uow, clinics.alice, "seen-1", channel="none", email="")
    today = dt.date.today().isoformat()
    raised = record_checkin(uow, clinics.alice, "seen-1", {"date": today, "bladder_problem": True})
    acknowledge_alerts(uow, clinics.alice, "seen-1", [a.id for a in raised.new_alerts], "called the patient")
    assert sender(uow, db_settings, smtp_url=smtp_server.url).run_once().alerts_sent == 0
    assert not smtp_server.received.to("ward@clinic-a.example")
    with uow:
        outcomes = {n.state: n.outcome for n in uow.session.scalars(select(AlertNotice))}
    assert outcomes == {"skipped": "the alert was acknowledged before the email went"}


def test_the_reminder_link_works_for_48_hours_and_then_expires(
    uow: UnitOfWork,
    clinics: Clinics,
    db_settings: Settings,
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    enrolled(uow, clinics.alice, "mail-48")
    sender(uow, db_settings, smtp_url=smtp_server.url).run_once()
    [message] = smtp_server.received.to("mail-48@patients.example")
    token = LINK.search(message.get_body(("plain",)).get_content())[1]  # type: ignore[index]
    key = db_settings.resolved_secret_key()
    sent = clock.now()
    monkeypatch.setattr(clock, "now", lambda: sent + dt.timedelta(hours=47, minutes=59))
    assert resolve_link(uow, token, key, for_new_checkin=True).patient_ref == "mail-48"
    monkeypatch.setattr(clock, "now", lambda: sent + dt.timedelta(hours=48, seconds=1))
    with pytest.raises(LinkInvalid, match="expired"):
        resolve_link(uow, token, key, for_new_checkin=True)
