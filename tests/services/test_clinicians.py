"""Clinician logins: argon2-hashed passwords, rate limited per account and per address; the demo seed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nervetrack.adapters.db.tables import Clinician
from nervetrack.domain.model import TriageLevel
from nervetrack.services.clinics import LoginRateLimiter, authenticate
from nervetrack.services.dashboard import dashboard
from nervetrack.services.demo_seed import seed_demo
from nervetrack.services.errors import AuthenticationFailed, NotFound, RateLimited
from nervetrack.services.patients import get_patient
from nervetrack.services.unit_of_work import UnitOfWork
from tests.services.conftest import PASSWORD, TODAY, Clinics


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_clinician_logs_in_with_the_right_password_only(uow: UnitOfWork, clinics: Clinics) -> None:
    limiter = LoginRateLimiter()
    assert authenticate(uow, limiter, "ALICE@a.example", PASSWORD, "10.0.0.1").name == "Dr Alice"
    for email, password in [("alice@a.example", "wrong password"), ("nobody@a.example", PASSWORD)]:
        with pytest.raises(AuthenticationFailed):
            authenticate(uow, limiter, email, password, "10.0.0.1")


def test_passwords_are_stored_only_as_argon2_hashes(uow: UnitOfWork, clinics: Clinics) -> None:
    with uow:
        hashes = uow.session.scalars(select(Clinician.password_hash)).all()
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


def test_logins_are_rate_limited_per_account(uow: UnitOfWork, clinics: Clinics) -> None:
    clock = FakeClock()
    limiter = LoginRateLimiter(max_attempts=3, window=60, now=clock)
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        with pytest.raises(AuthenticationFailed):
            authenticate(uow, limiter, "alice@a.example", "wrong password", address)
    with pytest.raises(RateLimited) as caught:
        authenticate(uow, limiter, "alice@a.example", PASSWORD, "10.0.0.4")
    assert 0 < caught.value.retry_after <= 61
    assert authenticate(uow, limiter, "bob@b.example", PASSWORD, "10.0.0.4").name == "Dr Bob"
    clock.now += 61
    assert authenticate(uow, limiter, "alice@a.example", PASSWORD, "10.0.0.4").name == "Dr Alice"


def test_logins_are_rate_limited_per_address(uow: UnitOfWork, clinics: Clinics) -> None:
    limiter = LoginRateLimiter(max_attempts=2, window=60, now=FakeClock())
    for email in ("x@a.example", "y@a.example"):
        with pytest.raises(AuthenticationFailed):
            authenticate(uow, limiter, email, "guess", "10.9.9.9")
    with pytest.raises(RateLimited):
        authenticate(uow, limiter, "alice@a.example", PASSWORD, "10.9.9.9")
    assert authenticate(uow, limiter, "alice@a.example", PASSWORD, "10.0.0.1").name == "Dr Alice"


def test_the_demo_seed_covers_every_triage_level_and_a_second_clinic(uow: UnitOfWork) -> None:
    seed = seed_demo(uow, today=TODAY)
    limiter = LoginRateLimiter()
    demo = authenticate(uow, limiter, seed.demo.email, seed.demo.password, "127.0.0.1").as_actor()
    other = authenticate(uow, limiter, seed.other.email, seed.other.password, "127.0.0.1").as_actor()
    board = dashboard(uow, demo, today=TODAY)
    assert board.total == 20
    assert {r.triage_level for r in board.rows} == set(TriageLevel)
    assert board.rows[0].open_alert_level is TriageLevel.EMERGENCY
    with pytest.raises(NotFound):
        get_patient(uow, other, board.rows[0].patient_id)
    again = seed_demo(uow, today=TODAY)
    assert again.demo.password != seed.demo.password
    assert authenticate(uow, limiter, again.demo.email, again.demo.password, "127.0.0.1").clinic_id == demo.clinic_id
