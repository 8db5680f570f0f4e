"""Exactly once from any number of processes: two and three `nervetrack reminders run` processes race over
1,000 due reminders on PostgreSQL, sending through one aiosmtpd server on 127.0.0.1; every patient gets one
email. On SQLite one sender holds the lease and the others wait."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from benchmarks.reminder_seed import seed_due_patients
from sqlalchemy import select

from nervetrack.adapters.db.engine import make_engine, make_session_factory
from nervetrack.adapters.db.migrate import upgrade
from nervetrack.adapters.db.tables import Reminder
from nervetrack.config import Settings
from nervetrack.services.reminder_queue import hold_sender_lease, release_sender_lease
from nervetrack.services.unit_of_work import UnitOfWork
from tests.mail_server import SmtpServer
from tests.pg import PostgresServer

PATIENTS = 1000
TIMEOUT_SECONDS = 240


def _senders(count: int, settings: Settings, smtp: SmtpServer) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "NERVETRACK_DATABASE_URL": settings.resolved_database_url(),
        "NERVETRACK_DATA_DIR": str(settings.data_dir),
        "NERVETRACK_SECRET_KEY": "race-secret",
        "NERVETRACK_SMTP_URL": smtp.url,
        "NERVETRACK_PUBLIC_URL": "http://127.0.0.1:9",
    }
    command = [sys.executable, "-m", "nervetrack", "reminders", "run"]
    return [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(count)]


@pytest.mark.postgres
@pytest.mark.parametrize("processes", [2, 3])
def test_racing_senders_email_each_of_1000_due_patients_exactly_once(
    processes: int,
    postgres: PostgresServer,
    smtp_server: SmtpServer,
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path, database_url=postgres.new_database(), secret_key="race-secret")
    engine = make_engine(settings)
    upgrade(engine)
    seed_due_patients(engine, PATIENTS)
    outputs = []
    for sender in _senders(processes, settings, smtp_server):
        out, err = sender.communicate(timeout=TIMEOUT_SECONDS)
        assert sender.returncode == 0, err.decode()
        outputs.append(out.decode())
    received = Counter(m["To"] for m in smtp_server.received.messages)
    assert len(received) == PATIENTS and set(received.values()) == {1}
    assert len({m["Message-ID"] for m in smtp_server.received.messages}) == PATIENTS
    with engine.connect() as connection:
        rows = connection.execute(select(Reminder.state, Reminder.claimed_by)).all()
    engine.dispose()
    assert len(rows) == PATIENTS and {state for state, _ in rows} == {"sent"}
    sent = [int(line.split("sent ")[1].split(",")[0]) for line in outputs]
    assert sum(sent) == PATIENTS, outputs
    print(f"{processes} senders sent {sent}")


def test_on_sqlite_one_sender_holds_the_lease_and_the_others_wait(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="lease")
    engine = make_engine(settings)
    upgrade(engine)
    uow = UnitOfWork(make_session_factory(engine))
    now = dt.datetime.now(dt.UTC)
    assert hold_sender_lease(uow, "first", now)
    assert not hold_sender_lease(uow, "second", now)
    assert hold_sender_lease(uow, "first", now + dt.timedelta(seconds=1))  # the holder keeps it
    assert hold_sender_lease(uow, "second", now + dt.timedelta(minutes=6))  # a lease left by a dead sender
    release_sender_lease(uow, "second", now + dt.timedelta(minutes=6))
    assert hold_sender_lease(uow, "first", now + dt.timedelta(minutes=6, seconds=1))
    engine.dispose()
