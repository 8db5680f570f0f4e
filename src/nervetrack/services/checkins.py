"""Record a check-in: validate it, assess it, store it with its alerts in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nervetrack.adapters.db.tables import Alert, Checkin, Patient
from nervetrack.domain.assess import assess, triage_flags
from nervetrack.domain.errors import InvalidInput, Problem
from nervetrack.domain.model import CheckIn, PatientRecord, TriageLevel
from nervetrack.domain.results import Assessment, Flag
from nervetrack.domain.validation import parse_record
from nervetrack.knowledge import load_knowledge
from nervetrack.services import clock
from nervetrack.services.access import patient_row
from nervetrack.services.alert_notices import queue_alert_notices
from nervetrack.services.audit import record_event
from nervetrack.services.checkin_links import use_checkin_link
from nervetrack.services.errors import IdempotencyKeyReused
from nervetrack.services.patients import acknowledged_alerts
from nervetrack.services.records import (
    alert_view,
    checkin_row_fields,
    checkin_values,
    checkin_view,
    patient_contract,
    record_of,
)
from nervetrack.services.schedules import refresh_overdue
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor, CheckinResult

_PREFIX = "checkins[0]"


def record_checkin(
    uow: UnitOfWork,
    actor: Actor,
    patient_id: str,
    data: Mapping[str, Any],
    *,
    idempotency_key: str | None = None,
    today: dt.date | None = None,
) -> CheckinResult:
    """Store one check-in (input-contract fields) for a patient, dated no later than `today`, with its alerts
    (judged as of the patient's latest check-in).

    A retry with the same idempotency key and the same answers returns the first check-in (created=False) and
    stores nothing; the same key with other answers raises IdempotencyKeyReused. Raises InvalidInput whose
    problems name the check-in field (e.g. `leg_pain`), NotFound, Forbidden.
    """
    day = today or clock.today()
    with uow:
        session = uow.session
        patient = patient_row(session, actor, patient_id)
        values = validate_checkin(patient, data, day)
        if idempotency_key:
            earlier = _earlier(session, patient, idempotency_key)
            if earlier is not None:
                return _replayed(patient, earlier, values)
        try:
            result = _store(session, actor, patient, values, idempotency_key)
            use_checkin_link(session, actor)
            uow.commit()
        except IntegrityError:
            # A concurrent retry won the race on the unique (patient, idempotency key).
            session.rollback()
            earlier = _earlier(session, patient, idempotency_key or "")
            if earlier is None:
                raise
            return _replayed(patient, earlier, values)
        return result


def validate_checkin(patient: Patient, data: Mapping[str, Any], today: dt.date) -> CheckIn:
    """Check a submitted check-in against the contract and the date rules (not before surgery, not future)."""
    if not isinstance(data, Mapping):
        raise InvalidInput([Problem("", "the check-in must be a JSON object")])
    contract = patient_contract(patient)
    contract.update(checkins=[dict(data)], as_of=today, baseline=None)
    try:
        record = parse_record(contract)
    except InvalidInput as error:
        raise InvalidInput([_local(p) for p in error.problems]) from None
    return record.checkins[0]


def _local(problem: Problem) -> Problem:
    path = problem.path
    if path.startswith(_PREFIX):
        path = path[len(_PREFIX) :].lstrip(".")
    elif path == "as_of":
        path = "date"
    return Problem(path, problem.message.replace("as_of", "today"))


def _store(
    session: Session,
    actor: Actor,
    patient: Patient,
    values: CheckIn,
    idempotency_key: str | None,
) -> CheckinResult:
    earlier = history_window(session, patient, values.date)
    record = record_of(patient, earlier, None, acknowledged_alerts(session, patient))
    record = record.model_copy(update={"checkins": [*record.checkins, values]})
    # Forecasts are derived on read (patients.current_assessment); storing a check-in needs the triage only.
    # It is judged as of its own date: the time since (follow-up questions waiting, say) is the sweep's.
    latest = max(c.date for c in record.checkins)
    assessment = assess(record, load_knowledge(), as_of=latest, forecast=False)
    asked = [q.id for q in assessment.follow_up]
    row = Checkin(
        patient_id=patient.id,
        idempotency_key=idempotency_key,
        triage_level=assessment.triage.level.value,
        assessment=assessment.model_dump(mode="json"),
        submitted_at=clock.now(),
        follow_up_asked=asked or None,
        follow_up_open=bool(asked),
        **checkin_row_fields(values),
    )
    session.add(row)
    session.flush()
    alerts = raise_alerts(session, patient, row, [*assessment.flags, *_backdated_flags(record, values)])
    update_summary(session, patient, assessment, values.date, alerts_raised=bool(alerts))
    record_event(session, actor, "checkin.create", "patient", patient.id)
    return CheckinResult(
        checkin=checkin_view(patient, row),
        assessment=assessment,
        created=True,
        new_alerts=[alert_view(patient, a) for a in alerts],
    )


# A check-in is judged on a bounded window of the patient's history, so its cost stays flat however long the
# history grows: the check-ins of the last HISTORY_DAYS days (the longest look-back of any rule is 91 days, the
# cauda equina window 14) and at most the latest HISTORY_CHECKINS of them. With weekly check-ins every rule
# sees all it reads; with daily ones the 8- and 13-week trend rules see the latest 48 ratings, and "the best
# level since surgery" is the best of those. The pre-operative baseline and acknowledgements are always whole.
HISTORY_DAYS = 120
HISTORY_CHECKINS = 48


def history_window(session: Session, patient: Patient, day: dt.date) -> list[Checkin]:
    """The patient's stored check-ins a new one dated `day` is judged with, oldest first (see above)."""
    anchor = max(day, patient.last_checkin_date or day)
    rows = session.scalars(
        select(Checkin)
        .where(Checkin.patient_id == patient.id, Checkin.date >= anchor - dt.timedelta(days=HISTORY_DAYS))
        .order_by(Checkin.date.desc(), Checkin.id.desc())
        .limit(HISTORY_CHECKINS)
    ).all()
    return list(reversed(rows))


def _backdated_flags(record: PatientRecord, values: CheckIn) -> list[Flag]:
    """Flags of a check-in dated before the latest stored one, judged as of its own date.

    Red-flag signs are judged on the latest check-in by date, so a late-arriving earlier check-in would
    otherwise never raise its own emergency.
    """
    if all(c.date <= values.date for c in record.checkins):
        return []
    upto = record.model_copy(update={"checkins": [c for c in record.checkins if c.date <= values.date]})
    return triage_flags(upto, load_knowledge(), as_of=values.date)


def raise_alerts(session: Session, patient: Patient, row: Checkin, flags: list[Flag]) -> list[Alert]:
    """Open an alert per flag above routine, unless one with the same code is still open."""
    if all(flag.level is TriageLevel.ROUTINE for flag in flags):
        return []
    open_codes = set(
        session.scalars(select(Alert.code).where(Alert.patient_id == patient.id, Alert.acknowledged_at.is_(None)))
    )
    raised = []
    for flag in flags:
        if flag.level is TriageLevel.ROUTINE or flag.code in open_codes:
            continue
        alert = Alert(
            patient_id=patient.id,
            checkin_id=row.id,
            code=flag.code,
            level=flag.level.value,
            message=flag.message,
            evidence=flag.evidence,
            raised_at=clock.now(),
        )
        session.add(alert)
        open_codes.add(flag.code)
        raised.append(alert)
    session.flush()
    queue_alert_notices(session, patient, raised)
    return raised


def update_summary(
    session: Session, patient: Patient, assessment: Assessment, day: dt.date, *, alerts_raised: bool
) -> None:
    if patient.last_checkin_date is None or day >= patient.last_checkin_date:
        patient.last_checkin_date = day
        patient.current_level = assessment.triage.level.value
        refresh_overdue(session, patient)
    # Only a new alert can raise the rank here; acknowledging one refreshes it in services.alerts.
    if alerts_raised:
        refresh_open_alert_rank(session, patient)


def refresh_open_alert_rank(session: Session, patient: Patient) -> None:
    """Recompute the patient's highest open-alert level (0 none, 1 soon, 2 urgent, 3 emergency)."""
    levels = session.scalars(
        select(func.distinct(Alert.level)).where(Alert.patient_id == patient.id, Alert.acknowledged_at.is_(None))
    ).all()
    patient.open_alert_rank = max((TriageLevel(level).rank for level in levels), default=0)


def _earlier(session: Session, patient: Patient, key: str) -> Checkin | None:
    return session.scalars(
        select(Checkin).where(Checkin.patient_id == patient.id, Checkin.idempotency_key == key)
    ).one_or_none()


def _replayed(patient: Patient, row: Checkin, values: CheckIn) -> CheckinResult:
    """The earlier check-in stored under the same key, if the answers are the same; a key reused for other
    answers is refused rather than answered with the first check-in, which would drop the new answers."""
    if checkin_row_fields(checkin_values(row)) != checkin_row_fields(values):
        raise IdempotencyKeyReused()
    return CheckinResult(
        checkin=checkin_view(patient, row),
        assessment=Assessment.model_validate(row.assessment),
        created=False,
        new_alerts=[],
    )
