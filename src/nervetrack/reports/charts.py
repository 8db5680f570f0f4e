"""Server-rendered SVG charts: a patient's values over days since surgery on their expected-course band.

The band is the central 80% of the expected course for the patient's procedure and profile
(timeline.course_for_patient, sources in courses.toml), scaled by the reference burden as the engine does
(trajectory.reference_burden). Charts are hand-built SVG: fast, no plotting backend, and accessible: a
<title> and <desc> that say what the chart shows in words, axis labels and markers with text labels; the
expected range is a solid blue band and the forecast a striped orange one, told apart by pattern as well as
colour. The legend is the page's text beside the chart (so that it follows the reader's text size); the
page's stylesheet sizes the chart's text in rem for the same reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from nervetrack.domain.forecast_batch import band_for_record
from nervetrack.domain.knowledge import Knowledge, SymptomScale
from nervetrack.domain.model import PatientRecord
from nervetrack.domain.results import SymptomResult
from nervetrack.domain.timeline import PatientCourse, course_for_patient
from nervetrack.domain.trajectory import reference_burden, series_of

# Geometry in SVG user units; the chart scales to its container (a 360-px phone shows it at ~1:1).
WIDTH, HEIGHT = 360, 250
LEFT, RIGHT, TOP, BOTTOM = 44, 22, 22, 62
FONT = 14


@dataclass(frozen=True)
class BandPoint:
    day: float
    low: float
    high: float


@dataclass(frozen=True)
class ChartData:
    """Everything one symptom chart draws, in the symptom's own units (score 0-10 or walking minutes)."""

    name: str
    label: str
    unit: str
    today: int
    points: tuple[tuple[int, float], ...]
    baseline: float | None
    band: tuple[BandPoint, ...]
    forecast: tuple[BandPoint, ...] = ()
    status: str = ""

    @property
    def is_minutes(self) -> bool:
        return self.unit == "minutes"


def chart_data(knowledge: Knowledge, record: PatientRecord, result: SymptomResult, today: int) -> ChartData:
    """Collect one symptom's values, expected-course band and any forecast for drawing."""
    scale = knowledge.symptoms[result.name]
    course = course_for_patient(knowledge, record, result.name)
    reference, _kind = reference_burden(scale, series_of(record, result.name))
    last_day = max([today, *(d for d, _ in result.history)])
    ahead = forecast_ahead(knowledge, record, result, today)
    until = max([_x_max(last_day), *(p.day for p in ahead)])
    return ChartData(
        name=result.name,
        label=result.label,
        unit=result.unit,
        today=today,
        points=tuple((int(d), float(v)) for d, v in result.history),
        baseline=result.baseline,
        band=expected_band(scale, course, reference, until),
        forecast=ahead,
        status=result.status.value,
    )


def expected_band(
    scale: SymptomScale, course: PatientCourse, reference: float, until: float, steps: int = 40
) -> tuple[BandPoint, ...]:
    """Sample the 80% expected range from surgery to `until`, in the symptom's units."""
    band = []
    for i in range(steps + 1):
        day = until * i / steps
        low_share, high_share = course.band(day)
        a, b = _value(scale, reference * low_share), _value(scale, reference * high_share)
        band.append(BandPoint(day, min(a, b), max(a, b)))
    return tuple(band)


def forecast_ahead(
    knowledge: Knowledge, record: PatientRecord, result: SymptomResult, today: int, steps: int = 8
) -> tuple[BandPoint, ...]:
    """The personalised forecast's 80% range from today onwards, when the engine made a forecast."""
    if not result.forecast:
        return ()
    horizon = max(28, round(today * 0.5))
    days = [today + round(horizon * i / steps) for i in range(steps + 1)]
    return tuple(
        BandPoint(d, low, high) for d, _mid, low, high in band_for_record(knowledge, record, result.name, days)
    )


def _value(scale: SymptomScale, burden: float) -> float:
    return scale.target - burden if scale.target is not None else burden


def _x_max(last_day: float) -> float:
    return float(max(14, math.ceil(last_day * 1.25 / 7) * 7))


# --- drawing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    x_max: float
    y_max: float

    def x(self, day: float) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * min(day, self.x_max) / self.x_max

    def y(self, value: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - min(max(value, 0), self.y_max) / self.y_max)


