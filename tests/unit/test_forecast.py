"""The personalised recovery forecast of one patient (domain.forecast) and how assess() reports it."""

from __future__ import annotations

import io
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from nervetrack import parse_record
from nervetrack.domain.forecast import prior_for
from nervetrack.domain.forecast_batch import band_for_record, batch_from, forecast_cohort, forecast_for_record
from nervetrack.domain.knowledge import Knowledge
from nervetrack.domain.timeline import course_for_patient
from nervetrack.reports.terminal import render
from tests.records import TYPICAL_BASELINE, checkin, record

HORIZONS = ("6w", "3m", "6m", "12m")


def _forecast(knowledge: Knowledge, data: dict[str, Any], symptom: str = "leg_pain") -> dict[str, Any]:
    return forecast_for_record(knowledge, parse_record(data), symptom)


def _width(forecast: dict[str, Any], horizon: str = "3m") -> float:
    cell = forecast["expected_at"][horizon]
    return float(cell["high"] - cell["low"])


def _leg_pain_series(values: list[int], days: tuple[int, ...] = (3, 7, 14, 21, 28, 42, 56)) -> list[Any]:
    return [checkin(day, leg_pain=v) for day, v in zip(days, values, strict=False)]


def test_forecast_has_the_published_fields_for_every_horizon(knowledge: Knowledge) -> None:
    f = _forecast(knowledge, record(*_leg_pain_series([5, 4, 3]), baseline=TYPICAL_BASELINE))
    assert set(f["expected_at"]) == set(HORIZONS)
    for horizon in HORIZONS:
        cell = f["expected_at"][horizon]
        assert 0 <= cell["low"] <= cell["value"] <= cell["high"] <= 10
    assert {"days_to_mild", "p_moderate_or_worse_12m", "checkins_used", "sources"} <= set(f)
    assert f["checkins_used"] == 3
    assert 0.0 <= f["p_moderate_or_worse_12m"] <= 1.0


def test_without_check_ins_the_forecast_is_the_population_curve_for_the_profile(knowledge: Knowledge) -> None:
    data = record(baseline=TYPICAL_BASELINE)
    f = _forecast(knowledge, data)
    course = course_for_patient(knowledge, parse_record(data), "leg_pain")
    assert f["checkins_used"] == 0
    for horizon, day in knowledge.forecast.horizons.items():  # type: ignore[union-attr]
        # the 8% stalled component and the skew of the speed's uncertainty (log_tau_sd about 0.7 since the
        # courses were fitted across cohorts, issue 9) lift the median a little
        assert f["expected_at"][horizon]["value"] == pytest.approx(8 * course.remaining(day), abs=0.6)


def test_a_patient_who_worsens_is_forecast_worse_than_the_population(knowledge: Knowledge) -> None:
    worse = _forecast(knowledge, record(*_leg_pain_series([7, 8, 8, 9]), baseline=TYPICAL_BASELINE))
    typical = _forecast(knowledge, record(baseline=TYPICAL_BASELINE))
    assert worse["expected_at"]["12m"]["value"] > typical["expected_at"]["12m"]["value"] + 3
    assert worse["p_moderate_or_worse_12m"] > 0.8
    assert worse["days_to_mild"] is None


def test_a_symptom_that_plateaus_high_is_not_expected_to_become_mild(knowledge: Knowledge) -> None:
    days = (14, 28, 56, 84, 120)
    data = record(*[checkin(d, numbness=6) for d in days], baseline=TYPICAL_BASELINE, as_of_day=120)
    f = _forecast(knowledge, data, "numbness")
    assert f["expected_at"]["12m"]["value"] >= 3.5
    assert f["days_to_mild"] is None
    assert f["p_moderate_or_worse_12m"] > 0.5


def test_a_quick_recovery_is_expected_to_be_mild_soon(knowledge: Knowledge) -> None:
    f = _forecast(knowledge, record(*_leg_pain_series([3, 2, 1, 1, 0]), baseline=TYPICAL_BASELINE))
    mild = f["days_to_mild"]
    assert mild is not None and mild["high"] is not None
    assert mild["low"] <= mild["value"] <= mild["high"] <= 60
    assert f["p_moderate_or_worse_12m"] < 0.05


def test_a_single_check_in_gives_a_wide_band(knowledge: Knowledge) -> None:
    # A rating of 6 keeps the band off the floor at 0, which would hide its width (the fitted disc course
    # settles at 15% of the pre-operative level, issue 9).
    f = _forecast(knowledge, record(*_leg_pain_series([6]), baseline=TYPICAL_BASELINE))
    assert f["checkins_used"] == 1
    assert _width(f, "6w") >= 3.0
    assert _width(f, "12m") >= 3.0


def test_the_band_narrows_as_consistent_check_ins_come_in(knowledge: Knowledge) -> None:
    # Back pain after stenosis surgery settles at about 40% of its starting level, well clear of the floor at
    # 0 that would squeeze the band of a course settling lower.
    values = [5, 4, 3, 3, 2, 2, 2]
    days = (3, 7, 14, 21, 28, 42, 56)
    widths = [
        _width(
            _forecast(
                knowledge,
                record(
                    *[checkin(d, back_pain=v) for d, v in zip(days, values[:k], strict=False)],
                    baseline=TYPICAL_BASELINE,
                    procedure="laminectomy",
                ),
                "back_pain",
            ),
            "6m",
        )
        for k in (0, 1, 3, 7)
    ]
    none, one, three, seven = widths
    assert none > one > three
    assert seven < one and seven < none - 0.5


