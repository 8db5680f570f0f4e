"""The clinic dashboard: open alerts first (emergency, urgent, soon), then overdue patients (two due check-ins
of the schedule missed), then longest since the last check-in; adherence (done / due in the last 14 days)
beside each patient.

Reads the denormalised summary on the patient row (open-alert rank, current triage level, last check-in
date), so one indexed query serves a clinic of thousands; the phase follows from the surgery date.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from nervetrack.adapters.db.tables import Alert, Clinic, Patient, Surgery
from nervetrack.domain.model import TriageLevel
from nervetrack.domain.schedule import ADHERENCE_DAYS, Adherence, adherence
from nervetrack.domain.timeline import phase_at
from nervetrack.knowledge import load_knowledge
from nervetrack.services import clock
from nervetrack.services.access import clinic_of
from nervetrack.services.adherence import recent_checkin_dates
from nervetrack.services.audit import record_event
from nervetrack.services.errors import NotFound
from nervetrack.services.follow_ups import sweep_unanswered
from nervetrack.services.schedules import schedule_of
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor, Dashboard, DashboardRow

_RANK_LEVEL = {level.rank: level for level in TriageLevel}


def dashboard(
    uow: UnitOfWork,
    actor: Actor,
    *,
    procedure: str | None = None,
    phase: str | None = None,
    level: TriageLevel | str | None = None,
    search: str | None = None,
    overdue: bool = False,
    limit: int = 100,
    offset: int = 0,
    today: dt.date | None = None,
) -> Dashboard:
    """List the clinic's patients in triage order, filtered by procedure, phase code, triage level, id search.

    `level` matches the triage level of the latest check-in; `search` is a case-insensitive substring of the
    patient id; `overdue` keeps only patients who missed their last two due check-ins.
    """
    clinic_id = clinic_of(actor)
    day = today or clock.today()
    # Follow-up questions left unanswered become "call this patient" alerts before the list is read.
    sweep_unanswered(uow, clinic_id=clinic_id)
    query = select(Patient, Surgery).join(Surgery, Surgery.patient_id == Patient.id)
    query = _filtered(query.where(Patient.clinic_id == clinic_id), procedure, phase, level, search, day)
    is_overdue = and_(Patient.overdue_from.is_not(None), Patient.overdue_from <= day)
    if overdue:
        query = query.where(is_overdue)
    with uow:
        session = uow.session
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        page = session.execute(
            query.order_by(
                Patient.open_alert_rank.desc(),
                case((is_overdue, 1), else_=0).desc(),
                Patient.last_checkin_date.asc().nulls_first(),
                Surgery.date.asc(),
                Patient.ref,
            )
            .limit(max(1, min(limit, 1000)))
            .offset(max(0, offset))
        ).all()
        counts = _open_counts(session, [p.id for p, _ in page])
        recent = recent_checkin_dates(session, [p.id for p, _ in page], day - dt.timedelta(days=ADHERENCE_DAYS))
        schedule = schedule_of(session.get(Clinic, clinic_id))
        record_event(session, actor, "dashboard.read", "clinic", clinic_id)
        uow.commit()
    rows = [_row(p, s, counts.get(p.id, 0), day, adherence(schedule, s.date, recent[p.id], day)) for p, s in page]
    return Dashboard(rows=rows, total=total, as_of=day, limit=limit, offset=offset)


def phase_codes() -> list[str]:
    """The recovery phase codes a dashboard can filter by, in order."""
    return [p.code for p in load_knowledge().phases]


def _filtered(
    query: Select[Patient, Surgery],
    procedure: str | None,
    phase: str | None,
    level: TriageLevel | str | None,
    search: str | None,
    day: dt.date,
) -> Select[Patient, Surgery]:
    if procedure:
        query = query.where(Surgery.procedure == procedure)
    if level:
        query = query.where(Patient.current_level == TriageLevel(level).value)
    if search:
        escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(Patient.ref).like(f"%{escaped}%", escape="\\"))
    if phase:
        match = [p for p in load_knowledge().phases if p.code == phase]
        if not match:
            raise NotFound(f"no phase {phase!r}; phases are {', '.join(phase_codes())}")
        query = query.where(Surgery.date <= day - dt.timedelta(days=match[0].start_day))
        if match[0].end_day is not None:
            query = query.where(Surgery.date >= day - dt.timedelta(days=match[0].end_day))
    return query


def _open_counts(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.execute(
        select(Alert.patient_id, func.count())
        .where(Alert.patient_id.in_(ids), Alert.acknowledged_at.is_(None))
        .group_by(Alert.patient_id)
    ).all()
    return {patient_id: count for patient_id, count in rows}


def _row(patient: Patient, surgery: Surgery, open_alerts: int, day: dt.date, kept: Adherence) -> DashboardRow:
    since_surgery = (day - surgery.date).days
    since_checkin = (day - patient.last_checkin_date).days if patient.last_checkin_date else None
    return DashboardRow(
        patient_id=patient.ref,
        procedure=surgery.procedure,
        surgery_date=surgery.date,
        days_since_surgery=since_surgery,
        phase=phase_at(load_knowledge(), since_surgery).code,
        triage_level=TriageLevel(patient.current_level) if patient.current_level else None,
        open_alert_level=_RANK_LEVEL[patient.open_alert_rank] if patient.open_alert_rank else None,
        open_alerts=open_alerts,
        last_checkin_date=patient.last_checkin_date,
        days_since_last_checkin=since_checkin,
        overdue=patient.overdue_from is not None and patient.overdue_from <= day,
        adherence_done=kept.done,
        adherence_due=kept.due,
    )
