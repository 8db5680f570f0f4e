"""CSRF protection for every HTML form: a token tied to the session, checked on each POST.

The token is an HMAC of the session's CSRF secret, so it cannot be forged without the cookie, and a page
from another site cannot read either (SameSite cookie, no CORS).
"""

from __future__ import annotations

import hashlib
import hmac

from nervetrack.web.session import SessionData

FIELD = "csrf_token"


class CsrfError(Exception):
    """A POST arrived without a valid CSRF token."""


def token_for(secret_key: str, session: SessionData) -> str:
    """The CSRF token to put in this session's forms."""
    key = hashlib.sha256(("csrf:" + secret_key).encode()).digest()
    return hmac.new(key, session.csrf.encode(), hashlib.sha256).hexdigest()


def check(secret_key: str, session: SessionData, submitted: object) -> None:
    """Raise CsrfError unless `submitted` is this session's token."""
    if not isinstance(submitted, str) or not submitted:
        raise CsrfError("missing CSRF token")
    if not hmac.compare_digest(submitted, token_for(secret_key, session)):
        raise CsrfError("invalid CSRF token")
