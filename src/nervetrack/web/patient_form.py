"""The patient's check-in form: its questions and how the posted form becomes input-contract fields.

Every rating starts unanswered: a rating is a tap on 0-10, or "same as last time" (resolved here to the last
value given), never a slider's resting place. The warning signs are one explicit answer: tick each sign you
have had, or "I have had none of these"; one of the two is required, so an unanswered list is never stored as
"no". A temperature may be given in °C or °F.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nervetrack.domain.knowledge import Knowledge, emergency_signs
from nervetrack.domain.model import RED_FLAG_SIGNS, CheckIn
from nervetrack.web.input_guards import whole_number


@dataclass(frozen=True)
class Rating:
    """A 0-10 question: its contract field, the question and what 0 and 10 mean."""

    field: str
    question: str
    low: str
    high: str


RATINGS = (
    Rating("leg_pain", "Pain in your leg or legs", "no pain", "worst pain you can imagine"),
    Rating("back_pain", "Pain in your back", "no pain", "worst pain you can imagine"),
    Rating("numbness", "Numbness in your leg or foot", "no numbness", "cannot feel it at all"),
    Rating("tingling", "Tingling or pins and needles", "none", "as bad as it can be"),
    Rating("weakness", "Weakness in your leg or foot", "normal strength", "cannot move it"),
)
SAME = "same"


@dataclass(frozen=True)
class Sign:
    field: str
    question: str


def sign_list(knowledge: Knowledge) -> tuple[Sign, ...]:
    """The warning signs as the form asks them, in the knowledge base's order and wording (rules.toml)."""
    return tuple(Sign(field, question) for field, question in knowledge.sign_questions.items())


NO_SIGNS = "no_signs"
SIGNS_FIELD = "signs"

ODI_SECTIONS = (
    "Pain intensity",
    "Personal care",
    "Lifting",
    "Walking",
    "Sitting",
    "Standing",
    "Sleeping",
    "Sex life",
    "Social life",
    "Travelling",
)
TEMPERATURE = {"C": (30.0, 45.0), "F": (86.0, 113.0)}
MESSAGES = {
    "rating": "Choose a number from 0 to 10, or leave it unanswered.",
    "walking_minutes": "Enter minutes as a whole number from 0 to 1440, or leave it empty.",
    "temperature": "Enter a temperature from 30 to 45 °C (86 to 113 °F), for example 37.2, or leave it empty.",
    "signs": "Tick each warning sign you have had, or tick “I have had none of these”.",
    "signs_both": "You ticked a warning sign and “I have had none of these”: untick one of them.",
    "odi": "Choose 0 to 5, or Not answered.",
}


def emergency_fields(knowledge: Knowledge) -> tuple[str, ...]:
    """The signs that call for the emergency number now (the knowledge base's emergency rules)."""
    return emergency_signs(knowledge)


def last_values(checkins: list[CheckIn]) -> dict[str, float]:
    """The latest value given for each rating and for walking, from the stored check-ins (oldest first)."""
    last: dict[str, float] = {}
    for checkin in checkins:
        for field in (*(r.field for r in RATINGS), "walking_minutes"):
            value = getattr(checkin, field)
            if value is not None:
                last[field] = value
    return last


def ticked_signs(form: Mapping[str, Any]) -> list[str]:
    """The warning signs ticked on the posted form (multi-valued field `signs`)."""
    raw = form.get(SIGNS_FIELD, [])
    values = raw if isinstance(raw, list) else [raw]
    return [sign for sign in RED_FLAG_SIGNS if sign in values]


def parse_form(form: Mapping[str, Any], last: Mapping[str, float]) -> tuple[dict[str, Any], dict[str, str]]:
    """Turn the posted form into input-contract fields, with a plain message per unreadable answer."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for rating in RATINGS:
        data[rating.field] = _rating(_one(form, rating.field), last.get(rating.field), rating.field, errors)
    data["walking_minutes"] = _minutes(_one(form, "walking_minutes"), errors)
    data["temperature_c"] = _temperature(_one(form, "temperature"), _one(form, "temperature_unit") or "C", errors)
    data |= _signs(form, errors)
    odi = [_odi(_one(form, f"odi_{i}"), i, errors) for i in range(10)]
    data["odi"] = odi if any(a is not None for a in odi) else None
    return data, errors


def _one(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value).strip()


def _rating(raw: str, last: float | None, field: str, errors: dict[str, str]) -> int | None:
    if raw == "":
        return None
    if raw == SAME and last is not None:
        return int(last)
    number = whole_number(raw, 0, 10)
    if number is not None:
        return number
    errors[field] = MESSAGES["rating"]
    return None


def _minutes(raw: str, errors: dict[str, str]) -> float | None:
    if raw == "":
        return None
    number = whole_number(raw, 0, 1440)
    if number is not None:
        return float(number)
    errors["walking_minutes"] = MESSAGES["walking_minutes"]
    return None


def _temperature(raw: str, unit: str, errors: dict[str, str]) -> float | None:
    """The temperature in °C; a value in °F is converted (99.5 °F is 37.5 °C)."""
    if raw == "":
        return None
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        value = float("nan")
    low, high = TEMPERATURE.get(unit, TEMPERATURE["C"])
    if not low <= value <= high:
        errors["temperature"] = MESSAGES["temperature"]
        return None
    return round((value - 32) * 5 / 9, 1) if unit == "F" else round(value, 1)


def _signs(form: Mapping[str, Any], errors: dict[str, str]) -> dict[str, bool]:
    """Every sign answered: true for each one ticked, false for the rest; an error when neither a sign nor
    "none of these" is ticked (the list must be answered), or both are."""
    ticked = ticked_signs(form)
    none = _one(form, NO_SIGNS) == "1"
    if not ticked and not none:
        errors[SIGNS_FIELD] = MESSAGES["signs"]
    elif ticked and none:
        errors[SIGNS_FIELD] = MESSAGES["signs_both"]
    # A ticked sign is always kept, even beside an error: it must reach the clinic.
    return {sign: sign in ticked for sign in RED_FLAG_SIGNS} if ticked or none else {}


def _odi(raw: str, index: int, errors: dict[str, str]) -> int | None:
    if raw == "":
        return None
    number = whole_number(raw, 0, 5)
    if number is not None:
        return number
    errors[f"odi_{index}"] = MESSAGES["odi"]
    return None
