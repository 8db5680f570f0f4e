"""Signed tokens for the links in reminder messages: an HMAC-SHA256 of the purpose and payload under the
server's secret key, so a link id cannot be guessed or altered. Every process that sends or serves links
needs the same key (NERVETRACK_SECRET_KEY, or the same data directory)."""

from __future__ import annotations

import base64
import hashlib
import hmac

_SIGNATURE_BYTES = 16  # 128 bits


def sign(key: str, purpose: str, payload: str) -> str:
    """`payload.signature`, for a payload without dots."""
    return f"{payload}.{_signature(key, purpose, payload)}"


def verify(key: str, purpose: str, token: str) -> str | None:
    """The payload of a token signed for `purpose` under `key`, or None when the signature does not match."""
    payload, _, signature = token.rpartition(".")
    if not payload or not hmac.compare_digest(signature, _signature(key, purpose, payload)):
        return None
    return payload


def _signature(key: str, purpose: str, payload: str) -> str:
    digest = hmac.new(key.encode(), f"{purpose}:{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:_SIGNATURE_BYTES]).rstrip(b"=").decode()
