"""Clinical vignettes for every flag code, written from the sources, including cases that must not flag."""

from __future__ import annotations

import pytest

from tests.records import TYPICAL_BASELINE, checkin, record

B = TYPICAL_BASELINE


def codes(assessment) -> set[str]:
    return {f.code for f in assessment.flags}


# --- emergency ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("sign", ["bladder_problem", "bowel_problem", "saddle_numbness"])
def test_new_bladder_bowel_or_saddle_sign_is_cauda_equina_emergency(run, sign):
    a = run(record(checkin(5, leg_pain=3, **{sign: True}), baseline=B))
    assert "cauda_equina" in codes(a)
    assert a.triage.level == "emergency"


def test_cauda_equina_sign_on_an_earlier_checkin_only_is_not_judged_now(run):
    a = run(record(checkin(5, bladder_problem=True), checkin(9, leg_pain=2), baseline=B))
    assert "cauda_equina" not in codes(a)


def test_reported_sudden_weakness_is_an_emergency(run):
    a = run(record(checkin(20, weakness=3, sudden_weakness=True), baseline=B))
    assert "rapid_weakness" in codes(a)
    assert a.triage.level == "emergency"


def test_weakness_rising_four_points_in_a_week_is_urgent_and_asks_whether_it_came_on_suddenly(run):
    # Changed (issue 7): one rating 4 points up after the first two weeks is beyond a rating's wobble (parai-2020)
    # and goes to the team today; whether it is an emergency is asked, not guessed: "suddenly much weaker?".
    a = run(record(checkin(30, weakness=2), checkin(38, weakness=6), baseline=B))
    assert "new_weakness" in codes(a) and a.triage.level == "urgent"
    assert "weakness_sudden" in [q.id for q in a.follow_up]
    sudden = checkin(38, weakness=6, follow_up={"weakness_sudden": True})
    a = run(record(checkin(30, weakness=2), sudden, baseline=B))
    assert "rapid_weakness" in codes(a) and a.triage.level == "emergency"
    assert a.follow_up == []  # with an emergency the patient must call, not answer questions


def test_weakness_rising_slowly_over_months_is_reviewed_and_urgent_once_confirmed(run):
    a = run(record(checkin(30, weakness=2), checkin(100, weakness=5), baseline=B))
    assert "rapid_weakness" not in codes(a)
    assert codes(a) == {"weakness_not_improving"}  # one rating 3 points up: within a single rating's roughness
    a = run(record(checkin(30, weakness=2), checkin(100, weakness=5), checkin(107, weakness=5), baseline=B))
    assert "new_weakness" in codes(a)  # the same rise on two check-ins in a row
    assert a.triage.level == "urgent"


def test_one_bad_weakness_rating_in_an_improving_course_is_not_an_alarm(run):
    ratings = [(7, 5), (14, 4), (21, 1), (28, 4), (35, 2)]
    for upto in range(1, len(ratings) + 1):
        checkins = [checkin(day, weakness=w) for day, w in ratings[:upto]]
        a = run(record(*checkins, baseline={**B, "weakness": 6}))
        assert not {"rapid_weakness", "new_weakness"} & codes(a), ratings[:upto]


def test_new_weakness_in_first_days_compared_with_baseline_is_rapid_weakness(run):
    a = run(record(checkin(2, weakness=7), baseline={**B, "weakness": 1}))
    assert "rapid_weakness" in codes(a)


def test_chest_pain_or_breathlessness_is_pulmonary_embolism_emergency(run):
    a = run(record(checkin(8, chest_pain_or_breathlessness=True), baseline=B))
    assert codes(a) == {"pulmonary_embolism"}
    assert a.triage.level == "emergency"


def test_severe_new_pain_with_new_numbness_in_first_fortnight_is_hematoma_emergency(run):
    a = run(record(checkin(2, leg_pain=3, numbness=4), checkin(4, leg_pain=9, numbness=7), baseline=B))
    assert "spinal_hematoma" in codes(a)
    assert a.triage.level == "emergency"


