"""Shared fixtures: the knowledge base and an assess() bound to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from nervetrack import Assessment, assess, load_knowledge, parse_record
from nervetrack.domain.knowledge import Knowledge


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge()


@pytest.fixture(scope="session")
def run(knowledge: Knowledge) -> Callable[[dict[str, Any]], Assessment]:
    def _run(data: dict[str, Any]) -> Assessment:
        return assess(parse_record(data), knowledge)

    return _run
