"""The cauda equina pathway (issue 7, section 4; GIRFT national suspected CES pathway): every bladder,
bowel, saddle and genital sign is an emergency, both legs alone is urgent, and a sign reported in the last
14 days is never cleared by a later "no" from the patient, only by a clinician's acknowledgement."""

from __future__ import annotations

import pytest

from tests.records import SURGERY, TYPICAL_BASELINE, checkin, record

B = TYPICAL_BASELINE
CES_SIGNS = ["bladder_problem", "urinary_difficulty", "bowel_problem", "saddle_numbness", "genital_numbness"]


def codes(a) -> set[str]:
    return {f.code for f in a.flags}


@pytest.mark.parametrize("sign", CES_SIGNS)
def test_each_cauda_equina_sign_is_an_emergency_on_the_check_in_that_reports_it(run, sign):
    a = run(record(checkin(5, leg_pain=3), checkin(9, leg_pain=3, **{sign: True}), baseline=B))
    assert "cauda_equina" in codes(a)
    assert a.triage.level == "emergency"


def test_symptoms_in_both_legs_alone_are_urgent(run):
    a = run(record(checkin(9, leg_pain=3, both_legs=True), baseline=B))
    assert codes(a) == {"bilateral_leg_symptoms"}
    assert a.triage.level == "urgent"


def test_both_legs_with_any_other_cauda_equina_sign_is_an_emergency_that_names_both(run):
    a = run(record(checkin(9, both_legs=True, urinary_difficulty=True), baseline=B))
    assert a.triage.level == "emergency"
    flag = next(f for f in a.flags if f.code == "cauda_equina")
    assert "difficulty passing urine" in flag.evidence and "both legs" in flag.evidence
    assert "bilateral_leg_symptoms" not in codes(a)  # superseded by the emergency


@pytest.mark.parametrize("sign", CES_SIGNS)
def test_a_later_no_keeps_a_recent_cauda_equina_report_open_at_least_urgent(run, sign):
    a = run(record(checkin(9, **{sign: True}), checkin(11, **{sign: False}), baseline=B))
    assert "cauda_equina" not in codes(a)
    assert "cauda_equina_unconfirmed" in codes(a)
    assert a.triage.level == "urgent"
    flag = next(f for f in a.flags if f.code == "cauda_equina_unconfirmed")
    assert "on day 9" in flag.evidence
    assert "must confirm" in flag.message


def test_symptoms_that_come_and_go_stay_open_for_the_fourteen_days_of_the_pathway(run):
    history = [checkin(9, bladder_problem=True), checkin(10, bladder_problem=False), checkin(16, bladder_problem=False)]
    assert run(record(*history, baseline=B)).triage.level == "urgent"
    history.append(checkin(24, bladder_problem=False))  # 15 days after the report
    assert "cauda_equina_unconfirmed" not in codes(run(record(*history, baseline=B)))


def _acknowledged(data: dict, day: int, code: str = "cauda_equina") -> dict:
    date = SURGERY.toordinal() + day
    return {**data, "acknowledgements": [{"code": code, "date": _iso(date)}]}


def _iso(ordinal: int) -> str:
    import datetime as dt

    return dt.date.fromordinal(ordinal).isoformat()


def test_only_an_acknowledgement_dated_after_the_report_clears_it(run):
    data = record(checkin(9, saddle_numbness=True), checkin(11, saddle_numbness=False), baseline=B)
    assert run(_acknowledged(data, 10)).triage.level == "routine"
    assert run(_acknowledged(data, 8)).triage.level == "urgent"  # acknowledged an earlier report only
    assert run(_acknowledged(data, 10, "cauda_equina_unconfirmed")).triage.level == "routine"


def test_a_new_yes_after_an_acknowledgement_is_an_emergency_again(run):
    data = record(
        checkin(9, bladder_problem=True), checkin(11, bladder_problem=False), checkin(12, bladder_problem=True)
    )
    assert run(_acknowledged(data, 10)).triage.level == "emergency"


def test_bladder_trouble_in_the_first_two_days_names_the_ordinary_causes_but_not_later(run):
    early = run(record(checkin(1, bladder_problem=True), baseline=B))
    late = run(record(checkin(9, bladder_problem=True), baseline=B))
    assert any("catheter" in c.text for c in next(f for f in early.flags if f.code == "cauda_equina").causes)
    assert not any("first two days" in c.text or "catheter" in c.text for f in late.flags for c in f.causes)
    assert early.triage.level == late.triage.level == "emergency"
