"""Checks of the recovery forecast: published group means, and calibration on simulated patients.

Used by benchmarks/validation.py (which writes docs/validation.md's numbers and figure) and by the tests.
The simulated patients deliberately do NOT follow the forecast's own model: their curves are power-law or
two-phase exponential, their plateau and time scale come from beta and gamma distributions (8% with a
plateau near their starting level, as in lequin-2013), their noise is Student-t (4 degrees of freedom) and
their ratings are rounded to whole numbers and kept within 0-10.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from nervetrack.domain.forecast import CoursePrior, prior_for
from nervetrack.domain.forecast_batch import Array, CohortBatch, batch_from, forecast_cohort
from nervetrack.domain.knowledge import Knowledge
from nervetrack.domain.timeline import PatientCourse

SIM_SYMPTOMS = ("leg_pain", "back_pain", "numbness", "tingling", "weakness")
SIM_GROUPS = ("disc", "stenosis", "fusion")
CHECKIN_DAYS = (7, 14, 28, 42, 56)
EVAL_DAYS = {"3m": 91, "6m": 182, "12m": 365}
STALLED_SHARE = 0.08


def population_course(knowledge: Knowledge, symptom: str, group: str) -> PatientCourse:
    """The unmodified population course of a symptom after a procedure group."""
    c = knowledge.courses[(symptom, group)]
    return PatientCourse(
        c.symptom, c.plateau, c.plateau_sd, c.tau_days, c.log_tau_sd, (), c.sources, c.stalled_share, c.stalled_plateau
    )


# ---- published group means ------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    label: str
    source: str
    symptom: str
    group: str
    day: int
    baseline: float
    value: float
    held_out: bool
    kind: str = "level"  # "level": same scale as baseline; "improved_pct": % improvement from baseline


PUBLISHED: tuple[Published, ...] = (
    Published("Leg pain 0-100, 3 months", "machado-2016", "leg_pain", "disc", 91, 75.2, 15.3, False),
    Published("Leg pain 0-100, 5 years", "machado-2016", "leg_pain", "disc", 1826, 75.2, 21.0, False),
    Published("Disability 0-100, 3 months", "machado-2016", "odi", "disc", 91, 55.1, 15.5, False),
    Published("Disability 0-100, 5 years", "machado-2016", "odi", "disc", 1826, 55.1, 13.1, False),
    # Fritsch's pooled "pain" does not say leg or back: shown against the leg-pain course, not fitted to it.
    Published("Pain (site not given) 0-100, 3 months", "fritsch-2017", "leg_pain", "stenosis", 91, 63.4, 33.1, True),
    Published("Pain (site not given) 0-100, 5 years", "fritsch-2017", "leg_pain", "stenosis", 1826, 63.4, 19.2, True),
    Published("Disability 0-100, 3 months", "fritsch-2017", "odi", "stenosis", 91, 36.9, 16.3, False),
    Published("Disability 0-100, 5 years", "fritsch-2017", "odi", "stenosis", 1826, 36.9, 12.4, False),
    Published("Back pain 0-100, 24 months", "koenders-2019", "back_pain", "fusion", 730, 64.0, 20.0, False),
    Published("Leg pain 0-100, 24 months", "koenders-2019", "leg_pain", "fusion", 730, 70.0, 17.0, False),
    Published("ODI, 24 months", "koenders-2019", "odi", "fusion", 730, 44.8, 17.3, False),
    Published("Numbness % improved, 6 weeks", "huang-2014", "numbness", "disc", 42, 100, 20.5, False, "improved_pct"),
    Published(
        "Paresthesia % improved, 6 weeks", "huang-2014", "tingling", "disc", 42, 100, 24.0, False, "improved_pct"
    ),
    Published("Numbness 0-10, 12 months", "stenosis-numbness-2017", "numbness", "stenosis", 365, 5.9, 2.1, False),
    Published("Ankle weakness (5 - MRC power), 6 weeks", "ghahreman-2009", "weakness", "disc", 42, 3.2, 1.8, False),
    Published("Ankle weakness (5 - MRC power), 24 months", "ghahreman-2009", "weakness", "disc", 730, 3.2, 1.5, False),
    # Now inside the fit of the stenosis courses (cohorts.csv OBA2017); section 1b holds it out.
    Published(
        "Leg pain 0-10, 2 weeks (stenosis, n=139)",
        "stenosis-numbness-2017",
        "leg_pain",
        "stenosis",
        14,
        5.7,
        1.2,
        False,
    ),
    Published(
        "Leg pain 0-10, 12 months (stenosis, n=139)",
        "stenosis-numbness-2017",
        "leg_pain",
        "stenosis",
        365,
        5.7,
        1.4,
        False,
    ),
    Published(
        "Numbness 0-10, 2 weeks (stenosis, n=139)",
        "stenosis-numbness-2017",
        "numbness",
        "stenosis",
        14,
        5.9,
        1.8,
        False,
    ),
    # Held out: whole-body pain-drawing "pain", not leg pain, so never fitted.
    Published("Pain % improved, 6 weeks", "huang-2014", "leg_pain", "disc", 42, 100, 55.3, True, "improved_pct"),
)


def model_value(knowledge: Knowledge, item: Published) -> float:
    """What the population course says for a published time point, on the publication's scale. Where a
    course is the recovering majority with its own stalled share (weakness), the group mean mixes the two."""
    course = population_course(knowledge, item.symptom, item.group)
    remaining = course.remaining(item.day)
    if course.stalled_share is not None and knowledge.forecast is not None:
        stalled = course.stalled_plateau if course.stalled_plateau is not None else knowledge.forecast.stalled_plateau
        slow = dataclasses.replace(course, plateau=stalled).remaining(item.day)
        remaining = (1.0 - course.stalled_share) * remaining + course.stalled_share * slow
    if item.kind == "improved_pct":
        return 100.0 * (1.0 - remaining)
    return item.baseline * remaining


# ---- simulated cohort -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SimCohort:
    """Simulated patients: priors, check-in ratings (N, 5), baseline ratings and later ratings (N, 3)."""

    symptom: list[str]
    group: list[str]
    priors: list[CoursePrior]
    courses: list[PatientCourse]
    baseline: Array
    checkin_days: Array
    checkins: Array
    eval_days: tuple[int, ...]
    later: Array


def _remaining_shape(t: Array, tau: Array, family: Array) -> Array:
    """Share of the removable burden left: power law (family 0) or two-phase exponential (family 1)."""
    power = (1.0 + t / (tau * math.log(2) / (math.sqrt(2) - 1))) ** -2.0
    two_phase = 0.6 * np.exp(-t / (0.5 * tau)) + 0.4 * np.exp(-t / (2.5 * tau))
    return np.where(family == 0, power, two_phase)


def simulate_cohort(knowledge: Knowledge, n: int, seed: int) -> SimCohort:
    """Draw `n` patients from a recovery process that is not the forecast's model."""
    rng = np.random.default_rng(seed)
    symptom = [SIM_SYMPTOMS[i] for i in rng.integers(len(SIM_SYMPTOMS), size=n)]
    group = [SIM_GROUPS[i] for i in rng.integers(len(SIM_GROUPS), size=n)]
    courses = [population_course(knowledge, s, g) for s, g in zip(symptom, group, strict=True)]
    p0 = np.array([c.plateau for c in courses])
    sp = np.array([c.plateau_sd for c in courses])
    tau0 = np.array([c.tau_days for c in courses])
    lsd = np.array([c.log_tau_sd for c in courses])
    # Plateau share from a beta distribution with the course's mean and sd.
    conc = p0 * (1 - p0) / sp**2 - 1
    plateau = rng.beta(p0 * conc, (1 - p0) * conc)
    # About 8% never recover (lequin-2013), more where a course gives its own rate (weakness: 13-31% in the
    # foot-drop series): their plateau is most of the pre-operative level.
    share = np.array([STALLED_SHARE if c.stalled_share is None else c.stalled_share for c in courses])
    stalled = rng.random(n) < share
    plateau = np.where(stalled, rng.beta(8.0, 2.0, size=n), plateau)
    # Time scale from a gamma distribution with the course's median and a similar spread.
    shape = 1.0 / lsd**2
    tau = rng.gamma(shape, 1.0, size=n) / (shape - 1 / 3) * tau0
    typical = np.array([knowledge.symptoms[s].typical_baseline for s in symptom])
    level0 = np.clip(rng.normal(typical + 0.5, 1.5), 2.0, 10.0)
    family = rng.integers(2, size=n).astype(np.float64)

    def true(day: Array) -> Array:
        shape_left = _remaining_shape(day, tau[:, None], family[:, None])
        return level0[:, None] * (plateau[:, None] + (1 - plateau[:, None]) * shape_left)

    def rate(level: Array) -> Array:
        noisy = level + 0.8 * rng.standard_t(4, size=level.shape)
        return np.clip(np.round(noisy), 0.0, 10.0)

    jitter = rng.integers(-2, 3, size=(n, len(CHECKIN_DAYS)))
    checkin_days = np.maximum(np.array(CHECKIN_DAYS)[None, :] + jitter, 1).astype(np.float64)
    eval_days = tuple(EVAL_DAYS.values())
    baseline = rate(level0[:, None])[:, 0]
    assert knowledge.forecast is not None
    settings, fscale = knowledge.forecast, knowledge.forecast.scales["0-10"]
    priors = [prior_for(c, fscale, float(b), 0.0, settings) for c, b in zip(courses, baseline, strict=True)]
    return SimCohort(
        symptom=symptom,
        group=group,
        priors=priors,
        courses=courses,
        baseline=baseline,
        checkin_days=checkin_days,
        checkins=rate(true(checkin_days)),
        eval_days=eval_days,
        later=rate(true(np.array(eval_days, dtype=np.float64)[None, :].repeat(n, axis=0))),
    )


