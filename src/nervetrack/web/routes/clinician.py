"""Clinician pages under /clinic: login, dashboard, patient page, add patient, patient links, export.

A clinician sees only their own clinic: every read goes through the services with the clinician as actor,
and another clinic's patient is simply not found. Every form carries a CSRF token checked on POST.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from nervetrack.domain.errors import InvalidInput
from nervetrack.domain.model import RED_FLAG_SIGNS, Approach, CheckIn, Procedure, Sex, TriageLevel
from nervetrack.services.alerts import acknowledge_alert
from nervetrack.services.audit import audit_trail
from nervetrack.services.clinics import authenticate, get_clinician
from nervetrack.services.dashboard import dashboard
from nervetrack.services.errors import (
    AuthenticationFailed,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    ServiceError,
)
from nervetrack.services.patients import add_patient, export_patient, get_patient
from nervetrack.services.tokens import issue_link, revoke_link
from nervetrack.services.views import ClinicianView
from nervetrack.web import pages
from nervetrack.web.csrf import CsrfError

router = APIRouter(prefix="/clinic", include_in_schema=False)

LOGIN = "/clinic/login"
BASELINE_FIELDS = (
    ("leg_pain", "Leg pain"),
    ("back_pain", "Back pain"),
    ("numbness", "Numbness"),
    ("tingling", "Tingling"),
    ("weakness", "Weakness"),
    ("walking_minutes", "Walking minutes"),
)


class NotLoggedIn(Exception):
    """The request has no clinician session."""


def _clinician(request: Request) -> ClinicianView:
    data = pages.session(request)
    if data.clinician_id is None:
        raise NotLoggedIn
    try:
        return get_clinician(pages.page_context(request).uow(), data.clinician_id)
    except NotFound:
        data.log_out()
        raise NotLoggedIn from None


def _to_login(request: Request) -> Response:
    return pages.finish(request, RedirectResponse(LOGIN, status_code=303))


def _not_found(request: Request, clinician: ClinicianView) -> HTMLResponse:
    return pages.error_page(
        request,
        404,
        "Patient not found",
        "There is no patient with this id in your clinic.",
        home="/clinic/",
        clinician=clinician,
    )


def _signed_in(request: Request) -> ClinicianView | Response:
    """The logged-in clinician, or the redirect to the login page."""
    try:
        return _clinician(request)
    except NotLoggedIn:
        return _to_login(request)


async def _signed_in_form(request: Request) -> ClinicianView | Response:
    """The logged-in clinician posting a form with a valid CSRF token, or the page that says why not."""
    clinician = _signed_in(request)
    if isinstance(clinician, Response):
        return clinician
    failed = await _csrf_failed(request)
    return clinician if failed is None else failed


async def _csrf_failed(request: Request) -> HTMLResponse | None:
    try:
        await pages.check_csrf(request)
    except CsrfError:
        return pages.error_page(
            request, 403, "Please send the form again", "The form had expired. Reload the page and try again."
        )
    return None


async def _form(request: Request) -> dict[str, str]:
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}


# --- login ---------------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    """The login form."""
    return pages.render(request, "clinician/login.html")


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    """Check the credentials (rate limited per account and address) and start the session."""
    if (failed := await _csrf_failed(request)) is not None:
        return failed
    form = await _form(request)
    context = pages.page_context(request)
    address = request.client.host if request.client else "unknown"
    email = form.get("email", "")
    try:
        clinician = authenticate(context.uow(), context.limiter, email, form.get("password", ""), address)
    except RateLimited as error:
        response = pages.render(
            request,
            "clinician/login.html",
            429,
            email=email,
            error=f"Too many failed attempts. Try again in {error.retry_after} seconds.",
        )
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    except AuthenticationFailed:
        return pages.render(request, "clinician/login.html", 401, email=email, error="Wrong email or password.")
    pages.session(request).log_in(clinician.id)
    return pages.finish(request, RedirectResponse("/clinic/", status_code=303))


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session."""
    if (failed := await _csrf_failed(request)) is not None:
        return failed
    pages.session(request).log_out()
    return _to_login(request)


