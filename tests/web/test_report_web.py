"""The recovery report's downloads: the API, the clinician's patient page and the patient's own pages."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from pages_support import Site, make_site
from test_api import Api, api, patient  # noqa: F401  (fixtures)


def test_the_api_returns_the_pdf_of_its_own_clinics_patient(api: Api, patient: str) -> None:  # noqa: F811
    response = api.call("GET", f"/patients/{patient}/report.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and "attachment" in response.headers["content-disposition"]
    assert api.call("GET", f"/patients/{patient}/report.pdf", token=api.token_b).status_code == 404


def test_the_api_refuses_an_unknown_page_size_naming_it(api: Api, patient: str) -> None:  # noqa: F811
    response = api.call("GET", f"/patients/{patient}/report.pdf?page_size=A3")
    assert response.status_code == 422 and "page_size" in response.text


def test_the_api_report_needs_a_token(api: Api, patient: str) -> None:  # noqa: F811
    assert api.client.get(f"/api/v1/patients/{patient}/report.pdf").status_code == 401


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    built = make_site(tmp_path_factory.mktemp("report"))
    yield built
    built.client.close()


def test_the_patient_downloads_their_own_report_from_the_recovery_page(site: Site) -> None:
    site.client.cookies.clear()
    link = site.link_for(site.seed.patient_ids[0])
    assert f'href="{link}/report.pdf"' in site.client.get(f"{link}/recovery").text
    response = site.client.get(f"{link}/report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_clinician_downloads_the_report_from_the_patient_page(site: Site) -> None:
    site.client.cookies.clear()
    site.log_in(site.seed.demo.email, site.seed.demo.password)
    pid = site.seed.patient_ids[0]
    assert f'href="/clinic/patients/{pid}/report.pdf"' in site.client.get(f"/clinic/patients/{pid}").text
    response = site.client.get(f"/clinic/patients/{pid}/report.pdf?page_size=Letter")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    site.client.cookies.clear()
    site.log_in(site.seed.other.email, site.seed.other.password)
    assert not site.client.get(f"/clinic/patients/{pid}/report.pdf").content.startswith(b"%PDF")
    site.client.cookies.clear()


def test_a_reminders_signed_check_in_link_downloads_the_report_too(site: Site) -> None:
    """A reminder's short-lived link (signed with the secret key) opens the same pages as the permanent one."""
    import datetime as dt

    from sqlalchemy import select

    from nervetrack.adapters.db.tables import Patient
    from nervetrack.services.checkin_links import issue_checkin_link

    site.client.cookies.clear()
    ref = site.seed.patient_ids[0]
    site.link_for(ref)  # reminder links work while the patient's own link is on
    with site.uow as uow:
        pk = uow.session.scalars(select(Patient.id).where(Patient.ref == ref)).first()
        assert pk is not None
        token = issue_checkin_link(uow.session, "test-secret-key", pk, None, 48, dt.datetime.now(dt.UTC))
        uow.commit()
    response = site.client.get(f"/p/{token}/report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF"), response.text[:300]