def batch_for(sim: SimCohort, k: int) -> CohortBatch:
    """The cohort arrays holding each simulated patient's first k check-ins."""
    points = [
        list(zip(days[:k].tolist(), values[:k].tolist(), strict=True))
        for days, values in zip(sim.checkin_days, sim.checkins, strict=True)
    ]
    return batch_from(sim.priors, points)


@dataclass(frozen=True)
class Calibration:
    k: int
    coverage: dict[str, float]
    mae_forecast: dict[str, float]
    mae_population: dict[str, float]
    mae_last_value: dict[str, float]
    mean_width: dict[str, float]
    p_moderate_mean: float
    moderate_observed: float
    brier: float


def calibrate(knowledge: Knowledge, sim: SimCohort, k: int) -> Calibration:
    """Coverage of the 80% intervals and mean absolute errors when forecasting from the first k check-ins."""
    assert knowledge.forecast is not None
    settings = knowledge.forecast
    horizons = dict(settings.horizons) | EVAL_DAYS
    settings = type(settings)(**(settings.__dict__ | {"horizons": horizons}))
    result = forecast_cohort(batch_for(sim, k), settings, settings.scales["0-10"])
    names = list(horizons)
    last = sim.checkins[:, k - 1] if k else sim.baseline
    cov, mae_f, mae_p, mae_l, width = {}, {}, {}, {}, {}
    for j, (name, day) in enumerate(EVAL_DAYS.items()):
        h = names.index(name)
        observed = sim.later[:, j]
        mid, low, high = result.expected[:, h, 0], result.expected[:, h, 1], result.expected[:, h, 2]
        population = np.array([b * c.remaining(day) for b, c in zip(sim.baseline, sim.courses, strict=True)])
        cov[name] = float(np.mean((observed >= low - 1e-9) & (observed <= high + 1e-9)))
        mae_f[name] = float(np.mean(np.abs(mid - observed)))
        mae_p[name] = float(np.mean(np.abs(population - observed)))
        mae_l[name] = float(np.mean(np.abs(last - observed)))
        width[name] = float(np.mean(high - low))
    moderate = (sim.later[:, list(EVAL_DAYS).index("12m")] >= 4).astype(np.float64)
    p = result.p_moderate_12m
    return Calibration(
        k, cov, mae_f, mae_p, mae_l, width, float(p.mean()), float(moderate.mean()), float(np.mean((p - moderate) ** 2))
    )


