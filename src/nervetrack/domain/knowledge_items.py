"""The items of the knowledge base as typed values: sources, phases, courses, modifiers, rules, follow-up
questions, guidance, answers and the scales' settings (built by domain.knowledge from the data files)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    id: str
    kind: str
    title: str
    year: int
    publisher: str = ""  # for an article or guidance; a study names its journal
    first_author: str | None = None
    journal: str | None = None
    pmid: str | None = None
    url: str | None = None
    doi: str | None = None
    published: str | None = None  # an article's date of publication, or "undated"
    evidence: str | None = None
    tag: str | None = None
    lay_title: str | None = None
    groups: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values (lists, not tuples), so the dict survives a JSON round trip unchanged."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.__dict__.items() if v not in (None, 0)}


@dataclass(frozen=True)
class Cited:
    """A piece of text and the sources it rests on."""

    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Cause(Cited):
    """A likely cause of a flag, shown only where it fits: from `from_day`, before `before_day`, and after the
    listed procedure groups (empty: all)."""

    from_day: int | None = None
    before_day: int | None = None
    groups: tuple[str, ...] = ()

    def fits(self, day: int, group: str) -> bool:
        return (
            (self.from_day is None or day >= self.from_day)
            and (self.before_day is None or day < self.before_day)
            and (not self.groups or group in self.groups)
        )


@dataclass(frozen=True)
class DiscussTopic(Cited):
    """An option to raise with the surgeon, once recovery has had `from_day` days, when one of `for_flags`
    was raised (empty: any flag of [discuss_on])."""

    from_day: int = 0
    for_flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Phase:
    code: str
    title: str
    start_day: int
    end_day: int | None
    what_happens: str
    focus: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class SymptomScale:
    name: str
    label: str
    scale: str
    mcid_points: float
    mcid_relative: float
    resolved_at: float
    typical_baseline: float
    band_tolerance: float
    sources: tuple[str, ...]
    target: float | None = None
    # The typical pre-operative value by procedure group where cohorts differ (the ODI has no baseline field)
    typical_by_group: Mapping[str, float] | None = None

    def typical_for(self, group: str) -> float:
        """The typical pre-operative value after this procedure group (the scale's own if none is given)."""
        if self.typical_by_group and group in self.typical_by_group:
            return self.typical_by_group[group]
        return self.typical_baseline

    def burden(self, value: float) -> float:
        """How much is wrong: the score itself, or the minutes short of the walking target."""
        return max(0.0, self.target - value) if self.target is not None else value

    def is_meaningful_drop(self, reference: float, value: float) -> bool:
        drop = reference - value
        if drop <= 0:
            return False
        return drop >= self.mcid_points or (reference > 0 and drop / reference >= self.mcid_relative)


@dataclass(frozen=True)
class Course:
    symptom: str
    group: str
    plateau: float
    plateau_sd: float
    tau_days: float
    log_tau_sd: float
    basis: str
    sources: tuple[str, ...]
    # The forecast's "stalled" component for this course, where the evidence gives its own non-recovery
    # rate; None: the [forecast] default.
    stalled_share: float | None = None
    stalled_plateau: float | None = None
    # Fitted across published cohorts (course_fits.toml): the cohorts, and how far cohorts spread around the
    # population course (the spreads above are between patients). Empty for a course set by hand.
    cohorts: tuple[str, ...] = ()
    cohort_plateau_sd: float | None = None
    cohort_log_tau_sd: float | None = None
    residual_sd: float | None = None


@dataclass(frozen=True)
class Modifier:
    id: str
    label: str
    feature: str
    test: str
    operand: Any
    symptoms: tuple[str, ...]
    tau_factor: float
    plateau_shift: float
    basis: str
    sources: tuple[str, ...]
    # The procedure groups it applies to (empty: every group); a modifier measured in one group and applied
    # to others says in its basis why it borrows.
    groups: tuple[str, ...] = ()

    def applies(self, profile: Mapping[str, Any]) -> bool:
        value = profile.get(self.feature)
        if value is None:
            return False
        if self.test == "equals":
            return bool(value == self.operand)
        if self.test == "in":
            return value in self.operand
        return float(value) >= float(self.operand)


@dataclass(frozen=True)
class Rule:
    code: str
    level: str
    message: str
    sources: tuple[str, ...]
    causes: tuple[Cause, ...]
    params: Mapping[str, float]
    supersedes: tuple[str, ...] = ()
    marks: Mapping[str, str] | None = None
    # Warning signs whose "yes" raises the rule (`also`: named beside them, not raising it alone), and the
    # name of the check that judges it (default: the generic sign check when `signs` are given, else `code`).
    signs: tuple[str, ...] = ()
    also_signs: tuple[str, ...] = ()
    check: str = ""
    name: str = ""  # what is suspected, in a few words, for a handover (the paramedic card)
    # A combination rule (check "combination") is raised when every rule of `requires` and one of
    # `requires_any` were raised on the same assessment.
    requires: tuple[str, ...] = ()
    requires_any: tuple[str, ...] = ()


@dataclass(frozen=True)
class FollowUpQuestion:
    """A question the engine asks about a check-in instead of guessing. `sets` maps an answer to the warning
    sign it stands for on that check-in; `raises` maps an answer to a rule code; `raises_at_least` maps a
    0-10 answer from that value up to a rule code."""

    id: str
    text: str
    answer: str  # "yes_no", "0-10" or "choice"
    why: str
    sources: tuple[str, ...]
    choices: tuple[str, ...] = ()
    sets: Mapping[str, str] = field(default_factory=dict)
    raises: Mapping[str, str] = field(default_factory=dict)
    raises_at_least: Mapping[int, str] = field(default_factory=dict)

    def key_of(self, answer: object) -> str:
        """The answer as the key `sets` and `raises` use: "yes"/"no", the choice, or the number."""
        if isinstance(answer, bool):
            return "yes" if answer else "no"
        return str(answer)


@dataclass(frozen=True)
class FollowUpTrigger:
    """When to ask: a named check over the record with its parameters, and the questions it asks."""

    id: str
    check: str
    asks: tuple[str, ...]
    why: str
    sources: tuple[str, ...]
    params: Mapping[str, Any] = field(default_factory=dict)
    # Whether questions left unanswered reach the clinic (follow_up_unanswered): not for questions that only
    # stand in for a rating the patient left blank, where nothing was seen to change.
    alert_unanswered: bool = True


@dataclass(frozen=True)
class GuidanceItem:
    id: str
    topic: str
    text: str
    sources: tuple[str, ...]
    phases: tuple[str, ...] = ()
    symptoms: tuple[str, ...] = ()
    procedures: tuple[str, ...] = ()
    when_smoker: bool | None = None


@dataclass(frozen=True)
class Answer:
    """A short answer to a patient's question (answers.toml): `symptoms` link it to the patient's own."""

    id: str
    title: str
    text: str
    sources: tuple[str, ...]
    symptoms: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    signs: tuple[str, ...] = ()  # warning signs (or sign-less rule codes) that put this answer first


@dataclass(frozen=True)
class SymptomCause:
    symptom: str
    statuses: tuple[str, ...]
    text: str
    sources: tuple[str, ...]
    from_day: int | None = None
    before_day: int | None = None


@dataclass(frozen=True)
class OdiScale:
    sections: tuple[str, ...]
    section_ends: tuple[tuple[str, str], ...]
    max_missing: int
    acceptable_at_most: float
    bands: tuple[tuple[str, float], ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Regrowth:
    mm_per_day: float
    fast_mm_per_day: float
    caveats: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ForecastScale:
    """Forecast parameters of one kind of scale, in burden units (see courses.toml [forecast])."""

    scale: str
    noise_sd: float
    baseline_sd: float
    mild_at_most: float
    moderate_from: float
    top: float
    basis: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ForecastSettings:
    horizons: Mapping[str, int]
    max_day: int
    interval: float
    grid_points: int
    grid_span: float
    scales: Mapping[str, ForecastScale]
    basis: str
    sources: tuple[str, ...]
    stalled_share: float = 0.0
    stalled_plateau: float = 1.0
    stalled_plateau_sd: float = 0.3
    noise_prior_weight: float = 4.0
    # Horizons counted from the day of the assessment rather than from the surgery.
    ahead: Mapping[str, int] = field(default_factory=lambda: {"1m": 30, "3m": 91, "6m": 182})


@dataclass(frozen=True)
class CheckinInterval:
    """From `from_day` after surgery, a check-in is due every `every_days` days (0: no more are asked)."""

    from_day: int
    every_days: int
    why: str
    sources: tuple[str, ...]
