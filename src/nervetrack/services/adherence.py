"""Adherence to the check-in schedule: check-ins done / due in the last 14 days, whether the patient missed
the last two due check-ins (overdue), and the next due date, for the patient's page and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from nervetrack.adapters.db.tables import Checkin, Clinic
from nervetrack.domain.schedule import ADHERENCE_DAYS, adherence, next_checkin_due
from nervetrack.knowledge import load_knowledge
from nervetrack.services import clock
from nervetrack.services.access import patient_row
from nervetrack.services.audit import record_event
from nervetrack.services.schedules import schedule_of
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor


@dataclass(frozen=True)
class AdherenceView:
    """Done / due check-ins of the last 14 days, overdue (two due check-ins missed), the next due date."""

    done: int
    due: int
    overdue: bool
    missed_in_a_row: int
    next_due: dt.date | None
    days: int = ADHERENCE_DAYS


def patient_adherence(uow: UnitOfWork, actor: Actor, patient_id: str, *, today: dt.date | None = None) -> AdherenceView:
    """The patient's adherence to their clinic's schedule as of `today`."""
    day = today or clock.today()
    with uow:
        session = uow.session
        patient = patient_row(session, actor, patient_id)
        schedule = schedule_of(session.get(Clinic, patient.clinic_id))
        dates = list(session.scalars(select(Checkin.date).where(Checkin.patient_id == patient.id)))
        record_event(session, actor, "adherence.read", "patient", patient.id)
        uow.commit()
    surgery = patient.surgery.date
    found = adherence(schedule, surgery, dates, day)
    last = max((d for d in dates if d <= day), default=None)
    upcoming = next_checkin_due(load_knowledge(), surgery, last, day, schedule)
    return AdherenceView(found.done, found.due, found.overdue, found.missed_in_a_row, upcoming)


def recent_checkin_dates(session: Session, patient_pks: Iterable[int], since: dt.date) -> dict[int, list[dt.date]]:
    """Each patient's check-in dates from `since` on (for the dashboard's adherence column)."""
    ids = list(patient_pks)
    found: dict[int, list[dt.date]] = {pk: [] for pk in ids}
    if ids:
        rows = session.execute(
            select(Checkin.patient_id, Checkin.date).where(Checkin.patient_id.in_(ids), Checkin.date >= since)
        )
        for pk, day in rows:
            found[pk].append(day)
    return found
