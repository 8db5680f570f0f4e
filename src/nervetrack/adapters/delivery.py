"""The one small interface every message channel implements (email over SMTP, text messages over a
Twilio-compatible REST API), so another provider is one more class.

    DeliveryError            the message was not accepted
     +-- (permanent=False)   worth retrying later: a 4xx SMTP reply, HTTP 429 or 5xx, a dropped connection
     +-- (permanent=True)    never going to work: an address refused (a bounce), a bad request
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Outgoing:
    """A message for one recipient. `html` and `headers` are used by email only."""

    to: str
    subject: str
    text: str
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    message_id: str | None = None
    status_callback: str | None = None


class DeliveryError(Exception):
    """The provider did not accept the message; `permanent` when retrying cannot help (a bounce)."""

    def __init__(self, message: str, *, permanent: bool, bounce: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.bounce = bounce


class Transport(Protocol):
    """Sends messages of one channel; may keep a connection open between sends until `close`."""

    channel: str

    def send(self, message: Outgoing) -> str:
        """Hand the message over; return the provider's reference for it (or raise DeliveryError)."""
        ...

    def close(self) -> None:
        """Close any open connection."""
        ...
