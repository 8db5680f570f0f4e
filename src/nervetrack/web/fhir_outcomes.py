"""Errors on /fhir (and /cds-services) as FHIR OperationOutcome, every one of them: the app's other error
handlers are wrapped so that these paths never get problem+json or an HTML page.

An unexpected exception is answered without any detail of it (500, code `exception`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from nervetrack.domain.errors import InvalidInput
from nervetrack.interop.errors import CdsRequestError, FhirInputError, JwtRejected, PrefetchMissing
from nervetrack.services.errors import (
    AuthenticationFailed,
    Conflict,
    Forbidden,
    IdempotencyKeyReused,
    NotFound,
    RateLimited,
)

FHIR_JSON = "application/fhir+json"
PREFIXES = ("/fhir", "/cds-services")
# Exception class -> (HTTP status, OperationOutcome issue code), most specific first.
_OUTCOMES: list[tuple[type[Exception], int, str]] = [
    (PrefetchMissing, 412, "incomplete"),
    (CdsRequestError, 400, "invalid"),
    (JwtRejected, 401, "login"),
    (FhirInputError, 400, "invalid"),
    (InvalidInput, 422, "business-rule"),
    (NotFound, 404, "not-found"),
    (Forbidden, 403, "forbidden"),
    (IdempotencyKeyReused, 422, "business-rule"),
    (Conflict, 409, "conflict"),
    (AuthenticationFailed, 401, "login"),
    (RateLimited, 429, "throttled"),
    (RequestValidationError, 400, "invalid"),
]
_HTTP_CODES = {404: "not-found", 405: "not-supported", 401: "login", 403: "forbidden"}
Handler = Callable[[Request, Any], Any]


_DOCUMENTED = {
    400: "The request or the resource could not be read (OperationOutcome).",
    401: "No valid API token or client JWT (OperationOutcome).",
    403: "Not allowed for this token (OperationOutcome).",
    404: "No such resource in this clinic (OperationOutcome).",
    409: "The check-in exists already (OperationOutcome).",
    412: "Prefetch missing and no FHIR server to fetch it from (OperationOutcome).",
    413: "The request body is larger than allowed (OperationOutcome).",
    422: "A resource breaks a rule of the input contract (OperationOutcome).",
    429: "Too many attempts (OperationOutcome).",
    503: "The database is busy or unreachable; nothing was stored (OperationOutcome).",
}


def interop_responses(success_type: str = FHIR_JSON) -> dict[int | str, dict[str, Any]]:
    """The answers an interop operation may give, for the OpenAPI description: its result as `success_type`
    and every error as an OperationOutcome in FHIR JSON."""
    schema = {"type": "object"}
    out: dict[int | str, dict[str, Any]] = {
        200: {"description": "The result.", "content": {success_type: {"schema": schema}}}
    }
    out.update({s: {"description": t, "content": {FHIR_JSON: {"schema": schema}}} for s, t in _DOCUMENTED.items()})
    return out


def operation_outcome(status: int, text: str, code: str, *, expression: str | None = None) -> JSONResponse:
    """An OperationOutcome response with one error issue."""
    issue: dict[str, Any] = {"severity": "error", "code": code, "diagnostics": text}
    if expression:
        issue["expression"] = [expression]
    headers = {"WWW-Authenticate": 'Bearer realm="nervetrack"'} if status == 401 else None
    return JSONResponse(
        {"resourceType": "OperationOutcome", "issue": [issue]},
        status_code=status,
        media_type=FHIR_JSON,
        headers=headers,
    )


def outcome_for(error: Exception) -> JSONResponse:
    """The OperationOutcome answering this error."""
    if isinstance(error, FhirInputError):
        return operation_outcome(400, error.message, "invalid", expression=error.where)
    if isinstance(error, InvalidInput):
        problem = error.problems[0]
        return operation_outcome(422, str(error), "business-rule", expression=problem.path or None)
    if isinstance(error, RequestValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        return operation_outcome(400, f"{where}: {first.get('msg', 'is not valid')}", "invalid")
    if isinstance(error, HTTPException):
        return operation_outcome(error.status_code, str(error.detail), _HTTP_CODES.get(error.status_code, "exception"))
    for kind, status, code in _OUTCOMES:
        if isinstance(error, kind):
            return operation_outcome(status, str(error), code)
    return operation_outcome(500, "The server could not complete the request.", "exception")


def install(app: FastAPI) -> None:
    """Wrap the app's error handlers (install after problems.install) and add the interop errors'."""
    for kind in (FhirInputError, CdsRequestError, JwtRejected):
        app.add_exception_handler(kind, _fallback)
    for kind, handler in list(app.exception_handlers.items()):
        app.exception_handlers[kind] = _outcome_first(handler)


def _outcome_first(handler: Handler) -> Handler:
    async def handle(request: Request, error: Exception) -> Response:
        if request.url.path.startswith(PREFIXES):
            return outcome_for(error)
        result = handler(request, error)
        response: Response = await result if isinstance(result, Awaitable) else result
        return response

    return handle


async def _fallback(request: Request, error: Exception) -> Response:
    return outcome_for(error)
