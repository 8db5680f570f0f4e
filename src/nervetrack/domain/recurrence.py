"""A symptom that comes back after relief: when the forecast must start again from the new level.

The population course only falls, so a patient whose leg pain returns at week 6 (a recurrent disc herniation
in 5-10% of discectomies, mostly within 3 months) would still be forecast on the old curve. After relief (a
level held on two check-ins in a row, clearly below the starting level), a rise well beyond the roughness of
a rating starts a fresh episode: confirmed on two check-ins in a row, or one large jump. The thresholds and
their sources are in courses.toml [recurrence].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Point = tuple[float, float]  # (day after surgery, burden)


@dataclass(frozen=True)
class RecurrenceSettings:
    symptoms: tuple[str, ...]
    from_day: int
    relief_points: float
    rise_points: float
    jump_points: float
    note: str
    sources: tuple[str, ...]
    # A returned symptom settles more slowly and less completely than the first time (the fresh episode's
    # course is the patient's, with its time constant multiplied and its plateau raised by these).
    tau_factor: float = 1.0
    plateau_shift: float = 0.0


@dataclass(frozen=True)
class Episode:
    """A fresh episode of a symptom: from `start_day` the forecast starts again at `level` (burden units)."""

    start_day: int
    level: float


def fresh_episode(points: Sequence[Point], baseline: float | None, settings: RecurrenceSettings) -> Episode | None:
    """The latest fresh episode in the (day, burden) ratings, or None when the first course still holds."""
    ordered = sorted(points)
    found: Episode | None = None
    start = 0
    while (episode := _next_episode(ordered, start, baseline, settings)) is not None:
        found, index = episode
        start = index  # the episode's own ratings, from its first, are its new history
        baseline = found.level
    return found


def _next_episode(
    points: Sequence[Point], start: int, baseline: float | None, settings: RecurrenceSettings
) -> tuple[Episode, int] | None:
    """The first return after relief among points[start:], with the index its episode starts at."""
    best: float | None = None
    reference = baseline
    for i in range(start, len(points)):
        day, value = points[i]
        if reference is None:
            reference = value
        relieved = best is not None and best <= reference - settings.relief_points
        if relieved and day >= settings.from_day and best is not None:
            rise = value - best
            confirmed = (
                i + 1 < len(points) and rise >= settings.rise_points and points[i + 1][1] - best >= settings.rise_points
            )
            if rise >= settings.jump_points or confirmed:
                level = value if not confirmed else (value + points[i + 1][1]) / 2
                return Episode(int(day), level), i
        if i > start:
            held = max(points[i - 1][1], value)  # a level counts once it holds on two check-ins in a row
            best = held if best is None else min(best, held)
    return None
