"""A signed session cookie for the HTML pages: the CSRF secret and, once a clinician logs in, the secret of
their server-side session (services/clinician_sessions.py), which the server can end at any time.

The cookie holds a small JSON payload, base64url-encoded and signed with HMAC-SHA256 under the service's
secret key; it is HttpOnly, SameSite=Lax, and Secure unless the settings allow plain HTTP (local tests).
No health data is ever put in it. The signature alone never signs anyone in: a replayed cookie of a session
that was ended opens nothing.
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
    secret: str | None = None  # the server-side session's secret, while a clinician is signed in
    issued: int = field(default_factory=lambda: int(time.time()))
    changed: bool = False

    def log_in(self, secret: str) -> None:
        """Carry a new server-side session with a fresh CSRF secret (no session fixation)."""
        self.secret = secret
        self.csrf = secrets.token_urlsafe(24)
        self.issued = int(time.time())
        self.changed = True

    def log_out(self) -> None:
        """Forget the server-side session and rotate the CSRF secret."""
        self.secret = None
        self.csrf = secrets.token_urlsafe(24)
        self.changed = True


class SessionCodec:
    """Sign and verify session payloads."""

    def __init__(self, secret_key: str, max_age: int = MAX_AGE_SECONDS) -> None:
        self._key = hashlib.sha256(("session:" + secret_key).encode()).digest()
        self.max_age = max_age

    def dumps(self, data: SessionData) -> str:
        """Encode and sign `data` for the cookie."""
        payload = json.dumps({"c": data.csrf, "s": data.secret, "t": data.issued}, separators=(",", ":"))
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
            secret = raw.get("s")
            data = SessionData(
                csrf=str(raw["c"]), secret=secret if isinstance(secret, str) else None, issued=int(raw["t"])
            )
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


def sign(key: str, purpose: str, value: str) -> str:
    """`value` with an HMAC-SHA256 signature for `purpose` (a device cookie, say)."""
    digest = hmac.new(hashlib.sha256((purpose + ":" + key).encode()).digest(), value.encode(), hashlib.sha256)
    return f"{value}.{_b64(digest.digest())}"


def unsign(key: str, purpose: str, signed: str | None) -> str | None:
    """The value of a signed string, or None when it is missing or was tampered with."""
    if not signed or "." not in signed:
        return None
    value = signed.rsplit(".", 1)[0]
    return value if hmac.compare_digest(sign(key, purpose, value), signed) else None
