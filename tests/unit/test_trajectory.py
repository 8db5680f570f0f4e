"""Each symptom's status against the patient's expected course, and the phase timeline."""

from __future__ import annotations

import pytest

from nervetrack import parse_record
from nervetrack.domain.timeline import course_for_patient, phase_at
from tests.records import TYPICAL_BASELINE, checkin, record


def status(assessment, name: str) -> str:
    return next(s.status for s in assessment.symptoms if s.name == name)


@pytest.mark.parametrize(
    ("day", "phase"),
    [
        (0, "immediate"),
        (13, "immediate"),
        (14, "early"),
        (89, "early"),
        (90, "mid"),
        (182, "mid"),
        (183, "late"),
        (547, "late"),
        (548, "beyond"),
        (3000, "beyond"),
    ],
)
def test_phase_boundaries(knowledge, day, phase):
    assert phase_at(knowledge, day).code == phase


def test_leg_pain_that_fell_fast_is_improving(run):
    a = run(record(checkin(20, leg_pain=2), baseline=TYPICAL_BASELINE))
    assert status(a, "leg_pain") in ("improving", "resolved")


def test_leg_pain_of_zero_is_resolved(run):
    assert status(run(record(checkin(20, leg_pain=0), baseline=TYPICAL_BASELINE)), "leg_pain") == "resolved"


def test_leg_pain_only_partly_better_at_four_months_is_slower_than_expected(run):
    a = run(record(checkin(120, leg_pain=5), baseline={**TYPICAL_BASELINE, "leg_pain": 9}))
    assert status(a, "leg_pain") == "slower_than_expected"


def test_leg_pain_worse_than_before_surgery_is_worsening_with_swelling_as_early_cause(run):
    a = run(record(checkin(5, leg_pain=10), baseline={**TYPICAL_BASELINE, "leg_pain": 7}))
    leg = next(s for s in a.symptoms if s.name == "leg_pain")
    assert leg.status == "worsening"
    assert any("swelling" in c.text for c in leg.causes)


def test_numbness_unchanged_at_one_year_is_off_course_with_long_compression_as_cause(run):
    a = run(record(checkin(365, numbness=6), baseline=TYPICAL_BASELINE))
    numb = next(s for s in a.symptoms if s.name == "numbness")
    assert numb.status == "not_improving"
    assert numb.causes


def test_walking_is_judged_in_minutes_where_more_is_better(run):
    a = run(record(checkin(120, walking_minutes=40), baseline=TYPICAL_BASELINE))
    walking = next(s for s in a.symptoms if s.name == "walking")
    assert walking.status == "resolved" and walking.change == 35


def test_walking_that_fell_is_worsening(run):
    a = run(
        record(
            checkin(60, walking_minutes=25),
            checkin(90, walking_minutes=5),
            baseline={**TYPICAL_BASELINE, "walking_minutes": 15},
        )
    )
    assert status(a, "walking") == "worsening"


def test_symptom_never_scored_has_no_data(run):
    a = run(record(checkin(10, leg_pain=3)))
    assert status(a, "tingling") == "no_data"


def test_without_baseline_the_typical_published_baseline_is_the_reference(run):
    a = run(record(checkin(30, leg_pain=2)))
    leg = next(s for s in a.symptoms if s.name == "leg_pain")
    assert leg.expected is not None and leg.expected.reference_kind == "typical"
    assert leg.baseline is None and leg.change is None


def _course(knowledge, **overrides):
    data = record(**overrides)
    return course_for_patient(knowledge, parse_record(data), "numbness")


def test_fusion_is_slower_than_decompression(knowledge):
    assert _course(knowledge, procedure="fusion").tau_days > _course(knowledge).tau_days


def test_diabetes_smoking_and_open_surgery_slow_numbness_recovery(knowledge):
    quick = _course(knowledge)  # minimally invasive, the records' default
    slow = _course(knowledge, approach="open", diabetes=True, smoker=True)
    assert slow.tau_days > quick.tau_days and slow.plateau > quick.plateau
    assert {m.id for m in slow.modifiers} == {"diabetes-or-neuropathy", "smoking"}
    assert {m.id for m in quick.modifiers} == {"less-invasive-approach"}


def test_long_compression_before_surgery_slows_recovery(knowledge):
    data = record()
    data["surgery"]["symptom_duration_weeks"] = 52
    long = course_for_patient(knowledge, parse_record(data), "numbness")
    assert long.tau_days > _course(knowledge).tau_days


def test_band_holds_the_expected_value(knowledge):
    course = _course(knowledge)
    for day in (0, 14, 42, 90, 180, 365, 720):
        low, high = course.band(day)
        assert low <= course.remaining(day) <= high


def test_expected_course_falls_over_time(knowledge):
    course = _course(knowledge)
    values = [course.remaining(d) for d in range(0, 730, 30)]
    assert values == sorted(values, reverse=True)
