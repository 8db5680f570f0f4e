"""The HTML pages through the ASGI app: CSRF, patient links, clinic isolation, cookies, security headers."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from pages_support import CSRF, IDEMPOTENCY, Site, make_site

from nervetrack.services import clock
from nervetrack.services.checkins import record_checkin
from nervetrack.services.patients import add_patient, get_patient
from nervetrack.services.views import Actor


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    built = make_site(tmp_path_factory.mktemp("pages"))
    yield built
    built.client.close()


@pytest.fixture
def clinician(site: Site) -> Iterator[Site]:
    site.client.cookies.clear()
    site.log_in(site.seed.demo.email, site.seed.demo.password)
    yield site
    site.client.cookies.clear()


def _checkin(site: Site, link: str, **fields: str) -> object:
    page = site.client.get(link).text
    form = {"csrf_token": CSRF.search(page).group(1), "idempotency_key": IDEMPOTENCY.search(page).group(1)}  # type: ignore[union-attr]
    return site.client.post(f"{link}/checkin", data={**form, **fields})


def test_a_check_in_without_a_csrf_token_is_not_stored_and_the_form_is_shown_again(site: Site) -> None:
    link = site.link_for("demo-13")
    site.client.get(link)
    response = site.client.post(f"{link}/checkin", data={"leg_pain": "3", "idempotency_key": "x", "no_signs": "1"})
    assert response.status_code == 403
    assert "Your form had expired, so your check-in was not sent." in response.text
    assert 'name="leg_pain" value="3" checked' in response.text  # the answer is kept for the patient


def test_a_forged_csrf_token_is_rejected_on_login(site: Site) -> None:
    site.client.get("/clinic/login")
    response = site.client.post(
        "/clinic/login",
        data={"csrf_token": "0" * 64, "email": site.seed.demo.email, "password": site.seed.demo.password},
    )
    assert response.status_code == 403


def test_every_form_carries_a_csrf_token(clinician: Site) -> None:
    for path in ("/clinic/", "/clinic/patients/new", "/clinic/patients/demo-03", "/clinic/login"):
        page = clinician.client.get(path).text
        assert page.count('<form method="post"') == len(CSRF.findall(page)), path


def test_a_revoked_link_shows_a_clear_page_and_no_data(clinician: Site) -> None:
    link = clinician.link_for("demo-14")
    assert clinician.client.get(link).status_code == 200
    token = CSRF.search(clinician.client.get("/clinic/patients/demo-14").text).group(1)  # type: ignore[union-attr]
    unconfirmed = clinician.client.post("/clinic/patients/demo-14/link/revoke", data={"csrf_token": token})
    assert "Revoke" in unconfirmed.text and clinician.client.get(link).status_code == 200  # asked first
    clinician.client.post("/clinic/patients/demo-14/link/revoke", data={"csrf_token": token, "confirm": "yes"})
    for path in (link, f"{link}/recovery"):
        response = clinician.client.get(path)
        assert response.status_code == 404
        assert "This link does not work" in response.text
        assert "demo-14" not in response.text and "chart" not in response.text


def test_an_unknown_link_shows_the_clear_page(site: Site) -> None:
    response = site.client.get("/p/made-up")
    assert response.status_code == 404
    assert "This link does not work" in response.text


def test_a_retried_check_in_is_stored_once(site: Site) -> None:
    link = site.link_for("demo-19")
    page = site.client.get(link).text
    form = {
        "csrf_token": CSRF.search(page).group(1),  # type: ignore[union-attr]
        "idempotency_key": "retry-1",
        "leg_pain": "1",
        "no_signs": "1",
        "step": "save",
    }
    site.client.post(f"{link}/checkin", data=form)
    site.client.post(f"{link}/checkin", data=form)
    site.log_in(site.seed.demo.email, site.seed.demo.password)
    exported = json.loads(site.client.get("/clinic/patients/demo-19/export.json").text)
    assert [c["leg_pain"] for c in exported["checkins"]].count(1) == 1 + 0  # the demo course has none at 1
    site.client.cookies.clear()


def test_bad_values_are_shown_beside_the_field_with_the_allowed_range(site: Site) -> None:
    response = _checkin(site, site.link_for("demo-17"), temperature="50", walking_minutes="lots", no_signs="1")
    assert response.status_code == 422  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert 'id="e-temperature">Enter a temperature from 30 to 45 °C (86 to 113 °F)' in text
    assert 'id="e-walking_minutes">Enter minutes as a whole number from 0 to 1440' in text


def test_a_new_bladder_problem_leads_to_the_emergency_instruction(site: Site) -> None:
    response = _checkin(site, site.link_for("demo-16"), signs="bladder_problem")
    assert response.status_code == 200  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert "Call the emergency number now" in text
    assert text.index("Call the emergency number now") < text.index("Call 112 now")
    assert "<svg" not in text


def test_the_patient_recovery_page_shows_charts_and_sources(site: Site) -> None:
    text = site.client.get(site.link_for("demo-07") + "/recovery").text
    assert text.count('role="img"') == 6
    assert "What is normal now" in text and "What to focus on" in text and "When to call" in text
    assert "Where this information comes from" in text  # one collapsed list at the bottom
    assert text.index("Where this information comes from") > text.index("Your symptoms")


def test_the_odi_section_is_labelled_by_name_only(site: Site) -> None:
    text = site.client.get(site.link_for("demo-07")).text
    assert "Pain intensity" in text and "0 = no pain now" in text
    assert "I have no pain at the moment" not in text  # the questionnaire's own statements are not shipped


def test_the_clinic_pages_need_a_login(site: Site) -> None:
    site.client.cookies.clear()
    response = site.client.get("/clinic/patients/demo-01", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/clinic/login"


def test_a_wrong_password_is_refused_and_repeated_failures_are_rate_limited(tmp_path: Path) -> None:
    site = make_site(tmp_path)  # its own app: the limiter counts failures per address
    statuses = []
    for _ in range(7):
        token = site.csrf("/clinic/login")
        response = site.client.post(
            "/clinic/login", data={"csrf_token": token, "email": "nobody@clinic.example", "password": "wrong"}
        )
        statuses.append(response.status_code)
    assert statuses[0] == 401 and statuses[-1] == 429
    assert "Too many failed attempts" in response.text


def test_the_session_cookie_is_httponly_and_samesite(site: Site) -> None:
    site.client.cookies.clear()
    response = site.client.get("/clinic/login")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie


def test_the_session_cookie_is_secure_by_default(tmp_path: Path) -> None:
    """With the default settings the browser is told to send the cookie over HTTPS only."""
    from fastapi.testclient import TestClient

    from nervetrack.config import Settings
    from nervetrack.web.app import create_app

    app = create_app(Settings(data_dir=tmp_path, secret_key="test-secret"))
    with TestClient(app, base_url="https://testserver") as client:
        cookies = client.get("/clinic/login").headers.get_list("set-cookie")
    assert cookies, "the login page sets its session cookie"
    for cookie in cookies:
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert "secure" in attributes and "httponly" in attributes, cookie


def test_a_clinician_sees_only_their_own_clinic(site: Site) -> None:
    site.client.cookies.clear()
    site.log_in(site.seed.other.email, site.seed.other.password)
    assert "demo-01" not in site.client.get("/clinic/").text
    assert site.client.get("/clinic/patients/demo-01").status_code == 404
    assert site.client.get("/clinic/patients/demo-01/export.json").status_code == 404
    site.client.cookies.clear()


def _open_alert_levels(page: str) -> list[str]:
    """Each row's open-alert level, top to bottom ("none" when it has no open alert)."""
    rows = re.findall(r"<tr>\s*<th scope=\"row\">.*?</th>\s*<td>(.*?)</td>", page, re.S)
    return [m.group(1) if (m := re.search(r'class="level level-(\w+)"', cell)) else "none" for cell in rows]


