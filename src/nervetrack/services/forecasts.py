"""Re-forecast every stored patient: read all records in two queries, forecast each symptom as a cohort.

This is a system task for the `nervetrack forecast-cohort` command (no clinician actor, nothing written).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select

from nervetrack.adapters.db.tables import Checkin, Patient
from nervetrack.domain.forecast_batch import forecast_records
from nervetrack.domain.knowledge import Knowledge
from nervetrack.domain.model import PatientRecord
from nervetrack.services.records import record_of
from nervetrack.services.unit_of_work import UnitOfWork

FORECAST_SYMPTOMS = ("leg_pain", "back_pain", "numbness", "tingling", "weakness", "walking", "odi")


def all_patient_records(uow: UnitOfWork) -> list[PatientRecord]:
    """Every stored patient as the engine's input-contract record, in id order."""
    with uow:
        patients = list(uow.session.scalars(select(Patient).order_by(Patient.id)))
        by_patient: dict[int, list[Checkin]] = defaultdict(list)
        for row in uow.session.scalars(select(Checkin).order_by(Checkin.patient_id, Checkin.date, Checkin.id)):
            by_patient[row.patient_id].append(row)
        return [record_of(p, by_patient[p.id], None) for p in patients]


def forecast_all(
    knowledge: Knowledge,
    records: Sequence[PatientRecord],
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, dict[str, Any]]:
    """Forecasts keyed by patient id, then symptom, from the vectorised cohort path."""
    out: dict[str, dict[str, Any]] = {r.patient.id: {} for r in records}
    for symptom in FORECAST_SYMPTOMS:
        cohort = forecast_records(knowledge, records, symptom, on_progress)
        for i, record in enumerate(records):
            out[record.patient.id][symptom] = cohort.as_dict(i)
    return out
