"""What every clinician page needs, as FastAPI dependencies: the signed-in clinician (or the login page) and a
posted form whose CSRF token was checked (or the page that says the form expired). Their exceptions are
answered by the handlers installed in `install`, so a page handler's body is its use case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from nervetrack.domain.errors import InvalidInput, Problem
from nervetrack.services.clinician_sessions import clinician_of_session
from nervetrack.services.views import ClinicianView
from nervetrack.web import pages
from nervetrack.web.csrf import CsrfError
from nervetrack.web.input_guards import NUL_MESSAGE, nul_fields
from nervetrack.web.session import MAX_AGE_SECONDS

LOGIN = "/clinic/login"


class NotSignedIn(Exception):
    """The request has no clinician session (or the clinician is gone)."""


def current_clinician(request: Request) -> ClinicianView:
    """The clinician of this session's live server-side session; NotSignedIn leads to the login page (an
    ended, idle or expired session, or a disabled clinician, is not signed in)."""
    data = pages.session(request)
    if data.secret is None:
        raise NotSignedIn
    context = pages.page_context(request)
    settings = context.settings
    clinician = clinician_of_session(
        context.uow(),
        data.secret,
        idle=dt.timedelta(minutes=settings.session_idle_minutes),
        max_age=dt.timedelta(seconds=MAX_AGE_SECONDS),
    )
    if clinician is None:
        data.log_out()
        raise NotSignedIn
    return clinician


async def checked_form(request: Request) -> dict[str, str]:
    """The posted form's text fields, once its CSRF token is checked (CsrfError otherwise); a field holding a
    NUL character is refused (InvalidInput naming it)."""
    await pages.check_csrf(request)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    _refuse_nul(form)
    return form


async def checked_form_lists(request: Request) -> dict[str, list[str]]:
    """The posted form with every value of each field (ticked boxes), once its CSRF token is checked."""
    await pages.check_csrf(request)
    form = await request.form()
    lists = {k: [v for v in form.getlist(k) if isinstance(v, str)] for k in form}
    _refuse_nul(lists)
    return lists


def _refuse_nul(form: Mapping[str, Any]) -> None:
    bad = nul_fields(form)
    if bad:
        raise InvalidInput([Problem(name, f"{name} {NUL_MESSAGE}") for name in bad])


ClinicianDep = Annotated[ClinicianView, Depends(current_clinician)]
FormDep = Annotated[dict[str, str], Depends(checked_form)]
FormListsDep = Annotated[dict[str, list[str]], Depends(checked_form_lists)]


async def _to_login(request: Request, _: Exception) -> Response:
    return pages.finish(request, RedirectResponse(LOGIN, status_code=303))


async def _expired(request: Request, _: Exception) -> Response:
    return pages.error_page(
        request, 403, "Please send the form again", "The form had expired. Reload the page and try again."
    )


def install(app: FastAPI) -> None:
    """Answer NotSignedIn with the login page and an expired form with a page that says so."""
    app.add_exception_handler(NotSignedIn, _to_login)
    app.add_exception_handler(CsrfError, _expired)
