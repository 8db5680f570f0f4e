"""The recovery report, for the patient and to bring to the surgeon: HTML and PDF from one template.

The first page is the summary the surgeon reads first (surgery, phase, triage, each symptom's status, ODI,
open alerts, questions for the visit); then each symptom's chart with its expected band and forecast, the
ODI over time, past alerts, guidance for now and the sources. Charts are the same SVG the web pages draw
(reports/charts.py), so they stay vector in the PDF; WeasyPrint (with Debian's pango) lays out the PDF with
selectable text and tagged structure. A4 or Letter.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from nervetrack.domain.knowledge import Knowledge
from nervetrack.domain.model import OFF_COURSE
from nervetrack.domain.odi import score_odi
from nervetrack.domain.results import Assessment
from nervetrack.reports.charts import chart_data, describe, odi_svg, symptom_svg
from nervetrack.reports.report_data import ReportInput

PAGE_SIZES = ("A4", "Letter")
_ENV = Environment(loader=PackageLoader("nervetrack.reports", "templates"), autoescape=select_autoescape())


def report_html(knowledge: Knowledge, data: ReportInput, page_size: str = "A4") -> str:
    """The report as a standalone HTML document for `page_size` (A4 or Letter)."""
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page size must be one of {', '.join(PAGE_SIZES)} (got {page_size!r})")
    return _ENV.get_template("recovery_report.html").render(**_context(knowledge, data), page_size=page_size)


def report_pdf(knowledge: Knowledge, data: ReportInput, page_size: str = "A4") -> bytes:
    """The same report as a PDF: vector charts, selectable text, tagged for assistive technology."""
    from weasyprint import HTML

    pdf = HTML(string=report_html(knowledge, data, page_size)).write_pdf(pdf_tags=True)
    assert pdf is not None  # write_pdf returns the bytes when no target is given
    return bytes(pdf)


def _context(knowledge: Knowledge, data: ReportInput) -> dict[str, Any]:
    record, a = data.record, data.assessment
    today = a.days_since_surgery
    charts = []
    for s in a.symptoms:
        drawn = chart_data(knowledge, record, s, today)
        charts.append({"symptom": s, "svg": Markup(symptom_svg(drawn, f"report-{s.name}")), "words": describe(drawn)})
    odi_points = [
        ((c.date - record.surgery.date).days, float(score))
        for c in record.ordered_checkins()
        if c.odi is not None and (score := score_odi(knowledge.odi, c.odi).score) is not None
    ]
    cited = sorted({str(s["id"]) for s in a.sources} & set(knowledge.sources))
    return {
        "record": record,
        "a": a,
        "procedure": knowledge.procedures[a.procedure].get("label", a.procedure.replace("_", " ")),
        "clinic": data.clinic,
        "generated": data.generated or a.as_of,
        "charts": charts,
        "odi_svg": Markup(odi_svg(odi_points, today, knowledge.odi.acceptable_at_most)) if odi_points else None,
        "open_alerts": [x for x in data.alerts if x.acknowledged is None],
        "past_alerts": [x for x in data.alerts if x.acknowledged is not None],
        "questions": visit_questions(a),
        "sources": [knowledge.sources[s] for s in cited],
    }


def visit_questions(a: Assessment) -> list[str]:
    """Questions to ask at the next visit: about each flag, each symptom off its course, and the options the
    knowledge base suggests raising."""
    asks = [f"What could explain this, and what should we do: {f.message}" for f in a.flags]
    asks += [
        f"My {s.label.lower()} is {s.status.value.replace('_', ' ')}: is that expected for my operation, "
        "and is any test or change of plan needed?"
        for s in a.symptoms
        if s.status in OFF_COURSE
    ]
    asks += [d.text for d in a.discuss_with_surgeon]
    if not asks:
        asks.append("My recovery is on its expected course: what should I keep doing, and when is my next review?")
    return list(dict.fromkeys(asks))
