"""Clinics and clinicians: create them, and log a clinician in with argon2 and login back-off."""

from __future__ import annotations

import zoneinfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from nervetrack.adapters.db.tables import Clinic, Clinician
from nervetrack.domain.errors import InvalidInput, Problem
from nervetrack.domain.schedule import format_schedule, parse_schedule
from nervetrack.services import clock, login_throttle
from nervetrack.services.access import clinic_of
from nervetrack.services.audit import record_event
from nervetrack.services.clinician_sessions import end_sessions_of
from nervetrack.services.errors import AuthenticationFailed, Conflict, NotFound
from nervetrack.services.login_throttle import ThrottlePolicy
from nervetrack.services.patients import PHONE
from nervetrack.services.records import clinic_view
from nervetrack.services.schedules import refresh_clinic_overdue
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor, ClinicianView, ClinicView

_HASHER = PasswordHasher()
# Verified when the email is unknown, so a wrong email costs the same time as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a real password")
MIN_PASSWORD = 10


MAX_NAME = 200


def create_clinic(uow: UnitOfWork, name: str) -> ClinicView:
    """Create a clinic; ValueError if the name is empty or longer than 200 characters."""
    name = _name(name, "the clinic name")
    with uow:
        clinic = Clinic(name=name, created_at=clock.now())
        uow.session.add(clinic)
        uow.session.flush()
        record_event(uow.session, Actor.system(clinic.id), "clinic.create", "clinic", clinic.id)
        uow.commit()
        return clinic_view(clinic)


def get_clinic(uow: UnitOfWork, clinic_id: int) -> ClinicView:
    """A clinic with its contact settings; NotFound if there is none."""
    with uow:
        clinic = uow.session.get(Clinic, clinic_id)
        if clinic is None:
            raise NotFound(f"no clinic {clinic_id}")
        return clinic_view(clinic)


CLINIC_SETTINGS = ("phone", "hours", "out_of_hours", "timezone", "alert_email", "checkin_schedule")
_LIMITS = {"phone": 40, "hours": 200, "out_of_hours": 300}


def update_clinic(uow: UnitOfWork, actor: Actor, **settings: str | None) -> ClinicView:
    """Set how patients reach the clinic (phone, hours, out-of-hours route) and its time zone (an IANA name
    such as Europe/London). Raises InvalidInput naming the setting for a bad value; nothing is changed then."""
    clinic_id = clinic_of(actor)
    values = _checked_settings(settings)
    with uow:
        clinic = uow.session.get(Clinic, clinic_id)
        if clinic is None:
            raise NotFound(f"no clinic {clinic_id}")
        schedule_changed = "checkin_schedule" in values and values["checkin_schedule"] != clinic.checkin_schedule
        for name, value in values.items():
            setattr(clinic, name, value)
        if schedule_changed:
            refresh_clinic_overdue(uow.session, clinic)
        record_event(uow.session, actor, "clinic.update", "clinic", clinic_id)
        uow.commit()
        return clinic_view(clinic)


def _checked_settings(settings: dict[str, str | None]) -> dict[str, str | None]:
    problems = [Problem(name, "unknown clinic setting") for name in settings if name not in CLINIC_SETTINGS]
    values: dict[str, str | None] = {}
    for name, raw in settings.items():
        value = " ".join(raw.split()) if isinstance(raw, str) else None
        if name == "timezone":
            if not value or not is_zone(value):
                problems.append(Problem(name, "must be a time zone name such as Europe/London or America/Chicago"))
            values[name] = value
        elif name == "alert_email":
            if value and not is_email(value):
                problems.append(Problem(name, "must be an email address such as ward@clinic.example"))
            values[name] = value.lower() if value else None
        elif name == "checkin_schedule":
            values[name] = _schedule(value, problems)
        elif name in _LIMITS:
            if value and len(value) > _LIMITS[name]:
                problems.append(Problem(name, f"must have at most {_LIMITS[name]} characters"))
            if name == "phone" and value and not PHONE.match(value):
                problems.append(Problem(name, "must be a phone number: digits, spaces, + ( ) . / -"))
            values[name] = value or None
    if problems:
        raise InvalidInput(problems)
    return values


