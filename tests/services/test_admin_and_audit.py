"""Alerts are acknowledged only under their own patient, reading the audit trail or the whole cohort is
audited, cohort forecasts are keyed per clinic, and API tokens can be revoked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nervetrack.adapters.db.tables import AuditEvent
from nervetrack.knowledge import load_knowledge
from nervetrack.services.alerts import acknowledge_alert
from nervetrack.services.audit import audit_trail
from nervetrack.services.checkins import record_checkin
from nervetrack.services.clinics import create_clinic, create_clinician
from nervetrack.services.errors import AuthenticationFailed, Conflict, NotFound
from nervetrack.services.forecasts import FORECAST_SYMPTOMS, forecast_all, keyed_patient_records
from nervetrack.services.patients import add_patient
from nervetrack.services.tokens import authenticate_token, create_api_token, revoke_api_token
from nervetrack.services.unit_of_work import UnitOfWork
from tests.services.conftest import PASSWORD, TODAY, Clinics, checkin_dict, patient_dict


def _actions(uow: UnitOfWork) -> list[str]:
    with uow:
        return list(uow.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_an_alert_is_not_acknowledged_under_another_patients_id(
    uow: UnitOfWork, clinics: Clinics, make_patient: object
) -> None:
    first = make_patient("p-1")  # type: ignore[operator]
    make_patient("p-2")  # type: ignore[operator]
    raised = record_checkin(uow, clinics.alice, first, checkin_dict(3, bladder_problem=True), today=TODAY)
    alert_id = raised.new_alerts[0].id
    with pytest.raises(NotFound):
        acknowledge_alert(uow, clinics.alice, alert_id, "wrong page", patient_id="p-2")
    closed = acknowledge_alert(uow, clinics.alice, alert_id, "called", patient_id="p-1")
    assert closed.note == "called"


def test_reading_the_audit_trail_is_itself_audited(uow: UnitOfWork, clinics: Clinics, patient: str) -> None:
    audit_trail(uow, clinics.alice, patient)
    trail = [(e.actor_name, e.action) for e in audit_trail(uow, clinics.alice, patient)]
    assert trail[-1] == ("Dr Alice", "audit.read")


def test_the_cohort_forecast_keys_patients_by_clinic_and_the_read_is_audited_once(
    uow: UnitOfWork, clinics: Clinics
) -> None:
    add_patient(uow, clinics.alice, patient_dict("same-id"))
    add_patient(uow, clinics.bob, patient_dict("same-id"))
    before = _actions(uow)
    keyed = keyed_patient_records(uow)
    assert [key for key, _ in keyed] == [f"{clinics.a.clinic_id}/same-id", f"{clinics.b.clinic_id}/same-id"]
    assert _actions(uow)[len(before) :] == ["cohort.read"]
    forecasts = forecast_all(load_knowledge(), [r for _, r in keyed], keys=[k for k, _ in keyed])
    assert len(forecasts) == 2 and set(forecasts[f"{clinics.b.clinic_id}/same-id"]) == set(FORECAST_SYMPTOMS)


def test_forecast_all_refuses_repeated_keys(uow: UnitOfWork, clinics: Clinics) -> None:
    add_patient(uow, clinics.alice, patient_dict("same-id"))
    add_patient(uow, clinics.bob, patient_dict("same-id"))
    records = [r for _, r in keyed_patient_records(uow)]
    with pytest.raises(ValueError, match="unique key"):
        forecast_all(load_knowledge(), records)


def test_a_revoked_api_token_is_refused(uow: UnitOfWork, clinics: Clinics) -> None:
    issued = create_api_token(uow, clinics.a.clinic_id, "ehr")
    assert authenticate_token(uow, issued.secret).kind == "api_token"
    revoked = revoke_api_token(uow, "ehr")
    assert revoked.id == issued.id
    with pytest.raises(AuthenticationFailed):
        authenticate_token(uow, issued.secret)
    with pytest.raises(Conflict, match="already revoked"):
        revoke_api_token(uow, str(issued.id))
    assert "api_token.revoke" in _actions(uow)


def test_revoking_needs_a_known_and_unambiguous_token(uow: UnitOfWork, clinics: Clinics) -> None:
    with pytest.raises(NotFound):
        revoke_api_token(uow, "99")
    with pytest.raises(NotFound):
        revoke_api_token(uow, "nobody")
    create_api_token(uow, clinics.a.clinic_id, "twin")
    create_api_token(uow, clinics.b.clinic_id, "twin")
    with pytest.raises(Conflict, match="give the id"):
        revoke_api_token(uow, "twin")


def test_a_clinic_and_a_clinician_need_a_name_and_a_real_email(uow: UnitOfWork, clinics: Clinics) -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        create_clinic(uow, "   ")
    with pytest.raises(ValueError, match="not an email address"):
        create_clinician(uow, clinics.a.clinic_id, "not-an-email", "Dr X", PASSWORD)
    assert create_clinic(uow, "  Spine   unit ").name == "Spine unit"