def test_severe_pain_without_new_deficit_is_not_hematoma(run):
    a = run(record(checkin(2, leg_pain=3, numbness=5), checkin(4, leg_pain=9, numbness=5), baseline=B))
    assert "spinal_hematoma" not in codes(a)


def test_fever_with_new_numbness_is_an_emergency_for_possible_abscess(run):
    a = run(record(checkin(10, numbness=3), checkin(16, numbness=6, temperature_c=38.4), baseline=B))
    assert "fever_with_new_deficit" in codes(a)
    assert a.triage.level == "emergency"


def test_fever_with_stable_numbness_is_not_an_abscess_emergency(run):
    a = run(record(checkin(10, numbness=5), checkin(16, numbness=5, temperature_c=38.4), baseline=B))
    assert "fever_with_new_deficit" not in codes(a)
    assert a.triage.level == "urgent"


# --- urgent ------------------------------------------------------------------------------------------
def test_fever_over_383_with_chills_is_wound_infection(run):
    a = run(record(checkin(10, temperature_c=38.8, chills=True), baseline=B))
    assert codes(a) == {"wound_infection"}
    assert a.triage.level == "urgent"


def test_red_and_draining_wound_without_fever_is_wound_infection(run):
    a = run(record(checkin(10, temperature_c=36.9, wound_redness=True, wound_drainage=True), baseline=B))
    assert "wound_infection" in codes(a)


def test_fever_of_exactly_383_with_chills_is_not_over_the_threshold(run):
    a = run(record(checkin(1, temperature_c=38.3, chills=True), baseline=B))
    assert "wound_infection" not in codes(a)


def test_fever_above_38_after_day_three_is_urgent_fever(run):
    a = run(record(checkin(6, temperature_c=38.1), baseline=B))
    assert codes(a) == {"fever"}
    assert a.triage.level == "urgent"


def test_mild_temperature_on_the_first_day_does_not_flag(run):
    a = run(record(checkin(1, temperature_c=38.1, leg_pain=4), baseline=B))
    assert "fever" not in codes(a)


def test_calf_pain_or_swelling_is_deep_vein_thrombosis(run):
    a = run(record(checkin(9, calf_pain_swelling=True), baseline=B))
    assert codes(a) == {"deep_vein_thrombosis"}
    assert a.triage.level == "urgent"


def test_headache_when_upright_is_csf_leak(run):
    a = run(record(checkin(12, headache_when_upright=True), baseline=B))
    assert codes(a) == {"csf_leak"}


# --- soon --------------------------------------------------------------------------------------------
def test_redness_alone_is_a_wound_concern_to_review(run):
    a = run(record(checkin(9, wound_redness=True, temperature_c=37.0), baseline=B))
    assert codes(a) == {"wound_concern"}
    assert a.triage.level == "soon"


def test_leg_pain_relieved_then_back_is_pain_returned_with_recurrence_as_cause(run):
    a = run(record(checkin(7, leg_pain=2), checkin(21, leg_pain=1), checkin(50, leg_pain=7), baseline=B))
    assert "pain_returned" in codes(a)
    flag = next(f for f in a.flags if f.code == "pain_returned")
    assert any("herniate" in c.text for c in flag.causes)
    leg = next(s for s in a.symptoms if s.name == "leg_pain")
    assert leg.status == "worsening"


def test_leg_pain_that_never_eased_is_not_pain_returned(run):
    a = run(record(checkin(7, leg_pain=7), checkin(21, leg_pain=8), baseline=B))
    assert "pain_returned" not in codes(a)


def test_leg_pain_unchanged_at_three_months_is_no_improvement(run):
    a = run(record(checkin(14, leg_pain=7), checkin(95, leg_pain=7), baseline=B))
    assert "no_improvement_3_months" in codes(a)
    flag = next(f for f in a.flags if f.code == "no_improvement_3_months")
    assert any("decompression" in c.text for c in flag.causes)
    assert a.discuss_with_surgeon, "stalled recovery lists what to discuss with the surgeon"


