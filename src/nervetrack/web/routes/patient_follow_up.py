"""The patient's follow-up questions, asked straight after "Send" when the engine could not be sure.

/p/{token}/follow-up/{checkin_id} shows the questions the latest assessment asks about that check-in;
answering stores them on it and the triage runs again at once: an answer that matters shows the emergency
instruction, otherwise the recovery page. Questions left open stay on the recovery page, and after a day
the clinic is asked to call (services/follow_ups.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from nervetrack.domain.errors import InvalidInput
from nervetrack.domain.model import TriageLevel
from nervetrack.domain.results import FollowUp
from nervetrack.services.follow_ups import answer_follow_up
from nervetrack.web import pages
from nervetrack.web.csrf import CsrfError
from nervetrack.web.input_guards import MAX_DB_INT, NUL, whole_number
from nervetrack.web.routes.patient import emergency_flags, emergency_page, open_link

router = APIRouter(prefix="/p", include_in_schema=False)
CheckinId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]


@router.get("/{token}/follow-up/{checkin_id}", response_class=HTMLResponse)
def follow_up_form(request: Request, token: str, checkin_id: CheckinId) -> Response:
    """The open follow-up questions about the patient's latest check-in."""
    detail = open_link(request, token).detail
    questions = _open_questions(detail.assessment.follow_up, detail, checkin_id)
    if not questions:
        return RedirectResponse(f"/p/{token}/recovery?saved=1", status_code=303)
    return _form(request, token, checkin_id, questions, {}, {})


def _open_questions(questions: list[FollowUp], detail: Any, checkin_id: int) -> list[FollowUp]:
    """The questions are about the latest check-in only; for another one there is nothing to ask."""
    latest = detail.checkins[-1].id if detail.checkins else None
    return questions if latest == checkin_id else []


def _form(
    request: Request,
    token: str,
    checkin_id: int,
    questions: list[FollowUp],
    values: Mapping[str, str],
    errors: Mapping[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    return pages.render(
        request,
        "patient/follow_up.html",
        status_code,
        base=f"/p/{token}",
        checkin_id=checkin_id,
        questions=questions,
        values=dict(values),
        errors=dict(errors),
    )


@router.post("/{token}/follow-up/{checkin_id}", response_class=HTMLResponse)
async def submit_follow_up(request: Request, token: str, checkin_id: CheckinId) -> Response:
    """Store the answers given; an emergency among them shows the call-now instruction first."""
    # A NUL character is never part of an answer: dropped, so the answer is judged as the patient meant it.
    form = {k.replace(NUL, ""): v.replace(NUL, "") for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        await pages.check_csrf(request)
        csrf_ok = True
    except CsrfError:
        csrf_ok = False
    # The database and the engine block: off the event loop, so other requests go on meanwhile.
    return await run_in_threadpool(_submit, request, token, checkin_id, form, csrf_ok)


def _submit(request: Request, token: str, checkin_id: int, form: dict[str, str], csrf_ok: bool) -> Response:
    opened = open_link(request, token)
    detail = opened.detail
    questions = _open_questions(detail.assessment.follow_up, detail, checkin_id)
    if not csrf_ok:
        notice = {"main": "Your page had expired, so your answers were not sent. Please answer again."}
        return _form(request, token, checkin_id, questions, form, notice, 403)
    answers, errors = parse_answers(questions, form)
    if errors:
        return _form(request, token, checkin_id, questions, form, errors, 422)
    if not answers:
        return RedirectResponse(f"/p/{token}/recovery?saved=1", status_code=303)
    try:
        result = answer_follow_up(pages.page_context(request).uow(), opened.actor, opened.ref, checkin_id, answers)
    except InvalidInput as error:
        problems = {p.path.removeprefix("follow_up."): p.message for p in error.problems}
        return _form(request, token, checkin_id, questions, form, problems, 422)
    if result.assessment.triage.level is TriageLevel.EMERGENCY:
        return emergency_page(request, opened, emergency_flags(result.assessment))
    return RedirectResponse(f"/p/{token}/recovery?saved=1", status_code=303)


def parse_answers(questions: list[FollowUp], form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers given on the form in the contract's types (yes/no as true/false, a rating as a whole
    number, a choice as its text); questions left open are left out."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in questions:
        raw = form.get(question.id, "").strip()
        if raw == "":
            continue
        if question.answer == "yes_no":
            if raw not in ("yes", "no"):
                errors[question.id] = "Choose Yes or No."
                continue
            answers[question.id] = raw == "yes"
        elif question.answer == "0-10":
            number = whole_number(raw, 0, 10)
            if number is None:
                errors[question.id] = "Choose a whole number from 0 to 10."
                continue
            answers[question.id] = number
        elif raw in question.choices:
            answers[question.id] = raw
        else:
            errors[question.id] = "Choose one of the answers."
    return answers, errors
