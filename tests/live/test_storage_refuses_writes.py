"""A database that refuses writes, under a real server: read-only (SQLite opened read-only, PostgreSQL with
read-only transactions as on a standby) or full (the server process may not grow any file). Each check-in is
answered 503 with Retry-After and a detail naming the cause, never a 500; nothing is half-written, every
acknowledged check-in is kept, and the database is intact and usable once the storage is fixed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text

from nervetrack.adapters.db.engine import make_engine
from nervetrack.adapters.db.tables import AuditEvent, Checkin
from tests.live.server import Prepared, ServerProcess, prepare, surgery_date
from tests.pg import PostgresServer, acquire, release

SQLITE_FILE = "nervetrack.sqlite3"


def _checkin(server: ServerProcess, prepared: Prepared, number: int) -> httpx.Response:
    body = {"date": surgery_date(19 - number % 18).isoformat(), "leg_pain": 4, "bladder_problem": number % 3 == 0}
    headers = {"Authorization": f"Bearer {prepared.token}", "Idempotency-Key": f"w-{number}"}
    patient = prepared.patients[number % len(prepared.patients)]
    return httpx.post(f"{server.url}/api/v1/patients/{patient}/checkins", json=body, headers=headers, timeout=30)


def _counts(prepared: Prepared) -> tuple[int, int]:
    engine = make_engine(prepared.settings)
    try:
        with engine.connect() as db:
            checkins = int(db.scalar(select(func.count()).select_from(Checkin)) or 0)
            audited = int(db.scalar(select(func.count()).where(AuditEvent.action == "checkin.create")) or 0)
    finally:
        engine.dispose()
    return checkins, audited


def _assert_refused(response: httpx.Response, cause: str) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) >= 1
    assert cause in response.json()["detail"] and "nothing was stored" in response.json()["detail"]


def test_a_read_only_sqlite_database_refuses_check_ins_with_a_clear_503(tmp_path: Path) -> None:
    prepared = prepare(tmp_path, patients=2)
    path = tmp_path / SQLITE_FILE
    read_only = f"sqlite+pysqlite:///file:{path}?mode=ro&uri=true"
    server = ServerProcess(prepared, tmp_path / "server.log", NERVETRACK_DATABASE_URL=read_only)
    try:
        _assert_refused(_checkin(server, prepared, 1), "read-only")
        assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
    finally:
        server.stop()
    assert _counts(prepared) == (0, 0)
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.postgres
def test_a_read_only_postgresql_database_refuses_check_ins_with_a_clear_503(tmp_path: Path) -> None:
    try:
        _read_only_postgresql(tmp_path, acquire())
    finally:
        release()


def _read_only_postgresql(tmp_path: Path, postgres: PostgresServer) -> None:
    url = postgres.new_database()
    prepared = prepare(tmp_path, url, patients=2)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(text(f"ALTER DATABASE {url.rsplit('/', 1)[1]} SET default_transaction_read_only = on"))
    server = ServerProcess(prepared, tmp_path / "server.log")
    try:
        _assert_refused(_checkin(server, prepared, 1), "read-only")
    finally:
        server.stop()
        with admin.connect() as db:
            db.execute(text(f"ALTER DATABASE {url.rsplit('/', 1)[1]} RESET default_transaction_read_only"))
        admin.dispose()
    assert _counts(prepared) == (0, 0)


def test_a_full_sqlite_database_refuses_check_ins_and_keeps_every_acknowledged_one(tmp_path: Path) -> None:
    prepared = prepare(tmp_path, patients=4)
    limit = max(f.stat().st_size for f in tmp_path.glob(f"{SQLITE_FILE}*")) + 96 * 1024
    server = ServerProcess(prepared, tmp_path / "full.log", max_file_bytes=limit)
    acknowledged = 0
    try:
        for number in range(3000):
            response = _checkin(server, prepared, number)
            if response.status_code == 503:
                _assert_refused(response, "full")
                break
            assert response.status_code == 201, response.text
            acknowledged += 1
        else:
            pytest.fail("the storage never filled up")
        _assert_refused(_checkin(server, prepared, acknowledged), "full")  # and stays refused, never a 500
    finally:
        server.stop()
    assert acknowledged > 0
    assert _counts(prepared) == (acknowledged, acknowledged)
    assert sqlite3.connect(tmp_path / SQLITE_FILE).execute("PRAGMA integrity_check").fetchone() == ("ok",)

    server = ServerProcess(prepared, tmp_path / "after.log")  # storage fixed: the same database works on
    try:
        assert _checkin(server, prepared, acknowledged).status_code == 201
    finally:
        server.stop()
    assert _counts(prepared) == (acknowledged + 1, acknowledged + 1)
