"""Load the licensed Oswestry Disability Index statements from a clinic's own file.

The ODI wording is copyrighted (fairbank-2000; licensed through Mapi), so NerveTrack ships only the section
names. A clinic holding a licence provides a JSON file:

    {"sections": [["<statement for 0>", ..., "<statement for 5>"], ... 10 sections in v2.1a order]}
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

SECTIONS = 10
STATEMENTS = 6


class OdiStatementsError(ValueError):
    """The statements file is missing, unreadable or not in the expected shape."""


@lru_cache(maxsize=4)
def load_odi_statements(path: Path) -> tuple[tuple[str, ...], ...]:
    """Read and check the statements file: 10 sections of 6 non-empty statements each."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise OdiStatementsError(f"odi_statements_file: cannot read {path} ({error.strerror})") from None
    except json.JSONDecodeError as error:
        raise OdiStatementsError(f"odi_statements_file: not valid JSON (line {error.lineno})") from None
    sections = data.get("sections") if isinstance(data, dict) else None
    if not isinstance(sections, list) or len(sections) != SECTIONS:
        raise OdiStatementsError(f"odi_statements_file: `sections` must be a list of {SECTIONS} sections")
    for index, section in enumerate(sections):
        if (
            not isinstance(section, list)
            or len(section) != STATEMENTS
            or not all(isinstance(s, str) and s.strip() for s in section)
        ):
            raise OdiStatementsError(
                f"odi_statements_file: sections[{index}] must be a list of {STATEMENTS} non-empty statements"
            )
    return tuple(tuple(s.strip() for s in section) for section in sections)
