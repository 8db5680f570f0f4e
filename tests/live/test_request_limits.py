"""Against a real server: bodies are capped before they are read (1 MB on the API, 64 KB for forms), and an
API request without a valid token is refused before its body is read, so a huge body costs no memory."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live.server import Prepared, ServerProcess, prepare


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Prepared, ServerProcess]]:
    folder = tmp_path_factory.mktemp("limits")
    prepared = prepare(folder, patients=1)
    process = ServerProcess(prepared, folder / "server.log")
    yield prepared, process
    process.stop()


def _rss_kb(process: ServerProcess) -> int:
    for line in Path(f"/proc/{process.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _declared_only(process: ServerProcess, path: str, length: int, headers: str = "") -> bytes:
    """Send headers declaring a `length`-byte body and only a few bytes of it: the answer must come anyway."""
    with socket.create_connection(("127.0.0.1", process.port), timeout=10) as sock:
        request = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f'Content-Length: {length}\r\n{headers}\r\n{{"a": '
        )
        sock.sendall(request.encode())
        return sock.recv(65536)


def test_a_huge_body_without_a_token_is_refused_before_it_is_read(server: tuple[Prepared, ServerProcess]) -> None:
    _, process = server
    answer = _declared_only(process, "/api/v1/patients", 100_000_000)
    assert answer.startswith(b"HTTP/1.1 401")
    assert b"application/problem+json" in answer


def test_a_body_over_the_api_cap_is_refused_with_413_and_costs_no_memory(
    server: tuple[Prepared, ServerProcess],
) -> None:
    prepared, process = server
    before = _rss_kb(process)
    auth = f"Authorization: Bearer {prepared.token}\r\n"
    assert _declared_only(process, "/api/v1/patients", 100_000_000, auth).startswith(b"HTTP/1.1 413")
    body = b'{"patient": "' + b"x" * 3_000_000 + b'"}'
    headers = {"Authorization": f"Bearer {prepared.token}", "Content-Type": "application/json"}
    response = httpx.post(f"{process.url}/api/v1/patients", content=body, headers=headers, timeout=30)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"patient": "'
        for _ in range(30):
            yield b"x" * 100_000

    streamed = httpx.post(f"{process.url}/api/v1/patients", content=chunks(), headers=headers, timeout=30)
    assert streamed.status_code == 413
    assert _rss_kb(process) - before < 20_000  # far less than the 100 MB declared and 6 MB sent


def test_a_form_over_64_kb_is_refused_before_it_is_parsed(server: tuple[Prepared, ServerProcess]) -> None:
    _, process = server
    files = {"file": ("big.bin", b"x" * 1_000_000)}
    response = httpx.post(f"{process.url}/clinic/login", files=files, data={"email": "a"}, timeout=30)
    assert response.status_code == 413
    link = next(iter(server[0].links.values()))
    form = {"leg_pain": "3", "note": "x" * 70_000}
    assert httpx.post(f"{process.url}/p/{link}/checkin", data=form, timeout=30).status_code == 413


def test_bodies_within_the_caps_are_served(server: tuple[Prepared, ServerProcess]) -> None:
    prepared, process = server
    headers = {"Authorization": f"Bearer {prepared.token}"}
    response = httpx.get(f"{process.url}/api/v1/patients", headers=headers, timeout=30)
    assert response.status_code == 200
    assert httpx.get(f"{process.url}/clinic/login", timeout=30).status_code == 200


def test_hospital_systems_get_the_api_cap_not_the_forms(server: tuple[Prepared, ServerProcess]) -> None:
    """A CDS Hooks call carries months of check-ins as prefetch (a year is about 320 KB) and a FHIR
    transaction many responses: both are JSON for machines, so the 1 MB cap applies, not the forms' 64 KB."""
    _, process = server
    body = b'{"hook": "patient-view", "padding": "' + b"x" * 400_000 + b'"}'
    headers = {"Content-Type": "application/json"}
    for path in ("/cds-services/nervetrack-recovery", "/fhir"):
        answer = httpx.post(f"{process.url}{path}", content=body, headers=headers, timeout=30)
        assert answer.status_code != 413, (path, answer.text[:200])
        assert answer.status_code in (400, 401), (path, answer.status_code)
    for path in ("/cds-services/nervetrack-recovery", "/fhir"):  # refused as FHIR clients read errors
        over = httpx.post(f"{process.url}{path}", content=b"x" * 1_100_000, timeout=30)
        assert over.status_code == 413 and over.headers["content-type"].startswith("application/fhir+json")
        assert over.json()["resourceType"] == "OperationOutcome"
        assert over.json()["issue"][0]["code"] == "too-costly" and "1000000 bytes" in over.text