def test_leg_pain_unchanged_before_three_months_is_too_early_to_judge(run):
    a = run(record(checkin(14, leg_pain=7), checkin(80, leg_pain=7), baseline=B))
    assert "no_improvement_3_months" not in codes(a)


def test_leg_pain_clearly_better_at_three_months_does_not_flag(run):
    a = run(record(checkin(95, leg_pain=4), baseline=B))
    assert "no_improvement_3_months" not in codes(a)


def test_mild_leg_pain_at_three_months_does_not_flag_even_from_a_low_baseline(run):
    a = run(record(checkin(100, leg_pain=2), baseline={**B, "leg_pain": 2}))
    assert "no_improvement_3_months" not in codes(a)


def test_leg_pain_still_present_at_week_two_is_normal(run):
    # 10-20% keep leg pain until the nerve settles (art-root-healing).
    a = run(record(checkin(3, leg_pain=7), checkin(14, leg_pain=7), baseline=B))
    assert a.triage.level == "routine"
    leg = next(s for s in a.symptoms if s.name == "leg_pain")
    assert leg.status == "as_expected"


def test_weakness_unchanged_after_six_weeks_flags_review(run):
    a = run(record(checkin(10, weakness=4), checkin(45, weakness=4), baseline=B))
    assert "weakness_not_improving" in codes(a)


def test_weakness_worse_than_before_surgery_after_six_weeks_flags_review(run):
    a = run(record(checkin(50, weakness=2), baseline={**B, "weakness": 0}))
    assert "weakness_not_improving" in codes(a)


def test_weakness_unchanged_at_four_weeks_is_still_early(run):
    a = run(record(checkin(28, weakness=4), baseline=B))
    assert "weakness_not_improving" not in codes(a)


def test_weakness_clearly_better_after_six_weeks_does_not_flag(run):
    a = run(record(checkin(50, weakness=1), baseline=B))
    assert "weakness_not_improving" not in codes(a)


def test_rising_numbness_flags_worsening(run):
    # Changed (issue 7): numbness 3, 4 then 6 over seven weeks (a rise of 2 to 3 points, within the smallest
    # detectable change of a rating, parai-2020) is watched; a steady rise to 2 above the pre-operative score is
    # flagged.
    a = run(record(checkin(10, numbness=3), checkin(30, numbness=4), checkin(60, numbness=6), baseline=B))
    assert "numbness_worsening" not in codes(a)
    rising = [checkin(10, numbness=3), checkin(30, numbness=5), checkin(45, numbness=7), checkin(60, numbness=8)]
    assert "numbness_worsening" in codes(run(record(*rising, baseline=B)))


def test_normal_early_numbness_does_not_flag(run):
    a = run(record(checkin(5, numbness=6), checkin(12, numbness=5), baseline=B))
    assert a.flags == []
    numb = next(s for s in a.symptoms if s.name == "numbness")
    assert numb.status in ("as_expected", "improving")


def test_numbness_beyond_six_months_flags_review(run):
    a = run(record(checkin(200, numbness=3), baseline=B))
    assert "numbness_persistent" in codes(a)


def test_numbness_at_five_months_does_not_flag_as_persistent(run):
    a = run(record(checkin(150, numbness=3), baseline=B))
    assert "numbness_persistent" not in codes(a)


@pytest.mark.parametrize("symptom", ["numbness", "weakness"])
def test_deficit_past_a_year_is_possibly_permanent_and_supersedes_persistent(run, symptom):
    a = run(record(checkin(400, **{symptom: 2}), baseline=B))
    assert "possible_permanent_deficit" in codes(a)
    assert "numbness_persistent" not in codes(a)


def test_fully_recovered_patient_past_a_year_has_no_flags(run):
    a = run(record(checkin(400, leg_pain=0, back_pain=1, numbness=0, tingling=0, weakness=0), baseline=B))
    assert a.flags == []
    assert a.triage.level == "routine"


