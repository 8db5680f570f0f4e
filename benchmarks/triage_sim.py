"""Simulated patients for judging the triage: on-course recoveries with realistic rating noise, and the same
patients with real events injected.

The recoveries deliberately do not come from the product's own course model (courses.toml's exponential
curve with a plateau): each symptom follows a power-law or a two-phase exponential curve whose plateau and
speed are drawn from beta and log-normal distributions centred on published figures:

- leg pain after discectomy 75 -> 15 of 100 at 3 months, median perceived recovery 4 weeks (Machado 2016,
  Peul 2007); after stenosis decompression anywhere from 5.7 -> 1.2 of 10 at two weeks (prospective cohort
  of 139) to 63 -> 33 of 100 at 3 months (Fritsch 2017); after fusion 70 -> 17 at 2 years (Koenders 2019);
- back pain improves less than leg pain, and after fusion slowly (64 -> 20 at 2 years, Koenders 2019);
- numbness 20% better at 6 weeks and improving to a year; tingling 24% at 6 weeks, level by 3 months
  (Huang 2014);
- weakness mostly recovered within 6 weeks to 3 months, a quarter recovering little (Ghahreman 2009,
  Viswanathan 2019);
- walking improving substantially within 6 months (art-walking; British Spine Registry).

Ratings are the true level plus normal noise (SD 0.8 or 1.0: the standard error of measurement of a 0-10
self-rating is 0.7-1.0 point), rounded to whole numbers and kept within 0-10. Pre-operative ratings carry
the same noise. Check-ins follow the schedule a clinic would ask for, with missed check-ins and blank
answers, normal post-operative temperatures and, in one patient in five, a temporary leg-pain flare.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

GROUPS = ("disc", "stenosis", "fusion")
PROCEDURES = {
    "disc": ("microdiscectomy", "discectomy"),
    "stenosis": ("laminectomy", "laminotomy", "foraminotomy"),
    "fusion": ("fusion",),
}
APPROACHES = {
    "disc": (("open", 0.55), ("minimally_invasive", 0.35), ("endoscopic", 0.10)),
    "stenosis": (("open", 0.6), ("minimally_invasive", 0.4)),
    "fusion": (("open", 0.75), ("minimally_invasive", 0.25)),
}
# Ages, diabetes and smoking by group, as in the surgical cohorts (SPORT: disc herniation mean age about 41,
# stenosis about 65; diabetes in about 1 in 12 disc and 1 in 5 stenosis patients).
AGES = {"disc": (25, 70, 43.0, 11.0), "stenosis": (45, 85, 67.0, 9.0), "fusion": (30, 85, 60.0, 11.0)}
DIABETES = {"disc": 0.08, "stenosis": 0.20, "fusion": 0.17}
SMOKING = {"disc": 0.25, "stenosis": 0.15, "fusion": 0.20}
AGE_BANDS = ((25, 44, "25-44"), (45, 64, "45-64"), (65, 74, "65-74"), (75, 85, "75-85"))

SCORES = ("leg_pain", "back_pain", "numbness", "tingling", "weakness")
SIGNS = (
    "chills",
    "bladder_problem",
    "bowel_problem",
    "saddle_numbness",
    "sudden_weakness",
    "wound_redness",
    "wound_drainage",
    "calf_pain_swelling",
    "chest_pain_or_breathlessness",
    "headache_when_upright",
)
WEEKS = 26
SURGERY = dt.date(2026, 1, 5)


def schedule() -> list[int]:
    """Days of the asked-for check-ins: daily in week 1, twice a week to week 2, weekly to 3 months,
    fortnightly to 6 months."""
    return [*range(1, 8), 10, 14, *range(21, 92, 7), *range(105, WEEKS * 7 + 1, 14)]


@dataclass(frozen=True)
class Shape:
    """A symptom's remaining share of its pre-operative level: plateau (beta mean, concentration) and the
    day by which half the recoverable part is gone (median, log spread)."""

    plateau: float
    concentration: float
    half_days: float
    log_spread: float
    stalled_share: float = 0.0  # share recovering little (plateau 0.75-1.0)


SHAPES: dict[tuple[str, str], Shape] = {
    ("leg_pain", "disc"): Shape(0.18, 8, 14, 0.6),
    ("leg_pain", "stenosis"): Shape(0.28, 8, 21, 0.9),
    ("leg_pain", "fusion"): Shape(0.24, 8, 30, 0.6),
    ("back_pain", "disc"): Shape(0.40, 8, 21, 0.6),
    ("back_pain", "stenosis"): Shape(0.42, 8, 30, 0.7),
    ("back_pain", "fusion"): Shape(0.33, 8, 50, 0.6),
    ("numbness", "disc"): Shape(0.35, 6, 70, 0.7),
    ("numbness", "stenosis"): Shape(0.36, 6, 60, 0.9),
    ("numbness", "fusion"): Shape(0.38, 6, 90, 0.7),
    ("tingling", "disc"): Shape(0.50, 6, 25, 0.6),
    ("tingling", "stenosis"): Shape(0.50, 6, 28, 0.6),
    ("tingling", "fusion"): Shape(0.52, 6, 35, 0.6),
    ("weakness", "disc"): Shape(0.15, 6, 14, 0.8, stalled_share=0.22),
    ("weakness", "stenosis"): Shape(0.18, 6, 18, 0.8, stalled_share=0.25),
    ("weakness", "fusion"): Shape(0.18, 6, 25, 0.8, stalled_share=0.25),
    ("walking", "disc"): Shape(0.15, 6, 21, 0.6),
    ("walking", "stenosis"): Shape(0.25, 6, 35, 0.7, stalled_share=0.15),
    ("walking", "fusion"): Shape(0.25, 6, 45, 0.6),
    ("odi", "disc"): Shape(0.25, 8, 21, 0.6),
    ("odi", "stenosis"): Shape(0.40, 8, 30, 0.6),
    ("odi", "fusion"): Shape(0.38, 8, 45, 0.6),
}


@dataclass(frozen=True)
class Curve:
    """One patient's true remaining share over time: power law or two-phase exponential."""

    plateau: float
    half_days: float
    family: str
    alpha: float = 1.2
    fast_weight: float = 0.7

    def remaining(self, day: float) -> float:
        t = max(day, 0.0)
        if self.family == "power":
            # (1 + t/s)^-alpha reaches 1/2 at t = half_days
            s = self.half_days / (2 ** (1 / self.alpha) - 1)
            decay = (1 + t / s) ** -self.alpha
        else:
            # fast and slow phases; the slow one four times slower; half reached near half_days
            tau = self.half_days / math.log(2) / (self.fast_weight + (1 - self.fast_weight) * 4) * 1.6
            decay = self.fast_weight * math.exp(-t / tau) + (1 - self.fast_weight) * math.exp(-t / (4 * tau))
        return self.plateau + (1 - self.plateau) * decay


