"""Answers to patients' questions: warning signs lead, answers come from the cited knowledge base only."""

from __future__ import annotations

import dataclasses
import re

import pytest
from benchmarks.ask_eval import evaluate
from hypothesis import given, settings
from hypothesis import strategies as st

from nervetrack.domain.ask import ask, named_signs
from nervetrack.domain.assess import assess
from nervetrack.domain.errors import InvalidInput, KnowledgeError
from nervetrack.domain.knowledge import check_knowledge
from nervetrack.domain.lexicon import sign_levels
from nervetrack.domain.validation import parse_record
from nervetrack.knowledge import load_knowledge
from tests.records import checkin, record

K = load_knowledge()


@pytest.mark.parametrize(
    ("question", "level"),
    [
        ("I peed myself on the sofa and didn't notice", "emergency"),
        ("there's no feeling when I wipe my bottom", "emergency"),
        ("my penis feels numb", "emergency"),
        ("I can't pass urine since last night", "emergency"),
        ("both my legs went weak suddenly", "emergency"),
        ("I'm short of breath walking upstairs", "emergency"),
        ("my right calf is hot and swollen", "urgent"),
        ("the headache goes when I lie down", "urgent"),
        ("my other leg as well now has pins and needles", "urgent"),
    ],
)
def test_a_question_naming_a_warning_sign_leads_with_its_instruction(question, level):
    result = ask(question, K)
    assert result.level == level
    assert result.instruction is not None and result.instruction.startswith(K.levels[level])


@pytest.mark.parametrize("question", ["will swimming help?", "when can I drive", "is a cold patch on my shin normal"])
def test_a_question_naming_no_warning_sign_gets_no_instruction(question):
    result = ask(question, K)
    assert result.level is None and result.instruction is None and not result.no_answer


def test_the_answer_about_the_named_sign_comes_first():
    assert ask("numb between my legs when I wipe", K).answers[0].id == "a-sign-cauda-equina"


@pytest.mark.parametrize("question", ["how do I change my password", "my shoulder clicks when I lift my arm"])
def test_a_question_the_knowledge_base_cannot_answer_says_so(question):
    result = ask(question, K)
    assert result.no_answer and result.answers == []


def test_the_eval_set_meets_the_aims():
    result = evaluate(K)
    assert result.answerable >= 60 and result.unanswerable >= 15
    assert result.led_with_instruction == result.with_sign  # 100%, in every wording of the set
    assert result.top3 / result.answerable >= 0.90
    assert result.escalated_without_sign == 0
    assert result.said_no_answer / result.unanswerable >= 0.7


def test_every_escalating_warning_sign_of_the_rules_has_lay_wording():
    levels = sign_levels(K.rules.values())
    escalating = {s for s, level in levels.items() if level in ("emergency", "urgent")}
    assert escalating >= {"bladder_problem", "saddle_numbness", "sudden_weakness", "chest_pain_or_breathlessness"}
    worded = {s.target for s in K.lexicon.signs if s.kind == "sign"}
    assert escalating <= worded


def test_a_sign_without_wording_stops_the_knowledge_base_at_load():
    lexicon = dataclasses.replace(K.lexicon, signs=tuple(s for s in K.lexicon.signs if s.target != "bowel_problem"))
    with pytest.raises(KnowledgeError, match="no wording for the emergency warning sign 'bowel_problem'"):
        check_knowledge(dataclasses.replace(K, lexicon=lexicon))


def test_an_answer_citing_an_unknown_source_stops_the_knowledge_base_at_load():
    broken = dataclasses.replace(K.answers[0], sources=("no-such-study",))
    with pytest.raises(KnowledgeError, match="answer a-numbness-how-long cites unknown source 'no-such-study'"):
        check_knowledge(dataclasses.replace(K, answers=(broken, *K.answers[1:])))


_DRUGS = re.compile(
    r"\b(gabapentin|pregabalin|ibuprofen|naproxen|paracetamol|acetaminophen|codeine|tramadol|morphine|oxycodone|"
    r"diclofenac|amitriptyline|duloxetine|aspirin|\d+\s*mg)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("answer", K.answers, ids=lambda a: a.id)
def test_every_answer_is_cited_and_names_no_drug_or_dose(answer):
    assert answer.sources and all(s in K.sources for s in answer.sources)
    assert not _DRUGS.search(answer.text)


def test_with_a_record_each_answer_carries_the_patients_own_phase_and_symptom():
    data = record(checkin(10, numbness=5), checkin(20, numbness=4), baseline={"numbness": 6})
    assessment = assess(parse_record(data), K)
    result = ask("how long will the numbness last?", K, assessment)
    first = result.answers[0]
    assert first.yours is not None
    assert first.yours["days_since_surgery"] == assessment.days_since_surgery
    assert first.yours["phase"]["code"] == assessment.phase.code
    [numbness] = first.yours["symptoms"]
    assert numbness["name"] == "numbness" and numbness["latest"] == 4


@pytest.mark.parametrize("question", ["", "   ", "x" * 501])
def test_an_empty_or_overlong_question_is_refused_naming_the_field(question):
    with pytest.raises(InvalidInput, match="question: must be 1 to 500 characters"):
        ask(question, K)


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=200).filter(lambda t: t.strip()))
def test_any_text_gets_answers_from_the_knowledge_base_or_says_none(question):
    result = ask(question, K)
    ids = {a.id for a in K.answers}
    assert all(a.id in ids for a in result.answers) and len(result.answers) <= 3
    assert result.no_answer == (not result.answers)
    assert (result.level is None) == (result.instruction is None)
    assert (result.level is not None) == bool(named_signs(question, K))
