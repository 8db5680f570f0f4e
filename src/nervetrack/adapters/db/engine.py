"""Build the engine and session factory from Settings (never at import time); SQLite runs in WAL mode."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from nervetrack.config import Settings


def make_engine(settings: Settings) -> Engine:
    """Create the engine for the configured database; for SQLite, create the data directory first."""
    url = settings.resolved_database_url()
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args=_pg_args(url))


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # FULL: an acknowledged check-in survives a power cut too, not only a crash of the process.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _pg_args(url: str) -> dict[str, Any]:
    return {"connect_timeout": 5} if url.startswith("postgresql") else {}


def database_state(engine: Engine) -> dict[str, str | None]:
    """Ping the database; return its dialect and schema revision, or raise if it cannot be reached."""
    from sqlalchemy import text

    from nervetrack.adapters.db.migrate import current_revision

    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return {"state": "ok", "dialect": engine.dialect.name, "revision": current_revision(engine)}
