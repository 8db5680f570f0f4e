"""Personalised recovery forecast per symptom: the population course updated with the patient's ratings.

Model, in burden units (the score itself; minutes short of the walking target; ODI points):

    burden(t) = a * (1 - exp(-t / tau)) + b * exp(-t / tau)

`b` is the pre-operative level, `a` the level the symptom settles at (`plateau * b` in courses.toml) and
`tau` how fast it gets there. The prior is the patient's own course (timeline.course_for_patient: the
published curve shifted by their modifiers, see courses.toml for every source): log tau is normal with
`log_tau_sd`, the plateau share normal with `plateau_sd`, the baseline is the patient's own rating (with one
rating's noise) or the typical baseline (with `baseline_sd`). Each rating is the true level plus normal noise
(`noise_sd`, half the MCID of ostelo-2008 [I]).

For a fixed tau the model is linear in (a, b), so the posterior given tau is exact (Bayesian linear
regression); tau itself is integrated over a grid of `grid_points` values across +/- `grid_span` prior sds.
The forecast of a rating on a future day is a mixture of normals over that grid; its 80% interval includes
the remaining uncertainty about the patient's curve and the roughness of a single rating, so it stays honest
with few data. `days_to_mild` is about the patient's underlying level (no rating noise).

This module builds each patient's prior and the ratings that update it; the one engine that turns them into
forecasts, for one patient or a whole cohort, is domain.forecast_batch.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nervetrack.domain.knowledge import ForecastScale, ForecastSettings, Knowledge, SymptomScale
from nervetrack.domain.model import PatientRecord
from nervetrack.domain.odi import score_odi
from nervetrack.domain.recurrence import Episode, RecurrenceSettings, fresh_episode
from nervetrack.domain.timeline import PatientCourse, course_for_patient
from nervetrack.domain.trajectory import series_of

ODI = "odi"


@dataclass(frozen=True)
class PlateauPrior:
    """One component of the prior of (a, b): normal with this mean and covariance, chosen with `weight`."""

    weight: float
    mean_a: float
    mean_b: float
    var_a: float
    cov_ab: float
    var_b: float


@dataclass(frozen=True)
class CoursePrior:
    """Prior of one patient's curve: log tau ~ N(log_tau, log_tau_sd); (a, b) a mixture of normals."""

    log_tau: float
    log_tau_sd: float
    components: tuple[PlateauPrior, ...]


def prior_for(
    course: PatientCourse,
    fscale: ForecastScale,
    baseline: float | None,
    typical: float,
    settings: ForecastSettings,
) -> CoursePrior:
    """Build the prior of one symptom from the patient's course and pre-operative burden (if known)."""
    b0 = typical if baseline is None else baseline
    vb = fscale.baseline_sd**2 if baseline is None else fscale.noise_sd**2
    stalled = settings.stalled_share if course.stalled_share is None else course.stalled_share
    stalled_plateau = settings.stalled_plateau if course.stalled_plateau is None else course.stalled_plateau
    shares = [(1.0 - stalled, course.plateau, course.plateau_sd)]
    if stalled > 0:
        shares.append((stalled, stalled_plateau, settings.stalled_plateau_sd))
    # a = plateau * b with independent plateau and b: exact first two moments of the product.
    components = tuple(
        PlateauPrior(w, p0 * b0, b0, p0 * p0 * vb + sp * sp * (b0 * b0 + vb), p0 * vb, vb) for w, p0, sp in shares
    )
    return CoursePrior(math.log(course.tau_days), course.log_tau_sd, components)


def grid_z(settings: ForecastSettings) -> list[float]:
    """Standardised tau grid: evenly spaced prior z-scores."""
    n, span = settings.grid_points, settings.grid_span
    return [-span + 2 * span * i / (n - 1) for i in range(n)]


# A horizon's "your rating" is the one nearest that day, if any came within this many days of it.
NEAREST_WITHIN_DAYS = 14


def horizon_state(day: int, today: int, own: Sequence[tuple[float, float]]) -> dict[str, Any]:
    """Whether a horizon after surgery is past on `today`, and then the patient's own rating nearest it."""
    if day > today:
        return {"past": False, "yours": None}
    near = [(abs(d - day), d, v) for d, v in own if abs(d - day) <= NEAREST_WITHIN_DAYS]
    if not near:
        return {"past": True, "yours": None}
    _gap, d, v = min(near)
    return {"past": True, "yours": {"day": int(d), "value": v}}