# --- composition -------------------------------------------------------------------------------------
def test_triage_level_is_the_most_severe_flag(run):
    a = run(record(checkin(9, calf_pain_swelling=True, wound_redness=True, bowel_problem=True), baseline=B))
    assert a.triage.level == "emergency"
    assert a.flags[0].level == "emergency"
    assert {"cauda_equina", "deep_vein_thrombosis", "wound_concern"} <= codes(a)


def test_every_flag_cites_sources_and_records_its_rule_version(run, knowledge):
    a = run(record(checkin(9, calf_pain_swelling=True, headache_when_upright=True), baseline=B))
    for flag in a.flags:
        assert flag.sources and all(s in knowledge.sources for s in flag.sources)
        assert flag.rule_version == knowledge.versions["rules"]
        assert flag.causes and flag.evidence


def test_weakness_rising_steeply_over_three_weeks_is_rapid_weakness(run):
    a = run(record(checkin(4, weakness=2), checkin(24, weakness=9), baseline={**B, "weakness": 3}))
    assert "rapid_weakness" in codes(a)
    assert a.triage.level == "emergency"


def test_weakness_two_points_worse_than_before_surgery_in_the_first_fortnight_asks_and_the_answers_decide(run):
    # Changed (issue 7, section 3): a rise of 2, more than a rating's noise but not enough to be sure, asks
    # follow-up questions instead of guessing. evidence 3.7: new weakness in the first days is a hematoma until
    # shown otherwise, so a "yes" in these weeks is an emergency.
    a = run(record(checkin(10, weakness=4), baseline={**B, "weakness": 2}))
    assert [q.id for q in a.follow_up][:3] == ["weakness_sudden", "heel_toe_harder", "foot_or_knee_gives"]
    assert a.triage.level == "routine" and "follow-up questions" in a.triage.summary
    harder = checkin(10, weakness=4, follow_up={"weakness_sudden": False, "heel_toe_harder": True})
    a = run(record(harder, baseline={**B, "weakness": 2}))
    assert {"rapid_weakness"} <= codes(a) and a.triage.level == "emergency"
    assert next(s for s in a.symptoms if s.name == "weakness").status == "worsening"
    calm = {"weakness_sudden": False, "heel_toe_harder": False, "foot_or_knee_gives": False}
    calm |= {"weakness_which_legs": "one leg", "weakness_after_fall": False}
    a = run(record(checkin(10, weakness=4, follow_up=calm), baseline={**B, "weakness": 2}))
    assert a.triage.level == "routine" and a.follow_up == []


def test_weakness_two_points_worse_than_before_surgery_later_needs_review(run):
    a = run(record(checkin(30, weakness=4), baseline={**B, "weakness": 2}))
    assert codes(a) == {"weakness_not_improving"}
    assert a.triage.level == "soon"


def test_a_first_check_in_weeks_later_with_much_more_weakness_than_before_surgery_is_at_least_urgent(run):
    # Changed (issue 7): 4 points above the pre-operative score on one rating after the first two weeks goes to
    # the team today and asks whether it came on suddenly (then an emergency); 5 or more is an emergency at once.
    a = run(record(checkin(20, weakness=6), baseline={**B, "weakness": 2}, procedure="fusion", approach="open"))
    assert "new_weakness" in codes(a) and a.triage.level == "urgent"
    assert "weakness_sudden" in [q.id for q in a.follow_up]
    a = run(record(checkin(20, weakness=7), baseline={**B, "weakness": 2}, procedure="fusion", approach="open"))
    assert "rapid_weakness" in codes(a) and a.triage.level == "emergency"
    # 3 points above it, two months on, with nothing to show how fast it came: the team today
    a = run(record(checkin(60, weakness=5), baseline={**B, "weakness": 2}, procedure="fusion", approach="open"))
    assert codes(a) == {"new_weakness"}
    assert a.triage.level == "urgent"


