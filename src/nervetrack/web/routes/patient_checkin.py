"""Today's check-in: the form, a short review of the answers, then saving; nothing is stored until the
patient confirms on the review, except a warning sign that calls for the emergency number, which is stored at
once with whatever else can be read.

The patient's answers are never thrown away: an expired form (CSRF check failed) comes back with the answers
kept, "Change my answers" returns to the form with them, and a key reused with corrected answers stores a new
check-in rather than dropping it.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool

from nervetrack.adapters.odi_statements import load_odi_statements
from nervetrack.domain.errors import InvalidInput, Problem
from nervetrack.domain.model import TriageLevel
from nervetrack.services import clock
from nervetrack.services.checkins import record_checkin
from nervetrack.services.errors import IdempotencyKeyReused
from nervetrack.services.views import CheckinResult
from nervetrack.web import pages, unavailable
from nervetrack.web.csrf import CsrfError
from nervetrack.web.input_guards import NUL, nul_fields
from nervetrack.web.patient_form import (
    MESSAGES,
    NO_SIGNS,
    ODI_SECTIONS,
    RATINGS,
    SAME,
    SIGNS_FIELD,
    emergency_fields,
    last_values,
    parse_form,
    sign_list,
    ticked_signs,
)
from nervetrack.web.routes.patient import Opened, emergency_flags, emergency_page, open_link

router = APIRouter(prefix="/p", include_in_schema=False)
EXPIRED = "Your form had expired, so your check-in was not sent."
NOT_SAVED = "We could not reach our records just now, so your check-in was not saved."
UNREADABLE = "Part of your form could not be read."
BAD_FIELDS = "_fields_with_nul"
MAX_KEY = 200
Form = dict[str, Any]


@router.get("/{token}", response_class=HTMLResponse)
def checkin_form(request: Request, token: str) -> Response:
    """Today's check-in form: every question unanswered, with last time's answer beside it."""
    return _form(request, open_link(request, token, for_new_checkin=True), {}, {})


def _form(
    request: Request,
    opened: Opened,
    errors: Mapping[str, str],
    values: Form,
    status_code: int = 200,
    notice: str | None = None,
) -> HTMLResponse:
    detail = opened.detail
    record = detail.record
    knowledge = pages.knowledge()
    return pages.render(
        request,
        "patient/checkin.html",
        status_code,
        base=opened.base,
        has_checkins=bool(detail.checkins),
        days_since_surgery=(clock.today() - record.surgery.date).days,
        procedure=record.surgery.procedure.value,
        ratings=RATINGS,
        same=SAME,
        last=last_values([c.values for c in detail.checkins]),
        signs=sign_list(knowledge),
        signs_field=SIGNS_FIELD,
        no_signs=NO_SIGNS,
        ticked=set(ticked_signs(values)),
        odi_sections=ODI_SECTIONS,
        odi_ends=knowledge.odi.section_ends,
        odi_statements=_odi_statements(request),
        odi_open=any(k.startswith("odi_") for k in errors) or any(values.get(f"odi_{i}") for i in range(10)),
        idempotency_key=_one(values, "idempotency_key") or secrets.token_urlsafe(18),
        errors=dict(errors),
        values={k: _one(values, k) for k in values if k != SIGNS_FIELD},
        notice=notice,
    )


def _odi_statements(request: Request) -> tuple[tuple[str, ...], ...] | None:
    """The clinic's licensed ODI statements, when it configured a file (checked at start-up)."""
    path = pages.page_context(request).settings.odi_statements_file
    return None if path is None else load_odi_statements(path)


def _one(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name, "")
    return str(value[-1] if isinstance(value, list) and value else value if not isinstance(value, list) else "")


async def _posted(request: Request) -> Form:
    """The posted form, with the warning signs (several ticks of one name) as a list. A NUL character is never
    part of an answer: it is dropped, and the names of the fields that held one are kept under BAD_FIELDS."""
    form = await request.form()
    fields: Form = {k: v for k, v in form.items() if isinstance(v, str) and k != SIGNS_FIELD}
    fields[SIGNS_FIELD] = [v for v in form.getlist(SIGNS_FIELD) if isinstance(v, str)]
    bad = nul_fields(fields)
    if bad:
        fields = {k.replace(NUL, ""): _without_nul(v) for k, v in fields.items()}
        fields[BAD_FIELDS] = bad
    return fields


