"""`nervetrack report --patient ID --clinic N`: the report of a stored patient, read from the database."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from nervetrack.adapters.db.engine import make_engine, make_session_factory
from nervetrack.adapters.db.migrate import upgrade
from nervetrack.cli import app
from nervetrack.config import Settings
from nervetrack.services.demo_seed import seed_demo
from nervetrack.services.unit_of_work import UnitOfWork

runner = CliRunner()


def _seeded(tmp_path: Path) -> tuple[int, str]:
    engine = make_engine(Settings(data_dir=tmp_path))
    upgrade(engine)
    seed = seed_demo(UnitOfWork(make_session_factory(engine)))
    engine.dispose()
    return seed.demo.clinic_id, seed.patient_ids[0]


def test_the_report_of_a_stored_patient_is_written_as_pdf(tmp_path: Path) -> None:
    clinic, patient = _seeded(tmp_path)
    out = tmp_path / "r.pdf"
    args = ["report", "--patient", patient, "--clinic", str(clinic), "--data-dir", str(tmp_path), "--pdf", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")


def test_another_clinics_patient_is_refused_in_one_line(tmp_path: Path) -> None:
    clinic, patient = _seeded(tmp_path)
    args = ["report", "--patient", patient, "--clinic", str(clinic + 1), "--data-dir", str(tmp_path), "--pdf", "x"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "--patient:" in result.output and not Path("x").exists()