def episode_of(start_day: float, note: str | None) -> dict[str, Any] | None:
    """The fresh episode a forecast starts from, as the output reports it (None: from the surgery)."""
    if start_day <= 0:
        return None
    day = int(start_day)
    return {"from_day": day, "note": (note or "").format(day=day)}


@dataclass(frozen=True)
class ForecastInputs:
    """What one patient's forecast of one symptom is built from."""

    prior: CoursePrior
    points: list[tuple[float, float]]  # (days since start_day, burden)
    start_day: int  # 0, or the first day of a fresh episode
    today: int  # the assessment's day after surgery
    own: list[tuple[float, float]]  # (day after surgery, value in the symptom's own units)


def prior_for_record(knowledge: Knowledge, record: PatientRecord, symptom: str) -> ForecastInputs:
    """The prior of one symptom (or "odi") for one patient and the ratings that update it: the one place
    both the per-patient and the cohort path build them. After a return of the symptom beyond rating noise
    (recurrence.py) the prior starts again from the new level on the episode's first day."""
    settings = forecast_settings(knowledge)
    scale = knowledge.symptoms[symptom]
    course = course_for_patient(knowledge, record, symptom)
    baseline, points = burden_points(knowledge, record, symptom)
    typical = scale.burden(scale.typical_for(_group(knowledge, record)))
    episode = _episode(knowledge, symptom, points, baseline)
    own = [(d, b if scale.target is None else scale.target - b) for d, b in points]
    today = assessment_day(record)
    fscale = settings.scales[scale.scale]
    if episode is None:
        return ForecastInputs(prior_for(course, fscale, baseline, typical, settings), points, 0, today, own)
    shifted = [(d - episode.start_day, b) for d, b in points if d >= episode.start_day]
    prior = prior_for(episode_course(course, knowledge.recurrence), fscale, episode.level, typical, settings)
    return ForecastInputs(prior, shifted, episode.start_day, today, own)


def episode_course(course: PatientCourse, settings: RecurrenceSettings | None) -> PatientCourse:
    """The course of a fresh episode: the patient's own, slower and settling higher (courses.toml
    [recurrence])."""
    if settings is None:
        return course
    plateau = min(max(course.plateau + settings.plateau_shift, 0.0), 1.0)
    return dataclasses.replace(course, plateau=plateau, tau_days=course.tau_days * settings.tau_factor)


def _episode(
    knowledge: Knowledge, symptom: str, points: list[tuple[float, float]], baseline: float | None
) -> Episode | None:
    settings = knowledge.recurrence
    if settings is None or symptom not in settings.symptoms:
        return None
    return fresh_episode(points, baseline, settings)


def assessment_day(record: PatientRecord) -> int:
    """The day after surgery the record is assessed on: its as_of, else its latest check-in."""
    dates = [c.date for c in record.checkins]
    on = record.as_of or (max(dates) if dates else record.surgery.date)
    return (on - record.surgery.date).days


def burden_points(
    knowledge: Knowledge, record: PatientRecord, symptom: str
) -> tuple[float | None, list[tuple[float, float]]]:
    """The pre-operative burden (if known) and the post-operative (day, burden) ratings of a symptom."""
    scale: SymptomScale = knowledge.symptoms[symptom]
    if symptom == ODI:
        return None, _odi_points(knowledge, record)
    series = series_of(record, symptom)
    baseline = None if series.baseline is None else scale.burden(series.baseline)
    return baseline, [(float(p.day), scale.burden(p.value)) for p in series.points if p.day >= 0]


def _odi_points(knowledge: Knowledge, record: PatientRecord) -> list[tuple[float, float]]:
    points = []
    for checkin in record.ordered_checkins():
        if checkin.odi is None:
            continue
        score = score_odi(knowledge.odi, checkin.odi).score
        day = (checkin.date - record.surgery.date).days
        if score is not None and day >= 0:
            points.append((float(day), score))
    return points


def _group(knowledge: Knowledge, record: PatientRecord) -> str:
    return knowledge.procedures[record.surgery.procedure.value]["group"]


def forecast_settings(knowledge: Knowledge) -> ForecastSettings:
    """The knowledge base's [forecast] settings (ValueError when it has none)."""
    if knowledge.forecast is None:
        raise ValueError("the knowledge base has no [forecast] settings")
    return knowledge.forecast