def _without_nul(value: Any) -> Any:
    return [v.replace(NUL, "") for v in value] if isinstance(value, list) else str(value).replace(NUL, "")


def _usable_key(key: str) -> bool:
    """The form's idempotency key as the page made it: 1-200 visible ASCII characters."""
    return 0 < len(key) <= MAX_KEY and key.isascii() and key.isprintable() and " " not in key


@router.post("/{token}/checkin", response_class=HTMLResponse)
async def submit_checkin(request: Request, token: str) -> Response:
    """Review the answers (`step=review`, the form's button) or save them (`step=save`, the review's). A sign
    that calls for the emergency number is saved at once and the call-now instruction shown first."""
    form = await _posted(request)
    csrf_ok = await _csrf_ok(request)
    # The database and the engine block: off the event loop, so other requests go on meanwhile.
    return await run_in_threadpool(_submit, request, token, form, csrf_ok)


def _submit(request: Request, token: str, form: Form, csrf_ok: bool) -> Response:
    opened = open_link(request, token)
    emergency = [s for s in ticked_signs(form) if s in emergency_fields(pages.knowledge())]
    if not csrf_ok:  # never store without a valid token
        if emergency:
            return _emergency_not_saved(request, opened, form, [EXPIRED], 403)
        notice = f"{EXPIRED} Your answers are still here: check them and send your check-in again."
        return _form(request, opened, {}, form, 403, notice=notice)
    last = last_values([c.values for c in opened.detail.checkins])
    data, errors = parse_form(form, last)
    errors |= {_error_key(name): UNREADABLE for name in form.get(BAD_FIELDS, [])}
    key = _one(form, "idempotency_key")
    if key and not _usable_key(key):
        # A key the page did not make (too long, or unreadable): never let it cost the check-in. The form comes
        # back with a fresh one; an emergency answer is stored under a fresh one at once.
        form = {**form, "idempotency_key": secrets.token_urlsafe(18)}
        errors.setdefault("main", f"{UNREADABLE} Please check your answers and send them again.")
    if not emergency and errors:
        return _form(request, opened, errors, form, 422)
    if not emergency and _one(form, "step") != "save":
        return _review(request, opened, form, data)
    data["date"] = clock.today().isoformat()
    try:
        stored = _store(request, opened, data, _one(form, "idempotency_key") or None)
    except DBAPIError as error:
        if not unavailable.is_unavailable(error):
            raise
        return _not_saved_now(request, opened, form, emergency)
    except InvalidInput as error:
        problems = _errors_from(error.problems)
        if emergency:
            return _emergency_not_saved(request, opened, form, list(problems.values()), 422)
        return _form(request, opened, problems, form, 422)
    if emergency:
        return _emergency_saved(request, opened, stored, errors, form)
    if stored.assessment.follow_up and stored.assessment.triage.level is not TriageLevel.EMERGENCY:
        return RedirectResponse(f"{opened.base}/follow-up/{stored.checkin.id}", status_code=303)
    return RedirectResponse(f"{opened.base}/recovery?saved=1", status_code=303)


def _not_saved_now(request: Request, opened: Opened, form: Form, emergency: list[str]) -> HTMLResponse:
    """The database is busy or down: nothing was stored. The answers stay on the page to send again, and an
    emergency answer still shows the call-now instruction first."""
    unavailable.note_busy()
    seconds = unavailable.retry_after(request)
    if emergency:
        response = _emergency_not_saved(request, opened, form, [NOT_SAVED], 503)
    else:
        response = _form(request, opened, {}, form, 503, notice=f"{NOT_SAVED} Please send it again in a minute.")
    response.headers["Retry-After"] = str(seconds)
    return response


async def _csrf_ok(request: Request) -> bool:
    try:
        await pages.check_csrf(request)
    except CsrfError:
        return False
    return True


