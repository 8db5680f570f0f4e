"""The knowledge base as typed values, built from already-parsed data files (no file access here).

The item types live in domain.knowledge_items, the cross-checks in domain.knowledge_checks; both are
re-exported here, where the rest of the program has always found them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from nervetrack.domain import knowledge_builders as build
from nervetrack.domain.knowledge_checks import check_knowledge, used_source_ids
from nervetrack.domain.knowledge_items import (
    Answer,
    Cause,
    CheckinInterval,
    Cited,
    Course,
    DiscussTopic,
    FollowUpQuestion,
    FollowUpTrigger,
    ForecastScale,
    ForecastSettings,
    GuidanceItem,
    Modifier,
    OdiScale,
    Phase,
    Regrowth,
    Rule,
    Source,
    SymptomCause,
    SymptomScale,
)
from nervetrack.domain.knowledge_schema import validate_files
from nervetrack.domain.lexicon import Lexicon, build_lexicon
from nervetrack.domain.recurrence import RecurrenceSettings

__all__ = [
    "Answer",
    "Cause",
    "CheckinInterval",
    "Cited",
    "Course",
    "DiscussTopic",
    "FollowUpQuestion",
    "FollowUpTrigger",
    "ForecastScale",
    "ForecastSettings",
    "GuidanceItem",
    "Knowledge",
    "Modifier",
    "OdiScale",
    "Phase",
    "Regrowth",
    "Rule",
    "Source",
    "SymptomCause",
    "SymptomScale",
    "build_knowledge",
    "check_knowledge",
    "emergency_signs",
    "used_source_ids",
]


@dataclass(frozen=True)
class Knowledge:
    versions: Mapping[str, str]
    sources: Mapping[str, Source]
    phases: tuple[Phase, ...]
    procedures: Mapping[str, Mapping[str, str]]
    symptoms: Mapping[str, SymptomScale]
    courses: Mapping[tuple[str, str], Course]
    modifiers: tuple[Modifier, ...]
    levels: Mapping[str, str]
    rules: Mapping[str, Rule]
    guidance: tuple[GuidanceItem, ...]
    discuss: tuple[DiscussTopic, ...]
    discuss_on_flags: tuple[str, ...]
    symptom_causes: tuple[SymptomCause, ...]
    status_messages: Mapping[str, Cited]
    status_actions: Mapping[str, Cited]
    when_to_call: tuple[tuple[str, Cited], ...]  # (level, what to call for)
    odi: OdiScale
    regrowth: Regrowth
    disclaimer: str
    grace_days: int
    grace_sources: tuple[str, ...]
    forecast: ForecastSettings | None = None
    recurrence: RecurrenceSettings | None = None
    # Sources of the published cohorts in the evidence table (cohorts.csv), fitted or kept for the record.
    cohort_sources: tuple[str, ...] = ()
    # How many days an earlier "yes" to a warning sign still counts when later check-ins leave it blank:
    # per sign, with "default" for the rest.
    sign_carry_days: Mapping[str, int] = field(default_factory=lambda: {"default": 2})
    sign_carry_sources: tuple[str, ...] = ()
    # Each warning sign as the check-in form asks it, in the form's order.
    sign_questions: Mapping[str, str] = field(default_factory=dict)
    questions: Mapping[str, FollowUpQuestion] = field(default_factory=dict)
    triggers: tuple[FollowUpTrigger, ...] = ()
    schedule: tuple[CheckinInterval, ...] = ()
    # Answers to patients' questions and the lay wording that finds them (answers.toml, synonyms.toml).
    answers: tuple[Answer, ...] = ()
    lexicon: Lexicon | None = None
    # Memo of values derived from this knowledge (patient courses by symptom, procedure group and applied
    # modifiers; sources as output dictionaries): a handful recur across thousands of assessments.
    memo: dict[tuple[str, ...], Any] = field(default_factory=dict, compare=False, repr=False, hash=False)

    @property
    def version(self) -> str:
        return "+".join(f"{name}@{v}" for name, v in sorted(self.versions.items()))

    def course_for(self, symptom: str, procedure: str) -> Course:
        group = self.procedures[procedure]["group"]
        return self.courses[(symptom, group)]

    def citations(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """Every cited item as (where, source ids): for the consistency check."""
        for phase in self.phases:
            yield f"phase {phase.code}", phase.sources
        for scale in self.symptoms.values():
            yield f"symptom {scale.name}", scale.sources
        for course in self.courses.values():
            yield f"course {course.symptom}/{course.group}", course.sources
        for modifier in self.modifiers:
            yield f"modifier {modifier.id}", modifier.sources
        for rule in self.rules.values():
            yield f"rule {rule.code}", rule.sources
            for cause in rule.causes:
                yield f"rule {rule.code} cause", cause.sources
        for question in self.questions.values():
            yield f"follow-up question {question.id}", question.sources
        for trigger in self.triggers:
            yield f"follow-up trigger {trigger.id}", trigger.sources
        for interval in self.schedule:
            yield f"schedule from day {interval.from_day}", interval.sources
        for item in self.guidance:
            yield f"guidance {item.id}", item.sources
        for answer in self.answers:
            yield f"answer {answer.id}", answer.sources
        for cited in self.discuss:
            yield "discuss", cited.sources
        if self.sign_carry_sources:
            yield "signs carry_days", self.sign_carry_sources
        for symptom_cause in self.symptom_causes:
            yield f"cause {symptom_cause.symptom}", symptom_cause.sources
        for status, message in self.status_messages.items():
            yield f"status {status}", message.sources
        for key, action in self.status_actions.items():
            yield f"action {key}", action.sources
        for level, call in self.when_to_call:
            yield f"when to call ({level})", call.sources
        yield "odi", self.odi.sources
        yield "regrowth", self.regrowth.sources
        yield "judging grace period", self.grace_sources
        if self.recurrence is not None:
            yield "recurrence", self.recurrence.sources
        if self.cohort_sources:
            yield "evidence table (cohorts.csv)", self.cohort_sources
        if self.forecast is not None:
            yield "forecast", self.forecast.sources
            for fscale in self.forecast.scales.values():
                yield f"forecast scale {fscale.scale}", fscale.sources


def build_knowledge(files: Mapping[str, Mapping[str, Any]]) -> Knowledge:
    """Build and cross-check the knowledge base from parsed data files keyed by file stem."""
    validate_files(files)
    courses = files["courses"]
    rules = files["rules"]
    guidance = files["guidance"]
    scales = files["scales"]
    knowledge = Knowledge(
        versions={name: str(data["version"]) for name, data in files.items() if "version" in data},
        sources={s["id"]: Source(**{**s, "groups": tuple(s.get("groups", ()))}) for s in files["sources"]["source"]},
        phases=tuple(build.phase(p) for p in files["phases"]["phase"]),
        procedures=courses["procedures"],
        symptoms={s["name"]: build.scale(s) for s in courses["symptom"]},
        courses=build.courses(courses["course"], files.get("course_fits", {})),
        modifiers=tuple(build.modifier(m, files.get("course_fits", {})) for m in courses["modifier"]),
        levels={name: v["summary"] for name, v in rules["levels"].items()},
        rules={r["code"]: build.rule(r) for r in rules["rule"]},
        guidance=tuple(build.guidance(g) for g in guidance["item"]),
        discuss=tuple(
            DiscussTopic(d["text"], build.ids(d), int(d.get("from_day", 0)), tuple(d.get("for_flags", ())))
            for d in guidance["discuss"]
        ),
        discuss_on_flags=tuple(guidance["discuss_on"]["flags"]),
        symptom_causes=tuple(build.symptom_cause(c) for c in guidance["cause"]),
        status_messages={k: build.cited(v) for k, v in guidance["status"].items()},
        status_actions={k: build.cited(v) for k, v in guidance.get("action", {}).items()},
        when_to_call=tuple((c["level"], build.cited(c)) for c in guidance.get("call", ())),
        odi=build.odi(scales["odi"]),
        regrowth=build.regrowth(scales["regrowth"]),
        disclaimer=guidance["disclaimer"]["text"],
        grace_days=courses["judging"]["grace_days"],
        grace_sources=build.ids(courses["judging"]),
        forecast=build.forecast(courses["forecast"]) if "forecast" in courses else None,
        recurrence=build.recurrence(courses["recurrence"]) if "recurrence" in courses else None,
        cohort_sources=tuple(sorted({r["source"] for r in files.get("cohorts", {}).get("row", ()) if r["source"]})),
        sign_carry_days={k: int(v) for k, v in rules.get("signs", {}).get("carry_days", {"default": 2}).items()},
        sign_carry_sources=build.ids(rules["signs"]) if "signs" in rules else (),
        sign_questions=dict(rules.get("signs", {}).get("questions", {})),
        questions={q["id"]: build.question(q) for q in files.get("followups", {}).get("question", ())},
        triggers=tuple(build.trigger(t) for t in files.get("followups", {}).get("trigger", ())),
        schedule=tuple(
            CheckinInterval(int(i["from_day"]), int(i["every_days"]), i["why"], build.ids(i))
            for i in files.get("schedule", {}).get("interval", ())
        ),
        answers=tuple(build.answer(a) for a in files.get("answers", {}).get("answer", ())),
        lexicon=build_lexicon(files["synonyms"]) if "synonyms" in files else None,
    )
    check_knowledge(knowledge)
    return knowledge


def emergency_signs(knowledge: Knowledge) -> tuple[str, ...]:
    """The warning signs whose "yes" alone raises an emergency, in rule order."""
    signs = [s for r in knowledge.rules.values() if r.level == "emergency" for s in r.signs]
    return tuple(dict.fromkeys(signs))