def draw_curve(
    rng: np.random.Generator, shape: Shape, slow_factor: float, plateau_shift: float, stalled_share: float | None = None
) -> Curve:
    if rng.random() < (shape.stalled_share if stalled_share is None else stalled_share):
        plateau = float(rng.uniform(0.75, 1.0))
    else:
        a = shape.plateau * shape.concentration
        plateau = float(rng.beta(a, shape.concentration - a))
    plateau = min(1.0, plateau + plateau_shift)
    half = shape.half_days * slow_factor * math.exp(float(rng.normal(0, shape.log_spread)))
    family = "power" if rng.random() < 0.5 else "two_phase"
    return Curve(plateau, half, family, float(rng.uniform(0.8, 1.6)), float(rng.uniform(0.55, 0.85)))


@dataclass
class SimPatient:
    """A simulated patient: profile, true pre-operative levels, true curves, and injected changes."""

    pid: str
    group: str
    procedure: str
    approach: str
    age: int
    diabetes: bool
    smoker: bool
    duration_weeks: float
    true_baseline: dict[str, float]
    curves: dict[str, Curve]
    flare: tuple[int, int, float] | None  # start day, length, height (leg pain points)
    # injected events: extra true level by symptom as a function of day, and signs on given days
    extra: dict[str, Callable[[int], float]] = field(default_factory=dict)
    signs_on: dict[int, dict[str, Any]] = field(default_factory=dict)
    dural_tear: bool = False

    @property
    def age_band(self) -> str:
        return next(label for low, high, label in AGE_BANDS if low <= self.age <= high)

    def true_level(self, symptom: str, day: int) -> float:
        base = self.true_baseline[symptom]
        if symptom == "walking":
            goal = self.true_baseline["walking_goal"]
            level = goal - (goal - base) * self.curves[symptom].remaining(day)
        else:
            level = base * self.curves[symptom].remaining(day)
        if symptom == "back_pain":
            # wound pain in the first days, larger after fusion
            level += (2.5 if self.group == "fusion" else 1.2) * math.exp(-day / 4)
        if symptom == "leg_pain" and self.flare is not None:
            start, length, height = self.flare
            if start <= day < start + length:
                level += height * math.sin(math.pi * (day - start) / length)
        if symptom in self.extra:
            level += self.extra[symptom](day)
        top = 1440.0 if symptom == "walking" else 100.0 if symptom == "odi" else 10.0
        return min(max(level, 0.0), top)