def test_weakness_that_keeps_rising_is_urgent_and_an_emergency_once_it_rises_at_four_check_ins(run):
    # Changed (issue 7): three rising ratings can be a wobble at rating noise SD 1.0 often enough to send
    # patients to the emergency department (docs/triage-validation.md); they go to the team today and ask
    # the follow-up questions; a fourth rise in a row makes it progressive weakness, an emergency (evidence 3.7).
    checkins = [checkin(7, weakness=3), checkin(21, weakness=5), checkin(35, weakness=7)]
    a = run(record(*checkins, baseline={**B, "weakness": 3}))
    assert "new_weakness" in codes(a) and a.triage.level == "urgent"
    a = run(
        record(
            checkin(7, weakness=3),
            checkin(14, weakness=4),
            checkin(21, weakness=5),
            checkin(28, weakness=7),
            baseline={**B, "weakness": 3},
        )
    )
    assert "rapid_weakness" in codes(a)
    assert a.triage.level == "emergency"


def test_a_sudden_weakness_report_marks_the_weakness_status(run):
    a = run(record(checkin(5, weakness=3, sudden_weakness=True), baseline={**B, "weakness": 2}))
    assert next(s for s in a.symptoms if s.name == "weakness").status == "worsening"


# --- a blank answer does not cancel an earlier yes ---------------------------------------------------------
def _blank(day: int, **fields):
    """A check-in that answers only the given fields: every yes/no question left blank."""
    entry = checkin(day, **fields)
    return {k: v for k, v in entry.items() if v is not False}


def test_a_sign_reported_earlier_and_not_answered_since_is_still_flagged(run):
    a = run(record(checkin(5, bladder_problem=True, saddle_numbness=True), _blank(6, leg_pain=4), baseline=B))
    assert "cauda_equina" in codes(a)
    assert a.triage.level == "emergency"
    assert "day 5" in next(f.evidence for f in a.flags if f.code == "cauda_equina")


def test_a_second_check_in_on_the_same_day_does_not_hide_a_sign(run):
    a = run(record(checkin(3, bowel_problem=True), _blank(3, walking_minutes=10), baseline=B))
    assert a.triage.level == "emergency"


def test_a_fever_with_a_leaking_wound_yesterday_is_not_cancelled_by_a_check_in_without_a_temperature(run):
    earlier = checkin(8, temperature_c=38.9, chills=True, wound_drainage=True)
    a = run(record(earlier, _blank(9, leg_pain=3), baseline=B, procedure="fusion", approach="open"))
    assert "wound_infection" in codes(a)
    assert a.triage.level == "urgent"


def test_a_sign_reported_long_before_a_check_in_that_leaves_it_blank_is_not_judged_now(run):
    # the contract: signs are judged on the latest check-in; older ones are the web app's open alerts
    a = run(record(checkin(10, calf_pain_swelling=True), _blank(30, leg_pain=2), baseline=B))
    assert "deep_vein_thrombosis" not in codes(a)


def test_a_fever_measured_a_week_ago_is_not_carried_forward(run):
    a = run(record(checkin(8, temperature_c=38.9), checkin(15, leg_pain=3), baseline=B))
    assert not {"fever", "wound_infection"} & codes(a)


# --- later hematoma, pain and numbness worse than before surgery -------------------------------------------
def test_severe_new_back_pain_with_new_deficits_in_the_third_week_is_still_a_possible_hematoma(run):
    before = checkin(13, back_pain=4, numbness=3, weakness=2)
    now = checkin(16, back_pain=9, numbness=6, weakness=4)
    a = run(record(before, now, baseline=B, procedure="laminectomy", approach="open"))
    assert "spinal_hematoma" in codes(a)
    assert a.triage.level == "emergency"


def test_leg_pain_worse_than_before_surgery_needs_review(run):
    # Changed (issue 7): worse than before surgery on two check-ins from week 2, not one (a single rating 2
    # points up is within leg pain's smallest detectable change of 3.7, parai-2020).
    a = run(record(checkin(7, leg_pain=6), checkin(21, leg_pain=9), baseline={**B, "leg_pain": 7}))
    assert "leg_pain_worse" not in codes(a)
    a = run(
        record(checkin(7, leg_pain=6), checkin(14, leg_pain=9), checkin(21, leg_pain=9), baseline={**B, "leg_pain": 7})
    )
    assert "leg_pain_worse" in codes(a)
    assert a.triage.level == "soon"
    flag = next(f for f in a.flags if f.code == "leg_pain_worse")
    assert any("swelling" in c.text for c in flag.causes)


