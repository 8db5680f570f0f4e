"""Demo patients for `make run`: realistic made-up records across procedures, phases and triage levels.

Dates are laid out relative to `today`, which the caller passes in (the domain never reads the clock).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from nervetrack.domain.model import PatientRecord
from nervetrack.domain.validation import parse_record

_QUIET_SIGNS = {
    "chills": False,
    "bladder_problem": False,
    "bowel_problem": False,
    "saddle_numbness": False,
    "sudden_weakness": False,
    "wound_redness": False,
    "wound_drainage": False,
    "calf_pain_swelling": False,
    "chest_pain_or_breathlessness": False,
    "headache_when_upright": False,
}

# id, procedure, approach, days since surgery, birth year, diabetes, smoker, duration weeks, baseline,
# per check-in (day, leg, back, numb, tingle, weak, walk), red-flag signs on the last check-in, temperature.
_SCENARIOS: list[dict[str, Any]] = [
    {
        "id": "demo-01",
        "procedure": "microdiscectomy",
        "approach": "minimally_invasive",
        "days": 30,
        "base": (8, 5, 6, 5, 4, 5),
        "course": [(3, 5, 5, 6, 5, 4, 5), (10, 3, 4, 5, 4, 3, 10), (28, 2, 3, 4, 3, 2, 20)],
    },
    {
        "id": "demo-02",
        "procedure": "laminectomy",
        "approach": "open",
        "days": 6,
        "birth": 1950,
        "base": (7, 6, 6, 5, 3, 5),
        "course": [(2, 5, 6, 6, 5, 3, 5), (6, 6, 7, 7, 5, 4, 5)],
        "signs": {"bladder_problem": True, "saddle_numbness": True},
    },
    {
        "id": "demo-03",
        "procedure": "fusion",
        "approach": "open",
        "days": 12,
        "diabetes": True,
        "base": (7, 7, 5, 4, 3, 10),
        "course": [(5, 5, 6, 5, 4, 3, 10), (12, 5, 6, 5, 4, 3, 10)],
        "signs": {"chills": True, "wound_drainage": True},
        "temp": 38.9,
    },
    {
        "id": "demo-04",
        "procedure": "discectomy",
        "approach": "endoscopic",
        "days": 50,
        "base": (8, 4, 5, 5, 2, 10),
        "course": [(7, 2, 3, 4, 3, 1, 20), (21, 1, 2, 3, 2, 1, 30), (49, 7, 4, 4, 4, 2, 10)],
    },
    {
        "id": "demo-05",
        "procedure": "laminectomy",
        "approach": "open",
        "days": 120,
        "duration": 60,
        "base": (8, 6, 6, 5, 3, 5),
        "course": [(14, 7, 5, 6, 5, 3, 5), (60, 7, 5, 6, 5, 3, 8), (118, 7, 5, 6, 5, 3, 8)],
    },
    {
        "id": "demo-06",
        "procedure": "fusion",
        "approach": "open",
        "days": 75,
        "diabetes": True,
        "smoker": True,
        "base": (6, 7, 4, 4, 5, 10),
        "course": [(10, 4, 6, 4, 4, 6, 5), (40, 3, 5, 4, 4, 6, 10), (74, 3, 4, 4, 4, 6, 15)],
    },
    {
        "id": "demo-07",
        "procedure": "foraminotomy",
        "approach": "minimally_invasive",
        "days": 420,
        "base": (7, 4, 7, 6, 3, 15),
        "course": [(30, 2, 2, 6, 4, 2, 30), (180, 1, 2, 4, 3, 1, 40), (415, 1, 1, 3, 2, 1, 45)],
    },
    {
        "id": "demo-08",
        "procedure": "laminotomy",
        "approach": "minimally_invasive",
        "days": 210,
        "base": (6, 5, 4, 4, 2, 10),
        "course": [(30, 2, 3, 3, 2, 1, 25), (120, 1, 2, 1, 1, 0, 40), (205, 0, 1, 0, 0, 0, 45)],
    },
    {
        "id": "demo-09",
        "procedure": "fusion",
        "approach": "open",
        "days": 9,
        "birth": 1948,
        "base": (6, 7, 3, 3, 2, 10),
        "course": [(4, 4, 6, 3, 3, 2, 5), (9, 4, 5, 3, 3, 2, 10)],
        "signs": {"calf_pain_swelling": True},
    },
    {
        "id": "demo-10",
        "procedure": "microdiscectomy",
        "approach": "minimally_invasive",
        "days": 10,
        "no_base": True,
        "course": [(4, 4, 4, 5, 5, 2, 10), (10, 3, 3, 5, 4, 2, 15)],
    },
    {
        "id": "demo-11",
        "procedure": "microdiscectomy",
        "approach": "open",
        "days": 16,
        "base": (9, 5, 5, 5, 3, 5),
        "course": [(3, 3, 4, 5, 5, 3, 10), (15, 3, 4, 5, 4, 3, 15)],
        "signs": {"headache_when_upright": True},
    },
    {
        "id": "demo-12",
        "procedure": "laminectomy",
        "approach": "open",
        "days": 3,
        "birth": 1945,
        "base": (6, 6, 5, 4, 2, 5),
        "course": [(3, 4, 6, 5, 4, 2, 5)],
        "signs": {"chest_pain_or_breathlessness": True},
    },
    {
        "id": "demo-13",
        "procedure": "discectomy",
        "approach": "open",
        "days": 200,
        "base": (8, 5, 6, 6, 4, 10),
        "course": [(30, 2, 3, 5, 4, 3, 25), (100, 1, 2, 4, 3, 2, 35), (198, 1, 2, 3, 2, 1, 40)],
    },
    {
        "id": "demo-14",
        "procedure": "fusion",
        "approach": "minimally_invasive",
        "days": 150,
        "base": (7, 7, 4, 4, 3, 10),
        "course": [(14, 5, 5, 4, 4, 3, 10), (60, 3, 4, 3, 3, 2, 20), (148, 2, 3, 2, 2, 1, 30)],
    },
    {
        "id": "demo-15",
        "procedure": "microdiscectomy",
        "approach": "minimally_invasive",
        "days": 45,
        "base": (7, 4, 3, 3, 5, 10),
        "course": [(7, 2, 3, 3, 3, 5, 15), (44, 1, 2, 2, 2, 6, 20)],
    },
    {
        "id": "demo-16",
        "procedure": "laminotomy",
        "approach": "open",
        "days": 60,
        "smoker": True,
        "base": (6, 6, 5, 5, 2, 5),
        "course": [(10, 4, 5, 4, 4, 2, 10), (30, 4, 5, 4, 4, 2, 12), (58, 3, 4, 7, 4, 2, 15)],
    },
    {
        "id": "demo-17",
        "procedure": "foraminotomy",
        "approach": "endoscopic",
        "days": 25,
        "base": (7, 3, 5, 5, 2, 15),
        "course": [(5, 3, 3, 5, 4, 2, 20), (24, 2, 2, 4, 3, 1, 30)],
    },
    {
        "id": "demo-18",
        "procedure": "discectomy",
        "approach": "minimally_invasive",
        "days": 7,
        "base": (8, 5, 5, 5, 3, 10),
        "course": [(2, 6, 5, 5, 5, 3, 5), (7, 7, 5, 5, 5, 3, 5)],
    },
    {
        "id": "demo-19",
        "procedure": "fusion",
        "approach": "open",
        "days": 600,
        "base": (7, 8, 5, 5, 4, 5),
        "course": [(90, 3, 4, 4, 4, 3, 20), (365, 2, 3, 3, 3, 2, 30), (595, 2, 3, 3, 2, 2, 30)],
    },
    {
        "id": "demo-20",
        "procedure": "laminectomy",
        "approach": "minimally_invasive",
        "days": 95,
        "overdue": 40,
        "base": (7, 6, 5, 5, 3, 5),
        "course": [(7, 4, 5, 5, 4, 3, 10), (30, 2, 3, 3, 3, 2, 20), (55, 2, 3, 3, 3, 1, 25)],
    },
]


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
