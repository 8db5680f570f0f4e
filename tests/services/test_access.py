"""Clinicians see only their own clinic; a patient link opens only its own patient and can be revoked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from nervetrack.services.alerts import acknowledge_alert
from nervetrack.services.audit import audit_trail
from nervetrack.services.checkins import record_checkin
from nervetrack.services.dashboard import dashboard
from nervetrack.services.errors import Conflict, Forbidden, LinkInvalid, NotFound
from nervetrack.services.patients import add_patient, current_assessment, export_patient, get_patient
from nervetrack.services.tokens import issue_link, resolve_link, revoke_link
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor
from tests.services.conftest import TODAY, Clinics, checkin_dict, patient_dict

READS: dict[str, Callable[[UnitOfWork, Actor, str], Any]] = {
    "get_patient": get_patient,
    "current_assessment": current_assessment,
    "export_patient": export_patient,
    "audit_trail": audit_trail,
    "issue_link": issue_link,
    "revoke_link": revoke_link,
    "record_checkin": lambda uow, actor, pid: record_checkin(uow, actor, pid, checkin_dict(3), today=TODAY),
}


@pytest.mark.parametrize("action", sorted(READS))
def test_a_clinician_of_another_clinic_cannot_touch_the_patient(
    uow: UnitOfWork, clinics: Clinics, patient: str, action: str
) -> None:
    with pytest.raises(NotFound):
        READS[action](uow, clinics.bob, patient)


def test_a_clinician_of_another_clinic_cannot_acknowledge_its_alert(
    uow: UnitOfWork, clinics: Clinics, patient: str
) -> None:
    raised = record_checkin(uow, clinics.alice, patient, checkin_dict(3, bladder_problem=True), today=TODAY)
    with pytest.raises(NotFound):
        acknowledge_alert(uow, clinics.bob, raised.new_alerts[0].id, "not mine")


def test_the_other_clinic_s_dashboard_does_not_list_the_patient(
    uow: UnitOfWork, clinics: Clinics, patient: str
) -> None:
    assert dashboard(uow, clinics.bob, today=TODAY).total == 0
    assert [r.patient_id for r in dashboard(uow, clinics.alice, today=TODAY).rows] == [patient]


def test_two_clinics_may_use_the_same_patient_id_but_one_clinic_may_not(
    uow: UnitOfWork, clinics: Clinics, patient: str
) -> None:
    add_patient(uow, clinics.bob, patient_dict(patient))
    with pytest.raises(Conflict):
        add_patient(uow, clinics.alice, patient_dict(patient))


def test_a_patient_link_opens_only_its_own_patient(uow: UnitOfWork, clinics: Clinics, patient: str) -> None:
    add_patient(uow, clinics.alice, patient_dict("p-2"))
    link = resolve_link(uow, issue_link(uow, clinics.alice, patient).secret)
    assert (link.kind, link.patient_ref) == ("patient_link", patient)
    assert record_checkin(uow, link, patient, checkin_dict(4), today=TODAY).created
    assert get_patient(uow, link, patient, today=TODAY).record.patient.id == patient
    with pytest.raises(NotFound):
        get_patient(uow, link, "p-2")
    with pytest.raises(Forbidden):
        dashboard(uow, link)
    with pytest.raises(Forbidden):
        audit_trail(uow, link, patient)


def test_a_revoked_or_replaced_link_no_longer_opens_anything(uow: UnitOfWork, clinics: Clinics, patient: str) -> None:
    first = issue_link(uow, clinics.alice, patient).secret
    second = issue_link(uow, clinics.alice, patient).secret
    with pytest.raises(LinkInvalid):
        resolve_link(uow, first)
    assert resolve_link(uow, second).patient_ref == patient
    assert revoke_link(uow, clinics.alice, patient) == 1
    with pytest.raises(LinkInvalid):
        resolve_link(uow, second)


def test_an_unknown_link_is_invalid(uow: UnitOfWork) -> None:
    with pytest.raises(LinkInvalid):
        resolve_link(uow, "not-a-link")
