"""Limits enforced before a handler reads anything: request bodies are capped (settings.max_api_body_bytes
under /api/, /fhir and /cds-services, settings.max_form_body_bytes for the pages' forms) and an API request
that sends a body is authenticated before the body is read, so an unauthenticated or oversized body costs the
server neither memory nor parsing.

A declared Content-Length over the cap is refused at once (the server's HTTP parser never delivers more than
was declared); a body without one (chunked) is read here up to the cap and refused as soon as it passes it.
The API's actor is left in the request state for deps.get_api_actor.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nervetrack.services.errors import AuthenticationFailed
from nervetrack.services.tokens import authenticate_token
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.web import unavailable
from nervetrack.web.fhir_outcomes import FHIR_JSON, PREFIXES, operation_outcome

OPEN_API_PATHS = ("/api/v1/openapi.json",)
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
TYPE_BASE = "https://nervetrack.example/problems/"


class RequestLimits:
    """ASGI middleware: authenticate API requests, then cap the body (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        api = path.startswith("/api/")
        # Hospital systems send JSON too (a CDS Hooks call carries months of check-ins as prefetch): the
        # API's cap, not the forms'.
        machine = api or path.startswith(PREFIXES)
        settings = scope["app"].state.settings
        limit = settings.max_api_body_bytes if machine else settings.max_form_body_bytes
        has_body = scope.get("method") in BODY_METHODS
        if api and has_body and path not in OPEN_API_PATHS:
            refusal = await _authenticate(scope)
            if refusal is not None:
                await _send_problem(send, *refusal)
                return
        # FHIR and CDS Hooks clients read errors as OperationOutcome, the API's as problem+json.
        kind = "api" if api else "fhir" if machine else "page"
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(send, kind, limit)
            return
        if declared is None and has_body:
            # No length declared (a chunked body): read it here up to the cap, then hand it on.
            buffered = await _read_capped(receive, limit)
            if buffered is None:
                await _too_large(send, kind, limit)
                return
            receive = _replay(buffered)
        await self.app(scope, receive, send)


async def _read_capped(receive: Receive, limit: int) -> list[Message] | None:
    """The request's body messages, or None as soon as they pass `limit` bytes."""
    messages: list[Message] = []
    received = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages
        received += len(message.get("body", b""))
        if received > limit:
            return None
        if not message.get("more_body", False):
            return messages


def _replay(messages: list[Message]) -> Receive:
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        return {"type": "http.disconnect"}

    return receive


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _authenticate(scope: Scope) -> tuple[int, str, str, dict[str, str]] | None:
    """Put the API actor in the request state, or say why not: (status, kind, detail, headers)."""
    authorization = ""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            authorization = value.decode("latin-1")
    scheme, _, secret = authorization.partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="nervetrack"'}
    if scheme.lower() != "bearer" or not secret.strip():
        return 401, "unauthorized", "send an API token as 'Authorization: Bearer <token>'", challenge
    uow = UnitOfWork(scope["app"].state.session_factory)
    try:
        actor = await run_in_threadpool(authenticate_token, uow, secret.strip())
    except AuthenticationFailed as error:
        return 401, "unauthorized", str(error), challenge
    except (DBAPIError, PoolTimeout) as error:
        if not unavailable.is_unavailable(error):
            raise
        unavailable.note(error)
        seconds = int(scope["app"].state.settings.retry_after_seconds)
        detail = unavailable.detail(error, seconds)
        return 503, "unavailable", detail, {"Retry-After": str(seconds)}
    scope.setdefault("state", {})["api_actor"] = actor
    return None


_TITLES = {401: "Authentication required", 413: "Request body too large", 503: "Service unavailable"}


async def _send_problem(send: Send, status: int, kind: str, detail: str, headers: dict[str, str]) -> None:
    body: dict[str, Any] = {"type": TYPE_BASE + kind, "title": _TITLES[status], "status": status, "detail": detail}
    await _send(send, status, json.dumps(body).encode(), b"application/problem+json", headers)


async def _too_large(send: Send, kind: str, limit: int) -> None:
    detail = f"The request body is larger than {limit} bytes."
    if kind == "api":
        await _send_problem(send, 413, "too-large", detail, {})
        return
    if kind == "fhir":
        await _send(send, 413, bytes(operation_outcome(413, detail, "too-costly").body), FHIR_JSON.encode(), {})
        return
    page = (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Too much to send</title></head><body><main>"
        f"<h1>Too much to send</h1><p>{detail} Please go back and send less.</p><p>If you feel very unwell, or "
        "have new problems passing urine or stool, or numbness between the legs, call your emergency number now."
        "</p></main></body></html>"
    )
    await _send(send, 413, page.encode(), b"text/html; charset=utf-8", {})


async def _send(send: Send, status: int, body: bytes, kind: bytes, headers: dict[str, str]) -> None:
    raw = [(b"content-type", kind), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
