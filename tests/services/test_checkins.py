"""Recording check-ins: assessed and stored with their alerts in one transaction, idempotent on retry."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from nervetrack.adapters.db.tables import Alert, Checkin
from nervetrack.domain.errors import InvalidInput
from nervetrack.domain.model import TriageLevel
from nervetrack.services.alerts import acknowledge_alert
from nervetrack.services.checkins import record_checkin
from nervetrack.services.errors import Conflict, IdempotencyKeyReused
from nervetrack.services.patients import get_patient
from nervetrack.services.unit_of_work import UnitOfWork
from tests.services.conftest import TODAY, Clinics, checkin_dict


def _count(uow: UnitOfWork, table: Any) -> int:
    with uow:
        return uow.session.scalar(select(func.count()).select_from(table)) or 0


def test_a_checkin_is_assessed_and_stored_with_its_alerts(uow: UnitOfWork, clinics: Clinics, patient: str) -> None:
    result = record_checkin(uow, clinics.alice, patient, checkin_dict(10, bladder_problem=True), today=TODAY)
    assert result.created
    assert result.assessment.triage.level is TriageLevel.EMERGENCY
    assert [a.code for a in result.new_alerts] == ["cauda_equina"]
    detail = get_patient(uow, clinics.alice, patient, today=TODAY)
    assert [c.id for c in detail.checkins] == [result.checkin.id]
    assert detail.alerts[0].is_open and detail.alerts[0].checkin_id == result.checkin.id


def test_a_retried_submission_with_the_same_idempotency_key_stores_one_checkin(
    uow: UnitOfWork, clinics: Clinics, patient: str
) -> None:
    first = record_checkin(uow, clinics.alice, patient, checkin_dict(5), idempotency_key="k-1", today=TODAY)
    again = record_checkin(uow, clinics.alice, patient, checkin_dict(5), idempotency_key="k-1", today=TODAY)
    assert (first.created, again.created) == (True, False)
    assert again.checkin.id == first.checkin.id
    assert again.assessment == first.assessment
    assert _count(uow, Checkin) == 1


def test_the_same_idempotency_key_with_other_answers_is_refused(
    uow: UnitOfWork, clinics: Clinics, patient: str
) -> None:
    record_checkin(uow, clinics.alice, patient, checkin_dict(5), idempotency_key="k-1", today=TODAY)
    with pytest.raises(IdempotencyKeyReused):
        record_checkin(uow, clinics.alice, patient, checkin_dict(5, chills=True), idempotency_key="k-1", today=TODAY)
    assert _count(uow, Checkin) == 1


def test_a_different_idempotency_key_stores_another_checkin(uow: UnitOfWork, clinics: Clinics, patient: str) -> None:
    record_checkin(uow, clinics.alice, patient, checkin_dict(5), idempotency_key="k-1", today=TODAY)
    record_checkin(uow, clinics.alice, patient, checkin_dict(6), idempotency_key="k-2", today=TODAY)
    assert _count(uow, Checkin) == 2


def test_an_alert_stays_open_until_acknowledged_even_when_the_sign_is_gone(
    uow: UnitOfWork, clinics: Clinics, patient: str
) -> None:
    raised = record_checkin(uow, clinics.alice, patient, checkin_dict(10, bladder_problem=True), today=TODAY)
    calm = record_checkin(uow, clinics.alice, patient, checkin_dict(12, bladder_problem=False), today=TODAY)
    # A "no" two days later does not clear a cauda equina sign: the team must confirm it has settled
    # (GIRFT: symptoms can come and go), so the patient stays at least urgent until acknowledged.
    assert [a.code for a in calm.new_alerts] == ["cauda_equina_unconfirmed"]
    assert calm.assessment.triage.level == "urgent"
    alerts = get_patient(uow, clinics.alice, patient, today=TODAY).alerts
    assert {(a.code, a.is_open) for a in alerts} == {("cauda_equina", True), ("cauda_equina_unconfirmed", True)}
    closed = acknowledge_alert(uow, clinics.alice, raised.new_alerts[0].id, "Seen in clinic; MRI normal.")
    assert (closed.is_open, closed.acknowledged_by, closed.note) == (False, "Dr Alice", "Seen in clinic; MRI normal.")


def test_a_clinicians_acknowledgement_clears_an_earlier_cauda_equina_report(
    uow: UnitOfWork, clinics: Clinics, patient: str
) -> None:
    raised = record_checkin(uow, clinics.alice, patient, checkin_dict(10, saddle_numbness=True), today=TODAY)
    acknowledge_alert(uow, clinics.alice, raised.new_alerts[0].id, "Examined: sensation normal, MRI clear.")
    calm = record_checkin(uow, clinics.alice, patient, checkin_dict(12, saddle_numbness=False), today=TODAY)
    assert calm.new_alerts == []
    assert calm.assessment.triage.level == "routine"
    again = record_checkin(uow, clinics.alice, patient, checkin_dict(13, saddle_numbness=True), today=TODAY)
    assert [a.code for a in again.new_alerts] == ["cauda_equina"]


def test_an_open_alert_is_not_raised_twice_for_the_same_sign(uow: UnitOfWork, clinics: Clinics, patient: str) -> None:
    record_checkin(uow, clinics.alice, patient, checkin_dict(10, bladder_problem=True), today=TODAY)
    again = record_checkin(uow, clinics.alice, patient, checkin_dict(11, bladder_problem=True), today=TODAY)
    assert again.new_alerts == []
    assert _count(uow, Alert) == 1


def test_the_sign_raises_a_new_alert_after_the_old_one_was_acknowledged(
    uow: UnitOfWork, clinics: Clinics, patient: str
) -> None:
    first = record_checkin(uow, clinics.alice, patient, checkin_dict(10, bladder_problem=True), today=TODAY)
    acknowledge_alert(uow, clinics.alice, first.new_alerts[0].id, "called")
    again = record_checkin(uow, clinics.alice, patient, checkin_dict(11, bladder_problem=True), today=TODAY)
    assert [a.code for a in again.new_alerts] == ["cauda_equina"]


def test_an_alert_cannot_be_acknowledged_twice(uow: UnitOfWork, clinics: Clinics, patient: str) -> None:
    raised = record_checkin(uow, clinics.alice, patient, checkin_dict(10, bladder_problem=True), today=TODAY)
    acknowledge_alert(uow, clinics.alice, raised.new_alerts[0].id, "called")
    with pytest.raises(Conflict):
        acknowledge_alert(uow, clinics.alice, raised.new_alerts[0].id, "again")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"leg_pain": 11}, "leg_pain"),
        ({"walking_minutes": -1}, "walking_minutes"),
        ({"bladder_problem": "maybe"}, "bladder_problem"),
        ({"odi": [1, 2]}, "odi"),
        ({"mood": 3}, "mood"),
        ({"date": "2026-13-01"}, "date"),
    ],
)
def test_an_invalid_checkin_is_rejected_naming_the_field(
    uow: UnitOfWork, clinics: Clinics, patient: str, change: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        record_checkin(uow, clinics.alice, patient, {**checkin_dict(5), **change}, today=TODAY)
    assert [p.path for p in caught.value.problems] == [field]
    assert _count(uow, Checkin) == 0


@pytest.mark.parametrize(("day", "words"), [(-1, "on or after the surgery date"), (21, "on or before today")])
def test_a_checkin_before_surgery_or_in_the_future_is_rejected(
    uow: UnitOfWork, clinics: Clinics, patient: str, day: int, words: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        record_checkin(uow, clinics.alice, patient, checkin_dict(day), today=TODAY)
    assert caught.value.problems[0].path == "date"
    assert words in caught.value.problems[0].message


def test_the_stored_checkin_reads_back_as_the_engine_s_checkin(uow: UnitOfWork, clinics: Clinics, patient: str) -> None:
    data = checkin_dict(7, temperature_c=37.2, wound_redness=False, odi=[1, 2, 0, 1, None, 2, 1, 0, 1, 2])
    stored = record_checkin(uow, clinics.alice, patient, data, today=TODAY).checkin
    assert stored.values.model_dump(mode="json", exclude_none=True) == data
