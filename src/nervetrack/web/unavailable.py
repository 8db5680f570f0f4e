"""A database that is busy (a lock held too long), unreachable or restarting: 503 with Retry-After, never 500.

Every wait is bounded (adapters/db/engine.py), so such an error reaches here within seconds. Nothing is
half-stored: the unit of work's transaction is rolled back whole. A database that refuses writes (read-only,
or its disk full) is answered the same way, with a detail that says so, and logged as an error: it needs an
operator, and clients keep their answers to send again.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.requests import Request

log = logging.getLogger("nervetrack.web")
DEFAULT_RETRY_AFTER = 5


# PostgreSQL SQLSTATEs and SQLite result codes of a database that refuses writes. A failed write of SQLite's
# file (SQLITE_IOERR_WRITE: the disk refused it, e.g. a file-size limit) counts as full storage too.
_READ_ONLY_STATES = {"25006"}  # read_only_sql_transaction (a standby, default_transaction_read_only)
_FULL_STATES = {"53100", "53200"}  # disk_full, out_of_memory
_READ_ONLY_CODES = ("SQLITE_READONLY",)
_FULL_CODES = ("SQLITE_FULL", "SQLITE_IOERR_WRITE", "SQLITE_IOERR_FSYNC", "SQLITE_IOERR_TRUNCATE")


def refuses_writes(error: BaseException) -> str | None:
    """'read-only' or 'full' when the database cannot store anything now; None otherwise."""
    orig = getattr(error, "orig", None)
    state = getattr(orig, "sqlstate", None)
    code = str(getattr(orig, "sqlite_errorname", ""))
    if state in _READ_ONLY_STATES or code.startswith(_READ_ONLY_CODES):
        return "read-only"
    if state in _FULL_STATES or code in _FULL_CODES:
        return "full"
    return None


def is_unavailable(error: BaseException) -> bool:
    """Whether the error means the database cannot serve us now (busy, down, timed out, read-only, full), not a
    bug of ours."""
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout):
        return True
    if isinstance(error, DBAPIError) and refuses_writes(error):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def detail(error: BaseException, seconds: int) -> str:
    """The problem detail of a 503: what is wrong with the database, that nothing was stored, when to retry."""
    cause = refuses_writes(error)
    if cause == "read-only":
        what = "The database is read-only"
    elif cause == "full":
        what = "The database's storage is full or failing"
    else:
        what = "The database is busy or unreachable"
    return f"{what}; nothing was stored. Try again in {seconds} seconds."


def retry_after(request: Request) -> int:
    """Seconds a client should wait before trying again (settings.retry_after_seconds)."""
    settings = getattr(request.app.state, "settings", None)
    return int(getattr(settings, "retry_after_seconds", DEFAULT_RETRY_AFTER))


def note(error: BaseException) -> None:
    """Log the kind of failure only: the statement and its parameters may hold health data."""
    orig = getattr(error, "orig", None)
    cause = refuses_writes(error)
    if cause:
        log.error("database refuses writes (%s): nothing is stored until an operator fixes it", cause)
        return
    log.warning("database unavailable: %s (%s)", type(error).__name__, type(orig).__name__ if orig else "-")


def note_busy() -> None:
    """Log that a request was answered 503 because the database could not be reached in time."""
    log.warning("database unavailable: a check-in was not stored and the patient was asked to send it again")
