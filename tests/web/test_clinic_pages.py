"""The clinician's pages a busy spine nurse relies on: the clinic's contact settings reach the patient's pages,
alerts show what raised them in local time, one note closes several alerts, the audit trail reads as sentences
a page at a time, links come with a QR code and hand-out, and revoking asks first."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from pages_support import CSRF, Site, make_site

from nervetrack.services import clock
from nervetrack.services.checkins import record_checkin
from nervetrack.services.clinics import get_clinic, update_clinic
from nervetrack.services.patients import add_patient, get_patient
from nervetrack.services.views import Actor


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    built = make_site(tmp_path_factory.mktemp("clinic-pages"))
    built.log_in(built.seed.demo.email, built.seed.demo.password)
    yield built
    built.client.close()


def _patient_with_an_episode(site: Site, patient_id: str) -> list[int]:
    """A patient 9 days after surgery whose check-in raised several alerts at once; their alert ids."""
    actor = Actor.system(site.seed.demo.clinic_id)
    surgery = clock.today() - dt.timedelta(days=9)
    add_patient(
        site.uow,
        actor,
        {
            "patient": {"id": patient_id, "birth_year": 1958},
            "surgery": {"date": surgery.isoformat(), "procedure": "microdiscectomy", "levels": ["L4-L5"]},
            "contact": {"phone": "+44 7700 900456"},
        },
    )
    raised = record_checkin(
        site.uow,
        actor,
        patient_id,
        {"date": clock.today().isoformat(), "bladder_problem": True, "saddle_numbness": True, "temperature_c": 38.9},
    )
    assert len(raised.new_alerts) >= 2
    return [a.id for a in raised.new_alerts]


def test_the_clinics_settings_reach_the_patients_pages_and_a_bad_zone_is_refused(site: Site) -> None:
    token = site.csrf("/clinic/settings")
    bad = site.client.post(
        "/clinic/settings",
        data={"csrf_token": token, "phone": "+44 161 496 0000", "hours": "Mon-Fri 9-17", "timezone": "Mars/Base"},
    )
    assert bad.status_code == 422 and 'id="e-timezone"' in bad.text and "Europe/London" in bad.text
    assert get_clinic(site.uow, site.seed.demo.clinic_id).phone == "+44 20 7946 0000"  # nothing half-saved

    form = {
        "csrf_token": token,
        "phone": "+44 161 496 0000",
        "hours": "Monday to Friday, 9:00 to 17:00",
        "out_of_hours": "call the ward on +44 161 496 0001.",
        "timezone": "Europe/London",
    }
    assert "Settings saved" in site.client.post("/clinic/settings", data=form).text
    page = site.client.get(site.link_for("demo-03") + "/recovery").text  # an urgent patient
    assert 'href="tel:+441614960000"' in page
    assert "Monday to Friday, 9:00 to 17:00" in page and "call the ward on +44 161 496 0001." in page
    when = site.client.get(site.link_for("demo-06") + "/when-to-call").text
    assert 'href="tel:+441614960000"' in when


def test_a_patient_page_without_a_clinic_phone_points_to_the_discharge_letter(site: Site) -> None:
    other = site.seed.other.clinic_id
    update_clinic(site.uow, Actor.system(other), phone="", hours="", out_of_hours="", timezone="UTC")
    actor = Actor.system(other)
    add_patient(
        site.uow,
        actor,
        {"patient": {"id": "nophone-01", "birth_year": 1970}, "surgery": {"date": "2026-11-01", "procedure": "fusion"}},
    )
    record_checkin(site.uow, actor, "nophone-01", {"date": clock.today().isoformat(), "wound_drainage": True})
    page = site.client.get(site.link_for("nophone-01", other) + "/recovery").text
    assert "use the number on your discharge letter" in page


def test_alerts_show_their_evidence_in_local_time_and_one_note_closes_several(site: Site) -> None:
    ids = _patient_with_an_episode(site, "episode-01")
    page = site.client.get("/clinic/patients/episode-01").text
    assert "+44 7700 900456" in page  # the patient's contact number
    alerts = page[page.index('id="alerts"') : page.index("</table>", page.index('id="alerts"'))]
    assert "38.9" in alerts  # the value that raised the fever alert
    assert re.search(r"\d{2}:\d{2} (GMT|BST)", alerts), "times in the clinic's zone, named"

    token = CSRF.search(page).group(1)  # type: ignore[union-attr]
    no_note = site.client.post(
        "/clinic/patients/episode-01/alerts/acknowledge",
        data={"csrf_token": token, "alert": [str(i) for i in ids], "note": " "},
    )
    assert "Write what was done" in no_note.text
    actor = Actor.system(site.seed.demo.clinic_id)
    assert all(a.is_open for a in get_patient(site.uow, actor, "episode-01").alerts)

    done = site.client.post(
        "/clinic/patients/episode-01/alerts/acknowledge",
        data={"csrf_token": token, "alert": [str(i) for i in ids], "note": "Phoned; sent to A&E."},
    )
    assert "Alerts acknowledged" in done.text
    closed = get_patient(site.uow, actor, "episode-01").alerts
    assert not any(a.is_open for a in closed) and {a.note for a in closed} == {"Phoned; sent to A&E."}


def test_the_audit_trail_reads_as_sentences_a_page_at_a_time(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    from nervetrack.web.routes import clinician_patients

    _patient_with_an_episode(site, "audit-01")
    for _ in range(4):
        site.client.get("/clinic/patients/audit-01")
    monkeypatch.setattr(clinician_patients, "AUDIT_PAGE", 3)
    first = site.client.get("/clinic/patients/audit-01").text
    trail = first[first.index('id="audit"') :]
    assert "Dr Demo" in trail and "opened the record of audit-01" in trail
    assert "patient.read" not in trail and "patient 2" not in trail
    assert 'rel="next"' in trail and "Page 1 of" in trail
    rows = re.findall(r"<tr><td class=\"nowrap\">", trail)
    assert len(rows) == 3
    second = site.client.get("/clinic/patients/audit-01?audit=2").text
    assert "Page 2 of" in second and 'rel="prev"' in second


def test_a_new_link_comes_with_a_qr_code_and_a_printable_hand_out(site: Site) -> None:
    token = site.csrf("/clinic/patients/demo-15")
    issued = site.client.post("/clinic/patients/demo-15/link", data={"csrf_token": token}).text
    link = re.search(r'id="patient-link">([^<]+)<', issued).group(1)  # type: ignore[union-attr]
    assert '<svg role="img" aria-label="QR code of the check-in link"' in issued
    handout = issued[issued.index('id="hand-out"') :]
    assert link in handout and "In an emergency" in handout
    assert site.client.get(link.replace("http://testserver", "")).status_code == 200


def test_revoking_asks_first_and_another_clinic_cannot_be_asked(site: Site) -> None:
    link = site.link_for("demo-14")
    ask = site.client.get("/clinic/patients/demo-14/link/revoke")
    assert ask.status_code == 200 and "Yes, revoke the links" in ask.text
    token = CSRF.search(ask.text).group(1)  # type: ignore[union-attr]
    site.client.post("/clinic/patients/demo-14/link/revoke", data={"csrf_token": token})
    assert site.client.get(link).status_code == 200  # not confirmed: nothing revoked
    site.client.post("/clinic/patients/demo-14/link/revoke", data={"csrf_token": token, "confirm": "yes"})
    assert site.client.get(link).status_code == 404
    site.log_in(site.seed.demo.email, site.seed.demo.password)  # the patient page cleared no login; be sure
    assert site.client.get("/clinic/patients/nophone-01/link/revoke").status_code == 404
