"""Observations derived from a check-in's QuestionnaireResponse (`derivedFrom`), one per value recorded.

Leg and back pain: LOINC 72514-3 (0-10 numeric rating) with SNOMED CT body sites lower limb / back. ODI score:
LOINC 97909-6 in percent. Body temperature: LOINC 8310-5 in UCUM Cel, a vital sign. Numbness, tingling,
weakness, walking time and the warning signs have no verified standard code and use NerveTrack's symptom code
system.
"""

from __future__ import annotations

from typing import Any

from nervetrack.domain.knowledge import OdiScale
from nervetrack.domain.model import RED_FLAG_SIGNS
from nervetrack.domain.odi import score_odi
from nervetrack.interop import codes
from nervetrack.interop.fhir_responses import StoredCheckin, response_id

Json = dict[str, Any]
_SURVEY = {"coding": [{"system": codes.OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
_VITAL = {"coding": [{"system": codes.OBSERVATION_CATEGORY, "code": "vital-signs", "display": "Vital Signs"}]}


def checkin_observations(patient_ref: Json, checkin: StoredCheckin, odi: OdiScale) -> list[Json]:
    """Every Observation one check-in yields, each derived from its QuestionnaireResponse."""
    values, base = checkin.values, response_id(checkin.id)
    context: Json = {"subject": patient_ref, "effectiveDateTime": values.date.isoformat()}
    context["derivedFrom"] = [{"reference": f"QuestionnaireResponse/{base}"}]
    found: list[tuple[str, Json]] = []
    for name in ("leg_pain", "back_pain"):
        if getattr(values, name) is not None:
            found.append((name, _pain(name, getattr(values, name))))
    for name in ("numbness", "tingling", "weakness"):
        if getattr(values, name) is not None:
            found.append((name, _local(name, _SURVEY, {"valueInteger": getattr(values, name)})))
    if values.walking_minutes is not None:
        minutes = {"value": values.walking_minutes, "unit": "min", "system": codes.UCUM, "code": "min"}
        found.append(("walking_minutes", _local("walking_minutes", _SURVEY, {"valueQuantity": minutes})))
    if values.temperature_c is not None:
        found.append(("temperature_c", _temperature(values.temperature_c)))
    for sign in RED_FLAG_SIGNS:
        if getattr(values, sign) is not None:
            found.append((sign, _local(sign, _SURVEY, {"valueBoolean": getattr(values, sign)}, codes.SIGN_DISPLAYS)))
    score = score_odi(odi, values.odi).score if values.odi is not None else None
    if score is not None:
        found.append(("odi", _odi(score)))
    return [
        {"resourceType": "Observation", "id": f"{base}-{codes.local_code(name)}", "status": "final"} | body | context
        for name, body in found
    ]


def _pain(name: str, value: int) -> Json:
    code, display = codes.LOINC_PAIN
    site, site_display = codes.BODY_SITES[name]
    return {
        "category": [_SURVEY],
        "code": {"coding": [{"system": codes.LOINC, "code": code, "display": display}], "text": name.replace("_", " ")},
        "valueInteger": value,
        "bodySite": {"coding": [{"system": codes.SNOMED, "code": site, "display": site_display}]},
    }


def _temperature(celsius: float) -> Json:
    code, display = codes.LOINC_BODY_TEMPERATURE
    return {
        "category": [_VITAL],
        "code": {"coding": [{"system": codes.LOINC, "code": code, "display": display}], "text": display},
        "valueQuantity": {"value": celsius, "unit": "Cel", "system": codes.UCUM, "code": "Cel"},
    }


def _odi(score: float) -> Json:
    code, display = codes.LOINC_ODI_SCORE
    return {
        "category": [_SURVEY],
        "code": {"coding": [{"system": codes.LOINC, "code": code, "display": display}], "text": "ODI score"},
        "valueQuantity": {"value": score, "unit": "%", "system": codes.UCUM, "code": "%"},
    }


def _local(name: str, category: Json, value: Json, displays: dict[str, str] | None = None) -> Json:
    display = (displays or codes.LOCAL_SYMPTOMS)[name]
    coding = {"system": codes.CS_SYMPTOM, "code": codes.local_code(name), "display": display}
    return {"category": [category], "code": {"coding": [coding], "text": display}} | value
