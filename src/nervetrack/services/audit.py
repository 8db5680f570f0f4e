"""The audit trail: who read or changed which record, when. Never the health data itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nervetrack.adapters.db.tables import AuditEvent
from nervetrack.services.access import patient_row
from nervetrack.services.clock import aware, now
from nervetrack.services.errors import Forbidden
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor, AuditPage, AuditView


def record_event(session: Session, actor: Actor, action: str, entity_type: str, entity_id: object) -> None:
    """Add an audit event to the session's transaction."""
    session.add(
        AuditEvent(
            clinic_id=actor.clinic_id,
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_name=actor.name,
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id),
            at=now(),
        )
    )


def audit_trail(uow: UnitOfWork, actor: Actor, patient_id: str) -> list[AuditView]:
    """List the audit events about one patient and their check-ins and alerts, oldest first.

    Reading the trail is itself recorded (`audit.read`), after the events are listed.
    """
    if actor.kind == "patient_link":
        raise Forbidden("a patient link cannot read the audit trail")
    with uow:
        patient = patient_row(uow.session, actor, patient_id)
        events = uow.session.scalars(
            select(AuditEvent).where(*_about(patient.id)).order_by(AuditEvent.at, AuditEvent.id)
        ).all()
        trail = [_view(e) for e in events]
        record_event(uow.session, actor, "audit.read", "patient", patient.id)
        uow.commit()
        return trail


def audit_page(uow: UnitOfWork, actor: Actor, patient_id: str, *, limit: int = 50, offset: int = 0) -> AuditPage:
    """One page of the audit events about one patient, newest first (recorded as `audit.read`)."""
    if actor.kind == "patient_link":
        raise Forbidden("a patient link cannot read the audit trail")
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    with uow:
        patient = patient_row(uow.session, actor, patient_id)
        total = uow.session.scalar(select(func.count()).select_from(AuditEvent).where(*_about(patient.id))) or 0
        events = uow.session.scalars(
            select(AuditEvent)
            .where(*_about(patient.id))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        page = AuditPage([_view(e) for e in events], total, limit, offset)
        record_event(uow.session, actor, "audit.read", "patient", patient.id)
        uow.commit()
        return page


def _about(patient_pk: int) -> tuple[Any, ...]:
    return (AuditEvent.entity_type == "patient", AuditEvent.entity_id == str(patient_pk))


def _view(event: AuditEvent) -> AuditView:
    return AuditView(
        actor_kind=event.actor_kind,
        actor_name=event.actor_name,
        action=event.action,
        entity_type=event.entity_type,
        entity_id=event.entity_id,
        at=aware(event.at),
    )