# --- dashboard -----------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse, include_in_schema=False)
@router.get("/", response_class=HTMLResponse)
def dashboard_page(
    request: Request,
    procedure: str = "",
    phase: str = "",
    level: str = "",
    q: str = "",
    page: str = "1",
) -> Response:
    """The clinic's patients: open alerts first, then longest since the last check-in, PAGE_SIZE a page."""
    clinician = _signed_in(request)
    if isinstance(clinician, Response):
        return clinician
    context = pages.page_context(request)
    knowledge = pages.knowledge()
    filters = {
        "procedure": procedure if procedure in {p.value for p in Procedure} else "",
        "phase": phase if phase in {p.code for p in knowledge.phases} else "",
        "level": level if level in {lv.value for lv in TriageLevel} else "",
        "q": q.strip()[:64],
    }
    board = dashboard(
        context.uow(),
        clinician.as_actor(),
        procedure=filters["procedure"] or None,
        phase=filters["phase"] or None,
        level=filters["level"] or None,
        search=filters["q"] or None,
        overdue_days=context.settings.overdue_days,
        limit=PAGE_SIZE,
        offset=(_page_number(page) - 1) * PAGE_SIZE,
    )
    pages_total = max(1, -(-board.total // PAGE_SIZE))
    number = min(_page_number(page), pages_total)
    query = {k: v for k, v in filters.items() if v}
    return pages.render(
        request,
        "clinician/dashboard.html",
        clinician=clinician,
        dashboard=board,
        filters=filters,
        procedures=[p.value for p in Procedure],
        phases=[(p.code, p.title) for p in knowledge.phases],
        phase_titles={p.code: p.title for p in knowledge.phases},
        levels=[lv.value for lv in sorted(TriageLevel, key=lambda lv: -lv.rank)],
        first_row=(number - 1) * PAGE_SIZE + 1,
        previous_url=_page_url(query, number - 1) if number > 1 else None,
        next_url=_page_url(query, number + 1) if number < pages_total else None,
    )


PAGE_SIZE = 200


def _page_number(page: str) -> int:
    # An unreadable or out-of-range page number shows the first page rather than an error.
    return int(page) if page.isdigit() and 0 < int(page) < 10**6 else 1


def _page_url(query: dict[str, str], number: int) -> str:
    return "/clinic/?" + urlencode({**query, "page": str(number)})


# --- add patient ---------------------------------------------------------------------------------


def _new_patient_page(
    request: Request, clinician: ClinicianView, values: Mapping[str, str], errors: Mapping[str, str], status: int
) -> HTMLResponse:
    return pages.render(
        request,
        "clinician/new_patient.html",
        status,
        clinician=clinician,
        values=dict(values),
        errors=dict(errors),
        sexes=[s.value for s in Sex],
        procedures=[p.value for p in Procedure],
        approaches=[a.value for a in Approach],
        baseline_fields=BASELINE_FIELDS,
    )


@router.get("/patients/new", response_class=HTMLResponse)
def new_patient_page(request: Request) -> Response:
    """The add-patient form."""
    clinician = _signed_in(request)
    if isinstance(clinician, Response):
        return clinician
    return _new_patient_page(request, clinician, {"sex": "unknown", "approach": "open"}, {}, 200)


@router.post("/patients", response_class=HTMLResponse)
async def create_patient(request: Request) -> Response:
    """Add a patient and their surgery; show the form again with messages beside the fields on bad input."""
    clinician = await _signed_in_form(request)
    if isinstance(clinician, Response):
        return clinician
    form = await _form(request)
    data, errors = patient_data(form)
    if not errors:
        try:
            summary = add_patient(pages.page_context(request).uow(), clinician.as_actor(), data)
        except InvalidInput as error:
            errors = _form_errors(error)
        except Conflict:
            errors = {"id": "This clinic already has a patient with this id."}
        else:
            return RedirectResponse(f"/clinic/patients/{summary.patient_id}?added=1", status_code=303)
    return _new_patient_page(request, clinician, form, errors, 422)


def patient_data(form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Turn the add-patient form into the input contract's patient, surgery and baseline."""
    errors: dict[str, str] = {}
    patient: dict[str, Any] = {"id": form.get("id", "").strip(), "sex": form.get("sex") or "unknown"}
    patient["birth_year"] = _number(form, "birth_year", errors)
    for flag in ("diabetes", "peripheral_neuropathy", "smoker"):
        patient[flag] = form.get(flag) == "yes"
    levels = [part.strip().upper() for part in form.get("levels", "").split(",") if part.strip()]
    surgery: dict[str, Any] = {
        "date": form.get("date", "").strip(),
        "procedure": form.get("procedure", ""),
        "approach": form.get("approach") or "open",
        "levels": levels,
        "symptom_duration_weeks": _number(form, "symptom_duration_weeks", errors),
    }
    baseline = {name: _number(form, f"baseline_{name}", errors) for name, _ in BASELINE_FIELDS}
    data: dict[str, Any] = {"patient": patient, "surgery": surgery}
    if any(v is not None for v in baseline.values()):
        data["baseline"] = baseline
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


def _form_errors(error: InvalidInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    for problem in error.problems:
        section, _, field = problem.path.partition(".")
        name = field.split(".")[0].split("[")[0] or section
        if section == "baseline":
            name = f"baseline_{name}"
        errors[name or "id"] = problem.message
    return errors


# --- patient page --------------------------------------------------------------------------------


@router.get("/patients/{patient_id}", response_class=HTMLResponse)
def patient_page(request: Request, patient_id: str, added: str | None = None, done: str | None = None) -> Response:
    """One patient in full: surgery, alerts, current assessment, charts, check-ins, audit trail."""
    clinician = _signed_in(request)
    if isinstance(clinician, Response):
        return clinician
    key = "added" if added else (done or "")
    return _patient_page(request, clinician, patient_id, _MESSAGES.get(key))


_MESSAGES = {
    "added": "Patient added. Issue a link to let them check in.",
    "acknowledged": "Alert acknowledged.",
    "revoked": "The patient's links were revoked.",
}


def _patient_page(
    request: Request, clinician: ClinicianView, patient_id: str, message: str | None = None
) -> HTMLResponse:
    context = pages.page_context(request)
    actor = clinician.as_actor()
    try:
        detail = get_patient(context.uow(), actor, patient_id)
        trail = audit_trail(context.uow(), actor, patient_id)
    except (NotFound, Forbidden):
        return _not_found(request, clinician)
    knowledge = pages.knowledge()
    a = detail.assessment
    patient = detail.record.patient
    risks = [
        label
        for flag, label in (("diabetes", "diabetes"), ("peripheral_neuropathy", "neuropathy"), ("smoker", "smoker"))
        if getattr(patient, flag)
    ]
    alerts = sorted(detail.alerts, key=lambda al: (not al.is_open, -al.level.rank if al.is_open else 0))
    return pages.render(
        request,
        "clinician/patient.html",
        clinician=clinician,
        record=detail.record,
        assessment=a,
        alerts=alerts,
        checkins=list(reversed(detail.checkins)),
        has_active_link=detail.has_active_link,
        charts=pages.symptom_charts(knowledge, detail.record, a),
        odi_svg=pages.odi_chart(knowledge, detail.record, a),
        sources=pages.sources_by_id(a),
        audit=sorted(trail, key=lambda e: e.at, reverse=True),
        risk_factors=risks,
        message=message,
        sign_list=_signs,
        odi_of=_odi_text,
    )


def _signs(values: CheckIn) -> list[str]:
    """The signs answered yes, then the follow-up answers given on the check-in."""
    signs = [sign.replace("_", " ") for sign in RED_FLAG_SIGNS if values.has(sign)]
    questions = pages.knowledge().questions
    for qid, answer in (values.follow_up or {}).items():
        question = questions.get(qid)
        shown = question.key_of(answer) if question else str(answer)
        signs.append(f'asked "{question.text if question else qid}": {shown}')
    return signs


def _odi_text(values: CheckIn) -> str:
    if values.odi is None:
        return "–"
    given = [a for a in values.odi if a is not None]
    return f"{sum(given)}/{5 * len(given)}" if given else "–"


@router.post("/patients/{patient_id}/alerts/{alert_id}/acknowledge", response_class=HTMLResponse)
async def acknowledge(request: Request, patient_id: str, alert_id: int) -> Response:
    """Acknowledge an open alert with a note."""
    clinician = await _signed_in_form(request)
    if isinstance(clinician, Response):
        return clinician
    note = (await _form(request)).get("note", "").strip()
    try:
        acknowledge_alert(
            pages.page_context(request).uow(), clinician.as_actor(), alert_id, note, patient_id=patient_id
        )
    except NotFound:
        return _not_found(request, clinician)
    except Conflict:
        return _patient_page(request, clinician, patient_id, "That alert was already acknowledged.")
    return RedirectResponse(f"/clinic/patients/{patient_id}?done=acknowledged", status_code=303)


@router.post("/patients/{patient_id}/link", response_class=HTMLResponse)
async def new_link(request: Request, patient_id: str) -> Response:
    """Issue a new check-in link (revoking earlier ones) and show it once."""
    clinician = await _signed_in_form(request)
    if isinstance(clinician, Response):
        return clinician
    try:
        issued = issue_link(pages.page_context(request).uow(), clinician.as_actor(), patient_id)
    except (NotFound, Forbidden):
        return _not_found(request, clinician)
    link = f"{str(request.base_url).rstrip('/')}/p/{issued.secret}"
    return pages.render(request, "clinician/link_issued.html", clinician=clinician, patient_id=patient_id, link=link)


@router.post("/patients/{patient_id}/link/revoke", response_class=HTMLResponse)
async def revoke(request: Request, patient_id: str) -> Response:
    """Revoke every active link of the patient."""
    clinician = await _signed_in_form(request)
    if isinstance(clinician, Response):
        return clinician
    try:
        revoke_link(pages.page_context(request).uow(), clinician.as_actor(), patient_id)
    except (NotFound, Forbidden):
        return _not_found(request, clinician)
    return RedirectResponse(f"/clinic/patients/{patient_id}?done=revoked", status_code=303)


@router.get("/patients/{patient_id}/export.json")
def export(request: Request, patient_id: str) -> Response:
    """Download everything stored about the patient as JSON."""
    clinician = _signed_in(request)
    if isinstance(clinician, Response):
        return clinician
    try:
        data = export_patient(pages.page_context(request).uow(), clinician.as_actor(), patient_id)
    except (NotFound, Forbidden):
        return _not_found(request, clinician)
    except ServiceError:  # pragma: no cover - any other refusal is shown as not found too
        return _not_found(request, clinician)
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="nervetrack-{patient_id}.json"',
            "Cache-Control": "no-store",
        },
    )


root_router = APIRouter(include_in_schema=False)


@root_router.get("/")
def home() -> Response:
    """The site root leads to the clinic dashboard (patients come in through their own link)."""
    return RedirectResponse("/clinic/", status_code=303)


@root_router.get("/login")
def old_login() -> Response:
    """The clinicians' login lives at /clinic/login; /login leads there."""
    return RedirectResponse(LOGIN, status_code=308)
