"""A forecast that follows a recurrence, and horizons that make sense on the day (issue 9)."""

from __future__ import annotations

from typing import Any

import pytest

from nervetrack import parse_record
from nervetrack.domain.forecast import prior_for_record
from nervetrack.domain.forecast_batch import forecast_for_record
from nervetrack.domain.knowledge import Knowledge
from nervetrack.domain.recurrence import Episode, RecurrenceSettings, fresh_episode
from tests.forecast_oracle import posterior_for_record, summarise
from tests.records import TYPICAL_BASELINE, checkin, record

SETTINGS = RecurrenceSettings(
    symptoms=("leg_pain",), from_day=14, relief_points=2.0, rise_points=3.0, jump_points=5.0, note="", sources=()
)
RELIEF = [(3.0, 5.0), (7.0, 3.0), (14.0, 2.0), (21.0, 2.0), (28.0, 1.0), (35.0, 2.0)]


def test_a_rise_of_three_on_two_check_ins_after_relief_starts_a_fresh_episode() -> None:
    episode = fresh_episode([*RELIEF, (42.0, 6.0), (49.0, 7.0)], 8.0, SETTINGS)
    assert episode == Episode(start_day=42, level=6.5)


def test_one_rise_of_three_is_not_yet_a_recurrence_but_a_jump_of_five_is() -> None:
    assert fresh_episode([*RELIEF, (42.0, 5.0)], 8.0, SETTINGS) is None
    assert fresh_episode([*RELIEF, (42.0, 5.0), (49.0, 2.0)], 8.0, SETTINGS) is None  # a wobble that settled
    assert fresh_episode([*RELIEF, (42.0, 7.0)], 8.0, SETTINGS) == Episode(start_day=42, level=7.0)


def test_no_relief_or_an_early_flare_does_not_restart_the_course() -> None:
    never_better = [(3.0, 8.0), (7.0, 7.0), (14.0, 8.0), (21.0, 7.0), (28.0, 8.0), (35.0, 8.0)]
    assert fresh_episode(never_better, 8.0, SETTINGS) is None
    early = [(1.0, 3.0), (2.0, 2.0), (3.0, 2.0), (5.0, 8.0), (7.0, 8.0)]  # swelling in the first days
    assert fresh_episode(early, 8.0, SETTINGS) is None


def test_the_latest_of_two_recurrences_is_the_one_forecast_from() -> None:
    second = [(56.0, 3.0), (63.0, 2.0), (70.0, 2.0), (77.0, 7.0), (84.0, 7.0)]
    episode = fresh_episode([*RELIEF, (42.0, 7.0), (49.0, 7.0), *second], 8.0, SETTINGS)
    assert episode is not None and episode.start_day == 77


def _recurring(as_of_day: int = 63) -> dict[str, Any]:
    days_values = [(3, 5), (7, 3), (14, 2), (21, 2), (28, 1), (35, 2), (42, 7), (49, 7), (56, 7), (63, 6)]
    return record(*[checkin(d, leg_pain=v) for d, v in days_values], baseline=TYPICAL_BASELINE, as_of_day=as_of_day)


def _relieved(as_of_day: int = 63) -> dict[str, Any]:
    days_values = [(3, 5), (7, 3), (14, 2), (21, 2), (28, 1), (35, 2), (42, 2), (49, 1), (56, 1), (63, 1)]
    return record(*[checkin(d, leg_pain=v) for d, v in days_values], baseline=TYPICAL_BASELINE, as_of_day=as_of_day)


def test_a_forecast_after_a_recurrence_starts_again_and_says_so(knowledge: Knowledge) -> None:
    recurred = forecast_for_record(knowledge, parse_record(_recurring()), "leg_pain")
    relieved = forecast_for_record(knowledge, parse_record(_relieved()), "leg_pain")
    assert relieved["episode"] is None
    assert recurred["episode"]["from_day"] == 42
    assert "day 42" in recurred["episode"]["note"]
    assert recurred["ahead"]["1m"]["value"] > relieved["ahead"]["1m"]["value"] + 2
    assert set(knowledge.recurrence.sources) <= set(recurred["sources"])  # type: ignore[union-attr]


def test_horizons_already_past_are_marked_with_the_patients_own_rating(knowledge: Knowledge) -> None:
    days_values = [(7, 6), (14, 5), (40, 4), (60, 3), (95, 3), (118, 2)]
    data = record(*[checkin(d, leg_pain=v) for d, v in days_values], baseline=TYPICAL_BASELINE, as_of_day=118)
    f = forecast_for_record(knowledge, parse_record(data), "leg_pain")
    assert f["expected_at"]["6w"]["past"] and f["expected_at"]["6w"]["yours"] == {"day": 40, "value": 4}
    assert f["expected_at"]["3m"]["past"] and f["expected_at"]["3m"]["yours"] == {"day": 95, "value": 3}
    assert not f["expected_at"]["6m"]["past"] and f["expected_at"]["6m"]["yours"] is None
    assert {name: cell["day"] for name, cell in f["ahead"].items()} == {"1m": 148, "3m": 209, "6m": 300}
    for cell in f["ahead"].values():
        assert 0 <= cell["low"] <= cell["value"] <= cell["high"] <= 10


def test_a_past_horizon_without_a_rating_near_it_says_so(knowledge: Knowledge) -> None:
    data = record(checkin(7, leg_pain=6), checkin(150, leg_pain=2), baseline=TYPICAL_BASELINE, as_of_day=150)
    f = forecast_for_record(knowledge, parse_record(data), "leg_pain")
    assert f["expected_at"]["3m"] | {"value": 0, "low": 0, "high": 0} == {
        "day": 91,
        "value": 0,
        "low": 0,
        "high": 0,
        "past": True,
        "yours": None,
    }


@pytest.mark.parametrize("data", [_recurring(), _relieved(), _recurring(as_of_day=200)])
def test_the_engine_agrees_with_the_oracle_on_episodes_and_horizons(knowledge: Knowledge, data: dict[str, Any]) -> None:
    patient = parse_record(data)
    inputs = prior_for_record(knowledge, patient, "leg_pain")
    assert knowledge.forecast is not None and knowledge.recurrence is not None
    post = posterior_for_record(knowledge, patient, "leg_pain")
    one = summarise(post, knowledge.forecast, inputs.today, inputs.own, knowledge.recurrence.note)
    many = forecast_for_record(knowledge, patient, "leg_pain")
    assert many["episode"] == one["episode"]
    for part in ("expected_at", "ahead"):
        for name, cell in one[part].items():
            assert many[part][name]["day"] == cell["day"]
            assert many[part][name].get("past") == cell.get("past")
            assert many[part][name].get("yours") == cell.get("yours")
            for field in ("value", "low", "high"):
                assert many[part][name][field] == pytest.approx(cell[field], abs=0.11)
    a, b = one["days_to_mild"], many["days_to_mild"]
    assert (a is None) == (b is None)
    if a is not None and b is not None:
        assert abs(a["value"] - b["value"]) <= 6
