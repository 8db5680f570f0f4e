"""A busy or unreachable database is answered 503 with Retry-After (problem details on the API, a friendly page
for people), never 500, and nothing is half-stored."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from tests.asgi import AsgiClient
from tests.pg import PostgresServer, postgres  # noqa: F401  (fixture)

from nervetrack.adapters.db.engine import make_engine, make_session_factory
from nervetrack.adapters.db.migrate import upgrade
from nervetrack.adapters.db.tables import Checkin
from nervetrack.config import Settings
from nervetrack.services.clinics import create_clinic
from nervetrack.services.patients import add_patient
from nervetrack.services.tokens import create_api_token
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor
from nervetrack.web.app import create_app

SURGERY = dt.date.today() - dt.timedelta(days=20)
UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:9/none"


def test_the_api_answers_503_with_retry_after_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=UNREACHABLE, retry_after_seconds=7)
    with AsgiClient(create_app(settings)) as client:
        response = client.get("/api/v1/patients", headers={"Authorization": "Bearer whatever"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "7"
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("/unavailable")


def test_a_page_answers_a_friendly_503_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=UNREACHABLE, secret_key="k", cookie_secure=False)
    with AsgiClient(create_app(settings)) as client:
        response = client.get("/p/some-link")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "try again" in response.text
    assert "emergency number" in response.text


@pytest.mark.postgres
def test_a_row_locked_too_long_on_postgresql_gives_503_and_stores_nothing(
    tmp_path: Path,
    postgres: PostgresServer,  # noqa: F811
) -> None:
    url = postgres.new_database()
    settings = Settings(data_dir=tmp_path, database_url=url, secret_key="k", db_busy_timeout_seconds=0.5)
    engine = make_engine(settings)
    upgrade(engine)
    uow = UnitOfWork(make_session_factory(engine))
    clinic = create_clinic(uow, "A").id
    token = create_api_token(uow, clinic, "ehr").secret
    patient = {
        "patient": {"id": "p-1", "birth_year": 1960},
        "surgery": {"date": SURGERY.isoformat(), "procedure": "microdiscectomy"},
    }
    add_patient(uow, Actor.system(clinic), patient)
    locker = create_engine(url)
    with locker.connect() as connection, AsgiClient(create_app(settings)) as client:
        connection.execute(text("SELECT id FROM patient WHERE ref = 'p-1' FOR UPDATE"))
        response = client.post(
            "/api/v1/patients/p-1/checkins",
            json={"date": (SURGERY + dt.timedelta(days=3)).isoformat(), "leg_pain": 2},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "one"},
        )
        connection.rollback()
    locker.dispose()
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Checkin)) == 0
    engine.dispose()
