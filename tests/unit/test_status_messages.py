"""The sentences beside each symptom say what the numbers show (from the second external review)."""

from __future__ import annotations

from tests.records import TYPICAL_BASELINE, checkin, record

B = TYPICAL_BASELINE


def symptom(assessment, name: str):
    return next(s for s in assessment.symptoms if s.name == name)


def test_a_value_inside_the_band_only_with_the_tolerance_is_called_close_not_within(run):
    back = symptom(run(record(checkin(120, back_pain=4), baseline=B, approach="open")), "back_pain")
    assert back.status == "as_expected" and back.latest > back.expected.high
    assert "close to the usual range" in back.message and "within" not in back.message
    # Day 60: 4/10 is inside the range as shown (1/10 to 4/10), so it is called within.
    back = symptom(run(record(checkin(60, back_pain=4), baseline=B, approach="open")), "back_pain")
    assert back.status == "as_expected" and round(back.expected.high) >= back.latest
    assert "within the usual range" in back.message and "close to" not in back.message


def test_without_a_baseline_the_comparison_says_it_is_with_a_typical_value(run):
    leg = symptom(run(record(checkin(30, leg_pain=2))), "leg_pain")
    assert "typical before surgery" in leg.message
    assert "typical before surgery" not in symptom(run(record(checkin(30, leg_pain=2), baseline=B)), "leg_pain").message


def test_a_walking_time_above_the_target_before_surgery_is_shown_as_given(run):
    a = run(
        record(checkin(20, walking_minutes=20), checkin(30, walking_minutes=0), baseline={**B, "walking_minutes": 60})
    )
    assert "60 min" in symptom(a, "walking").message


def test_worse_again_but_not_worse_than_before_surgery_names_the_best_value(run):
    a = run(record(checkin(30, leg_pain=0), checkin(240, leg_pain=8), baseline={**B, "leg_pain": 8}))
    message = symptom(a, "leg_pain").message
    assert "worse again" in message and "0/10 at its best" in message


def test_no_odi_forecast_without_a_scored_questionnaire(run):
    two_missing = [2, 2, None, None, 2, 2, 2, 2, 2, 2]
    a = run(record(checkin(30, odi=two_missing), baseline=B))
    assert a.odi is not None and a.odi.score is None and a.odi.forecast is None


def test_an_all_clear_from_old_check_ins_says_how_old_they_are(run):
    a = run(record(checkin(30, leg_pain=1), baseline=B, as_of_day=400))
    assert a.triage.level == "routine" and "370 days old" in a.triage.summary