def draw_patient(rng: np.random.Generator, group: str, index: int) -> SimPatient:
    low, high, mean, sd = AGES[group]
    age = int(np.clip(round(rng.normal(mean, sd)), low, high))
    diabetes = bool(rng.random() < DIABETES[group] * (1.5 if age >= 65 else 0.8))
    smoker = bool(rng.random() < SMOKING[group])
    approaches, weights = zip(*APPROACHES[group], strict=True)
    approach = str(rng.choice(approaches, p=np.array(weights)))
    procedure = str(rng.choice(PROCEDURES[group]))
    duration = float(rng.choice([6, 10, 16, 26, 40, 60, 104], p=[0.15, 0.2, 0.2, 0.15, 0.12, 0.1, 0.08]))
    baseline = {
        "leg_pain": float(np.clip(rng.normal(7.0, 1.5), 2, 10)),
        "back_pain": float(np.clip(rng.normal(6.5 if group == "fusion" else 5.0, 2.0), 0, 10)),
        "numbness": float(np.clip(rng.normal(4.5, 2.5), 0, 10)) if rng.random() < 0.8 else 0.0,
        "tingling": float(np.clip(rng.normal(4.0, 2.5), 0, 10)) if rng.random() < 0.75 else 0.0,
        "weakness": float(np.clip(rng.normal(4.0, 2.0), 1, 9)) if rng.random() < 0.5 else float(rng.uniform(0, 1.5)),
        "walking": float(np.clip(rng.lognormal(math.log(8 if group == "stenosis" else 12), 0.6), 1, 120)),
        "odi": float(np.clip(rng.normal({"disc": 52, "stenosis": 40, "fusion": 46}[group], 13), 10, 90)),
    }
    baseline["walking_goal"] = float(np.clip(rng.lognormal(math.log(45), 0.4), 20, 180))
    slow = (1.4 if diabetes else 1.0) * (1.3 if age >= 75 else 1.0) * (1.15 if smoker else 1.0)
    shift = (0.08 if diabetes else 0.0) + (0.04 if duration >= 52 else 0.0)
    curves = {
        symptom: draw_curve(
            rng, SHAPES[(symptom, group)], slow, shift if symptom != "odi" else shift / 2, _stalled(symptom, baseline)
        )
        for symptom in (*SCORES, "walking", "odi")
    }
    flare = None
    if rng.random() < 0.2:
        flare = (int(rng.integers(5, 43)), int(rng.integers(5, 22)), float(rng.uniform(1.5, 3.5)))
    return SimPatient(
        pid=f"{group}-{index}",
        group=group,
        procedure=procedure,
        approach=approach,
        age=age,
        diabetes=diabetes,
        smoker=smoker,
        duration_weeks=duration,
        true_baseline=baseline,
        curves=curves,
        flare=flare,
    )


def _stalled(symptom: str, baseline: dict[str, float]) -> float | None:
    """Weakness recovers little more often after a severe deficit: persistent weakness in 16% after a mild and
    39% after a severe one (Postacchini 2002), no recovery at a year in 31% of MRC 3 or worse (Viswanathan
    2019)."""
    if symptom != "weakness":
        return None
    level = baseline["weakness"]
    return 0.15 if level <= 4 else 0.35 if level >= 6 else 0.25


