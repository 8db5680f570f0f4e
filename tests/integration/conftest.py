"""Integration fixtures: an empty database on SQLite and on a throwaway PostgreSQL server."""

from __future__ import annotations

from tests.mail_server import smtp_server  # noqa: F401  (fixture)
from tests.pg import db_settings, postgres  # noqa: F401  (fixtures)
