"""The nervetrack command line: reports, exit codes and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nervetrack.cli import app
from tests.records import checkin, record

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.json"))
runner = CliRunner()


def test_there_are_at_least_eight_examples_covering_every_level_and_procedure_family():
    assert len(EXAMPLES) >= 8
    levels = {p.stem.rsplit("_", 1)[-1] for p in EXAMPLES}
    assert levels == {"routine", "soon", "urgent", "emergency"}
    assert any("fusion" in p.stem for p in EXAMPLES) and any("discectomy" in p.stem for p in EXAMPLES)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_each_example_assesses_to_the_level_in_its_name(path):
    result = runner.invoke(app, ["assess", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["triage"]["level"] == path.stem.rsplit("_", 1)[-1]


def test_json_output_has_the_contract_fields():
    result = runner.invoke(app, ["assess", str(EXAMPLES[0]), "--format", "json"])
    data = json.loads(result.output)
    for key in ("as_of", "days_since_surgery", "phase", "triage", "flags", "symptoms", "guidance", "sources"):
        assert key in data
    assert set(data["phase"]) >= {"code", "title"} and set(data["triage"]) >= {"level", "summary"}
    for symptom in data["symptoms"]:
        assert set(symptom) >= {"name", "status", "baseline", "latest", "change", "expected", "message"}
    assert set(data["odi"]) >= {"score", "band"}
    assert all(set(g) >= {"text", "sources"} for g in data["guidance"])


def test_json_output_flags_carry_their_contract_fields():
    emergency = next(p for p in EXAMPLES if p.stem.endswith("_emergency"))
    data = json.loads(runner.invoke(app, ["assess", str(emergency), "--format", "json"]).output)
    assert data["flags"], "an emergency example raises flags"
    for flag in data["flags"]:
        assert set(flag) >= {"code", "level", "message", "sources", "causes", "evidence", "rule_version"}, flag
        assert flag["level"] in ("routine", "soon", "urgent", "emergency") and flag["sources"]
        assert all(set(c) >= {"text", "sources"} for c in flag["causes"])
    assert data["flags"][0]["level"] == data["triage"]["level"] == "emergency"


def test_text_report_is_readable_and_names_the_level():
    result = runner.invoke(app, ["assess", str(EXAMPLES[1])])
    assert result.exit_code == 0
    assert "EMERGENCY" in result.output and "cauda_equina" in result.output
    assert "emergency number" in result.output


def test_several_files_are_assessed_in_one_call():
    result = runner.invoke(app, ["assess", *map(str, EXAMPLES[:3]), "--format", "json"])
    assert result.exit_code == 0 and len(json.loads(result.output)) == 3


def test_dash_reads_standard_input():
    data = json.dumps(record(checkin(5, leg_pain=3)))
    result = runner.invoke(app, ["assess", "-", "--format", "json"], input=data)
    assert result.exit_code == 0 and json.loads(result.output)["patient_id"] == "t-1"


def test_bad_input_exits_2_with_one_line_per_problem_and_no_traceback():
    data = json.dumps(record(checkin(5, leg_pain=11, temperature_c=50), procedure="x"))
    result = runner.invoke(app, ["assess", "-"], input=data)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 3
    assert any("checkins[0].leg_pain" in line and "0 to 10" in line for line in lines)
    assert "Traceback" not in result.output


def test_invalid_json_and_missing_file_exit_2():
    assert runner.invoke(app, ["assess", "-"], input="{nope").exit_code == 2
    missing = runner.invoke(app, ["assess", "/no/such/file.json"])
    assert missing.exit_code == 2 and "cannot read" in missing.output


def test_unknown_format_exits_2():
    assert runner.invoke(app, ["assess", str(EXAMPLES[0]), "--format", "xml"]).exit_code == 2


def test_sources_lists_every_source_with_no_unused():
    result = runner.invoke(app, ["sources"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "art-nerve-timeline" in result.output and "(unused)" not in result.output


def test_nerve_regrowth_estimates_about_a_millimetre_a_day():
    result = runner.invoke(app, ["nerve-regrowth", "--distance-cm", "80"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "800 days" in result.output and "267 days" in result.output


@pytest.mark.parametrize("distance", ["0", "-3", "400"])
def test_nerve_regrowth_rejects_impossible_distances(distance):
    result = runner.invoke(app, ["nerve-regrowth", "--distance-cm", distance])
    assert result.exit_code == 2 and "--distance-cm" in result.output


def test_every_command_has_help():
    for name in [c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands]:
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0 and len(result.output) > 50, name


def test_loose_json_types_are_refused_with_exit_2(tmp_path):
    data = json.loads(EXAMPLES[0].read_text())
    data["checkins"][0]["leg_pain"] = "7"
    path = tmp_path / "loose.json"
    path.write_text(json.dumps(data))
    result = runner.invoke(app, ["assess", str(path)])
    assert result.exit_code == 2
    assert "checkins[0].leg_pain" in result.output and "Traceback" not in result.output
