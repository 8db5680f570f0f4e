"""The recovery report's data for a stored patient: record, assessment and alerts, read through the audited
patient read."""

from __future__ import annotations

from nervetrack.reports.report_data import ReportAlert, ReportInput
from nervetrack.services.patients import get_patient
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor


def report_input(uow: UnitOfWork, actor: Actor, patient_id: str) -> ReportInput:
    """Everything the report shows about one patient the actor may see (NotFound otherwise)."""
    detail = get_patient(uow, actor, patient_id)
    alerts = [
        ReportAlert(
            level=a.level.value,
            message=a.message,
            raised=a.raised_at.date(),
            acknowledged=a.acknowledged_at.date() if a.acknowledged_at else None,
            note=a.note,
        )
        for a in detail.alerts
    ]
    return ReportInput(detail.record, detail.assessment, alerts, detail.clinic.name, detail.assessment.as_of)
