"""Input that no field may hold, refused at the edge with a 4xx naming where it was.

The NUL character is never meaningful in a NerveTrack field and PostgreSQL cannot store it in text, so it is
refused everywhere: in the path or query string by `RefuseNul` (before routing), in JSON bodies by
`refuse_nul`, in forms by `nul_fields`. Integers that reach the database are bounded to its 32-bit columns.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.types import ASGIApp, Receive, Scope, Send

from nervetrack.domain.errors import InvalidInput, Problem

NUL = "\x00"
NUL_MESSAGE = "must not contain the NUL character (\\u0000)"
MAX_DB_INT = 2**31 - 1  # every integer column and id is a 32-bit integer on PostgreSQL


def refuse_nul(value: Any, path: str = "") -> None:
    """Raise InvalidInput naming the first field (e.g. `surgery.levels[0]`) whose key or text holds a NUL."""
    if isinstance(value, str):
        if NUL in value:
            raise InvalidInput([Problem(path or "body", NUL_MESSAGE)])
    elif isinstance(value, Mapping):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                raise InvalidInput([Problem(path or "body", "a key " + NUL_MESSAGE)])
            refuse_nul(item, name)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            refuse_nul(item, f"{path}[{index}]")


def nul_fields(form: Mapping[str, Any]) -> list[str]:
    """The names of the form fields (text, or lists of text) that hold a NUL."""
    found = []
    for name, value in form.items():
        values = value if isinstance(value, list) else [value]
        if NUL in name or any(isinstance(v, str) and NUL in v for v in values):
            found.append(name.replace(NUL, ""))
    return found


def whole_number(raw: str, low: int, high: int) -> int | None:
    """`raw` as a whole number from low to high (ASCII digits only), or None."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > len(str(high)):
        return None
    number = int(raw)
    return number if low <= number <= high else None


class RefuseNul:
    """ASGI middleware: a NUL in the path or a query parameter gets a 422 naming it, before any handler runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            field = _nul_in(scope)
            if field is not None:
                await _refuse(scope, field, send)
                return
        await self.app(scope, receive, send)


def _nul_in(scope: Scope) -> str | None:
    if NUL in scope.get("path", ""):
        return "path"
    query = scope.get("query_string", b"").decode("latin-1")
    if "%00" not in query and NUL not in query:
        return None
    for name, value in parse_qsl(query, keep_blank_values=True):
        if NUL in name or NUL in value:
            return name.replace(NUL, "") or "query"
    return "query" if NUL in unquote(query) else None


async def _refuse(scope: Scope, field: str, send: Send) -> None:
    detail = f"{field}: {NUL_MESSAGE}"
    if scope.get("path", "").startswith("/api/"):
        body = json.dumps(
            {
                "type": "https://nervetrack.example/problems/invalid-input",
                "title": "The input is not valid",
                "status": 422,
                "detail": detail,
                "errors": [{"field": field, "detail": NUL_MESSAGE}],
            }
        ).encode()
        kind = b"application/problem+json"
    else:
        body = (
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>Please check the address</title></head>"
            "<body><main><h1>Please check the address</h1><p>The address holds a character that is not allowed "
            f"({field}).</p><p>If you feel very unwell, or have new problems passing urine or stool, or numbness "
            "between the legs, call your emergency number now.</p></main></body></html>"
        ).encode()
        kind = b"text/html; charset=utf-8"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode()), (b"cache-control", b"no-store")]
    await send({"type": "http.response.start", "status": 422, "headers": headers})
    await send({"type": "http.response.body", "body": body})
