"""Recovery phases and the expected course of each symptom for one patient.

Sources: phases from art-nerve-timeline; curves and modifiers from courses.toml, each with its citations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from nervetrack.domain.knowledge import Course, Knowledge, Modifier, Phase
from nervetrack.domain.model import PatientRecord

# +/-1.28 standard deviations hold the central 80% of a normal distribution.
Z80 = 1.2816


def phase_at(knowledge: Knowledge, days: int) -> Phase:
    """Return the recovery phase that contains `days` after surgery."""
    for phase in knowledge.phases:
        if phase.start_day <= days and (phase.end_day is None or days <= phase.end_day):
            return phase
    return knowledge.phases[0] if days < 0 else knowledge.phases[-1]


def profile_of(record: PatientRecord) -> dict[str, Any]:
    """The patient features that modifiers test."""
    patient, surgery = record.patient, record.surgery
    return {
        "procedure": surgery.procedure.value,
        "approach": surgery.approach.value,
        "symptom_duration_weeks": surgery.symptom_duration_weeks,
        "diabetes_or_neuropathy": patient.diabetes or patient.peripheral_neuropathy,
        "smoker": patient.smoker,
        "age": surgery.date.year - patient.birth_year,
    }


@dataclass(frozen=True)
class PatientCourse:
    """A symptom's expected course for one patient: the population curve shifted by their modifiers."""

    symptom: str
    plateau: float
    plateau_sd: float
    tau_days: float
    log_tau_sd: float
    modifiers: tuple[Modifier, ...]
    sources: tuple[str, ...]
    stalled_share: float | None = None  # the course's own non-recovery share for the forecast, if set
    stalled_plateau: float | None = None

    def remaining(self, day: float) -> float:
        """Expected share of the pre-operative burden still present on `day`."""
        return _curve(self.plateau, self.tau_days, day)

    def band(self, day: float) -> tuple[float, float]:
        """Central 80% range of the remaining share on `day` (fast and full vs slow and partial)."""
        spread = math.exp(Z80 * self.log_tau_sd)
        low = _curve(_clamp(self.plateau - Z80 * self.plateau_sd), self.tau_days / spread, day)
        high = _curve(_clamp(self.plateau + Z80 * self.plateau_sd), self.tau_days * spread, day)
        return low, high


def course_for_patient(
    knowledge: Knowledge, record: PatientRecord, symptom: str, profile: dict[str, Any] | None = None
) -> PatientCourse:
    """Apply every modifier that fits this patient to the population course of `symptom` (pass `profile`,
    from profile_of, to reuse it across symptoms)."""
    base = knowledge.course_for(symptom, record.surgery.procedure.value)
    profile = profile_of(record) if profile is None else profile
    applied = tuple(
        m
        for m in knowledge.modifiers
        if symptom in m.symptoms and (not m.groups or base.group in m.groups) and m.applies(profile)
    )
    key = ("course", symptom, base.group, *(m.id for m in applied))
    course: PatientCourse | None = knowledge.memo.get(key)
    if course is None:
        course = knowledge.memo[key] = _modified(base, applied)
    return course


def _modified(base: Course, applied: tuple[Modifier, ...]) -> PatientCourse:
    tau = base.tau_days * math.prod(m.tau_factor for m in applied)
    plateau = _clamp(base.plateau + sum(m.plateau_shift for m in applied))
    sources = base.sources + tuple(s for m in applied for s in m.sources)
    return PatientCourse(
        symptom=base.symptom,
        plateau=plateau,
        plateau_sd=base.plateau_sd,
        tau_days=tau,
        log_tau_sd=base.log_tau_sd,
        modifiers=applied,
        sources=tuple(dict.fromkeys(sources)),
        stalled_share=base.stalled_share,
        stalled_plateau=base.stalled_plateau,
    )


def _curve(plateau: float, tau: float, day: float) -> float:
    return plateau + (1.0 - plateau) * math.exp(-max(day, 0.0) / tau)


def _clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return min(max(value, low), high)
