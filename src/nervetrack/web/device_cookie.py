"""The device cookie of a browser a clinician has logged in from (OWASP's answer to lock-out by strangers):
signed, tied to one account, and kept a year. Its failed logins count against the account on that device only,
so a stranger's failures elsewhere never hold the real owner back (services/login_throttle.py)."""

from __future__ import annotations

import hashlib
import secrets

from starlette.requests import Request
from starlette.responses import Response

from nervetrack.web.session import sign, unsign

COOKIE = "nt_device"
PURPOSE = "device"
MAX_AGE = 365 * 24 * 60 * 60


def _account(email: str) -> str:
    return hashlib.sha256(email.encode("utf-8")).hexdigest()[:32]


def device_of(request: Request, key: str, email: str) -> str | None:
    """The device id of this browser for this account, if it carries a valid device cookie for it."""
    value = unsign(key, PURPOSE, request.cookies.get(COOKIE))
    if value is None:
        return None
    account, _, device = value.partition(":")
    return device if device and account == _account(email) else None


def remember_device(response: Response, key: str, email: str, device: str | None, secure: bool) -> None:
    """Give this browser a device cookie for the account it has just logged in to (keeping its id if any)."""
    value = sign(key, PURPOSE, f"{_account(email)}:{device or secrets.token_urlsafe(16)}")
    response.set_cookie(COOKIE, value, max_age=MAX_AGE, httponly=True, secure=secure, samesite="strict", path="/clinic")
