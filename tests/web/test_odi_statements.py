"""A clinic holding the ODI licence can load the questionnaire's statements from its own file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pages_support import make_site
from typer.testing import CliRunner

from nervetrack.adapters.odi_statements import OdiStatementsError, load_odi_statements
from nervetrack.cli import app
from nervetrack.config import Settings
from nervetrack.web.app import create_app


def _statements_file(tmp_path: Path, sections: object) -> Path:
    path = tmp_path / "odi.json"
    path.write_text(json.dumps({"sections": sections}))
    return path


def _sections() -> list[list[str]]:
    return [[f"Licensed statement {s}.{n}" for n in range(6)] for s in range(10)]


def test_the_form_names_sections_only_without_a_licence_file(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    page = site.client.get(site.link_for("demo-01")).text
    assert "Pain intensity" in page and "0 = no pain now; 5 =" in page
    assert "Licensed statement" not in page


def test_the_form_shows_the_clinics_licensed_statements(tmp_path: Path) -> None:
    site = make_site(tmp_path, odi_statements_file=_statements_file(tmp_path, _sections()))
    page = site.client.get(site.link_for("demo-01")).text
    assert "Licensed statement 0.0" in page and "Licensed statement 9.5" in page


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        (_sections()[:9], "a list of 10 sections"),
        ([*_sections()[:9], ["only", "five", "of", "the", "six"]], "sections[9] must be a list of 6"),
        ([*_sections()[:9], ["", "b", "c", "d", "e", "f"]], "non-empty"),
    ],
)
def test_a_malformed_statements_file_is_refused_naming_the_problem(tmp_path: Path, sections, message) -> None:
    load_odi_statements.cache_clear()
    with pytest.raises(OdiStatementsError, match=message.replace("[", r"\[").replace("]", r"\]")):
        create_app(
            Settings(data_dir=tmp_path, secret_key="k", odi_statements_file=_statements_file(tmp_path, sections))
        )


def test_serve_with_a_missing_statements_file_exits_2_with_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["serve", "--data-dir", str(tmp_path), "--port", "1"],
        env={"NERVETRACK_ODI_STATEMENTS_FILE": str(tmp_path / "missing.json")},
    )
    assert result.exit_code == 2
    assert "odi_statements_file: cannot read" in result.output
