"""Settings for the web service and CLI, read once from the environment (prefix NERVETRACK_) and passed in.

Every setting (environment variable in brackets):
- data_dir (NERVETRACK_DATA_DIR): where the SQLite database and the generated secret key live; default ./data.
- database_url (NERVETRACK_DATABASE_URL): SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db;
  default sqlite in data_dir.
- secret_key (NERVETRACK_SECRET_KEY): signs session cookies and CSRF tokens; default a random key kept in
  data_dir/secret_key so sessions survive a restart.
- host, port (NERVETRACK_HOST, NERVETRACK_PORT): where `nervetrack serve` listens.
- login_max_attempts, login_window_seconds: failed logins allowed per account and per IP within the window.
- cookie_secure (NERVETRACK_COOKIE_SECURE): mark session cookies Secure (default true). `nervetrack serve`
  on a loopback address (127.x, localhost, ::1) defaults it to false, since it serves plain http there,
  unless NERVETRACK_COOKIE_SECURE is set.
- emergency_number (NERVETRACK_EMERGENCY_NUMBER): the number the patient pages tell a patient to call in an
  emergency (default 112); the pages add "or your local emergency number".
- odi_statements_file (NERVETRACK_ODI_STATEMENTS_FILE): a JSON file with the Oswestry statements, for a
  clinic that holds the licence; without it the form names each section and its 0-5 ends only.
- Reminders (issue 13; README "Check-in reminders"): smtp_url (NERVETRACK_SMTP_URL: smtp://, smtp+starttls:// or
  smtps://user:password@host:port), mail_from (NERVETRACK_MAIL_FROM), public_url (NERVETRACK_PUBLIC_URL: the
  address patients open, for the links in messages), sms_url, sms_account, sms_token, sms_from
  (NERVETRACK_SMS_*: a Twilio-compatible REST API), reminder_loop_seconds (NERVETRACK_REMINDER_LOOP_SECONDS:
  0 = `serve` sends none; run `nervetrack reminders run` from a timer), reminder_retry_seconds and
  reminder_max_attempts (back-off: the first retry after that many seconds, doubling), checkin_link_hours
  (how long a reminder's check-in link works).
  A patient is overdue after two missed due check-ins of the schedule.
- public_url (NERVETRACK_PUBLIC_URL): the service's address as patients and EHRs reach it (e.g. https://nervetrack.example.org);
  CDS Hooks JWTs must name `{public_url}/cds-services/{id}` as their audience, and cards link to it. Default:
  the address of each request.
- cds_hooks_issuers (NERVETRACK_CDS_HOOKS_ISSUERS): JSON object, CDS client issuer (`iss`) -> its JSON Web Key
  Set ({"keys": [...]}, public keys only). A CDS Hooks call is accepted only with a JWT signed by one of these
  keys; with none configured, every call is refused.
- cds_hooks_cors_origins (NERVETRACK_CDS_HOOKS_CORS_ORIGINS): JSON list of browser origins allowed to call
  /cds-services (default ["*"]: the calls carry a bearer JWT, never cookies).
- db_busy_timeout_seconds (NERVETRACK_DB_BUSY_TIMEOUT_SECONDS): how long a request waits for a lock held by
  another connection (SQLite's busy timeout, PostgreSQL's lock_timeout) before it is answered 503 with
  Retry-After; default 5.
- db_statement_timeout_seconds (NERVETRACK_DB_STATEMENT_TIMEOUT_SECONDS): PostgreSQL's statement_timeout;
  default 15.
- db_connect_timeout_seconds (NERVETRACK_DB_CONNECT_TIMEOUT_SECONDS): how long to wait for a PostgreSQL
  connection to open; default 3.
- db_pool_size, db_max_overflow, db_pool_timeout_seconds (NERVETRACK_DB_POOL_SIZE, ...): the connection
  pool of each server process (PostgreSQL): connections kept open, extra ones allowed at peaks, and how long a
  request waits for one before a 503; defaults 5, 10 and 5.
- retry_after_seconds (NERVETRACK_RETRY_AFTER_SECONDS): the Retry-After of a 503 when the database is busy
  or unreachable; default 5.
- session_idle_minutes (NERVETRACK_SESSION_IDLE_MINUTES): a clinician session unused this long ends; default
  30. Sessions also end at logout, a password change, `nervetrack clinician disable`, and after 8 hours.
- trusted_proxies (NERVETRACK_TRUSTED_PROXIES): comma-separated addresses or networks (e.g. 10.0.0.5,
  10.1.0.0/16) whose X-Forwarded-For is believed for the client address; default none (the TCP peer is the
  client).
- login_address_max_failures (NERVETRACK_LOGIN_ADDRESS_MAX_FAILURES): failed logins one address may make
  within login_window_seconds over all accounts before it must wait; default 50.
- max_api_body_bytes, max_form_body_bytes (NERVETRACK_MAX_API_BODY_BYTES, ...): request bodies larger than
  these are refused with 413 before they are read; defaults 1 MB and 64 KB.
"""

