"""A patient opens the check-in link from a reminder email received by a real SMTP server, checks in in
Chromium, and finds that the link has done its one check-in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from nervetrack.services import clock
from nervetrack.services.reminder_prefs import set_preferences
from nervetrack.services.reminder_sender import Sender, transports_from
from nervetrack.services.views import Actor
from tests.browser.test_journeys import no_warning_signs, rate
from tests.mail_server import SmtpServer

pytestmark = pytest.mark.browser


def test_a_patient_checks_in_from_the_link_in_a_reminder_email(
    page: Page,
    live_server: Any,
    smtp_server: SmtpServer,
) -> None:
    live_server.new_patient_link("browser-remind-01", days_ago=4)
    actor = Actor.system(live_server.seed.demo.clinic_id)
    settings = live_server.settings.model_copy(update={"smtp_url": smtp_server.url, "public_url": live_server.url})
    with live_server._uow() as uow:
        prefs = {"channel": "email", "email": "walker@patients.example", "local_time": "00:00", "timezone": "UTC"}
        set_preferences(uow, actor, "browser-remind-01", prefs)
        assert Sender(uow, settings, transports_from(settings)).run_once().sent == 1
    [message] = smtp_server.received.to("walker@patients.example")
    link = re.search(r'href="([^"]+/p/[^"]+)"', message.get_body(("html",)).get_content())[1]  # type: ignore[index]

    page.goto(link)
    expect(page.get_by_role("heading", name="How are you today?")).to_be_visible()
    for question in ("Pain in your leg or legs", "Pain in your back", "Weakness in your leg or foot"):
        rate(page, question, "2")
    no_warning_signs(page)
    page.get_by_role("button", name="Check my answers").click()
    page.get_by_role("button", name="Save my check-in").click()
    expect(page.get_by_role("status")).to_contain_text("your check-in is saved")
    expect(page.locator("#reminder-state")).to_contain_text("by email at 00:00 (UTC)")
    [stored] = live_server.stored_checkins("browser-remind-01")
    assert stored["date"] == clock.today().isoformat() and stored["leg_pain"] == 2

    page.goto(link)  # the reminder's link has done its one check-in
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    expect(page.get_by_text("already been used for a check-in")).to_be_visible()
