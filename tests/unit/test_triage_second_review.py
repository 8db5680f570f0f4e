"""Cases from the second external clinical review (December 2026) that the rules under-triaged or over-triaged:
a worsening deficit with symptoms in both legs, severe new pain in the hematoma window, a cauda equina report
left unanswered rather than denied, and long-standing bilateral symptoms a clinician has already seen."""

from __future__ import annotations

import pytest

from nervetrack import KnowledgeError
from nervetrack.domain.knowledge import build_knowledge
from nervetrack.domain.triage import check_logic
from nervetrack.knowledge import parse_files
from tests.records import SURGERY, TYPICAL_BASELINE, checkin, record

B = {**TYPICAL_BASELINE, "weakness": 2}


def codes(a) -> set[str]:
    return {f.code for f in a.flags}


def _date(day: int) -> str:
    import datetime as dt

    return (SURGERY + dt.timedelta(days=day)).isoformat()


def test_weakness_worsening_with_symptoms_in_both_legs_is_an_emergency_at_any_time(run):
    # GIRFT: a progressive deficit in both legs needs immediate referral (not only in the first 4 weeks).
    data = record(
        checkin(28, weakness=1),
        checkin(35, weakness=3, both_legs=True),
        checkin(40, weakness=5, both_legs=True),
        procedure="laminectomy",
        baseline=B,
    )
    a = run(data)
    assert a.triage.level == "emergency" and "bilateral_progressive_deficit" in codes(a)
    flag = next(f for f in a.flags if f.code == "bilateral_progressive_deficit")
    assert "both legs" in flag.evidence and "weakness" in flag.evidence
    assert a.follow_up == []  # an emergency asks nothing: the patient must call
    assert not {"bilateral_leg_symptoms", "new_weakness"} & codes(a)  # named once, by the combination


def test_one_leg_or_both_is_not_asked_when_the_check_in_already_says_both(run):
    data = record(checkin(23, weakness=1), checkin(30, weakness=4, both_legs=True), baseline=B)
    asked = [q.id for q in run(data).follow_up]
    assert "heel_toe_harder" in asked and "weakness_which_legs" not in asked


def test_bilateral_symptoms_a_clinician_has_seen_raise_nothing_more_until_they_stop_and_return(run):
    runs = [checkin(d, leg_pain=p, both_legs=True) for d, p in ((3, 6), (7, 5), (14, 4), (28, 3))]
    unseen = record(*runs, procedure="laminectomy", baseline=B)
    assert "bilateral_leg_symptoms" in codes(run(unseen))  # nobody has seen it yet: urgent
    seen = {**unseen, "acknowledgements": [{"code": "bilateral_leg_symptoms", "date": _date(3)}]}
    assert run(seen).triage.level == "routine"
    stopped = record(*runs, checkin(35, both_legs=False), checkin(42, both_legs=True), procedure="laminectomy")
    back = {**stopped, "baseline": B, "acknowledgements": [{"code": "bilateral_leg_symptoms", "date": _date(3)}]}
    assert "bilateral_leg_symptoms" in codes(run(back))  # new again after a "no"


def test_severe_new_leg_pain_with_weakness_up_two_in_the_first_weeks_is_urgent_while_asked(run):
    data = record(checkin(7, leg_pain=2, weakness=2), checkin(10, leg_pain=8, weakness=4), baseline=B)
    a = run(data)
    assert a.triage.level == "urgent" and "severe_pain_new_deficit" in codes(a)
    assert "weakness_sudden" in [q.id for q in a.follow_up]
    data["checkins"][-1]["follow_up"] = {"heel_toe_harder": True}
    assert run(data).triage.level == "emergency"


@pytest.mark.parametrize(("day", "expected"), [(5, "urgent"), (2, "routine"), (40, "routine")])
def test_a_surge_of_severe_back_pain_is_urgent_in_the_hematoma_window_only(run, day, expected):
    data = record(checkin(day - 2 if day > 2 else 1, back_pain=3), checkin(day, back_pain=9), baseline=B)
    if day == 2:
        data["checkins"] = [checkin(1, back_pain=5), checkin(2, back_pain=9)]  # the wound's own pain
    a = run(data)
    assert ("back_pain_surge" in codes(a)) == (expected == "urgent")
    if expected == "urgent":
        causes = next(f for f in a.flags if f.code == "back_pain_surge").causes
        assert any("hematoma" in c.text for c in causes)


def test_a_bladder_problem_left_unanswered_afterwards_stays_open_beyond_two_weeks(run):
    reported = checkin(10, bladder_problem=True)
    blanks = [{"date": _date(d), "leg_pain": 3} for d in (17, 24, 31)]
    a = run(record(reported, *blanks, procedure="laminectomy", baseline=B))
    assert "cauda_equina_unconfirmed" in codes(a) and a.triage.level == "urgent"
    assert "No warning signs" not in a.triage.summary
    denied = record(reported, checkin(17), checkin(24), checkin(31), procedure="laminectomy", baseline=B)
    assert "cauda_equina_unconfirmed" not in codes(run(denied))  # answered "no" beyond the 14 days
    seen = {**record(reported, *blanks, baseline=B), "acknowledgements": [{"code": "cauda_equina", "date": _date(11)}]}
    assert "cauda_equina_unconfirmed" not in codes(run(seen))


def test_a_combination_rule_naming_an_unknown_requirement_stops_the_load():
    files = parse_files()
    rule = next(r for r in files["rules"]["rule"] if r["code"] == "bilateral_progressive_deficit")
    rule["requires"] = ["no_such_sign"]
    with pytest.raises(KnowledgeError, match="requires unknown rule or warning sign 'no_such_sign'"):
        check_logic(build_knowledge(files))


def test_a_leak_names_the_signs_of_meningitis_and_a_day_40_weakness_no_blood_collection(run):
    leak = run(record(checkin(9, headache_when_upright=True, temperature_c=38.4), baseline=B))
    message = next(f.message for f in leak.flags if f.code == "csf_leak")
    assert "stiff neck" in message and "emergency number" in message
    data = record(checkin(33, weakness=2), checkin(40, weakness=6), baseline=B)
    weakness = next(s for s in run(data).symptoms if s.name == "weakness")
    assert weakness.causes and not any("blood collection" in c.text for c in weakness.causes)
