"""A check-in is judged on a bounded window of its patient's history (so its cost stays flat as the history
grows) and raises what the whole history would; GET of a patient pages its check-ins."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from nervetrack.adapters.db.tables import Patient
from nervetrack.domain.assess import assess
from nervetrack.knowledge import load_knowledge
from nervetrack.services.checkins import HISTORY_CHECKINS, HISTORY_DAYS, history_window, record_checkin
from nervetrack.services.patients import add_patient, get_patient
from nervetrack.services.records import record_of
from nervetrack.services.unit_of_work import UnitOfWork
from tests.services.conftest import Clinics, patient_dict

START = dt.date(2024, 1, 8)


def _long_history(uow: UnitOfWork, clinics: Clinics, patient_id: str, weeks: int, every_days: int = 7) -> dt.date:
    data = patient_dict(patient_id)
    data["surgery"]["date"] = START.isoformat()
    add_patient(uow, clinics.alice, data)
    day = START
    for number in range(weeks):
        day = START + dt.timedelta(days=every_days * (number + 1))
        values = {"date": day.isoformat(), "leg_pain": 2 + number % 2, "back_pain": 2, "weakness": 1, "numbness": 2}
        record_checkin(uow, clinics.alice, patient_id, values, today=day)
    return day


def test_the_window_holds_at_most_the_latest_check_ins_of_the_last_months(uow: UnitOfWork, clinics: Clinics) -> None:
    last = _long_history(uow, clinics, "daily", 150, every_days=1)
    with uow:
        patient = uow.session.scalars(select(Patient).where(Patient.ref == "daily")).one()
        dates = [c.date for c in history_window(uow.session, patient, last)]
    assert len(dates) == HISTORY_CHECKINS
    assert dates[-1] == last and dates == sorted(dates)
    assert all(last - day <= dt.timedelta(days=HISTORY_DAYS) for day in dates)


def test_a_check_in_after_two_years_of_weekly_ones_raises_what_the_whole_history_would(
    uow: UnitOfWork, clinics: Clinics
) -> None:
    last = _long_history(uow, clinics, "weekly", 104)
    day = last + dt.timedelta(days=7)
    worse = {"date": day.isoformat(), "leg_pain": 8, "back_pain": 2, "weakness": 6, "numbness": 6, "both_legs": True}
    stored = record_checkin(uow, clinics.alice, "weekly", worse, today=day)
    detail = get_patient(uow, clinics.alice, "weekly", today=day)
    whole = assess(detail.record, load_knowledge(), as_of=day, forecast=False)
    assert len(detail.record.checkins) == 105
    assert stored.assessment.triage.level == whole.triage.level
    assert sorted(f.code for f in stored.assessment.flags) == sorted(f.code for f in whole.flags)
    assert {a.code for a in stored.new_alerts} >= {"bilateral_progressive_deficit"}  # weakness 1 to 6, both legs


def test_get_patient_pages_the_check_ins_from_the_newest(uow: UnitOfWork, clinics: Clinics) -> None:
    _long_history(uow, clinics, "paged", 30)
    everything = get_patient(uow, clinics.alice, "paged")
    first = get_patient(uow, clinics.alice, "paged", checkins_limit=10)
    second = get_patient(uow, clinics.alice, "paged", checkins_limit=10, checkins_offset=10)
    assert (first.checkins_total, len(first.checkins), len(first.record.checkins)) == (30, 10, 10)
    assert [c.id for c in first.checkins] == [c.id for c in everything.checkins[-10:]]
    assert [c.id for c in second.checkins] == [c.id for c in everything.checkins[-20:-10]]
    assert first.assessment.triage == everything.assessment.triage  # judged on the whole history
    assert get_patient(uow, clinics.alice, "paged", checkins_limit=10, checkins_offset=40).checkins == []


def test_record_of_is_unchanged_for_the_window(uow: UnitOfWork, clinics: Clinics) -> None:
    last = _long_history(uow, clinics, "short", 5)
    with uow:
        patient = uow.session.scalars(select(Patient).where(Patient.ref == "short")).one()
        record = record_of(patient, history_window(uow.session, patient, last), None)
    assert len(record.checkins) == 5
