"""`nervetrack ask "QUESTION" [--record FILE] [--format text|json]`: answers from the knowledge base, the
warning-sign instruction first (registered in cli.py)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console

from nervetrack.domain.ask import AskResult, ask
from nervetrack.domain.assess import assess
from nervetrack.domain.errors import InvalidInput
from nervetrack.domain.validation import parse_record
from nervetrack.knowledge import load_knowledge

NO_ANSWER = (
    "NerveTrack's knowledge base has no answer to this question. Please ask your surgical team; "
    "for any warning sign call them, or the emergency number."
)


def ask_command(
    question: Annotated[str, typer.Argument(help="The question, in your own words.")],
    record: Annotated[
        str | None, typer.Option("--record", help="A patient record JSON file ('-': standard input) for your numbers.")
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
) -> None:
    """Answer a patient's question from the cited knowledge base (never generated text)."""
    from nervetrack.cli import _fail, _read_json

    if format not in ("text", "json"):
        _fail([f"--format: must be one of text, json (got {format!r})"])
    knowledge = load_knowledge()
    try:
        assessment = assess(parse_record(_read_json(record)), knowledge) if record else None
    except InvalidInput as error:
        _fail([f"{record}: {p}" for p in error.problems])
    try:
        result = ask(question, knowledge, assessment)
    except InvalidInput as error:
        _fail([str(p) for p in error.problems])
    if format == "json":
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2))
        return
    render_answers(result, Console(highlight=False), {s: knowledge.sources[s].title for s in _cited(result)})


def _cited(result: AskResult) -> list[str]:
    return list(dict.fromkeys(s for a in result.answers for s in a.sources))


def render_answers(result: AskResult, console: Console, titles: dict[str, str]) -> None:
    """The reply as text: the instruction first, then each answer with its sources and the patient's numbers."""
    if result.instruction:
        console.print(f"[bold red]{result.level.upper() if result.level else ''}: {result.instruction}[/]")
        console.print()
    if result.no_answer:
        console.print(NO_ANSWER)
    for answer in result.answers:
        console.print(f"[bold]{answer.title}[/bold]")
        console.print(answer.text)
        for line in _yours_lines(answer.yours):
            console.print(f"  [cyan]{line}[/cyan]")
        console.print(f"  Sources: {', '.join(f'{s} ({titles.get(s, s)})' for s in answer.sources)}")
        console.print()


def _yours_lines(yours: dict[str, Any] | None) -> list[str]:
    if not yours:
        return []
    lines = [f"You: day {yours['days_since_surgery']} after surgery, {yours['phase']['title']}."]
    for s in yours["symptoms"]:
        latest = "no rating yet" if s["latest"] is None else f"latest {s['latest']:g} ({s['unit']})"
        lines.append(f"Your {s['label'].lower()}: {latest}, {s['status'].replace('_', ' ')}. {s['message']}")
    return lines
