"""Shared helpers for the interop tests: an app with two clinics' API tokens, patients from the bundled
examples, and Medplum's validator run with Node."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nervetrack.adapters.db.engine import make_engine, make_session_factory
from nervetrack.adapters.db.migrate import upgrade
from nervetrack.config import Settings
from nervetrack.services.alerts import acknowledge_alert
from nervetrack.services.checkins import record_checkin
from nervetrack.services.clinics import create_clinic
from nervetrack.services.patients import add_patient, get_patient
from nervetrack.services.tokens import create_api_token
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor
from nervetrack.web.app import create_app
from tests.asgi import AsgiClient

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
NODE = ["node"]
MEDPLUM_VALIDATOR = ROOT / "tests" / "node" / "validate.mjs"
FHIR_SERVER = ROOT / "tests" / "node" / "fhir_server.mjs"


@dataclass
class Fhir:
    """The app in-process, a unit of work on its database, clinic A's actor and both clinics' tokens."""

    client: AsgiClient
    uow: UnitOfWork
    actor: Actor
    token_a: str
    token_b: str
    settings: Settings

    def get(self, path: str, token: str | None = None, **kwargs: Any) -> Any:
        return self.client.get(path, headers={"Authorization": f"Bearer {token or self.token_a}"}, **kwargs)

    def post(self, path: str, body: Any, token: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token or self.token_a}", "Content-Type": "application/fhir+json"}
        return self.client.post(path, content=json.dumps(body), headers=headers)


def make_fhir(tmp_path: Path, **settings: Any) -> Iterator[Fhir]:
    config = Settings(data_dir=tmp_path, secret_key="test-secret", **settings)
    engine = make_engine(config)
    upgrade(engine)
    uow = UnitOfWork(make_session_factory(engine))
    clinics = [create_clinic(uow, name).id for name in ("A", "B")]
    tokens = [create_api_token(uow, clinic, "ehr").secret for clinic in clinics]
    with AsgiClient(create_app(config)) as client:
        yield Fhir(client, uow, Actor.system(clinics[0]), *tokens, settings=config)
    engine.dispose()


def example(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def store_record(uow: UnitOfWork, actor: Actor, data: dict[str, Any], *, acknowledge: bool = True) -> str:
    """Store an input-contract record through the services (as the REST API would), acknowledging the first
    alert it raised so that exports carry a mitigation; returns the patient id."""
    base = {k: v for k, v in data.items() if k in ("patient", "surgery", "baseline")}
    summary = add_patient(uow, actor, base)
    latest = max((dt.date.fromisoformat(c["date"]) for c in data.get("checkins", [])), default=None)
    today = max(latest or dt.date.today(), dt.date.today())
    for checkin in data.get("checkins", []):
        record_checkin(uow, actor, summary.patient_id, checkin, today=today)
    alerts = get_patient(uow, actor, summary.patient_id).alerts
    if acknowledge and alerts:
        acknowledge_alert(uow, Actor("api_token", "1", "Dr Test", actor.clinic_id), alerts[-1].id, "Called the patient")
    return summary.patient_id


def medplum_issues(resources: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Medplum's validator's issues for each resource (an empty list: valid)."""
    done = subprocess.run(
        [*NODE, str(MEDPLUM_VALIDATOR)],
        input=json.dumps(resources),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=ROOT,
    )
    issues: list[list[dict[str, Any]]] = json.loads(done.stdout)
    return issues
