"""Clinical content as versioned TOML data files, loaded into the domain's Knowledge value."""

from __future__ import annotations

import csv
import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path

from nervetrack.domain.knowledge import Knowledge, build_knowledge
from nervetrack.domain.triage import check_logic

FILES = ("sources", "phases", "courses", "course_fits", "rules", "followups", "guidance", "scales", "schedule")
# Read when present, so that a knowledge directory made before them still loads.
OPTIONAL_FILES = ("answers", "synonyms")


@lru_cache(maxsize=4)
def load_knowledge(directory: str | None = None) -> Knowledge:
    """Load the bundled knowledge base, or one from `directory` holding the same files."""
    root = Path(directory) if directory else resources.files(__name__)
    parsed = {name: tomllib.loads((root / f"{name}.toml").read_text(encoding="utf-8")) for name in FILES}
    for name in OPTIONAL_FILES:
        if (root / f"{name}.toml").is_file():
            parsed[name] = tomllib.loads((root / f"{name}.toml").read_text(encoding="utf-8"))
    # The evidence table: its rows' sources are cited by the table itself.
    table = (root / "cohorts.csv").read_text(encoding="utf-8").splitlines()
    parsed["cohorts"] = {"row": list(csv.DictReader(line for line in table if not line.startswith("#")))}
    knowledge = build_knowledge(parsed)
    check_logic(knowledge)
    return knowledge
