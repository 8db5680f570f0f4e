"""The admin commands (`clinic create`, `clinician create`, `token revoke`) and `serve`'s defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from typer.testing import CliRunner

from nervetrack.cli import _settings, _upgraded_uow, app
from nervetrack.services import clinics as clinics_service
from nervetrack.services.clinics import authenticate
from nervetrack.services.login_throttle import ThrottlePolicy
from nervetrack.web.app import create_app
from tests.asgi import AsgiClient

runner = CliRunner()
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clinics_service, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def _run(tmp_path: Path, *args: str, input: str | None = None) -> Any:
    return runner.invoke(app, [*args, "--data-dir", str(tmp_path)], input=input)


def _clinic(tmp_path: Path, name: str = "Spine unit") -> int:
    result = _run(tmp_path, "clinic", "create", name)
    assert result.exit_code == 0, result.output
    return int(result.output.split()[2])


def test_clinic_create_prints_the_new_clinics_id(tmp_path: Path) -> None:
    result = _run(tmp_path, "clinic", "create", "Spine unit")
    assert result.exit_code == 0
    assert result.output.strip() == "created clinic 1 (Spine unit)"


def test_clinic_create_refuses_an_empty_name_in_one_line(tmp_path: Path) -> None:
    result = _run(tmp_path, "clinic", "create", "  ")
    assert result.exit_code == 2
    assert result.output.strip() == "error: NAME: the clinic name must not be empty"


def test_clinician_create_reads_the_password_from_standard_input_and_the_login_works(tmp_path: Path) -> None:
    clinic = _clinic(tmp_path)
    result = _run(
        tmp_path,
        "clinician",
        "create",
        "--clinic",
        str(clinic),
        "--email",
        "Ann@Spine.example",
        "--name",
        "Dr Ann",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "ann@spine.example" in result.output and PASSWORD not in result.output
    uow = _upgraded_uow(_settings(tmp_path))
    assert authenticate(uow, ThrottlePolicy(), "ann@spine.example", PASSWORD, "127.0.0.1").name == "Dr Ann"


def test_clinician_create_asks_for_the_password_without_echoing_it(tmp_path: Path) -> None:
    clinic = _clinic(tmp_path)
    args = ("clinician", "create", "--clinic", str(clinic), "--email", "bo@spine.example", "--name", "Dr Bo")
    result = _run(tmp_path, *args, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and PASSWORD not in result.output


@pytest.mark.parametrize(
    ("options", "password", "message"),
    [
        (["--clinic", "42", "--email", "a@b.example", "--name", "A"], PASSWORD, "--clinic: no clinic 42"),
        (["--clinic", "1", "--email", "a@b.example", "--name", "A"], "short", "at least 10 characters"),
        (["--clinic", "1", "--email", "nope", "--name", "A"], PASSWORD, "'nope' is not an email address"),
        (["--clinic", "1", "--email", "a@b.example", "--name", " "], PASSWORD, "name must not be empty"),
    ],
)
def test_clinician_create_refuses_bad_input_in_one_line(
    tmp_path: Path, options: list[str], password: str, message: str
) -> None:
    _clinic(tmp_path)
    result = _run(tmp_path, "clinician", "create", *options, "--password-stdin", input=password + "\n")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]


def test_clinician_create_refuses_an_email_in_use(tmp_path: Path) -> None:
    clinic = _clinic(tmp_path)
    args = ["clinician", "create", "--clinic", str(clinic), "--email", "a@b.example", "--name", "A"]
    assert _run(tmp_path, *args, "--password-stdin", input=PASSWORD).exit_code == 0
    again = _run(tmp_path, *args, "--password-stdin", input=PASSWORD)
    assert again.exit_code == 2 and "already exists" in again.output


def test_a_token_revoked_on_the_command_line_is_refused_by_the_api(tmp_path: Path) -> None:
    clinic = _clinic(tmp_path)
    created = _run(tmp_path, "token", "create", "--clinic", str(clinic), "--name", "ehr")
    secret = created.output.strip()
    with AsgiClient(create_app(_settings(tmp_path, secret_key="k"))) as client:
        headers = {"Authorization": f"Bearer {secret}"}
        assert client.get("/api/v1/patients", headers=headers).status_code == 200
        revoked = _run(tmp_path, "token", "revoke", "ehr")
        assert revoked.exit_code == 0 and revoked.output.strip() == f"revoked API token 1 (ehr) of clinic {clinic}"
        refused = client.get("/api/v1/patients", headers=headers)
        assert refused.status_code == 401
        assert refused.headers["content-type"].startswith("application/problem+json")


def test_token_revoke_refuses_an_unknown_or_revoked_token_in_one_line(tmp_path: Path) -> None:
    unknown = _run(tmp_path, "token", "revoke", "7")
    assert unknown.exit_code == 2 and unknown.output.strip() == "error: token: no API token 7"
    clinic = _clinic(tmp_path)
    _run(tmp_path, "token", "create", "--clinic", str(clinic))
    assert _run(tmp_path, "token", "revoke", "1").exit_code == 0
    again = _run(tmp_path, "token", "revoke", "1")
    assert again.exit_code == 2 and "already revoked" in again.output


def _serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[Any, Any]:
    started: dict[str, Any] = {}

    def fake_run(asgi_app: Any, **kwargs: Any) -> None:
        started["app"] = asgi_app
        asgi_app.state.engine.dispose()

    monkeypatch.setattr("uvicorn.run", fake_run)
    result = runner.invoke(app, ["serve", "--data-dir", str(tmp_path), *args])
    assert result.exit_code == 0, result.output
    return result, started["app"].state.settings


def test_serve_demo_prints_the_clinic_login_address(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result, _ = _serve(tmp_path, monkeypatch, "--demo", "--host", "127.0.0.1", "--port", "8123")
    assert "http://127.0.0.1:8123/clinic/login" in result.output
    assert "email:" in result.output and "password:" in result.output


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.1.1", "localhost", "::1"])
def test_serve_on_a_loopback_address_allows_plain_http_cookies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    monkeypatch.delenv("NERVETRACK_COOKIE_SECURE", raising=False)
    _, settings = _serve(tmp_path, monkeypatch, "--host", host)
    assert settings.cookie_secure is False


def test_serve_on_another_address_keeps_secure_cookies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NERVETRACK_COOKIE_SECURE", raising=False)
    _, settings = _serve(tmp_path, monkeypatch, "--host", "0.0.0.0")
    assert settings.cookie_secure is True


def test_serve_keeps_an_explicit_cookie_secure_setting_on_loopback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NERVETRACK_COOKIE_SECURE", "true")
    _, settings = _serve(tmp_path, monkeypatch, "--host", "127.0.0.1")
    assert settings.cookie_secure is True


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("NERVETRACK_PORT", "99999", "NERVETRACK_PORT"),
        ("NERVETRACK_REMINDER_MAX_ATTEMPTS", "0", "REMINDER_MAX_ATTEMPTS"),
    ],
)
def test_a_setting_out_of_range_is_one_line_and_exit_code_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str
) -> None:
    monkeypatch.setenv(variable, value)
    for command in (
        ["db", "upgrade", "--data-dir", str(tmp_path)],
        ["clinic", "create", "X", "--data-dir", str(tmp_path)],
    ):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        assert named in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
