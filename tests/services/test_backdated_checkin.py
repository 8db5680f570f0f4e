"""A check-in that arrives after a later-dated one still raises its own red flags."""

from __future__ import annotations

from nervetrack.services.checkins import record_checkin
from nervetrack.services.patients import get_patient
from nervetrack.services.unit_of_work import UnitOfWork
from tests.services.conftest import TODAY, Clinics, checkin_dict


def test_a_backdated_checkin_with_a_bladder_problem_opens_an_emergency_alert(
    uow: UnitOfWork, clinics: Clinics, patient: str
) -> None:
    record_checkin(uow, clinics.alice, patient, checkin_dict(15), today=TODAY)
    late = record_checkin(uow, clinics.alice, patient, checkin_dict(12, bladder_problem=True), today=TODAY)
    assert [a.code for a in late.new_alerts] == ["cauda_equina"]
    detail = get_patient(uow, clinics.alice, patient, today=TODAY)
    assert any(a.code == "cauda_equina" and a.is_open for a in detail.alerts)


def test_a_backdated_quiet_checkin_raises_nothing(uow: UnitOfWork, clinics: Clinics, patient: str) -> None:
    record_checkin(uow, clinics.alice, patient, checkin_dict(15), today=TODAY)
    late = record_checkin(uow, clinics.alice, patient, checkin_dict(12), today=TODAY)
    assert late.new_alerts == []
