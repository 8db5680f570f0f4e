"""Every read and change of a patient's record is audited (never the health data); export is complete."""

from __future__ import annotations

import json

from sqlalchemy import select

from nervetrack.adapters.db.tables import AuditEvent
from nervetrack.services.alerts import acknowledge_alert
from nervetrack.services.audit import audit_trail
from nervetrack.services.checkins import record_checkin
from nervetrack.services.patients import current_assessment, export_patient, get_patient
from nervetrack.services.tokens import issue_link, resolve_link, revoke_link
from nervetrack.services.unit_of_work import UnitOfWork
from tests.services.conftest import TODAY, Clinics, checkin_dict


def test_every_read_and_change_of_a_patient_is_in_the_audit_trail(
    uow: UnitOfWork, clinics: Clinics, patient: str
) -> None:
    link = resolve_link(uow, issue_link(uow, clinics.alice, patient).secret)
    raised = record_checkin(uow, link, patient, checkin_dict(3, bladder_problem=True), today=TODAY)
    get_patient(uow, clinics.alice, patient, today=TODAY)
    current_assessment(uow, clinics.alice, patient, today=TODAY)
    acknowledge_alert(uow, clinics.alice, raised.new_alerts[0].id, "called")
    export_patient(uow, clinics.alice, patient, today=TODAY)
    revoke_link(uow, clinics.alice, patient)
    trail = [(e.actor_name, e.action) for e in audit_trail(uow, clinics.alice, patient)]
    assert trail == [
        ("Dr Alice", "patient.create"),
        ("Dr Alice", "link.issue"),
        ("patient (own link)", "checkin.create"),
        ("Dr Alice", "patient.read"),
        ("Dr Alice", "assessment.read"),
        ("Dr Alice", "alert.acknowledge"),
        ("Dr Alice", "patient.read"),
        ("Dr Alice", "patient.export"),
        ("Dr Alice", "link.revoke"),
    ]


def test_audit_events_hold_no_health_data(uow: UnitOfWork, clinics: Clinics, patient: str) -> None:
    record_checkin(uow, clinics.alice, patient, checkin_dict(3, bladder_problem=True), today=TODAY)
    with uow:
        events = uow.session.scalars(select(AuditEvent)).all()
        text = json.dumps([[getattr(e, c.name) for c in AuditEvent.__table__.columns] for e in events], default=str)
    for word in ("bladder", "cauda", "leg_pain", patient, "1960"):
        assert word not in text


def test_the_export_holds_the_record_checkins_alerts_and_assessment(
    uow: UnitOfWork, clinics: Clinics, patient: str
) -> None:
    record_checkin(uow, clinics.alice, patient, checkin_dict(3, bladder_problem=True), today=TODAY)
    record_checkin(uow, clinics.alice, patient, checkin_dict(6), today=TODAY)
    exported = json.loads(json.dumps(export_patient(uow, clinics.alice, patient, today=TODAY)))
    assert exported["format"] == "nervetrack-patient-export/1"
    assert exported["record"]["patient"]["id"] == patient
    assert [c["bladder_problem"] for c in exported["checkins"]] == [True, None]
    assert [a["code"] for a in exported["alerts"]] == ["cauda_equina"]
    assert exported["assessment"]["patient_id"] == patient
