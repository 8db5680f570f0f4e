"""Short-lived check-in links for reminders: /p/{id}.{signature}, never the patient's permanent link.

A link is signed (services/signing.py), stored with its expiry (48 hours at most), good for one check-in
(marked used in the check-in's own transaction, so two tabs cannot both use it), and dead once revoked: by
the clinic revoking the patient's links, or when the patient has no active permanent link. After its one
check-in it still opens the patient's recovery page and follow-up questions until it expires.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from nervetrack.adapters.db.tables import CheckinLink, Patient, PatientLink
from nervetrack.services import clock
from nervetrack.services.clock import aware
from nervetrack.services.errors import LinkInvalid, LinkUsed
from nervetrack.services.signing import sign, verify
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor

PURPOSE = "checkin-link"


def is_checkin_link(token: str) -> bool:
    """Whether a /p/ token is a reminder's check-in link (permanent links carry no dot)."""
    return "." in token


def issue_checkin_link(
    session: Session, key: str, patient_pk: int, reminder_id: int | None, hours: int, now: dt.datetime
) -> str:
    """Store a new link for the patient, valid `hours` from `now`, and return its token."""
    link = CheckinLink(
        patient_id=patient_pk,
        reminder_id=reminder_id,
        created_at=now,
        expires_at=now + dt.timedelta(hours=hours),
    )
    session.add(link)
    session.flush()
    return sign(key, PURPOSE, str(link.id))


def resolve_checkin_link(uow: UnitOfWork, key: str, token: str, *, for_new_checkin: bool = False) -> Actor:
    """The patient actor of a check-in link; LinkInvalid when forged, expired or revoked, LinkUsed when it
    already stored its check-in and `for_new_checkin`."""
    payload = verify(key, PURPOSE, token)
    if payload is None or not payload.isdigit():
        raise LinkInvalid("this link is not valid; ask your clinic for a new one")
    with uow:
        found = uow.session.execute(
            select(CheckinLink, Patient)
            .join(Patient, CheckinLink.patient_id == Patient.id)
            .where(CheckinLink.id == int(payload))
        ).one_or_none()
        if found is None:
            raise LinkInvalid("this link is not valid; ask your clinic for a new one")
        link, patient = found
        if link.revoked_at is not None or not _has_active_link(uow.session, patient.id):
            raise LinkInvalid("this link has been switched off")
        if aware(link.expires_at) <= clock.now():
            raise LinkInvalid("this link has expired")
        if for_new_checkin and link.used_at is not None:
            raise LinkUsed("this link has already been used for a check-in")
        return Actor(
            kind="patient_link",
            id=f"c{link.id}",
            name="patient (reminder link)",
            clinic_id=patient.clinic_id,
            patient_pk=patient.id,
            patient_ref=patient.ref,
            checkin_link_id=link.id,
        )


def use_checkin_link(session: Session, actor: Actor) -> None:
    """Mark the actor's check-in link used, in the check-in's transaction; LinkUsed if it already was."""
    if actor.checkin_link_id is None:
        return
    result = session.execute(
        update(CheckinLink)
        .where(CheckinLink.id == actor.checkin_link_id, CheckinLink.used_at.is_(None))
        .values(used_at=clock.now())
    )
    if not getattr(result, "rowcount", 0):
        raise LinkUsed("this link has already been used for a check-in")


def revoke_checkin_links(session: Session, patient_pk: int) -> None:
    """Switch off every check-in link of a patient (with their permanent links)."""
    session.execute(
        update(CheckinLink)
        .where(CheckinLink.patient_id == patient_pk, CheckinLink.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )


def _has_active_link(session: Session, patient_pk: int) -> bool:
    return (
        session.scalar(
            select(PatientLink.id).where(PatientLink.patient_id == patient_pk, PatientLink.revoked_at.is_(None))
        )
        is not None
    )
