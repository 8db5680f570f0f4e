"""Secret links for patients and bearer tokens for clinic systems: shown once, stored only as a hash.

The secrets carry 256 bits of randomness, so a fast SHA-256 hash is enough (no password stretching).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update

from nervetrack.adapters.db.tables import ApiToken, Clinic, Patient, PatientLink
from nervetrack.services import clock
from nervetrack.services.access import clinic_of, patient_row
from nervetrack.services.audit import record_event
from nervetrack.services.checkin_links import is_checkin_link, resolve_checkin_link, revoke_checkin_links
from nervetrack.services.errors import AuthenticationFailed, Conflict, LinkInvalid, NotFound
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor, IssuedSecret


def new_secret() -> tuple[str, str]:
    """A fresh URL-safe secret and its hash."""
    secret = secrets.token_urlsafe(32)
    return secret, hash_secret(secret)


def hash_secret(secret: str) -> str:
    """The stored form of a secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_link(uow: UnitOfWork, actor: Actor, patient_id: str) -> IssuedSecret:
    """Issue a new secret link for a patient, revoking any earlier one; the secret is returned only here."""
    clinic_of(actor)
    secret, digest = new_secret()
    with uow:
        session = uow.session
        patient = patient_row(session, actor, patient_id)
        _revoke_links(uow, patient.id)
        link = PatientLink(patient_id=patient.id, token_hash=digest, created_at=clock.now())
        session.add(link)
        session.flush()
        record_event(session, actor, "link.issue", "patient", patient.id)
        uow.commit()
        return IssuedSecret(id=link.id, secret=secret, label=patient.ref)


def revoke_link(uow: UnitOfWork, actor: Actor, patient_id: str) -> int:
    """Revoke every active link of a patient; return how many were revoked."""
    clinic_of(actor)
    with uow:
        patient = patient_row(uow.session, actor, patient_id)
        count = _revoke_links(uow, patient.id)
        record_event(uow.session, actor, "link.revoke", "patient", patient.id)
        uow.commit()
        return count


def resolve_link(uow: UnitOfWork, secret: str, key: str | None = None, *, for_new_checkin: bool = False) -> Actor:
    """The actor for a patient's link (kind patient_link, patient_ref set); LinkInvalid if unknown/revoked.

    A reminder's short-lived check-in link (services/checkin_links.py) is checked with the signing `key`."""
    if is_checkin_link(secret):
        if key is None:
            raise LinkInvalid("this link is not valid; ask your clinic for a new one")
        return resolve_checkin_link(uow, key, secret, for_new_checkin=for_new_checkin)
    with uow:
        found = uow.session.execute(
            select(PatientLink, Patient)
            .join(Patient, PatientLink.patient_id == Patient.id)
            .where(PatientLink.token_hash == hash_secret(secret))
        ).one_or_none()
        if found is None or found[0].revoked_at is not None:
            raise LinkInvalid("this link is not valid; ask your clinic for a new one")
        link, patient = found
        return Actor(
            kind="patient_link",
            id=str(link.id),
            name="patient (own link)",
            clinic_id=patient.clinic_id,
            patient_pk=patient.id,
            patient_ref=patient.ref,
        )


def create_api_token(uow: UnitOfWork, clinic_id: int, name: str) -> IssuedSecret:
    """Create a bearer token for a clinic's system; the secret is returned only here."""
    secret, digest = new_secret()
    with uow:
        if uow.session.get(Clinic, clinic_id) is None:
            raise NotFound(f"no clinic {clinic_id}")
        token = ApiToken(clinic_id=clinic_id, name=name, token_hash=digest, created_at=clock.now())
        uow.session.add(token)
        uow.session.flush()
        record_event(uow.session, Actor.system(clinic_id), "api_token.create", "clinic", clinic_id)
        uow.commit()
        return IssuedSecret(id=token.id, secret=secret, label=name)


@dataclass(frozen=True)
class RevokedToken:
    """An API token that has just been revoked."""

    id: int
    name: str
    clinic_id: int


def revoke_api_token(uow: UnitOfWork, id_or_name: str) -> RevokedToken:
    """Revoke a clinic system's API token by its id or its name; the API refuses it from then on.

    NotFound if no token has that id or name, Conflict if the name is shared by several active tokens
    (give the id then) or the token was already revoked.
    """
    key = id_or_name.strip()
    with uow:
        session = uow.session
        if key.isdigit():
            token = session.get(ApiToken, int(key))
            if token is None:
                raise NotFound(f"no API token {key}")
        else:
            named = session.scalars(select(ApiToken).where(ApiToken.name == key).order_by(ApiToken.id)).all()
            active = [t for t in named if t.revoked_at is None]
            if not named:
                raise NotFound(f"no API token named {key!r}")
            if len(active) > 1:
                ids = ", ".join(str(t.id) for t in active)
                raise Conflict(f"{len(active)} active API tokens are named {key!r} (ids {ids}); give the id")
            token = active[0] if active else named[-1]
        if token.revoked_at is not None:
            raise Conflict(f"API token {token.id} ({token.name}) was already revoked")
        token.revoked_at = clock.now()
        record_event(session, Actor.system(token.clinic_id), "api_token.revoke", "clinic", token.clinic_id)
        uow.commit()
        return RevokedToken(id=token.id, name=token.name, clinic_id=token.clinic_id)


def authenticate_token(uow: UnitOfWork, secret: str) -> Actor:
    """The actor for a bearer token (kind api_token); AuthenticationFailed if unknown or revoked."""
    with uow:
        token = uow.session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret))).one_or_none()
        if token is None or token.revoked_at is not None:
            raise AuthenticationFailed("unknown or revoked API token")
        return Actor(kind="api_token", id=str(token.id), name=f"API token {token.name}", clinic_id=token.clinic_id)


def _revoke_links(uow: UnitOfWork, patient_pk: int) -> int:
    revoke_checkin_links(uow.session, patient_pk)
    result = uow.session.execute(
        update(PatientLink)
        .where(PatientLink.patient_id == patient_pk, PatientLink.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    return int(getattr(result, "rowcount", 0) or 0)
