"""Re-forecast every stored patient: read all records in two queries, forecast each symptom as a cohort.

This is a system task for the `nervetrack forecast-cohort` command (no clinician actor). Nothing about the
patients is written; the read itself is recorded as one system audit event (`cohort.read`).

A patient id is unique only within its clinic, so results are keyed by `cohort_key(clinic id, patient id)`,
e.g. "3/p-001".
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select

from nervetrack.adapters.db.tables import Checkin, Patient
from nervetrack.domain.forecast_batch import forecast_records
from nervetrack.domain.knowledge import Knowledge
from nervetrack.domain.model import PatientRecord
from nervetrack.services.audit import record_event
from nervetrack.services.records import record_of
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor

FORECAST_SYMPTOMS = ("leg_pain", "back_pain", "numbness", "tingling", "weakness", "walking", "odi")


def cohort_key(clinic_id: int | None, patient_id: str) -> str:
    """The key of one patient in the cohort's results: "clinic/patient", or the patient id alone (files)."""
    return patient_id if clinic_id is None else f"{clinic_id}/{patient_id}"


def keyed_patient_records(uow: UnitOfWork) -> list[tuple[str, PatientRecord]]:
    """Every stored patient's record with its cohort key (clinic id/patient id), in id order.

    Records one system audit event (`cohort.read`) for the whole read.
    """
    with uow:
        patients = list(uow.session.scalars(select(Patient).order_by(Patient.id)))
        by_patient: dict[int, list[Checkin]] = defaultdict(list)
        for row in uow.session.scalars(select(Checkin).order_by(Checkin.patient_id, Checkin.date, Checkin.id)):
            by_patient[row.patient_id].append(row)
        keyed = [(cohort_key(p.clinic_id, p.ref), record_of(p, by_patient[p.id], None)) for p in patients]
        record_event(uow.session, Actor.system(), "cohort.read", "cohort", len(patients))
        uow.commit()
        return keyed


def forecast_all(
    knowledge: Knowledge,
    records: Sequence[PatientRecord],
    on_progress: Callable[[int], None] | None = None,
    keys: Sequence[str] | None = None,
) -> dict[str, dict[str, Any]]:
    """Forecasts keyed by `keys` (default: the patient ids, for records from files), then symptom.

    Give keys that are unique (e.g. from `keyed_patient_records`): patient ids repeat across clinics.
    """
    names = list(keys) if keys is not None else [r.patient.id for r in records]
    if len(names) != len(records) or len(set(names)) != len(names):
        raise ValueError("forecast_all needs one unique key per record")
    out: dict[str, dict[str, Any]] = {name: {} for name in names}
    for symptom in FORECAST_SYMPTOMS:
        cohort = forecast_records(knowledge, records, symptom, on_progress, workers=os.cpu_count() or 1)
        for i, name in enumerate(names):
            out[name][symptom] = cohort.as_dict(i)
    return out
