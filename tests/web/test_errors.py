"""An unexpected server error answers without leaking anything: problem+json under /api, a friendly page
elsewhere."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from pages_support import TestClient

from nervetrack.config import Settings
from nervetrack.web.app import create_app

SECRET = "db password is hunter2"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(data_dir=tmp_path, secret_key="test-secret", cookie_secure=False))

    def explode() -> None:
        raise RuntimeError(SECRET)

    app.add_api_route("/api/v1/test-only-boom", explode, methods=["GET"])
    app.add_api_route("/clinic/test-only-boom", explode, methods=["GET"])
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_an_unexpected_api_error_is_a_500_problem_without_details(client: TestClient) -> None:
    response = client.get("/api/v1/test-only-boom")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 500 and body["title"] == "Internal server error"
    assert SECRET not in response.text and "Traceback" not in response.text and "RuntimeError" not in response.text


def test_an_unexpected_page_error_shows_the_friendly_error_page(client: TestClient) -> None:
    response = client.get("/clinic/test-only-boom")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "Something went wrong" in response.text and "call your emergency number now" in response.text
    assert SECRET not in response.text and "Traceback" not in response.text
