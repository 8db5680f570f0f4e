"""A database that is busy (a lock held too long), unreachable or restarting: 503 with Retry-After, never 500.

Every wait is bounded (adapters/db/engine.py), so such an error reaches here within seconds. Nothing is
half-stored: the unit of work's transaction is rolled back whole.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.requests import Request

log = logging.getLogger("nervetrack.web")
DEFAULT_RETRY_AFTER = 5


def is_unavailable(error: BaseException) -> bool:
    """Whether the error means the database cannot serve us now (busy, down, timed out), not a bug of ours."""
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def retry_after(request: Request) -> int:
    """Seconds a client should wait before trying again (settings.retry_after_seconds)."""
    settings = getattr(request.app.state, "settings", None)
    return int(getattr(settings, "retry_after_seconds", DEFAULT_RETRY_AFTER))


def note(error: BaseException) -> None:
    """Log the kind of failure only: the statement and its parameters may hold health data."""
    orig = getattr(error, "orig", None)
    log.warning("database unavailable: %s (%s)", type(error).__name__, type(orig).__name__ if orig else "-")


def note_busy() -> None:
    """Log that a request was answered 503 because the database could not be reached in time."""
    log.warning("database unavailable: a check-in was not stored and the patient was asked to send it again")
