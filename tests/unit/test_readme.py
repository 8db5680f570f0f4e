"""The README says what the product does: its output field list and its examples match the program."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from nervetrack.cli import app

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
runner = CliRunner()


def _output_paragraph() -> str:
    start = README.index("The output (`--format json`) holds")
    return README[start : README.index("\n\n", start)]


def _assessed(name: str) -> dict:
    result = runner.invoke(app, ["assess", str(ROOT / "examples" / name), "--format", "json"])
    assert result.exit_code == 0, result.output
    data: dict = json.loads(result.output)
    return data


def test_the_output_field_list_names_every_field_and_no_other():
    named = set(re.findall(r"`(\w+)`", _output_paragraph()))
    data = _assessed("05_laminectomy_no_improvement_3_months_soon.json")
    symptom = next(s for s in data["symptoms"] if s["forecast"])
    fields = {*data, *data["flags"][0], *data["triage"], *symptom, *symptom["forecast"]}
    assert fields - named == set(), "fields the README does not name"
    listed = named - {"yes_no", "choice"}
    follow_up = {"id", "text", "answer", "choices", "why"}
    past_and_ahead = {"6w", "3m", "6m", "12m", "1m", "day", "value", "low", "high", "past", "yours", "from_day", "note"}
    odi_fields = {"score", "band"}
    assert listed - fields - follow_up - past_and_ahead - odi_fields == set(), "fields the README names wrongly"


def test_the_standard_input_example_works_as_written():
    line = next(ln for ln in README.splitlines() if "assess -" in ln and ln.startswith("cat "))
    pattern = shlex.split(line.split("|")[0])[1]
    files = sorted(ROOT.glob(pattern))
    assert len(files) == 1, pattern
    result = runner.invoke(app, ["assess", "-", "--format", "json"], input=files[0].read_text())
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["triage"]["level"] == "emergency"


def test_the_two_set_up_commands_come_first():
    block = README.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert [ln.split()[0:2] for ln in block] == [["make", "run"], ["make", "test"]]
