"""Bad input never gets a 500, on SQLite and on PostgreSQL: NUL characters anywhere, integers beyond the
database's columns, over-long keys and lists are refused with a 4xx naming the field, and a warning sign
on the patient's form is stored even when another field of the form is unreadable."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).parent))
from pages_support import CSRF, IDEMPOTENCY, Site, make_site
from tests.pg import PostgresServer, acquire, release

from nervetrack.adapters.db.tables import Alert, Checkin, Patient
from nervetrack.services import clock
from nervetrack.services.patients import add_patient
from nervetrack.services.tokens import create_api_token
from nervetrack.services.views import Actor

HUGE = [str(2**31), str(2**63), str(10**30)]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    overrides: dict[str, Any] = {}
    server: PostgresServer | None = None
    if request.param == "postgresql":
        server = acquire()
        overrides["database_url"] = server.new_database()
    built = make_site(tmp_path_factory.mktemp("bad-input"), **overrides)
    built.token = create_api_token(built.uow, built.seed.demo.clinic_id, "ehr").secret  # type: ignore[attr-defined]
    yield built
    built.client.close()
    if server is not None:
        release()


def _api(site: Site, method: str, path: str, **kwargs: Any) -> Any:
    headers = {"Authorization": f"Bearer {site.token}", **kwargs.pop("headers", {})}  # type: ignore[attr-defined]
    return site.client.request(method, f"/api/v1{path}", headers=headers, **kwargs)


def _refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [e["field"] for e in response.json()["errors"]], response.json()


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("name", ["offset", "limit"])
def test_huge_integers_in_the_query_are_refused_naming_the_parameter(site: Site, name: str, value: str) -> None:
    _refused(_api(site, "GET", f"/patients?{name}={value}"), name)


@pytest.mark.parametrize("value", HUGE)
def test_an_alert_id_beyond_the_database_is_refused_naming_it(site: Site, value: str) -> None:
    _refused(_api(site, "POST", f"/alerts/{value}/acknowledge", json={"note": "seen"}), "alert_id")


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/patients?search=a%00b", "search"),
        ("/patients?procedure=%00", "procedure"),
        ("/patients?phase=x%00", "phase"),
        ("/patients/p%00x", "path"),
        ("/patients/p%00x/assessment", "path"),
    ],
)
def test_a_nul_in_the_query_or_path_is_refused_naming_it(site: Site, path: str, field: str) -> None:
    _refused(_api(site, "GET", path), field)


def _a_patient_with_an_alert(site: Site, patient_id: str) -> int:
    surgery = clock.today() - dt.timedelta(days=10)
    data = {
        "patient": {"id": patient_id, "birth_year": 1960},
        "surgery": {"date": surgery.isoformat(), "procedure": "fusion"},
    }
    assert _api(site, "POST", "/patients", json=data).status_code == 201
    checkin = {"date": clock.today().isoformat(), "bladder_problem": True}
    return int(_api(site, "POST", f"/patients/{patient_id}/checkins", json=checkin).json()["new_alerts"][0]["id"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"note": "seen\u0000"}, "note"),
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_a_bad_acknowledgement_note_is_refused_and_the_alert_stays_open(site: Site, body: Any, field: str) -> None:
    alert = _a_patient_with_an_alert(site, f"ack-{len(str(body))}")
    _refused(_api(site, "POST", f"/alerts/{alert}/acknowledge", json=body), field)
    with site.uow as uow:
        assert uow.session.get_one(Alert, alert).acknowledged_at is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"patient": {"id": "p\u0000", "birth_year": 1960}}, "patient.id"),
        ({"patient": {"id": "p-" + "x" * 70, "birth_year": 1960}}, "patient.id"),
        ({"patient": {"id": "p-big", "birth_year": 2**64}}, "patient.birth_year"),
        ({"surgery": {"date": "2026-01-01", "procedure": "fusion", "levels": ["L4-L5\u0000"]}}, "surgery.levels[0]"),
        ({"surgery": {"date": "2026-01-01", "procedure": "fusion", "levels": ["L4-L5"] * 7}}, "surgery.levels"),
        ({"contact": {"phone": "123\u0000456"}}, "contact.phone"),
    ],
)
def test_a_bad_new_patient_is_refused_naming_the_field_and_nothing_is_stored(
    site: Site, change: dict[str, Any], field: str
) -> None:
    data = {
        "patient": {"id": "p-bad", "birth_year": 1960},
        "surgery": {"date": "2026-01-01", "procedure": "fusion"},
        **change,
    }
    with site.uow as uow:
        before = uow.session.scalar(select(func.count()).select_from(Patient))
    _refused(_api(site, "POST", "/patients", json=data), field)
    with site.uow as uow:
        assert uow.session.scalar(select(func.count()).select_from(Patient)) == before


@pytest.mark.parametrize(
    ("body", "headers", "field"),
    [
        ({"leg_pain": 2, "follow_up": {"weakness_sudden\u0000": True}}, {}, "follow_up"),
        ({"leg_pain": 2, "follow_up": {"wound_fluid": "clear\u0000"}}, {}, "follow_up.wound_fluid"),
        ({"leg_pain": 2**63}, {}, "leg_pain"),
        ({"leg_pain": 2}, {"Idempotency-Key": "k" * 201}, "idempotency-key"),
    ],
)
def test_a_bad_check_in_is_refused_naming_the_field_and_nothing_is_stored(
    site: Site, body: dict[str, Any], headers: dict[str, str], field: str
) -> None:
    patient_id = site.seed.patient_ids[0]
    with site.uow as uow:
        before = uow.session.scalar(select(func.count()).select_from(Checkin))
    data = {"date": clock.today().isoformat(), **body}
    _refused(_api(site, "POST", f"/patients/{patient_id}/checkins", json=data, headers=headers), field)
    with site.uow as uow:
        assert uow.session.scalar(select(func.count()).select_from(Checkin)) == before


def test_a_follow_up_check_in_id_beyond_the_database_is_refused(site: Site) -> None:
    patient_id = site.seed.patient_ids[0]
    response = _api(site, "POST", f"/patients/{patient_id}/checkins/{2**63}/follow-up", json={"answers": {"x": 1}})
    _refused(response, "checkin_id")


# The patient's form ------------------------------------------------------------------------------------------


def _patient(site: Site, patient_id: str) -> str:
    surgery = clock.today() - dt.timedelta(days=10)
    data = {
        "patient": {"id": patient_id, "birth_year": 1965},
        "surgery": {"date": surgery.isoformat(), "procedure": "fusion"},
    }
    add_patient(site.uow, Actor.system(site.seed.demo.clinic_id), data)
    return site.link_for(patient_id)


def _post_form(site: Site, link: str, **fields: Any) -> Any:
    page = site.client.get(link).text
    data = {
        "csrf_token": CSRF.search(page).group(1),  # type: ignore[union-attr]
        "idempotency_key": IDEMPOTENCY.search(page).group(1),  # type: ignore[union-attr]
        "step": "save",
        **fields,
    }
    return site.client.post(f"{link}/checkin", data=data)


def _stored_checkins(site: Site, patient_id: str) -> tuple[int, list[str]]:
    with site.uow as uow:
        pk = uow.session.scalar(select(Patient.id).where(Patient.ref == patient_id))
        count = uow.session.scalar(select(func.count()).select_from(Checkin).where(Checkin.patient_id == pk)) or 0
        codes = list(uow.session.scalars(select(Alert.code).where(Alert.patient_id == pk)))
        return count, codes


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        ({"idempotency_key": "k" * 300}, "long-key"),
        ({"idempotency_key": "bad key\u0000"}, "nul-key"),
        ({"leg_pain": "4\u0000"}, "nul-rating"),
        ({"leg_pain": "²"}, "superscript-rating"),
        ({"leg_pain": "9" * 5000}, "huge-rating"),
        ({"temperature": "1e400"}, "infinite-temperature"),
    ],
)
def test_a_bladder_problem_is_stored_with_its_alert_whatever_else_on_the_form_is_unreadable(
    site: Site, fields: dict[str, str], name: str
) -> None:
    link = _patient(site, f"form-{name}")
    response = _post_form(site, link, signs="bladder_problem", **fields)
    assert response.status_code == 200, response.text
    assert "not saved" not in response.text
    count, codes = _stored_checkins(site, f"form-{name}")
    assert count == 1
    assert "cauda_equina" in codes


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        ({"idempotency_key": "k" * 300}, "long-key"),
        ({"leg_pain": "4\u0000"}, "nul-rating"),
        ({"leg_pain": "²"}, "superscript-rating"),
        ({"odi_0": "9" * 5000}, "huge-odi"),
    ],
)
def test_an_unreadable_field_without_a_warning_sign_brings_the_form_back_and_stores_nothing(
    site: Site, fields: dict[str, str], name: str
) -> None:
    link = _patient(site, f"plain-{name}")
    response = _post_form(site, link, **{"no_signs": "1", "leg_pain": "3", **fields})
    assert response.status_code == 422, response.text
    assert _stored_checkins(site, f"plain-{name}")[0] == 0
    key = IDEMPOTENCY.search(response.text).group(1)  # type: ignore[union-attr]
    assert len(key) <= 200


def test_a_nul_in_a_clinician_page_query_is_refused(site: Site) -> None:
    site.log_in(site.seed.demo.email, site.seed.demo.password)
    response = site.client.get("/clinic/?q=a%00b")
    assert response.status_code == 422
    assert "q" in response.text
    assert site.client.get("/clinic/?page=²").status_code == 200
