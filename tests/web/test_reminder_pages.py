"""Reminders on the pages and webhooks: the patient sets, pauses, stops and resumes them; the email's pause/stop
link and the one-click unsubscribe; "STOP" by text (signed by the provider); delivery reports; the clinic's
alert address and own schedule; the dashboard's overdue filter and adherence; the API's reminder routes."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from pages_support import CSRF, Site, make_site
from tests.mail_server import SmtpServer

from nervetrack.adapters.sms import signature_for
from nervetrack.services import clock
from nervetrack.services.patients import add_patient
from nervetrack.services.reminder_prefs import get_preferences, set_preferences
from nervetrack.services.reminder_sender import Sender, transports_from
from nervetrack.services.tokens import create_api_token, issue_link
from nervetrack.services.views import Actor

PUBLIC = "http://testserver"
SMS = {
    "sms_url": "http://127.0.0.1:9",
    "sms_account": "AC9",
    "sms_token": "provider-secret",
    "sms_from": "+15005550006",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    built = make_site(tmp_path_factory.mktemp("reminder-pages"), public_url=PUBLIC, **SMS)
    built.log_in(built.seed.demo.email, built.seed.demo.password)
    yield built
    built.client.close()


def _actor(site: Site) -> Actor:
    return Actor.system(site.seed.demo.clinic_id)


def _patient(site: Site, patient_id: str, days_ago: int = 3) -> str:
    surgery = clock.today() - dt.timedelta(days=days_ago)
    data = {
        "patient": {"id": patient_id, "birth_year": 1961},
        "surgery": {"date": surgery.isoformat(), "procedure": "microdiscectomy", "levels": ["L5-S1"]},
    }
    add_patient(site.uow, _actor(site), data)
    return f"/p/{issue_link(site.uow, _actor(site), patient_id).secret}"


def _post(site: Site, path: str, **data: str) -> object:
    token = CSRF.search(
        site.client.get(path.rsplit("/", 1)[0] if path.endswith(("pause", "stop", "resume")) else path).text
    )
    assert token
    return site.client.post(path, data={"csrf_token": token[1], **data})


def test_a_patient_chooses_email_reminders_then_pauses_stops_and_resumes_them(site: Site) -> None:
    link = _patient(site, "rem-page-1")
    assert "Reminders:</strong>\n  none." in site.client.get(f"{link}/recovery").text
    saved = _post(
        site,
        f"{link}/reminders",
        channel="email",
        email="Me@Example.org",
        local_time="08:30",
        timezone="Europe/Paris",
        quiet_start="21:00",
        quiet_end="07:00",
    )
    assert "Your reminder settings are saved" in saved.text  # type: ignore[attr-defined]
    prefs = get_preferences(site.uow, _actor(site), "rem-page-1")
    assert (prefs.channel, prefs.email, prefs.local_time, prefs.timezone) == (
        "email",
        "me@example.org",
        "08:30",
        "Europe/Paris",
    )
    assert "by email at 08:30 (Europe/Paris)" in site.client.get(f"{link}/recovery").text
    assert "paused until" in _post(site, f"{link}/reminders/pause", days="14").text  # type: ignore[attr-defined]
    assert "Reminders are stopped" in _post(site, f"{link}/reminders/stop").text  # type: ignore[attr-defined]
    assert get_preferences(site.uow, _actor(site), "rem-page-1").stopped_by == "page"
    _post(site, f"{link}/reminders/resume")
    prefs = get_preferences(site.uow, _actor(site), "rem-page-1")
    assert not prefs.stopped and prefs.paused_until is None


def test_bad_reminder_settings_come_back_with_a_message_beside_each_field(site: Site) -> None:
    link = _patient(site, "rem-page-2")
    bad = _post(
        site, f"{link}/reminders", channel="sms", sms_number="call me", local_time="25:00", timezone="Mars/Base"
    )
    text = bad.text  # type: ignore[attr-defined]
    assert bad.status_code == 422  # type: ignore[attr-defined]
    for field in ("sms_number", "local_time", "timezone"):
        assert f'id="e-{field}"' in text
    assert 'value="call me"' in text  # the answers are kept
    assert get_preferences(site.uow, _actor(site), "rem-page-2").channel == "none"  # nothing half-saved


def test_the_email_links_pause_page_changes_nothing_until_asked_and_one_click_stops(
    site: Site, smtp_server: SmtpServer
) -> None:
    _patient(site, "rem-mail-1")
    set_preferences(
        site.uow,
        _actor(site),
        "rem-mail-1",
        {"channel": "email", "email": "rem-mail-1@example.org", "local_time": "00:00", "timezone": "UTC"},
    )
    settings = site.client.app.state.settings.model_copy(update={"smtp_url": smtp_server.url})  # type: ignore[attr-defined]
    Sender(site.uow, settings, transports_from(settings)).run_once()
    [message] = smtp_server.received.to("rem-mail-1@example.org")
    manage = re.search(r"<http://testserver(/u/[^>]+)>", message["List-Unsubscribe"])[1]  # type: ignore[index]
    checkin = re.search(r"http://testserver(/p/\S+)", message.get_body(("plain",)).get_content())[1]  # type: ignore[index]
    assert "How are you today?" in site.client.get(checkin).text  # the reminder's link opens the form
    page = site.client.get(manage)
    assert page.status_code == 200 and "Reminders are on" in page.text
    assert not get_preferences(site.uow, _actor(site), "rem-mail-1").stopped
    one_click = site.client.post(manage, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    prefs = get_preferences(site.uow, _actor(site), "rem-mail-1")
    assert (prefs.stopped, prefs.stopped_by) == (True, "email")
    assert site.client.get(manage[:-3] + "abc").status_code == 404  # a forged link


def _signed_post(site: Site, path: str, form: dict[str, str], secret: str = "provider-secret") -> object:
    signature = signature_for(secret, PUBLIC + path, form)
    return site.client.post(path, data=form, headers={"X-Twilio-Signature": signature})


def test_stop_by_text_stops_the_reminders_of_that_number_and_start_resumes_them(site: Site) -> None:
    _patient(site, "rem-sms-1")
    set_preferences(site.uow, _actor(site), "rem-sms-1", {"channel": "sms", "sms_number": "+44 7700 900777"})
    forged = _signed_post(site, "/sms/inbound", {"From": "+447700900777", "Body": "STOP"}, secret="wrong")
    assert forged.status_code == 403  # type: ignore[attr-defined]
    assert not get_preferences(site.uow, _actor(site), "rem-sms-1").stopped
    stop = _signed_post(site, "/sms/inbound", {"From": "+447700900777", "Body": " stop "})
    assert stop.status_code == 200 and "no more check-in reminders" in stop.text  # type: ignore[attr-defined]
    assert get_preferences(site.uow, _actor(site), "rem-sms-1").stopped_by == "sms"
    _signed_post(site, "/sms/inbound", {"From": "+447700900777", "Body": "START"})
    assert not get_preferences(site.uow, _actor(site), "rem-sms-1").stopped


def test_the_clinic_sets_its_alert_address_and_own_schedule_and_a_bad_one_is_refused(site: Site) -> None:
    token = site.csrf("/clinic/settings")
    base = {"csrf_token": token, "timezone": "Europe/London", "phone": "+44 20 7946 0000"}
    bad = site.client.post("/clinic/settings", data={**base, "alert_email": "ward", "checkin_schedule": "7:1, 1:1"})
    assert bad.status_code == 422 and 'id="e-alert_email"' in bad.text and 'id="e-checkin_schedule"' in bad.text
    good = site.client.post(
        "/clinic/settings", data={**base, "alert_email": "Ward@Clinic.example", "checkin_schedule": "1:2, 14:7, 90:0"}
    )
    assert "Settings saved" in good.text and 'value="ward@clinic.example"' in good.text
    assert 'value="1:2, 14:7, 90:0"' in good.text
    site.client.post("/clinic/settings", data={**base, "alert_email": "ward@clinic.example", "checkin_schedule": ""})


def test_the_dashboard_marks_overdue_patients_filters_them_and_shows_adherence(site: Site) -> None:
    _patient(site, "rem-overdue-1", days_ago=12)
    page = site.client.get("/clinic/?overdue=1&q=rem-overdue").text
    assert "rem-overdue-1" in page and "badge-overdue" in page and "0 / 9" in page
    assert "rem-overdue-1" not in site.client.get("/clinic/?overdue=1&q=rem-page").text
    patient = site.client.get("/clinic/patients/rem-overdue-1").text
    assert 'id="adherence"' in patient and "0 of 9 due check-ins done" in patient and "No reminders yet." in patient


def test_the_api_reads_and_sets_reminders_and_lists_overdue_patients(site: Site) -> None:
    token = create_api_token(site.uow, site.seed.demo.clinic_id, "ehr").secret
    headers = {"Authorization": f"Bearer {token}"}
    _patient(site, "rem-api-1", days_ago=12)
    bad = site.client.put("/api/v1/patients/rem-api-1/reminders", json={"channel": "email"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "email"
    put = site.client.put(
        "/api/v1/patients/rem-api-1/reminders", json={"channel": "email", "email": "a@b.example"}, headers=headers
    )
    assert put.status_code == 200 and put.json()["channel"] == "email"
    read = site.client.get("/api/v1/patients/rem-api-1/reminders", headers=headers).json()
    assert read["adherence"]["overdue"] is True and read["adherence"]["due"] == 9 and read["history"] == []
    listed = site.client.get("/api/v1/patients?overdue=true&search=rem-api", headers=headers).json()
    assert [(r["patient_id"], r["overdue"], r["adherence_due"]) for r in listed["rows"]] == [("rem-api-1", True, 9)]
    paused = site.client.post("/api/v1/patients/rem-api-1/reminders/pause", json={"days": 3}, headers=headers)
    assert paused.json()["paused_until"] == (clock.today() + dt.timedelta(days=3)).isoformat()
    too_long = site.client.post("/api/v1/patients/rem-api-1/reminders/pause", json={"days": 91}, headers=headers)
    assert too_long.status_code == 422


def test_serve_s_own_loop_sends_due_reminders_while_the_app_runs(tmp_path: Path, smtp_server: SmtpServer) -> None:
    import time

    built = make_site(tmp_path, public_url=PUBLIC, smtp_url=smtp_server.url, reminder_loop_seconds=1)
    _patient(built, "rem-loop-1")
    set_preferences(
        built.uow,
        _actor(built),
        "rem-loop-1",
        {"channel": "email", "email": "loop@example.org", "local_time": "00:00", "timezone": "UTC"},
    )
    with built.client:  # runs the app's lifespan, which starts and stops the loop
        deadline = time.monotonic() + 20
        while not smtp_server.received.to("loop@example.org") and time.monotonic() < deadline:
            time.sleep(0.1)
    assert len(smtp_server.received.to("loop@example.org")) == 1
