"""Find due reminders and queue them, and claim queued rows for one sender: the database makes every
reminder go out once, whatever number of processes run.

- Planning inserts one row per patient and due date; the unique (patient_id, due_date) key and
  INSERT ... ON CONFLICT DO NOTHING let any number of planners run at once.
- Claiming moves rows from queued to sending under a claim token, selected with FOR UPDATE SKIP LOCKED on
  PostgreSQL (racing senders take disjoint rows without waiting) and guarded by the state in the UPDATE on
  every database, so a row is claimed by one sender only. A claim whose sender died is taken again after its
  lease (`LEASE`), the one case where a message may go out twice (with the same Message-ID).
- On SQLite one sender runs at a time: it holds the `sender_lease` row while it sends.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import secrets
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, and_, exists, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nervetrack.adapters.db.tables import (
    AlertNotice,
    Clinic,
    Patient,
    PatientLink,
    Reminder,
    ReminderPreference,
    SenderLease,
    Surgery,
)
from nervetrack.domain.schedule import QuietHours, reminder_due, send_moment
from nervetrack.services.schedules import schedule_from_text
from nervetrack.services.unit_of_work import UnitOfWork

LEASE = dt.timedelta(minutes=5)
CHUNK = 5000
Outbox = type[Reminder] | type[AlertNotice]


def worker_name() -> str:
    """This process, for claims: host, process id and a random part."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass(frozen=True)
class Planned:
    """What one planning pass found: reminders queued now, and patients with one already queued today."""

    queued: int
    already: int


def plan_reminders(uow: UnitOfWork, now: dt.datetime) -> Planned:
    """Queue a reminder for every patient whose check-in is due on their local today and not yet done."""
    with uow:
        session = uow.session
        existing = _existing(session, now)
        rows = [row for row in _due_rows(session, now) if row]
        fresh = [r for r in rows if (r["patient_id"], r["due_date"]) not in existing]
        statement = _insert_ignoring_duplicates(session)
        for start in range(0, len(fresh), CHUNK):
            session.connection().execute(statement, fresh[start : start + CHUNK])
        uow.commit()
        return Planned(queued=len(fresh), already=len(rows) - len(fresh))


def _existing(session: Session, now: dt.datetime) -> set[tuple[int, dt.date]]:
    since = now.date() - dt.timedelta(days=400)
    found = session.connection().execute(
        select(Reminder.patient_id, Reminder.due_date).where(Reminder.due_date >= since)
    )
    return {(patient_id, due) for patient_id, due in found}


def _due_rows(session: Session, now: dt.datetime) -> list[dict[str, Any] | None]:
    linked = exists().where(PatientLink.patient_id == Patient.id, PatientLink.revoked_at.is_(None))
    pref = ReminderPreference
    query = (
        select(
            Patient.id,
            Surgery.date,
            Patient.last_checkin_date,
            pref.channel,
            pref.local_time,
            pref.timezone,
            pref.quiet_start,
            pref.quiet_end,
            pref.paused_until,
            Clinic.timezone,
            Clinic.checkin_schedule,
        )
        .join(pref, pref.patient_id == Patient.id)
        .join(Surgery, Surgery.patient_id == Patient.id)
        .join(Clinic, Clinic.id == Patient.clinic_id)
        .where(pref.channel != "none", pref.stopped_at.is_(None), linked)
    )
    moments: dict[tuple[Any, ...], dt.datetime] = {}
    # Plain rows, not ORM objects: a pass reads every enrolled patient.
    return [_due_row(row, now, moments) for row in session.connection().execute(query)]


