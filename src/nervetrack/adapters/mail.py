"""Email over SMTP with the standard library (smtplib, email): NERVETRACK_SMTP_URL chooses the security.

    smtp://host:25               plain, for a relay on the same host or network
    smtp+starttls://host:587     STARTTLS, required (the send fails if the server does not offer it)
    smtps://host:465             TLS from the first byte (SSL)

with optional user:password@ for AUTH. Each message has a plain-text and an HTML part and any extra headers
(List-Unsubscribe); one connection serves a batch of messages.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlsplit

from nervetrack.adapters.delivery import DeliveryError, Outgoing

SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
TIMEOUT_SECONDS = 30


class SmtpUrlError(ValueError):
    """NERVETRACK_SMTP_URL cannot be used."""


class SmtpTransport:
    """Sends email through one SMTP server."""

    channel = "email"

    def __init__(self, url: str, sender: str, tls_context: ssl.SSLContext | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise SmtpUrlError("NERVETRACK_SMTP_URL must look like smtp://, smtp+starttls:// or smtps://host:port")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or SCHEMES[parts.scheme]
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender
        self.tls = tls_context or ssl.create_default_context()
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: Outgoing) -> str:
        """Send one message; DeliveryError (permanent for a refused recipient or 5xx) if not accepted."""
        email = self.compose(message)
        try:
            refused = self._connection().send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()))
            raise DeliveryError(_reply(code, reply), permanent=code >= 500, bounce=code >= 500) from None
        except smtplib.SMTPResponseException as error:
            self.close()
            raise DeliveryError(_reply(error.smtp_code, error.smtp_error), permanent=error.smtp_code >= 500) from None
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise DeliveryError(f"SMTP: {type(error).__name__}", permanent=False) from None
        if refused:
            raise DeliveryError("SMTP: recipient refused", permanent=True, bounce=True)
        return str(email["Message-ID"])

    def compose(self, message: Outgoing) -> EmailMessage:
        """The email: headers, a plain-text part and, when given, an HTML alternative."""
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = message.message_id or make_msgid(domain="nervetrack")
        email["Auto-Submitted"] = "auto-generated"
        for name, value in message.headers.items():
            email[name] = value
        email.set_content(message.text)
        if message.html:
            email.add_alternative(message.html, subtype="html")
        return email

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            self._smtp = self._connect()
        return self._smtp

    def _connect(self) -> smtplib.SMTP:
        smtp: smtplib.SMTP
        if self.scheme == "smtps":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT_SECONDS, context=self.tls)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS)
            if self.scheme == "smtp+starttls":
                smtp.starttls(context=self.tls)
        if self.user:
            smtp.login(self.user, self.password or "")
        return smtp


def _reply(code: int, reply: bytes | str) -> str:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
    return f"SMTP {code}: {text[:200]}"