def test_the_dashboard_lists_emergencies_first_and_filters(clinician: Site) -> None:
    levels = _open_alert_levels(clinician.client.get("/clinic/?q=demo").text)
    rank = {"emergency": 3, "urgent": 2, "soon": 1, "routine": 0, "none": 0}
    assert levels[0] == "emergency" and len(set(levels)) >= 3, levels
    assert [rank[lv] for lv in levels] == sorted((rank[lv] for lv in levels), reverse=True), levels
    filtered = clinician.client.get("/clinic/?procedure=fusion&q=demo").text
    assert "demo-03" in filtered and "demo-01" not in filtered


def test_the_dashboard_pages_through_a_clinic_larger_than_one_page(
    clinician: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nervetrack.web.routes import clinician as routes

    monkeypatch.setattr(routes, "PAGE_SIZE", 8)
    first = clinician.client.get("/clinic/?q=demo").text
    assert "showing 1 to 8" in first and 'rel="prev"' not in first
    next_url = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    assert "q=demo" in next_url and "page=2" in next_url
    second = clinician.client.get(next_url).text
    assert "showing 9 to 16" in second and 'rel="prev"' in second
    ids = set(re.findall(r'<th scope="row"><a href="/clinic/patients/([^"]+)"', first))
    assert ids.isdisjoint(re.findall(r'<th scope="row"><a href="/clinic/patients/([^"]+)"', second))
    assert "showing 1 to 8" in clinician.client.get("/clinic/?page=abc").text


def test_a_clinician_adds_a_patient_and_issues_a_link_shown_once(clinician: Site) -> None:
    token = clinician.csrf("/clinic/patients/new")
    form = {
        "csrf_token": token,
        "id": "new-77",
        "birth_year": "1960",
        "sex": "female",
        "date": "2026-01-05",
        "procedure": "laminectomy",
        "approach": "open",
        "diabetes": "no",
        "smoker": "no",
        "levels": "L4-L5",
        "baseline_leg_pain": "7",
    }
    response = clinician.client.post("/clinic/patients", data=form)
    assert response.status_code == 200 and "Patient new-77" in response.text
    token = CSRF.search(response.text).group(1)  # type: ignore[union-attr]
    issued = clinician.client.post("/clinic/patients/new-77/link", data={"csrf_token": token})
    assert "This link is shown only once" in issued.text
    assert "http://testserver/p/" in issued.text
    again = clinician.client.get("/clinic/patients/new-77").text
    assert "/p/" not in again.replace('action="/clinic/patients', "")


def test_adding_a_patient_with_bad_fields_shows_messages_beside_them(clinician: Site) -> None:
    token = clinician.csrf("/clinic/patients/new")
    form = {"csrf_token": token, "id": "bad id!", "birth_year": "1800", "date": "", "procedure": "laminectomy"}
    response = clinician.client.post("/clinic/patients", data=form)
    assert response.status_code == 422
    assert 'id="e-id"' in response.text and 'id="e-birth_year"' in response.text


def test_pages_carry_the_security_headers(site: Site) -> None:
    for path in ("/clinic/login", site.link_for("demo-05"), "/p/nope"):
        headers = site.client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"


def test_pages_have_no_inline_scripts_or_style_attributes(clinician: Site) -> None:
    for path in ("/clinic/", "/clinic/patients/demo-03", "/clinic/patients/new", clinician.link_for("demo-05")):
        text = clinician.client.get(path).text
        assert "<script>" not in text and "style=" not in text and "<style" not in text, path


def test_the_old_login_address_leads_to_the_clinic_login(site: Site) -> None:
    response = site.client.get("/login", follow_redirects=False)
    assert response.status_code == 308 and response.headers["location"] == "/clinic/login"
    assert "Log in" in site.client.get("/login").text


def test_an_alert_cannot_be_acknowledged_under_another_patients_address(clinician: Site) -> None:
    actor = Actor.system(clinician.seed.demo.clinic_id)
    add_patient(
        clinician.uow,
        actor,
        {
            "patient": {"id": "ack-01", "birth_year": 1970},
            "surgery": {"date": (clock.today() - dt.timedelta(days=9)).isoformat(), "procedure": "laminectomy"},
        },
    )
    raised = record_checkin(
        clinician.uow, actor, "ack-01", {"date": clock.today().isoformat(), "bladder_problem": True}
    )
    alert_id = raised.new_alerts[0].id
    token = clinician.csrf("/clinic/patients/demo-02")
    wrong = clinician.client.post(
        "/clinic/patients/demo-02/alerts/acknowledge", data={"csrf_token": token, "alert": str(alert_id), "note": "x"}
    )
    assert wrong.status_code == 404
    assert any(a.is_open for a in get_patient(clinician.uow, actor, "ack-01").alerts)
    right = clinician.client.post(
        "/clinic/patients/ack-01/alerts/acknowledge",
        data={"csrf_token": token, "alert": str(alert_id), "note": "called"},
    )
    assert right.status_code == 200 and "acknowledged" in right.text.lower()
    assert not any(a.is_open for a in get_patient(clinician.uow, actor, "ack-01").alerts)