@dataclass(frozen=True)
class Noise:
    """How the patient reports: rating noise, missed check-ins and blank answers."""

    rating_sd: float = 0.8
    missed: float = 0.10
    blank: float = 0.10
    walking_log_sd: float = 0.25
    odi_item_sd: float = 0.7


def rate(rng: np.random.Generator, level: float, sd: float) -> int:
    return int(np.clip(round(level + rng.normal(0, sd)), 0, 10))


def baseline_ratings(rng: np.random.Generator, patient: SimPatient, noise: Noise) -> dict[str, Any]:
    ratings: dict[str, Any] = {s: rate(rng, patient.true_baseline[s], noise.rating_sd) for s in SCORES}
    ratings["walking_minutes"] = _minutes(rng, patient.true_baseline["walking"], noise)
    return ratings


def _minutes(rng: np.random.Generator, level: float, noise: Noise) -> float:
    value = level * math.exp(float(rng.normal(0, noise.walking_log_sd)))
    # people answer in round numbers
    return float(max(0, round(value / 5) * 5 if value >= 10 else round(value)))


def _temperature(rng: np.random.Generator, day: int) -> float | None:
    measured = rng.random() < (0.6 if day <= 7 else 0.15)
    if not measured:
        return None
    if day <= 2:
        return round(float(min(rng.normal(37.4, 0.3), 38.0)), 1)
    return round(float(min(rng.normal(36.8, 0.25), 37.5)), 1)


def _odi(rng: np.random.Generator, level: float, noise: Noise) -> list[int | None]:
    item = level / 20.0
    return [int(np.clip(round(item + rng.normal(0, noise.odi_item_sd)), 0, 5)) for _ in range(10)]


ODI_DAYS = (42, 91, 175)


def checkins_for(
    rng: np.random.Generator, patient: SimPatient, noise: Noise, days: Sequence[int] | None = None
) -> list[dict[str, Any]]:
    """The patient's check-ins as input-contract dictionaries, in date order."""
    days = list(days if days is not None else schedule())
    entries = []
    odi_due = list(ODI_DAYS)
    for day in days:
        forced = patient.signs_on.get(day)
        if forced is None and rng.random() < noise.missed:
            continue
        entry: dict[str, Any] = {"date": (SURGERY + dt.timedelta(days=day)).isoformat()}
        for symptom in SCORES:
            if rng.random() >= noise.blank:
                entry[symptom] = rate(rng, patient.true_level(symptom, day), noise.rating_sd)
        if rng.random() >= noise.blank:
            entry["walking_minutes"] = _minutes(rng, patient.true_level("walking", day), noise)
        for sign in SIGNS:
            entry[sign] = None if rng.random() < noise.blank else False
        temperature = _temperature(rng, day)
        if temperature is not None:
            entry["temperature_c"] = temperature
        due = next((d for d in odi_due if d <= day <= d + 7), None)
        if due is not None:
            odi_due.remove(due)
            entry["odi"] = _odi(rng, patient.true_level("odi", day), noise)
        if forced:
            entry.update(forced)
        entries.append(entry)
    return entries


def record_for(patient: SimPatient, baseline: dict[str, Any], checkins: list[dict[str, Any]]) -> dict[str, Any]:
    """The input-contract record of a simulated patient."""
    surgery: dict[str, Any] = {
        "date": SURGERY.isoformat(),
        "procedure": patient.procedure,
        "approach": patient.approach,
        "levels": ["L4-L5"],
        "symptom_duration_weeks": patient.duration_weeks,
    }
    return {
        "patient": {
            "id": patient.pid,
            "birth_year": SURGERY.year - patient.age,
            "diabetes": patient.diabetes,
            "smoker": patient.smoker,
        },
        "surgery": surgery,
        "baseline": baseline,
        "checkins": checkins,
    }


def with_extra(patient: SimPatient, symptom: str, bump: Callable[[int], float]) -> SimPatient:
    return dataclasses.replace(patient, extra={**patient.extra, symptom: bump})


def step(start: int, height: float, ramp_days: int = 1) -> Callable[[int], float]:
    """A rise of `height` from day `start`, reached over `ramp_days`, that stays."""

    def bump(day: int) -> float:
        if day < start:
            return 0.0
        return height * min(1.0, (day - start + 1) / max(ramp_days, 1))

    return bump
