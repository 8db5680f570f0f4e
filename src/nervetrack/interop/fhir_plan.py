"""CarePlan for the recovery phases, anchored on the surgery date, and RiskAssessment for the forecast.

Phases come from the knowledge base (phases.toml, their day bounds counted from the surgery); the forecast
from the engine's assessment (each symptom's chance of being moderate or worse at 12 months, with the
expected value and its range at each horizon as the rationale).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from nervetrack.domain.knowledge import Knowledge, Phase
from nervetrack.domain.model import Surgery
from nervetrack.domain.results import Assessment
from nervetrack.interop import codes

Json = dict[str, Any]
YEAR_DAYS = 365


def care_plan(patient_ref: Json, patient_fhir_id: str, surgery: Surgery, knowledge: Knowledge, as_of: dt.date) -> Json:
    """The recovery phases as CarePlan activities, each scheduled from the surgery date."""
    last = knowledge.phases[-1]
    period: Json = {"start": surgery.date.isoformat()}
    if last.end_day is not None:
        period["end"] = (surgery.date + dt.timedelta(days=last.end_day)).isoformat()
    done = last.end_day is not None and (as_of - surgery.date).days > last.end_day
    return {
        "resourceType": "CarePlan",
        "id": codes.derived_id("recovery", patient_fhir_id),
        "status": "completed" if done else "active",
        "intent": "plan",
        "title": f"Recovery after lumbar {surgery.procedure.value}",
        "subject": patient_ref,
        "period": period,
        "activity": [_activity(phase, surgery.date, (as_of - surgery.date).days) for phase in knowledge.phases],
    }


def _activity(phase: Phase, surgery: dt.date, day: int) -> Json:
    scheduled: Json = {"start": (surgery + dt.timedelta(days=phase.start_day)).isoformat()}
    if phase.end_day is not None:
        scheduled["end"] = (surgery + dt.timedelta(days=phase.end_day)).isoformat()
    if day < phase.start_day:
        status = "not-started"
    elif phase.end_day is None or day <= phase.end_day:
        status = "in-progress"
    else:
        status = "completed"
    return {
        "detail": {
            "code": {"coding": [{"system": codes.CS_PHASE, "code": phase.code, "display": phase.title}]},
            "status": status,
            "scheduledPeriod": scheduled,
            "description": f"{phase.what_happens} Focus: {phase.focus}",
        }
    }


def risk_assessment(patient_ref: Json, patient_fhir_id: str, assessment: Assessment, surgery: Surgery) -> Json | None:
    """The forecast as a RiskAssessment, or None when the engine made no forecast (too few check-ins)."""
    forecasts = [(s.name, s.label, s.forecast) for s in assessment.symptoms if s.forecast]
    if assessment.odi is not None and assessment.odi.forecast:
        forecasts.append(("odi", "Disability (Oswestry)", assessment.odi.forecast))
    predictions = [_prediction(name, label, forecast, surgery) for name, label, forecast in forecasts]
    if not predictions:
        return None
    return {
        "resourceType": "RiskAssessment",
        "id": codes.derived_id("forecast", patient_fhir_id),
        "status": "final",
        "subject": patient_ref,
        "occurrenceDateTime": assessment.as_of.isoformat(),
        "method": {"text": f"NerveTrack recovery forecast ({assessment.knowledge_version})"},
        "prediction": predictions,
        "note": [{"text": assessment.disclaimer}],
    }


def _prediction(name: str, label: str, forecast: dict[str, Any], surgery: Surgery) -> Json:
    unit = forecast.get("unit", "")
    horizons = [
        f"day {h['day']}: {h['value']} (range {h['low']}-{h['high']})" for h in forecast["expected_at"].values()
    ]
    rationale = f"{label}, {unit}: expected " + "; ".join(horizons) if horizons else label
    coding = {"system": codes.CS_FORECAST, "code": f"{codes.local_code(name)}-moderate-or-worse-12m"}
    return {
        "outcome": {"coding": [coding], "text": f"{label} moderate or worse at 12 months"},
        "probabilityDecimal": forecast["p_moderate_or_worse_12m"],
        "whenPeriod": {
            "start": surgery.date.isoformat(),
            "end": (surgery.date + dt.timedelta(days=YEAR_DAYS)).isoformat(),
        },
        "rationale": rationale,
    }
