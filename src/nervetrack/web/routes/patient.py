"""Patient pages, opened by a per-patient secret link /p/{token}: today's check-in and "my recovery".

No account: the link is the key, and it opens only its own patient. An unknown or revoked link gets a
clear page and no data. After a check-in, an emergency shows a full-screen call-now instruction before
anything else; urgent shows call-the-team-today at the top of the recovery page.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from nervetrack.adapters.odi_statements import load_odi_statements
from nervetrack.domain.errors import InvalidInput, Problem
from nervetrack.domain.knowledge import emergency_signs
from nervetrack.domain.model import RED_FLAG_SIGNS, TriageLevel
from nervetrack.knowledge import load_knowledge
from nervetrack.services import clock
from nervetrack.services.checkins import record_checkin
from nervetrack.services.errors import IdempotencyKeyReused, LinkInvalid, NotFound
from nervetrack.services.patients import get_patient
from nervetrack.services.tokens import resolve_link
from nervetrack.services.views import Actor, CheckinResult, PatientDetail
from nervetrack.web import pages
from nervetrack.web.csrf import CsrfError

router = APIRouter(prefix="/p", include_in_schema=False)


@dataclass(frozen=True)
class Slider:
    """A 0-10 slider. Until the patient moves it, it is "not answered" and stored as unknown: `start` is only
    where the thumb rests, never a value (see `parse_form`)."""

    field: str
    question: str
    low: str
    high: str
    start: int = 5

    @property
    def answered_field(self) -> str:
        return f"{self.field}_answered"


SLIDERS = (
    Slider("leg_pain", "Pain in your leg or legs", "no pain", "worst pain you can imagine"),
    Slider("back_pain", "Pain in your back", "no pain", "worst pain you can imagine"),
    Slider("numbness", "Numbness in your leg or foot", "no numbness", "cannot feel it at all"),
    Slider("tingling", "Tingling or pins and needles", "none", "as bad as it can be"),
    Slider("weakness", "Weakness in your leg or foot", "normal strength", "cannot move it"),
)


@dataclass(frozen=True)
class Question:
    field: str
    question: str


SIGNS = (
    Question("bladder_problem", "New trouble passing urine, or leaking urine you cannot control?"),
    Question(
        "urinary_difficulty",
        "Difficulty starting to pass urine, a weak stream, or not feeling your bladder fill or empty?",
    ),
    Question("bowel_problem", "New loss of control of your bowels?"),
    Question(
        "saddle_numbness",
        "New numbness between your legs or around your bottom (where you would sit on a saddle)?",
    ),
    Question("genital_numbness", "Numbness of your genitals, or a change in sexual feeling?"),
    Question("both_legs", "Pain, numbness or weakness in both legs?"),
    Question("sudden_weakness", "A leg or foot that suddenly became much weaker?"),
    Question("chest_pain_or_breathlessness", "Chest pain, or sudden shortness of breath?"),
    Question("calf_pain_swelling", "A painful, swollen or warm calf?"),
    Question("chills", "Fever, shivering or chills?"),
    Question("wound_redness", "Skin around your wound getting redder, hotter or more swollen?"),
    Question("wound_drainage", "Fluid or pus leaking from your wound?"),
    Question(
        "headache_when_upright",
        "A headache that is worse when you sit or stand and better when you lie down?",
    ),
)
assert {q.field for q in SIGNS} == set(RED_FLAG_SIGNS)
# The signs that call for the emergency number now, from the knowledge base's emergency rules: a "yes" to
# any of them is never dropped, even when the rest of the form cannot be stored yet.
EMERGENCY_SIGNS = emergency_signs(load_knowledge())
assert set(EMERGENCY_SIGNS) <= set(RED_FLAG_SIGNS)

# Oswestry sections by name only: the questionnaire's own statements are copyrighted and not shipped.
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
ALLOWED = {
    "walking_minutes": "Enter minutes as a number from 0 to 1440, or leave it empty.",
    "temperature_c": "Enter a temperature from 30 to 45 °C, for example 37.2, or leave it empty.",
}


def _resolve(request: Request, token: str) -> Actor | HTMLResponse:
    try:
        return resolve_link(pages.page_context(request).uow(), token)
    except LinkInvalid:
        return _invalid_link(request)


def _invalid_link(request: Request) -> HTMLResponse:
    return pages.render(
        request,
        "patient/link_invalid.html",
        404,
        message="This check-in link is not valid. It may have been replaced or switched off by your clinic.",
    )


def _detail(request: Request, actor: Actor) -> PatientDetail:
    return get_patient(pages.page_context(request).uow(), actor, _ref(actor))


def _odi_statements(request: Request) -> tuple[tuple[str, ...], ...] | None:
    """The clinic's licensed ODI statements, when it configured a file (checked at start-up)."""
    path = pages.page_context(request).settings.odi_statements_file
    return None if path is None else load_odi_statements(path)


