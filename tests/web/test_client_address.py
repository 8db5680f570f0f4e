"""X-Forwarded-For is believed only from the configured proxies (none by default)."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from nervetrack.web.client_address import client_address


def _request(peer: str, forwarded: str | None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request({"type": "http", "headers": headers, "client": (peer, 5000), "method": "GET", "path": "/"})


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("127.0.0.1", "203.0.113.9", "", "127.0.0.1"),  # by default no one is believed, not even loopback
        ("198.51.100.2", "203.0.113.9", "", "198.51.100.2"),
        ("10.0.0.5", "203.0.113.9", "10.0.0.5", "203.0.113.9"),
        ("10.0.0.5", "1.2.3.4, 203.0.113.9", "10.0.0.0/24", "203.0.113.9"),  # the left part is the client's claim
        ("10.0.0.5", "203.0.113.9, 10.0.0.7", "10.0.0.0/24", "203.0.113.9"),  # two proxies in a row
        ("198.51.100.2", "203.0.113.9", "10.0.0.0/24", "198.51.100.2"),  # not from a proxy: ignored
        ("10.0.0.5", None, "10.0.0.5", "10.0.0.5"),
    ],
)
def test_the_client_address_trusts_forwarded_headers_only_from_configured_proxies(
    peer: str, forwarded: str | None, trusted: str, expected: str
) -> None:
    assert client_address(_request(peer, forwarded), trusted) == expected
