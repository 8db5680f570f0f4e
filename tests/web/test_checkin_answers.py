"""The patient check-in never loses an answer and never invents one: every rating starts unanswered with last
time's answer beside it, the warning signs need one explicit answer, the answers are reviewed before they
are saved, and an emergency sign survives bad fields and expired forms."""

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

RATINGS = ("leg_pain", "back_pain", "numbness", "tingling", "weakness")
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
    exported = export_patient(site.uow, Actor.system(site.seed.demo.clinic_id), patient_id)
    checkins: list[dict[str, Any]] = exported["checkins"]
    return checkins


def _tokens(page: str) -> dict[str, str]:
    return {
        "csrf_token": CSRF.search(page).group(1),  # type: ignore[union-attr]
        "idempotency_key": IDEMPOTENCY.search(page).group(1),  # type: ignore[union-attr]
    }


def _fields(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Hidden fields as the form would post them (a name can repeat: the ticked signs)."""
    fields: dict[str, list[str]] = {}
    for name, value in pairs:
        fields.setdefault(name, []).append(value)
    return fields


def _review_then_save(site: Site, link: str, form: dict[str, Any]) -> Any:
    """Send the form (the review comes back), then press "Save my check-in" on the review."""
    review = site.client.post(f"{link}/checkin", data=form)
    assert review.status_code == 200 and "Check your answers" in review.text, review.text[:400]
    return site.client.post(f"{link}/checkin", data=_fields([*HIDDEN.findall(review.text), ("step", "save")]))


def test_a_first_check_in_shows_every_rating_unanswered_and_no_sign_ticked(site: Site) -> None:
    page = site.client.get(_new_patient(site, "first-01")).text
    for name in RATINGS:
        assert f'name="{name}"' in page
    assert " checked" not in page.split('name="temperature_unit"')[0]  # nothing is answered for the patient
    assert "Same as last time" not in page  # nothing to repeat yet
    assert "I have had none of these" in page


def test_a_later_check_in_shows_last_time_beside_each_question_without_answering_it(site: Site) -> None:
    page = site.client.get(site.link_for("demo-07")).text
    assert "Last time:" in page and "Same as last time" in page
    assert 'value="same" checked' not in page
    assert " checked" not in page.split('name="temperature_unit"')[0]


def test_an_unanswered_warning_sign_list_is_not_saved_as_no(site: Site) -> None:
    link = _new_patient(site, "signs-01")
    page = site.client.get(link).text
    response = site.client.post(f"{link}/checkin", data={**_tokens(page), "leg_pain": "3"})
    assert response.status_code == 422
    assert "Tick each warning sign you have had, or tick “I have had none of these”." in response.text
    assert 'value="3" checked' in response.text  # the answer given is kept
    assert _stored(site, "signs-01") == []


def test_the_answers_are_reviewed_and_saved_only_when_confirmed(site: Site) -> None:
    link = _new_patient(site, "review-01")
    form = {**_tokens(site.client.get(link).text), "leg_pain": "3", "walking_minutes": "20", "no_signs": "1"}
    review = site.client.post(f"{link}/checkin", data=form)
    assert "Check your answers" in review.text and "not saved yet" in review.text
    assert "3 out of 10" in review.text and "Weakness in your leg or foot</dt>\n  <dd>not answered" in review.text
    assert _stored(site, "review-01") == []  # pressing Enter or Send never saves straight away
    saved = site.client.post(f"{link}/checkin", data=_fields([*HIDDEN.findall(review.text), ("step", "save")]))
    # Weakness, rated before surgery, was left blank: saved, then asked about (followups.toml weakness_blank).
    assert "Your check-in is saved" in saved.text and "A few more questions" in saved.text
    [checkin] = _stored(site, "review-01")
    assert checkin["leg_pain"] == 3 and checkin["walking_minutes"] == 20
    assert [checkin[name] for name in RATINGS[1:]] == [None] * 4
    assert checkin["bladder_problem"] is False and checkin["sudden_weakness"] is False  # answered "none"


def test_change_my_answers_goes_back_to_the_form_with_them(site: Site) -> None:
    link = _new_patient(site, "review-02")
    form = {**_tokens(site.client.get(link).text), "weakness": "2", "no_signs": "1", "temperature": "99.5"}
    form["temperature_unit"] = "F"
    review = site.client.post(f"{link}/checkin", data=form)
    assert "37.5 °C" in review.text  # 99.5 °F
    back = site.client.post(f"{link}/checkin/edit", data=_fields(HIDDEN.findall(review.text)))
    assert "How are you today?" in back.text and 'value="2" checked' in back.text and 'value="99.5"' in back.text
    assert _stored(site, "review-02") == []


def test_same_as_last_time_stores_the_last_answer(site: Site) -> None:
    link = _new_patient(site, "same-01")
    _review_then_save(site, link, {**_tokens(site.client.get(link).text), "leg_pain": "4", "no_signs": "1"})
    page = site.client.get(link).text
    assert "Last time: 4." in page
    _review_then_save(site, link, {**_tokens(page), "leg_pain": "same", "no_signs": "1"})
    assert [c["leg_pain"] for c in _stored(site, "same-01")] == [4, 4]


@pytest.mark.parametrize(("given", "unit", "stored"), [("37.2", "C", 37.2), ("99.5", "F", 37.5), ("101", "F", 38.3)])
def test_a_temperature_in_celsius_or_fahrenheit_is_stored_in_celsius(site: Site, given, unit, stored) -> None:
    link = _new_patient(site, f"temp-{unit}-{given}")
    form = {**_tokens(site.client.get(link).text), "temperature": given, "temperature_unit": unit, "no_signs": "1"}
    _review_then_save(site, link, form)
    assert [c["temperature_c"] for c in _stored(site, f"temp-{unit}-{given}")] == [stored]


def test_a_sign_and_none_of_these_together_are_refused(site: Site) -> None:
    link = _new_patient(site, "signs-02")
    form = {**_tokens(site.client.get(link).text), "signs": "wound_redness", "no_signs": "1"}
    response = site.client.post(f"{link}/checkin", data=form)
    assert response.status_code == 422 and "untick one of them" in response.text


def test_an_emergency_sign_with_a_bad_temperature_shows_the_instruction_and_stores_the_rest(site: Site) -> None:
    link = _new_patient(site, "sign-01")
    page = site.client.get(link).text
    form = {**_tokens(page), "signs": "bladder_problem", "temperature": "98.6", "leg_pain": "4"}
    response = site.client.post(f"{link}/checkin", data=form)  # no review: an emergency is saved at once
    text = response.text
    assert response.status_code == 200
    assert text.index("Call the emergency number now") < text.index("Call 112 now")
    assert "Enter a temperature from 30 to 45" in text  # named as left out
    assert "Your clinic will see this report in NerveTrack, but that does not replace calling now." in text
    assert "Show this to the paramedic" in text and "possible cauda equina syndrome" in text
    [checkin] = _stored(site, "sign-01")
    assert checkin["bladder_problem"] is True and checkin["temperature_c"] is None and checkin["leg_pain"] == 4
    assert checkin["wound_redness"] is False  # the list was answered: the signs not ticked are "no"
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
    form = {**_tokens(page), "signs": "saddle_numbness", "temperature": "98.6", "walking_minutes": "15"}
    response = site.client.post(f"{link}/checkin", data=form)
    monkeypatch.undo()
    text = response.text
    assert response.status_code == 422
    assert text.index("Call the emergency number now") < text.index("not saved yet")
    assert "New numbness between your legs or around your bottom" in text
    assert _stored(site, "sign-02") == []
    kept = HIDDEN.findall(text)
    assert (
        ("signs", "saddle_numbness") in kept and ("temperature", "98.6") in kept and ("walking_minutes", "15") in kept
    )

    back = site.client.post(f"{link}/checkin/edit", data=_fields(kept))
    assert back.status_code == 200 and "How are you today?" in back.text
    assert 'value="saddle_numbness" checked' in back.text
    assert 'value="98.6"' in back.text and 'value="15"' in back.text
    assert 'id="e-temperature"' in back.text
    assert _stored(site, "sign-02") == []


def test_an_expired_form_is_shown_again_with_the_answers_and_a_fresh_token(site: Site) -> None:
    link = _new_patient(site, "csrf-01")
    site.client.get(link)
    form = {"csrf_token": "0" * 64, "idempotency_key": "k1", "walking_minutes": "30", "weakness": "0"}
    form["signs"] = "wound_redness"
    response = site.client.post(f"{link}/checkin", data=form)
    text = response.text
    assert response.status_code == 403
    assert "Your form had expired" in text and "How are you today?" in text
    assert 'value="30"' in text and 'value="wound_redness" checked' in text
    fresh = CSRF.search(text).group(1)  # type: ignore[union-attr]
    assert fresh != "0" * 64
    assert _stored(site, "csrf-01") == []
    again = _review_then_save(site, link, {**form, "csrf_token": fresh})
    assert "your check-in is saved" in again.text
    assert [c["walking_minutes"] for c in _stored(site, "csrf-01")] == [30]


def test_an_expired_form_with_an_emergency_sign_shows_the_instruction_first_and_stores_nothing(site: Site) -> None:
    link = _new_patient(site, "csrf-02")
    site.client.cookies.clear()  # the session cookie was lost
    form = {"csrf_token": "stale", "idempotency_key": "k2", "signs": "chest_pain_or_breathlessness"}
    response = site.client.post(f"{link}/checkin", data=form)
    text = response.text
    assert text.index("Call the emergency number now") < text.index("Your form had expired")
    assert "not saved yet" in text and "Chest pain, or sudden shortness of breath" in text
    assert _stored(site, "csrf-02") == []
    kept = HIDDEN.findall(text)
    assert ("signs", "chest_pain_or_breathlessness") in kept and ("csrf_token", "stale") not in kept
    stored = site.client.post(f"{link}/checkin", data=_fields(kept))  # sent again from the kept answers
    assert "Call the emergency number now" in stored.text
    assert [c["chest_pain_or_breathlessness"] for c in _stored(site, "csrf-02")] == [True]


def test_the_emergency_page_gives_a_script_to_read_out_and_a_card_for_the_paramedic(site: Site) -> None:
    link = _new_patient(site, "sign-03")
    page = site.client.get(link).text
    text = site.client.post(f"{link}/checkin", data={**_tokens(page), "signs": "bowel_problem"}).text
    assert "has also been alerted" not in text
    assert "What to say when they answer" in text and "I had microdiscectomy surgery on my lower back" in text
    assert "at L5-S1" in text and "I have had: new loss of control of your bowels" in text
    card = text[text.index('id="paramedic-card"') :]
    assert "Microdiscectomy" in card and "L5-S1" in card and site.seed.demo.clinic_name in card
    assert "possible cauda equina syndrome" in card


def test_the_emergency_number_comes_from_the_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NERVETRACK_EMERGENCY_NUMBER", "999")
    assert Settings().emergency_number == "999"
    site = make_site(tmp_path, emergency_number="999")
    link = _new_patient(site, "number-01")
    page = site.client.get(link).text
    text = site.client.post(f"{link}/checkin", data={**_tokens(page), "signs": "bladder_problem"}).text
    assert 'href="tel:999"' in text and "Call 999 now" in text and "112" not in text
    assert "or your local emergency number" in text
    site.client.close()


def test_the_emergency_number_is_112_by_default() -> None:
    assert Settings().emergency_number == "112"


def test_corrected_answers_sent_with_the_same_form_key_are_stored_as_a_new_check_in(site: Site) -> None:
    # the emergency page keeps the answers and the key; the patient fixes the temperature and sends again
    link = _new_patient(site, "resend-01")
    tokens = _tokens(site.client.get(link).text)
    first = {**tokens, "signs": "bladder_problem", "temperature": "98.6", "leg_pain": "4"}
    site.client.post(f"{link}/checkin", data=first)
    site.client.post(f"{link}/checkin", data=first)  # a double click: nothing more is stored
    assert len(_stored(site, "resend-01")) == 1
    corrected = {**first, "temperature": "37.2"}
    response = site.client.post(f"{link}/checkin", data=corrected)
    assert "Call the emergency number now" in response.text
    stored = _stored(site, "resend-01")
    assert [c["temperature_c"] for c in stored] == [None, 37.2]
