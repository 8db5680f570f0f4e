"""What the HTML pages share: templates, the signed session, CSRF checks, charts and friendly error pages.

The page routers (routes/patient.py, routes/clinician.py) call the services exactly as the JSON API does;
this module only adapts them to HTML. Every response that renders a form also writes the session cookie
that the form's CSRF token is tied to.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker

from nervetrack.config import Settings
from nervetrack.domain.knowledge import Knowledge
from nervetrack.domain.model import PatientRecord
from nervetrack.domain.results import Assessment, SymptomResult
from nervetrack.knowledge import load_knowledge
from nervetrack.reports.charts import chart_data, odi_svg, symptom_svg
from nervetrack.services.login_throttle import ThrottlePolicy
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.web import csrf
from nervetrack.web.clinician_words import local_time
from nervetrack.web.session import SessionCodec, SessionData, save_session, session_of

TEMPLATES = Jinja2Templates(directory=str(resources.files("nervetrack.web") / "templates"))
TEMPLATES.env.filters["local"] = local_time
LEVEL_WORDS = {"emergency": "emergency", "urgent": "urgent", "soon": "soon", "routine": "routine"}


@dataclass(frozen=True)
class PageContext:
    """What every page handler needs, built once per app from its state."""

    settings: Settings
    sessions: sessionmaker[Session]
    codec: SessionCodec
    secret_key: str
    secure_cookies: bool
    throttle: ThrottlePolicy

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)


def page_context(request: Request) -> PageContext:
    """The page context of this app, created on first use and kept in app.state."""
    state = request.app.state
    existing = getattr(state, "page_context", None)
    if isinstance(existing, PageContext):
        return existing
    settings: Settings = state.settings
    key = settings.resolved_secret_key()
    context = PageContext(
        settings=settings,
        sessions=state.session_factory,
        codec=SessionCodec(key),
        secret_key=key,
        secure_cookies=settings.cookie_secure,
        throttle=throttle_policy(settings),
    )
    state.page_context = context
    return context


def throttle_policy(settings: Settings) -> ThrottlePolicy:
    """The login back-off of these settings (services/login_throttle.py)."""
    window = dt.timedelta(seconds=settings.login_window_seconds)
    return ThrottlePolicy(
        free_failures=settings.login_max_attempts,
        address_failures=settings.login_address_max_failures,
        window=window,
        max_delay=window,
    )


def session(request: Request) -> SessionData:
    """This request's signed session (new and anonymous when absent or invalid)."""
    return session_of(request, page_context(request).codec)


async def check_csrf(request: Request) -> None:
    """Raise CsrfError unless the POSTed form carries this session's CSRF token."""
    form = await request.form()
    context = page_context(request)
    csrf.check(context.secret_key, session(request), form.get(csrf.FIELD))


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    """Render a page with the CSRF token and shared words, and write the session cookie if needed."""
    context = page_context(request)
    data = session(request)
    values.setdefault("errors", {})
    values.setdefault("values", {})
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "csrf_token": csrf.token_for(context.secret_key, data),
            "level_words": LEVEL_WORDS,
            "emergency_number": context.settings.emergency_number,
            **values,
        },
        status_code=status_code,
    )
    save_session(request, response, context.codec, context.secure_cookies)
    response.headers["Cache-Control"] = "no-store"
    return response


def finish(request: Request, response: Response) -> Response:
    """Write the session cookie on a non-template response (a redirect after login, say)."""
    context = page_context(request)
    save_session(request, response, context.codec, context.secure_cookies)
    response.headers["Cache-Control"] = "no-store"
    return response


def error_page(request: Request, status_code: int, heading: str, message: str, **values: Any) -> HTMLResponse:
    """A friendly page for an error, with no record data on it."""
    return render(request, "error.html", status_code, heading=heading, message=message, **values)


@dataclass(frozen=True)
class SymptomChart:
    symptom: SymptomResult
    svg: str
    has_forecast: bool = False


def symptom_charts(
    knowledge: Knowledge, record: PatientRecord, assessment: Assessment, *, forecast: bool = True
) -> list[SymptomChart]:
    """Every symptom's chart for this record and assessment (without the forecast band when not `forecast`)."""
    today = assessment.days_since_surgery
    charts = []
    for s in assessment.symptoms:
        data = chart_data(knowledge, record, s, today)
        if not forecast:
            data = dataclasses.replace(data, forecast=())
        charts.append(SymptomChart(s, symptom_svg(data, f"chart-{s.name}"), bool(data.forecast)))
    return charts


