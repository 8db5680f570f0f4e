"""Reminders at scale: 100,000 patients with a reminder due found and queued (aim < 10 s), on SQLite and, when
PostgreSQL is installed, on PostgreSQL; and the sending rate through a local aiosmtpd server beside that
server's own limit (a bare smtplib client sending the same messages over one connection, no database).

Baselines measured in the same run: reading the 100,000 patients' rows with one plain SELECT (the floor under
planning), and the bare SMTP rate. Every phase is bounded in count and time.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import Engine, select

from benchmarks.reminder_seed import seed_due_patients
from nervetrack.adapters.db.engine import make_engine, make_session_factory
from nervetrack.adapters.db.migrate import upgrade
from nervetrack.adapters.db.tables import Patient, ReminderPreference, Surgery
from nervetrack.config import Settings
from nervetrack.services.reminder_queue import plan_reminders
from nervetrack.services.reminder_sender import Sender, transports_from
from nervetrack.services.unit_of_work import UnitOfWork

PATIENTS = 100_000
PLAN_AIM_SECONDS = 10.0
SEND_MESSAGES = 2_000
SEND_SECONDS = 60.0


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="nervetrack-remind-") as tmp:
        settings = Settings(data_dir=Path(tmp), secret_key="bench", public_url="http://127.0.0.1:9")
        _plan_bench("SQLite", settings)
        with _smtp() as (url, counter):
            _send_bench(settings, url, counter)
    with _postgres() as url:
        if url is not None:
            with tempfile.TemporaryDirectory(prefix="nervetrack-remind-pg-") as tmp:
                _plan_bench("PostgreSQL", Settings(data_dir=Path(tmp), database_url=url, secret_key="bench"))


def _plan_bench(name: str, settings: Settings) -> None:
    engine = make_engine(settings)
    upgrade(engine)
    started = time.perf_counter()
    seed_due_patients(engine, PATIENTS)
    print(f"{name}: seeded {PATIENTS:,} due patients in {time.perf_counter() - started:.1f} s", flush=True)
    floor = _timed(lambda: _read_rows(engine))
    uow = UnitOfWork(make_session_factory(engine))
    queued = 0

    def plan() -> None:
        nonlocal queued
        queued = plan_reminders(uow, dt.datetime.now(dt.UTC)).queued

    seconds = _timed(plan)
    again = _timed(lambda: plan_reminders(uow, dt.datetime.now(dt.UTC)))
    verdict = "within" if seconds < PLAN_AIM_SECONDS else "OVER"
    print(
        f"{name}: found and queued {queued:,} due reminders in {seconds:.2f} s ({verdict} the {PLAN_AIM_SECONDS:.0f} s "
        f"aim); a plain SELECT of the same rows {floor:.2f} s (ratio {seconds / floor:.1f}x); "
        f"a second pass (nothing new) {again:.2f} s",
        flush=True,
    )
    engine.dispose()


def _read_rows(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(
            select(Patient.id, Surgery.date, Patient.last_checkin_date, ReminderPreference)
            .join(Surgery, Surgery.patient_id == Patient.id)
            .join(ReminderPreference, ReminderPreference.patient_id == Patient.id)
        ).all()


def _send_bench(settings: Settings, smtp_url: str, counter: list[int]) -> None:
    host, port = smtp_url.removeprefix("smtp://").split(":")
    bare = _bare_smtp_rate(host, int(port), counter)
    configured = settings.model_copy(update={"smtp_url": smtp_url})
    uow = UnitOfWork(make_session_factory(make_engine(configured)))
    sender = Sender(uow, configured, transports_from(configured))
    before = counter[0]
    started = time.perf_counter()
    sent = 0
    while sent < SEND_MESSAGES and time.perf_counter() - started < SEND_SECONDS:
        sent += sender.run_once(plan=False, max_batches=SEND_MESSAGES // 50).sent
        break
    seconds = time.perf_counter() - started
    assert counter[0] - before == sent, "the SMTP server received a different number of messages"
    rate = sent / seconds
    print(
        f"SMTP: the sender delivered {sent:,} reminders in {seconds:.1f} s: {rate:.0f} messages/s (claims, signed "
        f"links and outcomes in SQLite), beside the local aiosmtpd server's own limit of {bare:.0f} messages/s "
        f"(bare smtplib, one connection): {rate / bare:.2f} of it",
        flush=True,
    )


def _bare_smtp_rate(host: str, port: int, counter: list[int], count: int = 1000) -> float:
    before = counter[0]
    started = time.perf_counter()
    with smtplib.SMTP(host, port, timeout=30) as smtp:
        for n in range(count):
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = "a@b.example", f"p{n}@b.example", "Time"
            message.set_content("It is time for your check-in: http://127.0.0.1:9/p/1.abcdefghijklmnopqrstuv\n")
            message.add_alternative("<p>It is time for your check-in</p>", subtype="html")
            smtp.send_message(message)
            if time.perf_counter() - started > SEND_SECONDS:
                break
    assert counter[0] - before == n + 1
    return (n + 1) / (time.perf_counter() - started)


class _Counting:
    def __init__(self, counter: list[int]) -> None:
        self.counter = counter

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.counter[0] += 1
        return "250 OK"


@contextmanager
def _smtp() -> Iterator[tuple[str, list[int]]]:
    counter = [0]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(_Counting(counter), hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", counter
    finally:
        controller.stop()


@contextmanager
def _postgres() -> Iterator[str | None]:
    try:
        from tests.pg import PostgresServer

        server = PostgresServer()
        server.start()
    except (ImportError, RuntimeError, OSError) as error:
        print(f"PostgreSQL: not measured ({type(error).__name__})")
        yield None
        return
    try:
        yield server.new_database()
    finally:
        server.stop()


def _timed(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
