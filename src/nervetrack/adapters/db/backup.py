"""Back up and restore the whole database, and fingerprint it (row count and content hash per table).

SQLite uses its online backup API, so a backup taken while servers write is a consistent snapshot; PostgreSQL
uses pg_dump (custom format) and a restore replays it with psql in one transaction, so a failed restore leaves
the database as it was. A backup file is written under a temporary name and renamed when complete: a crash
never leaves a half-written backup under the requested name.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, MetaData, Table, select
from sqlalchemy.engine import make_url

from nervetrack.adapters.db.migrate import current_revision

TOOL_SECONDS = 3600


class BackupError(Exception):
    """The backup or restore could not be done; the message says why (never with row contents)."""


@dataclass(frozen=True)
class TableFingerprint:
    rows: int
    sha256: str


def fingerprint(engine: Engine) -> dict[str, TableFingerprint]:
    """Row count and a hash of every row (in primary-key order) of every table, alembic_version included."""
    metadata = MetaData()
    metadata.reflect(engine)
    prints: dict[str, TableFingerprint] = {}
    with engine.connect() as connection:
        for name in sorted(metadata.tables):
            table: Table = metadata.tables[name]
            order = list(table.primary_key.columns) or list(table.columns)
            digest = hashlib.sha256()
            rows = 0
            for row in connection.execute(select(table).order_by(*order)):
                digest.update(repr(tuple(row)).encode())
                digest.update(b"\n")
                rows += 1
            prints[name] = TableFingerprint(rows, digest.hexdigest())
    return prints


def backup(engine: Engine, path: Path) -> None:
    """Write a complete copy of the database to `path` (SQLite file, or a pg_dump custom-format archive)."""
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    partial = Path(name)
    try:
        if engine.dialect.name == "sqlite":
            _sqlite_copy(_sqlite_file(engine), partial)
        else:
            _run_tool("pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(partial), engine)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def restore(engine: Engine, path: Path) -> None:
    """Replace the whole database with the backup at `path`; on failure the database is left as it was."""
    if not path.is_file():
        raise BackupError(f"PATH: no backup file at {path}")
    if engine.dialect.name == "sqlite":
        _check_sqlite_backup(path)
        _sqlite_copy(path, _sqlite_file(engine))
        return
    script = _run_tool("pg_restore", "--no-owner", "--no-privileges", "--file", "-", str(path), None)
    # One transaction: drop what is there, then replay the dump; psql stops at the first error and rolls back.
    prologue = b"DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n"
    _run_tool("psql", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1", engine, stdin=prologue + script)


def _sqlite_file(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("database: an in-memory SQLite database has nothing to back up")
    return Path(database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy with SQLite's online backup API: a consistent snapshot, written into the target in one step."""
    reader = sqlite3.connect(source, timeout=30)
    writer = sqlite3.connect(target, timeout=30)
    try:
        reader.backup(writer)
    except sqlite3.Error as error:
        raise BackupError(f"database: the copy failed ({error})") from error
    finally:
        writer.close()
        reader.close()


def _check_sqlite_backup(path: Path) -> None:
    try:
        connection = sqlite3.connect(path)
        try:
            ok = connection.execute("PRAGMA integrity_check").fetchone()
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise BackupError(f"PATH: {path} is not a NerveTrack SQLite backup ({error})") from error
    if ok != ("ok",) or revision is None:
        raise BackupError(f"PATH: {path} is damaged or not a NerveTrack backup")


def _run_tool(tool: str, *args: str | Engine | None, stdin: bytes | None = None) -> bytes:
    """Run a PostgreSQL client tool; an Engine argument becomes the connection URL (password via PGPASSWORD)."""
    environment = dict(os.environ)
    command = [str(_pg_tool(tool))]
    for arg in args:
        if isinstance(arg, Engine):
            url = make_url(arg.url).set(drivername="postgresql")
            if url.password:
                environment["PGPASSWORD"] = str(url.password)
            command += ["--dbname", url.set(password=None).render_as_string(hide_password=False)]
        elif arg is not None:
            command.append(arg)
    result = subprocess.run(command, input=stdin, capture_output=True, env=environment, timeout=TOOL_SECONDS)
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise BackupError(f"database: {tool} failed: {message[-1] if message else result.returncode}")
    return result.stdout


def _pg_tool(tool: str) -> Path:
    """The PostgreSQL client tool: from $NERVETRACK_PG_BIN, the PATH, or the newest /usr/lib/postgresql/*/bin."""
    configured = os.environ.get("NERVETRACK_PG_BIN")
    if configured and (Path(configured) / tool).exists():
        return Path(configured) / tool
    found = shutil.which(tool)
    if found:
        return Path(found)
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"), key=lambda p: int(p.parent.parent.name))
    if not versions:
        raise BackupError(f"database: {tool} not found (apt-get install postgresql-client, or set NERVETRACK_PG_BIN)")
    return versions[-1]


def describe(engine: Engine) -> str:
    """One line for the operator: the schema revision, the number of tables and of rows."""
    prints = fingerprint(engine)
    rows = sum(p.rows for name, p in prints.items() if name != "alembic_version")
    return f"schema revision {current_revision(engine)}, {len(prints)} tables, {rows} rows"
