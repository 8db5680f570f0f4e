"""Reminder pages and webhooks: the patient's reminder settings (/p/{token}/reminders: channel, address,
time, time zone, quiet hours; pause, stop, resume), the pause/stop page a reminder email links to (/u/{token},
which also takes the one-click POST of RFC 8058 from mail providers), and the text-message provider's
webhooks: inbound texts ("STOP", "START") and delivery reports, both checked against the provider's signature.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from nervetrack.adapters.sms import valid_signature
from nervetrack.domain.errors import InvalidInput
from nervetrack.services.errors import NotFound
from nervetrack.services.reminder_prefs import (
    CHANNELS,
    MAX_PAUSE_DAYS,
    get_preferences,
    manage_actor,
    pause_reminders,
    record_sms_status,
    resume_reminders,
    set_preferences,
    stop_by_number,
    stop_reminders,
)
from nervetrack.services.views import Actor
from nervetrack.web import pages
from nervetrack.web.clinician_deps import FormDep
from nervetrack.web.routes.patient import open_link

router = APIRouter(include_in_schema=False)
FIELDS = ("channel", "email", "sms_number", "local_time", "timezone", "quiet_start", "quiet_end")
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
START_WORDS = {"START", "UNSTOP", "YES"}


@router.get("/p/{token}/reminders", response_class=HTMLResponse)
def reminders_page(request: Request, token: str, done: str | None = None) -> Response:
    """The patient's reminder settings, with pause, stop and resume."""
    opened = open_link(request, token)
    prefs = get_preferences(pages.page_context(request).uow(), opened.actor, opened.ref)
    values = {name: getattr(prefs, name) or "" for name in FIELDS}
    return _page(request, opened.base, prefs, values, {}, 200, done)


def _page(
    request: Request,
    base: str,
    prefs: object,
    values: dict[str, str],
    errors: dict[str, str],
    status: int,
    done: str | None = None,
) -> HTMLResponse:
    return pages.render(
        request,
        "patient/reminders.html",
        status,
        base=base,
        prefs=prefs,
        values=values,
        errors=errors,
        channels=CHANNELS,
        done=_DONE.get(done or ""),
        max_pause=MAX_PAUSE_DAYS,
    )


_DONE = {
    "saved": "Your reminder settings are saved.",
    "paused": "Reminders are paused.",
    "stopped": "Reminders are stopped. You can start them again here at any time.",
    "resumed": "Reminders are on again.",
}


@router.post("/p/{token}/reminders", response_class=HTMLResponse)
def save_reminders(request: Request, token: str, form: FormDep) -> Response:
    """Save the settings; the form comes back with a message beside each bad value."""
    opened = open_link(request, token)
    uow = pages.page_context(request).uow()
    values = {name: form.get(name, "").strip() for name in FIELDS}
    try:
        set_preferences(uow, opened.actor, opened.ref, values)
    except InvalidInput as error:
        prefs = get_preferences(uow, opened.actor, opened.ref)
        return _page(request, opened.base, prefs, values, {p.path: p.message for p in error.problems}, 422)
    return RedirectResponse(f"{opened.base}/reminders?done=saved", status_code=303)


@router.post("/p/{token}/reminders/{action}", response_class=HTMLResponse)
def change_reminders(request: Request, token: str, action: str, form: FormDep) -> Response:
    """Pause (for the days chosen), stop or resume reminders."""
    opened = open_link(request, token)
    done = _act(request, opened.actor, opened.ref, action, form.get("days", "14"), "page")
    return RedirectResponse(f"{opened.base}/reminders?done={done}", status_code=303)


def _act(request: Request, actor: Actor, ref: str, action: str, days: str, by: str) -> str:
    uow = pages.page_context(request).uow()
    if action == "pause":
        pause_reminders(uow, actor, ref, int(days) if days.isdigit() else 0)
        return "paused"
    if action == "stop":
        stop_reminders(uow, actor, ref, by)
        return "stopped"
    if action == "resume":
        resume_reminders(uow, actor, ref)
        return "resumed"
    raise NotFound(f"no reminder action {action!r}")


@router.get("/u/{token}", response_class=HTMLResponse)
def manage_page(request: Request, token: str, done: str | None = None) -> Response:
    """The page a reminder email's "pause or stop" link opens: nothing changes until a button is pressed."""
    actor = _manage(request, token)
    prefs = get_preferences(pages.page_context(request).uow(), actor, actor.patient_ref or "")
    return pages.render(request, "patient/unsubscribe.html", prefs=prefs, token=token, done=_DONE.get(done or ""))


@router.post("/u/{token}", response_class=HTMLResponse)
async def manage(request: Request, token: str) -> Response:
    """Pause or stop from the email: the page's buttons, or a mail provider's one-click POST
    (List-Unsubscribe=One-Click), which stops. The signed token is the patient's authority here."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    # The database blocks: off the event loop, so other requests go on meanwhile.
    return await run_in_threadpool(_manage_submit, request, token, form)


def _manage_submit(request: Request, token: str, form: dict[str, str]) -> Response:
    actor = _manage(request, token)
    one_click = form.get("List-Unsubscribe") == "One-Click"
    action = "stop" if one_click else form.get("action", "")
    done = _act(request, actor, actor.patient_ref or "", action, form.get("days", "14"), "email")
    if one_click:
        return Response(status_code=200, content="unsubscribed", media_type="text/plain")
    return RedirectResponse(f"/u/{token}?done={done}", status_code=303)


def _manage(request: Request, token: str) -> Actor:
    context = pages.page_context(request)
    return manage_actor(context.uow(), context.secret_key, token)


async def _signed_form(request: Request, path: str) -> dict[str, str] | None:
    """The provider's form, if its X-Twilio-Signature is good for our public URL and token."""
    settings = pages.page_context(request).settings
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    signature = request.headers.get("X-Twilio-Signature", "")
    url = settings.resolved_public_url() + path
    if not settings.sms_token or not valid_signature(settings.sms_token, url, form, signature):
        return None
    return form


@router.post("/sms/inbound")
async def sms_inbound(request: Request) -> Response:
    """A text from a patient: STOP (and its synonyms) stops their reminders, START resumes them."""
    form = await _signed_form(request, "/sms/inbound")
    if form is None:
        return Response(status_code=403)
    word = form.get("Body", "").strip().upper()
    reply = ""
    if word in STOP_WORDS | START_WORDS:
        resume = word in START_WORDS
        uow = pages.page_context(request).uow()
        await run_in_threadpool(stop_by_number, uow, form.get("From", ""), resume=resume)
        reply = (
            "Check-in reminders are on again."
            if resume
            else "You will get no more check-in reminders. Reply START to get them again."
        )
    body = f"<Response><Message>{escape(reply)}</Message></Response>" if reply else "<Response/>"
    return Response(content=f'<?xml version="1.0" encoding="UTF-8"?>{body}', media_type="application/xml")


@router.post("/sms/status")
async def sms_status(request: Request) -> Response:
    """The provider's delivery report for a text: undelivered or failed is recorded as a bounce."""
    form = await _signed_form(request, "/sms/status")
    if form is None:
        return Response(status_code=403)
    await run_in_threadpool(
        record_sms_status,
        pages.page_context(request).uow(),
        form.get("MessageSid", ""),
        form.get("MessageStatus", ""),
        form.get("ErrorCode"),
    )
    return Response(status_code=204)
