"""The forecast engine agrees with the scalar oracle (tests/forecast_oracle.py), and is calibrated on simulated
patients."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from benchmarks.forecast_validation import EVAL_DAYS, calibrate, simulate_cohort

from nervetrack.demo import demo_records
from nervetrack.domain import forecast_batch
from nervetrack.domain.forecast_batch import forecast_cohort, forecast_records
from nervetrack.domain.knowledge import Knowledge
from nervetrack.domain.model import PatientRecord
from tests.forecast_oracle import posterior_for_record, summarise

SYMPTOMS = ("leg_pain", "back_pain", "numbness", "tingling", "weakness", "walking", "odi")


def _both_paths(knowledge: Knowledge, records: list[PatientRecord], symptom: str) -> list[tuple[Any, Any]]:
    settings = knowledge.forecast
    assert settings is not None
    cohort = forecast_records(knowledge, records, symptom)
    singles = [summarise(posterior_for_record(knowledge, r, symptom), settings) for r in records]
    return [(one, cohort.as_dict(i)) for i, one in enumerate(singles)]


@pytest.mark.parametrize("symptom", SYMPTOMS)
def test_cohort_and_single_patient_forecasts_agree(knowledge: Knowledge, symptom: str) -> None:
    top = knowledge.forecast.scales[knowledge.symptoms[symptom].scale].top  # type: ignore[union-attr]
    for one, many in _both_paths(knowledge, demo_records(), symptom):
        assert one["checkins_used"] == many["checkins_used"]
        for horizon, cell in one["expected_at"].items():
            for field in ("value", "low", "high"):
                assert many["expected_at"][horizon][field] == pytest.approx(cell[field], abs=0.011 * top)
        assert many["p_moderate_or_worse_12m"] == pytest.approx(one["p_moderate_or_worse_12m"], abs=0.002)
        a, b = one["days_to_mild"], many["days_to_mild"]
        assert (a is None) == (b is None)
        if a is not None and b is not None:
            for field in ("value", "low"):
                assert b[field] == pytest.approx(a[field], abs=max(3, 0.05 * a[field]))
            assert (a["high"] is None) == (b["high"] is None)


def test_cohort_results_do_not_depend_on_the_chunk_size_or_the_threads(knowledge: Knowledge, monkeypatch: Any) -> None:
    sim = simulate_cohort(knowledge, 50, seed=3)
    settings = knowledge.forecast
    assert settings is not None
    from benchmarks.forecast_validation import batch_for

    batch = batch_for(sim, 3)
    whole = forecast_cohort(batch, settings, settings.scales["0-10"])
    monkeypatch.setattr(forecast_batch, "CHUNK", 7)
    chunked = forecast_cohort(batch, settings, settings.scales["0-10"])
    heard: list[int] = []
    threaded = forecast_cohort(batch, settings, settings.scales["0-10"], on_progress=heard.append, workers=2)
    assert sum(heard) == len(batch) and len(heard) == -(-len(batch) // 7)
    for other in (chunked, threaded):
        np.testing.assert_allclose(other.expected, whole.expected)
        np.testing.assert_allclose(other.p_moderate_12m, whole.p_moderate_12m)


@pytest.fixture(scope="module")
def calibration(knowledge: Knowledge) -> dict[int, Any]:
    # the size and seed of docs/validation.md: at 1,500 patients a coverage's sampling error (about 1.8
    # points) is as large as the distance to the aim's edges
    sim = simulate_cohort(knowledge, 5000, seed=20261121)
    return {k: calibrate(knowledge, sim, k) for k in (0, 1, 3, 5)}


@pytest.mark.parametrize("k", [0, 1, 3, 5])
def test_80_percent_intervals_hold_75_to_85_percent_of_simulated_ratings(calibration: Any, k: int) -> None:
    for horizon in EVAL_DAYS:
        assert 0.75 <= calibration[k].coverage[horizon] <= 0.85, (horizon, calibration[k].coverage)


@pytest.mark.parametrize("k", [3, 5])
def test_after_three_check_ins_the_forecast_beats_the_population_curve_and_the_last_value(
    calibration: Any, k: int
) -> None:
    c = calibration[k]
    for horizon in EVAL_DAYS:
        assert c.mae_forecast[horizon] < c.mae_population[horizon]
        assert c.mae_forecast[horizon] < c.mae_last_value[horizon]


def test_intervals_narrow_as_check_ins_come_in(calibration: Any) -> None:
    for horizon in EVAL_DAYS:
        widths = [calibration[k].mean_width[horizon] for k in (0, 1, 3, 5)]
        assert widths == sorted(widths, reverse=True)
