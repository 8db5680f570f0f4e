"""The follow-up questions on the patient's pages: asked straight after "Send", answered on the same
check-in, kept on the recovery page while open; with an emergency the recovery page shows no forecast."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from pages_support import CSRF, IDEMPOTENCY, Site, make_site

from nervetrack.services import clock
from nervetrack.services.patients import add_patient, export_patient
from nervetrack.services.views import Actor


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    built = make_site(tmp_path_factory.mktemp("follow-up-pages"))
    yield built
    built.client.close()


def _patient(site: Site, patient_id: str) -> str:
    surgery = clock.today() - dt.timedelta(days=10)
    data = {
        "patient": {"id": patient_id, "birth_year": 1965},
        "surgery": {"date": surgery.isoformat(), "procedure": "microdiscectomy", "levels": ["L5-S1"]},
        "baseline": {"leg_pain": 7, "weakness": 0},
    }
    add_patient(site.uow, Actor.system(site.seed.demo.clinic_id), data)
    return site.link_for(patient_id)


def _send_weaker(site: Site, link: str, weakness: int = 3):
    """Send a check-in with weaker legs: review it, then save it."""
    page = site.client.get(link).text
    form = {
        "csrf_token": CSRF.search(page).group(1),  # type: ignore[union-attr]
        "idempotency_key": IDEMPOTENCY.search(page).group(1),  # type: ignore[union-attr]
        "weakness": str(weakness),
        "no_signs": "1",
        "step": "save",
    }
    return site.client.post(f"{link}/checkin", data=form)


def _stored(site: Site, patient_id: str) -> list[dict]:
    return export_patient(site.uow, Actor.system(site.seed.demo.clinic_id), patient_id)["checkins"]


def test_a_weakness_rise_asks_the_questions_right_after_send(site: Site) -> None:
    response = _send_weaker(site, _patient(site, "fu-01"))
    assert response.status_code == 200 and "/follow-up/" in str(response.url)
    assert "A few more questions" in response.text
    assert "Has your leg or foot suddenly become much weaker?" in response.text
    assert response.text.index('value="no"') < response.text.index('value="yes"')  # No before Yes


def test_answers_are_stored_on_the_same_check_in_and_a_sudden_weakness_is_an_emergency(site: Site) -> None:
    response = _send_weaker(site, _patient(site, "fu-02"))
    token = CSRF.search(response.text).group(1)  # type: ignore[union-attr]
    answered = site.client.post(
        str(response.url), data={"csrf_token": token, "weakness_sudden": "yes", "heel_toe_harder": "no"}
    )
    assert "Call the emergency number now" in answered.text
    stored = _stored(site, "fu-02")
    assert len(stored) == 1 and stored[0]["follow_up"] == {"weakness_sudden": True, "heel_toe_harder": False}


def test_open_questions_stay_on_the_recovery_page_until_answered(site: Site) -> None:
    link = _patient(site, "fu-03")
    _send_weaker(site, link)
    recovery = site.client.get(f"{link}/recovery").text
    assert "Answer the questions" in recovery and "more question" in recovery


def test_a_wrong_answer_is_shown_again_with_a_message_and_nothing_stored(site: Site) -> None:
    response = _send_weaker(site, _patient(site, "fu-04"))
    token = CSRF.search(response.text).group(1)  # type: ignore[union-attr]
    again = site.client.post(str(response.url), data={"csrf_token": token, "weakness_sudden": "maybe"})
    assert again.status_code == 422 and "Choose Yes or No." in again.text
    assert _stored(site, "fu-04")[0]["follow_up"] is None


def test_the_recovery_page_after_an_emergency_shows_no_forecast(site: Site) -> None:
    link = _patient(site, "fu-05")
    page = site.client.get(link).text
    form = {
        "csrf_token": CSRF.search(page).group(1),  # type: ignore[union-attr]
        "idempotency_key": IDEMPOTENCY.search(page).group(1),  # type: ignore[union-attr]
        "leg_pain": "3",
        "signs": "bladder_problem",
    }
    assert "Call the emergency number now" in site.client.post(f"{link}/checkin", data=form).text
    recovery = site.client.get(f"{link}/recovery?after=emergency").text
    assert "chart-forecast" not in recovery
    assert "chart-forecast" in site.client.get(_routine_recovery(site)).text


def _routine_recovery(site: Site) -> str:
    return f"{site.link_for('demo-01')}/recovery"
