"""Follow-up questions: every trigger asks, every answer branch does what followups.toml says, and the triage
runs again on the answers (issue 7, section 3)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from nervetrack import InvalidInput, KnowledgeError, assess, load_knowledge, parse_record
from nervetrack.domain.knowledge import build_knowledge
from nervetrack.knowledge import parse_files
from tests.records import TYPICAL_BASELINE, checkin, record

B = TYPICAL_BASELINE
KNOWLEDGE = load_knowledge()


def _run(data: dict[str, Any]) -> Any:
    return assess(parse_record(data), KNOWLEDGE)


def _asked(a: Any) -> list[str]:
    return [q.id for q in a.follow_up]


def _codes(a: Any) -> set[str]:
    return {f.code for f in a.flags}


# A record that fires each trigger on its latest check-in, day 30 unless said.
TRIGGERING = {
    "weakness_rise": record(checkin(23, weakness=1), checkin(30, weakness=4), baseline=B),
    "wound_fluid": record(checkin(9, wound_drainage=True), baseline=B),
    "weakness_blank": record(checkin(23, weakness=1, leg_pain=2), checkin(30, leg_pain=2), baseline=B),
    "leg_pain_return": record(
        checkin(14, leg_pain=1), checkin(21, leg_pain=1), checkin(30, leg_pain=4), baseline={**B, "leg_pain": 8}
    ),
    "pain_with_deficit": record(
        checkin(6, leg_pain=3, numbness=2), checkin(8, leg_pain=9, numbness=4), baseline={**B, "numbness": 2}
    ),
}


def test_every_trigger_of_the_knowledge_base_has_a_case_here():
    assert set(TRIGGERING) == {t.id for t in KNOWLEDGE.triggers}


@pytest.mark.parametrize("trigger", KNOWLEDGE.triggers, ids=lambda t: t.id)
def test_each_trigger_asks_its_questions_with_the_reason_and_sources(trigger):
    a = _run(TRIGGERING[trigger.id])
    assert set(trigger.asks) <= set(_asked(a))
    asked = {q.id: q for q in a.follow_up}
    for qid in trigger.asks:
        question = KNOWLEDGE.questions[qid]
        shown = asked[qid]
        assert (shown.text, shown.answer, shown.why) == (question.text, question.answer, question.why)
        assert shown.sources and set(shown.sources) <= {s["id"] for s in a.sources}


def _with_answer(data: dict[str, Any], qid: str, answer: Any) -> dict[str, Any]:
    answered = copy.deepcopy(data)
    answered["checkins"][-1]["follow_up"] = {qid: answer}
    return answered


def _case_for(qid: str) -> dict[str, Any]:
    trigger = next(t for t in KNOWLEDGE.triggers if qid in t.asks)
    return TRIGGERING[trigger.id]


def _sign_rule(sign: str) -> Any:
    return next(r for r in KNOWLEDGE.rules.values() if sign in r.signs)


SET_BRANCHES = [(q.id, key, sign) for q in KNOWLEDGE.questions.values() for key, sign in q.sets.items()]
RAISE_BRANCHES = [(q.id, key, code) for q in KNOWLEDGE.questions.values() for key, code in q.raises.items()]


def _answer_for(qid: str, key: str) -> Any:
    question = KNOWLEDGE.questions[qid]
    if question.answer == "yes_no":
        return key == "yes"
    return int(key) if question.answer == "0-10" else key


@pytest.mark.parametrize(("qid", "key", "sign"), SET_BRANCHES)
def test_an_answer_that_stands_for_a_warning_sign_raises_that_signs_alert_at_once(qid, key, sign):
    rule = _sign_rule(sign)
    a = _run(_with_answer(_case_for(qid), qid, _answer_for(qid, key)))
    assert rule.code in _codes(a)
    assert a.triage.level.rank >= _level_rank(rule.level)


@pytest.mark.parametrize(("qid", "key", "code"), RAISE_BRANCHES)
def test_an_answer_that_raises_a_rule_raises_it_with_the_answer_as_evidence(qid, key, code):
    a = _run(_with_answer(_case_for(qid), qid, _answer_for(qid, key)))
    assert code in _codes(a)
    flag = next(f for f in a.flags if f.code == code)
    assert KNOWLEDGE.questions[qid].text in flag.evidence or flag.code == "rapid_weakness"


@pytest.mark.parametrize(
    ("qid", "at_least", "code"),
    [(q.id, k, c) for q in KNOWLEDGE.questions.values() for k, c in q.raises_at_least.items()],
)
def test_a_rating_answer_raises_its_rule_from_its_threshold_up_and_not_below(qid, at_least, code):
    assert code in _codes(_run(_with_answer(_case_for(qid), qid, at_least)))
    assert code not in _codes(_run(_with_answer(_case_for(qid), qid, at_least - 1)))


@pytest.mark.parametrize("qid", [q.id for q in KNOWLEDGE.questions.values()])
def test_the_reassuring_answer_raises_nothing_and_is_not_asked_again(qid):
    question = KNOWLEDGE.questions[qid]
    calm: Any = (
        False
        if question.answer == "yes_no"
        else 0
        if question.answer == "0-10"
        else next(c for c in question.choices if c not in question.raises and c not in question.sets)
    )
    data = _with_answer(_case_for(qid), qid, calm)
    a = _run(data)
    assert qid not in _asked(a)
    assert _codes(a) <= _codes(_run(_case_for(qid)))


def _level_rank(level: str) -> int:
    return ["routine", "soon", "urgent", "emergency"].index(level)


def test_questions_left_unanswered_for_a_day_call_the_clinic_in():
    data = TRIGGERING["weakness_rise"]
    assert "follow_up_unanswered" not in _codes(_run(data))
    later = {**data, "as_of": "2026-04-02"}  # the day after the check-in of day 30
    a = _run(later)
    assert "follow_up_unanswered" in _codes(a)
    assert next(f for f in a.flags if f.code == "follow_up_unanswered").level == "soon"


def test_a_weakness_left_blank_is_asked_about_and_silence_does_not_call_the_clinic_in():
    data = TRIGGERING["weakness_blank"]
    a = _run(data)
    assert _asked(a) == ["weakness_sudden", "heel_toe_harder", "foot_or_knee_gives"]
    assert a.triage.level == "routine" and "blank" in a.triage.summary
    a_day_later = _run({**data, "as_of": "2026-04-02"})
    assert "follow_up_unanswered" not in _codes(a_day_later) and a_day_later.triage.level == "routine"


@pytest.mark.parametrize(
    ("qid", "code", "level"),
    [("weakness_sudden", "rapid_weakness", "emergency"), ("heel_toe_harder", "new_weakness", "urgent")],
)
def test_a_yes_in_place_of_a_blank_weakness_rating_escalates_at_once(qid, code, level):
    a = _run(_with_answer(TRIGGERING["weakness_blank"], qid, True))
    assert code in _codes(a) and a.triage.level == level


def test_in_the_first_four_weeks_a_confirmed_loss_of_strength_in_place_of_a_blank_rating_is_an_emergency():
    data = record(checkin(7, weakness=1, leg_pain=3), checkin(10, leg_pain=3), baseline=B)
    assert "heel_toe_harder" in _asked(_run(data))
    a = _run(_with_answer(data, "heel_toe_harder", True))
    assert a.triage.level == "emergency"
    assert next(f.evidence for f in a.flags if f.code == "rapid_weakness").startswith("weakness not rated on day 10")


@pytest.mark.parametrize(
    "data",
    [
        record(checkin(23, leg_pain=2), checkin(30, leg_pain=2), baseline={**B, "weakness": None}),
        record(checkin(23, weakness=1, leg_pain=2), checkin(30, temperature_c=37.2), baseline=B),
        record(checkin(23, weakness=1, leg_pain=2), checkin(30, weakness=1, leg_pain=2), baseline=B),
    ],
    ids=["weakness never rated", "nothing rated on the latest check-in", "weakness rated"],
)
def test_weakness_is_not_asked_about_when_it_was_never_rated_nothing_was_rated_or_it_was(data):
    assert not {"heel_toe_harder", "foot_or_knee_gives"} & set(_asked(_run(data)))


def test_no_question_is_asked_with_an_emergency():
    data = _with_answer(TRIGGERING["weakness_rise"], "weakness_sudden", True)
    data["checkins"][-1]["bladder_problem"] = True
    a = _run(data)
    assert a.triage.level == "emergency" and a.follow_up == []


def test_a_weakness_answered_as_in_both_legs_is_urgent_and_with_a_saddle_sign_an_emergency():
    a = _run(_with_answer(TRIGGERING["weakness_rise"], "weakness_which_legs", "both legs"))
    assert "bilateral_leg_symptoms" in _codes(a) and a.triage.level == "urgent"
    data = _with_answer(TRIGGERING["weakness_rise"], "weakness_which_legs", "both legs")
    data["checkins"][-1]["saddle_numbness"] = True
    a = _run(data)
    assert a.triage.level == "emergency"
    assert "symptoms in both legs" in next(f.evidence for f in a.flags if f.code == "cauda_equina")


@pytest.mark.parametrize(
    ("answers", "path"),
    [
        ({"no_such_question": True}, "checkins[0].follow_up.no_such_question"),
        ({"weakness_sudden": "yes"}, "checkins[0].follow_up.weakness_sudden"),
        ({"weakness_which_legs": "three"}, "checkins[0].follow_up.weakness_which_legs"),
        ({"leg_pain_interference": 11}, "checkins[0].follow_up.leg_pain_interference"),
    ],
)
def test_an_unknown_question_or_a_wrong_kind_of_answer_is_refused_naming_it(answers, path):
    data = record(checkin(30, weakness=4, follow_up=answers), baseline=B)
    with pytest.raises(InvalidInput) as caught:
        _run(data)
    assert [p.path for p in caught.value.problems] == [path]


def _files() -> dict[str, Any]:
    return parse_files()


@pytest.mark.parametrize(
    ("breaks", "message"),
    [
        (lambda f: f["followups"]["trigger"][0]["asks"].append("nope"), "asks unknown question 'nope'"),
        (lambda f: f["followups"]["question"][0]["sets"].update(yes="no_such_sign"), "unknown warning sign"),
        (lambda f: f["followups"]["question"][1].update(raises={"yes": "no_rule"}), "raises unknown rule"),
        (
            lambda f: f["followups"]["question"][0].update(answer="maybe"),
            r"followups\.toml: question '\w+' → answer: Input should be",
        ),
    ],
)
def test_a_broken_follow_up_file_stops_the_load_naming_the_item(breaks, message):
    files = _files()
    breaks(files)
    with pytest.raises(KnowledgeError, match=message):
        build_knowledge(files)
