"""The patient check-in never loses an answer: emergency signs survive bad fields and expired forms, and an
untouched slider is stored as unknown rather than as its resting place."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from pages_support import CSRF, IDEMPOTENCY, Site, make_site

from nervetrack.config import Settings
from nervetrack.services import clock
from nervetrack.services.patients import add_patient, export_patient
from nervetrack.services.views import Actor

SLIDERS = ("leg_pain", "back_pain", "numbness", "tingling", "weakness")
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    built = make_site(tmp_path_factory.mktemp("checkin-answers"))
    yield built
    built.client.close()


def _new_patient(site: Site, patient_id: str) -> str:
    """A patient with no check-in yet (surgery 10 days ago), and a link path for them."""
    surgery = clock.today() - dt.timedelta(days=10)
    data = {
        "patient": {"id": patient_id, "birth_year": 1965, "sex": "male"},
        "surgery": {"date": surgery.isoformat(), "procedure": "microdiscectomy", "levels": ["L5-S1"]},
        "baseline": {"leg_pain": 7, "weakness": 0},
    }
    add_patient(site.uow, Actor.system(site.seed.demo.clinic_id), data)
    return site.link_for(patient_id)


def _stored(site: Site, patient_id: str) -> list[dict[str, Any]]:
    checkins: list[dict[str, Any]] = export_patient(site.uow, Actor.system(site.seed.demo.clinic_id), patient_id)[
        "checkins"
    ]
    return checkins


def _tokens(page: str) -> dict[str, str]:
    return {
        "csrf_token": CSRF.search(page).group(1),  # type: ignore[union-attr]
        "idempotency_key": IDEMPOTENCY.search(page).group(1),  # type: ignore[union-attr]
    }


def _untouched_sliders() -> dict[str, str]:
    """What the browser sends for sliders nobody moved, with the script running."""
    fields = {"js": "1"}
    for name in SLIDERS:
        fields |= {name: "5", f"{name}_answered": "0"}
    return fields


def test_a_first_check_in_shows_every_slider_as_not_answered(site: Site) -> None:
    page = site.client.get(_new_patient(site, "first-01")).text
    assert page.count(">not answered</output>") == len(SLIDERS)
    assert page.count('aria-valuetext="not answered"') == len(SLIDERS)
    for name in SLIDERS:
        assert f'name="{name}_answered" id="a-{name}" value="0"' in page
    assert 'name="js" value="0"' in page


def test_an_untouched_first_check_in_stores_no_slider_scores(site: Site) -> None:
    link = _new_patient(site, "first-02")
    page = site.client.get(link).text
    form = {**_tokens(page), **_untouched_sliders(), "walking_minutes": "20"}
    response = site.client.post(f"{link}/checkin", data=form)
    assert response.status_code == 200 and "your check-in is saved" in response.text
    assert "Call the emergency number now" not in response.text  # no made-up rise in weakness
    [checkin] = _stored(site, "first-02")
    assert [checkin[name] for name in SLIDERS] == [None] * len(SLIDERS)
    assert checkin["walking_minutes"] == 20


def test_a_moved_slider_is_stored_and_the_untouched_ones_are_not(site: Site) -> None:
    link = _new_patient(site, "first-03")
    page = site.client.get(link).text
    form = {**_tokens(page), **_untouched_sliders(), "leg_pain": "3", "leg_pain_answered": "1"}
    site.client.post(f"{link}/checkin", data=form)
    [checkin] = _stored(site, "first-03")
    assert checkin["leg_pain"] == 3
    assert checkin["weakness"] is None and checkin["back_pain"] is None


def test_without_the_script_the_slider_values_are_taken_as_given(site: Site) -> None:
    link = _new_patient(site, "first-04")
    page = site.client.get(link).text
    form = {**_tokens(page), **_untouched_sliders(), "js": "0", "weakness": "0"}
    site.client.post(f"{link}/checkin", data=form)
    [checkin] = _stored(site, "first-04")
    assert checkin["leg_pain"] == 5 and checkin["weakness"] == 0


def test_a_later_check_in_starts_each_slider_at_the_last_answer(site: Site) -> None:
    page = site.client.get(site.link_for("demo-07")).text
    assert ">not answered</output>" not in page
    assert 'name="leg_pain_answered" id="a-leg_pain" value="1"' in page


def test_an_emergency_sign_with_a_bad_temperature_shows_the_instruction_and_stores_the_rest(site: Site) -> None:
    link = _new_patient(site, "sign-01")
    page = site.client.get(link).text
    form = {**_tokens(page), "bladder_problem": "yes", "temperature_c": "98.6", "leg_pain": "4"}
    response = site.client.post(f"{link}/checkin", data=form)
    text = response.text
    assert response.status_code == 200
    assert text.index("Call the emergency number now") < text.index("Call 112 now")
    assert "Enter a temperature from 30 to 45" in text  # named as left out
    assert "Your clinic will see this report in NerveTrack, but that does not replace calling now." in text
    [checkin] = _stored(site, "sign-01")
    assert checkin["bladder_problem"] is True and checkin["temperature_c"] is None and checkin["leg_pain"] == 4
    site.log_in(site.seed.demo.email, site.seed.demo.password)
    assert "emergency" in site.client.get("/clinic/patients/sign-01").text
    site.client.cookies.clear()


def test_an_emergency_sign_that_cannot_be_stored_says_so_and_keeps_the_answers(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = _new_patient(site, "sign-02")
    page = site.client.get(link).text
    # The day before surgery: the check-in cannot be stored at all, whatever is left out.
    monkeypatch.setattr(clock, "today", lambda: dt.date.today() - dt.timedelta(days=11))
    form = {**_tokens(page), "saddle_numbness": "yes", "temperature_c": "98.6", "walking_minutes": "15"}
    response = site.client.post(f"{link}/checkin", data=form)
    monkeypatch.undo()
    text = response.text
    assert response.status_code == 422
    assert text.index("Call the emergency number now") < text.index("not saved yet")
    assert "New numbness between your legs or around your bottom" in text
    assert "Enter a temperature from 30 to 45" in text
    assert _stored(site, "sign-02") == []
    kept = dict(HIDDEN.findall(text))
    assert kept["saddle_numbness"] == "yes" and kept["temperature_c"] == "98.6" and kept["walking_minutes"] == "15"

    back = site.client.post(f"{link}/checkin/review", data=kept)
    assert back.status_code == 200 and "How are you today?" in back.text
    assert 'name="saddle_numbness" value="yes" checked' in back.text
    assert 'value="98.6"' in back.text and 'value="15"' in back.text
    assert 'id="e-temperature_c"' in back.text
    assert _stored(site, "sign-02") == []


def test_an_expired_form_is_shown_again_with_the_answers_and_a_fresh_token(site: Site) -> None:
    link = _new_patient(site, "csrf-01")
    site.client.get(link)
    form = {"csrf_token": "0" * 64, "idempotency_key": "k1", "walking_minutes": "30", "wound_redness": "yes"}
    response = site.client.post(f"{link}/checkin", data=form)
    text = response.text
    assert response.status_code == 403
    assert "Your form had expired" in text and "How are you today?" in text
    assert 'value="30"' in text and 'name="wound_redness" value="yes" checked' in text
    fresh = CSRF.search(text).group(1)  # type: ignore[union-attr]
    assert fresh != "0" * 64
    assert _stored(site, "csrf-01") == []
    again = site.client.post(f"{link}/checkin", data={**form, "csrf_token": fresh})
    assert "your check-in is saved" in again.text
    assert [c["walking_minutes"] for c in _stored(site, "csrf-01")] == [30]


def test_an_expired_form_with_an_emergency_sign_shows_the_instruction_first_and_stores_nothing(site: Site) -> None:
    link = _new_patient(site, "csrf-02")
    site.client.cookies.clear()  # the session cookie was lost
    form = {"csrf_token": "stale", "idempotency_key": "k2", "chest_pain_or_breathlessness": "yes"}
    response = site.client.post(f"{link}/checkin", data=form)
    text = response.text
    assert text.index("Call the emergency number now") < text.index("Your form had expired")
    assert "not saved yet" in text and "Chest pain, or sudden shortness of breath" in text
    assert _stored(site, "csrf-02") == []
    kept = dict(HIDDEN.findall(text))
    assert kept["chest_pain_or_breathlessness"] == "yes" and kept["csrf_token"] != "stale"
    stored = site.client.post(f"{link}/checkin", data=kept)  # sent again from the kept answers
    assert "Call the emergency number now" in stored.text
    assert [c["chest_pain_or_breathlessness"] for c in _stored(site, "csrf-02")] == [True]


def test_the_emergency_page_does_not_claim_the_team_was_alerted(site: Site) -> None:
    link = _new_patient(site, "sign-03")
    page = site.client.get(link).text
    text = site.client.post(f"{link}/checkin", data={**_tokens(page), "bowel_problem": "yes"}).text
    assert "has also been alerted" not in text
    assert "Your clinic will see this report in NerveTrack, but that does not replace calling now." in text


def test_the_emergency_number_comes_from_the_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NERVETRACK_EMERGENCY_NUMBER", "999")
    assert Settings().emergency_number == "999"
    site = make_site(tmp_path, emergency_number="999")
    link = _new_patient(site, "number-01")
    page = site.client.get(link).text
    text = site.client.post(f"{link}/checkin", data={**_tokens(page), "bladder_problem": "yes"}).text
    assert 'href="tel:999"' in text and "Call 999 now" in text and "112" not in text
    assert "or your local emergency number" in text
    site.client.close()


def test_the_emergency_number_is_112_by_default() -> None:
    assert Settings().emergency_number == "112"


def test_corrected_answers_sent_with_the_same_form_key_are_stored_as_a_new_check_in(site: Site) -> None:
    # the emergency page keeps the answers and the key; the patient fixes the temperature and sends again
    link = _new_patient(site, "resend-01")
    tokens = _tokens(site.client.get(link).text)
    first = {**tokens, "bladder_problem": "yes", "temperature_c": "98.6", "leg_pain": "4"}
    site.client.post(f"{link}/checkin", data=first)
    site.client.post(f"{link}/checkin", data=first)  # a double click: nothing more is stored
    assert len(_stored(site, "resend-01")) == 1
    corrected = {**first, "temperature_c": "37.2"}
    response = site.client.post(f"{link}/checkin", data=corrected)
    assert "Call the emergency number now" in response.text
    stored = _stored(site, "resend-01")
    assert [c["temperature_c"] for c in stored] == [None, 37.2]
