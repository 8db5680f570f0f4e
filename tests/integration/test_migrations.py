"""The schema upgrades in place with no data lost, and the migrations build exactly the models' schema."""

from __future__ import annotations

import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from nervetrack.adapters.db.engine import make_engine, make_session_factory
from nervetrack.adapters.db.migrate import current_revision, upgrade
from nervetrack.adapters.db.tables import Base
from nervetrack.config import Settings
from nervetrack.services.patients import get_patient
from nervetrack.services.tokens import create_api_token
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor

NOW = dt.datetime(2026, 1, 2, 9, 0, tzinfo=dt.UTC)


def _insert_on_0001(connection: object) -> None:
    run = connection.execute  # type: ignore[attr-defined]
    run(text("INSERT INTO clinic (id, name, created_at) VALUES (1, 'Old clinic', :t)"), {"t": NOW})
    run(
        text(
            "INSERT INTO patient (id, clinic_id, ref, birth_year, sex, diabetes, peripheral_neuropathy, smoker,"
            " created_at, open_alert_rank) VALUES (1, 1, 'old-1', 1955, 'male', false, false, true, :t, 0)"
        ),
        {"t": NOW},
    )
    run(
        text(
            "INSERT INTO surgery (id, patient_id, date, procedure, approach, levels)"
            " VALUES (1, 1, :d, 'laminectomy', 'open', '[\"L4-L5\"]')"
        ),
        {"d": dt.date(2025, 12, 1)},
    )


def test_data_created_on_the_first_revision_survives_the_upgrade(db_settings: Settings) -> None:
    engine = make_engine(db_settings)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    assert "api_token" not in inspect(engine).get_table_names()
    with engine.begin() as connection:
        _insert_on_0001(connection)
    upgrade(engine)
    assert current_revision(engine) == "0005"
    uow = UnitOfWork(make_session_factory(engine))
    detail = get_patient(uow, Actor("system", "test", "test", 1), "old-1", today=dt.date(2026, 1, 2))
    assert (detail.record.patient.smoker, detail.record.surgery.procedure.value) == (True, "laminectomy")
    assert detail.record.surgery.levels == ["L4-L5"]
    assert detail.record.surgery.dural_tear is None  # 0003: unknown for surgeries recorded before it
    assert create_api_token(uow, 1, "lab system").secret
    engine.dispose()


def test_the_migrations_build_exactly_the_schema_of_the_models(db_settings: Settings) -> None:
    engine = make_engine(db_settings)
    upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_upgrading_twice_changes_nothing(db_settings: Settings) -> None:
    engine = make_engine(db_settings)
    upgrade(engine)
    before = sorted(inspect(engine).get_table_names())
    upgrade(engine)
    assert sorted(inspect(engine).get_table_names()) == before
    engine.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path: object) -> None:
    engine = make_engine(Settings(data_dir=tmp_path))  # type: ignore[arg-type]
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()
