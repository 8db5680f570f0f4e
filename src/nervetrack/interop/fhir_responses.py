"""QuestionnaireResponse <-> the engine's CheckIn (one response per check-in) and the pre-operative baseline.

A response names its answers by link id (see fhir_questionnaires); the check-in's date is its `date` item, or
the day it was authored. The baseline is a response of the same questionnaire tagged `baseline`, without a
date. Reading goes through the engine's own CheckIn model, so a value out of range is refused with the item
named, as the REST API refuses it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from nervetrack.domain.model import RED_FLAG_SIGNS, CheckIn, Scores
from nervetrack.interop import codes
from nervetrack.interop.errors import FhirInputError
from nervetrack.interop.fhir_questionnaires import FOLLOW_UP_GROUP, ODI_GROUP, RATINGS, VERSION, odi_link_id

Json = dict[str, Any]
BASELINE_TAG = {"system": codes.CS_RESPONSE_KIND, "code": "baseline", "display": "Before surgery"}
_DECIMALS = ("walking_minutes", "temperature_c")


@dataclass(frozen=True)
class StoredCheckin:
    """A check-in as stored: its id (for resource ids), its answers and when it was submitted."""

    id: int
    values: CheckIn
    submitted_at: dt.datetime


def response_id(checkin_id: int) -> str:
    return f"checkin-{checkin_id}"


def checkin_response(patient_ref: Json, checkin: StoredCheckin, odi_sections: tuple[str, ...]) -> Json:
    """The QuestionnaireResponse of one check-in."""
    values = checkin.values
    items: list[Json] = [{"linkId": "date", "answer": [{"valueDate": values.date.isoformat()}]}]
    items += _score_items(values)
    items += [_answer(name, "valueDecimal", getattr(values, name)) for name in ("temperature_c",) if _has(values, name)]
    items += [_answer(sign, "valueBoolean", getattr(values, sign)) for sign in RED_FLAG_SIGNS if _has(values, sign)]
    if values.odi is not None and any(answer is not None for answer in values.odi):
        odi = [
            {"linkId": odi_link_id(section), "answer": [{"valueCoding": _odi_coding(answer)}]}
            for section, answer in zip(odi_sections, values.odi, strict=True)
            if answer is not None
        ]
        items.append({"linkId": ODI_GROUP, "item": odi})
    if values.follow_up:
        follow = [{"linkId": key, "answer": [_follow_up_answer(answer)]} for key, answer in values.follow_up.items()]
        items.append({"linkId": FOLLOW_UP_GROUP, "item": follow})
    return {
        "resourceType": "QuestionnaireResponse",
        "id": response_id(checkin.id),
        "questionnaire": f"{codes.CHECKIN_QUESTIONNAIRE}|{VERSION}",
        "status": "completed",
        "subject": patient_ref,
        "authored": checkin.submitted_at.isoformat(),
        "item": items,
    }


def baseline_response(patient_ref: Json, patient_fhir_id: str, baseline: Scores) -> Json:
    """The pre-operative baseline as a QuestionnaireResponse tagged `baseline`."""
    return {
        "resourceType": "QuestionnaireResponse",
        "id": codes.derived_id("baseline", patient_fhir_id),
        "meta": {"tag": [BASELINE_TAG]},
        "questionnaire": f"{codes.CHECKIN_QUESTIONNAIRE}|{VERSION}",
        "status": "completed",
        "subject": patient_ref,
        "item": _score_items(baseline),
    }


def is_baseline(resource: Json) -> bool:
    tags = (resource.get("meta") or {}).get("tag") or []
    return any(t.get("system") == codes.CS_RESPONSE_KIND and t.get("code") == "baseline" for t in tags)


def checkin_from(resource: Json, odi_sections: tuple[str, ...]) -> CheckIn:
    """The check-in a QuestionnaireResponse records (of the check-in or the ODI questionnaire); an item
    NerveTrack does not know is refused rather than dropped."""
    answers = dict(_answers(resource.get("item") or []))
    data: Json = {name: answers.pop(name) for name in (*RATINGS, *_DECIMALS, *RED_FLAG_SIGNS) if name in answers}
    day = answers.pop("date", None) or str(resource.get("authored") or "")[:10]
    if not day:
        raise FhirInputError("QuestionnaireResponse.item.where(linkId='date')", "the check-in needs a date")
    data["date"] = day
    odi = [answers.pop(odi_link_id(s), None) for s in odi_sections]
    if any(answer is not None for answer in odi):
        data["odi"] = odi
    follow_up = {key: answers.pop(key) for key in list(answers) if key.startswith(FOLLOW_UP_GROUP + "/")}
    if follow_up:
        data["follow_up"] = {key.split("/", 1)[1]: value for key, value in follow_up.items()}
    if answers:
        unknown = sorted(answers)[0]
        raise FhirInputError(f"QuestionnaireResponse.item.where(linkId='{unknown}')", "is not a NerveTrack item")
    checkin: CheckIn = _validated(CheckIn, data)
    return checkin


def baseline_from(resource: Json) -> Scores:
    answers = dict(_answers(resource.get("item") or []))
    scores: Scores = _validated(Scores, {n: answers[n] for n in (*RATINGS, "walking_minutes") if n in answers})
    return scores


def _validated(model: type[Scores], data: Json) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        name = ".".join(str(part) for part in first["loc"]) or "item"
        raise FhirInputError(f"QuestionnaireResponse.item.where(linkId='{name}')", first["msg"]) from None


def _answers(items: list[Json], group: str = "") -> Iterator[tuple[str, Any]]:
    for item in items:
        link = str(item.get("linkId") or "")
        if item.get("item"):
            yield from _answers(item["item"], link if link == FOLLOW_UP_GROUP else group)
        for answer in item.get("answer") or []:
            yield (f"{group}/{link}" if group else link), _value(answer, link)
            break


def _value(answer: Json, link: str) -> Any:
    for key in ("valueBoolean", "valueInteger", "valueDate", "valueString"):
        if key in answer:
            return answer[key]
    if "valueDecimal" in answer:
        return float(answer["valueDecimal"])
    if "valueCoding" in answer:
        code = (answer["valueCoding"] or {}).get("code")
        if link.startswith("odi.") and isinstance(code, str) and code.isdigit():
            return int(code)
        return code
    raise FhirInputError(f"QuestionnaireResponse.item.where(linkId='{link}').answer", "has no value NerveTrack reads")


def _score_items(values: Scores) -> list[Json]:
    items = [_answer(name, "valueInteger", getattr(values, name)) for name in RATINGS if _has(values, name)]
    if values.walking_minutes is not None:
        items.append(_answer("walking_minutes", "valueDecimal", values.walking_minutes))
    return items


def _has(values: Scores, name: str) -> bool:
    return getattr(values, name) is not None


def _answer(link: str, kind: str, value: Any) -> Json:
    return {"linkId": link, "answer": [{kind: value}]}


def _odi_coding(weight: int) -> Json:
    return {"system": codes.CS_ODI_ANSWER, "code": str(weight)}


def _follow_up_answer(answer: bool | int | str) -> Json:
    if isinstance(answer, bool):
        return {"valueBoolean": answer}
    if isinstance(answer, int):
        return {"valueInteger": answer}
    return {"valueCoding": {"system": codes.CS_FOLLOW_UP_CHOICE, "code": answer}}
