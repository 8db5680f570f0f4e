"""Record what clinicians did with NerveTrack's CDS Hooks cards (the feedback endpoint), in the audit trail.

An event per card outcome: action `cds.feedback.accepted` or `cds.feedback.overridden`, the card's uuid as the
entity, the CDS client's issuer as the actor. Override reasons are kept by code only: a user's free-text
comment may hold patient details, which the audit trail never stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nervetrack.services.audit import record_event
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor


@dataclass(frozen=True)
class CardFeedback:
    card: str
    outcome: str  # accepted | overridden
    reason_code: str | None = None


def record_feedback(uow: UnitOfWork, issuer: str, items: Sequence[CardFeedback]) -> int:
    """Store the outcomes in one transaction; returns how many were stored."""
    actor = Actor("system", issuer[:64], f"CDS client {issuer}"[:200], None)
    with uow:
        for item in items:
            action = f"cds.feedback.{item.outcome}" + (f":{item.reason_code}" if item.reason_code else "")
            record_event(uow.session, actor, action[:64], "cds_card", item.card)
        uow.commit()
    return len(items)