def _open(request: Request, token: str) -> tuple[Actor, PatientDetail] | HTMLResponse:
    """The link's patient and their record, or the clear invalid-link page (never any data)."""
    actor = _resolve(request, token)
    if isinstance(actor, HTMLResponse):
        return actor
    try:
        return actor, _detail(request, actor)
    except NotFound:
        return _invalid_link(request)


def _ref(actor: Actor) -> str:
    ref = getattr(actor, "patient_ref", None)
    if not ref:
        raise NotFound("this link has no patient")
    return str(ref)


@router.get("/{token}", response_class=HTMLResponse)
def checkin_form(request: Request, token: str) -> Response:
    """Today's check-in form."""
    opened = _open(request, token)
    if isinstance(opened, HTMLResponse):
        return opened
    _actor, detail = opened
    return _form(request, token, detail, {}, _defaults(detail))


def _defaults(detail: PatientDetail) -> dict[str, str]:
    """Start each slider at the last answer, so a patient only moves what changed (a slider with no earlier
    answer starts "not answered")."""
    if not detail.checkins:
        return {}
    last = detail.checkins[-1].values
    values = {s.field: getattr(last, s.field) for s in SLIDERS}
    return {k: str(v) for k, v in values.items() if v is not None}


def _form(
    request: Request,
    token: str,
    detail: PatientDetail,
    errors: Mapping[str, str],
    values: Mapping[str, str],
    status_code: int = 200,
    notice: str | None = None,
) -> HTMLResponse:
    record = detail.record
    return pages.render(
        request,
        "patient/checkin.html",
        status_code,
        base=f"/p/{token}",
        has_checkins=bool(detail.checkins),
        days_since_surgery=(clock.today() - record.surgery.date).days,
        procedure=record.surgery.procedure.value,
        sliders=SLIDERS,
        signs=SIGNS,
        odi_sections=ODI_SECTIONS,
        odi_statements=_odi_statements(request),
        odi_open=any(k.startswith("odi_") for k in errors) or any(values.get(f"odi_{i}") for i in range(10)),
        field_ids=_field_ids(),
        idempotency_key=values.get("idempotency_key") or secrets.token_urlsafe(18),
        errors=dict(errors),
        values=dict(values),
        answered={s.field: _answered(values, s) for s in SLIDERS},
        notice=notice,
    )


def _answered(values: Mapping[str, str], slider: Slider) -> bool:
    """Whether the slider has a value to show: an earlier answer, or a value sent back that parse_form takes
    (without the script every value is taken; with it, only a slider whose `_answered` flag is not "0")."""
    if values.get(slider.field, "") == "":
        return False
    return values.get("js") != "1" or values.get(slider.answered_field) != "0"


def _field_ids() -> dict[str, str]:
    ids = {s.field: f"f-{s.field}" for s in SLIDERS}
    ids |= {q.field: f"f-{q.field}" for q in SIGNS}
    ids |= {f"odi_{i}": f"f-odi_{i}" for i in range(10)}
    return ids | {"walking_minutes": "f-walking_minutes", "temperature_c": "f-temperature_c"}


EXPIRED = "Your form had expired, so your check-in was not sent."


