"""Pick the guidance, likely causes and surgeon-discussion topics that fit this patient now."""

from __future__ import annotations

from collections.abc import Iterable

from nervetrack.domain.knowledge import GuidanceItem, Knowledge
from nervetrack.domain.model import PatientRecord, SymptomStatus
from nervetrack.domain.results import CitedText, Flag, GuidanceText

# Symptoms that are gone need no advice of their own.
_QUIET = {SymptomStatus.RESOLVED, SymptomStatus.NO_DATA}


def guidance_for(
    knowledge: Knowledge,
    record: PatientRecord,
    phase: str,
    statuses: dict[str, SymptomStatus],
) -> list[GuidanceText]:
    """Guidance items for the current phase, the patient's active symptoms, procedure and habits."""
    active = {name for name, status in statuses.items() if status not in _QUIET}
    return [
        GuidanceText(topic=item.topic, text=item.text, sources=list(item.sources))
        for item in knowledge.guidance
        if _fits(item, record, phase, active)
    ]


def _fits(item: GuidanceItem, record: PatientRecord, phase: str, active: set[str]) -> bool:
    if item.phases and phase not in item.phases:
        return False
    if item.symptoms and not active.intersection(item.symptoms):
        return False
    if item.procedures and record.surgery.procedure.value not in item.procedures:
        return False
    return item.when_smoker is None or item.when_smoker == record.patient.smoker


def causes_for(knowledge: Knowledge, symptom: str, status: SymptomStatus, day: int) -> list[CitedText]:
    """Likely reasons, from the sources, for a symptom that is off its expected course."""
    return [
        CitedText(text=c.text, sources=list(c.sources))
        for c in knowledge.symptom_causes
        if c.symptom == symptom
        and status.value in c.statuses
        and (c.from_day is None or day >= c.from_day)
        and (c.before_day is None or day < c.before_day)
    ]


def discussion_topics(knowledge: Knowledge, flags: Iterable[Flag], days: int) -> list[CitedText]:
    """Options to raise with the surgeon when recovery stalls, those that fit `days` after surgery (injections
    after weeks of persisting pain, neuromodulation long after healing) and the flags raised (no pain
    treatments for a numbness that lingers); empty while recovery is on course."""
    raised = {f.code for f in flags} & set(knowledge.discuss_on_flags)
    if not raised:
        return []
    return [
        CitedText(text=d.text, sources=list(d.sources))
        for d in knowledge.discuss
        if days >= d.from_day and (not d.for_flags or raised & set(d.for_flags))
    ]
