"""ask(question, knowledge, assessment) -> AskResult: answers to a patient's question, taken from the
knowledge base and never generated.

Two steps. First the warning signs: every sign of rules.toml whose rule is an emergency or urgent has lay
wording in synonyms.toml (checked at load), and a question naming one leads with that rule's instruction.
Then the answers: the question's stemmed words, plus the index words its lay phrases stand for, are ranked
against each item of answers.toml with BM25 (bm25s); below the lexicon's `min_score` nothing answers it and
the reply says so. With the patient's assessment each answer carries their own phase, and the status and
forecast of the symptoms it is about.
"""

from __future__ import annotations

from typing import Any

import bm25s
from bm25s.stopwords import STOPWORDS_EN
from pydantic import BaseModel, ConfigDict

from nervetrack.domain.errors import InvalidInput, Problem
from nervetrack.domain.knowledge import Answer, Knowledge
from nervetrack.domain.lexicon import ESCALATING_LEVELS, Lexicon, Words, sign_levels, words
from nervetrack.domain.results import Assessment, SymptomResult

MAX_QUESTION = 500
_FROZEN = ConfigDict(frozen=True)


class AskAnswer(BaseModel):
    model_config = _FROZEN

    id: str
    title: str
    text: str
    sources: list[str]
    yours: dict[str, Any] | None = None


class AskResult(BaseModel):
    """The reply; field names are the issue-12 contract."""

    model_config = _FROZEN

    level: str | None
    instruction: str | None
    answers: list[AskAnswer]
    no_answer: bool


class _Index:
    """The BM25 index over the answers (title, terms and text), built once per knowledge base."""

    def __init__(self, answers: tuple[Answer, ...], lexicon: Lexicon) -> None:
        self.answers = answers
        self.lexicon = lexicon
        self.drop = frozenset(words(" ".join(STOPWORDS_EN))) | lexicon.ignore
        self.retriever = bm25s.BM25()
        corpus = [self.tokens(words(" ".join((a.title, *a.terms, a.text)))) for a in answers]
        self.retriever.index(corpus, show_progress=False)
        self.known = frozenset(w for doc in corpus for w in doc) | lexicon.known_words()

    def tokens(self, text: Words) -> list[str]:
        return [w for w in text if w not in self.drop]

    def known_share(self, text: Words) -> float:
        """The share of the question's own words (less the ignored ones) that the knowledge base knows."""
        own = [w for w in self.tokens(text) if not w.isdigit()]
        return sum(w in self.known for w in own) / len(own) if own else 0.0

    def ranked(self, question: Words, floor: float) -> list[tuple[Answer, float]]:
        """Answers scoring at least `floor` for the question (with its lay phrases expanded), best first."""
        tokens = self.tokens(self.lexicon.expand(question))
        if not tokens:
            return []
        scores = self.retriever.get_scores(tokens)
        order = sorted(range(len(self.answers)), key=lambda i: (-float(scores[i]), i))
        return [(self.answers[i], float(scores[i])) for i in order if scores[i] >= floor]


def _index(knowledge: Knowledge) -> _Index:
    found: _Index | None = knowledge.memo.get(("ask-index",))
    if found is None:
        found = knowledge.memo[("ask-index",)] = _Index(knowledge.answers, _lexicon(knowledge))
    return found


def _lexicon(knowledge: Knowledge) -> Lexicon:
    if knowledge.lexicon is None or not knowledge.answers:
        raise InvalidInput([Problem("question", "this knowledge base has no answers.toml or synonyms.toml")])
    return knowledge.lexicon


def check_question(question: object) -> str:
    """The question, stripped; InvalidInput naming the field when it is empty, too long or not text."""
    if not isinstance(question, str):
        raise InvalidInput([Problem("question", "must be text")])
    text = question.strip()
    if not text or len(text) > MAX_QUESTION:
        raise InvalidInput([Problem("question", f"must be 1 to {MAX_QUESTION} characters (got {len(text)})")])
    return text


