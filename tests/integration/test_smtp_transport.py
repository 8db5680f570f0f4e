"""The SMTP transport against real aiosmtpd servers on 127.0.0.1 with TLS (certificates from a throwaway
certificate authority, trustme): STARTTLS with a login, TLS from the first byte (smtps), and the failures a
sender must tell apart (retry later, or never)."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from nervetrack.adapters.delivery import DeliveryError, Outgoing
from nervetrack.adapters.mail import SmtpTransport, SmtpUrlError
from tests.mail_server import Received, _Handler
from tests.pg import free_port

MESSAGE = Outgoing(to="someone@patients.example", subject="Time for your check-in", text="Check in here.")


@dataclass
class Logins:
    """The logins the server accepted, and whether each came over TLS."""

    accepted: list[tuple[str, bool]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
        if not isinstance(data, LoginPassword) or (data.login, data.password) != (b"clinic", b"p@ss word"):
            return AuthResult(success=False, handled=False)
        with self.lock:
            self.accepted.append((data.login.decode(), session.ssl is not None))
        return AuthResult(success=True)


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def trusting(authority: trustme.CA) -> ssl.SSLContext:
    """A client context that trusts the test authority (as a clinic's mail host's certificate is trusted)."""
    context = ssl.create_default_context()
    authority.configure_trust(context)
    return context


def _server_context(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    return context


def _serve(received: Received, **smtp_options: Any) -> Iterator[int]:
    port = free_port()
    controller = Controller(_Handler(received), hostname="127.0.0.1", port=port, ready_timeout=10, **smtp_options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def test_starttls_encrypts_before_the_login_and_the_message(authority: trustme.CA, trusting: ssl.SSLContext) -> None:
    received, logins = Received(), Logins()
    options = {"tls_context": _server_context(authority), "require_starttls": True, "authenticator": logins}
    for port in _serve(received, **options):
        transport = SmtpTransport(f"smtp+starttls://clinic:p%40ss%20word@127.0.0.1:{port}", "r@x.example", trusting)
        reference = transport.send(MESSAGE)
        transport.close()
    [message] = received.messages
    assert message["Message-ID"] == reference and message["To"] == "someone@patients.example"
    assert logins.accepted == [("clinic", True)]


def test_smtps_speaks_tls_from_the_first_byte(authority: trustme.CA, trusting: ssl.SSLContext) -> None:
    received = Received()
    for port in _serve(received, ssl_context=_server_context(authority)):
        transport = SmtpTransport(f"smtps://127.0.0.1:{port}", "r@x.example", trusting)
        transport.send(MESSAGE)
        transport.send(MESSAGE)  # one connection serves the batch
        transport.close()
    assert len(received.messages) == 2


def test_a_certificate_not_trusted_is_refused_and_nothing_is_sent(authority: trustme.CA) -> None:
    received = Received()
    options = {"tls_context": _server_context(authority), "require_starttls": True}
    for port in _serve(received, **options):
        transport = SmtpTransport(f"smtp+starttls://127.0.0.1:{port}", "r@x.example", ssl.create_default_context())
        with pytest.raises(DeliveryError) as refused:
            transport.send(MESSAGE)
    assert not refused.value.permanent and "SSLCertVerificationError" in str(refused.value)
    assert received.messages == []


def test_starttls_is_required_when_asked_for(trusting: ssl.SSLContext) -> None:
    received = Received()
    for port in _serve(received):  # a server that offers no STARTTLS
        transport = SmtpTransport(f"smtp+starttls://127.0.0.1:{port}", "r@x.example", trusting)
        with pytest.raises(DeliveryError):
            transport.send(MESSAGE)
    assert received.messages == []


def test_a_refused_address_is_a_bounce_and_an_unreachable_server_is_worth_retrying() -> None:
    received = Received()
    for port in _serve(received):
        transport = SmtpTransport(f"smtp://127.0.0.1:{port}", "r@x.example")
        received.refuse.add(MESSAGE.to)
        with pytest.raises(DeliveryError) as bounced:
            transport.send(MESSAGE)
        transport.close()
    assert bounced.value.permanent and bounced.value.bounce
    closed = SmtpTransport(f"smtp://127.0.0.1:{free_port()}", "r@x.example")  # nobody listens
    with pytest.raises(DeliveryError) as unreachable:
        closed.send(MESSAGE)
    assert not unreachable.value.permanent and not unreachable.value.bounce


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://", "smtps:///nohost", "mail.example:25"])
def test_an_smtp_url_that_cannot_be_used_is_refused_at_once(url: str) -> None:
    with pytest.raises(SmtpUrlError, match="NERVETRACK_SMTP_URL"):
        SmtpTransport(url, "r@x.example")
