"""The shape of every knowledge file, checked when it is loaded.

Editing the clinical TOML is the most common change, so a typo there (a misspelled level, an unknown key, a
missing field) must stop the program at start-up with the file, the item and the key named, never load
quietly or fail later with a bare KeyError. Unknown keys are refused everywhere (`extra="forbid"`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nervetrack.domain.errors import KnowledgeError
from nervetrack.domain.model import SymptomStatus, TriageLevel

_STRICT = ConfigDict(extra="forbid")
Version = Annotated[str, Field(pattern=r"^\d{4}\.\d{1,2}\.\d+$")]
Ids = list[str]
Share = Annotated[float, Field(ge=0, le=1)]
Day = Annotated[int, Field(ge=0)]
Positive = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]


class _Item(BaseModel):
    model_config = _STRICT


class _Cited(_Item):
    sources: Ids = Field(min_length=1)


# ---- sources.toml ------------------------------------------------------------------------------------------
class SourceEntry(_Item):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    kind: Literal[
        "article", "study", "guideline", "instrument", "patient-instructions", "secondary", "software", "terminology"
    ]
    title: str = Field(min_length=3)
    year: int = Field(ge=0, le=2100)
    publisher: str = ""
    published: str | None = Field(default=None, pattern=r"^(\d{4}-\d{2}-\d{2}|undated)$")
    first_author: str | None = None
    journal: str | None = None
    pmid: str | None = Field(default=None, pattern=r"^\d+$")
    url: str | None = None
    doi: str | None = Field(default=None, pattern=r"^10\.\S+/\S+$")
    evidence: str | None = Field(default=None, pattern=r"^docs/evidence\.md#[a-z0-9-]+$")
    tag: Literal["R", "R2", "M", "I"] | None = None
    lay_title: str | None = None
    groups: list[Literal["disc", "stenosis", "fusion"]] = []


class SourcesFile(_Item):
    version: Version
    source: list[SourceEntry] = Field(min_length=1)


# ---- phases.toml -------------------------------------------------------------------------------------------
class PhaseEntry(_Cited):
    code: str
    title: str
    start_day: Day
    end_day: Day | None = None
    what_happens: str
    focus: str


class PhasesFile(_Item):
    version: Version
    phase: list[PhaseEntry] = Field(min_length=1)


# ---- courses.toml ------------------------------------------------------------------------------------------
Group = Literal["disc", "stenosis", "fusion"]


class ProcedureEntry(_Item):
    family: str
    group: Group


class Judging(_Cited):
    grace_days: Day
    basis: str


class SymptomEntry(_Cited):
    name: str
    label: str
    scale: Literal["0-10", "0-100", "minutes"]
    mcid_points: Positive
    mcid_relative: Share
    resolved_at: NonNegative
    band_tolerance: NonNegative
    typical_baseline: NonNegative
    basis: str = ""
    target: Positive | None = None
    typical_by_group: dict[Group, NonNegative] | None = None


class CourseEntry(_Item):
    # A fitted course takes its sources from its fit; build_knowledge checks that every course cites some.
    sources: Ids = []
    symptom: str
    group: Group
    basis: str
    fitted: bool = False
    plateau: Share | None = None
    plateau_sd: NonNegative | None = None
    tau_days: Positive | None = None
    log_tau_sd: NonNegative | None = None
    stalled_share: Share | None = None
    stalled_plateau: Share | None = None


class ModifierWhen(_Item):
    feature: str
    equals: bool | int | str | None = None
    in_: list[str] | None = Field(default=None, alias="in")
    min: float | None = None


class ModifierEntry(_Cited):
    id: str
    label: str
    when: ModifierWhen
    symptoms: list[str] = Field(min_length=1)
    tau_factor: Positive
    basis: str
    plateau_shift: float | None = None
    fitted: bool = False
    groups: list[Group] = []


class RecurrenceEntry(_Cited):
    symptoms: list[str] = Field(min_length=1)
    from_day: Day
    relief_points: Positive
    rise_points: Positive
    jump_points: Positive
    tau_factor: Positive = 1.0
    plateau_shift: float = 0.0
    note: str


class ForecastScaleEntry(_Cited):
    noise_sd: Positive
    baseline_sd: Positive
    mild_at_most: NonNegative
    moderate_from: NonNegative
    top: Positive
    basis: str


class ForecastEntry(_Cited):
    horizons: dict[str, Positive]
    ahead: dict[str, Positive] = {"1m": 30, "3m": 91, "6m": 182}
    max_day: Positive
    interval: Share
    grid_points: int = Field(ge=5)
    grid_span: Positive
    basis: str
    stalled_share: Share = 0.0
    stalled_plateau: Share = 1.0
    stalled_plateau_sd: NonNegative = 0.3
    noise_prior_weight: NonNegative = 4.0
    scales: dict[Literal["0-10", "0-100", "minutes"], ForecastScaleEntry]


class CoursesFile(_Item):
    version: Version
    procedures: dict[str, ProcedureEntry] = Field(min_length=1)
    judging: Judging
    symptom: list[SymptomEntry] = Field(min_length=1)
    course: list[CourseEntry] = Field(min_length=1)
    modifier: list[ModifierEntry] = []
    recurrence: RecurrenceEntry | None = None
    forecast: ForecastEntry | None = None


# ---- course_fits.toml (written by benchmarks/fit_courses.py) -----------------------------------------------
class Residual(_Item):
    cohort: str
    day: Day
    observed: float
    population: float
    cohort_curve: float


class FitEntry(_Item):
    symptom: str
    group: Group
    plateau: Share
    tau_days: Positive
    plateau_sd: NonNegative
    log_tau_sd: NonNegative
    cohort_plateau_sd: NonNegative
    cohort_log_tau_sd: NonNegative
    residual_sd: NonNegative
    cohorts: list[str] = Field(min_length=1)
    sources: Ids = Field(min_length=1)
    residuals: list[Residual] = []


class NotFitted(_Item):
    symptom: str
    group: Group
    reason: str


class FittedModifier(_Item):
    id: str
    measured_on: str
    ratio: Positive
    plateau_shift: float
    sources: Ids = Field(min_length=1)


class CourseFitsFile(_Item):
    version: Version
    data: str
    within_plateau_sd: NonNegative
    within_log_tau_sd: NonNegative
    fit: list[FitEntry] = []
    not_fitted: list[NotFitted] = []
    modifier: list[FittedModifier] = []


# ---- rules.toml --------------------------------------------------------------------------------------------
class SignSettings(_Cited):
    carry_days: dict[str, Day]
    questions: dict[str, Annotated[str, Field(min_length=5)]] = Field(min_length=1)


class LevelEntry(_Item):
    summary: str


class CauseEntry(_Cited):
    text: str
    from_day: Day | None = None
    before_day: Day | None = None
    groups: list[Group] = []


class Marks(_Item):
    symptom: str
    status: SymptomStatus


class RuleEntry(_Cited):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    level: TriageLevel
    message: str
    name: str = ""
    signs: list[str] = []
    also_signs: list[str] = []
    check: str | None = None
    params: dict[str, float] = {}
    supersedes: list[str] = []
    requires: list[str] = []
    requires_any: list[str] = []
    marks: Marks | None = None
    causes: list[CauseEntry] = []


class RulesFile(_Item):
    version: Version
    signs: SignSettings | None = None
    levels: dict[str, LevelEntry]
    rule: list[RuleEntry] = Field(min_length=1)


# ---- followups.toml ----------------------------------------------------------------------------------------
class QuestionEntry(_Cited):
    id: str
    text: str
    answer: Literal["yes_no", "0-10", "choice"]
    why: str
    choices: list[str] = []
    sets: dict[str, str] = {}
    raises: dict[str, str] = {}
    raises_at_least: dict[str, str] = {}


class TriggerEntry(_Cited):
    id: str
    check: str
    asks: list[str] = Field(min_length=1)
    why: str
    params: dict[str, Any] = {}
    alert_unanswered: bool = True


class FollowupsFile(_Item):
    version: Version
    question: list[QuestionEntry] = []
    trigger: list[TriggerEntry] = []


# ---- guidance.toml -----------------------------------------------------------------------------------------
class GuidanceEntry(_Cited):
    id: str
    topic: str
    text: str
    phases: list[str] = []
    symptoms: list[str] = []
    procedures: list[str] = []
    when_smoker: bool | None = None


class DiscussEntry(_Cited):
    id: str = ""
    text: str
    from_day: Day = 0
    for_flags: list[str] = []


class SymptomCauseEntry(_Cited):
    symptom: str
    statuses: list[SymptomStatus] = Field(min_length=1)
    text: str
    from_day: Day | None = None
    before_day: Day | None = None


class CitedEntry(_Cited):
    text: str


class CallEntry(_Cited):
    level: TriageLevel
    text: str


class DiscussOn(_Item):
    flags: list[str]


class Disclaimer(_Item):
    text: str


class GuidanceFile(_Item):
    version: Version
    item: list[GuidanceEntry] = Field(min_length=1)
    discuss: list[DiscussEntry] = []
    cause: list[SymptomCauseEntry] = []
    discuss_on: DiscussOn
    status: dict[str, CitedEntry]
    action: dict[str, CitedEntry] = {}
    call: list[CallEntry] = []
    disclaimer: Disclaimer


# ---- scales.toml and schedule.toml -------------------------------------------------------------------------
class OdiBand(_Item):
    code: str
    up_to: NonNegative


class OdiEntry(_Cited):
    sections: list[str] = Field(min_length=1)
    section_ends: list[tuple[str, str]]
    max_missing: Day
    acceptable_at_most: NonNegative
    band: list[OdiBand] = Field(min_length=1)


class RegrowthEntry(_Cited):
    mm_per_day: Positive
    fast_mm_per_day: Positive
    caveats: list[str] = []


class ScalesFile(_Item):
    version: Version
    odi: OdiEntry
    regrowth: RegrowthEntry


class IntervalEntry(_Cited):
    from_day: Day
    every_days: Day
    why: str


class ScheduleFile(_Item):
    version: Version
    interval: list[IntervalEntry] = Field(min_length=1)


SCHEMAS: Mapping[str, type[BaseModel]] = {
    "sources": SourcesFile,
    "phases": PhasesFile,
    "courses": CoursesFile,
    "course_fits": CourseFitsFile,
    "rules": RulesFile,
    "followups": FollowupsFile,
    "guidance": GuidanceFile,
    "scales": ScalesFile,
    "schedule": ScheduleFile,
}
# The key that names an item of a list, so a message can say `rule 'fever'` rather than `rule[12]`.
_NAMING_KEYS = ("id", "code", "name")


def validate_files(files: Mapping[str, Mapping[str, Any]]) -> None:
    """Raise KnowledgeError naming the file, the item and the key for the first problems of every file."""
    problems: list[str] = []
    for name, schema in SCHEMAS.items():
        if name not in files:
            problems.append(f"{name}.toml: the file is missing")
            continue
        try:
            schema.model_validate(files[name], strict=False)
        except ValidationError as error:
            problems += [f"{name}.toml: {_where(files[name], e['loc'])}: {_message(e)}" for e in error.errors()]
    if problems:
        raise KnowledgeError("; ".join(problems))


def _where(data: Any, loc: Sequence[int | str]) -> str:
    """`rule 'fever' → params → until_day` from a pydantic location (list indexes replaced by the item's id)."""
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
            node = node[step]
            label = _label(node)
            parts[-1] = f"{parts[-1]} {label!r}" if label is not None and parts else f"{parts[-1]}[{step}]"
            continue
        parts.append(str(step))
        node = node.get(step) if isinstance(node, dict) else None
    return " → ".join(parts) or "(top level)"


def _label(item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    if "symptom" in item and "group" in item:
        return f"{item['symptom']}/{item['group']}"
    return next((str(item[k]) for k in _NAMING_KEYS if k in item), None)


def _message(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown key (a typo?)"
    if error["type"] == "missing":
        return "required key is missing"
    return str(error["msg"])
