"""`nervetrack ask`: the contract's JSON, the instruction first in text, exit code 2 for bad input."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from nervetrack.cli import app
from tests.records import checkin, record

runner = CliRunner()


def test_json_holds_the_contract_fields_with_the_emergency_level():
    result = runner.invoke(app, ["ask", "I've lost control of my bladder", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"level", "instruction", "answers", "no_answer"}
    assert data["level"] == "emergency" and data["no_answer"] is False
    assert set(data["answers"][0]) == {"id", "title", "text", "sources", "yours"}
    assert data["answers"][0]["yours"] is None


def test_text_output_leads_with_the_instruction_before_any_answer():
    result = runner.invoke(app, ["ask", "I have chest pain and can't catch my breath"])
    assert result.exit_code == 0
    assert result.output.index("EMERGENCY") < result.output.index("Chest pain or breathlessness: a warning sign")


def test_a_record_file_puts_the_patients_numbers_beside_the_answers(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(record(checkin(14, walking_minutes=10), checkin(21, walking_minutes=15))))
    result = runner.invoke(app, ["ask", "how long until I can walk further?", "--record", str(path), "-f", "json"])
    assert result.exit_code == 0, result.output
    yours = json.loads(result.output)["answers"][0]["yours"]
    assert yours["days_since_surgery"] == 21 and yours["symptoms"][0]["name"] == "walking"


def test_an_unanswerable_question_says_so():
    result = runner.invoke(app, ["ask", "what should I name my new puppy"])
    assert result.exit_code == 0 and "no answer to this question" in result.output


def test_bad_input_exits_2_with_one_line_naming_the_field(tmp_path):
    assert runner.invoke(app, ["ask", " "]).exit_code == 2
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"patient": {"id": "x"}}))
    result = runner.invoke(app, ["ask", "when can I drive", "--record", str(bad)])
    assert result.exit_code == 2 and "bad.json:" in result.output and "Traceback" not in result.output
    assert runner.invoke(app, ["ask", "when can I drive", "--format", "xml"]).exit_code == 2