# ---- simulated recurrences ------------------------------------------------------------------------


@dataclass(frozen=True)
class RecurrenceCalibration:
    """Forecasts after a simulated recurrence, with the fresh episode (domain.recurrence) and without it."""

    patients: int
    detected: float  # share of recurrences the episode rule found by the forecast day
    horizons: tuple[int, ...]  # days after the forecast day
    coverage: dict[str, tuple[float, float]]  # horizon -> (with episode, without)
    mae: dict[str, tuple[float, float]]


def recurrence_calibration(knowledge: Knowledge, n: int, seed: int) -> RecurrenceCalibration:
    """Leg pain that settles and then returns (a recurrent herniation) between days 35 and 70, rated weekly
    with the same noise as simulate_cohort; forecast three weeks after the return, checked 1 and 3 months on."""
    from nervetrack.domain.forecast import episode_course
    from nervetrack.domain.forecast_batch import rating_bands
    from nervetrack.domain.recurrence import fresh_episode

    assert knowledge.forecast is not None and knowledge.recurrence is not None
    settings, fscale = knowledge.forecast, knowledge.forecast.scales["0-10"]
    rng = np.random.default_rng(seed)
    horizons = (30, 91)
    hits, covered, errors = 0, {h: [0, 0] for h in horizons}, {h: [0.0, 0.0] for h in horizons}
    for _ in range(n):
        group = SIM_GROUPS[int(rng.integers(len(SIM_GROUPS)))]
        course = population_course(knowledge, "leg_pain", group)
        level0 = float(np.clip(rng.normal(7.5, 1.2), 4.0, 10.0))
        plateau = float(rng.beta(2.0, 8.0))
        tau = float(course.tau_days * math.exp(0.5 * rng.standard_normal()))
        onset = float(rng.uniform(35, 70))
        back = level0 * float(rng.uniform(0.7, 1.0))  # the returned level, near the pre-operative one
        # A recurrent herniation's pain lasts until it settles again or is treated: weeks to months [I].
        plateau2, tau2 = float(rng.beta(3.0, 4.0)), float(60.0 * math.exp(0.5 * rng.standard_normal()))

        shape = (level0, plateau, tau, onset, back, plateau2, tau2)

        def rate(day: float, shape: tuple[float, ...] = shape) -> float:
            return float(np.clip(round(_recurring_level(day, shape) + 0.8 * rng.standard_t(4)), 0, 10))

        today = onset + 21
        points = [(float(d), rate(d)) for d in range(7, int(today) + 1, 7)]
        baseline = rate(0.0)
        prior = prior_for(course, fscale, baseline, 0.0, settings)
        plain = batch_from([prior], [points])
        episode = fresh_episode(points, baseline, knowledge.recurrence)
        followed = plain
        if episode is not None:
            hits += 1
            shifted = [(d - episode.start_day, v) for d, v in points if d >= episode.start_day]
            again = prior_for(episode_course(course, knowledge.recurrence), fscale, episode.level, 0.0, settings)
            followed = batch_from([again], [shifted], [episode.start_day])
        days = [today + h for h in horizons]
        bands = [rating_bands(b, settings, fscale, days)[0] for b in (followed, plain)]
        for j, h in enumerate(horizons):
            observed = rate(today + h)
            for i, band in enumerate(bands):
                mid, low, high = band[j]
                covered[h][i] += int(low - 1e-9 <= observed <= high + 1e-9)
                errors[h][i] += abs(mid - observed)
    return RecurrenceCalibration(
        patients=n,
        detected=hits / n,
        horizons=horizons,
        coverage={f"+{h}d": (covered[h][0] / n, covered[h][1] / n) for h in horizons},
        mae={f"+{h}d": (errors[h][0] / n, errors[h][1] / n) for h in horizons},
    )


def _recurring_level(day: float, shape: tuple[float, ...]) -> float:
    """The true level of a symptom that settles, then returns on day `onset` and settles again."""
    level0, plateau, tau, onset, back, plateau2, tau2 = shape
    if day < onset:
        return level0 * (plateau + (1 - plateau) * math.exp(-day / tau))
    return back * (plateau2 + (1 - plateau2) * math.exp(-(day - onset) / tau2))
