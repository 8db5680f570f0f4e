"""Assessments per second for single patients with 50 check-ins, beside parse-and-validate time alone.

The ratio shows what the rules cost on top of reading the input; the aim is rules < parsing.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from typing import Any

from nervetrack import assess, load_knowledge, parse_record

PATIENTS = 400
CHECKINS = 50


def _record(rng: random.Random) -> dict[str, Any]:
    surgery = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(300))
    base = {k: rng.randint(3, 9) for k in ("leg_pain", "back_pain", "numbness", "tingling", "weakness")}
    checkins = []
    for i in range(CHECKINS):
        day = 2 + i * 7
        share = 0.25 + 0.75 * 2.718 ** (-day / 40)
        entry: dict[str, Any] = {"date": (surgery + dt.timedelta(days=day)).isoformat()}
        entry |= {k: max(0, min(10, round(v * share + rng.gauss(0, 1)))) for k, v in base.items()}
        entry |= {
            "walking_minutes": min(60, 5 + day // 5),
            "temperature_c": 36.8,
            "chills": False,
            "bladder_problem": False,
            "wound_redness": False,
            "odi": [rng.randint(0, 3) for _ in range(10)],
        }
        checkins.append(entry)
    return {
        "patient": {
            "id": f"b-{rng.randrange(10**6)}",
            "birth_year": rng.randint(1940, 1995),
            "smoker": rng.random() < 0.2,
        },
        "surgery": {
            "date": surgery.isoformat(),
            "procedure": rng.choice(["microdiscectomy", "laminectomy", "fusion"]),
            "approach": rng.choice(["open", "minimally_invasive"]),
            "symptom_duration_weeks": rng.randint(4, 80),
        },
        "baseline": base | {"walking_minutes": 5},
        "checkins": checkins,
    }


def _per_patient(records: list, **options: Any) -> float:
    knowledge = load_knowledge()
    start = time.perf_counter()
    for record in records:
        assess(record, knowledge, **options)
    return (time.perf_counter() - start) / len(records)


def main() -> None:
    rng = random.Random(7)
    texts = [json.dumps(_record(rng)) for _ in range(PATIENTS)]
    start = time.perf_counter()
    records = [parse_record(json.loads(t)) for t in texts]
    parse_s = (time.perf_counter() - start) / PATIENTS
    rules_s = _per_patient(records, forecast=False)
    full_s = _per_patient(records)
    print(f"patients: {PATIENTS} with {CHECKINS} check-ins each")
    print(f"parse + validate:          {1 / parse_s:8.0f} patients/s ({parse_s * 1000:.2f} ms each)")
    print(f"assess, rules only:        {1 / rules_s:8.0f} patients/s ({rules_s * 1000:.2f} ms each)")
    print(f"assess with 7 forecasts:   {1 / full_s:8.0f} patients/s ({full_s * 1000:.2f} ms each)")
    print(f"rules cost / parsing cost: {rules_s / parse_s:.2f}x (aim < 1.0)")
    print(f"forecasts cost / parsing:  {(full_s - rules_s) / parse_s:.2f}x")


if __name__ == "__main__":
    main()
