"""The database commands: `nervetrack db upgrade` and `nervetrack token create`."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from nervetrack.cli import app

runner = CliRunner()


def test_db_upgrade_brings_a_new_data_directory_to_the_newest_revision(tmp_path: Path) -> None:
    result = runner.invoke(app, ["db", "upgrade", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "revision 0005" in result.output
    assert (tmp_path / "nervetrack.sqlite3").exists()


def test_token_create_refuses_an_unknown_clinic_in_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["token", "create", "--clinic", "42", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "no clinic 42" in result.output


def test_every_new_command_has_help() -> None:
    for command in (["serve"], ["db", "upgrade"], ["token", "create"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output
