"""Who may see which patient: clinicians and API tokens their clinic's, a patient link only its own."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from nervetrack.adapters.db.tables import Patient
from nervetrack.services.errors import Forbidden, NotFound
from nervetrack.services.views import Actor


def clinic_of(actor: Actor) -> int:
    """The clinic the actor acts for; a patient link may not use clinic-wide services."""
    if actor.kind == "patient_link" or actor.clinic_id is None:
        raise Forbidden("this action needs a clinician or a clinic API token")
    return actor.clinic_id


def patient_row(session: Session, actor: Actor, patient_id: str) -> Patient:
    """Load a patient the actor may see, with its surgery; another clinic's patient is NotFound."""
    if actor.clinic_id is None:
        raise Forbidden("this action needs a clinic")
    patient = session.scalars(
        select(Patient)
        .options(joinedload(Patient.surgery))
        .where(Patient.clinic_id == actor.clinic_id, Patient.ref == patient_id)
    ).one_or_none()
    if patient is None:
        raise NotFound(f"no patient {patient_id!r} in this clinic")
    if actor.kind == "patient_link" and patient.id != actor.patient_pk:
        raise NotFound(f"no patient {patient_id!r} for this link")
    return patient