from __future__ import annotations

import ipaddress
import secrets
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def server_url(host: str, port: int) -> str:
    """The http address of a server listening on `host`:`port`, with an IPv6 host in brackets and the
    any-address (0.0.0.0, ::) shown as the loopback one."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


class Settings(BaseSettings):
    """The service's configuration; build it once at the entry point and pass it in."""

    model_config = SettingsConfigDict(env_prefix="NERVETRACK_", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str | None = None
    secret_key: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    login_max_attempts: int = Field(default=5, ge=1)
    login_window_seconds: int = Field(default=900, ge=1)
    cookie_secure: bool = True
    odi_statements_file: Path | None = None
    emergency_number: str = Field(default="112", min_length=1, max_length=20, pattern=r"^[0-9+*#]+$")
    smtp_url: str | None = None
    mail_from: str = "NerveTrack <reminders@localhost>"
    sms_url: str | None = None
    sms_account: str | None = None
    sms_token: str | None = None
    sms_from: str | None = None
    reminder_loop_seconds: int = Field(default=0, ge=0, le=86400)
    reminder_retry_seconds: float = Field(default=60.0, gt=0, le=86400)
    reminder_max_attempts: int = Field(default=5, ge=1, le=50)
    checkin_link_hours: int = Field(default=48, ge=1, le=48)
    public_url: str | None = Field(default=None, pattern=r"^https?://[^/?#]+(/[^?#]*)?$")
    cds_hooks_issuers: dict[str, dict[str, Any]] = Field(default_factory=dict)
    cds_hooks_cors_origins: list[str] = Field(default_factory=lambda: ["*"])

    def resolved_public_url(self) -> str:
        """The address patients open, for links in messages: the configured one, or this server's."""
        return self.public_base(server_url(self.host, self.port))

    def public_base(self, seen: str) -> str:
        """The address to put in links and resource URLs: the configured public one (the server may sit
        behind a proxy), else `seen` (the address a request came to, or the server's own)."""
        return (self.public_url or seen).rstrip("/")

    db_busy_timeout_seconds: float = Field(default=5.0, gt=0, le=600)
    db_statement_timeout_seconds: float = Field(default=15.0, gt=0, le=3600)
    db_connect_timeout_seconds: int = Field(default=3, ge=1, le=120)
    db_pool_size: int = Field(default=5, ge=1, le=200)
    db_max_overflow: int = Field(default=10, ge=0, le=200)
    db_pool_timeout_seconds: float = Field(default=5.0, gt=0, le=600)
    retry_after_seconds: int = Field(default=5, ge=1, le=3600)
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    trusted_proxies: str = ""
    login_address_max_failures: int = Field(default=50, ge=1)
    max_api_body_bytes: int = Field(default=1_000_000, ge=1024)
    max_form_body_bytes: int = Field(default=64_000, ge=1024)

    def cookie_secure_was_set(self) -> bool:
        """Whether cookie_secure was given explicitly (argument or NERVETRACK_COOKIE_SECURE)."""
        return "cookie_secure" in self.model_fields_set

    def resolved_database_url(self) -> str:
        """The database URL: the configured one, or SQLite in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+pysqlite:///{(self.data_dir / 'nervetrack.sqlite3').resolve()}"

    def resolved_secret_key(self) -> str:
        """The secret key: the configured one, or one generated once and kept in the data directory."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key, encoding="utf-8")
        path.chmod(0o600)
        return key


def is_loopback(host: str) -> bool:
    """Whether a listening address is this machine only: 127.x, ::1, localhost."""
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def for_serving(settings: Settings) -> Settings:
    """The settings `nervetrack serve` runs with: plain-http cookies on a loopback address (where it serves
    http), unless cookie_secure was set explicitly (NERVETRACK_COOKIE_SECURE)."""
    if is_loopback(settings.host) and not settings.cookie_secure_was_set():
        return settings.model_copy(update={"cookie_secure": False})
    return settings
