"""Follow-up questions through the services on SQLite and PostgreSQL: answers stored on the check-in they are
about and assessed again at once, wrong answers refused with nothing stored, unanswered questions called in."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from nervetrack import InvalidInput
from nervetrack.adapters.db.tables import Alert, Checkin
from nervetrack.services.checkins import record_checkin
from nervetrack.services.dashboard import dashboard
from nervetrack.services.errors import NotFound
from nervetrack.services.follow_ups import answer_follow_up, sweep_unanswered
from nervetrack.services.patients import get_patient
from nervetrack.services.unit_of_work import UnitOfWork
from tests.services.conftest import TODAY, Clinics, checkin_dict


def _weaker(uow: UnitOfWork, clinics: Clinics, patient: str):
    record_checkin(uow, clinics.alice, patient, checkin_dict(12, weakness=1), today=TODAY)
    return record_checkin(uow, clinics.alice, patient, checkin_dict(19, weakness=4), today=TODAY)


def test_a_rating_that_moved_more_than_its_noise_is_stored_with_its_questions_open(uow, clinics, patient):
    result = _weaker(uow, clinics, patient)
    asked = [q.id for q in result.assessment.follow_up]
    assert "weakness_sudden" in asked and result.new_alerts == []
    with uow:
        row = uow.session.get_one(Checkin, result.checkin.id)
        assert (row.follow_up_asked, row.follow_up_open) == (asked, True)


def test_a_yes_that_matters_escalates_at_once_on_the_same_check_in(uow, clinics, patient):
    stored = _weaker(uow, clinics, patient)
    answered = answer_follow_up(
        uow, clinics.alice, patient, stored.checkin.id, {"weakness_sudden": True, "weakness_which_legs": "one leg"}
    )
    assert answered.assessment.triage.level == "emergency"
    assert [a.code for a in answered.new_alerts] == ["rapid_weakness"]
    assert answered.new_alerts[0].checkin_id == stored.checkin.id
    detail = get_patient(uow, clinics.alice, patient, today=TODAY)
    assert detail.checkins[-1].values.follow_up == {"weakness_sudden": True, "weakness_which_legs": "one leg"}
    assert detail.assessment.triage.level == "emergency"


def test_reassuring_answers_close_the_questions_and_raise_nothing(uow, clinics, patient):
    stored = _weaker(uow, clinics, patient)
    calm = {"weakness_sudden": False, "heel_toe_harder": False, "foot_or_knee_gives": False}
    calm |= {"weakness_which_legs": "one leg", "weakness_after_fall": False}
    answered = answer_follow_up(uow, clinics.alice, patient, stored.checkin.id, calm)
    assert answered.new_alerts == [] and answered.assessment.follow_up == []
    with uow:
        assert uow.session.get_one(Checkin, stored.checkin.id).follow_up_open is False


@pytest.mark.parametrize(
    ("answers", "path"),
    [({"weakness_sudden": "yes"}, "follow_up.weakness_sudden"), ({"nope": True}, "follow_up.nope")],
)
def test_a_wrong_answer_is_refused_naming_it_and_nothing_is_stored(uow, clinics, patient, answers, path):
    stored = _weaker(uow, clinics, patient)
    with pytest.raises(InvalidInput) as caught:
        answer_follow_up(uow, clinics.alice, patient, stored.checkin.id, answers)
    assert [p.path for p in caught.value.problems] == [path]
    with uow:
        assert uow.session.get_one(Checkin, stored.checkin.id).follow_up is None


def test_another_clinic_cannot_answer_for_the_patient(uow, clinics, patient):
    stored = _weaker(uow, clinics, patient)
    with pytest.raises(NotFound):
        answer_follow_up(uow, clinics.bob, patient, stored.checkin.id, {"weakness_sudden": True})


def _submitted_yesterday(uow: UnitOfWork, checkin_id: int) -> None:
    with uow:
        row = uow.session.get_one(Checkin, checkin_id)
        row.submitted_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=1, minutes=5)
        uow.commit()


def test_questions_left_unanswered_for_a_day_become_a_call_this_patient_alert(uow, clinics, patient):
    stored = _weaker(uow, clinics, patient)
    assert sweep_unanswered(uow) == 0  # not yet a day
    _submitted_yesterday(uow, stored.checkin.id)
    board = dashboard(uow, clinics.alice, today=dt.date.today())
    row = next(r for r in board.rows if r.patient_id == patient)
    assert row.open_alert_level is not None and row.open_alert_level.value in ("soon", "urgent")
    with uow:
        codes = set(uow.session.scalars(select(Alert.code)))
    assert "follow_up_unanswered" in codes
    assert sweep_unanswered(uow) == 0  # swept once only


def test_questions_about_an_older_check_in_are_closed_without_an_alert(uow, clinics, patient):
    stored = _weaker(uow, clinics, patient)
    record_checkin(uow, clinics.alice, patient, checkin_dict(20, weakness=1), today=TODAY)
    _submitted_yesterday(uow, stored.checkin.id)
    assert sweep_unanswered(uow) == 0
    with uow:
        assert uow.session.get_one(Checkin, stored.checkin.id).follow_up_open is False
        assert list(uow.session.scalars(select(Alert.code))) == []
