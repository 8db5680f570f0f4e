"""assess(record, knowledge, as_of) -> Assessment: the engine, composed from timeline, trajectory,
triage, ODI scoring and guidance."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from nervetrack.domain.errors import InvalidInput
from nervetrack.domain.follow_up import answer_problems, raised_by_answers, with_answered_signs
from nervetrack.domain.forecast_batch import forecast_for_record
from nervetrack.domain.guidance import causes_for, discussion_topics, guidance_for
from nervetrack.domain.knowledge import Knowledge, Modifier, SymptomScale
from nervetrack.domain.model import OFF_COURSE, SYMPTOM_FIELDS, CheckIn, PatientRecord, SymptomStatus, TriageLevel
from nervetrack.domain.odi import odi_percent, score_odi
from nervetrack.domain.results import (
    Assessment,
    CitedText,
    Expected,
    Flag,
    FollowUp,
    OdiResult,
    PhaseResult,
    SymptomResult,
    Triage,
)
from nervetrack.domain.timeline import PatientCourse, course_for_patient, phase_at, profile_of
from nervetrack.domain.trajectory import (
    Judgement,
    Series,
    all_series,
    judge,
    status_message,
    status_message_key,
)
from nervetrack.domain.triage import TriageResult, evaluate, overall_level
from nervetrack.domain.triage_context import Context
from nervetrack.domain.validation import check_dates

# How far off course each status is; a flag's mark only ever makes a status worse.
_SEVERITY = {
    SymptomStatus.NO_DATA: 0,
    SymptomStatus.RESOLVED: 0,
    SymptomStatus.IMPROVING: 0,
    SymptomStatus.AS_EXPECTED: 1,
    SymptomStatus.SLOWER_THAN_EXPECTED: 2,
    SymptomStatus.NOT_IMPROVING: 3,
    SymptomStatus.WORSENING: 4,
}


def assess(
    record: PatientRecord, knowledge: Knowledge, as_of: dt.date | None = None, *, forecast: bool = True
) -> Assessment:
    """Assess one patient's recovery on `as_of` (default: the record's own as_of or last check-in).

    `forecast=False` leaves out the personalised forecasts: triage, statuses and guidance are the same,
    at a fraction of the cost (used where only alerts are needed, such as storing a check-in).
    """
    use = knowledge if forecast else _without_forecast(knowledge)
    if as_of is not None:
        record = record.model_copy(update={"as_of": as_of})
    ctx = _context(record, knowledge)
    result = evaluate(knowledge, ctx)
    flags = result.flags
    day_of_assessment = ctx.as_of
    days, checkins, series = ctx.day, ctx.checkins, ctx.series
    marks = _marks(knowledge, flags)
    symptoms = [
        _symptom(use, record, series[name], days, marks.get(name), ctx.courses[name], ctx.judgements[name])
        for name in SYMPTOM_FIELDS
    ]
    phase = phase_at(knowledge, days)
    level = overall_level(flags)
    statuses = {s.name: s.status for s in symptoms}
    guidance = guidance_for(knowledge, record, phase.code, statuses)
    discuss = discussion_topics(knowledge, flags, days)
    follow_up = [_follow_up(knowledge, qid) for qid in result.follow_up]
    odi = _odi(use, record, checkins, ctx.odi_scores)
    cited = _all_cited(
        flags, symptoms, guidance, discuss, odi, [*phase.sources, *(s for q in follow_up for s in q.sources)]
    )
    return Assessment(
        patient_id=record.patient.id,
        as_of=day_of_assessment,
        days_since_surgery=days,
        procedure=record.surgery.procedure.value,
        phase=PhaseResult(
            code=phase.code,
            title=phase.title,
            what_happens=phase.what_happens,
            focus=phase.focus,
            sources=list(phase.sources),
        ),
        triage=Triage(
            level=level,
            summary=_summary(
                knowledge, level, (day_of_assessment - checkins[-1].date).days if checkins else None, bool(follow_up)
            ),
        ),
        flags=flags,
        follow_up=follow_up,
        symptoms=symptoms,
        odi=odi,
        guidance=guidance,
        discuss_with_surgeon=discuss,
        sources=[_source_dict(knowledge, sid) for sid in sorted(cited)],
        knowledge_version=knowledge.version,
        disclaimer=knowledge.disclaimer,
    )


def _summary(knowledge: Knowledge, level: TriageLevel, days_since_checkin: int | None, asking: bool) -> str:
    # With no check-in, "no warning signs" would read as an all-clear that nothing supports; with only old
    # ones, it says how old; with questions still open, it asks for the answers first.
    if level is TriageLevel.ROUTINE and days_since_checkin is None:
        return knowledge.levels["no_checkins"]
    summary = knowledge.levels["follow_up" if asking and level is TriageLevel.ROUTINE else level.value]
    if days_since_checkin is not None and days_since_checkin > STALE_AFTER_DAYS:
        summary += f" The latest check-in is {days_since_checkin} days old, so this may be out of date."
    return summary


# Check-ins are asked for weekly at first; a month without one makes any all-clear stale.
STALE_AFTER_DAYS = 28


def triage_flags(record: PatientRecord, knowledge: Knowledge, as_of: dt.date | None = None) -> list[Flag]:
    """Only the flags that assess would raise on `as_of`: the triage without statuses, guidance or forecasts."""
    return triage(record, knowledge, as_of).flags


def triage(record: PatientRecord, knowledge: Knowledge, as_of: dt.date | None = None) -> TriageResult:
    """The flags and follow-up questions that assess would give on `as_of`, without the rest."""
    if as_of is not None:
        record = record.model_copy(update={"as_of": as_of})
    return evaluate(knowledge, _context(record, knowledge))


def _follow_up(knowledge: Knowledge, qid: str) -> FollowUp:
    question = knowledge.questions[qid]
    return FollowUp(
        id=question.id,
        text=question.text,
        answer=question.answer,
        choices=list(question.choices),
        why=question.why,
        sources=list(question.sources),
    )


def _context(record: PatientRecord, knowledge: Knowledge) -> Context:
    problems = check_dates(record) + answer_problems(record, knowledge)
    if problems:
        raise InvalidInput(problems)
    checkins = with_answered_signs(record.ordered_checkins(), knowledge)
    as_of = record.as_of if record.as_of is not None else (checkins[-1].date if checkins else record.surgery.date)
    series = all_series(record, checkins)
    profile = profile_of(record)
    courses = {name: course_for_patient(knowledge, record, name, profile) for name in SYMPTOM_FIELDS}
    # Each symptom placed on its expected course once: the rules that ask "is this off course?" and the
    # report's statuses use the same judgement.
    judgements = {
        name: judge(knowledge.symptoms[name], courses[name], series[name], knowledge.grace_days)
        for name in SYMPTOM_FIELDS
    }
    return Context(
        record=record,
        day=(as_of - record.surgery.date).days,
        as_of=as_of,
        latest=checkins[-1] if checkins else None,
        series=series,
        courses=courses,
        judgements=judgements,
        scales=knowledge.symptoms,
        checkins=checkins,
        odi_scores=_odi_scores(record, knowledge, checkins),
        sign_carry_days=knowledge.sign_carry_days,
        raised_by_answers=raised_by_answers(
            checkins, knowledge, record.surgery.date, knowledge.sign_carry_days.get("default", 0)
        ),
    )


def _odi_scores(record: PatientRecord, knowledge: Knowledge, checkins: Sequence[CheckIn]) -> list[tuple[int, float]]:
    surgery = record.surgery.date
    scores = []
    for checkin in checkins:
        if checkin.odi is not None and (score := odi_percent(knowledge.odi, checkin.odi)) is not None:
            scores.append(((checkin.date - surgery).days, round(score, 1)))
    return scores


def _without_forecast(knowledge: Knowledge) -> Knowledge:
    # The copy shares the memo, so it is made once per knowledge base.
    found: Knowledge | None = knowledge.memo.get(("without-forecast",))
    if found is None:
        found = knowledge.memo[("without-forecast",)] = dataclasses.replace(knowledge, forecast=None)
    return found


def _source_dict(knowledge: Knowledge, sid: str) -> dict[str, Any]:
    key = ("source", sid)
    found: dict[str, Any] | None = knowledge.memo.get(key)
    if found is None:
        found = knowledge.memo[key] = knowledge.sources[sid].as_dict()
    return found


def _marks(knowledge: Knowledge, flags: list[Flag]) -> dict[str, SymptomStatus]:
    """The status each flagged symptom must at least have, from the rules' `marks`."""
    marks: dict[str, SymptomStatus] = {}
    for flag in flags:
        mark = knowledge.rules[flag.code].marks
        if mark:
            status = SymptomStatus(mark["status"])
            current = marks.get(mark["symptom"])
            if current is None or _SEVERITY[status] > _SEVERITY[current]:
                marks[mark["symptom"]] = status
    return marks


