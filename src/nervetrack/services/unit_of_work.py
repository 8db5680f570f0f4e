"""A unit of work: one database session and transaction per `with` block.

A block that only read and recorded audit events commits them after a short wait on SQLite; if another
connection holds the write lock, the events go to the session factory's AuditBacklog (adapters/db/
deferred_audit.py) and the read is answered at once. Any other change waits the full, bounded busy timeout.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from nervetrack.adapters.db.engine import short_wait
from nervetrack.adapters.db.tables import AuditEvent

READ_AUDIT_WAIT_MS = 10


class UnitOfWork:
    """Open a session on enter; roll back anything uncommitted on exit. Reusable, one block at a time."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("use the unit of work inside `with uow:`")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._factory()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        assert self._session is not None
        self._session.rollback()
        self._session.close()
        self._session = None

    def commit(self) -> None:
        """Commit the work done so far."""
        session = self.session
        backlog = session.info.get("audit_backlog")
        if backlog is None or not _only_audit_events(session):
            session.commit()
            return
        rows = [_columns(event) for event in session.new if isinstance(event, AuditEvent)]
        try:
            short_wait(session, READ_AUDIT_WAIT_MS)
            session.commit()
        except OperationalError:
            session.rollback()
            backlog.put(rows)


def _only_audit_events(session: Session) -> bool:
    """Whether the session's only changes are new audit events not yet sent to the database."""
    if session.info.get("flushed") or session.dirty or session.deleted:
        return False
    return bool(session.new) and all(isinstance(obj, AuditEvent) for obj in session.new)


def _columns(event: AuditEvent) -> dict[str, Any]:
    mapper = inspect(AuditEvent)
    return {c.key: getattr(event, c.key) for c in mapper.column_attrs if c.key != "id"}
