"""CDS Hooks 2.0: the service's discovery entry, its prefetch templates, and the cards for an assessment.

One `patient-view` service. The EHR prefetches the patient, their procedures, NerveTrack's questionnaire
responses and recent observations (or lets the service fetch them); the engine assesses the record they hold
and answers with cards: `critical` for an emergency, `warning` for urgent and soon, `info` for the recovery
summary. Every card has a summary under 140 characters, Markdown detail with the evidence and its sources, a
source with label and URL, and a link to the patient's page in NerveTrack; no field is null or empty.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from nervetrack.domain.knowledge import Knowledge
from nervetrack.domain.model import TriageLevel
from nervetrack.domain.results import Assessment, Flag, SymptomResult
from nervetrack.interop import codes

Json = dict[str, Any]
SERVICE_ID = "nervetrack-recovery"
HOOK = "patient-view"
SUMMARY_LIMIT = 140
# Prefetch key -> template. `responses` asks for up to 1,000 (a year and more of daily check-ins).
PREFETCH = {
    "patient": "Patient/{{context.patientId}}",
    "surgery": "Procedure?patient={{context.patientId}}",
    "responses": "QuestionnaireResponse?patient={{context.patientId}}&_count=1000",
    "observations": "Observation?patient={{context.patientId}}&_sort=-date&_count=50",
}
REQUIRED_PREFETCH = ("patient", "surgery", "responses")
_INDICATOR = {TriageLevel.EMERGENCY: "critical", TriageLevel.URGENT: "warning", TriageLevel.SOON: "warning"}
_CARD_NAMESPACE = uuid.UUID("9f0a3c52-6b1e-4d8e-9c67-2a5e1f3b7d40")


@dataclass(frozen=True)
class CardContext:
    """Where the cards point: the hook call (for stable card ids), the service's and the patient's pages."""

    hook_instance: str
    source_url: str
    patient_url: str


def discovery() -> Json:
    """The discovery response: one patient-view service with its prefetch templates."""
    return {
        "services": [
            {
                "hook": HOOK,
                "title": "NerveTrack recovery status",
                "description": (
                    "Where a patient recovering from lumbar spine surgery stands against the expected course: "
                    "red flags from their check-ins, the recovery summary and forecast."
                ),
                "id": SERVICE_ID,
                "prefetch": dict(PREFETCH),
                "usageRequirements": (
                    "Needs the patient's NerveTrack QuestionnaireResponses (prefetched, or readable on fhirServer "
                    "with fhirAuthorization)."
                ),
            }
        ]
    }


def prefetch_query(template: str, patient_id: str) -> str:
    return template.replace("{{context.patientId}}", patient_id)


def prefetch_resources(prefetch: dict[str, Any]) -> list[Json]:
    """The resources of the prefetch values: a resource as it is, a searchset Bundle's entries."""
    resources: list[Json] = []
    for value in prefetch.values():
        if not isinstance(value, dict):
            continue
        if value.get("resourceType") == "Bundle":
            resources += [e["resource"] for e in value.get("entry") or [] if isinstance(e.get("resource"), dict)]
        elif value.get("resourceType"):
            resources.append(value)
    return resources


def cards(assessment: Assessment, knowledge: Knowledge, context: CardContext) -> list[Json]:
    """The cards for an assessment: one per flag above routine (most severe first), then the summary."""
    raised = [f for f in assessment.flags if f.level is not TriageLevel.ROUTINE]
    raised.sort(key=lambda f: -f.level.rank)
    return [_flag_card(f, knowledge, context) for f in raised] + [_summary_card(assessment, knowledge, context)]


def _flag_card(flag: Flag, knowledge: Knowledge, context: CardContext) -> Json:
    detail = [f"**{flag.level.value.capitalize()}.** {flag.message}"]
    if flag.evidence:
        detail.append(f"**Evidence:** {flag.evidence}")
    if flag.causes:
        detail.append("**Possible causes:**\n" + "\n".join(f"- {c.text}" for c in flag.causes))
    detail.append(f"Rule `{flag.code}` version {flag.rule_version}.")
    detail.append(_sources(tuple(flag.sources), knowledge))
    name = knowledge.rules[flag.code].name if flag.code in knowledge.rules else ""
    summary = f"NerveTrack {flag.level.value}: {name or flag.message}"
    return _card(f"flag/{flag.code}", summary, _INDICATOR[flag.level], "\n\n".join(detail), context)