def _symptom(
    knowledge: Knowledge,
    record: PatientRecord,
    series: Series,
    days: int,
    mark: SymptomStatus | None,
    course: PatientCourse,
    judgement: Judgement | None,
) -> SymptomResult:
    scale = knowledge.symptoms[series.symptom]
    if judgement is not None and mark is not None and _SEVERITY[mark] > _SEVERITY[judgement.status]:
        judgement = dataclasses.replace(judgement, status=mark)
    latest = series.latest
    status = judgement.status if judgement else SymptomStatus.NO_DATA
    causes = causes_for(knowledge, series.symptom, status, days) if status in OFF_COURSE else []
    earlier = series.points[:-1]
    best = None
    if earlier:
        values = [p.value for p in earlier]
        # lowest burden: the lowest score, or for a target scale (walking minutes) the most minutes
        best = max(values) if scale.target is not None else min(values)
    message_key = status_message_key(scale, judgement, None if latest is None else latest.value, best)
    message_sources = knowledge.status_messages[message_key].sources
    change = None
    if latest is not None and series.baseline is not None:
        change = round(latest.value - series.baseline, 1)
    # Every field is built here from typed values; skipping re-validation halves the cost of assess.
    return SymptomResult.model_construct(
        name=series.symptom,
        label=scale.label,
        unit="minutes" if scale.target is not None else "0-10",
        status=status,
        baseline=series.baseline,
        latest=None if latest is None else latest.value,
        latest_date=None if latest is None else record.surgery.date + dt.timedelta(days=latest.day),
        change=change,
        expected=_expected(scale, judgement, latest.day if latest else days, course.modifiers),
        message=status_message(
            knowledge, scale, judgement, None if latest is None else latest.value, best, series.baseline, message_key
        ),
        sources=list(dict.fromkeys(course.sources + message_sources + scale.sources + knowledge.grace_sources)),
        causes=causes,
        action=_action(knowledge, series.symptom, status),
        history=list(series.points),  # Points are (day, value) tuples already
        forecast=_forecast(knowledge, record, series.symptom),
    )


