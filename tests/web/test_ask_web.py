"""Questions over HTTP: POST /api/v1/ask (API token) and the patient's question box at /p/{token}/ask."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from pages_support import CSRF, Site, make_site
from test_api import Api, api, patient, patient_json  # noqa: F401  (fixtures)
from tests.records import checkin, record


def test_the_api_answers_with_the_contract_and_the_instruction_first(api: Api) -> None:  # noqa: F811
    response = api.call("POST", "/ask", json={"question": "numb between my legs since this morning"})
    assert response.status_code == 200
    data = response.json()
    assert data["level"] == "emergency" and data["instruction"].startswith("Possible emergency")
    assert data["answers"][0]["id"] == "a-sign-cauda-equina" and data["no_answer"] is False


def test_the_api_puts_the_records_numbers_beside_the_answers(api: Api) -> None:  # noqa: F811
    body = {"question": "how long does numbness last", "record": record(checkin(30, numbness=3))}
    answers = api.call("POST", "/ask", json=body).json()["answers"]
    assert answers[0]["yours"]["days_since_surgery"] == 30


def test_the_api_reads_a_patient_of_the_tokens_clinic_only(api: Api, patient: str) -> None:  # noqa: F811
    mine = api.call("POST", "/ask", json={"question": "when can I drive", "patient_id": patient})
    assert mine.status_code == 200 and mine.json()["answers"][0]["yours"]["phase"]["code"]
    other = api.call("POST", "/ask", token=api.token_b, json={"question": "when can I drive", "patient_id": patient})
    assert other.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [({"question": ""}, "question"), ({"question": "x", "record": {"patient": {}}}, "patient")],
)
def test_bad_input_gets_a_problem_naming_the_field(api: Api, body: dict, field: str) -> None:  # noqa: F811
    response = api.call("POST", "/ask", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in response.text


def test_the_api_needs_a_token(api: Api) -> None:  # noqa: F811
    assert api.client.post("/api/v1/ask", json={"question": "when can I drive"}).status_code == 401


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    built = make_site(tmp_path_factory.mktemp("ask"))
    yield built
    built.client.close()


def _ask(site: Site, link: str, question: str) -> object:
    token = CSRF.search(site.client.get(f"{link}/ask").text).group(1)  # type: ignore[union-attr]
    return site.client.post(f"{link}/ask", data={"csrf_token": token, "question": question})


def test_the_recovery_page_has_the_question_box(site: Site) -> None:
    link = site.link_for(site.seed.patient_ids[0])
    page = site.client.get(f"{link}/recovery").text
    assert f'action="{link}/ask"' in page and 'name="question"' in page


def test_the_patient_gets_answers_with_their_own_numbers(site: Site) -> None:
    link = site.link_for(site.seed.patient_ids[0])
    response = _ask(site, link, "how long until the numbness goes away?")
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "How long numbness takes to fade" in response.text and "after surgery (" in response.text  # type: ignore[attr-defined]


def test_a_warning_sign_leads_the_page_with_the_call_now_instruction(site: Site) -> None:
    link = site.link_for(site.seed.patient_ids[0])
    text = _ask(site, link, "I can't feel when I need to pee").text  # type: ignore[attr-defined]
    assert 'id="instruction"' in text and text.index('id="instruction"') < text.index('id="answers"')
    assert 'href="tel:' in text


def test_a_question_without_a_valid_form_token_is_not_answered(site: Site) -> None:
    link = site.link_for(site.seed.patient_ids[0])
    response = site.client.post(f"{link}/ask", data={"csrf_token": "0" * 64, "question": "when can I drive"})
    assert response.status_code == 403 and "Driving again" not in response.text


def test_an_unknown_link_gets_no_answers(site: Site) -> None:
    assert "Driving again" not in site.client.get("/p/not-a-real-link/ask").text
