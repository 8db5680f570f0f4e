"""The Questionnaires NerveTrack answers to: the daily check-in and the Oswestry Disability Index (ODI).

The ODI's statements are licensed and are not shipped (ODI (c) Jeremy Fairbank): each section is named, and its
0 and 5 ends described in NerveTrack's own words (knowledge/scales.toml); the answers are coded 0-5 with the
score weight as `ordinalValue`. The check-in holds the ODI as an optional group with the same link ids, so a
form engine can send either questionnaire's responses.
"""

from __future__ import annotations

from typing import Any

from nervetrack.domain.knowledge import FollowUpQuestion, Knowledge
from nervetrack.domain.model import RED_FLAG_SIGNS
from nervetrack.interop import codes

Json = dict[str, Any]
VERSION = "1"
RATINGS = ("leg_pain", "back_pain", "numbness", "tingling", "weakness")
ODI_GROUP = "odi"
FOLLOW_UP_GROUP = "follow_up"
_ANSWER_TYPES = {"yes_no": "boolean", "0-10": "integer", "choice": "choice"}


def odi_link_id(section: str) -> str:
    return f"odi.{section}"


def checkin_questionnaire(knowledge: Knowledge) -> Json:
    """The daily check-in: symptom ratings, walking time, temperature, warning signs, ODI, follow-up answers."""
    items: list[Json] = [{"linkId": "date", "text": "Date of the check-in", "type": "date", "required": True}]
    items += [_rating(name, knowledge.symptoms[name].label) for name in RATINGS]
    items.append(
        {"linkId": "walking_minutes", "text": "Continuous walking time (minutes)", "type": "decimal"}
        | _bounds("valueDecimal", 0, 1440)
    )
    items.append(
        {"linkId": "temperature_c", "text": "Body temperature (degrees Celsius)", "type": "decimal"}
        | _bounds("valueDecimal", 30, 45)
    )
    items += [{"linkId": sign, "text": codes.SIGN_DISPLAYS[sign], "type": "boolean"} for sign in RED_FLAG_SIGNS]
    items.append(
        {"linkId": ODI_GROUP, "text": "Oswestry Disability Index", "type": "group", "item": _odi_items(knowledge)}
    )
    follow_ups = [_follow_up(question) for question in knowledge.questions.values()]
    items.append({"linkId": FOLLOW_UP_GROUP, "text": "Follow-up questions", "type": "group", "item": follow_ups})
    return _questionnaire("nervetrack-checkin", codes.CHECKIN_QUESTIONNAIRE, "NerveTrack daily check-in", items)


def odi_questionnaire(knowledge: Knowledge) -> Json:
    """The ODI on its own: ten sections answered 0-5 (section names and end descriptions only)."""
    resource = _questionnaire(
        "nervetrack-odi", codes.ODI_QUESTIONNAIRE, "Oswestry Disability Index (sections only)", _odi_items(knowledge)
    )
    code, display = codes.LOINC_ODI_PANEL
    resource["code"] = [{"system": codes.LOINC, "code": code, "display": display}]
    resource["copyright"] = (
        "ODI (c) Jeremy Fairbank. The licensed statements are not included: each section is named and its 0 and "
        "5 ends are described in NerveTrack's own words."
    )
    return resource


def _questionnaire(resource_id: str, url: str, title: str, items: list[Json]) -> Json:
    return {
        "resourceType": "Questionnaire",
        "id": resource_id,
        "url": url,
        "version": VERSION,
        "name": resource_id.replace("-", "_").title().replace("_", ""),
        "title": title,
        "status": "active",
        "subjectType": ["Patient"],
        "item": items,
    }


def _rating(name: str, label: str) -> Json:
    return {"linkId": name, "text": f"{label} (0 none - 10 worst)", "type": "integer"} | _bounds("valueInteger", 0, 10)


def _bounds(kind: str, low: float, high: float) -> Json:
    return {"extension": [{"url": codes.MIN_VALUE, kind: low}, {"url": codes.MAX_VALUE, kind: high}]}


def _odi_items(knowledge: Knowledge) -> list[Json]:
    scale = knowledge.odi
    return [
        {
            "linkId": odi_link_id(section),
            "text": section.replace("_", " ").capitalize(),
            "type": "choice",
            "answerOption": [_odi_option(weight, ends) for weight in range(6)],
        }
        for section, ends in zip(scale.sections, scale.section_ends, strict=True)
    ]


def _odi_option(weight: int, ends: tuple[str, str]) -> Json:
    display = {0: f"0 - {ends[0]}", 5: f"5 - {ends[1]}"}.get(weight, str(weight))
    return {
        "extension": [{"url": codes.ORDINAL_VALUE, "valueDecimal": weight}],
        "valueCoding": {"system": codes.CS_ODI_ANSWER, "code": str(weight), "display": display},
    }


def _follow_up(question: FollowUpQuestion) -> Json:
    item: Json = {"linkId": question.id, "text": question.text, "type": _ANSWER_TYPES[question.answer]}
    if question.answer == "choice":
        item["answerOption"] = [
            {"valueCoding": {"system": codes.CS_FOLLOW_UP_CHOICE, "code": choice, "display": choice}}
            for choice in question.choices
        ]
    if question.answer == "0-10":
        item |= _bounds("valueInteger", 0, 10)
    return item
