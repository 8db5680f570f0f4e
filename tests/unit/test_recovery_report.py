"""The recovery report: one template for HTML and PDF, text selectable (pdftotext), pages that render
(pdftoppm), vector charts, A4 and Letter, and the CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nervetrack.cli import app
from nervetrack.domain.assess import assess
from nervetrack.domain.validation import parse_record
from nervetrack.knowledge import load_knowledge
from nervetrack.reports.recovery_report import report_html, report_pdf, visit_questions
from nervetrack.reports.report_data import ReportAlert, ReportInput
from tests.records import checkin, record

K = load_knowledge()
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "recovery-report-page1.png"
runner = CliRunner()


def _data() -> ReportInput:
    raw = record(
        checkin(7, leg_pain=5, numbness=6, odi=[2] * 10),
        checkin(21, leg_pain=3, numbness=5, weakness=4, odi=[1] * 10),
        checkin(35, leg_pain=2, numbness=5, odi=[1] * 10),
        baseline={"leg_pain": 8, "numbness": 6, "weakness": 2},
    )
    parsed = parse_record(raw)
    alert = ReportAlert("soon", "Numbness is not improving as expected.", parsed.surgery.date, None)
    return ReportInput(parsed, assess(parsed, K), [alert], "Spine Clinic A")


def _run(*args: str | Path) -> str:
    assert shutil.which(str(args[0])), f"{args[0]} is missing (Debian package poppler-utils)"
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


@pytest.fixture(scope="module")
def pdf_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.pdf"
    path.write_bytes(report_pdf(K, _data()))
    return path


def test_the_pdf_text_is_selectable_and_holds_every_section(pdf_file: Path) -> None:
    text = _run("pdftotext", "-layout", pdf_file, "-")
    for expected in (
        "Recovery report",
        "microdiscectomy",
        "Symptoms",
        "Open alerts",
        "Questions for the next visit",
        "Each symptom over time",
        "Disability (ODI) over time",
        "Past alerts",
        "Guidance for now",
        "Sources",
        "Numbness is not improving as expected.",
    ):
        assert expected in text, expected


def test_the_first_page_is_the_summary_the_surgeon_reads_first(pdf_file: Path) -> None:
    first = _run("pdftotext", "-f", "1", "-l", "1", pdf_file, "-")
    assert "Triage" in first and "Questions for the next visit" in first and "Each symptom over time" not in first


def test_the_charts_are_vector_and_the_pdf_is_tagged(pdf_file: Path) -> None:
    assert _run("pdfimages", "-list", pdf_file).count("\n") <= 2  # header lines only: no raster images
    assert "Tagged:          yes" in _run("pdfinfo", pdf_file)


def test_every_page_renders_to_png(pdf_file: Path, tmp_path: Path) -> None:
    pages = int(next(line.split()[-1] for line in _run("pdfinfo", pdf_file).splitlines() if line.startswith("Pages:")))
    _run("pdftoppm", "-r", "50", "-png", pdf_file, tmp_path / "page")
    rendered = sorted(tmp_path.glob("page-*.png"))
    assert len(rendered) == pages >= 2
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 2000 for p in rendered)
    if os.environ.get("NERVETRACK_SCREENSHOTS"):
        _run("pdftoppm", "-r", "80", "-png", "-f", "1", "-singlefile", pdf_file, SCREENSHOT.with_suffix(""))


@pytest.mark.parametrize(("size", "points"), [("A4", "595.276 x 841.89"), ("Letter", "612 x 792")])
def test_a4_and_letter(size: str, points: str, tmp_path: Path) -> None:
    path = tmp_path / "r.pdf"
    path.write_bytes(report_pdf(K, _data(), size))
    assert points in _run("pdfinfo", path)


def test_html_and_pdf_come_from_one_template() -> None:
    html = report_html(K, _data())
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "size: A4" in html
    with pytest.raises(ValueError, match="page size must be one of A4, Letter"):
        report_html(K, _data(), "A5")


def test_questions_for_the_visit_follow_the_flags_and_off_course_symptoms() -> None:
    assessment = _data().assessment
    asks = visit_questions(assessment)
    assert asks and all(isinstance(q, str) for q in asks)
    for flag in assessment.flags:
        assert any(flag.message in q for q in asks)


def test_the_cli_writes_the_pdf_and_html(tmp_path: Path) -> None:
    source = tmp_path / "r.json"
    source.write_text(json.dumps(record(checkin(10, leg_pain=4))))
    out, page = tmp_path / "out.pdf", tmp_path / "out.html"
    result = runner.invoke(app, ["report", str(source), "--pdf", str(out), "--html", str(page)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF") and "<svg" in page.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pdf", "x.pdf"], "RECORD or --patient"),
        (["r.json"], "--pdf or --html"),
        (["r.json", "--pdf", "x.pdf", "--page-size", "A3"], "--page-size"),
    ],
)
def test_the_cli_refuses_bad_input_with_exit_code_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["report", *args])
    assert result.exit_code == 2 and message in result.output
