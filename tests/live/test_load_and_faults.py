"""Load and faults against real server processes on 127.0.0.1, each run bounded in time:

- 3 processes on one PostgreSQL, 16 clients retrying on time-outs with the same Idempotency-Key: exactly the
  number sent (5,000; NERVETRACK_LOAD_CHECKINS sends another number) is stored, each with its alerts and
  audit event, and no 5xx;
- SQLite, one process, 8 clients: nothing lost;
- kill -9 of one of the three processes mid-load: every acknowledged check-in is stored, none half-written;
- PostgreSQL restarted mid-load: 503 with Retry-After while it is down, and the same processes recover.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from benchmarks.load_driver import LoadResult, run_checkins, wait_for
from sqlalchemy import func, select

from nervetrack.adapters.db.engine import make_engine
from nervetrack.adapters.db.tables import Alert, AuditEvent, Checkin, Patient
from tests.live.server import Prepared, ServerProcess, prepare, surgery_date
from tests.pg import PostgresServer, acquire, release

LOAD_CHECKINS = int(os.environ.get("NERVETRACK_LOAD_CHECKINS", "5000"))
DEADLINE = 240.0  # seconds: every run stops by then, acknowledged or not


def _servers(prepared: Prepared, folder: Path, count: int) -> list[ServerProcess]:
    return [ServerProcess(prepared, folder / f"server-{n}.log") for n in range(count)]


def _stop(servers: list[ServerProcess]) -> None:
    for server in servers:
        server.stop()


def _check_stored(prepared: Prepared, result: LoadResult, expected: int | None = None) -> dict[str, int]:
    """Every acknowledged check-in is stored once, with its audit event and its patient's alerts."""
    engine = make_engine(prepared.settings)
    try:
        with engine.connect() as db:
            keys = set(db.scalars(select(Checkin.idempotency_key)))
            checkins = db.scalar(select(func.count()).select_from(Checkin))
            audited = db.scalar(select(func.count()).where(AuditEvent.action == "checkin.create"))
            emergencies = set(db.scalars(select(Checkin.patient_id).where(Checkin.bladder_problem.is_(True))))
            alerted = set(db.scalars(select(Alert.patient_id).where(Alert.code == "cauda_equina")))
            levels = db.scalars(select(Patient.current_level)).all()
    finally:
        engine.dispose()
    assert set(result.acknowledged) <= keys  # nothing acknowledged is lost
    assert checkins == len(keys)  # one row per key: retries stored nothing twice
    assert audited == checkins  # no check-in without its audit event: none half-written
    assert emergencies <= alerted  # each emergency has its alert
    assert all(level is not None for level in levels)
    if expected is not None:
        assert checkins == expected
    return {"stored": checkins, "acknowledged": len(result.acknowledged)}


@pytest.fixture
def on_postgresql(tmp_path: Path) -> Iterator[Prepared]:
    server = acquire()
    yield prepare(tmp_path, server.new_database(), patients=40)
    release()


@pytest.mark.postgres
def test_three_processes_on_one_postgresql_store_exactly_every_check_in(
    tmp_path: Path, on_postgresql: Prepared
) -> None:
    servers = _servers(on_postgresql, tmp_path, 3)
    try:
        result = run_checkins(
            [s.url for s in servers],
            on_postgresql.token,
            on_postgresql.patients,
            surgery_date(),
            total=LOAD_CHECKINS,
            clients=16,
            deadline=DEADLINE,
        )
    finally:
        _stop(servers)
    assert not result.refused, result.refused[:3]
    assert result.server_errors == {}
    assert len(result.acknowledged) == LOAD_CHECKINS
    _check_stored(on_postgresql, result, expected=LOAD_CHECKINS)
    print(
        f"\n{LOAD_CHECKINS} check-ins, 3 processes, 16 clients: {result.rate():.0f}/s, p50 "
        f"{result.median() * 1000:.0f} ms, p99 {result.percentile(0.99) * 1000:.0f} ms"
    )


def test_sqlite_with_one_process_and_eight_clients_loses_nothing(tmp_path: Path) -> None:
    prepared = prepare(tmp_path, patients=20)
    servers = _servers(prepared, tmp_path, 1)
    try:
        result = run_checkins(
            [servers[0].url], prepared.token, prepared.patients, surgery_date(), total=400, clients=8, deadline=DEADLINE
        )
    finally:
        _stop(servers)
    assert not result.refused, result.refused[:3]
    assert result.server_errors == {}
    _check_stored(prepared, result, expected=400)


@pytest.mark.postgres
def test_kill_9_of_one_process_mid_load_loses_no_acknowledged_check_in(tmp_path: Path, on_postgresql: Prepared) -> None:
    servers = _servers(on_postgresql, tmp_path, 3)
    total = 1000

    def kill_one(seen: LoadResult) -> None:
        wait_for(lambda: len(seen.acknowledged) >= total // 3, 60)
        servers[1].kill()

    try:
        result = run_checkins(
            [s.url for s in servers],
            on_postgresql.token,
            on_postgresql.patients,
            surgery_date(),
            total=total,
            clients=16,
            deadline=DEADLINE,
            during=kill_one,
        )
    finally:
        _stop(servers)
    assert servers[1].process.returncode is not None
    assert not result.refused, result.refused[:3]
    assert len(result.acknowledged) == total  # the other two took over every retry
    _check_stored(on_postgresql, result, expected=total)


@pytest.mark.postgres
def test_a_postgresql_restart_mid_load_answers_503_with_retry_after_then_recovers(tmp_path: Path) -> None:
    database = PostgresServer()  # its own server: the shared one stays up for the other tests
    database.start()
    try:
        prepared = prepare(
            tmp_path,
            database.new_database(),
            patients=20,
            NERVETRACK_DB_CONNECT_TIMEOUT_SECONDS="1",
            NERVETRACK_RETRY_AFTER_SECONDS="1",
        )
        servers = _servers(prepared, tmp_path, 2)
        down: dict[str, float] = {}

        def restart(seen: LoadResult) -> None:
            wait_for(lambda: len(seen.acknowledged) >= 100, 60)
            database.shut_down()
            down["at"] = len(seen.acknowledged)
            wait_for(lambda: seen.statuses[503] >= 5, 20)
            time.sleep(1.0)
            database.start_again()

        try:
            result = run_checkins(
                [s.url for s in servers],
                prepared.token,
                prepared.patients,
                surgery_date(),
                total=400,
                clients=8,
                deadline=DEADLINE,
                during=restart,
            )
            alive = [s.process.poll() is None for s in servers]
        finally:
            _stop(servers)
        assert alive == [True, True]  # recovered without a restart of the servers
        assert result.statuses[503] >= 5
        assert result.unavailable_without_retry_after == 0
        assert set(result.server_errors) == {503}
        assert len(result.acknowledged) == 400
        _check_stored(prepared, result, expected=400)
    finally:
        database.stop()


def test_the_server_serves_with_several_workers(tmp_path: Path) -> None:
    prepared = prepare(tmp_path, patients=2)
    server = ServerProcess(prepared, tmp_path / "workers.log", workers=2)
    try:
        result = run_checkins(
            [server.url], prepared.token, prepared.patients, surgery_date(), total=40, clients=4, deadline=60
        )
    finally:
        server.stop()
    assert len(result.acknowledged) == 40
    _check_stored(prepared, result, expected=40)
