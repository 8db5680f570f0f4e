"""Value objects of the input contract: a patient, their surgery, baseline and check-ins.

Field names are a public contract (issue 2); other tools depend on them.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class Procedure(StrEnum):
    DISCECTOMY = "discectomy"
    MICRODISCECTOMY = "microdiscectomy"
    LAMINECTOMY = "laminectomy"
    LAMINOTOMY = "laminotomy"
    FORAMINOTOMY = "foraminotomy"
    FUSION = "fusion"


class Approach(StrEnum):
    OPEN = "open"
    MINIMALLY_INVASIVE = "minimally_invasive"
    ENDOSCOPIC = "endoscopic"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class TriageLevel(StrEnum):
    ROUTINE = "routine"
    SOON = "soon"
    URGENT = "urgent"
    EMERGENCY = "emergency"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]


_LEVEL_RANK = {
    TriageLevel.ROUTINE: 0,
    TriageLevel.SOON: 1,
    TriageLevel.URGENT: 2,
    TriageLevel.EMERGENCY: 3,
}


class SymptomStatus(StrEnum):
    RESOLVED = "resolved"
    IMPROVING = "improving"
    AS_EXPECTED = "as_expected"
    SLOWER_THAN_EXPECTED = "slower_than_expected"
    NOT_IMPROVING = "not_improving"
    WORSENING = "worsening"
    NO_DATA = "no_data"


# The statuses off the expected course: they get a "why might this be?" answer and count as off course for
# the rules and the pages.
OFF_COURSE: frozenset[SymptomStatus] = frozenset(
    {SymptomStatus.SLOWER_THAN_EXPECTED, SymptomStatus.NOT_IMPROVING, SymptomStatus.WORSENING}
)


# Symptom name -> the contract field that carries it.
SYMPTOM_FIELDS: dict[str, str] = {
    "leg_pain": "leg_pain",
    "back_pain": "back_pain",
    "numbness": "numbness",
    "tingling": "tingling",
    "weakness": "weakness",
    "walking": "walking_minutes",
}

RED_FLAG_SIGNS: tuple[str, ...] = (
    "chills",
    "bladder_problem",
    "urinary_difficulty",
    "bowel_problem",
    "saddle_numbness",
    "genital_numbness",
    "both_legs",
    "sudden_weakness",
    "wound_redness",
    "wound_drainage",
    "calf_pain_swelling",
    "chest_pain_or_breathlessness",
    "headache_when_upright",
)

# Strict types: the contract is JSON, so "7" or "yes" is refused with the field named, not read as 7 or true.
Score = Annotated[int, Field(ge=0, le=10, strict=True)]
Minutes = Annotated[float, Field(ge=0, le=1440, strict=True)]
OdiAnswer = Annotated[int, Field(ge=0, le=5, strict=True)]
Sign = Annotated[bool, Field(strict=True)]
# A follow-up answer: yes/no as true/false, a 0-10 rating, or one of the question's choices (checked against
# the knowledge base by the engine).
FollowUpAnswer = (
    Annotated[bool, Field(strict=True)]
    | Annotated[int, Field(strict=True)]
    | Annotated[str, Field(min_length=1, max_length=80)]
)
_STRICT = ConfigDict(extra="forbid", frozen=True)


class Patient(BaseModel):
    model_config = _STRICT

    id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
    birth_year: Annotated[int, Field(ge=1900, le=2100)]
    sex: Sex = Sex.UNKNOWN
    diabetes: Sign = False
    peripheral_neuropathy: Sign = False
    smoker: Sign = False


class Surgery(BaseModel):
    model_config = _STRICT

    date: dt.date
    procedure: Procedure
    approach: Approach = Approach.OPEN
    levels: list[Annotated[str, Field(pattern=r"^(T1[0-2]|L[1-5])-(L[1-5]|S1)$")]] = Field(default_factory=list)
    symptom_duration_weeks: Annotated[float, Field(ge=0, le=1040, strict=True)] | None = None
    # A tear of the dura found at the operation (repaired or not): clear fluid from the wound then counts as
    # a possible spinal fluid leak on its own.
    dural_tear: Sign | None = None


class Scores(BaseModel):
    """Symptom scores 0-10 (0 = none) and continuous walking time; any may be unknown."""

    model_config = _STRICT

    leg_pain: Score | None = None
    back_pain: Score | None = None
    numbness: Score | None = None
    tingling: Score | None = None
    weakness: Score | None = None
    walking_minutes: Minutes | None = None

    def value_of(self, symptom: str) -> float | None:
        value = getattr(self, SYMPTOM_FIELDS[symptom])
        return None if value is None else float(value)


class CheckIn(Scores):
    date: dt.date
    temperature_c: Annotated[float, Field(ge=30, le=45, strict=True)] | None = None
    chills: Sign | None = None
    bladder_problem: Sign | None = None
    urinary_difficulty: Sign | None = None
    bowel_problem: Sign | None = None
    saddle_numbness: Sign | None = None
    genital_numbness: Sign | None = None
    both_legs: Sign | None = None
    sudden_weakness: Sign | None = None
    wound_redness: Sign | None = None
    wound_drainage: Sign | None = None
    calf_pain_swelling: Sign | None = None
    chest_pain_or_breathlessness: Sign | None = None
    headache_when_upright: Sign | None = None
    odi: Annotated[list[OdiAnswer | None], Field(min_length=10, max_length=10)] | None = None
    # Answers to the engine's follow-up questions about this check-in, by question id.
    follow_up: Annotated[dict[str, FollowUpAnswer], Field(max_length=20)] | None = None

    def has(self, sign: str) -> bool:
        return getattr(self, sign) is True


class Acknowledgement(BaseModel):
    """A clinician has seen and closed an alert with this code on this date (fed in by the web app)."""

    model_config = _STRICT

    code: Annotated[str, Field(min_length=1, max_length=64)]
    date: dt.date


class PatientRecord(BaseModel):
    """Everything the engine needs about one patient; `as_of` is when the assessment is made."""

    model_config = _STRICT

    patient: Patient
    surgery: Surgery
    baseline: Scores | None = None
    checkins: list[CheckIn] = Field(default_factory=list)
    acknowledgements: list[Acknowledgement] = Field(default_factory=list)
    as_of: dt.date | None = None

    def effective_as_of(self) -> dt.date:
        if self.as_of is not None:
            return self.as_of
        if self.checkins:
            return max(c.date for c in self.checkins)
        return self.surgery.date

    def ordered_checkins(self) -> list[CheckIn]:
        return sorted(self.checkins, key=lambda c: c.date)
