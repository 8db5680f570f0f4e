"""A coloured terminal report of an assessment, for a person to read."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from nervetrack.domain.model import SymptomStatus, TriageLevel
from nervetrack.domain.regrowth import RegrowthEstimate
from nervetrack.domain.results import Assessment

LEVEL_STYLE = {
    TriageLevel.EMERGENCY: "bold white on red",
    TriageLevel.URGENT: "bold red",
    TriageLevel.SOON: "bold yellow",
    TriageLevel.ROUTINE: "bold green",
}
STATUS_STYLE = {
    SymptomStatus.RESOLVED: "green",
    SymptomStatus.IMPROVING: "green",
    SymptomStatus.AS_EXPECTED: "cyan",
    SymptomStatus.SLOWER_THAN_EXPECTED: "yellow",
    SymptomStatus.NOT_IMPROVING: "red",
    SymptomStatus.WORSENING: "bold red",
    SymptomStatus.NO_DATA: "dim",
}


def _cite(sources: list[str]) -> str:
    return f"[{', '.join(sources)}]"


def render(assessment: Assessment, console: Console) -> None:
    """Print the whole assessment: triage first, then flags, symptoms, ODI, guidance and sources."""
    a = assessment
    level = a.triage.level
    header = Text.assemble(
        (f" {level.value.upper()} ", LEVEL_STYLE[level]),
        f"  {a.triage.summary}\n",
        f"Patient {a.patient_id} - {a.procedure}, day {a.days_since_surgery} after surgery (as of {a.as_of})\n",
        (f"{a.phase.title}: ", "bold"),
        a.phase.what_happens,
    )
    console.print(Panel(header, title="NerveTrack assessment", border_style=LEVEL_STYLE[level].split()[-1]))
    for flag in a.flags:
        body = [Text(flag.message), Text(f"Why flagged: {flag.evidence}", style="dim")]
        body += [Text(f"Possible cause: {c.text} {_cite(c.sources)}", style="italic") for c in flag.causes]
        body.append(Text(f"Sources: {_cite(flag.sources)}", style="dim"))
        console.print(
            Panel(
                Group(*body),
                title=f"{flag.level.value.upper()}: {flag.code}",
                border_style=LEVEL_STYLE[flag.level].split()[-1],
            )
        )
    if a.follow_up:
        asked = [Text(f"- {q.text} ({_answer_words(q.answer, q.choices)})") for q in a.follow_up]
        why = Text(f"Why: {a.follow_up[0].why} {_cite(a.follow_up[0].sources)}", style="dim")
        console.print(Panel(Group(*asked, why), title="Please answer these follow-up questions", border_style="cyan"))
    console.print(_symptom_table(a))
    for sentence in _symptom_sentences(a):
        console.print(sentence)
    for s in a.symptoms:
        for cause in s.causes:
            console.print(Text(f"  {s.label} - possible cause: {cause.text} {_cite(cause.sources)}", style="italic"))
    if a.odi is not None:
        console.print(Text(f"Oswestry: {a.odi.message} {_cite(a.odi.sources)}"))
    # With an emergency the report is about calling now, not the months ahead.
    forecasts = _forecast_table(a)
    if forecasts.row_count and level is not TriageLevel.EMERGENCY:
        console.print(forecasts)
    console.print(Text("What to focus on now", style="bold underline"))
    console.print(Text(f"  {a.phase.focus} {_cite(a.phase.sources)}"))
    for item in a.guidance:
        console.print(Text(f"  - {item.text} {_cite(item.sources)}"))
    if a.discuss_with_surgeon:
        console.print(Text("Options to discuss with your surgeon", style="bold underline"))
        for topic in a.discuss_with_surgeon:
            console.print(Text(f"  - {topic.text} {_cite(topic.sources)}"))
    console.print(Text(f"Sources cited: {', '.join(s['id'] for s in a.sources)}", style="dim"))
    console.print(Text(a.disclaimer, style="bold"))


def _answer_words(kind: str, choices: list[str]) -> str:
    if kind == "choice":
        return " / ".join(choices)
    return "yes or no" if kind == "yes_no" else "0 to 10"


def _symptom_table(a: Assessment) -> Table:
    table = Table(title="Symptoms", show_lines=False)
    # The sentences go below the table at full width: in a sixth column they wrapped a word or two a line.
    for column in ("Symptom", "Before", "Latest", "Typical now", "Status"):
        table.add_column(column)
    for s in a.symptoms:
        typical = f"{s.expected.low:g}-{s.expected.high:g}" if s.expected else "-"
        table.add_row(
            s.label,
            "-" if s.baseline is None else f"{s.baseline:g}",
            "-" if s.latest is None else f"{s.latest:g}",
            typical,
            Text(s.status.value.replace("_", " "), style=STATUS_STYLE[s.status]),
        )
    return table


def _symptom_sentences(a: Assessment) -> list[Text]:
    return [Text.assemble((f"  {s.label}: ", STATUS_STYLE[s.status]), s.message) for s in a.symptoms]


def _forecast_table(a: Assessment) -> Table:
    """Each symptom's personalised forecast: middle value and 80% range at fixed times, time to mild."""
    rows = [(s.label, s.forecast) for s in a.symptoms]
    # Mild = 2/10 or less, 24+ walking minutes, ODI 20% or less; "Mod+" = still 4/10 or more (courses.toml).
    if a.odi is not None:
        rows.append(("Disability (Oswestry)", a.odi.forecast))
    notes = [f"{label}: {f['episode']['note']}" for label, f in rows if f and f.get("episode")]
    table = Table(
        title=f"Forecast for this patient from day {a.days_since_surgery} (middle value, 80% range)",
        caption="Ranges include how much one rating varies and narrow as check-ins come in. Mild: 2/10 or "
        "less, walking 24+ min, ODI 20% or less. Mod+ 12 mo: chance of still 4/10 or more at 12 months after "
        "surgery (walking under 18 min, ODI over 20%)." + "".join(f" {n}" for n in notes),
    )
    for column in ("Symptom", "Used", "In 1 mo", "In 3 mo", "In 6 mo", "Mild by day", "Mod+ 12 mo"):
        table.add_column(column, overflow="fold")
    for label, forecast in rows:
        if not forecast:
            continue
        digits = 1 if forecast["unit"] == "0-10" else 0
        cells = [_range(forecast["ahead"][h], digits) for h in ("1m", "3m", "6m")]
        table.add_row(
            label,
            str(forecast["checkins_used"]),
            *cells,
            _mild(forecast["days_to_mild"]),
            f"{forecast['p_moderate_or_worse_12m']:.0%}",
        )
    return table


def _range(cell: dict[str, float], digits: int) -> str:
    return f"{cell['value']:.{digits}f} ({cell['low']:.0f}-{cell['high']:.0f})"


def _mild(days: dict[str, int | None] | None) -> str:
    if days is None:
        return "> 2 years"
    high = "730+" if days["high"] is None else str(days["high"])
    return f"{days['value']} ({days['low']}-{high})"


def render_regrowth(estimate: RegrowthEstimate, console: Console) -> None:
    """Print a regrowth-time estimate with its caveats."""
    e = estimate
    console.print(
        Text.assemble(
            (f"{e.distance_cm:g} cm", "bold"),
            f" at about 1 mm a day: roughly {e.days_at_typical_rate:.0f} days "
            f"({e.months_at_typical_rate:.1f} months); at the fastest quoted rate about "
            f"{e.days_at_fast_rate:.0f} days.",
        )
    )
    for caveat in e.caveats:
        console.print(Text(f"  - {caveat}", style="italic"))
    console.print(Text(f"Sources: {_cite(list(e.sources))}", style="dim"))