@router.post("/{token}/checkin", response_class=HTMLResponse)
async def submit_checkin(request: Request, token: str) -> Response:
    """Store today's check-in; on bad input show the form again with messages beside the fields.

    The patient's answers are never thrown away: an expired form (CSRF check failed) is shown again with a
    fresh token and the answers kept. A "yes" to an emergency sign always shows the call-now instruction
    first; when other answers are unreadable the check-in is stored without them if the rest is valid (so
    the clinic gets the alert), and otherwise the page says it was not saved yet and why.
    """
    form = await _fields(request)
    try:
        await pages.check_csrf(request)
        csrf_ok = True
    except CsrfError:
        csrf_ok = False
    opened = _open(request, token)
    if isinstance(opened, HTMLResponse):
        return opened
    actor, detail = opened
    signs = emergency_answers(form)
    if not csrf_ok:  # never store without a valid token
        if signs:
            return _emergency_not_saved(request, token, detail, form, [EXPIRED], 403)
        notice = f"{EXPIRED} Your answers are still here: check them and send your check-in again."
        return _form(request, token, detail, {}, form, 403, notice=notice)
    data, errors = parse_form(form)
    data["date"] = clock.today().isoformat()
    stored: CheckinResult | None = None
    if not errors or signs:
        try:
            # With an emergency sign, unreadable answers are left out (parse_form set them to None).
            stored = _store_checkin(request, actor, data, form.get("idempotency_key") or None)
        except InvalidInput as error:
            errors = {**_errors_from(error.problems), **errors}
        except NotFound:
            return _invalid_link(request)
    if stored is not None and not errors:
        if stored.assessment.follow_up and stored.assessment.triage.level is not TriageLevel.EMERGENCY:
            return RedirectResponse(f"/p/{token}/follow-up/{stored.checkin.id}", status_code=303)
        return RedirectResponse(f"/p/{token}/recovery?saved=1", status_code=303)
    if signs and stored is not None:
        return _emergency_saved_without(request, token, stored, errors, form)
    if signs:
        return _emergency_not_saved(request, token, detail, form, list(errors.values()), 422)
    return _form(request, token, detail, errors, form, 422)


def _store_checkin(request: Request, actor: Actor, data: dict[str, Any], key: str | None) -> CheckinResult:
    """Store the form's check-in. The form keeps its key when it comes back with messages, so a key reused
    with changed answers is the patient's corrected check-in: it is stored as a new one, never dropped."""
    uow = pages.page_context(request).uow()
    try:
        return record_checkin(uow, actor, _ref(actor), data, idempotency_key=key)
    except IdempotencyKeyReused:
        return record_checkin(uow, actor, _ref(actor), data, idempotency_key=secrets.token_urlsafe(18))


@router.post("/{token}/checkin/review", response_class=HTMLResponse)
async def review_checkin(request: Request, token: str) -> Response:
    """Back from the emergency instruction: the check-in form again with the answers as sent (stores nothing)."""
    opened = _open(request, token)
    if isinstance(opened, HTMLResponse):
        return opened
    _actor, detail = opened
    form = await _fields(request)
    _data, errors = parse_form(form)
    notice = "Your check-in has not been sent yet. Check your answers and send it."
    return _form(request, token, detail, errors, form, 200, notice=notice)


async def _fields(request: Request) -> dict[str, str]:
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}


def emergency_answers(form: Mapping[str, str]) -> list[Question]:
    """The emergency signs answered "yes" on the form."""
    return [q for q in SIGNS if q.field in EMERGENCY_SIGNS and form.get(q.field) == "yes"]


def _emergency_not_saved(
    request: Request,
    token: str,
    detail: PatientDetail,
    form: Mapping[str, str],
    reasons: list[str],
    status_code: int,
) -> HTMLResponse:
    """The call-now instruction for a check-in that could not be stored, with a way back to the form."""
    kept = {k: v for k, v in form.items() if k != "csrf_token"}
    return pages.render(
        request,
        "patient/emergency.html",
        status_code,
        base=f"/p/{token}",
        days_since_surgery=(clock.today() - detail.record.surgery.date).days,
        flags=[],
        told=[q.question.rstrip("?") for q in emergency_answers(form)],
        saved=False,
        not_saved_because=reasons,
        kept=kept,
    )


def _emergency_saved_without(
    request: Request, token: str, stored: CheckinResult, errors: Mapping[str, str], form: Mapping[str, str]
) -> HTMLResponse:
    """The call-now instruction for a check-in stored without its unreadable answers."""
    assessment = stored.assessment
    flags = [f for f in assessment.flags if f.level is TriageLevel.EMERGENCY]
    return pages.render(
        request,
        "patient/emergency.html",
        200,
        base=f"/p/{token}",
        days_since_surgery=assessment.days_since_surgery,
        flags=flags,
        told=[] if flags else [q.question.rstrip("?") for q in emergency_answers(form)],
        saved=True,
        left_out=list(errors.values()),
    )


