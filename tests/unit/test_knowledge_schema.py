"""A typo in a knowledge file stops loading with the file, the item and the key named (issue 11)."""

from __future__ import annotations

import copy
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from nervetrack.domain.errors import KnowledgeError
from nervetrack.domain.knowledge import build_knowledge
from nervetrack.domain.triage import check_logic
from nervetrack.knowledge import FILES, load_knowledge, parse_files


def _parsed() -> dict[str, Any]:
    return parse_files()


def _rule(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(r for r in data["rules"]["rule"] if r["code"] == code)


def _load(data: dict[str, Any]) -> None:
    check_logic(build_knowledge(data))


def test_the_bundled_files_load():
    _load(_parsed())


@pytest.mark.parametrize(
    ("break_it", "named"),
    [
        (lambda d: _rule(d, "fever").update(level="urgnet"), r"rules\.toml: rule 'fever' → level: Input should be"),
        (
            lambda d: _rule(d, "rapid_weakness").update(supersede=["new_weakness"]),
            r"rules\.toml: rule 'rapid_weakness' → supersede: unknown key",
        ),
        (lambda d: _rule(d, "fever").pop("message"), r"rules\.toml: rule 'fever' → message: required key is missing"),
        (
            lambda d: _rule(d, "rapid_weakness").update(supersedes=["new_weaknes"]),
            r"rule 'rapid_weakness' → supersedes: no rule 'new_weaknes'",
        ),
        (
            lambda d: _rule(d, "rapid_weakness").update(marks={"symptom": "weaknes", "status": "worsening"}),
            r"rule 'rapid_weakness' → marks → symptom: no symptom 'weaknes'",
        ),
        (
            lambda d: _rule(d, "rapid_weakness").update(marks={"symptom": "weakness", "status": "awful"}),
            r"rule 'rapid_weakness' → marks → status: Input should be",
        ),
        (
            lambda d: d["rules"]["rule"][0].update(signs=["bladder_problme"]),
            r"signs: no warning sign 'bladder_problme'",
        ),
        (lambda d: d["rules"]["levels"].pop("soon"), r"rules\.toml: levels: no summary for level 'soon'"),
        (
            lambda d: d["courses"]["symptom"][0].update(mcid_points=-1),
            r"courses\.toml: symptom 'leg_pain' → mcid_points: Input should be greater than 0",
        ),
        (
            lambda d: d["courses"]["course"][0].update(tau_dayz=30),
            r"courses\.toml: course '\w+/\w+' → tau_dayz: unknown key",
        ),
        (lambda d: d["phases"].update(version="soon"), r"phases\.toml: version: String should match pattern"),
        (
            lambda d: d["guidance"]["item"][0].update(phases=["week_99"]),
            r"guidance\.toml: item '[\w-]+' → phases: no phase 'week_99'",
        ),
        (
            lambda d: d["sources"]["source"].append(
                {"id": "orphan-study", "kind": "study", "title": "A study nothing cites", "year": 2020}
            ),
            r"sources\.toml: source 'orphan-study' is cited by nothing",
        ),
        (
            lambda d: d["sources"]["source"][0].update(doi="not a doi"),
            r"sources\.toml: source 'art-nerve-timeline' → doi: String should match pattern",
        ),
        (lambda d: d.pop("schedule"), r"schedule\.toml: the file is missing"),
    ],
)
def test_a_broken_copy_is_refused_naming_file_item_and_key(break_it, named):
    data = copy.deepcopy(_parsed())
    break_it(data)
    with pytest.raises(KnowledgeError, match=named):
        _load(data)


def test_a_rule_without_its_check_is_refused():
    data = copy.deepcopy(_parsed())
    data["rules"]["rule"].append({**_rule(data, "fever"), "code": "fever_twice", "check": "fevre"})
    with pytest.raises(KnowledgeError, match=r"rule 'fever_twice' names no known check \('fevre'\)"):
        _load(data)


def test_a_param_the_check_reads_must_be_declared():
    data = copy.deepcopy(_parsed())
    del _rule(data, "fever")["params"]["fever_c"]
    with pytest.raises(KnowledgeError, match=r"rule 'fever' → params: 'fever_c' is read by its check"):
        _load(data)


def test_a_declared_param_the_check_never_reads_is_refused():
    """A misspelled threshold would otherwise sit unused while the check fails on the real name."""
    data = copy.deepcopy(_parsed())
    _rule(data, "fever")["params"]["fever_celsius"] = 38.0
    with pytest.raises(KnowledgeError, match=r"'fever_celsius' is declared but its check 'fever' never reads it"):
        _load(data)


def test_every_problem_is_reported_at_once():
    data = copy.deepcopy(_parsed())
    _rule(data, "fever").update(level="urgnet")
    data["scales"]["odi"].pop("band")
    with pytest.raises(KnowledgeError) as raised:
        _load(data)
    assert "rules.toml: rule 'fever'" in str(raised.value)
    assert "scales.toml: odi → band: required key is missing" in str(raised.value)


def test_a_directory_with_a_broken_file_fails_at_load(tmp_path: Path):
    root = resources.files("nervetrack.knowledge")
    for name in (*FILES, "cohorts"):
        suffix = "csv" if name == "cohorts" else "toml"
        (tmp_path / f"{name}.{suffix}").write_text((root / f"{name}.{suffix}").read_text())
    rules = tmp_path / "rules.toml"
    rules.write_text(rules.read_text().replace('level = "urgent"', 'level = "urgentt"', 1))
    with pytest.raises(KnowledgeError, match=r"rules\.toml: rule '\w+' → level"):
        load_knowledge(str(tmp_path))