def symptom_svg(data: ChartData, chart_id: str | None = None) -> str:
    """Draw one symptom's chart as an accessible, self-contained SVG element."""
    cid = chart_id or f"chart-{data.name}"
    observed = max([data.today, *(d for d, _ in data.points)])
    horizon = max([_x_max(observed), *(p.day for p in data.forecast)])
    frame = _Frame(horizon, _y_max(data))
    parts = [
        _open(cid, f"{data.label} since surgery", describe(data)),
        _hatch(cid) if data.forecast else "",
        _band_path(frame, data.band, "chart-band"),
        _band_path(frame, data.forecast, "chart-forecast", f"url(#{escape(cid)}-hatch)"),
        _axes(frame, _y_label(data)),
        _baseline(frame, data.baseline, data.is_minutes),
        _today(frame, data.today),
        _series(frame, data.points, data.is_minutes),
        "</svg>",
    ]
    return "".join(p for p in parts if p)


def odi_svg(points: Sequence[tuple[int, float]], today: int, acceptable_at_most: float = 22.0) -> str:
    """Draw Oswestry disability (0-100%) over days since surgery with the acceptable level marked."""
    frame = _Frame(_x_max(max([today, *(d for d, _ in points)])), 100.0)
    if points:
        listed = ", ".join(f"day {d}: {v:.0f}%" for d, v in points)
        desc = f"Oswestry disability score after surgery, lower is better. {listed}."
    else:
        desc = "No Oswestry questionnaire answered yet."
    line_y = frame.y(acceptable_at_most)
    limit = (
        f'<line class="chart-limit" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{line_y:.1f}" y2="{line_y:.1f}" '
        f'stroke="#1b5e20" stroke-width="2" stroke-dasharray="2 4"/>'
        f'<text x="{WIDTH - RIGHT - 2}" y="{line_y - 5:.1f}" text-anchor="end" font-size="{FONT - 2}" '
        f'fill="#1b5e20">acceptable ≤ {acceptable_at_most:.0f}%</text>'
    )
    parts = [
        _open("chart-odi", "Oswestry disability over time", desc),
        _axes(frame, "Disability %"),
        limit,
        _today(frame, today),
        _series(frame, points, False, suffix="%"),
        "</svg>",
    ]
    return "".join(parts)


def describe(data: ChartData) -> str:
    """Say in words what the chart shows, for screen readers and for anyone who cannot see colour."""
    unit = " minutes" if data.is_minutes else " out of 10"
    better = "More is better." if data.is_minutes else "Lower is better."
    if data.points:
        listed = ", ".join(f"day {d}: {_fmt(v)}" for d, v in data.points)
        values = f"Your values by day after surgery: {listed}{unit}."
    else:
        values = "No values recorded yet."
    before = f" Before surgery: {_fmt(data.baseline)}{unit}." if data.baseline is not None else ""
    band = _band_at(data.band, data.today)
    expected = f" Expected range on day {data.today}: {_fmt(band.low)} to {_fmt(band.high)}{unit}." if band else ""
    ahead = ""
    if data.forecast:
        end = data.forecast[-1]
        ahead = f" Forecast for day {end.day:.0f}: {_fmt(end.low)} to {_fmt(end.high)}{unit}."
    return f"{data.label}. {better} {values}{before}{expected}{ahead}"


def _band_at(band: Sequence[BandPoint], day: float) -> BandPoint | None:
    if not band:
        return None
    return min(band, key=lambda p: abs(p.day - day))


def _y_max(data: ChartData) -> float:
    if not data.is_minutes:
        return 10.0
    values = [v for _, v in data.points] + [p.high for p in (*data.band, *data.forecast)]
    values += [data.baseline] if data.baseline is not None else []
    return float(max(30, math.ceil(max(values or [30]) * 1.1 / 10) * 10))


def _y_label(data: ChartData) -> str:
    return "Minutes walking" if data.is_minutes else "Score (0 = none)"


def _open(cid: str, title: str, desc: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(cid)}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{escape(cid)}-title {escape(cid)}-desc" '
        f'font-family="system-ui, sans-serif" font-size="{FONT}">'
        f'<title id="{escape(cid)}-title">{escape(title)}</title>'
        f'<desc id="{escape(cid)}-desc">{escape(desc)}</desc>'
    )


def _hatch(cid: str) -> str:
    """The forecast band's stripes: a pattern, so it differs from the expected range by more than colour."""
    return (
        f'<defs><pattern id="{escape(cid)}-hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="8" height="8" fill="#fff4e0"/>'
        f'<line x1="0" y1="0" x2="0" y2="8" stroke="#b36b00" stroke-width="3"/></pattern></defs>'
    )


