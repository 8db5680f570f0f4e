"""Follow-up questions: store a patient's answers on the check-in they are about, assess again at once, and
call in the questions left unanswered.

The engine chooses the questions (domain/follow_up.py). Answers join the check-in's `follow_up` field of the
input contract, so the triage that runs on them is the one every other check-in gets; an answer that matters
("yes, my leg suddenly became much weaker") raises its alert on the spot. Questions still open a day later
raise the engine's follow_up_unanswered alert (a "call this patient" item on the dashboard) when
`sweep_unanswered` runs: from the dashboard, and from `nervetrack follow-ups sweep` for a timer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nervetrack.adapters.db.tables import Checkin, Patient
from nervetrack.domain.assess import assess
from nervetrack.domain.errors import InvalidInput, Problem
from nervetrack.domain.results import Assessment
from nervetrack.domain.validation import parse_record
from nervetrack.knowledge import load_knowledge
from nervetrack.services import clock
from nervetrack.services.access import patient_row
from nervetrack.services.audit import record_event
from nervetrack.services.checkins import history_window, raise_alerts, update_summary
from nervetrack.services.errors import NotFound
from nervetrack.services.patients import acknowledged_alerts
from nervetrack.services.records import alert_view, checkin_view, record_of
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor, CheckinResult

MAX_ANSWERS = 20


def answer_follow_up(
    uow: UnitOfWork,
    actor: Actor,
    patient_id: str,
    checkin_id: int,
    answers: Mapping[str, Any],
    *,
    today: dt.date | None = None,
) -> CheckinResult:
    """Add `answers` (question id -> answer) to a stored check-in, assess again as of `today` and open the
    alerts they raise. Raises InvalidInput naming `follow_up.<id>` for an unknown question or an answer of the
    wrong kind (nothing is stored then), NotFound for a check-in that is not this patient's."""
    if not isinstance(answers, Mapping) or not answers:
        raise InvalidInput([Problem("answers", "must be an object of question id -> answer, at least one")])
    if len(answers) > MAX_ANSWERS:
        raise InvalidInput([Problem("answers", f"must hold at most {MAX_ANSWERS} answers")])
    day = today or clock.today()
    with uow:
        session = uow.session
        patient = patient_row(session, actor, patient_id)
        row = session.scalars(
            select(Checkin).where(Checkin.id == checkin_id, Checkin.patient_id == patient.id)
        ).one_or_none()
        if row is None:
            raise NotFound(f"no check-in {checkin_id} for patient {patient_id}")
        merged = {**(row.follow_up or {}), **answers}
        assessment = _assess(session, patient, row, merged, day)
        row.follow_up = merged
        row.follow_up_open = bool(assessment.follow_up) and row.id == _latest_id(session, patient)
        alerts = raise_alerts(session, patient, row, assessment.flags)
        update_summary(session, patient, assessment, row.date, alerts_raised=bool(alerts))
        record_event(session, actor, "checkin.follow_up", "patient", patient.id)
        uow.commit()
        return CheckinResult(
            checkin=checkin_view(patient, row),
            assessment=assessment,
            created=False,
            new_alerts=[alert_view(patient, a) for a in alerts],
        )


def _assess(session: Session, patient: Patient, row: Checkin, answers: dict[str, Any], day: dt.date) -> Assessment:
    rows = history_window(session, patient, row.date)
    if all(r.id != row.id for r in rows):  # an old check-in answered late: judged beside the recent ones
        rows = sorted([*rows, row], key=lambda r: (r.date, r.id))
    record = record_of(patient, rows, None, acknowledged_alerts(session, patient))
    checkins = [
        c.model_copy(update={"follow_up": answers}) if r.id == row.id else c
        for r, c in zip(rows, record.checkins, strict=True)
    ]
    try:
        # Validated as the contract, so a wrong answer is named and nothing is half-stored.
        updated = parse_record({**record.model_dump(), "checkins": [c.model_dump() for c in checkins]})
        latest = max(c.date for c in updated.checkins)
        return assess(updated, load_knowledge(), as_of=max(day, latest), forecast=False)
    except InvalidInput as error:
        raise InvalidInput([_local(p) for p in error.problems]) from None


def _local(problem: Problem) -> Problem:
    """`checkins[3].follow_up.weakness_sudden` -> `follow_up.weakness_sudden`: the API names the answer."""
    path = problem.path
    if ".follow_up" in path:
        path = "follow_up" + path.split(".follow_up", 1)[1]
    return Problem(path, problem.message)


def _latest_id(session: Session, patient: Patient) -> int | None:
    return session.scalar(
        select(Checkin.id)
        .where(Checkin.patient_id == patient.id)
        .order_by(Checkin.date.desc(), Checkin.id.desc())
        .limit(1)
    )


def sweep_unanswered(uow: UnitOfWork, *, now: dt.datetime | None = None, clinic_id: int | None = None) -> int:
    """Assess again every patient whose latest check-in has follow-up questions open for longer than the
    rules allow, so the engine's follow_up_unanswered alert opens; return how many were swept. A check-in
    that is no longer its patient's latest is closed without an alert (newer answers supersede it)."""
    moment = now or clock.now()
    wait = dt.timedelta(days=load_knowledge().rules["follow_up_unanswered"].params["after_days"])
    actor = Actor.system(clinic_id)
    swept = 0
    with uow:
        session = uow.session
        query = select(Checkin).where(Checkin.follow_up_open.is_(True), Checkin.submitted_at <= moment - wait)
        if clinic_id is not None:
            query = query.join(Patient, Patient.id == Checkin.patient_id).where(Patient.clinic_id == clinic_id)
        for row in list(session.scalars(query)):
            row.follow_up_open = False
            patient = session.get_one(Patient, row.patient_id)
            if row.id != _latest_id(session, patient):
                continue
            rows = history_window(session, patient, row.date)
            record = record_of(patient, rows, None, acknowledged_alerts(session, patient))
            day = max(clock.aware(moment).date(), row.date + wait)
            assessment = assess(record, load_knowledge(), as_of=max(day, row.date), forecast=False)
            alerts = raise_alerts(session, patient, row, assessment.flags)
            if alerts:
                update_summary(session, patient, assessment, row.date, alerts_raised=True)
            record_event(session, actor, "checkin.follow_up_sweep", "patient", patient.id)
            swept += 1
        uow.commit()
    return swept
