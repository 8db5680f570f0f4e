"""Each symptom's history and its status against the patient's expected course.

Meaningful change follows the published minimal important differences (ostelo-2008: 2 points or 30% on a
0-10 scale; 10 points or 30% for the ODI). Expected courses come from timeline.course_for_patient.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import attrgetter
from typing import NamedTuple

from nervetrack.domain.knowledge import Knowledge, SymptomScale
from nervetrack.domain.model import SYMPTOM_FIELDS, CheckIn, PatientRecord, SymptomStatus
from nervetrack.domain.timeline import PatientCourse


class Point(NamedTuple):
    """One rating: days after surgery and value (a tuple: series hold many of them)."""

    day: int
    value: float


@dataclass(frozen=True)
class Series:
    """One symptom's pre-operative value and post-operative check-in values in date order."""

    symptom: str
    baseline: float | None
    points: tuple[Point, ...]

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None

    def before(self, day: int) -> tuple[Point, ...]:
        return tuple(p for p in self.points if p.day < day)


def series_of(record: PatientRecord, symptom: str, ordered: Sequence[CheckIn] | None = None) -> Series:
    """Collect the known values of `symptom` from the baseline and every check-in (pass `ordered` to reuse
    an already date-sorted list of check-ins)."""
    surgery_day = record.surgery.date
    baseline = record.baseline.value_of(symptom) if record.baseline else None
    field = SYMPTOM_FIELDS[symptom]
    points = tuple(
        Point((c.date - surgery_day).days, float(value))
        for c in (record.ordered_checkins() if ordered is None else ordered)
        if (value := getattr(c, field)) is not None
    )
    return Series(symptom, baseline, points)


def all_series(record: PatientRecord, ordered: Sequence[CheckIn]) -> dict[str, Series]:
    """Every symptom's series in one pass over the date-sorted check-ins (the hot path of assess)."""
    surgery_day = record.surgery.date
    days = [(checkin.date - surgery_day).days for checkin in ordered]
    columns = zip(*map(_SYMPTOM_VALUES, ordered), strict=True) if ordered else [()] * len(SYMPTOM_FIELDS)
    baseline = record.baseline
    series = {}
    for name, column in zip(SYMPTOM_FIELDS, columns, strict=True):
        pairs = [(day, float(value)) for day, value in zip(days, column, strict=True) if value is not None]
        # tuple.__new__ skips Point's argument handling: this loop is the hot path of assess.
        points = tuple(map(_new_tuple, repeat(Point), pairs))
        series[name] = Series(name, baseline.value_of(name) if baseline else None, points)
    return series


_SYMPTOM_VALUES = attrgetter(*SYMPTOM_FIELDS.values())
_new_tuple = tuple.__new__


@dataclass(frozen=True)
class Judgement:
    status: SymptomStatus
    reference: float
    reference_kind: str
    expected: float
    low: float
    high: float
    early: bool = False  # judged within the grace period after surgery


def reference_burden(scale: SymptomScale, series: Series) -> tuple[float, str]:
    """The pre-operative burden to compare with: the patient's own baseline, else the published typical one."""
    if series.baseline is not None:
        return scale.burden(series.baseline), "baseline"
    return scale.burden(scale.typical_baseline), "typical"


def judge(scale: SymptomScale, course: PatientCourse, series: Series, grace_days: int = 0) -> Judgement | None:
    """Place the latest value on the expected course and name its status; None without data."""
    latest = series.latest
    if latest is None:
        return None
    reference, kind = reference_burden(scale, series)
    low_share, high_share = course.band(latest.day)
    expected = reference * course.remaining(latest.day)
    low, high = reference * low_share, reference * high_share
    # Within the grace period a value still near its starting level is normal, not slow.
    limit = max(high, reference) if latest.day < grace_days else high
    status = _status(scale, series, reference, scale.burden(latest.value), limit + scale.band_tolerance)
    return Judgement(status, reference, kind, expected, low, high, latest.day < grace_days)


def _status(scale: SymptomScale, series: Series, reference: float, burden: float, limit: float) -> SymptomStatus:
    if burden <= scale.resolved_at:
        return SymptomStatus.RESOLVED
    if _worsening(scale, series, reference, burden, limit):
        return SymptomStatus.WORSENING
    improved = scale.is_meaningful_drop(reference, burden)
    if burden <= limit:
        return SymptomStatus.IMPROVING if improved else SymptomStatus.AS_EXPECTED
    if improved or burden < reference:
        return SymptomStatus.SLOWER_THAN_EXPECTED
    return SymptomStatus.NOT_IMPROVING


