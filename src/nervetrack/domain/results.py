"""The assessment the engine returns. Field names are a public contract (issue 2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

from nervetrack.domain.model import SymptomStatus, TriageLevel

_FROZEN = ConfigDict(frozen=True)


class CitedText(BaseModel):
    model_config = _FROZEN

    text: str
    sources: list[str]


class GuidanceText(CitedText):
    topic: str


class PhaseResult(BaseModel):
    model_config = _FROZEN

    code: str
    title: str
    what_happens: str
    focus: str
    sources: list[str]


class Triage(BaseModel):
    model_config = _FROZEN

    level: TriageLevel
    summary: str


class Flag(BaseModel):
    model_config = _FROZEN

    code: str
    level: TriageLevel
    message: str
    sources: list[str]
    causes: list[CitedText]
    evidence: str
    rule_version: str


class FollowUp(BaseModel):
    """A question the engine asks about the latest check-in instead of guessing (answer: yes_no, 0-10 or
    choice, with `choices` for the last)."""

    model_config = _FROZEN

    id: str
    text: str
    answer: str
    choices: list[str]
    why: str
    sources: list[str]


class Expected(BaseModel):
    """The expected value on the assessment day, with its 80% range, for this patient's profile."""

    model_config = _FROZEN

    day: int
    value: float
    low: float
    high: float
    reference: float
    reference_kind: str
    modifiers: list[str]


class SymptomResult(BaseModel):
    model_config = _FROZEN

    name: str
    label: str
    unit: str
    status: SymptomStatus
    baseline: float | None
    latest: float | None
    latest_date: dt.date | None
    change: float | None
    expected: Expected | None
    message: str
    sources: list[str]
    causes: list[CitedText]
    history: list[tuple[int, float]]
    action: CitedText | None = None  # what to do, for a symptom off its usual course
    forecast: dict[str, Any] | None = None


class OdiResult(BaseModel):
    model_config = _FROZEN

    score: float | None
    band: str | None
    answered: int
    acceptable: bool | None
    date: dt.date | None
    message: str
    sources: list[str]
    forecast: dict[str, Any] | None = None


class Assessment(BaseModel):
    model_config = _FROZEN

    patient_id: str
    as_of: dt.date
    days_since_surgery: int
    procedure: str
    phase: PhaseResult
    triage: Triage
    flags: list[Flag]
    follow_up: list[FollowUp]
    symptoms: list[SymptomResult]
    odi: OdiResult | None
    guidance: list[GuidanceText]
    discuss_with_surgeon: list[CitedText]
    sources: list[dict[str, Any]]
    knowledge_version: str
    disclaimer: str
