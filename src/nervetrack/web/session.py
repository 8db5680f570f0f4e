"""A signed session cookie for the HTML pages: who is logged in (if anyone) and the CSRF secret.

The cookie holds a small JSON payload, base64url-encoded and signed with HMAC-SHA256 under the service's
secret key; it is HttpOnly, SameSite=Lax, and Secure unless the settings allow plain HTTP (local tests).
No health data is ever put in it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

COOKIE_NAME = "nt_session"
MAX_AGE_SECONDS = 8 * 60 * 60


@dataclass
class SessionData:
    """The session's contents; `changed` says the cookie must be written back."""

    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    clinician_id: int | None = None
    issued: int = field(default_factory=lambda: int(time.time()))
    changed: bool = False

    def log_in(self, clinician_id: int) -> None:
        """Start a clinician's session with a fresh CSRF secret (no session fixation)."""
        self.clinician_id = clinician_id
        self.csrf = secrets.token_urlsafe(24)
        self.issued = int(time.time())
        self.changed = True

    def log_out(self) -> None:
        """Forget the clinician and rotate the CSRF secret."""
        self.clinician_id = None
        self.csrf = secrets.token_urlsafe(24)
        self.changed = True


class SessionCodec:
    """Sign and verify session payloads."""

    def __init__(self, secret_key: str, max_age: int = MAX_AGE_SECONDS) -> None:
        self._key = hashlib.sha256(("session:" + secret_key).encode()).digest()
        self.max_age = max_age

    def dumps(self, data: SessionData) -> str:
        """Encode and sign `data` for the cookie."""
        payload = json.dumps({"c": data.csrf, "u": data.clinician_id, "t": data.issued}, separators=(",", ":"))
        body = _b64(payload.encode())
        return f"{body}.{self._sign(body)}"

    def loads(self, value: str | None, now: float | None = None) -> SessionData | None:
        """Verify and decode a cookie value; None when missing, tampered with or expired."""
        if not value or "." not in value:
            return None
        body, signature = value.rsplit(".", 1)
        if not hmac.compare_digest(signature, self._sign(body)):
            return None
        try:
            raw = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            data = SessionData(csrf=str(raw["c"]), clinician_id=raw["u"], issued=int(raw["t"]))
        except (ValueError, KeyError, TypeError):
            return None
        if (now if now is not None else time.time()) - data.issued > self.max_age:
            return None
        return data

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def session_of(request: Request, codec: SessionCodec) -> SessionData:
    """The request's session, read once and cached on the request; a new anonymous one if none."""
    cached = getattr(request.state, "session", None)
    if isinstance(cached, SessionData):
        return cached
    data = codec.loads(request.cookies.get(COOKIE_NAME))
    if data is None:
        data = SessionData(changed=True)
    request.state.session = data
    return data


def save_session(request: Request, response: Response, codec: SessionCodec, secure: bool) -> None:
    """Write the session cookie on `response` if the session is new or changed."""
    data = getattr(request.state, "session", None)
    if not isinstance(data, SessionData) or not data.changed:
        return
    response.set_cookie(
        COOKIE_NAME,
        codec.dumps(data),
        max_age=codec.max_age,
        httponly=True,
        secure=secure,
        samesite="lax",
        path="/",
    )