def _summary_card(assessment: Assessment, knowledge: Knowledge, context: CardContext) -> Json:
    summary = (
        f"Day {assessment.days_since_surgery} after {assessment.procedure}: {assessment.phase.title}; "
        f"triage {assessment.triage.level.value}"
    )
    lines = [
        f"**Triage: {assessment.triage.level.value}.** {assessment.triage.summary}",
        f"**Phase:** {assessment.phase.what_happens}",
    ]
    rows = [_symptom_row(s) for s in assessment.symptoms if s.status.value != "no_data"]
    if rows:
        lines.append("| Symptom | Latest | Status | Expected now |\n|---|---|---|---|\n" + "\n".join(rows))
    if assessment.odi is not None and assessment.odi.score is not None:
        lines.append(f"**Oswestry Disability Index:** {assessment.odi.score:g}% ({assessment.odi.band}).")
    forecasts = [s for s in assessment.symptoms if s.forecast]
    if forecasts:
        lines.append("**Forecast, moderate or worse at 12 months:** " + ", ".join(_forecast(s) for s in forecasts))
    cited = tuple(sorted({source for s in assessment.symptoms for source in s.sources} | set(assessment.phase.sources)))
    lines.append(_sources(tuple(cited), knowledge))
    return _card("summary", summary, "info", "\n\n".join(lines), context)


def _card(key: str, summary: str, indicator: str, detail: str, context: CardContext) -> Json:
    if len(summary) >= SUMMARY_LIMIT:
        summary = summary[: SUMMARY_LIMIT - 2].rstrip() + "…"
    return {
        "uuid": str(uuid.uuid5(_CARD_NAMESPACE, f"{context.hook_instance}/{key}")),
        "summary": summary,
        "indicator": indicator,
        "detail": detail,
        "source": {"label": "NerveTrack", "url": context.source_url, "topic": _topic(key)},
        "links": [{"label": "Open the patient in NerveTrack", "url": context.patient_url, "type": "absolute"}],
    }


def _topic(key: str) -> Json:
    code = key.split("/", 1)[-1]
    system = codes.CS_ALERT if key.startswith("flag/") else f"{codes.BASE}/CodeSystem/cds-card"
    return {"system": system, "code": code}


def _symptom_row(symptom: SymptomResult) -> str:
    unit = "/10" if symptom.unit == "0-10" else f" {symptom.unit}"
    latest = "-" if symptom.latest is None else f"{symptom.latest:g}{unit}".rstrip()
    expected = (
        "-"
        if symptom.expected is None
        else f"{symptom.expected.value:g} ({symptom.expected.low:g}-{symptom.expected.high:g})"
    )
    return f"| {symptom.label} | {latest} | {symptom.status.value.replace('_', ' ')} | {expected} |"


def _forecast(symptom: SymptomResult) -> str:
    assert symptom.forecast is not None
    return f"{symptom.label.lower()} {symptom.forecast['p_moderate_or_worse_12m']:.0%}"


def _sources(ids: tuple[str, ...], knowledge: Knowledge) -> str:
    lines = []
    for source_id in ids:
        source = knowledge.sources.get(source_id)
        if source is None:
            continue
        url = source.url or (f"https://doi.org/{source.doi}" if source.doi else None)
        # A study names its journal, an article or guideline its publisher; either may be missing.
        where = ", ".join(part for part in (source.journal or source.publisher, str(source.year or "")) if part)
        title = f"{source.title} ({where})" if where else source.title
        lines.append(f"- [{title}]({url})" if url else f"- {title}")
    return "**Sources:**\n" + "\n".join(lines) if lines else "**Sources:** NerveTrack knowledge base."
