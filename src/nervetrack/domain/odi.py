"""Oswestry Disability Index v2.1a scoring (fairbank-2000; at most one missing section, awell-odi).

Score = sum / (5 x answered sections) x 100, reported to one decimal, rounding halves up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from nervetrack.domain.knowledge import OdiScale


@dataclass(frozen=True)
class OdiScore:
    score: float | None
    band: str | None
    answered: int
    acceptable: bool | None
    reason: str


def score_odi(scale: OdiScale, answers: Sequence[int | None]) -> OdiScore:
    """Score one questionnaire; with too many missing sections return no score and say why."""
    given = [a for a in answers if a is not None]
    missing = len(scale.sections) - len(given)
    if missing > scale.max_missing:
        reason = (
            f"not scored: {missing} of {len(scale.sections)} sections unanswered "
            f"(at most {scale.max_missing} may be missing)"
        )
        return OdiScore(None, None, len(given), None, reason)
    raw = Decimal(sum(given) * 100) / Decimal(5 * len(given))
    score = float(raw.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    band = band_of(scale, score)
    acceptable = score <= scale.acceptable_at_most
    return OdiScore(score, band, len(given), acceptable, f"{sum(given)}/{5 * len(given)}")


def odi_percent(scale: OdiScale, answers: Sequence[int | None]) -> float | None:
    """The unrounded 0-100 score, or None when too many sections are missing: the cheap form of score_odi
    for trends over many check-ins."""
    missing = answers.count(None)
    answered = len(answers) - missing
    if answered == 0 or len(scale.sections) - answered > scale.max_missing:
        return None
    return sum(a for a in answers if a is not None) * 20.0 / answered


def band_of(scale: OdiScale, score: float) -> str:
    """Name the disability band of a 0-100 score."""
    for code, up_to in scale.bands:
        if score <= up_to:
            return code
    return scale.bands[-1][0]
