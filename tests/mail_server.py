"""Real servers on 127.0.0.1 for the reminder tests: an aiosmtpd SMTP server that keeps every message it
receives, and an HTTP server that plays a Twilio-compatible text-message provider (with error answers)."""

from __future__ import annotations

import base64
import email
import email.policy
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.pg import free_port


@dataclass
class Received:
    """Every message the SMTP server accepted, and the recipients it refused (by address)."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def count(self) -> int:
        with self.lock:
            return len(self.messages)


class _Handler:
    def __init__(self, received: Received) -> None:
        self.received = received

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any) -> str:
        if address in self.received.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        with self.received.lock:
            self.received.messages.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted"


@dataclass
class SmtpServer:
    host: str
    port: int
    received: Received

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """An aiosmtpd server on a free port of 127.0.0.1, for one test."""
    received = Received()
    port = free_port()
    controller = Controller(_Handler(received), hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, received)
    finally:
        controller.stop()


@dataclass
class SmsProvider:
    """The fake provider's state: texts accepted, and the answers to give first (status codes)."""

    url: str
    texts: list[dict[str, str]] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)
    requests: int = 0
    auth: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def sms_provider() -> Iterator[SmsProvider]:
    """A Twilio-compatible Messages endpoint on 127.0.0.1; answers from `failures` first (429, 500, 400)."""
    port = free_port()
    provider = SmsProvider(f"http://127.0.0.1:{port}")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            with provider.lock:
                provider.requests += 1
                provider.auth.append(base64.b64decode(self.headers["Authorization"].split()[1]).decode())
                status = provider.failures.pop(0) if provider.failures else 201
                if status == 201:
                    provider.texts.append({"path": self.path, **form})
                    sid = f"SM{len(provider.texts):032d}"
            body: dict[str, Any] = (
                {"sid": sid, "status": "queued"}
                if status == 201
                else {"code": 20003 if status == 400 else status, "message": "no"}
            )
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