def test_numbness_that_rose_above_its_pre_operative_level_and_stays_there_needs_review(run):
    a = run(record(checkin(7, numbness=6), checkin(21, numbness=6), baseline={**B, "numbness": 3}))
    assert "numbness_worsening" in codes(a)


def test_returned_pain_in_someone_who_was_pain_free_is_not_also_called_no_improvement(run):
    a = run(record(checkin(30, leg_pain=0), checkin(240, leg_pain=7), baseline={**B, "leg_pain": 8}))
    assert "pain_returned" in codes(a)
    assert "no_improvement_3_months" not in codes(a)
    leg = next(s for s in a.symptoms if s.name == "leg_pain")
    assert "worse again" in leg.message and "0/10" in leg.message


def test_trace_numbness_after_six_months_does_not_flag_and_is_resolved(run):
    a = run(record(checkin(200, numbness=1), baseline=B))
    assert "numbness_persistent" not in codes(a)
    assert next(s for s in a.symptoms if s.name == "numbness").status == "resolved"


def test_the_three_month_rule_is_judged_on_a_rating_from_six_weeks_on_and_names_its_day(run):
    a = run(record(checkin(10, leg_pain=7), checkin(100, walking_minutes=30), baseline={**B, "leg_pain": 7}))
    assert "no_improvement_3_months" not in codes(a)  # a day-10 rating says nothing about 3 months
    a = run(record(checkin(20, leg_pain=7), checkin(60, leg_pain=7), baseline={**B, "leg_pain": 7}, as_of_day=95))
    assert "leg pain 7 on the latest check-ins (day 60)" in next(
        f.evidence for f in a.flags if f.code == "no_improvement_3_months"
    )


def test_leg_pain_worse_than_before_surgery_in_the_first_days_is_not_flagged_but_named(run):
    # art-root-healing: swelling around the freed root can make pain worse for a while
    a = run(record(checkin(3, leg_pain=9), baseline={**B, "leg_pain": 7}))
    assert a.triage.level == "routine"
    leg = next(s for s in a.symptoms if s.name == "leg_pain")
    assert leg.status == "worsening" and any("swelling" in c.text.lower() for c in leg.causes)


def test_late_treatments_are_not_offered_for_an_early_flag(run):
    a = run(record(checkin(30, weakness=4), baseline={**B, "weakness": 2}))
    topics = " ".join(t.text for t in a.discuss_with_surgeon)
    assert "imaging" in topics
    assert "injection" not in topics and "stimulation" not in topics
    late = run(record(checkin(200, leg_pain=7), baseline={**B, "leg_pain": 7}))
    assert "stimulation" in " ".join(t.text for t in late.discuss_with_surgeon)


def test_with_no_check_in_the_summary_does_not_read_as_an_all_clear(run):
    a = run(record(baseline=B, as_of_day=3))
    assert a.triage.level == "routine"
    assert "No check-ins yet" in a.triage.summary


# --- second external review: long gaps between check-ins must not hide a new deficit ---------------------
def test_fever_weeks_after_fusion_with_numbness_and_weakness_above_their_pre_operative_levels_is_an_emergency(run):
    base = {**B, "numbness": 2, "weakness": 1}
    now = checkin(40, temperature_c=38.4, numbness=5, weakness=3)
    a = run(record(checkin(10, numbness=2, weakness=1), now, baseline=base, procedure="fusion", diabetes=True))
    assert "fever_with_new_deficit" in codes(a)
    assert a.triage.level == "emergency"


def test_severe_pain_and_new_deficits_after_a_long_gap_in_the_first_weeks_is_a_possible_hematoma(run):
    now = checkin(20, back_pain=9, numbness=6, weakness=5)
    a = run(record(checkin(2, back_pain=4, numbness=3, weakness=2), now, baseline=B, procedure="laminectomy"))
    assert "spinal_hematoma" in codes(a)
    assert a.triage.level == "emergency"


