"""DetectedIssue and Flag for each alert NerveTrack raised; a clinician's acknowledgement is the mitigation.

The DetectedIssue carries the rule's code (NerveTrack alert code system), its triage level (extension; the
R4 severity high/moderate/low is coarser), the message and the evidence, and points at the check-in's
QuestionnaireResponse. The Flag is what an EHR shows in its banner: active while the alert is open,
inactive with the period closed once it is acknowledged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from nervetrack.domain.model import TriageLevel
from nervetrack.interop import codes
from nervetrack.interop.errors import FhirInputError
from nervetrack.interop.fhir_responses import response_id

Json = dict[str, Any]
_SEVERITY = {
    TriageLevel.EMERGENCY: "high",
    TriageLevel.URGENT: "high",
    TriageLevel.SOON: "moderate",
    TriageLevel.ROUTINE: "low",
}
_CLINICAL = {"coding": [{"system": codes.FLAG_CATEGORY, "code": "clinical", "display": "Clinical"}]}


@dataclass(frozen=True)
class AlertFacts:
    """An alert as stored: what was raised from which check-in, and its acknowledgement if any."""

    id: int
    code: str
    level: TriageLevel
    message: str
    evidence: str | None
    raised_at: dt.datetime
    checkin_id: int
    acknowledged_at: dt.datetime | None = None
    acknowledged_by: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Acknowledged:
    """An acknowledgement read back from a DetectedIssue's mitigation."""

    code: str
    level: TriageLevel
    message: str
    evidence: str | None
    raised_at: dt.datetime
    acknowledged_at: dt.datetime
    acknowledged_by: str | None
    note: str | None


def alert_id(alert: AlertFacts) -> str:
    return f"alert-{alert.id}"


def detected_issue(patient_ref: Json, alert: AlertFacts) -> Json:
    """The DetectedIssue of one alert."""
    resource: Json = {
        "resourceType": "DetectedIssue",
        "id": alert_id(alert),
        "extension": [{"url": codes.EXT_TRIAGE_LEVEL, "valueCode": alert.level.value}],
        "status": "final",
        "code": _code(alert),
        "severity": _SEVERITY[alert.level],
        "patient": patient_ref,
        "identifiedDateTime": alert.raised_at.isoformat(),
        "detail": alert.message,
        "evidence": [_evidence(alert)],
    }
    if alert.acknowledged_at is not None:
        resource["mitigation"] = [_mitigation(alert)]
    return resource


def flag(patient_ref: Json, alert: AlertFacts) -> Json:
    """The Flag of one alert: active until acknowledged."""
    period = {"start": alert.raised_at.isoformat()}
    if alert.acknowledged_at is not None:
        period["end"] = alert.acknowledged_at.isoformat()
    return {
        "resourceType": "Flag",
        "id": alert_id(alert),
        "extension": [{"url": codes.FLAG_DETAIL, "valueReference": {"reference": f"DetectedIssue/{alert_id(alert)}"}}],
        "status": "active" if alert.acknowledged_at is None else "inactive",
        "category": [_CLINICAL],
        "code": _code(alert),
        "subject": patient_ref,
        "period": period,
    }


def acknowledged_from(resource: Json) -> Acknowledged | None:
    """The acknowledgement a DetectedIssue records, or None while it is open."""
    mitigations = resource.get("mitigation") or []
    if not mitigations:
        return None
    mitigation = mitigations[0]
    code = next((c.get("code") for c in (resource.get("code") or {}).get("coding") or [] if c.get("code")), None)
    if not code or not mitigation.get("date"):
        raise FhirInputError("DetectedIssue.mitigation", "needs the alert's code and the acknowledgement's date")
    level = next(
        (e.get("valueCode") for e in resource.get("extension") or [] if e.get("url") == codes.EXT_TRIAGE_LEVEL), None
    )
    action = mitigation.get("action") or {}
    evidence = next((c.get("text") for e in resource.get("evidence") or [] for c in e.get("code") or []), None)
    return Acknowledged(
        code=str(code),
        level=TriageLevel(str(level)) if level in TriageLevel.__members__.values() else TriageLevel.SOON,
        message=str(resource.get("detail") or code),
        evidence=evidence,
        raised_at=_datetime(resource.get("identifiedDateTime") or mitigation["date"]),
        acknowledged_at=_datetime(mitigation["date"]),
        acknowledged_by=(mitigation.get("author") or {}).get("display"),
        note=action.get("text") if action.get("text") != "Acknowledged" else None,
    )


def _code(alert: AlertFacts) -> Json:
    return {"coding": [{"system": codes.CS_ALERT, "code": alert.code}], "text": alert.message}


def _evidence(alert: AlertFacts) -> Json:
    evidence: Json = {"detail": [{"reference": f"QuestionnaireResponse/{response_id(alert.checkin_id)}"}]}
    if alert.evidence:
        evidence["code"] = [{"text": alert.evidence}]
    return evidence


def _mitigation(alert: AlertFacts) -> Json:
    assert alert.acknowledged_at is not None
    coding = {"system": codes.CS_ALERT_ACTION, "code": "acknowledged", "display": "Acknowledged by a clinician"}
    mitigation: Json = {
        "action": {"coding": [coding], "text": alert.note or "Acknowledged"},
        "date": alert.acknowledged_at.isoformat(),
    }
    if alert.acknowledged_by:
        mitigation["author"] = {"display": alert.acknowledged_by}
    return mitigation


def _datetime(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise FhirInputError("DetectedIssue.mitigation.date", f"is not a date and time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