def parse_form(form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Turn the check-in form into input-contract fields, with a plain message per unreadable field."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    with_script = form.get("js") == "1"  # checkin.js marks each slider the patient moved
    for slider in SLIDERS:
        if with_script and form.get(slider.answered_field) == "0":
            data[slider.field] = None  # not moved: unknown, not the thumb's resting place
            continue
        data[slider.field] = _number(form, slider.field, int, errors, "Choose a whole number from 0 to 10.")
    for name, message in ALLOWED.items():
        data[name] = _number(form, name, float, errors, message)
    for question in SIGNS:
        answer = form.get(question.field, "")
        if answer not in ("", "yes", "no"):
            errors[question.field] = "Choose yes or no."
        # The form asks "since your last check-in, have you had ...": a question left open is a "no" (the
        # engine keeps an earlier "yes" only while later check-ins leave the question unknown).
        data[question.field] = answer == "yes"
    odi = [_number(form, f"odi_{i}", int, errors, "Choose 0 to 5, or Not answered.") for i in range(10)]
    data["odi"] = odi if any(a is not None for a in odi) else None
    return data, errors


# The contract's ranges, checked here too so that every bad field is named at once.
RANGES = {"walking_minutes": (0, 1440), "temperature_c": (30, 45)}


def _number(
    form: Mapping[str, str], name: str, kind: type[int] | type[float], errors: dict[str, str], message: str
) -> int | float | None:
    raw = form.get(name, "").strip().replace(",", ".")
    if raw == "":
        return None
    low, high = RANGES.get(name, (0, 5 if name.startswith("odi_") else 10))
    try:
        value = kind(raw)
    except ValueError:
        errors[name] = message
        return None
    if not low <= value <= high:
        errors[name] = message
        return None
    return value


def _errors_from(problems: list[Problem]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for problem in problems:
        path = problem.path or "main"
        if path.startswith("odi"):
            index = path.removeprefix("odi").strip(".[]") or "0"
            path = f"odi_{index}" if index.isdigit() else "odi_0"
        words = ALLOWED.get(path) or (
            "Choose a whole number from 0 to 10." if path in {s.field for s in SLIDERS} else None
        )
        errors[path] = words or _sentence(problem.message)
    return errors


def _sentence(message: str) -> str:
    message = message.strip()
    return (message[:1].upper() + message[1:]).rstrip(".") + "."


@router.get("/{token}/recovery", response_class=HTMLResponse)
def recovery(request: Request, token: str, after: str | None = None, saved: str | None = None) -> Response:
    """My recovery: the phase, each symptom's chart, what is normal, what helps, when to call."""
    opened = _open(request, token)
    if isinstance(opened, HTMLResponse):
        return opened
    _actor, detail = opened
    assessment = detail.assessment
    base = f"/p/{token}"
    if assessment.triage.level is TriageLevel.EMERGENCY and after != "emergency":
        return pages.render(
            request,
            "patient/emergency.html",
            base=base,
            days_since_surgery=assessment.days_since_surgery,
            flags=[f for f in assessment.flags if f.level is TriageLevel.EMERGENCY],
        )
    knowledge = pages.knowledge()
    return pages.render(
        request,
        "patient/recovery.html",
        base=base,
        assessment=assessment,
        saved=bool(saved),
        latest_checkin_id=detail.checkins[-1].id if detail.checkins else None,
        # With an emergency the page is about calling now: no forecast of the months ahead.
        charts=pages.symptom_charts(
            knowledge, detail.record, assessment, forecast=assessment.triage.level is not TriageLevel.EMERGENCY
        ),
        sources=pages.sources_by_id(assessment) | _red_flag_sources(),
        red_flag_sources=sorted({s for r in knowledge.rules.values() if r.level in _CALL for s in r.sources}),
    )


_CALL = {"emergency", "urgent"}


def _red_flag_sources() -> dict[str, dict[str, Any]]:
    knowledge = pages.knowledge()
    cited = {s for r in knowledge.rules.values() if r.level in _CALL for s in r.sources}
    return {sid: knowledge.sources[sid].as_dict() for sid in cited if sid in knowledge.sources}
