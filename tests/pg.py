"""A throwaway PostgreSQL server for the storage tests, and the `db_settings` fixture over SQLite and it.

The server is Debian's PostgreSQL, started with initdb/pg_ctl from $NERVETRACK_PG_BIN (default: the newest
/usr/lib/postgresql/*/bin) in a temporary directory on a free 127.0.0.1 port, and stopped at the end.
PostgreSQL refuses to run as root, so as root the commands run as the `postgres` user. If the server
cannot start, the tests fail loudly: they never skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from nervetrack.config import Settings

_lock = threading.Lock()
_server: PostgresServer | None = None
_users = 0


def pg_bin() -> Path:
    """Where initdb and pg_ctl are."""
    configured = os.environ.get("NERVETRACK_PG_BIN")
    if configured:
        return Path(configured)
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install -y postgresql (or set NERVETRACK_PG_BIN)")
    return found[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PostgresServer:
    """One PostgreSQL cluster in a temporary directory."""

    def __init__(self) -> None:
        self.bin = pg_bin()
        self.root = Path(tempfile.mkdtemp(prefix="nervetrack-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        self._databases = 0

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            log = (self.root / "log").read_text() if (self.root / "log").exists() else ""
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): {result.stderr}{result.stdout}\n{log}")

    def start(self) -> None:
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        self.start_again()

    def start_again(self) -> None:
        """Start the server on its existing data directory (after shut_down)."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")

    def shut_down(self) -> None:
        """Stop the server (fast shutdown: open connections are cut), keeping its data for start_again."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """Create an empty database and return its URL."""
        self._databases += 1
        name = f"test_{self._databases}"
        engine = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        engine.dispose()
        return self.url(name)


def acquire() -> PostgresServer:
    """Start the shared server on first use."""
    global _server, _users
    with _lock:
        if _server is None:
            server = PostgresServer()
            server.start()
            _server = server
        _users += 1
        return _server


def release() -> None:
    """Stop the shared server when its last user is done."""
    global _server, _users
    with _lock:
        _users -= 1
        if _users == 0 and _server is not None:
            _server.stop()
            _server = None


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = acquire()
    yield server
    release()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for an empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return Settings(data_dir=tmp_path, secret_key="test-secret")
    server: PostgresServer = request.getfixturevalue("postgres")
    return Settings(data_dir=tmp_path, database_url=server.new_database(), secret_key="test-secret")
