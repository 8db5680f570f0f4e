"""Real `nervetrack serve` processes on 127.0.0.1 for the reliability, load and fault tests.

A test prepares a database (SQLite in a temporary folder, or a PostgreSQL database of tests/pg.py) with
`prepare`, then starts one or more server processes on it with `ServerProcess`; every process is stopped
(SIGTERM, then SIGKILL) when the test ends, and every wait is bounded.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from argon2 import PasswordHasher

from nervetrack.adapters.db.engine import make_engine, make_session_factory
from nervetrack.adapters.db.migrate import upgrade
from nervetrack.config import Settings
from nervetrack.services import clinics as clinics_service
from nervetrack.services.clinics import create_clinic, create_clinician
from nervetrack.services.patients import add_patient
from nervetrack.services.tokens import create_api_token, issue_link
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor
from tests.pg import free_port

PASSWORD = "correct horse battery"
START_SECONDS = 30


@dataclass
class Prepared:
    """A migrated database with one clinic, its API token, a clinician and patients with links."""

    settings: Settings
    env: dict[str, str]
    token: str
    clinic_id: int
    email: str
    patients: list[str]
    links: dict[str, str] = field(default_factory=dict)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(make_session_factory(make_engine(self.settings)))


def surgery_date(days_ago: int = 20) -> dt.date:
    return dt.date.today() - dt.timedelta(days=days_ago)


def patient_json(patient_id: str, days_ago: int = 20) -> dict[str, Any]:
    return {
        "patient": {"id": patient_id, "birth_year": 1962, "sex": "male"},
        "surgery": {"date": surgery_date(days_ago).isoformat(), "procedure": "microdiscectomy", "levels": ["L5-S1"]},
        "baseline": {"leg_pain": 8, "back_pain": 5, "numbness": 5, "tingling": 4, "weakness": 3},
    }


def prepare(data_dir: Path, database_url: str | None = None, patients: int = 2, **env: str) -> Prepared:
    """Migrate a database and add a clinic, an API token, a clinician and `patients` patients with links."""
    settings = Settings(data_dir=data_dir, database_url=database_url, secret_key="live-test-secret")
    engine = make_engine(settings)
    upgrade(engine)
    uow = UnitOfWork(make_session_factory(engine))
    saved = clinics_service._HASHER
    clinics_service._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    try:
        clinic = create_clinic(uow, "Live clinic")
        create_clinician(uow, clinic.id, "live@clinic.example", "Dr Live", PASSWORD)
    finally:
        clinics_service._HASHER = saved
    token = create_api_token(uow, clinic.id, "load").secret
    actor = Actor.system(clinic.id)
    ids = [add_patient(uow, actor, patient_json(f"p-{n:03d}")).patient_id for n in range(1, patients + 1)]
    links = {pid: issue_link(uow, actor, pid).secret for pid in ids}
    engine.dispose()
    variables = {
        "NERVETRACK_DATA_DIR": str(data_dir),
        "NERVETRACK_SECRET_KEY": settings.secret_key or "",
        "NERVETRACK_COOKIE_SECURE": "false",
        **({"NERVETRACK_DATABASE_URL": database_url} if database_url else {}),
        **env,
    }
    return Prepared(settings, variables, token, clinic.id, "live@clinic.example", ids, links)


class ServerProcess:
    """One `nervetrack serve` process (optionally with --workers) on a free 127.0.0.1 port."""

    def __init__(
        self, prepared: Prepared, log: Path, *, workers: int = 1, max_file_bytes: int | None = None, **env: str
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log.open("ab")
        command = [sys.executable, "-m", "nervetrack", "serve", "--port", str(self.port)]
        if workers > 1:
            command += ["--workers", str(workers)]
        variables = {**os.environ, **prepared.env, **env}
        self.process = subprocess.Popen(
            command,
            env=variables,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=None if max_file_bytes is None else lambda: _limit_file_size(max_file_bytes),
        )
        self.wait_ready()

    def wait_ready(self, seconds: float = START_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not answer within {seconds} s")

    def kill(self) -> None:
        """SIGKILL the process group (the server and its workers) at once, as a crash would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


def _limit_file_size(size: int) -> None:
    """In the child: no file may grow past `size` bytes (a full disk, as the process sees it), even as root."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
