"""`nervetrack report RECORD.json --pdf out.pdf` (or `--patient ID --clinic N` against the database): the
recovery report as PDF and/or HTML from one template (registered in cli.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nervetrack.domain.assess import assess
from nervetrack.domain.errors import InvalidInput
from nervetrack.domain.validation import parse_record
from nervetrack.knowledge import load_knowledge
from nervetrack.reports.recovery_report import PAGE_SIZES, report_html, report_pdf
from nervetrack.reports.report_data import ReportInput


def report_command(
    record: Annotated[str | None, typer.Argument(help="A patient record JSON file; '-' reads standard input.")] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write the PDF here.")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write the HTML here.")] = None,
    page_size: Annotated[str, typer.Option("--page-size", help="A4 or Letter.")] = "A4",
    patient: Annotated[str | None, typer.Option("--patient", help="A patient id in the database instead.")] = None,
    clinic: Annotated[int | None, typer.Option("--clinic", help="The patient's clinic id (with --patient).")] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Where the SQLite database lives.")] = None,
) -> None:
    """Write a patient's recovery report (for the patient and the surgeon) as PDF and/or HTML."""
    from nervetrack.cli import _fail, _read_json

    if page_size not in PAGE_SIZES:
        _fail([f"--page-size: must be one of {', '.join(PAGE_SIZES)} (got {page_size!r})"])
    if pdf is None and html is None:
        _fail(["--pdf or --html: say where to write the report"])
    if (record is None) == (patient is None):
        _fail(["RECORD or --patient: give exactly one"])
    knowledge = load_knowledge()
    if patient is not None:
        data = _from_database(patient, clinic, data_dir)
    else:
        try:
            parsed = parse_record(_read_json(record or "-"))
            data = ReportInput(parsed, assess(parsed, knowledge))
        except InvalidInput as error:
            _fail([f"{record}: {p}" for p in error.problems])
    if html is not None:
        html.write_text(report_html(knowledge, data, page_size), encoding="utf-8")
    if pdf is not None:
        pdf.write_bytes(report_pdf(knowledge, data, page_size))
    typer.echo(", ".join(str(p) for p in (pdf, html) if p is not None))


def _from_database(patient: str, clinic: int | None, data_dir: Path | None) -> ReportInput:
    from nervetrack.cli import _fail, _settings, _upgraded_uow
    from nervetrack.services.errors import NotFound
    from nervetrack.services.reports import report_input
    from nervetrack.services.views import Actor

    if clinic is None:
        _fail(["--clinic: needed with --patient (patients are kept per clinic)"])
    try:
        return report_input(_upgraded_uow(_settings(data_dir)), Actor.system(clinic), patient)
    except NotFound as error:
        _fail([f"--patient: {error}"])
        raise  # unreachable: _fail exits