def _worsening(scale: SymptomScale, series: Series, reference: float, burden: float, limit: float) -> bool:
    """Meaningfully worse than before surgery, or than the best value since and outside the usual range."""
    if burden - reference >= scale.mcid_points:
        return True
    earlier = [scale.burden(p.value) for p in series.points[:-1]]
    return bool(earlier) and burden - min(earlier) >= scale.mcid_points and burden > limit


def status_message(
    knowledge: Knowledge,
    scale: SymptomScale,
    judgement: Judgement | None,
    latest: float | None,
    best: float | None = None,
    baseline: float | None = None,
    key: str | None = None,
) -> str:
    """Fill the status sentence for a symptom from the knowledge base's template (`best`: the best value
    before the latest since surgery, which a worsening that is not worse than before surgery is told against;
    `baseline`: the pre-operative value as given, shown rather than its capped burden)."""
    fmt = _fmt_minutes if scale.target is not None else _fmt_score
    values = {"label": scale.label, "label_lower": scale.label.lower(), "latest": fmt(latest), "best": fmt(best)}
    key = key or status_message_key(scale, judgement, latest, best)
    template = knowledge.status_messages[key].text
    if judgement is not None:
        typical = judgement.reference_kind == "typical"
        shown = baseline if baseline is not None and not typical else _value_of(scale, judgement.reference)
        values |= {
            # Without the patient's own pre-operative score the comparison is with a typical one: say so.
            "before": "typical before surgery" if typical else "before surgery",
            "than_before": "what is typical before surgery" if typical else "before surgery",
            "reference": fmt(shown),
            "expected": fmt(_value_of(scale, judgement.expected)),
            # For walking a lower burden is more minutes, so the range flips.
            "low": fmt(_value_of(scale, judgement.high if scale.target else judgement.low)),
            "high": fmt(_value_of(scale, judgement.low if scale.target else judgement.high)),
        }
        # "4/10 to 4/10" says nothing a single number would not.
        same = values["low"] == values["high"]
        values["range"] = f"about {values['low']}" if same else f"{values['low']} to {values['high']}"
    return template.format(**values)


def status_message_key(
    scale: SymptomScale, judgement: Judgement | None, latest: float | None, best: float | None
) -> str:
    """Which [status.*] sentence fits: the status's own, or its variant for a target scale (walking) or for
    a symptom that got worse again after improving."""
    if judgement is None:
        return SymptomStatus.NO_DATA.value
    status = judgement.status
    if status is SymptomStatus.RESOLVED and scale.target is not None:
        return "resolved_target"
    if (
        status is SymptomStatus.WORSENING
        and latest is not None
        and best is not None
        and scale.burden(latest) <= judgement.reference
    ):
        return "worsening_since_best"
    # Inside the band only once the tolerance for a single rating is added; compared as the sentence shows
    # the numbers (whole points or minutes), so "4/10, close to 3/10 to 4/10" cannot happen. A value below
    # the band is better than usual, never "within the usual range".
    shown_above = latest is not None and round(scale.burden(latest)) > round(judgement.high)
    shown_below = latest is not None and round(scale.burden(latest)) < round(judgement.low)
    if status is SymptomStatus.AS_EXPECTED and shown_above:
        return "as_expected_early" if judgement.early else "as_expected_near"
    if status is SymptomStatus.IMPROVING and shown_above:
        return "improving_near"
    if status in (SymptomStatus.AS_EXPECTED, SymptomStatus.IMPROVING) and shown_below:
        return f"{status.value}_better"
    return status.value


def _value_of(scale: SymptomScale, burden: float) -> float:
    return scale.target - burden if scale.target is not None else burden


def _fmt_score(value: float | None) -> str:
    return "?" if value is None else f"{value:.0f}/10"


def _fmt_minutes(value: float | None) -> str:
    return "?" if value is None else f"{value:.0f} min"


__all__ = [
    "SYMPTOM_FIELDS",
    "Judgement",
    "Point",
    "Series",
    "judge",
    "series_of",
    "status_message",
    "status_message_key",
]
