"""`nervetrack backup PATH` / `nervetrack restore PATH` round-trip a database exactly (row count and content hash
per table), on SQLite and PostgreSQL; an upgrade from the first schema revision keeps every row."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from nervetrack.adapters.db.backup import fingerprint
from nervetrack.adapters.db.engine import make_engine
from nervetrack.adapters.db.migrate import upgrade
from nervetrack.cli import app
from nervetrack.config import Settings
from nervetrack.services.checkins import record_checkin
from nervetrack.services.views import Actor
from tests.integration.test_migrations import _insert_on_0001
from tests.live.server import prepare, surgery_date
from tests.pg import PostgresServer

runner = CliRunner()


def _filled(settings: Settings) -> Engine:
    """A database with a clinic, a clinician, a token, patients with links, check-ins, alerts and audit events."""
    prepared = prepare(settings.data_dir, settings.database_url, patients=3)
    uow = prepared.uow()
    actor = Actor.system(prepared.clinic_id)
    for day in range(1, 9):
        values = {"date": surgery_date(20 - day).isoformat(), "leg_pain": 7 - day % 4, "bladder_problem": day == 5}
        record_checkin(uow, actor, prepared.patients[day % 3], values, idempotency_key=f"k-{day}")
    return make_engine(settings)


def _cli(settings: Settings, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    if settings.database_url:
        monkeypatch.setenv("NERVETRACK_DATABASE_URL", settings.database_url)
    result = runner.invoke(app, [*args, "--data-dir", str(settings.data_dir)])
    assert result.exit_code == 0, result.output
    return result.output


def _other(settings: Settings, tmp_path: Path, postgres: PostgresServer | None) -> Settings:
    """An empty database of the same kind, elsewhere."""
    url = postgres.new_database() if settings.database_url and postgres else None
    return Settings(data_dir=tmp_path / "elsewhere", database_url=url, secret_key="test-secret")


@pytest.fixture
def postgres_if_needed(db_settings: Settings, request: pytest.FixtureRequest) -> PostgresServer | None:
    return request.getfixturevalue("postgres") if db_settings.database_url else None


def test_a_backup_restored_into_an_empty_database_is_the_same_row_for_row(
    db_settings: Settings, postgres_if_needed: PostgresServer | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _filled(db_settings)
    before = fingerprint(engine)
    assert before["checkin"].rows == 8 and before["alert"].rows >= 1 and before["audit_event"].rows >= 8
    output = _cli(db_settings, monkeypatch, "backup", str(tmp_path / "nt.backup"))
    assert "backed up schema revision" in output
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".nt.backup")]  # no partial file left

    target = _other(db_settings, tmp_path, postgres_if_needed)
    output = _cli(target, monkeypatch, "restore", str(tmp_path / "nt.backup"))
    assert "restored schema revision" in output
    assert fingerprint(make_engine(target)) == before
    engine.dispose()


def test_a_restore_undoes_every_change_made_after_the_backup(
    db_settings: Settings, postgres_if_needed: PostgresServer | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _filled(db_settings)
    before = fingerprint(engine)
    _cli(db_settings, monkeypatch, "backup", str(tmp_path / "nt.backup"))
    with engine.begin() as db:
        db.execute(text("DELETE FROM alert"))
        db.execute(text("UPDATE patient SET birth_year = 1900"))
    assert fingerprint(engine) != before
    engine.dispose()
    _cli(db_settings, monkeypatch, "restore", str(tmp_path / "nt.backup"))
    engine = make_engine(db_settings)
    assert fingerprint(engine) == before
    engine.dispose()


def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="test-secret")
    engine = _filled(settings)
    before = fingerprint(engine)
    junk = tmp_path / "junk.backup"
    sqlite3.connect(junk).execute("CREATE TABLE other (x)")
    result = runner.invoke(app, ["restore", str(junk), "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a NerveTrack" in result.output
    missing = runner.invoke(app, ["restore", str(tmp_path / "absent"), "--data-dir", str(tmp_path)])
    assert missing.exit_code == 2 and "PATH: no backup file" in missing.output
    assert fingerprint(engine) == before
    engine.dispose()


def test_an_upgrade_from_the_first_schema_revision_keeps_every_row(db_settings: Settings) -> None:
    engine = make_engine(db_settings)
    upgrade(engine, "0001")
    with engine.begin() as connection:
        _insert_on_0001(connection)
    before = fingerprint(engine)
    upgrade(engine)
    after = fingerprint(engine)
    for table, old in before.items():
        if table != "alembic_version":
            assert after[table].rows == old.rows, table
    assert sum(p.rows for t, p in before.items() if t != "alembic_version") >= 3
    engine.dispose()
