"""The `nervetrack` command line: a thin layer over the library that turns its errors into one-line messages."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from nervetrack.domain.assess import assess as assess_record
from nervetrack.domain.errors import InvalidInput
from nervetrack.domain.knowledge import used_source_ids
from nervetrack.domain.regrowth import regrowth_time
from nervetrack.domain.validation import parse_record
from nervetrack.knowledge import load_knowledge
from nervetrack.reports.terminal import render, render_regrowth

app = typer.Typer(
    help="NerveTrack: nerve recovery after lumbar spine surgery.", no_args_is_help=True, add_completion=False
)
EXIT_BAD_INPUT = 2


def _fail(lines: list[str]) -> None:
    err = Console(stderr=True, highlight=False)
    for line in lines:
        err.print(f"[red]error:[/red] {line}", markup=True, soft_wrap=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def _read_json(name: str) -> Any:
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except OSError as error:
        _fail([f"{name}: cannot read the file ({error.strerror})"])
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        _fail([f"{name}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"])


@app.command()
def assess(
    files: Annotated[list[str], typer.Argument(help="Patient record JSON files; '-' reads standard input.")],
    format: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
) -> None:
    """Assess one or more patient records and print the report."""
    if format not in ("text", "json"):
        _fail([f"--format: must be one of text, json (got {format!r})"])
    knowledge = load_knowledge()
    results, problems = [], []
    for name in files:
        data = _read_json(name)
        try:
            results.append(assess_record(parse_record(data), knowledge))
        except InvalidInput as error:
            problems += [f"{name}: {p}" for p in error.problems]
    if problems:
        _fail(problems)
    if format == "json":
        payload = [r.model_dump(mode="json") for r in results]
        typer.echo(json.dumps(payload[0] if len(payload) == 1 else payload, indent=2))
        return
    console = Console()
    for result in results:
        render(result, console)


@app.command()
def sources() -> None:
    """List every source the knowledge base cites."""
    knowledge = load_knowledge()
    used = used_source_ids(knowledge)
    table = Table(title=f"NerveTrack sources ({knowledge.version})")
    for column in ("id", "title", "publisher", "year", "where"):
        table.add_column(column, overflow="fold")
    for source in knowledge.sources.values():
        where = source.file or source.doi or source.url or source.evidence or ""
        table.add_row(
            source.id + ("" if source.id in used else " (unused)"),
            source.title,
            source.publisher,
            str(source.year or ""),
            where,
        )
    Console().print(table)


@app.command("nerve-regrowth")
def nerve_regrowth(
    distance_cm: Annotated[
        float,
        typer.Option("--distance-cm", help="Distance from the nerve root to the muscle or skin, in cm."),
    ],
) -> None:
    """Estimate the time for regrowing nerve fibres to cover a distance, at about 1 mm a day."""
    try:
        estimate = regrowth_time(load_knowledge().regrowth, distance_cm)
    except InvalidInput as error:
        _fail([f"--distance-cm: {p.message}" for p in error.problems])
    render_regrowth(estimate, Console())


@app.command()
def demo() -> None:
    """Print assessments of the bundled demo patients."""
    from nervetrack.demo import demo_records

    knowledge = load_knowledge()
    console = Console()
    for record in demo_records():
        render(assess_record(record, knowledge), console)
