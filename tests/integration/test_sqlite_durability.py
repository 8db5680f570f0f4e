"""The embedded SQLite database is set up so that an acknowledged write is never lost."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from nervetrack.adapters.db.engine import make_engine
from nervetrack.config import Settings


def test_sqlite_runs_in_wal_mode_with_full_sync_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(Settings(data_dir=tmp_path, secret_key="test"))
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()
