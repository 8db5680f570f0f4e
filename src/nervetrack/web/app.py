"""create_app(settings): the FastAPI application, its database engine, error handling and security headers.

Routers are listed in `routers()`; the HTML page routers (routes/patient.py, routes/clinician.py) are
added there. The engine is created here, from the settings passed in, never at import time.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from nervetrack import __version__
from nervetrack.adapters.db.engine import database_state, make_engine, make_session_factory
from nervetrack.adapters.odi_statements import load_odi_statements
from nervetrack.config import Settings
from nervetrack.services.clinics import LoginRateLimiter
from nervetrack.web import clinician_deps, pages, problems
from nervetrack.web.routes import (
    api,
    ask,
    clinician,
    clinician_patients,
    patient,
    patient_checkin,
    patient_follow_up,
    report,
)
from nervetrack.web.security import SecurityHeaders

log = logging.getLogger("nervetrack.web")


def routers() -> list[APIRouter]:
    """Every router of the app, in order. Add the page routers here."""
    return [
        api.router,
        *ask.ROUTERS,
        *report.ROUTERS,
        patient.router,
        patient_checkin.router,
        patient_follow_up.router,
        clinician.router,
        clinician_patients.router,
        clinician.root_router,
    ]


def create_app(settings: Settings) -> FastAPI:
    """Build the application for these settings (the database schema is upgraded by the caller).

    Raises OdiStatementsError at once when a configured ODI statements file is unusable.
    """
    if settings.odi_statements_file is not None:
        load_odi_statements(settings.odi_statements_file)
    engine = make_engine(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
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
    app.state.login_limiter = LoginRateLimiter(settings.login_max_attempts, settings.login_window_seconds)
    problems.install(app)
    app.state.page_error_handler = pages.page_error
    clinician_deps.install(app)
    app.add_middleware(SecurityHeaders)
    app.add_api_route("/healthz", healthz_route(app), methods=["GET"], include_in_schema=False)
    for router in routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(packages=[("nervetrack.web", "static")]), name="static")
    return app


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
