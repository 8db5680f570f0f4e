"""The server's event loop never waits on the database: an async page handler reads its form on the loop and
hands the rest (the link's patient, every service call) to a thread. Otherwise one slow database call would
freeze every other request (tests/live/test_busy_database.py shows what that protects)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROUTES = Path(__file__).resolve().parents[2] / "src" / "nervetrack" / "web" / "routes"
# What reads or writes the database when called.
BLOCKING = {"open_link", "resolve_link", "_manage"}


def _service_names(tree: ast.Module) -> set[str]:
    return {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("nervetrack.services")
        for alias in node.names
    }


def _called(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _blocking_calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    blocking = BLOCKING | _service_names(tree)
    found = []
    for handler in (n for n in ast.walk(tree) if isinstance(n, ast.AsyncFunctionDef)):
        for call in (n for n in ast.walk(handler) if isinstance(n, ast.Call)):
            if _called(call) in blocking:
                found.append(f"{path.name}:{call.lineno} {handler.name} calls {_called(call)} on the event loop")
    return found


@pytest.mark.parametrize("path", sorted(ROUTES.glob("*.py")), ids=lambda p: p.name)
def test_async_handlers_leave_the_database_to_a_thread(path: Path) -> None:
    assert _blocking_calls(path) == []


def test_the_check_finds_a_handler_that_would_block(tmp_path: Path) -> None:
    source = tmp_path / "route.py"
    source.write_text(
        "from nervetrack.services.patients import get_patient\n"
        "async def page(request, token):\n"
        "    return get_patient(None, None, token)\n",
        encoding="utf-8",
    )
    assert _blocking_calls(source) == ["route.py:3 page calls get_patient on the event loop"]