def _schedule(value: str | None, problems: list[Problem]) -> str | None:
    """The clinic's own schedule in its normal form; empty means the knowledge base's."""
    if not value:
        return None
    try:
        return format_schedule(parse_schedule(value))
    except InvalidInput as error:
        problems.extend(error.problems)
        return None


def is_email(address: str) -> bool:
    """Whether a string looks like one email address (a local part, @, a domain with a dot, no spaces)."""
    local, _, domain = address.partition("@")
    return bool(local) and "." in domain and len(address) <= 254 and not any(c.isspace() for c in address)


def is_zone(name: str) -> bool:
    """Whether `name` is a time zone the system knows (IANA, e.g. Europe/London)."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def create_clinician(uow: UnitOfWork, clinic_id: int, email: str, name: str, password: str) -> ClinicianView:
    """Create a clinician login for a clinic; the password is stored only as an argon2 hash."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password must have at least {MIN_PASSWORD} characters")
    name = _name(name, "the clinician's name")
    address = email.strip().lower()
    if not is_email(address):
        raise ValueError(f"{email!r} is not an email address")
    with uow:
        session = uow.session
        clinic = session.get(Clinic, clinic_id)
        if clinic is None:
            raise NotFound(f"no clinic {clinic_id}")
        if session.scalar(select(Clinician.id).where(func.lower(Clinician.email) == address)) is not None:
            raise Conflict(f"a clinician with email {address!r} already exists")
        row = Clinician(
            clinic_id=clinic_id,
            email=address,
            name=name,
            password_hash=_HASHER.hash(password),
            created_at=clock.now(),
        )
        row.clinic = clinic
        session.add(row)
        session.flush()
        record_event(session, Actor.system(clinic_id), "clinician.create", "clinician", row.id)
        uow.commit()
        return _view(row)


def _name(value: str, what: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise ValueError(f"{what} must not be empty")
    if len(name) > MAX_NAME:
        raise ValueError(f"{what} must have at most {MAX_NAME} characters")
    return name


def set_password(uow: UnitOfWork, email: str, password: str) -> ClinicianView:
    """Replace a clinician's password."""
    with uow:
        row = _by_email(uow, email)
        if row is None:
            raise NotFound(f"no clinician {email!r}")
        row.password_hash = _HASHER.hash(password)
        # A new password ends every session opened with the old one (whoever may have had it).
        end_sessions_of(uow.session, row.id)
        record_event(uow.session, Actor.system(row.clinic_id), "clinician.password", "clinician", row.id)
        uow.commit()
        return _view(row)


def authenticate(
    uow: UnitOfWork,
    policy: ThrottlePolicy,
    email: str,
    password: str,
    address: str,
    *,
    device: str | None = None,
) -> ClinicianView:
    """Log a clinician in; AuthenticationFailed on a wrong email or password (or a disabled login), RateLimited
    while the account (or, with `device`, the account on that device) or the address must wait
    (services/login_throttle.py)."""
    account = email.strip().lower()
    who = f"device:{account}:{device}" if device else f"account:{account}"
    keys = [who, f"address:{address}"]
    with uow:
        login_throttle.check(uow.session, policy, keys)
        row = _by_email(uow, email)
        verified = _verify(row.password_hash if row else _DUMMY_HASH, password)
        if row is None or not verified or row.disabled_at is not None:
            login_throttle.fail(uow.session, policy, keys)
            uow.commit()
            raise AuthenticationFailed("wrong email or password")
        if _HASHER.check_needs_rehash(row.password_hash):
            row.password_hash = _HASHER.hash(password)
        login_throttle.forget(uow.session, who)
        record_event(uow.session, _view(row).as_actor(), "clinician.login", "clinician", row.id)
        uow.commit()
        return _view(row)


def _verify(digest: str, password: str) -> bool:
    try:
        return _HASHER.verify(digest, password)
    except (VerificationError, InvalidHashError):
        return False


def _by_email(uow: UnitOfWork, email: str) -> Clinician | None:
    return uow.session.scalars(
        select(Clinician)
        .options(joinedload(Clinician.clinic))
        .where(func.lower(Clinician.email) == email.strip().lower())
    ).one_or_none()


def _view(row: Clinician) -> ClinicianView:
    return ClinicianView(
        id=row.id, clinic_id=row.clinic_id, clinic_name=row.clinic.name, email=row.email, name=row.name
    )
