"""Shared helpers for the HTML page tests: an app on a temporary SQLite database with the demo seeded."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

with warnings.catch_warnings():
    # Starlette asks for the httpx2 package, which is not available here; httpx works the same.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from nervetrack.adapters.db.engine import make_engine
from nervetrack.adapters.db.migrate import upgrade
from nervetrack.config import Settings
from nervetrack.services.demo_seed import seed_demo
from nervetrack.services.tokens import issue_link
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor, DemoSeed
from nervetrack.web.app import create_app

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
IDEMPOTENCY = re.compile(r'name="idempotency_key" value="([^"]+)"')


@dataclass
class Site:
    client: TestClient
    seed: DemoSeed
    uow: UnitOfWork

    def link_for(self, patient_id: str, clinic_id: int | None = None) -> str:
        """A fresh patient link path for a demo patient."""
        actor = Actor.system(clinic_id or self.seed.demo.clinic_id)
        return f"/p/{issue_link(self.uow, actor, patient_id).secret}"

    def csrf(self, path: str) -> str:
        """Open `path` and return the CSRF token of its first form."""
        response = self.client.get(path)
        match = CSRF.search(response.text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def log_in(self, email: str, password: str) -> None:
        token = self.csrf("/clinic/login")
        response = self.client.post("/clinic/login", data={"csrf_token": token, "email": email, "password": password})
        assert response.status_code in (200, 303), response.text


def make_site(data_dir: Path, **overrides: Any) -> Site:
    """Create a migrated, seeded database and a TestClient on the app (plain-HTTP cookies allowed)."""
    settings = Settings(**{"data_dir": data_dir, "cookie_secure": False, "secret_key": "test-secret-key", **overrides})
    engine = make_engine(settings)
    upgrade(engine)
    app = create_app(settings)
    uow = UnitOfWork(app.state.session_factory)
    seed = seed_demo(uow)
    engine.dispose()
    return Site(TestClient(app, follow_redirects=True), seed, uow)
