"""`nervetrack reminders run` and `serve` with the reminder settings: a pass reports what it did, and an SMTP
address that cannot be used stops the command in one line with exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from nervetrack.cli import app

runner = CliRunner()
BAD_URL = "http://mail.example:25"


def test_a_pass_without_a_channel_says_reminders_are_only_queued(tmp_path: Path) -> None:
    result = runner.invoke(app, ["reminders", "run", "--data-dir", str(tmp_path)], env={"NERVETRACK_SMTP_URL": ""})
    assert result.exit_code == 0, result.output
    assert "no channel configured" in result.output
    assert "queued 0, sent 0, retried 0, failed 0, bounced 0, skipped 0" in result.output


@pytest.mark.parametrize(
    "command",
    [["reminders", "run"], ["serve", "--port", "1"]],
    ids=["reminders run", "serve"],
)
def test_an_smtp_url_that_cannot_be_used_stops_the_command_in_one_line(tmp_path: Path, command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--data-dir", str(tmp_path)], env={"NERVETRACK_SMTP_URL": BAD_URL})
    assert result.exit_code == 2, result.output
    assert "NERVETRACK_SMTP_URL must look like smtp://" in result.output
    assert "Traceback" not in result.output


def test_reminders_run_has_help() -> None:
    result = runner.invoke(app, ["reminders", "run", "--help"])
    assert result.exit_code == 0 and "--loop" in result.output
