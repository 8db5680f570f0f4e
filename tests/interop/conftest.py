"""A real FHIR server for the interop tests: Medplum's FHIR router over its in-memory repository, served by
tests/node/fhir_server.mjs on 127.0.0.1 (a random port), requiring a bearer token."""

from __future__ import annotations

import secrets
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.interop.support import FHIR_SERVER, NODE, ROOT


@dataclass(frozen=True)
class FhirServer:
    base: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/fhir+json"}


@pytest.fixture(scope="session")
def fhir_server() -> Iterator[FhirServer]:
    token = secrets.token_urlsafe(16)
    process = subprocess.Popen(
        [*NODE, str(FHIR_SERVER), token], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    first: list[str] = []
    reader = threading.Thread(target=lambda: first.append(process.stdout.readline() if process.stdout else ""))
    reader.start()
    reader.join(timeout=60)
    try:
        if not first or not first[0].startswith("listening "):
            process.kill()
            raise RuntimeError(f"the FHIR server did not start: {process.stderr.read() if process.stderr else ''}")
        yield FhirServer(f"http://127.0.0.1:{int(first[0].split()[1])}", token)
    finally:
        process.terminate()
        process.wait(timeout=10)
