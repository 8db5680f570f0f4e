"""Turn raw input into a PatientRecord, or a list of problems that each name the field and what is allowed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from nervetrack.domain.errors import InvalidInput, Problem
from nervetrack.domain.model import CheckIn, PatientRecord

# What each field allows, in words, so a message can say it whatever pydantic's error type was.
ALLOWED: dict[str, str] = {
    "leg_pain": "a whole number from 0 to 10",
    "back_pain": "a whole number from 0 to 10",
    "numbness": "a whole number from 0 to 10",
    "tingling": "a whole number from 0 to 10",
    "weakness": "a whole number from 0 to 10",
    "walking_minutes": "minutes from 0 to 1440",
    "temperature_c": "degrees Celsius from 30 to 45",
    "odi": "a list of 10 section answers, each 0-5 or null",
    "birth_year": "a year from 1900 to 2100",
    "symptom_duration_weeks": "weeks from 0 to 1040",
    "date": "a date as YYYY-MM-DD",
    "as_of": "a date as YYYY-MM-DD",
    "id": "1-64 letters, digits, '.', '_' or '-'",
    "levels": "a list of levels such as L4-L5 or L5-S1",
    "procedure": "one of discectomy, microdiscectomy, laminectomy, laminotomy, foraminotomy, fusion",
    "approach": "one of open, minimally_invasive, endoscopic",
    "sex": "one of female, male, other, unknown",
}
_BOOLEAN = "true, false or null"


def parse_record(data: Any) -> PatientRecord:
    """Validate raw JSON-like data against the input contract; raise InvalidInput listing every problem."""
    if not isinstance(data, Mapping):
        raise InvalidInput([Problem("", "the input must be a JSON object with patient and surgery")])
    try:
        record = PatientRecord.model_validate(data)
    except ValidationError as error:
        raise InvalidInput([_problem_from(e) for e in error.errors()]) from None
    problems = check_dates(record)
    if problems:
        raise InvalidInput(problems)
    return record


def check_dates(record: PatientRecord) -> list[Problem]:
    """Check the rules that tie fields together: dates in order, a plausible age."""
    problems: list[Problem] = []
    surgery_day = record.surgery.date
    as_of = record.effective_as_of()
    if record.as_of is not None and record.as_of < surgery_day:
        problems.append(Problem("as_of", f"must be on or after the surgery date {surgery_day} (got {record.as_of})"))
    dates = [checkin.date for checkin in record.checkins]
    # One min/max pass clears the usual case; only a record with a stray date is walked check-in by check-in.
    if dates and (min(dates) < surgery_day or max(dates) > as_of):
        for index, checkin in enumerate(record.checkins):
            problems.extend(_checkin_date_problems(index, checkin, surgery_day, as_of))
    age = surgery_day.year - record.patient.birth_year
    if not 0 <= age <= 120:
        problems.append(
            Problem(
                "patient.birth_year",
                f"must give an age of 0-120 at surgery, so a year from {surgery_day.year - 120} "
                f"to {surgery_day.year} (got {record.patient.birth_year})",
            )
        )
    return problems


def _checkin_date_problems(index: int, checkin: CheckIn, surgery_day: dt.date, as_of: dt.date) -> list[Problem]:
    path = f"checkins[{index}].date"
    if checkin.date < surgery_day:
        return [Problem(path, f"must be on or after the surgery date {surgery_day} (got {checkin.date})")]
    if checkin.date > as_of:
        return [Problem(path, f"must be on or before as_of {as_of} (got {checkin.date})")]
    return []


def _problem_from(error: Any) -> Problem:
    loc = tuple(error["loc"])
    path = format_path(loc)
    field = next((part for part in reversed(loc) if isinstance(part, str)), "")
    kind = error["type"]
    given = _shown(error.get("input"))
    if kind == "extra_forbidden":
        return Problem(path, f"unknown field; allowed here: {', '.join(_allowed_fields(loc))}")
    if kind == "missing":
        return Problem(path, f"is required ({ALLOWED.get(field, 'see the input contract')})")
    if kind in ("model_type", "dict_type"):
        return Problem(path, "must be a JSON object")
    if field == "odi" and isinstance(loc[-1], int):
        return Problem(path, f"must be an ODI section answer 0-5 or null (got {given})")
    allowed = ALLOWED.get(field, _BOOLEAN if kind.startswith("bool") else error["msg"])
    return Problem(path, f"must be {allowed} (got {given})")


def format_path(loc: tuple[Any, ...]) -> str:
    """Render a pydantic location as `checkins[0].leg_pain`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _allowed_fields(loc: tuple[Any, ...]) -> list[str]:
    model: type[BaseModel] = PatientRecord
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        model = _model_in(annotation) or model
    return list(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."
