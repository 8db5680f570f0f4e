"""Browser test fixtures: a real uvicorn server on 127.0.0.1 (temporary SQLite, demo data) and Debian's
headless chromium driven by pytest-playwright."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from nervetrack.adapters.db.engine import make_engine, make_session_factory
from nervetrack.adapters.db.migrate import upgrade
from nervetrack.config import Settings
from nervetrack.services import clock
from nervetrack.services.checkins import record_checkin
from nervetrack.services.demo_seed import seed_demo
from nervetrack.services.patients import add_patient, export_patient
from nervetrack.services.tokens import issue_link
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor, DemoSeed
from tests.mail_server import smtp_server  # noqa: F401  (fixture)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@dataclass
class LiveServer:
    url: str
    seed: DemoSeed
    settings: Settings

    def link_for(self, patient_id: str, clinic_id: int | None = None) -> str:
        """Issue a fresh check-in link for a demo patient (straight through the service, as the clinic)."""
        engine = make_engine(self.settings)
        try:
            from sqlalchemy.orm import sessionmaker

            uow = UnitOfWork(sessionmaker(engine, expire_on_commit=False))
            actor = Actor.system(clinic_id or self.seed.demo.clinic_id)
            return f"{self.url}/p/{issue_link(uow, actor, patient_id).secret}"
        finally:
            engine.dispose()

    def new_patient_link(
        self, patient_id: str, checkins: list[dict[str, Any]] | None = None, days_ago: int = 10
    ) -> str:
        """Add a patient (surgery `days_ago` days ago) with earlier check-ins (one a day from day 1, or on the
        day given as `day`), and issue their link."""
        surgery = clock.today() - dt.timedelta(days=days_ago)
        data = {
            "patient": {"id": patient_id, "birth_year": 1965},
            "surgery": {"date": surgery.isoformat(), "procedure": "microdiscectomy", "levels": ["L5-S1"]},
            "baseline": {"leg_pain": 7, "weakness": 0},
        }
        actor = Actor.system(self.seed.demo.clinic_id)
        with self._uow() as uow:
            add_patient(uow, actor, data)
            for number, given in enumerate(checkins or [], start=1):
                values = {k: v for k, v in given.items() if k != "day"}
                day = surgery + dt.timedelta(days=given.get("day", number))
                record_checkin(uow, actor, patient_id, {"date": day.isoformat(), **values})
        return self.link_for(patient_id)

    def stored_checkins(self, patient_id: str) -> list[dict[str, Any]]:
        """The patient's stored check-ins, from the export."""
        with self._uow() as uow:
            exported = export_patient(uow, Actor.system(self.seed.demo.clinic_id), patient_id)
        checkins: list[dict[str, Any]] = exported["checkins"]
        return checkins

    @contextmanager
    def _uow(self) -> Iterator[UnitOfWork]:
        engine = make_engine(self.settings)
        try:
            yield UnitOfWork(make_session_factory(engine))
        finally:
            engine.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not answer /healthz in time")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app under uvicorn on a free port of 127.0.0.1, on a seeded temporary SQLite database."""
    data_dir = tmp_path_factory.mktemp("nervetrack-data")
    env = {
        "NERVETRACK_DATA_DIR": str(data_dir),
        "NERVETRACK_SECRET_KEY": "browser-test-secret",
        "NERVETRACK_COOKIE_SECURE": "false",
    }
    settings = Settings(data_dir=data_dir, secret_key=env["NERVETRACK_SECRET_KEY"], cookie_secure=False)
    engine = make_engine(settings)
    upgrade(engine)
    from sqlalchemy.orm import sessionmaker

    seed = seed_demo(UnitOfWork(sessionmaker(engine, expire_on_commit=False)))
    engine.dispose()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("serve_app.py")), str(port)],
        env={**os.environ, **env},
    )
    try:
        _wait_until_up(url, process)
        yield LiveServer(url, seed, settings)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's chromium (playwright's own browser download is not available)."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Phone-sized pages by default: 360 CSS pixels wide."""
    return {**browser_context_args, "viewport": {"width": 360, "height": 780}}


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the journeys save their screenshots: docs/screenshots only under `make screenshots`
    (NERVETRACK_SCREENSHOTS=1), so an ordinary test run never changes the repository."""
    if os.environ.get("NERVETRACK_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    """Relative page.goto() paths resolve against the live server (replaces pytest-base-url's fixture)."""
    return live_server.url
