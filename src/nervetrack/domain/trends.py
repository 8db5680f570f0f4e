"""Robust readings of a noisy rating series: the typical earlier level and changes that are sustained.

A 0-10 self-rating strays by about a point from one day to the next with nothing changing (standard error of
measurement 0.7-1.0 point, smallest detectable change 2-3 points or more: parai-2020, ostelo-2008). So the
trend rules compare the latest ratings with the median of the ratings just before them, never with the single
best or worst one (the lowest of many noisy ratings sits well below the true level), and a change counts as
sustained when each of the last `k` ratings shows it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from nervetrack.domain.trajectory import Point, Series


def shown(value: float) -> str:
    """A rating or reference as text: whole numbers without a decimal, a median between two as 2.5."""
    return f"{round(value, 1):g}"


def median(values: Sequence[float]) -> float:
    """The middle value; with an even count the mean of the two middle ones (with two ratings, their mean:
    the lower of two noisy ratings sits below the true level)."""
    ordered = sorted(values)
    half = len(ordered) // 2
    return ordered[half] if len(ordered) % 2 else (ordered[half - 1] + ordered[half]) / 2


def median_low(values: Sequence[float]) -> float:
    """The middle value; with an even count the lower of the two middle ones."""
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


@dataclass(frozen=True)
class Change:
    """The last `k` ratings against the typical level just before them."""

    reference: float
    reference_text: str  # "before surgery", "on day 12", "from day 5"
    level: float  # the lowest of the last k ratings: each of them is at least this high
    latest: Point
    k: int

    @property
    def rise(self) -> float:
        return self.level - self.reference


def change(
    series: Series,
    k: int = 1,
    *,
    pool: int = 3,
    within_days: float | None = None,
    baseline_until: float | None = None,
    fallback_previous: bool = False,
) -> Change | None:
    """How far the last `k` ratings sit above the median of up to `pool` ratings before them.

    Earlier ratings count only within `within_days` of the first of the last k. With `fallback_previous` the
    rating just before the last k stands in when none is recent enough (a long gap must not hide a change).
    The pre-operative score is the reference only when no rating since surgery is (surgery changes the level
    at once, so the two are never pooled): while the latest rating is at most `baseline_until` days after
    surgery, or with `fallback_previous` at any time before the first rating. None without a reference.
    """
    points = series.points
    if len(points) < k:
        return None
    last = points[-k:]
    first_day = last[0].day
    earlier = [p for p in points[:-k] if within_days is None or first_day - p.day <= within_days][-pool:]
    if not earlier and fallback_previous and len(points) > k:
        earlier = [points[-k - 1]]
    if earlier:
        return Change(median([p.value for p in earlier]), _describe(earlier), min(p.value for p in last), last[-1], k)
    recent_enough = baseline_until is not None and last[-1].day <= baseline_until
    first_rating = fallback_previous and len(points) == k
    if series.baseline is None or not (recent_enough or first_rating):
        return None
    return Change(series.baseline, "before surgery", min(p.value for p in last), last[-1], k)


def _describe(earlier: Sequence[Point]) -> str:
    return f"on day {earlier[0].day}" if len(earlier) == 1 else f"from day {earlier[0].day}"


def current_level(series: Series, k: int = 2, within_days: float = 28) -> float | None:
    """The patient's present level: the median of the last `k` ratings within `within_days` of the latest
    (with two ratings the better one, so one bad day does not set it)."""
    latest = series.latest
    if latest is None:
        return None
    recent = [p.value for p in series.points[-k:] if latest.day - p.day <= within_days]
    return median_low(recent)


def held_best(series: Series, *, from_day: int = 0, higher_is_better: bool = False) -> float | None:
    """The best level the patient held on two check-ins in a row (one good rating can be a good day):
    the lowest of the pairwise worse values, or for a scale where more is better the highest of the pairwise
    smaller values. None with fewer than two ratings from `from_day`."""
    values = [p.value for p in series.points if p.day >= from_day]
    if len(values) < 2:
        return None
    pairs = list(itertools.pairwise(values))
    if higher_is_better:
        return max(min(a, b) for a, b in pairs)
    return min(max(a, b) for a, b in pairs)


def without_last(series: Series, k: int) -> Series:
    """The series without its last `k` ratings (what was known before them)."""
    return Series(series.symptom, series.baseline, series.points[: max(len(series.points) - k, 0)])


@dataclass(frozen=True)
class Progression:
    """A straight line through the last ratings: how much it rose from the first to the last of them."""

    rise: float
    first: Point
    latest: Point
    n: int


def progression(series: Series, *, min_ratings: int, within_days: float) -> Progression | None:
    """The least-squares line through every rating within `within_days` of the latest (at least
    `min_ratings` of them): a slow, steady worsening that no single step shows. Fitting all of them averages
    the noise of each (with four weekly ratings of SD 0.8 the fitted rise strays by about 1 point)."""
    latest = series.latest
    if latest is None:
        return None
    window = [p for p in series.points if latest.day - p.day <= within_days]
    if len(window) < min_ratings or window[-1].day == window[0].day:
        return None
    mean_day = sum(p.day for p in window) / len(window)
    mean_value = sum(p.value for p in window) / len(window)
    spread = sum((p.day - mean_day) ** 2 for p in window)
    slope = sum((p.day - mean_day) * (p.value - mean_value) for p in window) / spread
    return Progression(slope * (window[-1].day - window[0].day), window[0], latest, len(window))


def without_baseline(series: Series) -> Series:
    """The series without its pre-operative score."""
    return Series(series.symptom, None, series.points)
