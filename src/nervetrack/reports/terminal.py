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
    console.print(_symptom_table(a))
    for s in a.symptoms:
        for cause in s.causes:
            console.print(
                Text(f"  {s.label} - possible cause: {cause.text} {_cite(cause.sources)}", style="italic")
            )
    if a.odi is not None:
        console.print(Text(f"Oswestry: {a.odi.message} {_cite(a.odi.sources)}"))
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


def _symptom_table(a: Assessment) -> Table:
    table = Table(title="Symptoms", show_lines=False)
    for column in ("Symptom", "Before", "Latest", "Typical now", "Status", "What it means"):
        table.add_column(column)
    for s in a.symptoms:
        typical = f"{s.expected.low:g}-{s.expected.high:g}" if s.expected else "-"
        table.add_row(
            s.label,
            "-" if s.baseline is None else f"{s.baseline:g}",
            "-" if s.latest is None else f"{s.latest:g}",
            typical,
            Text(s.status.value.replace("_", " "), style=STATUS_STYLE[s.status]),
            s.message,
        )
    return table


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