def _due_row(row: Any, now: dt.datetime, moments: dict[tuple[Any, ...], dt.datetime]) -> dict[str, Any] | None:
    (
        patient_id,
        surgery,
        last,
        channel,
        local_time,
        own_zone,
        quiet_start,
        quiet_end,
        paused_until,
        clinic_zone,
        clinic_schedule,
    ) = row
    zone = zone_named(own_zone or clinic_zone or "UTC")
    local_today = _local_date(now, zone)
    if paused_until is not None and local_today <= paused_until:
        return None
    due = reminder_due(schedule_from_text(clinic_schedule), surgery, [last] if last else [], local_today)
    if due is None:
        return None
    key = (due, local_time, zone, quiet_start, quiet_end)
    moment = moments.get(key)
    if moment is None:
        quiet = QuietHours(quiet_start, quiet_end) if quiet_start is not None and quiet_end is not None else None
        moment = moments[key] = send_moment(due, local_time, zone, quiet, not_before=now)
    return {
        "patient_id": patient_id,
        "due_date": due,
        "channel": channel,
        "state": "queued",
        "send_after": moment,
        "attempts": 0,
        "created_at": now,
    }


@functools.lru_cache(maxsize=512)
def zone_named(name: str) -> ZoneInfo:
    """A time zone by IANA name (cached)."""
    return ZoneInfo(name)


def _local_date(now: dt.datetime, zone: ZoneInfo) -> dt.date:
    return now.astimezone(zone).date()


def quiet_of(pref: ReminderPreference) -> QuietHours | None:
    """The patient's quiet hours, if they set both ends."""
    if pref.quiet_start is None or pref.quiet_end is None:
        return None
    return QuietHours(pref.quiet_start, pref.quiet_end)


def _insert_ignoring_duplicates(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    table = cast(Table, Reminder.__table__)
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=["patient_id", "due_date"])
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=["patient_id", "due_date"])
    return insert(table)


def claim(
    uow: UnitOfWork, table: Outbox, worker: str, now: dt.datetime, limit: int, channels: Sequence[str] | None = None
) -> tuple[str, list[int]]:
    """Claim up to `limit` rows ready to send (queued and due, or left by a sender whose lease ran out);
    return the claim token and the ids now this sender's alone."""
    token = f"{worker}/{secrets.token_hex(4)}"
    ready = or_(
        and_(table.state == "queued", table.send_after <= now),
        and_(table.state == "sending", table.claimed_until < now),
    )
    wanted = [ready] if channels is None or table is not Reminder else [ready, Reminder.channel.in_(channels)]
    with uow:
        session = uow.session
        query = select(table.id).where(*wanted).order_by(table.send_after, table.id).limit(limit)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list(session.scalars(query))
        if not ids:
            return token, []
        session.execute(
            update(table)
            .where(table.id.in_(ids), ready)
            .values(state="sending", claimed_by=token, claimed_until=now + LEASE, attempts=table.attempts + 1)
        )
        mine = list(session.scalars(select(table.id).where(table.id.in_(ids), table.claimed_by == token)))
        uow.commit()
        return token, mine


def settle(session: Session, table: Outbox, row_id: int, token: str, **values: Any) -> bool:
    """Record the outcome of a claimed row, if the claim is still this sender's."""
    result = session.execute(
        update(table)
        .where(table.id == row_id, table.claimed_by == token, table.state == "sending")
        .values(claimed_until=None, **values)
    )
    return bool(getattr(result, "rowcount", 0))


def hold_sender_lease(uow: UnitOfWork, worker: str, now: dt.datetime, name: str = "sender") -> bool:
    """On SQLite, take or keep the one sender's lease; True when this worker may send. Elsewhere, True."""
    with uow:
        session = uow.session
        if session.get_bind().dialect.name != "sqlite":
            return True
        result = session.execute(
            update(SenderLease)
            .where(SenderLease.name == name, or_(SenderLease.holder == worker, SenderLease.until < now))
            .values(holder=worker, until=now + LEASE)
        )
        if getattr(result, "rowcount", 0):
            uow.commit()
            return True
        if session.get(SenderLease, name) is not None:
            return False
        session.add(SenderLease(name=name, holder=worker, until=now + LEASE))
        try:
            uow.commit()
        except IntegrityError:
            return False
        return True


def release_sender_lease(uow: UnitOfWork, worker: str, now: dt.datetime, name: str = "sender") -> None:
    """Give the SQLite sender's lease back."""
    with uow:
        uow.session.execute(
            update(SenderLease).where(SenderLease.name == name, SenderLease.holder == worker).values(until=now)
        )
        uow.commit()
