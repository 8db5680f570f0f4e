"""Axonal regrowth arithmetic: about 1 mm a day, quoted up to 3 (nerve-regeneration-rates, art-nerve-timeline)."""

from __future__ import annotations

from dataclasses import dataclass

from nervetrack.domain.errors import InvalidInput, Problem
from nervetrack.domain.knowledge import Regrowth

MAX_DISTANCE_CM = 150.0


@dataclass(frozen=True)
class RegrowthEstimate:
    distance_cm: float
    days_at_typical_rate: float
    days_at_fast_rate: float
    months_at_typical_rate: float
    caveats: tuple[str, ...]
    sources: tuple[str, ...]


def regrowth_time(regrowth: Regrowth, distance_cm: float) -> RegrowthEstimate:
    """Estimate how long regrowing axons take to cover `distance_cm`, with its caveats."""
    if not 0 < distance_cm <= MAX_DISTANCE_CM:
        raise InvalidInput(
            [
                Problem(
                    "distance_cm",
                    f"must be more than 0 and at most {MAX_DISTANCE_CM:.0f} cm (got {distance_cm})",
                )
            ]
        )
    millimetres = distance_cm * 10
    days = millimetres / regrowth.mm_per_day
    return RegrowthEstimate(
        distance_cm=distance_cm,
        days_at_typical_rate=days,
        days_at_fast_rate=millimetres / regrowth.fast_mm_per_day,
        months_at_typical_rate=days / 30.44,
        caveats=regrowth.caveats,
        sources=regrowth.sources,
    )
