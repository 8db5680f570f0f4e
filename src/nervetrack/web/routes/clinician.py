"""Clinician pages under /clinic: login, the dashboard and the clinic's settings (the patient pages are in
clinician_patients.py).

A clinician sees only their own clinic: every read goes through the services with the clinician as actor, and
another clinic's patient is simply not found. Every form carries a CSRF token checked on POST
(clinician_deps), and a page without a session leads to the login page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from nervetrack.domain.errors import InvalidInput
from nervetrack.domain.model import Procedure, TriageLevel
from nervetrack.domain.schedule import format_schedule
from nervetrack.services.clinician_sessions import end_session, start_session
from nervetrack.services.clinics import CLINIC_SETTINGS, authenticate, get_clinic, update_clinic
from nervetrack.services.dashboard import dashboard
from nervetrack.services.errors import AuthenticationFailed, RateLimited
from nervetrack.services.views import ClinicianView
from nervetrack.web import pages
from nervetrack.web.client_address import client_address
from nervetrack.web.clinician_deps import LOGIN, ClinicianDep, FormDep
from nervetrack.web.device_cookie import device_of, remember_device
from nervetrack.web.input_guards import whole_number

router = APIRouter(prefix="/clinic", include_in_schema=False)
PAGE_SIZE = 200


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    """The login form."""
    return pages.render(request, "clinician/login.html")


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, form: FormDep) -> Response:
    """Check the credentials (with back-off per account, device and address) and start a server-side session."""
    context = pages.page_context(request)
    settings = context.settings
    address = client_address(request, settings.trusted_proxies)
    email = form.get("email", "").strip().lower()
    device = device_of(request, context.secret_key, email)
    try:
        clinician = authenticate(
            context.uow(), context.throttle, email, form.get("password", ""), address, device=device
        )
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
    pages.session(request).log_in(start_session(context.uow(), clinician.id))
    signed_in = pages.finish(request, RedirectResponse("/clinic/", status_code=303))
    remember_device(signed_in, context.secret_key, email, device, context.secure_cookies)
    return signed_in


@router.post("/logout")
def logout(request: Request, _form: FormDep) -> Response:
    """End the session, on the server too: the old cookie opens nothing afterwards."""
    data = pages.session(request)
    if data.secret:
        end_session(pages.page_context(request).uow(), data.secret)
    data.log_out()
    return pages.finish(request, RedirectResponse(LOGIN, status_code=303))


@router.get("", response_class=HTMLResponse, include_in_schema=False)
@router.get("/", response_class=HTMLResponse)
def dashboard_page(
    request: Request,
    clinician: ClinicianDep,
    procedure: str = "",
    phase: str = "",
    level: str = "",
    q: str = "",
    overdue: str = "",
    page: str = "1",
) -> Response:
    """The clinic's patients: open alerts first, then longest since the last check-in, PAGE_SIZE a page."""
    context = pages.page_context(request)
    knowledge = pages.knowledge()
    filters = {
        "procedure": procedure if procedure in {p.value for p in Procedure} else "",
        "phase": phase if phase in {p.code for p in knowledge.phases} else "",
        "level": level if level in {lv.value for lv in TriageLevel} else "",
        "q": q.strip()[:64],
        "overdue": "1" if overdue == "1" else "",
    }
    board = dashboard(
        context.uow(),
        clinician.as_actor(),
        procedure=filters["procedure"] or None,
        phase=filters["phase"] or None,
        level=filters["level"] or None,
        search=filters["q"] or None,
        overdue=filters["overdue"] == "1",
        limit=PAGE_SIZE,
        offset=(page_number(page) - 1) * PAGE_SIZE,
    )
    pages_total = max(1, -(-board.total // PAGE_SIZE))
    number = min(page_number(page), pages_total)
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


def page_number(page: str) -> int:
    # An unreadable or out-of-range page number shows the first page rather than an error.
    return whole_number(page, 1, 10**6 - 1) or 1


def _page_url(query: dict[str, str], number: int) -> str:
    return "/clinic/?" + urlencode({**query, "page": str(number)})


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, clinician: ClinicianDep, saved: str | None = None) -> Response:
    """How patients reach the clinic (shown on their pages) and the clinic's time zone."""
    clinic = get_clinic(pages.page_context(request).uow(), clinician.clinic_id)
    values = {name: getattr(clinic, name) or "" for name in CLINIC_SETTINGS}
    return _settings(request, clinician, values, {}, 200, saved=bool(saved))


def _settings(
    request: Request,
    clinician: ClinicianView,
    values: dict[str, str],
    errors: dict[str, str],
    status: int,
    saved: bool = False,
) -> HTMLResponse:
    default = format_schedule(pages.knowledge().schedule)
    return pages.render(
        request,
        "clinician/settings.html",
        status,
        clinician=clinician,
        values=values,
        errors=errors,
        saved=saved,
        default_schedule=default,
    )


@router.post("/settings", response_class=HTMLResponse)
def save_settings(request: Request, clinician: ClinicianDep, form: FormDep) -> Response:
    """Save the clinic's contact settings; the form comes back with a message beside a bad value."""
    values = {name: form.get(name, "") for name in CLINIC_SETTINGS}
    try:
        update_clinic(pages.page_context(request).uow(), clinician.as_actor(), **values)
    except InvalidInput as error:
        return _settings(request, clinician, values, {p.path: p.message for p in error.problems}, 422)
    return RedirectResponse("/clinic/settings?saved=1", status_code=303)


root_router = APIRouter(include_in_schema=False)


@root_router.get("/")
def home() -> Response:
    """The site root leads to the clinic dashboard (patients come in through their own link)."""
    return RedirectResponse("/clinic/", status_code=303)


@root_router.get("/login")
def old_login() -> Response:
    """The clinicians' login lives at /clinic/login; /login leads there."""
    return RedirectResponse(LOGIN, status_code=308)