def named_signs(question: str, knowledge: Knowledge) -> list[tuple[str, str]]:
    """The warning signs and sign-less rules the question names, as (sign or rule code, level), worst first."""
    text, levels = words(question), sign_levels(knowledge.rules.values())
    named = {
        s.target: levels[s.target] if s.kind == "sign" else knowledge.rules[s.target].level
        for s in _lexicon(knowledge).signs
        if s.named_in(text)
    }
    rank = {level: i for i, level in enumerate(ESCALATING_LEVELS)}  # the worst first
    escalating = [(t, lvl) for t, lvl in named.items() if lvl in ESCALATING_LEVELS]
    return sorted(escalating, key=lambda item: rank[item[1]])


def instruction_for(named: list[tuple[str, str]], knowledge: Knowledge) -> tuple[str | None, str | None]:
    """The level and instruction for the worst sign named: the level's summary and its rule's message."""
    if not named:
        return None, None
    target, level = named[0]
    rule = knowledge.rules.get(target) or next(
        r for r in knowledge.rules.values() if target in r.signs and r.level == level
    )
    return level, f"{knowledge.levels[level]} {rule.message}"


def ask(question: str, knowledge: Knowledge, assessment: Assessment | None = None) -> AskResult:
    """Answer a patient's question from the knowledge base, the warning-sign instruction first."""
    text = check_question(question)
    named = named_signs(text, knowledge)
    level, instruction = instruction_for(named, knowledge)
    found = ranked_answers(text, knowledge, [target for target, _ in named])
    answers = [
        AskAnswer(id=a.id, title=a.title, text=a.text, sources=list(a.sources), yours=yours(a, assessment))
        for a in found[: _lexicon(knowledge).max_answers]
    ]
    return AskResult(level=level, instruction=instruction, answers=answers, no_answer=not answers)


def ranked_answers(question: str, knowledge: Knowledge, named: list[str] | None = None) -> list[Answer]:
    """The answers to a question, best first: those about a named warning sign, then the ones BM25 ranks
    above the lexicon's floor; none when too few of the question's words are known to the knowledge base."""
    index, lexicon = _index(knowledge), _lexicon(knowledge)
    text = words(question)
    named = named if named is not None else [t for t, _ in named_signs(question, knowledge)]
    pinned = [a for target in named for a in knowledge.answers if target in a.signs]
    pinned = list(dict.fromkeys(pinned))
    if not pinned and index.known_share(text) <= lexicon.min_known_share:
        return []
    ranked = [a for a, _ in index.ranked(text, lexicon.min_score) if a not in pinned]
    return pinned + ranked


def ranked_ids(question: str, knowledge: Knowledge) -> list[str]:
    """Every answer id that scores at all, best first, warning-sign answers leading (for the evaluation)."""
    text = check_question(question)
    named = [t for t, _ in named_signs(text, knowledge)]
    pinned = [a.id for target in named for a in knowledge.answers if target in a.signs]
    scored = [a.id for a, _ in _index(knowledge).ranked(words(text), 1e-9)]
    return list(dict.fromkeys(pinned + scored))


def yours(answer: Answer, assessment: Assessment | None) -> dict[str, Any] | None:
    """The patient's own numbers beside an answer: their phase, and the answer's symptoms' status and forecast."""
    if assessment is None:
        return None
    symptoms = [s for s in assessment.symptoms if s.name in answer.symptoms]
    return {
        "days_since_surgery": assessment.days_since_surgery,
        "phase": {"code": assessment.phase.code, "title": assessment.phase.title},
        "symptoms": [_symptom(s) for s in symptoms],
    }


def _symptom(s: SymptomResult) -> dict[str, Any]:
    expected = s.expected
    forecast = s.forecast or {}
    return {
        "name": s.name,
        "label": s.label,
        "unit": s.unit,
        "status": s.status.value,
        "message": s.message,
        "latest": s.latest,
        "latest_date": s.latest_date.isoformat() if s.latest_date else None,
        "expected_now": None if expected is None else {"low": expected.low, "high": expected.high},
        "forecast": {k: forecast[k] for k in ("ahead", "days_to_mild") if k in forecast} or None,
    }
