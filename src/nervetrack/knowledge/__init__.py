"""Clinical content as versioned TOML data files, loaded into the domain's Knowledge value."""

from __future__ import annotations

import csv
import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from nervetrack.domain.errors import KnowledgeError
from nervetrack.domain.knowledge import Knowledge, build_knowledge
from nervetrack.domain.triage import check_logic

FILES = ("sources", "phases", "courses", "course_fits", "rules", "followups", "guidance", "scales", "schedule")
# Read when present, so that a knowledge directory made before them still loads.
OPTIONAL_FILES = ("answers", "synonyms")


def parse_files(directory: str | None = None) -> dict[str, Any]:
    """The knowledge files as parsed data keyed by file stem (the bundled ones, or those in `directory`)."""
    root = Path(directory) if directory else resources.files(__name__)
    parsed: dict[str, Any] = {}
    for name in FILES:
        path = root / f"{name}.toml"
        if path.is_file():  # a missing file is reported by the validation, with the others' problems
            try:
                parsed[name] = tomllib.loads(path.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as error:
                raise KnowledgeError(f"{name}.toml: not valid TOML ({error})") from error
    for name in OPTIONAL_FILES:
        if (root / f"{name}.toml").is_file():
            parsed[name] = tomllib.loads((root / f"{name}.toml").read_text(encoding="utf-8"))
    # The evidence table: its rows' sources are cited by the table itself.
    table = (root / "cohorts.csv").read_text(encoding="utf-8").splitlines()
    parsed["cohorts"] = {"row": list(csv.DictReader(line for line in table if not line.startswith("#")))}
    return parsed


@lru_cache(maxsize=4)
def load_knowledge(directory: str | None = None) -> Knowledge:
    """Load the bundled knowledge base, or one from `directory` holding the same files."""
    knowledge = build_knowledge(parse_files(directory))
    check_logic(knowledge)
    return knowledge