def odi_chart(knowledge: Knowledge, record: PatientRecord, assessment: Assessment) -> str:
    """The ODI score of every answered questionnaire over days since surgery."""
    from nervetrack.domain.odi import score_odi

    points = []
    for checkin in record.ordered_checkins():
        if checkin.odi is None:
            continue
        score = score_odi(knowledge.odi, checkin.odi).score
        if score is not None:
            points.append(((checkin.date - record.surgery.date).days, float(score)))
    return odi_svg(points, assessment.days_since_surgery, knowledge.odi.acceptable_at_most)


def patient_sources(
    knowledge: Knowledge, record: PatientRecord, assessment: Assessment | None, *, when_to_call: bool = True
) -> list[dict[str, Any]]:
    """The sources behind a patient's page in one list, in plain titles: what the assessment cites and the
    "when to call" advice, without the studies of other operations."""
    group = knowledge.procedures[record.surgery.procedure.value]["group"]
    ids = {str(s["id"]) for s in assessment.sources} if assessment is not None else set()
    if when_to_call:
        ids |= {sid for _, call in knowledge.when_to_call for sid in call.sources}
    chosen = [knowledge.sources[sid] for sid in ids if sid in knowledge.sources]
    shown = [s for s in chosen if not s.groups or group in s.groups]
    return sorted(({**s.as_dict(), "plain": s.lay_title or s.title} for s in shown), key=lambda s: s["plain"])


def when_to_call(knowledge: Knowledge) -> list[tuple[str, list[Any]]]:
    """What to call for, grouped by how fast: emergency, urgent (today), soon (a review)."""
    return [
        (level, [c for lv, c in knowledge.when_to_call if lv == level]) for level in ("emergency", "urgent", "soon")
    ]


def suspected_problems(flags: list[Any]) -> list[str]:
    """What the emergency flags suspect, in a few words each, for the call handler and the paramedic."""
    knowledge = load_knowledge()
    names = [knowledge.rules[f.code].name for f in flags if f.code in knowledge.rules]
    return list(dict.fromkeys(n for n in names if n))


def page_error(request: Request, error: Exception) -> Response:
    """The friendly page for an error raised by a page handler (installed as app.state.page_error_handler):
    a patient link that does not work gets its own clear page, with no data."""
    from nervetrack.domain.errors import InvalidInput
    from nervetrack.services.errors import Conflict, Forbidden, LinkInvalid, LinkUsed, NotFound, RateLimited

    patient_page = request.url.path.startswith("/p/")
    if isinstance(error, LinkUsed):
        message = (
            "This link from your reminder has already been used for a check-in. Your next reminder will bring a "
            "new one; you can also use the link your clinic gave you."
        )
        return render(request, "patient/link_invalid.html", 410, message=message)
    if isinstance(error, LinkInvalid) or (patient_page and isinstance(error, NotFound)):
        message = "This check-in link is not valid. It may have been replaced or switched off by your clinic."
        return render(request, "patient/link_invalid.html", 404, message=message)
    if isinstance(error, NotFound) and request.url.path.startswith("/clinic/patients/"):
        message = "There is no patient with this id in your clinic."
        return error_page(request, 404, "Patient not found", message, home="/clinic/")
    if isinstance(error, NotFound):
        return error_page(request, 404, "Not found", "There is no such page or record in your clinic.")
    if isinstance(error, Forbidden):
        return error_page(request, 403, "Not allowed", "You cannot do this here.")
    if isinstance(error, RateLimited):
        return error_page(request, 429, "Too many attempts", f"Please wait {error.retry_after} seconds.")
    if isinstance(error, Conflict):
        return error_page(request, 409, "Already done", str(error).capitalize() + ".")
    if isinstance(error, InvalidInput):
        listed = "; ".join(p.message for p in error.problems)
        return error_page(request, 422, "Please check the answers", listed)
    status = getattr(error, "status_code", 400)
    if status == 404:
        return error_page(request, 404, "Not found", "There is no such page.")
    return error_page(request, status, "Something is not right", "The request could not be completed.")


def sources_by_id(assessment: Assessment) -> dict[str, dict[str, Any]]:
    """The assessment's cited sources keyed by id, for the citation links."""
    return {str(s["id"]): s for s in assessment.sources}


def knowledge() -> Knowledge:
    """The bundled knowledge base (cached)."""
    return load_knowledge()
