"""create_app(settings): the FastAPI application, its database engine, error handling and security headers.

Routers are listed in `routers()`; the HTML page routers (routes/patient.py, routes/clinician.py) are
added there. The engine is created here, from the settings passed in, never at import time.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from nervetrack import __version__
from nervetrack.adapters.db.engine import database_state, make_engine, make_session_factory
from nervetrack.adapters.delivery import Transport
from nervetrack.adapters.odi_statements import load_odi_statements
from nervetrack.config import Settings
from nervetrack.services.reminder_sender import ReminderLoop, Sender, transports_from
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.web import api_schemas, clinician_deps, fhir_outcomes, pages, problems
from nervetrack.web.input_guards import RefuseNul
from nervetrack.web.request_limits import RequestLimits
from nervetrack.web.routes import (
    api,
    api_reminders,
    ask,
    cds_hooks,
    clinician,
    clinician_patients,
    fhir,
    patient,
    patient_checkin,
    patient_follow_up,
    reminders,
    report,
)
from nervetrack.web.security import SecurityHeaders

log = logging.getLogger("nervetrack.web")


def routers() -> list[APIRouter]:
    """Every router of the app, in order. Add the page routers here."""
    return [
        api.router,
        fhir.router,
        cds_hooks.router,
        *ask.ROUTERS,
        *report.ROUTERS,
        patient.router,
        patient_checkin.router,
        patient_follow_up.router,
        clinician.router,
        clinician_patients.router,
        clinician.root_router,
        reminders.router,
        api_reminders.router,
    ]


def create_app(settings: Settings) -> FastAPI:
    """Build the application for these settings (the database schema is upgraded by the caller).

    Raises OdiStatementsError at once when a configured ODI statements file is unusable, and SmtpUrlError
    when NERVETRACK_SMTP_URL cannot be used.
    """
    if settings.odi_statements_file is not None:
        load_odi_statements(settings.odi_statements_file)
    transports = transports_from(settings)
    engine = make_engine(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        loop = reminder_loop(settings, engine, transports)
        yield
        if loop is not None:
            loop.stop()
        engine.dispose()

    app = FastAPI(
        title="NerveTrack",
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # the Swagger page needs inline scripts, which the CSP forbids
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    problems.install(app)
    app.state.page_error_handler = pages.page_error
    clinician_deps.install(app)
    fhir_outcomes.install(app)
    app.add_middleware(RequestLimits)
    app.add_middleware(RefuseNul)
    app.add_middleware(SecurityHeaders)
    cds_hooks.install(app, settings.cds_hooks_cors_origins)
    app.add_api_route("/healthz", healthz_route(app), methods=["GET"], include_in_schema=False)
    for router in routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(packages=[("nervetrack.web", "static")]), name="static")
    api_schemas.install(app)
    return app


def reminder_loop(settings: Settings, engine: Engine, transports: Mapping[str, Transport]) -> ReminderLoop | None:
    """The optional reminder loop of `serve` (NERVETRACK_REMINDER_LOOP_SECONDS > 0), started; else None."""
    if not settings.reminder_loop_seconds:
        return None
    uow = UnitOfWork(make_session_factory(engine))
    loop = ReminderLoop(Sender(uow, settings, transports), settings.reminder_loop_seconds)
    loop.start()
    return loop


def healthz_route(app: FastAPI) -> Callable[[], JSONResponse]:
    """GET /healthz: 200 with the database's state, 503 when it cannot be reached."""

    def healthz() -> JSONResponse:
        try:
            state = database_state(app.state.engine)
        except Exception as error:  # any driver error means "unreachable" here
            log.warning("health check: database unreachable (%s)", type(error).__name__)
            body = {"status": "unavailable", "database": {"state": "unreachable"}}
            return JSONResponse(body, status_code=503, headers={"Cache-Control": "no-store"})
        return JSONResponse({"status": "ok", "version": __version__, "database": state})

    return healthz
