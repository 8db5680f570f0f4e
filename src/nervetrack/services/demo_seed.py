"""Seed the demo: a demo clinic with 20 patients across all triage levels, and a second clinic.

Check-ins go through record_checkin (each assessed as of its own date), so alerts exist as in real use.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select

from nervetrack.adapters.db.tables import Clinic
from nervetrack.demo import demo_record_dicts
from nervetrack.services import clock
from nervetrack.services.checkins import record_checkin
from nervetrack.services.clinics import create_clinic, create_clinician, set_password, update_clinic
from nervetrack.services.patients import add_patient
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor, DemoLogin, DemoSeed

DEMO_CLINIC = "NerveTrack demo clinic"
DEMO_EMAIL = "demo@clinic.example"
OTHER_CLINIC = "Other demo clinic"
OTHER_EMAIL = "other@clinic.example"


def seed_demo(uow: UnitOfWork, today: dt.date | None = None) -> DemoSeed:
    """Create the demo data if absent; either way return logins with freshly generated passwords."""
    day = today or clock.today()
    with uow:
        existing = uow.session.scalar(select(Clinic.id).where(Clinic.name == DEMO_CLINIC))
        other = uow.session.scalar(select(Clinic.id).where(Clinic.name == OTHER_CLINIC))
    if existing is not None and other is not None:
        return DemoSeed(
            demo=_new_password(uow, existing, DEMO_CLINIC, DEMO_EMAIL),
            other=_new_password(uow, other, OTHER_CLINIC, OTHER_EMAIL),
            patient_ids=[],
        )
    demo = _clinic(uow, DEMO_CLINIC, DEMO_EMAIL, "Dr Demo")
    # Numbers from the range kept for drama and examples (020 7946 0xxx): they reach no one.
    update_clinic(
        uow,
        Actor("clinician", "0", "demo setup", demo.clinic_id),
        phone="+44 20 7946 0000",
        hours="Monday to Friday, 8:00 to 18:00",
        out_of_hours="call the hospital switchboard on +44 20 7946 0001 and ask for the spine doctor on call.",
        timezone="Europe/London",
    )
    other_login = _clinic(uow, OTHER_CLINIC, OTHER_EMAIL, "Dr Other")
    ids = _patients(uow, Actor.system(demo.clinic_id), demo_record_dicts(day))
    other_records = demo_record_dicts(day)[:2]
    for index, record in enumerate(other_records, start=1):
        record["patient"]["id"] = f"other-{index:02d}"
    _patients(uow, Actor.system(other_login.clinic_id), other_records)
    return DemoSeed(demo=demo, other=other_login, patient_ids=ids)


def _clinic(uow: UnitOfWork, name: str, email: str, person: str) -> DemoLogin:
    clinic = create_clinic(uow, name)
    password = secrets.token_urlsafe(12)
    create_clinician(uow, clinic.id, email, person, password)
    return DemoLogin(clinic_id=clinic.id, clinic_name=name, email=email, password=password)


def _new_password(uow: UnitOfWork, clinic_id: int, name: str, email: str) -> DemoLogin:
    password = secrets.token_urlsafe(12)
    set_password(uow, email, password)
    return DemoLogin(clinic_id=clinic_id, clinic_name=name, email=email, password=password)


def _patients(uow: UnitOfWork, actor: Actor, records: list[dict[str, object]]) -> list[str]:
    ids = []
    for record in records:
        checkins = record.pop("checkins")
        record.pop("as_of", None)
        summary = add_patient(uow, actor, record)
        assert isinstance(checkins, list)
        for number, checkin in enumerate(checkins):
            on = dt.date.fromisoformat(checkin["date"])
            record_checkin(uow, actor, summary.patient_id, checkin, idempotency_key=f"demo-{number}", today=on)
        ids.append(summary.patient_id)
    return ids