def test_noisy_scores_do_not_crash_and_keep_a_wide_band(knowledge: Knowledge) -> None:
    noisy = _forecast(knowledge, record(*_leg_pain_series([1, 8, 2, 9, 1, 7, 2]), baseline=TYPICAL_BASELINE))
    steady = _forecast(knowledge, record(*_leg_pain_series([5, 5, 5, 5, 5, 5, 5]), baseline=TYPICAL_BASELINE))
    for horizon in HORIZONS:
        cell = noisy["expected_at"][horizon]
        assert 0 <= cell["low"] <= cell["value"] <= cell["high"] <= 10
    assert _width(noisy, "3m") >= 3.0
    assert _width(noisy, "3m") > _width(steady, "3m")


def test_without_a_baseline_the_typical_one_is_used_with_a_wider_band(knowledge: Knowledge) -> None:
    # numbness recovers slowly, so at 6 weeks its band still depends on where it started and stays clear of
    # the floor at 0, which would hide the width
    known = _forecast(knowledge, record(baseline=TYPICAL_BASELINE, approach="open"), "numbness")
    unknown = _forecast(knowledge, record(approach="open"), "numbness")
    assert _width(unknown, "6w") > _width(known, "6w")


def test_walking_is_forecast_in_minutes_with_more_being_better(knowledge: Knowledge) -> None:
    data = record(*[checkin(d, walking_minutes=m) for d, m in ((7, 10), (14, 15), (28, 20))], baseline=TYPICAL_BASELINE)
    f = _forecast(knowledge, data, "walking")
    assert f["unit"] == "minutes"
    assert f["mild_threshold"] == 24.0 and f["moderate_threshold"] == 18.0
    for horizon in HORIZONS:
        cell = f["expected_at"][horizon]
        assert 0 <= cell["low"] <= cell["value"] <= cell["high"] <= 30
    assert f["expected_at"]["12m"]["value"] > f["expected_at"]["6w"]["value"] > 5


def test_odi_is_forecast_from_scored_questionnaires(knowledge: Knowledge) -> None:
    answers = [[3] * 10, [2] * 10, [1] * 10]
    data = record(*[checkin(d, odi=a) for d, a in zip((14, 42, 90), answers, strict=True)], as_of_day=90)
    f = _forecast(knowledge, data, "odi")
    assert f["unit"] == "0-100" and f["checkins_used"] == 3
    assert f["expected_at"]["12m"]["value"] < 25
    assert 0 <= f["expected_at"]["6w"]["low"] <= f["expected_at"]["6w"]["high"] <= 100


def test_forecast_band_gives_ordered_values_for_a_chart(knowledge: Knowledge) -> None:
    patient = parse_record(record(*_leg_pain_series([5, 4])))
    band = band_for_record(knowledge, patient, "leg_pain", [20, 40, 80, 160, 365])
    assert [day for day, *_ in band] == [20, 40, 80, 160, 365]
    assert all(0 <= lo <= m <= hi <= 10 for _, m, lo, hi in band)
    # The band agrees with the forecast the assessment reports for the same day.
    twelve = forecast_for_record(knowledge, patient, "leg_pain")["expected_at"]["12m"]
    assert band[-1][1:] == (twelve["value"], twelve["low"], twelve["high"])


def test_assess_fills_a_forecast_for_every_symptom_and_the_odi(knowledge: Knowledge, run: Any) -> None:
    data = record(
        *[checkin(d, leg_pain=4, walking_minutes=15, odi=[2] * 10) for d in (7, 14)], baseline=TYPICAL_BASELINE
    )
    assessment = run(data)
    assert all(s.forecast is not None for s in assessment.symptoms)
    assert assessment.odi is not None and assessment.odi.forecast is not None
    cited = {s["id"] for s in assessment.sources}
    assert set(assessment.odi.forecast["sources"]) <= cited
    for s in assessment.symptoms:
        assert set(s.forecast["sources"]) <= cited


def test_the_text_report_shows_the_forecast_table(run: Any) -> None:
    assessment = run(record(*_leg_pain_series([5, 4, 3]), baseline=TYPICAL_BASELINE))
    out = io.StringIO()
    render(assessment, Console(file=out, width=160))
    text = out.getvalue()
    assert "Forecast for this patient" in text
    assert "Mild by day" in text


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 700), st.integers(0, 10)), max_size=8),
    st.one_of(st.none(), st.integers(0, 10)),
)
def test_any_ratings_give_ordered_forecasts_inside_the_scale(
    knowledge: Knowledge, points: list[tuple[int, int]], baseline: int | None
) -> None:
    fs = knowledge.forecast
    assert fs is not None
    scale = knowledge.symptoms["leg_pain"]
    course = course_for_patient(knowledge, parse_record(record()), "leg_pain")
    prior = prior_for(course, fs.scales["0-10"], None if baseline is None else float(baseline), 7.5, fs)
    batch = batch_from([prior], [[(float(d), float(v)) for d, v in points]])
    f = forecast_cohort(batch, fs, fs.scales["0-10"]).as_dict(0)
    for cell in f["expected_at"].values():
        assert 0 <= cell["low"] <= cell["value"] <= cell["high"] <= 10
    mild = f["days_to_mild"]
    if mild is not None:
        assert 0 <= mild["low"] <= mild["value"] <= (mild["high"] if mild["high"] is not None else 730)
    assert scale.scale == f["unit"]
