"""`nervetrack forecast-cohort`: re-forecast every patient from a folder of records or from the database."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from nervetrack.cli import _settings, _upgraded_uow, app
from nervetrack.services.demo_seed import seed_demo
from nervetrack.services.forecasts import FORECAST_SYMPTOMS, keyed_patient_records

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


def test_it_forecasts_every_record_in_a_folder_and_writes_them(tmp_path: Path) -> None:
    out = tmp_path / "forecasts.json"
    result = runner.invoke(app, ["forecast-cohort", "--from-json", str(EXAMPLES), "--out", str(out)])
    assert result.exit_code == 0, result.output
    forecasts = json.loads(out.read_text())
    assert len(forecasts) == len(list(EXAMPLES.glob("*.json")))
    for per_symptom in forecasts.values():
        assert set(per_symptom) == set(FORECAST_SYMPTOMS)
        assert set(per_symptom["leg_pain"]["expected_at"]) == {"6w", "3m", "6m", "12m"}
    assert "Forecasts for" in result.output


def test_it_rejects_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    result = runner.invoke(app, ["forecast-cohort", "--from-json", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "not a directory" in result.output


def test_it_forecasts_every_patient_in_the_database(tmp_path: Path) -> None:
    uow = _upgraded_uow(_settings(tmp_path))
    seed_demo(uow)
    stored = keyed_patient_records(uow)
    assert stored
    out = tmp_path / "forecasts.json"
    result = runner.invoke(app, ["forecast-cohort", "--data-dir", str(tmp_path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert set(json.loads(out.read_text())) == {key for key, _ in stored}
    assert all(key.endswith(f"/{record.patient.id}") for key, record in stored)