def test_new_weakness_without_a_baseline_is_judged_against_the_earlier_rating(run):
    # Changed (issue 7): a rise of 2 on one check-in asks; of 4, or 3 on two in a row, is urgent at once.
    a = run(record(checkin(5, weakness=3), checkin(10, weakness=5)))
    assert "heel_toe_harder" in [q.id for q in a.follow_up] and a.triage.level == "routine"
    a = run(record(checkin(5, weakness=3), checkin(10, weakness=7)))
    assert "new_weakness" in codes(a) and a.triage.level == "urgent"


def test_weakness_that_returns_after_recovering_is_new_weakness(run):
    checkins = [checkin(42, weakness=3), checkin(180, weakness=1, leg_pain=0), checkin(270, weakness=5, leg_pain=7)]
    a = run(record(*checkins, baseline={**B, "weakness": 6, "leg_pain": 8}))
    assert {"new_weakness", "pain_returned"} <= codes(a)
    assert a.triage.level == "urgent"


def test_chills_with_a_red_wound_and_no_thermometer_is_urgent(run):
    a = run(record(checkin(9, chills=True, wound_redness=True), baseline=B, diabetes=True))
    assert "wound_infection" in codes(a)
    assert a.triage.level == "urgent"


def test_leg_pain_still_moderate_at_six_months_needs_review(run):
    checkins = [checkin(42, leg_pain=6), checkin(100, leg_pain=6), checkin(200, leg_pain=6)]
    a = run(record(*checkins, baseline={**B, "leg_pain": 8}))
    assert codes(a) == {"leg_pain_persistent"}
    assert a.triage.level == "soon"
    assert next(s for s in a.symptoms if s.name == "leg_pain").status != "as_expected"


def test_high_disability_at_a_year_or_a_sharp_rise_needs_review(run):
    odi_44 = [3, 2, 3, 2, 2, 2, 2, 2, 2, 2]  # 22/50 = 44%
    a = run(record(checkin(370, odi=odi_44), baseline=B, procedure="fusion"))
    assert "disability_high" in codes(a)
    low, high = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [3, 3, 2, 3, 2, 3, 2, 2, 2, 3]  # 20% -> 50%
    a = run(record(checkin(30, odi=low), checkin(78, odi=high), baseline=B))
    assert "disability_high" in codes(a)
    a = run(record(checkin(30, odi=low), checkin(78, odi=low), baseline=B))
    assert "disability_high" not in codes(a)


def test_foot_drop_still_moderate_at_six_months_needs_review(run):
    a = run(record(checkin(42, weakness=7), checkin(190, weakness=5), baseline={**B, "weakness": 8}))
    assert "weakness_not_improving" in codes(a)


def test_mild_unchanged_weakness_is_not_flagged(run):
    a = run(record(checkin(60, weakness=2), baseline={**B, "weakness": 2}, procedure="laminectomy"))
    assert "weakness_not_improving" not in codes(a)


def test_walking_time_that_collapses_on_two_check_ins_needs_review(run):
    walks = [checkin(30, walking_minutes=30), checkin(63, walking_minutes=5), checkin(70, walking_minutes=5)]
    a = run(record(*walks, baseline=B))
    assert "walking_worse" in codes(a)
    assert next(s for s in a.symptoms if s.name == "walking").status == "worsening"
    a = run(record(*walks[:2], baseline=B))
    assert "walking_worse" not in codes(a)  # one bad day
    a = run(record(checkin(30, walking_minutes=30), checkin(63, walking_minutes=25), checkin(70, walking_minutes=25)))
    assert "walking_worse" not in codes(a)


def test_one_long_hike_is_not_the_yardstick_for_walking(run):
    walks = [checkin(30, walking_minutes=90), checkin(37, walking_minutes=40), checkin(44, walking_minutes=35)]
    assert "walking_worse" not in codes(run(record(*walks, baseline=B)))


