"""Clinician logins: argon2-hashed passwords, back-off per account (passable by the owner's known device) and
per address, disabled logins; the demo seed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from nervetrack.adapters.db.tables import Clinician
from nervetrack.domain.model import TriageLevel
from nervetrack.services import clock
from nervetrack.services.clinician_sessions import disable_clinician
from nervetrack.services.clinics import authenticate
from nervetrack.services.dashboard import dashboard
from nervetrack.services.demo_seed import seed_demo
from nervetrack.services.errors import AuthenticationFailed, NotFound, RateLimited
from nervetrack.services.login_throttle import ThrottlePolicy
from nervetrack.services.patients import get_patient
from nervetrack.services.unit_of_work import UnitOfWork
from tests.services.conftest import PASSWORD, TODAY, Clinics


class FakeClock:
    """services.clock.now, moved by hand."""

    def __init__(self) -> None:
        self.moment = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += dt.timedelta(seconds=seconds)


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(clock, "now", fake)
    return fake


POLICY = ThrottlePolicy(free_failures=3, address_failures=4, window=dt.timedelta(minutes=15))


def test_a_clinician_logs_in_with_the_right_password_only(uow: UnitOfWork, clinics: Clinics) -> None:
    assert authenticate(uow, POLICY, "ALICE@a.example", PASSWORD, "10.0.0.1").name == "Dr Alice"
    for email, password in [("alice@a.example", "wrong password"), ("nobody@a.example", PASSWORD)]:
        with pytest.raises(AuthenticationFailed):
            authenticate(uow, POLICY, email, password, "10.0.0.1")


def test_passwords_are_stored_only_as_argon2_hashes(uow: UnitOfWork, clinics: Clinics) -> None:
    with uow:
        hashes = uow.session.scalars(select(Clinician.password_hash)).all()
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


def _fail(uow: UnitOfWork, email: str, address: str, device: str | None = None) -> None:
    with pytest.raises(AuthenticationFailed):
        authenticate(uow, POLICY, email, "wrong password", address, device=device)


def test_failed_logins_of_an_account_back_off_exponentially_then_let_the_owner_in(
    uow: UnitOfWork, clinics: Clinics, fake_clock: FakeClock
) -> None:
    for number in range(3):  # the free failures, from three addresses
        _fail(uow, "alice@a.example", f"10.0.0.{number}")
    _fail(uow, "alice@a.example", "10.0.0.9")  # the fourth: wait 1 s
    waits = []
    for _ in range(4):
        with pytest.raises(RateLimited) as caught:
            authenticate(uow, POLICY, "alice@a.example", PASSWORD, "10.0.0.5")
        waits.append(caught.value.retry_after)
        fake_clock.advance(caught.value.retry_after)
        _fail(uow, "alice@a.example", "10.0.0.9")
    assert waits == [1, 2, 4, 8]  # doubling, never a lock-out: each wait ends
    assert authenticate(uow, POLICY, "bob@b.example", PASSWORD, "10.0.0.5").name == "Dr Bob"
    fake_clock.advance(16)
    assert authenticate(uow, POLICY, "alice@a.example", PASSWORD, "10.0.0.5").name == "Dr Alice"


def test_the_owner_on_a_known_device_is_not_held_back_by_a_strangers_failures(
    uow: UnitOfWork, clinics: Clinics, fake_clock: FakeClock
) -> None:
    for _ in range(10):
        try:
            _fail(uow, "alice@a.example", "203.0.113.7")
        except RateLimited:
            fake_clock.advance(1)
    with pytest.raises(RateLimited):
        authenticate(uow, POLICY, "alice@a.example", PASSWORD, "10.0.0.5")
    owner = authenticate(uow, POLICY, "alice@a.example", PASSWORD, "10.0.0.5", device="alices-laptop")
    assert owner.name == "Dr Alice"


def test_failures_from_one_address_over_many_accounts_back_off_that_address_only(
    uow: UnitOfWork, clinics: Clinics, fake_clock: FakeClock
) -> None:
    for number in range(5):
        _fail(uow, f"x{number}@a.example", "10.9.9.9")
    with pytest.raises(RateLimited):
        authenticate(uow, POLICY, "alice@a.example", PASSWORD, "10.9.9.9")
    assert authenticate(uow, POLICY, "alice@a.example", PASSWORD, "10.0.0.1").name == "Dr Alice"


def test_a_disabled_clinician_cannot_log_in(uow: UnitOfWork, clinics: Clinics) -> None:
    disable_clinician(uow, "alice@a.example")
    with pytest.raises(AuthenticationFailed):
        authenticate(uow, POLICY, "alice@a.example", PASSWORD, "10.0.0.1")


def test_the_demo_seed_covers_every_triage_level_and_a_second_clinic(uow: UnitOfWork) -> None:
    seed = seed_demo(uow, today=TODAY)
    demo = authenticate(uow, POLICY, seed.demo.email, seed.demo.password, "127.0.0.1").as_actor()
    other = authenticate(uow, POLICY, seed.other.email, seed.other.password, "127.0.0.1").as_actor()
    board = dashboard(uow, demo, today=TODAY)
    assert board.total == 20
    assert {r.triage_level for r in board.rows} == set(TriageLevel)
    assert board.rows[0].open_alert_level is TriageLevel.EMERGENCY
    with pytest.raises(NotFound):
        get_patient(uow, other, board.rows[0].patient_id)
    again = seed_demo(uow, today=TODAY)
    assert again.demo.password != seed.demo.password
    assert authenticate(uow, POLICY, again.demo.email, again.demo.password, "127.0.0.1").clinic_id == demo.clinic_id
