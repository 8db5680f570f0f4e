"""The SVG symptom charts: accessible (title, desc, axis labels, text labels) and drawn over the band."""

from __future__ import annotations

import dataclasses
import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from nervetrack import assess, load_knowledge
from nervetrack.demo import demo_records
from nervetrack.reports.charts import BandPoint, ChartData, chart_data, describe, odi_svg, symptom_svg

NS = {"svg": "http://www.w3.org/2000/svg"}
TODAY = dt.date(2026, 11, 21)


def _charts(patient: str) -> dict[str, tuple[ChartData, ET.Element]]:
    knowledge = load_knowledge()
    record = next(r for r in demo_records(TODAY) if r.patient.id == patient)
    assessment = assess(record, knowledge)
    out = {}
    for symptom in assessment.symptoms:
        data = chart_data(knowledge, record, symptom, assessment.days_since_surgery)
        out[symptom.name] = (data, ET.fromstring(symptom_svg(data)))
    return out


@pytest.mark.parametrize("symptom", ["leg_pain", "back_pain", "numbness", "tingling", "weakness", "walking"])
def test_each_chart_has_a_title_a_description_and_axis_labels(symptom: str) -> None:
    data, svg = _charts("demo-01")[symptom]
    assert svg.get("role") == "img"
    title = svg.find("svg:title", NS)
    desc = svg.find("svg:desc", NS)
    assert title is not None and title.text == f"{data.label} since surgery"
    assert desc is not None and desc.text and "day 28" in desc.text
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "Days since surgery" in texts
    assert any(t in texts for t in ("Score (0 = none)", "Minutes walking"))
    # The legend is the page's text beside the chart (it follows the reader's text size); the description
    # says which way is better.
    assert "Lower is better." in desc.text or "More is better." in desc.text


def test_the_forecast_band_is_striped_and_the_expected_range_solid() -> None:
    from nervetrack.reports.charts import BandPoint, symptom_svg

    data, _ = _charts("demo-01")["leg_pain"]
    svg = symptom_svg(dataclasses.replace(data, forecast=(BandPoint(28, 1, 3), BandPoint(60, 0, 2))), "c1")
    assert '<pattern id="c1-hatch"' in svg and 'fill="url(#c1-hatch)"' in svg
    assert 'class="chart-band" d=' in svg and 'fill="#bcd8f5"' in svg


def test_the_expected_band_is_drawn_under_a_marker_for_every_value() -> None:
    data, svg = _charts("demo-01")["leg_pain"]
    band = svg.find(".//svg:path[@class='chart-band']", NS)
    assert band is not None and band.get("d", "").startswith("M") and band.get("d", "").endswith("Z")
    markers = svg.findall(".//svg:g[@class='chart-series']/svg:circle", NS)
    assert len(markers) == len(data.points) == 3
    latest = svg.find(".//svg:text[@class='chart-latest']", NS)
    assert latest is not None and latest.text == "2"


def test_the_band_follows_the_expected_course_from_the_baseline_downwards() -> None:
    data, _ = _charts("demo-01")["leg_pain"]
    first, last = data.band[0], data.band[-1]
    assert first.day == 0 and first.low == pytest.approx(8) and first.high == pytest.approx(8)
    assert last.high < first.high and last.low < last.high


def test_walking_is_charted_in_minutes_with_more_being_better() -> None:
    data, _svg = _charts("demo-01")["walking"]
    assert data.is_minutes
    assert "More is better" in describe(data)
    assert data.band[-1].high > data.band[0].high


def test_a_forecast_is_drawn_ahead_of_today_when_given() -> None:
    data = ChartData(
        name="leg_pain",
        label="Leg pain",
        unit="0-10",
        today=30,
        points=((10, 5.0), (30, 3.0)),
        baseline=7.0,
        band=(BandPoint(0, 7, 7), BandPoint(60, 1, 4)),
        forecast=(BandPoint(30, 2, 4), BandPoint(60, 1, 3)),
    )
    svg = ET.fromstring(symptom_svg(data))
    assert svg.find(".//svg:path[@class='chart-forecast']", NS) is not None
    # Named in the page's legend beside the chart; the description says it in words.
    assert "Forecast for day 60: 1 to 3 out of 10" in describe(data)


def test_a_chart_without_values_says_so() -> None:
    data = ChartData(
        name="leg_pain",
        label="Leg pain",
        unit="0-10",
        today=3,
        points=(),
        baseline=None,
        band=(BandPoint(0, 5, 5), BandPoint(14, 2, 4)),
    )
    svg = ET.fromstring(symptom_svg(data))
    assert "No values yet" in [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "No values recorded yet." in describe(data)


def test_the_odi_chart_marks_the_acceptable_level() -> None:
    svg = ET.fromstring(odi_svg([(14, 40.0), (60, 18.0)], today=60))
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "acceptable ≤ 22%" in texts and "18%" in texts
    desc = svg.find("svg:desc", NS)
    assert desc is not None and "day 60: 18%" in (desc.text or "")