def test_moderate_leg_pain_at_six_months_that_is_on_course_for_the_profile_is_not_flagged(run):
    pains = [checkin(42, leg_pain=5), checkin(100, leg_pain=4), checkin(200, leg_pain=4)]
    data = record(*pains, baseline={**B, "leg_pain": 7}, procedure="laminectomy", approach="open", diabetes=True)
    data["patient"]["birth_year"] = 1946
    data["surgery"]["symptom_duration_weeks"] = 60
    a = run(data)
    assert "leg_pain_persistent" not in codes(a)


# --- third external review: normal ups and downs are not alarms, true rises still are ---------------------
def test_weakness_back_to_its_pre_operative_level_within_ten_days_asks_then_escalates(run):
    # Changed (issue 7): 3 points on one rating is within a rating's wobble often enough to be asked about
    # first; a sudden onset makes it an emergency, no answer within a day makes it urgent.
    a = run(record(checkin(20, weakness=1), checkin(30, weakness=4), baseline={**B, "weakness": 4}))
    assert "weakness_sudden" in [q.id for q in a.follow_up]
    a = run(record(checkin(20, weakness=1), checkin(30, weakness=4), baseline={**B, "weakness": 4}, as_of_day=31))
    assert {"new_weakness", "follow_up_unanswered"} <= codes(a) and a.triage.level == "urgent"
    sudden = checkin(30, weakness=4, follow_up={"weakness_sudden": True})
    a = run(record(checkin(20, weakness=1), sudden, baseline={**B, "weakness": 4}))
    assert "rapid_weakness" in codes(a)
    assert a.triage.level == "emergency"


def test_a_one_off_fever_on_day_one_or_months_later_is_not_urgent(run):
    day_one = run(record(checkin(1, temperature_c=38.5), baseline=B, procedure="fusion", approach="open"))
    assert "fever" not in codes(day_one)
    months = run(record(checkin(200, temperature_c=38.4), baseline=B))
    assert "fever" not in codes(months)
    week_two = run(record(checkin(10, temperature_c=38.4), baseline=B))
    assert "fever" in codes(week_two) and week_two.triage.level == "urgent"


def test_weekly_numbness_needs_two_high_ratings_sparse_numbness_one(run):
    # Changed (issue 7): weekly ratings 5 then 6 after 3-4 are within two ratings' wobble; 7 and 7 are not.
    weekly = [checkin(d, numbness=v) for d, v in ((7, 4), (14, 3), (21, 4), (28, 3), (35, 5))]
    assert "numbness_worsening" not in codes(run(record(*weekly, baseline={**B, "numbness": 4})))
    weekly.append(checkin(42, numbness=6))
    assert "numbness_worsening" not in codes(run(record(*weekly, baseline={**B, "numbness": 4})))
    weekly[-2:] = [checkin(35, numbness=7), checkin(42, numbness=7)]
    assert "numbness_worsening" in codes(run(record(*weekly, baseline={**B, "numbness": 4})))
    sparse = [checkin(14, numbness=2), checkin(42, numbness=4), checkin(90, numbness=6)]
    assert "numbness_worsening" in codes(run(record(*sparse, baseline={**B, "numbness": 4})))


def test_an_odi_that_bounces_within_twenty_points_is_not_flagged(run):
    odi = {20: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 35: [2, 2, 2, 2, 2, 1, 2, 2, 1, 1]}  # 20% and 34%
    checkins = [checkin(d, odi=odi[v]) for d, v in ((30, 20), (37, 35), (44, 20), (51, 35))]
    assert "disability_high" not in codes(run(record(*checkins, baseline=B)))


def test_severe_new_pain_with_new_deficits_after_the_hematoma_window_is_urgent(run):
    before = checkin(22, back_pain=3, numbness=2, weakness=2)
    now = checkin(29, back_pain=9, numbness=4, weakness=4)
    a = run(record(before, now, baseline=B, procedure="laminectomy", approach="open"))
    assert "severe_pain_new_deficit" in codes(a) and "spinal_hematoma" not in codes(a)
    assert a.triage.level == "urgent"
