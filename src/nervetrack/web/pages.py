"""What the HTML pages share: templates, the signed session, CSRF checks, charts and friendly error pages.

The page routers (routes/patient.py, routes/clinician.py) call the services exactly as the JSON API does;
this module only adapts them to HTML. Every response that renders a form also writes the session cookie
that the form's CSRF token is tied to.
"""

from __future__ import annotations

import dataclasses
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
from nervetrack.services.clinics import LoginRateLimiter
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.web import csrf
from nervetrack.web.session import SessionCodec, SessionData, save_session, session_of

TEMPLATES = Jinja2Templates(directory=str(resources.files("nervetrack.web") / "templates"))
LEVEL_WORDS = {"emergency": "emergency", "urgent": "urgent", "soon": "soon", "routine": "routine"}


@dataclass(frozen=True)
class PageContext:
    """What every page handler needs, built once per app from its state."""

    settings: Settings
    sessions: sessionmaker[Session]
    codec: SessionCodec
    secret_key: str
    secure_cookies: bool
    limiter: LoginRateLimiter

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
        limiter=_limiter(state, settings),
    )
    state.page_context = context
    return context


def _limiter(state: Any, settings: Settings) -> LoginRateLimiter:
    """The app's login rate limiter (shared with the API's login) or one of our own from the settings."""
    shared = getattr(state, "login_limiter", None)
    if isinstance(shared, LoginRateLimiter):
        return shared
    return LoginRateLimiter(settings.login_max_attempts, float(settings.login_window_seconds))


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
        charts.append(SymptomChart(s, symptom_svg(data, f"chart-{s.name}")))
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


def sources_by_id(assessment: Assessment) -> dict[str, dict[str, Any]]:
    """The assessment's cited sources keyed by id, for the citation links."""
    return {str(s["id"]): s for s in assessment.sources}


def knowledge() -> Knowledge:
    """The bundled knowledge base (cached)."""
    return load_knowledge()
