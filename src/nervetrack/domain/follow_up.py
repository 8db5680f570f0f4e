"""Follow-up questions: ask instead of guessing when a rating moves by more than its noise but not enough to
be sure, or when an answer needs one more detail.

Questions and triggers are data (followups.toml). An answer can stand for a warning sign on its check-in
(`sets`: "yes, my leg suddenly became much weaker" is the sudden-weakness sign) or raise a rule (`raises`),
so the triage that runs again on the answers escalates at once where an answer matters.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from nervetrack.domain.errors import Problem
from nervetrack.domain.knowledge import FollowUpQuestion, FollowUpTrigger, Knowledge
from nervetrack.domain.model import CheckIn, PatientRecord
from nervetrack.domain.trends import change, held_best, without_last
from nervetrack.domain.triage_context import Context
from nervetrack.domain.triage_trends import pain_with_deficit

ANSWER_WORDS = {"yes_no": "true or false", "0-10": "a whole number from 0 to 10"}


def answer_problems(record: PatientRecord, knowledge: Knowledge) -> list[Problem]:
    """Problems with follow-up answers: unknown question ids and answers of the wrong kind."""
    problems = []
    for index, checkin in enumerate(record.checkins):
        for qid, answer in (checkin.follow_up or {}).items():
            path = f"checkins[{index}].follow_up.{qid}"
            question = knowledge.questions.get(qid)
            if question is None:
                allowed = ", ".join(sorted(knowledge.questions))
                problems.append(Problem(path, f"unknown follow-up question; allowed: {allowed}"))
            elif not _fits(question, answer):
                problems.append(Problem(path, f"must be {allowed_answers(question)} (got {answer!r})"))
    return problems


def allowed_answers(question: FollowUpQuestion) -> str:
    if question.answer == "choice":
        return "one of " + ", ".join(repr(c) for c in question.choices)
    return ANSWER_WORDS[question.answer]


def _fits(question: FollowUpQuestion, answer: object) -> bool:
    if question.answer == "yes_no":
        return isinstance(answer, bool)
    if question.answer == "0-10":
        return isinstance(answer, int) and not isinstance(answer, bool) and 0 <= answer <= 10
    return answer in question.choices


def with_answered_signs(checkins: Sequence[CheckIn], knowledge: Knowledge) -> list[CheckIn]:
    """The check-ins with each follow-up answer that stands for a warning sign applied to that sign."""
    applied = []
    for checkin in checkins:
        signs = {
            sign: True
            for qid, answer in (checkin.follow_up or {}).items()
            if (question := knowledge.questions.get(qid)) is not None
            and (sign := question.sets.get(question.key_of(answer))) is not None
        }
        applied.append(checkin.model_copy(update=signs) if signs else checkin)
    return applied


def raised_by_answers(
    checkins: Sequence[CheckIn], knowledge: Knowledge, surgery_day: Any, within_days: int
) -> dict[str, str]:
    """Rule code -> evidence for the answers, given within `within_days` of the latest check-in, that raise
    a rule."""
    if not checkins:
        return {}
    latest = checkins[-1].date
    raised: dict[str, str] = {}
    for checkin in reversed(checkins):
        if (latest - checkin.date).days > within_days:
            break
        for qid, answer in (checkin.follow_up or {}).items():
            question = knowledge.questions.get(qid)
            code = None if question is None else _raised_code(question, answer)
            if question is not None and code is not None and code not in raised:
                day = (checkin.date - surgery_day).days
                raised[code] = f'answered "{question.key_of(answer)}" to "{question.text}" on day {day}'
    return raised


def _raised_code(question: FollowUpQuestion, answer: object) -> str | None:
    code = question.raises.get(question.key_of(answer))
    if code is None and isinstance(answer, int) and not isinstance(answer, bool):
        code = next((c for at_least, c in sorted(question.raises_at_least.items()) if answer >= at_least), None)
    return code


@dataclasses.dataclass(frozen=True)
class Pending:
    """The questions to ask about the latest check-in, and those of them whose silence reaches the clinic."""

    asked: list[str]
    alerting: list[str]


def pending_questions(ctx: Context, knowledge: Knowledge, raised: set[str]) -> Pending:
    """The questions to ask about the latest check-in: those of every trigger that fires there, unless a flag
    the trigger names in `unless` was raised already, minus those answered on it."""
    latest = ctx.latest
    if latest is None:
        return Pending([], [])
    answered = set(latest.follow_up or {})
    # A question that stands only for a warning sign the check-in already reports is moot.
    answered |= {
        q.id for q in knowledge.questions.values() if q.sets and all(latest.has(sign) for sign in q.sets.values())
    }
    asked: list[str] = []
    alerting: list[str] = []
    for trigger in knowledge.triggers:
        if raised.intersection(trigger.params.get("unless", ())):
            continue
        if TRIGGERS[trigger.check](ctx, trigger, raised):
            new = [q for q in trigger.asks if q not in answered]
            asked += [q for q in new if q not in asked]
            if trigger.alert_unanswered:
                alerting += [q for q in new if q not in alerting]
    return Pending(asked, alerting)


def _uncertain_rise(ctx: Context, trigger: FollowUpTrigger, _: set[str]) -> bool:
    """The symptom, rated on the latest check-in, is `rise_points` above its typical recent rating and at
    least `at_least`, and higher than when the same questions were last answered within `repeat_days`."""
    p = trigger.params
    series = ctx.series[p["symptom"]]
    latest = series.latest
    if latest is None or ctx.latest is None or latest.day != ctx.day_of(ctx.latest):
        return False
    window = functools.partial(
        change, within_days=p["within_days"], baseline_until=p["baseline_days"], fallback_previous=True
    )
    single, double = window(series, 1), window(series, 2)
    clear = single is not None and single.rise >= p["rise_points"] and latest.value >= p["at_least"]
    # A smaller rise that takes the symptom beyond its pre-operative level (new since before surgery).
    base = series.baseline
    beyond = base is not None and latest.value - base >= p["beyond_baseline_points"]
    clear = clear or (beyond and latest.value >= p["at_least"] and single is not None and single.rise >= 1)
    # New since before surgery on two check-ins in a row, at a lower level.
    both = min(pt.value for pt in series.points[-2:]) if len(series.points) > 1 else None
    twice_beyond = both is not None and base is not None and both - base >= p["twice_beyond_points"]
    clear = clear or (twice_beyond and both is not None and both >= p["twice_at_least"])
    # A smaller level is asked about when it shows on two check-ins in a row.
    twice = double is not None and double.rise >= p["twice_rise_points"] and double.level >= p["twice_at_least"]
    return (clear or twice) and _not_answered_at(ctx, trigger, p["symptom"], latest.value)


def _not_answered_at(ctx: Context, trigger: FollowUpTrigger, symptom: str, value: float) -> bool:
    """Whether the trigger's questions still need asking: not answered on an earlier check-in within
    `repeat_days` that rated `symptom` at `value` or more (asking again the same thing is no help)."""
    field = symptom if symptom != "walking" else "walking_minutes"
    for checkin in reversed(ctx.checkins[:-1]):
        if (ctx.checkins[-1].date - checkin.date).days > trigger.params["repeat_days"]:
            break
        rated = getattr(checkin, field)
        answered = set(checkin.follow_up or {}).intersection(trigger.asks)
        if answered and rated is not None and rated >= value:
            return False
    return True


def _uncertain_return(ctx: Context, trigger: FollowUpTrigger, _: set[str]) -> bool:
    """After relief held on two check-ins, the symptom rated on the latest check-in is `rise_points` above it."""
    p = trigger.params
    series = ctx.series[p["symptom"]]
    latest = series.latest
    if latest is None or ctx.latest is None or latest.day != ctx.day_of(ctx.latest):
        return False
    best = held_best(without_last(series, 1))
    if best is None:
        return False
    base = series.baseline
    relieved = best <= p["relieved_at_most"] or (base is not None and base - best >= p["relief_points"])
    if not relieved or latest.value - best < p["rise_points"] or latest.value < p["at_least"]:
        return False
    return _not_answered_at(ctx, trigger, p["symptom"], latest.value)


def _rating_blank(ctx: Context, trigger: FollowUpTrigger, _: set[str]) -> bool:
    """The latest check-in rates other symptoms but leaves `symptom` blank, for a patient who has rated it
    before (before surgery or on an earlier check-in): a blank rating cannot show a change."""
    latest = ctx.latest
    if latest is None:
        return False
    day = ctx.day_of(latest)
    series = ctx.series[trigger.params["symptom"]]
    if series.latest is not None and series.latest.day == day:
        return False
    rated_before = series.baseline is not None or series.latest is not None
    rated_today = any(s.latest is not None and s.latest.day == day for s in ctx.series.values())
    return rated_before and rated_today


def _sign_reported(ctx: Context, trigger: FollowUpTrigger, _: set[str]) -> bool:
    """The latest check-in answers yes to the warning sign `sign`."""
    return ctx.latest is not None and ctx.latest.has(trigger.params["sign"])


def _pain_with_deficit(ctx: Context, trigger: FollowUpTrigger, _: set[str]) -> bool:
    """Severe new pain with weakness or numbness up on the latest check-in (rules.toml spinal_hematoma's
    picture, with the thresholds given here)."""
    return ctx.latest is not None and pain_with_deficit(ctx, trigger.params)


TRIGGERS: Mapping[str, Callable[[Context, FollowUpTrigger, set[str]], bool]] = {
    "uncertain_rise": _uncertain_rise,
    "uncertain_return": _uncertain_return,
    "rating_blank": _rating_blank,
    "sign_reported": _sign_reported,
    "pain_with_deficit": _pain_with_deficit,
}
