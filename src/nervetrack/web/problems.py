"""Errors as RFC 9457 problem details (application/problem+json), each naming the field when there is one.

Under /api/ (and /healthz) every error is problem+json. Other paths (the HTML pages) go to
`app.state.page_error_handler(request, error) -> Response` when the pages set one.

An unexpected exception is answered without any detail of it: a 500
problem+json under /api/, the friendly error page elsewhere.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy.exc import DataError, DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from nervetrack.domain.errors import InvalidInput
from nervetrack.domain.validation import format_path
from nervetrack.services.errors import (
    AuthenticationFailed,
    Conflict,
    Forbidden,
    IdempotencyKeyReused,
    LinkInvalid,
    NotFound,
    RateLimited,
    ServiceError,
)
from nervetrack.web import unavailable

log = logging.getLogger("nervetrack.web")
PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://nervetrack.example/problems/"
_STATUS: list[tuple[type[Exception], int, str]] = [
    (LinkInvalid, 404, "link-invalid"),
    (NotFound, 404, "not-found"),
    (Forbidden, 403, "forbidden"),
    # 422 for a key reused with another payload, as the IETF Idempotency-Key draft advises
    (IdempotencyKeyReused, 422, "idempotency-key-reused"),
    (Conflict, 409, "conflict"),
    (AuthenticationFailed, 401, "unauthorized"),
    (RateLimited, 429, "rate-limited"),
]
_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "The input is not valid",
    413: "Request body too large",
    429: "Too many attempts",
    500: "Internal server error",
    503: "Service unavailable",
}


def problem(
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    instance: str | None = None,
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + kind if kind else "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install(app: FastAPI) -> None:
    """Register the error handlers on the app."""
    app.add_exception_handler(InvalidInput, _routed(_invalid_input))
    app.add_exception_handler(ServiceError, _routed(_service_error))
    app.add_exception_handler(RequestValidationError, _routed(_request_validation))
    app.add_exception_handler(HTTPException, _routed(_http_error))
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(PoolTimeout, _database_error)
    app.add_exception_handler(Exception, _unexpected)


_FALLBACK_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Something went wrong</title>
</head><body><main><h1>Something went wrong</h1><p>Please try again in a few minutes.</p>
<p>If you feel very unwell, or have new problems passing urine or stool, or numbness between the legs,
call your emergency number now.</p></main></body></html>"""


async def _unexpected(request: Request, error: Exception) -> Response:
    """Any exception no other handler took: answer without leaking what it was.

    Starlette re-raises the exception after this answer, so the server still logs its traceback (the URL is
    not logged here: it can carry a patient's link secret).
    """
    if _is_api(request):
        return problem(500, "The server could not complete the request.", kind="internal-error")
    try:
        from nervetrack.web import pages

        return pages.error_page(
            request, 500, "Something went wrong", "We could not show this page. Please try again in a few minutes."
        )
    except Exception:  # the page itself could not be built: answer plain HTML
        log.exception("the error page could not be rendered")
        return HTMLResponse(_FALLBACK_PAGE, status_code=500, headers={"Cache-Control": "no-store"})


async def _database_error(request: Request, error: Exception) -> Response:
    """A busy or unreachable database: 503 with Retry-After (problem+json, or the friendly page)."""
    if isinstance(error, DataError):  # a safety net: the inputs are checked before they reach the database
        unavailable.note(error)
        detail = "A value in the request is out of range or holds a character that cannot be stored."
        return problem(422, detail, kind="invalid-input", errors=[], instance=request.url.path)
    if not unavailable.is_unavailable(error):
        raise error  # a bug of ours: the 500 handler answers and the server logs it
    unavailable.note(error)
    seconds = unavailable.retry_after(request)
    headers = {"Retry-After": str(seconds), "Cache-Control": "no-store"}
    if _is_api(request):
        detail = unavailable.detail(error, seconds)
        return problem(503, detail, kind="unavailable", headers=headers, instance=request.url.path)
    try:
        from nervetrack.web import pages

        response: Response = pages.error_page(
            request,
            503,
            "Please try again in a minute",
            "We could not reach our records just now, so nothing was saved. Please try again in a minute.",
        )
    except Exception:  # the page itself needs the session and templates: answer plain HTML
        response = HTMLResponse(_FALLBACK_PAGE, status_code=503)
    response.headers.update(headers)
    return response


Handler = Callable[[Request, Any], Awaitable[Response]]


def _routed(api_handler: Callable[[Request, Any], Response]) -> Handler:
    async def handle(request: Request, error: Exception) -> Response:
        page_handler = getattr(request.app.state, "page_error_handler", None)
        if page_handler is not None and not _is_api(request):
            result = page_handler(request, error)
            return await result if isinstance(result, Awaitable) else result  # type: ignore[no-any-return]
        return api_handler(request, error)

    return handle


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/healthz"))


def _invalid_input(request: Request, error: InvalidInput) -> Response:
    errors = [{"field": p.path, "detail": p.message} for p in error.problems]
    detail = "; ".join(str(p) for p in error.problems)
    return problem(422, detail, kind="invalid-input", errors=errors, instance=request.url.path)


def _service_error(request: Request, error: ServiceError) -> Response:
    for kind, status, name in _STATUS:
        if isinstance(error, kind):
            headers = _headers_for(error)
            return problem(status, str(error), kind=name, headers=headers, instance=request.url.path)
    return problem(400, str(error), instance=request.url.path)


def _headers_for(error: ServiceError) -> dict[str, str] | None:
    if isinstance(error, RateLimited):
        return {"Retry-After": str(error.retry_after)}
    if isinstance(error, AuthenticationFailed):
        return {"WWW-Authenticate": 'Bearer realm="nervetrack"'}
    return None


def _request_validation(request: Request, error: RequestValidationError) -> Response:
    errors = []
    for item in error.errors():
        loc = tuple(item.get("loc", ()))
        # Drop FastAPI's leading "body"/"query"/"header" so the field reads as in the contract.
        field = format_path(loc[1:]) if loc and loc[0] in ("body", "query", "header", "path") else format_path(loc)
        errors.append({"field": field, "detail": str(item.get("msg", "is not valid"))})
    detail = "; ".join(f"{e['field']}: {e['detail']}" for e in errors)
    return problem(422, detail, kind="invalid-input", errors=errors, instance=request.url.path)


def _http_error(request: Request, error: HTTPException) -> Response:
    headers = dict(error.headers) if error.headers else None
    return problem(error.status_code, str(error.detail), headers=headers, instance=request.url.path)