def _review(request: Request, opened: Opened, form: Form, data: Mapping[str, Any]) -> HTMLResponse:
    """The answers as they will be saved, to confirm or change."""
    kept = {k: v for k, v in form.items() if k not in ("csrf_token", "step")}
    return pages.render(
        request,
        "patient/checkin_review.html",
        base=opened.base,
        ratings=RATINGS,
        data=data,
        same=[r.field for r in RATINGS if _one(form, r.field) == SAME],
        ticked=[s for s in sign_list(pages.knowledge()) if data.get(s.field)],
        kept=kept,
        odi_answered=sum(a is not None for a in (data.get("odi") or [])),
    )


@router.post("/{token}/checkin/edit", response_class=HTMLResponse)
async def edit_checkin(request: Request, token: str) -> Response:
    """Back to the form with the answers as sent (stores nothing): from the review, or the emergency page."""
    form = await _posted(request)
    return await run_in_threadpool(_edit, request, token, form)


def _edit(request: Request, token: str, form: Form) -> Response:
    opened = open_link(request, token)
    last = last_values([c.values for c in opened.detail.checkins])
    _data, errors = parse_form(form, last)
    notice = "Your check-in has not been saved yet. Check your answers and send it."
    return _form(request, opened, errors, form, 200, notice=notice)


def _store(request: Request, opened: Opened, data: dict[str, Any], key: str | None) -> CheckinResult:
    """Store the check-in. The form keeps its key when it comes back with messages, so a key reused with
    changed answers is the patient's corrected check-in: it is stored as a new one, never dropped."""
    uow = pages.page_context(request).uow()
    try:
        return record_checkin(uow, opened.actor, opened.ref, data, idempotency_key=key)
    except IdempotencyKeyReused:
        return record_checkin(uow, opened.actor, opened.ref, data, idempotency_key=secrets.token_urlsafe(18))


def _emergency_not_saved(
    request: Request, opened: Opened, form: Form, reasons: list[str], status_code: int
) -> HTMLResponse:
    """The call-now instruction for a check-in that could not be stored, with a way back to the form."""
    told = _told(form)
    kept = [(k, v) for k, v in form.items() if k not in ("csrf_token", SIGNS_FIELD) and isinstance(v, str)]
    kept += [(SIGNS_FIELD, v) for v in ticked_signs(form)]
    return emergency_page(
        request,
        opened,
        [],
        status_code,
        told=told,
        saved=False,
        not_saved_because=reasons,
        kept=kept,
    )


def _emergency_saved(
    request: Request, opened: Opened, stored: CheckinResult, errors: Mapping[str, str], form: Form
) -> Response:
    """The call-now instruction for a check-in stored at once (without any unreadable answers)."""
    flags = emergency_flags(stored.assessment)
    return emergency_page(request, opened, flags, saved=True, left_out=list(errors.values()), told=_told(form))


def _told(form: Form) -> list[str]:
    """The emergency signs ticked on the form, as the patient read them."""
    urgent = emergency_fields(pages.knowledge())
    return [s.question for s in sign_list(pages.knowledge()) if s.field in ticked_signs(form) and s.field in urgent]


def _error_key(name: str) -> str:
    """Where the form shows a message about field `name`."""
    if name in {r.field for r in RATINGS} or name in ("walking_minutes", "temperature", SIGNS_FIELD):
        return name
    return name if name.startswith("odi_") else "main"


def _errors_from(problems: list[Problem]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for problem in problems:
        path = problem.path or "main"
        if path.startswith("odi"):
            index = path.removeprefix("odi").strip(".[]") or "0"
            path = f"odi_{index}" if index.isdigit() else "odi_0"
        if path == "temperature_c":
            path = "temperature"
        words = MESSAGES.get(path) or (MESSAGES["rating"] if path in {r.field for r in RATINGS} else None)
        errors[path] = words or _sentence(problem.message)
    return errors


def _sentence(message: str) -> str:
    message = message.strip()
    return (message[:1].upper() + message[1:]).rstrip(".") + "."
