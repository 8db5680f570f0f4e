"""Build the engine and session factory from Settings (never at import time); SQLite runs in WAL mode.

Every wait on the database is bounded, so a busy or unreachable database gives an error the web layer answers
503 with Retry-After, never a hung request: SQLite's busy timeout, PostgreSQL's connect, lock and statement
timeouts, and the pool's checkout timeout all come from the settings.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from nervetrack.adapters.db.deferred_audit import AuditBacklog
from nervetrack.config import Settings


def make_engine(settings: Settings) -> Engine:
    """Create the engine for the configured database; for SQLite, create the data directory first."""
    url = settings.resolved_database_url()
    busy_ms = int(settings.db_busy_timeout_seconds * 1000)
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": settings.db_busy_timeout_seconds}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # A connection may come back from a short wait (deferred_audit); every checkout restores the full one.
        event.listen(engine, "checkout", lambda dbapi, _rec, _proxy: _busy_timeout(dbapi, busy_ms))
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        connect_args=_pg_args(url, settings),
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit.

    On SQLite, whose one writer at a time locks the whole file, the factory carries an AuditBacklog: the audit
    event of a read is written after a short wait, or later by the backlog, so a page that only reads answers
    while another connection holds the write lock.
    """
    info: dict[str, Any] = {}
    if engine.dialect.name == "sqlite":
        info["audit_backlog"] = AuditBacklog(engine)
    factory = sessionmaker(engine, expire_on_commit=False, info=info)
    event.listen(factory, "after_flush", _note_flush)
    return factory


def _note_flush(session: Session, _context: Any) -> None:
    session.info["flushed"] = True


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # FULL: an acknowledged check-in survives a power cut too, not only a crash of the process.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _busy_timeout(dbapi_connection: Any, milliseconds: int) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(milliseconds)}")
    cursor.close()


def short_wait(session: Session, milliseconds: int) -> None:
    """Make the session's SQLite connection wait at most `milliseconds` for the write lock (until checked in)."""
    session.connection().exec_driver_sql(f"PRAGMA busy_timeout={int(milliseconds)}")


def _pg_args(url: str, settings: Settings) -> dict[str, Any]:
    if not url.startswith("postgresql"):
        return {}
    statement_ms = int(settings.db_statement_timeout_seconds * 1000)
    lock_ms = int(settings.db_busy_timeout_seconds * 1000)
    return {
        "connect_timeout": settings.db_connect_timeout_seconds,
        "options": f"-c statement_timeout={statement_ms} -c lock_timeout={lock_ms}",
    }


def database_state(engine: Engine) -> dict[str, str | None]:
    """Ping the database; return its dialect and schema revision, or raise if it cannot be reached."""
    from sqlalchemy import text

    from nervetrack.adapters.db.migrate import current_revision

    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return {"state": "ok", "dialect": engine.dialect.name, "revision": current_revision(engine)}