def _action(knowledge: Knowledge, symptom: str, status: SymptomStatus) -> CitedText | None:
    """What to do about a symptom off its usual course: its own words, else the status's."""
    found = knowledge.status_actions.get(f"{symptom}_{status.value}") or knowledge.status_actions.get(status.value)
    return None if found is None else CitedText(text=found.text, sources=list(found.sources))


def _forecast(knowledge: Knowledge, record: PatientRecord, symptom: str) -> dict[str, Any] | None:
    # The result model keeps the summary as plain JSON values; its shape is forecast_batch.ForecastSummary.
    return None if knowledge.forecast is None else dict(forecast_for_record(knowledge, record, symptom))


def _expected(
    scale: SymptomScale, judgement: Judgement | None, day: int, modifiers: Iterable[Modifier]
) -> Expected | None:
    if judgement is None:
        return None

    def value(burden: float) -> float:
        return round(scale.target - burden if scale.target is not None else burden, 1)

    low, high = sorted((value(judgement.low), value(judgement.high)))
    return Expected(
        day=day,
        value=value(judgement.expected),
        low=low,
        high=high,
        reference=value(judgement.reference),
        reference_kind=judgement.reference_kind,
        modifiers=[m.label for m in modifiers],
    )


def _odi(
    knowledge: Knowledge, record: PatientRecord, ordered: Sequence[CheckIn], scored: Sequence[tuple[int, float]]
) -> OdiResult | None:
    latest = next((c for c in reversed(ordered) if c.odi is not None and any(a is not None for a in c.odi)), None)
    if latest is None:
        return None
    odi_scored = bool(scored)
    assert latest.odi is not None
    result = score_odi(knowledge.odi, latest.odi)
    if result.score is None:
        message = result.reason
    else:
        state = "within" if result.acceptable else "above"
        message = (
            f"Oswestry disability {result.score:.1f}% ({result.band.replace('_', '-') if result.band else ''}), "
            f"{state} the published acceptable level of {knowledge.odi.acceptable_at_most:.0f}%."
        )
    return OdiResult(
        score=result.score,
        band=result.band,
        answered=result.answered,
        acceptable=result.acceptable,
        date=latest.date,
        message=message,
        sources=list(knowledge.odi.sources),
        # Without any scored questionnaire the forecast would be the population prior dressed as the patient's.
        forecast=_forecast(knowledge, record, "odi") if odi_scored else None,
    )


def _all_cited(
    flags: list[Flag],
    symptoms: list[SymptomResult],
    guidance: Iterable[CitedText],
    discuss: Iterable[CitedText],
    odi: OdiResult | None,
    phase_sources: Iterable[str],
) -> set[str]:
    cited = set(phase_sources)
    for flag in flags:
        cited.update(flag.sources)
        cited.update(s for c in flag.causes for s in c.sources)
    for symptom in symptoms:
        cited.update(symptom.sources)
        cited.update(symptom.action.sources if symptom.action else ())
        cited.update(symptom.forecast["sources"] if symptom.forecast else ())
        cited.update(s for c in symptom.causes for s in c.sources)
    for item in [*guidance, *discuss]:
        cited.update(item.sources)
    if odi is not None:
        cited.update(odi.sources)
        cited.update(odi.forecast["sources"] if odi.forecast else ())
    return cited
