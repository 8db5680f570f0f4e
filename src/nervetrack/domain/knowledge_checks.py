"""Cross-checks of a built knowledge base: every citation known, every course present, every name that points
elsewhere (rules, signs, symptoms, phases, questions, answers) pointing at something that exists, and no source
left uncited. The shapes of the files are checked before, by domain.knowledge_schema."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nervetrack.domain.errors import KnowledgeError
from nervetrack.domain.lexicon import lexicon_problems
from nervetrack.domain.model import RED_FLAG_SIGNS

if TYPE_CHECKING:
    from nervetrack.domain.knowledge import Knowledge


def check_knowledge(knowledge: Knowledge) -> None:
    """Raise KnowledgeError naming every problem at once: unknown or missing citations, missing courses, names
    that point at nothing, and sources nothing cites."""
    problems = [
        f"{where} cites unknown source {sid!r}"
        for where, ids in knowledge.citations()
        for sid in ids
        if sid not in knowledge.sources
    ]
    problems += [f"{where} cites no source" for where, ids in knowledge.citations() if not ids]
    groups = {p["group"] for p in knowledge.procedures.values()}
    problems += [
        f"no course for {symptom} after {group}"
        for symptom in knowledge.symptoms
        for group in groups
        if (symptom, group) not in knowledge.courses
    ]
    problems += _follow_up_problems(knowledge)
    problems += _reference_problems(knowledge)
    problems += _answer_problems(knowledge)
    if problems:
        raise KnowledgeError("; ".join(problems))


_ANSWERS = ("yes_no", "0-10", "choice")


def _reference_problems(knowledge: Knowledge) -> list[str]:
    """Names that must exist elsewhere in the knowledge base: rules superseded or marked, signs, symptoms,
    phases, procedures and flags named by guidance; and no source listed that nothing cites."""
    rules, symptoms = knowledge.rules, knowledge.symptoms
    phases = {p.code for p in knowledge.phases}
    problems = []
    for rule in rules.values():
        where = f"rules.toml: rule {rule.code!r}"
        problems += [f"{where} → supersedes: no rule {c!r}" for c in rule.supersedes if c not in rules]
        if rule.marks is not None and rule.marks["symptom"] not in symptoms:
            problems.append(f"{where} → marks → symptom: no symptom {rule.marks['symptom']!r}")
        problems += [
            f"{where} → signs: no warning sign {s!r}"
            for s in (*rule.signs, *rule.also_signs)
            if s not in RED_FLAG_SIGNS
        ]
    problems += [
        f"rules.toml: signs → carry_days: no warning sign {s!r}"
        for s in knowledge.sign_carry_days
        if s != "default" and s not in RED_FLAG_SIGNS
    ]
    asked = set(knowledge.sign_questions)
    problems += [f"rules.toml: signs → questions: no question for {s!r}" for s in RED_FLAG_SIGNS if s not in asked]
    problems += [f"rules.toml: signs → questions: no warning sign {s!r}" for s in asked if s not in RED_FLAG_SIGNS]
    problems += [f"rules.toml: levels: no summary for level {lv!r}" for lv in _LEVELS if lv not in knowledge.levels]
    for item in knowledge.guidance:
        where = f"guidance.toml: item {item.id!r}"
        problems += [f"{where} → phases: no phase {p!r}" for p in item.phases if p not in phases]
        problems += [f"{where} → symptoms: no symptom {s!r}" for s in item.symptoms if s not in symptoms]
        problems += [
            f"{where} → procedures: no procedure {p!r}" for p in item.procedures if p not in knowledge.procedures
        ]
    flags = [*knowledge.discuss_on_flags, *(f for d in knowledge.discuss for f in d.for_flags)]
    problems += [f"guidance.toml: discuss: no rule {f!r}" for f in flags if f not in rules]
    problems += [
        f"guidance.toml: cause: no symptom {c.symptom!r}" for c in knowledge.symptom_causes if c.symptom not in symptoms
    ]
    for modifier in knowledge.modifiers:
        problems += [
            f"courses.toml: modifier {modifier.id!r} → symptoms: no symptom {s!r}"
            for s in modifier.symptoms
            if s not in symptoms
        ]
    problems += [f"courses.toml: course {s}/{g}: no symptom {s!r}" for (s, g) in knowledge.courses if s not in symptoms]
    unused = sorted(set(knowledge.sources) - used_source_ids(knowledge))
    problems += [f"sources.toml: source {sid!r} is cited by nothing" for sid in unused]
    return problems


# The triage levels' summaries, and the two the assessment shows instead of "routine": questions waiting for
# an answer, and no check-in yet.
_LEVELS = ("routine", "soon", "urgent", "emergency", "follow_up", "no_checkins")


def _follow_up_problems(knowledge: Knowledge) -> list[str]:
    """Cross-references of followups.toml: answers of a known kind, signs and rules that exist, triggers that
    ask known questions."""
    problems = []
    for q in knowledge.questions.values():
        where = f"followups.toml: question {q.id!r}"
        if q.answer not in _ANSWERS:
            problems.append(f"{where}: answer {q.answer!r} is not one of {', '.join(_ANSWERS)}")
        keys = {"yes", "no"} if q.answer == "yes_no" else set(q.choices)
        for key, sign in q.sets.items():
            if q.answer != "0-10" and key not in keys:
                problems.append(f"{where}: sets names answer {key!r}, which the question cannot give")
            if sign not in RED_FLAG_SIGNS:
                problems.append(f"{where}: sets unknown warning sign {sign!r}")
        for key, code in [*q.raises.items(), *((str(k), c) for k, c in q.raises_at_least.items())]:
            if code not in knowledge.rules:
                problems.append(f"{where}: raises unknown rule {code!r}")
            if key not in keys and q.answer != "0-10":
                problems.append(f"{where}: raises on answer {key!r}, which the question cannot give")
    for t in knowledge.triggers:
        problems += [
            f"followups.toml: trigger {t.id!r} asks unknown question {qid!r}"
            for qid in t.asks
            if qid not in knowledge.questions
        ]
    return problems


def _answer_problems(knowledge: Knowledge) -> list[str]:
    """answers.toml: unique ids, symptoms that exist; synonyms.toml: wording for every escalating sign."""
    ids = [a.id for a in knowledge.answers]
    problems = [f"answers.toml: answer id {i!r} is used twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    problems += [
        f"answers.toml: answer {a.id!r} names unknown symptom {s!r}"
        for a in knowledge.answers
        for s in a.symptoms
        if s not in knowledge.symptoms
    ]
    signs = {s for r in knowledge.rules.values() for s in r.signs} | set(knowledge.rules)
    problems += [
        f"answers.toml: answer {a.id!r} names unknown sign or rule {s!r}"
        for a in knowledge.answers
        for s in a.signs
        if s not in signs
    ]
    if knowledge.lexicon is not None:
        problems += lexicon_problems(knowledge.lexicon, knowledge.rules)
    return problems


def used_source_ids(knowledge: Knowledge) -> set[str]:
    return {sid for _, ids in knowledge.citations() for sid in ids}
