"""Demo patients for `make run`: realistic made-up records across procedures, phases and triage levels.

Dates are laid out relative to `today`, which the caller passes in (the domain never reads the clock).
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from typing import Any

from nervetrack.domain.model import RED_FLAG_SIGNS, PatientRecord
from nervetrack.domain.validation import parse_record

_QUIET_SIGNS = dict.fromkeys(RED_FLAG_SIGNS, False)
# The scenarios are data: see demo_patients.json for what each field means.
_SCENARIOS: list[dict[str, Any]] = json.loads(
    resources.files("nervetrack").joinpath("demo_patients.json").read_text(encoding="utf-8")
)["scenarios"]


def _checkin(surgery: dt.date, row: tuple[int, ...], extra: dict[str, Any]) -> dict[str, Any]:
    day, leg, back, numb, tingle, weak, walk = row
    return {
        "date": (surgery + dt.timedelta(days=day)).isoformat(),
        "leg_pain": leg,
        "back_pain": back,
        "numbness": numb,
        "tingling": tingle,
        "weakness": weak,
        "walking_minutes": walk,
        "temperature_c": 36.9,
        **_QUIET_SIGNS,
        **extra,
    }


def demo_record_dicts(today: dt.date) -> list[dict[str, Any]]:
    """The demo patients as input-contract dictionaries, laid out relative to `today`."""
    records = []
    for s in _SCENARIOS:
        surgery = today - dt.timedelta(days=s["days"])
        checkins = [_checkin(surgery, row, {}) for row in s["course"]]
        last_extra = dict(s.get("signs", {}))
        if "temp" in s:
            last_extra["temperature_c"] = s["temp"]
        checkins[-1].update(last_extra)
        record: dict[str, Any] = {
            "patient": {
                "id": s["id"],
                "birth_year": s.get("birth", 1968),
                "sex": "female" if int(s["id"][-1]) % 2 else "male",
                "diabetes": s.get("diabetes", False),
                "peripheral_neuropathy": False,
                "smoker": s.get("smoker", False),
            },
            "surgery": {
                "date": surgery.isoformat(),
                "procedure": s["procedure"],
                "approach": s["approach"],
                "levels": ["L4-L5"],
                "symptom_duration_weeks": s.get("duration", 20),
            },
            "checkins": checkins,
            "as_of": today.isoformat(),
        }
        if not s.get("no_base"):
            leg, back, numb, tingle, weak, walk = s["base"]
            record["baseline"] = {
                "leg_pain": leg,
                "back_pain": back,
                "numbness": numb,
                "tingling": tingle,
                "weakness": weak,
                "walking_minutes": walk,
            }
        records.append(record)
    return records


def demo_records(today: dt.date | None = None) -> list[PatientRecord]:
    """The demo patients as validated records; `today` defaults to the system date (an entry point)."""
    return [parse_record(d) for d in demo_record_dicts(today or dt.date.today())]
