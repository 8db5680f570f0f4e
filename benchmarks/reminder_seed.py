"""Many patients with email reminders due now, bulk-inserted (for the reminder benchmark and race test)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, insert, select

from nervetrack.adapters.db.tables import Clinic, Patient, PatientLink, ReminderPreference, Surgery

CHUNK = 10_000


def seed_due_patients(engine: Engine, count: int, clinic_name: str = "Reminder clinic") -> None:
    """`count` patients 3 days after surgery (UTC), each with an active link and email reminders at 00:00
    UTC, so each has one reminder due now."""
    now = dt.datetime.now(dt.UTC)
    surgery = now.date() - dt.timedelta(days=3)
    with engine.begin() as connection:
        clinic_id = connection.execute(
            insert(Clinic).values(name=clinic_name, created_at=now, timezone="UTC").returning(Clinic.id)
        ).scalar_one()
        first = (connection.execute(select(Patient.id).order_by(Patient.id.desc()).limit(1)).scalar() or 0) + 1
        for start in range(first, first + count, CHUNK):
            ids = range(start, min(start + CHUNK, first + count))
            for table, rows in _rows(ids, clinic_id, surgery, now):
                connection.execute(insert(table), rows)


def _rows(ids: range, clinic_id: int, surgery: dt.date, now: dt.datetime) -> list[tuple[Any, list[dict[str, Any]]]]:
    patients = [
        {
            "id": i,
            "clinic_id": clinic_id,
            "ref": f"due-{i}",
            "birth_year": 1960,
            "sex": "unknown",
            "diabetes": False,
            "peripheral_neuropathy": False,
            "smoker": False,
            "created_at": now,
            "open_alert_rank": 0,
        }
        for i in ids
    ]
    surgeries = [
        {"patient_id": i, "date": surgery, "procedure": "microdiscectomy", "approach": "open", "levels": []}
        for i in ids
    ]
    links = [{"patient_id": i, "token_hash": f"due-link-{i:016d}", "created_at": now} for i in ids]
    prefs = [
        {
            "patient_id": i,
            "channel": "email",
            "email": f"due-{i}@patients.example",
            "local_time": dt.time(0, 0),
            "timezone": "UTC",
            "updated_at": now,
        }
        for i in ids
    ]
    return [(Patient, patients), (Surgery, surgeries), (PatientLink, links), (ReminderPreference, prefs)]
