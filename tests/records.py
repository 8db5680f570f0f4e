"""Builders for input-contract records used across the tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from nervetrack.domain.model import RED_FLAG_SIGNS

SURGERY = dt.date(2026, 3, 2)
QUIET_SIGNS = dict.fromkeys(RED_FLAG_SIGNS, False)
SYMPTOMS = ("leg_pain", "back_pain", "numbness", "tingling", "weakness")


def checkin(day: int, **fields: Any) -> dict[str, Any]:
    """A check-in `day` days after SURGERY; unspecified scores stay unknown, signs are 'no'."""
    return {"date": (SURGERY + dt.timedelta(days=day)).isoformat(), **QUIET_SIGNS, **fields}


def record(
    *checkins: dict[str, Any],
    procedure: str = "microdiscectomy",
    approach: str = "minimally_invasive",
    baseline: dict[str, Any] | None = None,
    as_of_day: int | None = None,
    **patient: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "patient": {"id": "t-1", "birth_year": 1970, **patient},
        "surgery": {
            "date": SURGERY.isoformat(),
            "procedure": procedure,
            "approach": approach,
            "levels": ["L5-S1"],
            "symptom_duration_weeks": 12,
        },
        "checkins": list(checkins),
    }
    if baseline is not None:
        data["baseline"] = baseline
    if as_of_day is not None:
        data["as_of"] = (SURGERY + dt.timedelta(days=as_of_day)).isoformat()
    return data


TYPICAL_BASELINE = {
    "leg_pain": 8,
    "back_pain": 5,
    "numbness": 6,
    "tingling": 5,
    "weakness": 4,
    "walking_minutes": 5,
}
