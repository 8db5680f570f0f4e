"""The knowledge base as typed values, built from already-parsed data files (no file access here)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nervetrack.domain.errors import KnowledgeError
from nervetrack.domain.knowledge_schema import validate_files
from nervetrack.domain.lexicon import Lexicon, build_lexicon, lexicon_problems
from nervetrack.domain.model import RED_FLAG_SIGNS
from nervetrack.domain.recurrence import RecurrenceSettings


@dataclass(frozen=True)
class Source:
    id: str
    kind: str
    title: str
    year: int
    publisher: str = ""  # for an article or guidance; a study names its journal
    first_author: str | None = None
    journal: str | None = None
    pmid: str | None = None
    url: str | None = None
    doi: str | None = None
    published: str | None = None  # an article's date of publication, or "undated"
    evidence: str | None = None
    tag: str | None = None
    lay_title: str | None = None
    groups: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values (lists, not tuples), so the dict survives a JSON round trip unchanged."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.__dict__.items() if v not in (None, 0)}


@dataclass(frozen=True)
class Cited:
    """A piece of text and the sources it rests on."""

    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Cause(Cited):
    """A likely cause of a flag, shown only where it fits: from `from_day`, before `before_day`, and after the
    listed procedure groups (empty: all)."""

    from_day: int | None = None
    before_day: int | None = None
    groups: tuple[str, ...] = ()

    def fits(self, day: int, group: str) -> bool:
        return (
            (self.from_day is None or day >= self.from_day)
            and (self.before_day is None or day < self.before_day)
            and (not self.groups or group in self.groups)
        )


@dataclass(frozen=True)
class DiscussTopic(Cited):
    """An option to raise with the surgeon, once recovery has had `from_day` days, when one of `for_flags`
    was raised (empty: any flag of [discuss_on])."""

    from_day: int = 0
    for_flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Phase:
    code: str
    title: str
    start_day: int
    end_day: int | None
    what_happens: str
    focus: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class SymptomScale:
    name: str
    label: str
    scale: str
    mcid_points: float
    mcid_relative: float
    resolved_at: float
    typical_baseline: float
    band_tolerance: float
    sources: tuple[str, ...]
    target: float | None = None
    # The typical pre-operative value by procedure group where cohorts differ (the ODI has no baseline field)
    typical_by_group: Mapping[str, float] | None = None

    def typical_for(self, group: str) -> float:
        """The typical pre-operative value after this procedure group (the scale's own if none is given)."""
        if self.typical_by_group and group in self.typical_by_group:
            return self.typical_by_group[group]
        return self.typical_baseline

    def burden(self, value: float) -> float:
        """How much is wrong: the score itself, or the minutes short of the walking target."""
        return max(0.0, self.target - value) if self.target is not None else value

    def is_meaningful_drop(self, reference: float, value: float) -> bool:
        drop = reference - value
        if drop <= 0:
            return False
        return drop >= self.mcid_points or (reference > 0 and drop / reference >= self.mcid_relative)


@dataclass(frozen=True)
class Course:
    symptom: str
    group: str
    plateau: float
    plateau_sd: float
    tau_days: float
    log_tau_sd: float
    basis: str
    sources: tuple[str, ...]
    # The forecast's "stalled" component for this course, where the evidence gives its own non-recovery
    # rate; None: the [forecast] default.
    stalled_share: float | None = None
    stalled_plateau: float | None = None
    # Fitted across published cohorts (course_fits.toml): the cohorts, and how far cohorts spread around the
    # population course (the spreads above are between patients). Empty for a course set by hand.
    cohorts: tuple[str, ...] = ()
    cohort_plateau_sd: float | None = None
    cohort_log_tau_sd: float | None = None
    residual_sd: float | None = None


@dataclass(frozen=True)
class Modifier:
    id: str
    label: str
    feature: str
    test: str
    operand: Any
    symptoms: tuple[str, ...]
    tau_factor: float
    plateau_shift: float
    basis: str
    sources: tuple[str, ...]
    # The procedure groups it applies to (empty: every group); a modifier measured in one group and applied
    # to others says in its basis why it borrows.
    groups: tuple[str, ...] = ()

    def applies(self, profile: Mapping[str, Any]) -> bool:
        value = profile.get(self.feature)
        if value is None:
            return False
        if self.test == "equals":
            return bool(value == self.operand)
        if self.test == "in":
            return value in self.operand
        return float(value) >= float(self.operand)


@dataclass(frozen=True)
class Rule:
    code: str
    level: str
    message: str
    sources: tuple[str, ...]
    causes: tuple[Cause, ...]
    params: Mapping[str, float]
    supersedes: tuple[str, ...] = ()
    marks: Mapping[str, str] | None = None
    # Warning signs whose "yes" raises the rule (`also`: named beside them, not raising it alone), and the
    # name of the check that judges it (default: the generic sign check when `signs` are given, else `code`).
    signs: tuple[str, ...] = ()
    also_signs: tuple[str, ...] = ()
    check: str = ""
    name: str = ""  # what is suspected, in a few words, for a handover (the paramedic card)


@dataclass(frozen=True)
class FollowUpQuestion:
    """A question the engine asks about a check-in instead of guessing. `sets` maps an answer to the warning
    sign it stands for on that check-in; `raises` maps an answer to a rule code; `raises_at_least` maps a
    0-10 answer from that value up to a rule code."""

    id: str
    text: str
    answer: str  # "yes_no", "0-10" or "choice"
    why: str
    sources: tuple[str, ...]
    choices: tuple[str, ...] = ()
    sets: Mapping[str, str] = field(default_factory=dict)
    raises: Mapping[str, str] = field(default_factory=dict)
    raises_at_least: Mapping[int, str] = field(default_factory=dict)

    def key_of(self, answer: object) -> str:
        """The answer as the key `sets` and `raises` use: "yes"/"no", the choice, or the number."""
        if isinstance(answer, bool):
            return "yes" if answer else "no"
        return str(answer)


@dataclass(frozen=True)
class FollowUpTrigger:
    """When to ask: a named check over the record with its parameters, and the questions it asks."""

    id: str
    check: str
    asks: tuple[str, ...]
    why: str
    sources: tuple[str, ...]
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GuidanceItem:
    id: str
    topic: str
    text: str
    sources: tuple[str, ...]
    phases: tuple[str, ...] = ()
    symptoms: tuple[str, ...] = ()
    procedures: tuple[str, ...] = ()
    when_smoker: bool | None = None


@dataclass(frozen=True)
class Answer:
    """A short answer to a patient's question (answers.toml): `symptoms` link it to the patient's own."""

    id: str
    title: str
    text: str
    sources: tuple[str, ...]
    symptoms: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    signs: tuple[str, ...] = ()  # warning signs (or sign-less rule codes) that put this answer first


@dataclass(frozen=True)
class SymptomCause:
    symptom: str
    statuses: tuple[str, ...]
    text: str
    sources: tuple[str, ...]
    from_day: int | None = None
    before_day: int | None = None


@dataclass(frozen=True)
class OdiScale:
    sections: tuple[str, ...]
    section_ends: tuple[tuple[str, str], ...]
    max_missing: int
    acceptable_at_most: float
    bands: tuple[tuple[str, float], ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Regrowth:
    mm_per_day: float
    fast_mm_per_day: float
    caveats: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ForecastScale:
    """Forecast parameters of one kind of scale, in burden units (see courses.toml [forecast])."""

    scale: str
    noise_sd: float
    baseline_sd: float
    mild_at_most: float
    moderate_from: float
    top: float
    basis: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ForecastSettings:
    horizons: Mapping[str, int]
    max_day: int
    interval: float
    grid_points: int
    grid_span: float
    scales: Mapping[str, ForecastScale]
    basis: str
    sources: tuple[str, ...]
    stalled_share: float = 0.0
    stalled_plateau: float = 1.0
    stalled_plateau_sd: float = 0.3
    noise_prior_weight: float = 4.0
    # Horizons counted from the day of the assessment rather than from the surgery.
    ahead: Mapping[str, int] = field(default_factory=lambda: {"1m": 30, "3m": 91, "6m": 182})


@dataclass(frozen=True)
class CheckinInterval:
    """From `from_day` after surgery, a check-in is due every `every_days` days (0: no more are asked)."""

    from_day: int
    every_days: int
    why: str
    sources: tuple[str, ...]


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
        phases=tuple(_phase(p) for p in files["phases"]["phase"]),
        procedures=courses["procedures"],
        symptoms={s["name"]: _scale(s) for s in courses["symptom"]},
        courses=_courses(courses["course"], files.get("course_fits", {})),
        modifiers=tuple(_modifier(m, files.get("course_fits", {})) for m in courses["modifier"]),
        levels={name: v["summary"] for name, v in rules["levels"].items()},
        rules={r["code"]: _rule(r) for r in rules["rule"]},
        guidance=tuple(_guidance(g) for g in guidance["item"]),
        discuss=tuple(
            DiscussTopic(d["text"], _ids(d), int(d.get("from_day", 0)), tuple(d.get("for_flags", ())))
            for d in guidance["discuss"]
        ),
        discuss_on_flags=tuple(guidance["discuss_on"]["flags"]),
        symptom_causes=tuple(_symptom_cause(c) for c in guidance["cause"]),
        status_messages={k: _cited(v) for k, v in guidance["status"].items()},
        status_actions={k: _cited(v) for k, v in guidance.get("action", {}).items()},
        when_to_call=tuple((c["level"], _cited(c)) for c in guidance.get("call", ())),
        odi=_odi(scales["odi"]),
        regrowth=_regrowth(scales["regrowth"]),
        disclaimer=guidance["disclaimer"]["text"],
        grace_days=courses["judging"]["grace_days"],
        grace_sources=_ids(courses["judging"]),
        forecast=_forecast(courses["forecast"]) if "forecast" in courses else None,
        recurrence=_recurrence(courses["recurrence"]) if "recurrence" in courses else None,
        cohort_sources=tuple(sorted({r["source"] for r in files.get("cohorts", {}).get("row", ()) if r["source"]})),
        sign_carry_days={k: int(v) for k, v in rules.get("signs", {}).get("carry_days", {"default": 2}).items()},
        sign_carry_sources=_ids(rules["signs"]) if "signs" in rules else (),
        sign_questions=dict(rules.get("signs", {}).get("questions", {})),
        questions={q["id"]: _question(q) for q in files.get("followups", {}).get("question", ())},
        triggers=tuple(_trigger(t) for t in files.get("followups", {}).get("trigger", ())),
        schedule=tuple(
            CheckinInterval(int(i["from_day"]), int(i["every_days"]), i["why"], _ids(i))
            for i in files.get("schedule", {}).get("interval", ())
        ),
        answers=tuple(_answer(a) for a in files.get("answers", {}).get("answer", ())),
        lexicon=build_lexicon(files["synonyms"]) if "synonyms" in files else None,
    )
    check_knowledge(knowledge)
    return knowledge


def check_knowledge(knowledge: Knowledge) -> None:
    """Raise KnowledgeError when an item cites an unknown source or a course is missing."""
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


_LEVELS = ("routine", "soon", "urgent", "emergency")


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


def emergency_signs(knowledge: Knowledge) -> tuple[str, ...]:
    """The warning signs whose "yes" alone raises an emergency, in rule order."""
    signs = [s for r in knowledge.rules.values() if r.level == "emergency" for s in r.signs]
    return tuple(dict.fromkeys(signs))


def used_source_ids(knowledge: Knowledge) -> set[str]:
    return {sid for _, ids in knowledge.citations() for sid in ids}


def _ids(data: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(data.get("sources", ()))


def _cited(data: Mapping[str, Any]) -> Cited:
    return Cited(text=data["text"], sources=_ids(data))


def _phase(d: Mapping[str, Any]) -> Phase:
    return Phase(
        code=d["code"],
        title=d["title"],
        start_day=d["start_day"],
        end_day=d.get("end_day"),
        what_happens=d["what_happens"],
        focus=d["focus"],
        sources=_ids(d),
    )


def _scale(d: Mapping[str, Any]) -> SymptomScale:
    return SymptomScale(
        name=d["name"],
        label=d["label"],
        scale=d["scale"],
        mcid_points=d["mcid_points"],
        mcid_relative=d["mcid_relative"],
        resolved_at=d["resolved_at"],
        typical_baseline=d["typical_baseline"],
        band_tolerance=d["band_tolerance"],
        sources=_ids(d),
        target=d.get("target"),
        typical_by_group=d.get("typical_by_group"),
    )


def _courses(listed: Sequence[Mapping[str, Any]], fits: Mapping[str, Any]) -> dict[tuple[str, str], Course]:
    """The courses of courses.toml; one marked `fitted = true` takes its numbers from course_fits.toml."""
    fitted = {(f["symptom"], f["group"]): f for f in fits.get("fit", ())}
    out = {}
    for d in listed:
        key = (d["symptom"], d["group"])
        if d.get("fitted"):
            if key not in fitted:
                raise KnowledgeError(
                    f"courses.toml: course {key[0]}/{key[1]} is marked fitted, but course_fits.toml has no fit for it"
                )
            out[key] = _fitted_course(d, fitted[key])
        else:
            out[key] = _course(d)
    return out


def _fitted_course(d: Mapping[str, Any], f: Mapping[str, Any]) -> Course:
    return Course(
        symptom=d["symptom"],
        group=d["group"],
        plateau=f["plateau"],
        plateau_sd=f["plateau_sd"],
        tau_days=f["tau_days"],
        log_tau_sd=f["log_tau_sd"],
        basis=d["basis"],
        sources=tuple(dict.fromkeys((*_ids(d), *f["sources"]))),
        stalled_share=d.get("stalled_share"),
        stalled_plateau=d.get("stalled_plateau"),
        cohorts=tuple(f["cohorts"]),
        cohort_plateau_sd=f["cohort_plateau_sd"],
        cohort_log_tau_sd=f["cohort_log_tau_sd"],
        residual_sd=f["residual_sd"],
    )


def _recurrence(d: Mapping[str, Any]) -> RecurrenceSettings:
    return RecurrenceSettings(
        symptoms=tuple(d["symptoms"]),
        from_day=int(d["from_day"]),
        relief_points=float(d["relief_points"]),
        rise_points=float(d["rise_points"]),
        jump_points=float(d["jump_points"]),
        note=d["note"],
        sources=_ids(d),
        tau_factor=float(d.get("tau_factor", 1.0)),
        plateau_shift=float(d.get("plateau_shift", 0.0)),
    )


def _course(d: Mapping[str, Any]) -> Course:
    return Course(
        symptom=d["symptom"],
        group=d["group"],
        plateau=d["plateau"],
        plateau_sd=d["plateau_sd"],
        tau_days=d["tau_days"],
        log_tau_sd=d["log_tau_sd"],
        basis=d["basis"],
        sources=_ids(d),
        stalled_share=d.get("stalled_share"),
        stalled_plateau=d.get("stalled_plateau"),
    )


def _modifier(d: Mapping[str, Any], fits: Mapping[str, Any]) -> Modifier:
    """A modifier of courses.toml; one marked `fitted = true` takes its plateau shift from course_fits.toml."""
    shift, sources = d.get("plateau_shift"), _ids(d)
    if d.get("fitted"):
        found = next((f for f in fits.get("modifier", ()) if f["id"] == d["id"]), None)
        if found is None:
            raise KnowledgeError(
                f"courses.toml: modifier {d['id']} is marked fitted, but course_fits.toml has no fit for it"
            )
        shift, sources = found["plateau_shift"], tuple(dict.fromkeys((*sources, *found["sources"])))
    if shift is None:
        raise KnowledgeError(f"courses.toml: modifier {d['id']} needs plateau_shift or fitted = true")
    when = dict(d["when"])
    feature = when.pop("feature")
    if len(when) != 1 or next(iter(when)) not in ("equals", "in", "min"):
        raise KnowledgeError(f"modifier {d['id']}: `when` needs one of equals, in, min")
    test, operand = next(iter(when.items()))
    return Modifier(
        id=d["id"],
        label=d["label"],
        feature=feature,
        test=test,
        operand=operand,
        symptoms=tuple(d["symptoms"]),
        tau_factor=d["tau_factor"],
        plateau_shift=float(shift),
        basis=d["basis"],
        sources=sources,
        groups=tuple(d.get("groups", ())),
    )


def _rule(d: Mapping[str, Any]) -> Rule:
    signs = tuple(d.get("signs", ()))
    return Rule(
        code=d["code"],
        level=d["level"],
        message=d["message"],
        sources=_ids(d),
        causes=tuple(_cause(c) for c in d.get("causes", ())),
        params=d.get("params", {}),
        supersedes=tuple(d.get("supersedes", ())),
        marks=d.get("marks"),
        signs=signs,
        also_signs=tuple(d.get("also_signs", ())),
        check=d.get("check") or ("signs" if signs and "check" not in d else d["code"]),
        name=d.get("name", ""),
    )


def _cause(d: Mapping[str, Any]) -> Cause:
    return Cause(
        text=d["text"],
        sources=_ids(d),
        from_day=d.get("from_day"),
        before_day=d.get("before_day"),
        groups=tuple(d.get("groups", ())),
    )


def _question(d: Mapping[str, Any]) -> FollowUpQuestion:
    return FollowUpQuestion(
        id=d["id"],
        text=d["text"],
        answer=d["answer"],
        why=d["why"],
        sources=_ids(d),
        choices=tuple(d.get("choices", ())),
        sets=dict(d.get("sets", {})),
        raises=dict(d.get("raises", {})),
        raises_at_least={int(k): v for k, v in d.get("raises_at_least", {}).items()},
    )


def _trigger(d: Mapping[str, Any]) -> FollowUpTrigger:
    return FollowUpTrigger(
        id=d["id"],
        check=d["check"],
        asks=tuple(d["asks"]),
        why=d["why"],
        sources=_ids(d),
        params=dict(d.get("params", {})),
    )


def _guidance(d: Mapping[str, Any]) -> GuidanceItem:
    return GuidanceItem(
        id=d["id"],
        topic=d["topic"],
        text=d["text"],
        sources=_ids(d),
        phases=tuple(d.get("phases", ())),
        symptoms=tuple(d.get("symptoms", ())),
        procedures=tuple(d.get("procedures", ())),
        when_smoker=d.get("when_smoker"),
    )


def _answer(d: Mapping[str, Any]) -> Answer:
    return Answer(
        id=d["id"],
        title=d["title"],
        text=d["text"],
        sources=_ids(d),
        symptoms=tuple(d.get("symptoms", ())),
        terms=tuple(d.get("terms", ())),
        signs=tuple(d.get("signs", ())),
    )


def _symptom_cause(d: Mapping[str, Any]) -> SymptomCause:
    return SymptomCause(
        symptom=d["symptom"],
        statuses=tuple(d["statuses"]),
        text=d["text"],
        sources=_ids(d),
        from_day=d.get("from_day"),
        before_day=d.get("before_day"),
    )


def _odi(d: Mapping[str, Any]) -> OdiScale:
    return OdiScale(
        sections=tuple(d["sections"]),
        section_ends=tuple((low, high) for low, high in d["section_ends"]),
        max_missing=d["max_missing"],
        acceptable_at_most=d["acceptable_at_most"],
        bands=tuple((b["code"], b["up_to"]) for b in d["band"]),
        sources=_ids(d),
    )


def _regrowth(d: Mapping[str, Any]) -> Regrowth:
    return Regrowth(
        mm_per_day=d["mm_per_day"],
        fast_mm_per_day=d["fast_mm_per_day"],
        caveats=tuple(d["caveats"]),
        sources=_ids(d),
    )


def _forecast(d: Mapping[str, Any]) -> ForecastSettings:
    scales = {
        name: ForecastScale(
            scale=name,
            noise_sd=v["noise_sd"],
            baseline_sd=v["baseline_sd"],
            mild_at_most=v["mild_at_most"],
            moderate_from=v["moderate_from"],
            top=v["top"],
            basis=v["basis"],
            sources=_ids(v),
        )
        for name, v in d["scales"].items()
    }
    return ForecastSettings(
        horizons={k: int(v) for k, v in d["horizons"].items()},
        max_day=int(d["max_day"]),
        interval=float(d["interval"]),
        grid_points=int(d["grid_points"]),
        grid_span=float(d["grid_span"]),
        scales=scales,
        basis=d["basis"],
        sources=_ids(d),
        stalled_share=float(d.get("stalled_share", 0.0)),
        stalled_plateau=float(d.get("stalled_plateau", 1.0)),
        stalled_plateau_sd=float(d.get("stalled_plateau_sd", 0.3)),
        noise_prior_weight=float(d.get("noise_prior_weight", 4.0)),
        ahead={k: int(v) for k, v in d.get("ahead", {"1m": 30, "3m": 91, "6m": 182}).items()},
    )
