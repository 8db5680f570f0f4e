"""The clinician's add-patient form: its fields, and turning what was posted into the input contract with a
plain message per field (the routes only render and store)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nervetrack.domain.errors import InvalidInput
from nervetrack.domain.validation import parse_record

BASELINE_FIELDS = (
    ("leg_pain", "Leg pain"),
    ("back_pain", "Back pain"),
    ("numbness", "Numbness"),
    ("tingling", "Tingling"),
    ("weakness", "Weakness"),
    ("walking_minutes", "Walking minutes"),
)
# Fields that change the expected course must be chosen, never defaulted.
REQUIRED = {
    "id": "Enter the patient's id.",
    "birth_year": "Enter the year of birth.",
    "date": "Enter the date of surgery.",
    "procedure": "Choose the procedure.",
    "approach": "Choose the approach: it changes the expected course.",
    "diabetes": "Say whether the patient has diabetes.",
    "smoker": "Say whether the patient smokes.",
}
LABELS = {
    "id": "Patient id",
    "birth_year": "Year of birth",
    "date": "Date of surgery",
    "procedure": "Procedure",
    "approach": "Approach",
    "diabetes": "Diabetes",
    "smoker": "Smoker",
    "peripheral_neuropathy": "Peripheral neuropathy",
    "sex": "Sex",
    "levels": "Levels",
    "symptom_duration_weeks": "Weeks of symptoms before surgery",
    "phone": "Phone number",
    **{f"baseline_{name}": f"{label} before surgery" for name, label in BASELINE_FIELDS},
}


def patient_data(form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Turn the add-patient form into the input contract's patient, surgery and baseline (and the contact
    number beside it)."""
    errors = {name: message for name, message in REQUIRED.items() if not form.get(name, "").strip()}
    patient: dict[str, Any] = {"id": form.get("id", "").strip(), "sex": form.get("sex") or "unknown"}
    patient["birth_year"] = _number(form, "birth_year", errors)
    for flag in ("diabetes", "peripheral_neuropathy", "smoker"):
        patient[flag] = form.get(flag) == "yes"
    levels = [part.strip().upper() for part in form.get("levels", "").split(",") if part.strip()]
    surgery: dict[str, Any] = {
        "date": form.get("date", "").strip(),
        "procedure": form.get("procedure", ""),
        "approach": form.get("approach", ""),
        "levels": levels,
        "symptom_duration_weeks": _number(form, "symptom_duration_weeks", errors),
        "dural_tear": {"yes": True, "no": False}.get(form.get("dural_tear", "")),
    }
    baseline = {name: _number(form, f"baseline_{name}", errors) for name, _ in BASELINE_FIELDS}
    data: dict[str, Any] = {"patient": patient, "surgery": surgery}
    if any(v is not None for v in baseline.values()):
        data["baseline"] = baseline
    if form.get("phone", "").strip():
        data["contact"] = {"phone": form["phone"].strip()}
    return data, errors


def _number(form: Mapping[str, str], name: str, errors: dict[str, str]) -> float | int | None:
    raw = form.get(name, "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        errors[name] = "Enter a number."
        return None
    return int(value) if value.is_integer() else value


def form_errors_of(data: Mapping[str, Any]) -> dict[str, str]:
    """The input contract's messages for the form as filled in so far."""
    try:
        parse_record({k: v for k, v in data.items() if k != "contact"})
    except InvalidInput as error:
        return form_errors(error)
    return {}


def form_errors(error: InvalidInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    for problem in error.problems:
        section, _, field = problem.path.partition(".")
        name = field.split(".")[0].split("[")[0] or section
        if section == "baseline":
            name = f"baseline_{name}"
        if section == "contact":
            name = "phone"
        errors[name or "id"] = problem.message[:1].upper() + problem.message[1:]
    return errors
