"""Fixtures for the page and API tests: the SMTP server on 127.0.0.1."""

from tests.mail_server import sms_provider, smtp_server  # noqa: F401  (fixtures)