def _band_path(frame: _Frame, band: Sequence[BandPoint], cls: str, fill: str | None = None) -> str:
    if len(band) < 2:
        return ""
    upper = [f"{frame.x(p.day):.1f},{frame.y(p.high):.1f}" for p in band]
    lower = [f"{frame.x(p.day):.1f},{frame.y(p.low):.1f}" for p in reversed(band)]
    d = "M" + " L".join(upper + lower) + " Z"
    if cls == "chart-forecast":
        return (
            f'<path class="{cls}" d="{d}" fill="{fill or "#fff4e0"}" fill-opacity="0.85" stroke="#8a4a00" '
            f'stroke-width="2" stroke-dasharray="6 3"/>'
        )
    return f'<path class="{cls}" d="{d}" fill="#bcd8f5" stroke="#2f5f94" stroke-width="1.5"/>'


def _axes(frame: _Frame, y_label: str) -> str:
    bottom, right = HEIGHT - BOTTOM, WIDTH - RIGHT
    out = [
        f'<g class="chart-axes" fill="#1a1a1a">'
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}" stroke="#1a1a1a"/>'
        f'<line x1="{LEFT}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#1a1a1a"/>'
    ]
    for value in _ticks(frame.y_max, 5):
        y = frame.y(value)
        out.append(f'<text x="{LEFT - 6}" y="{y + 5:.1f}" text-anchor="end">{value:g}</text>')
    for day in _ticks(frame.x_max, 4):
        x = frame.x(day)
        out.append(
            f'<line x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 5}" stroke="#1a1a1a"/>'
            f'<text x="{x:.1f}" y="{bottom + 20}" text-anchor="middle">{day:g}</text>'
        )
    out.append(
        f'<text class="chart-axis-label" x="{(LEFT + right) / 2:.0f}" y="{bottom + 38}" text-anchor="middle">'
        f"Days since surgery</text>"
        f'<text class="chart-axis-label" x="12" y="{(TOP + bottom) / 2:.0f}" text-anchor="middle" '
        f'transform="rotate(-90 12 {(TOP + bottom) / 2:.0f})">{escape(y_label)}</text></g>'
    )
    return "".join(out)


def _ticks(top: float, count: int) -> list[float]:
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [step * i for i in range(int(top // step) + 1)]


def _baseline(frame: _Frame, baseline: float | None, minutes: bool) -> str:
    if baseline is None:
        return ""
    y = frame.y(baseline)
    return (
        f'<line class="chart-baseline" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
        f'stroke="#5c5c5c" stroke-width="1.5" stroke-dasharray="6 4"/>'
        f'<text x="{LEFT + 4}" y="{y - 5:.1f}" font-size="{FONT - 2}" fill="#3a3a3a">'
        f"before surgery {_fmt(baseline)}{' min' if minutes else ''}</text>"
    )


def _today(frame: _Frame, today: int) -> str:
    x = frame.x(today)
    return (
        f'<line class="chart-today" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" '
        f'stroke="#6a1b9a" stroke-width="1" stroke-dasharray="2 3"/>'
        f'<text x="{x:.1f}" y="{TOP - 6}" text-anchor="middle" font-size="{FONT - 2}" fill="#4a148c">'
        f"today</text>"
    )


def _series(frame: _Frame, points: Sequence[tuple[int, float]], minutes: bool, suffix: str = "") -> str:
    if not points:
        return (
            f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.0f}" y="{(TOP + HEIGHT - BOTTOM) / 2:.0f}" '
            f'text-anchor="middle" fill="#1a1a1a">No values yet</text>'
        )
    coords = [(frame.x(d), frame.y(v)) for d, v in points]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    out = [f'<g class="chart-series"><polyline points="{line}" fill="none" stroke="#0b3d91" stroke-width="2.5"/>']
    for (x, y), (day, value) in zip(coords, points, strict=True):
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#0b3d91" stroke="#ffffff" stroke-width="1.5">'
            f"<title>day {day}: {_fmt(value)}{' min' if minutes else suffix}</title></circle>"
        )
    x, y = coords[-1]
    anchor = "end" if x > WIDTH - 70 else "start"
    dx = -8 if anchor == "end" else 8
    label = f"{_fmt(points[-1][1])}{' min' if minutes else suffix}"
    out.append(
        f'<text class="chart-latest" x="{x + dx:.1f}" y="{max(y - 8, TOP + 12):.1f}" text-anchor="{anchor}" '
        f'font-weight="bold" fill="#0b3d91">{escape(label)}</text></g>'
    )
    return "".join(out)


def _fmt(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:.0f}" if float(value).is_integer() or abs(value) >= 10 else f"{value:.1f}"
