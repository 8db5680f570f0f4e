"""Fixtures for the service tests: a migrated database (SQLite and PostgreSQL) and two clinics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine

from nervetrack.adapters.db.engine import make_engine, make_session_factory
from nervetrack.adapters.db.migrate import upgrade
from nervetrack.config import Settings
from nervetrack.services import clinics as clinics_service
from nervetrack.services.clinics import create_clinic, create_clinician
from nervetrack.services.patients import add_patient
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor, ClinicianView
from tests.mail_server import sms_provider, smtp_server  # noqa: F401  (fixtures)
from tests.pg import db_settings, postgres  # noqa: F401  (fixtures)

TODAY = dt.date(2026, 3, 1)
SURGERY = TODAY - dt.timedelta(days=20)
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with its production cost takes ~0.6 s per hash here; the tests need correctness, not cost."""
    monkeypatch.setattr(clinics_service, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def engine(db_settings: Settings) -> Iterator[Engine]:  # noqa: F811
    engine = make_engine(db_settings)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def uow(engine: Engine) -> UnitOfWork:
    return UnitOfWork(make_session_factory(engine))


@dataclass(frozen=True)
class Clinics:
    a: ClinicianView
    b: ClinicianView

    @property
    def alice(self) -> Actor:
        return self.a.as_actor()

    @property
    def bob(self) -> Actor:
        return self.b.as_actor()


@pytest.fixture
def clinics(uow: UnitOfWork) -> Clinics:
    first = create_clinic(uow, "Clinic A")
    second = create_clinic(uow, "Clinic B")
    a = create_clinician(uow, first.id, "alice@a.example", "Dr Alice", PASSWORD)
    b = create_clinician(uow, second.id, "bob@b.example", "Dr Bob", PASSWORD)
    return Clinics(a, b)


def patient_dict(patient_id: str = "p-1", **surgery: Any) -> dict[str, Any]:
    return {
        "patient": {"id": patient_id, "birth_year": 1960, "sex": "female"},
        "surgery": {"date": SURGERY.isoformat(), "procedure": "microdiscectomy", "levels": ["L5-S1"], **surgery},
        "baseline": {"leg_pain": 8, "back_pain": 5, "numbness": 5, "tingling": 4, "weakness": 3},
    }


def checkin_dict(day: int, **signs: Any) -> dict[str, Any]:
    return {
        "date": (SURGERY + dt.timedelta(days=day)).isoformat(),
        "leg_pain": 3,
        "back_pain": 3,
        "numbness": 4,
        "tingling": 3,
        "weakness": 2,
        **signs,
    }


@pytest.fixture
def patient(uow: UnitOfWork, clinics: Clinics) -> str:
    return add_patient(uow, clinics.alice, patient_dict()).patient_id


@pytest.fixture
def make_patient(uow: UnitOfWork, clinics: Clinics) -> Callable[..., str]:
    def make(patient_id: str, **surgery: Any) -> str:
        return add_patient(uow, clinics.alice, patient_dict(patient_id, **surgery)).patient_id

    return make
