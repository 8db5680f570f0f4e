"""Clinician sessions stored in the database, so they can be ended: by logging out, by a password change,
by an administrator (`nervetrack clinician disable`), after `idle` without use, and after `max_age` in all.

The cookie holds a 256-bit secret; the row holds its SHA-256 hash, so a copy of the database opens no session.
Every server process reads the same rows, so a session ended on one is ended on all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from nervetrack.adapters.db.tables import Clinician, WebSession
from nervetrack.services import clock
from nervetrack.services.audit import record_event
from nervetrack.services.errors import NotFound
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor, ClinicianView

TOUCH_EVERY = dt.timedelta(seconds=60)  # last_seen_at is written at most this often (one write a minute)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def start_session(uow: UnitOfWork, clinician_id: int) -> str:
    """Open a session for a clinician who has just logged in; return the secret for the cookie."""
    secret = secrets.token_urlsafe(32)
    moment = clock.now()
    with uow:
        uow.session.add(WebSession(id=_hash(secret), clinician_id=clinician_id, created_at=moment, last_seen_at=moment))
        uow.commit()
    return secret


def clinician_of_session(
    uow: UnitOfWork, secret: str, *, idle: dt.timedelta, max_age: dt.timedelta
) -> ClinicianView | None:
    """The clinician of a live session, or None when it is unknown, ended, idle too long, too old, or its
    clinician is disabled (the session is ended then)."""
    moment = clock.now()
    with uow:
        row = uow.session.scalars(
            select(WebSession)
            .options(joinedload(WebSession.clinician).joinedload(Clinician.clinic))
            .where(WebSession.id == _hash(secret))
        ).one_or_none()
        if row is None or row.ended_at is not None:
            return None
        clinician = row.clinician
        stale = moment - clock.aware(row.last_seen_at) > idle or moment - clock.aware(row.created_at) > max_age
        if stale or clinician.disabled_at is not None:
            row.ended_at = moment
            uow.commit()
            return None
        if moment - clock.aware(row.last_seen_at) > TOUCH_EVERY:
            row.last_seen_at = moment
            uow.commit()
        return ClinicianView(clinician.id, clinician.clinic_id, clinician.clinic.name, clinician.email, clinician.name)


def end_session(uow: UnitOfWork, secret: str) -> None:
    """End one session (logout)."""
    with uow:
        uow.session.execute(
            update(WebSession)
            .where(WebSession.id == _hash(secret), WebSession.ended_at.is_(None))
            .values(ended_at=clock.now())
        )
        uow.commit()


def end_sessions_of(session: Session, clinician_id: int) -> int:
    """End every open session of a clinician, in the caller's transaction; return how many."""
    result = session.execute(
        update(WebSession)
        .where(WebSession.clinician_id == clinician_id, WebSession.ended_at.is_(None))
        .values(ended_at=clock.now())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def disable_clinician(uow: UnitOfWork, email: str) -> tuple[ClinicianView, int]:
    """Disable a clinician's login and end their sessions at once; return them and how many sessions ended."""
    with uow:
        row = uow.session.scalars(
            select(Clinician).options(joinedload(Clinician.clinic)).where(Clinician.email == email.strip().lower())
        ).one_or_none()
        if row is None:
            raise NotFound(f"no clinician {email!r}")
        row.disabled_at = row.disabled_at or clock.now()
        ended = end_sessions_of(uow.session, row.id)
        record_event(uow.session, Actor.system(row.clinic_id), "clinician.disable", "clinician", row.id)
        uow.commit()
        return ClinicianView(row.id, row.clinic_id, row.clinic.name, row.email, row.name), ended
