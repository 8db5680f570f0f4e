"""Triage: every rule in rules.toml turns the record into zero or one flag, then follow-up questions are
chosen for what the rules could not be sure of.

Warning signs are judged on the latest check-in; a blank answer there does not cancel a "yes" from the
last `carry_days` days (only a "no" does), and a cauda equina sign stays open until a clinician acknowledges
it. Trends use the whole history and the baseline. The checks live in triage_signs.py (signs, temperatures,
answers) and triage_trends.py (ratings); thresholds and texts live in rules.toml with their sources.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from nervetrack.domain.errors import KnowledgeError
from nervetrack.domain.follow_up import TRIGGERS, Pending, pending_questions
from nervetrack.domain.knowledge import Knowledge, Rule
from nervetrack.domain.model import RED_FLAG_SIGNS, TriageLevel
from nervetrack.domain.results import CitedText, Flag
from nervetrack.domain.triage_context import Check, Context
from nervetrack.domain.triage_signs import SIGN_CHECK_PARAMS, SIGN_CHECKS, cauda_equina_unconfirmed, signs_check
from nervetrack.domain.triage_trends import TREND_CHECK_PARAMS, TREND_CHECKS

CHECKS: Mapping[str, Check] = {**SIGN_CHECKS, **TREND_CHECKS}
COMBINATION = "combination"  # the check of rules raised by other rules' flags (Rule.requires)
# What each check reads from its rule's `params` (the two built from `signs` read only `window_days` or
# nothing); tests/unit/test_rule_params.py reads the check functions' code to keep this honest.
CHECK_PARAMS: Mapping[str, frozenset[str]] = {
    **SIGN_CHECK_PARAMS,
    **TREND_CHECK_PARAMS,
    "signs": frozenset(),
    "cauda_equina_unconfirmed": frozenset({"window_days"}),
    COMBINATION: frozenset(),
}
# Checks that read the follow-up questions left unanswered run after the questions are chosen, and rules
# that combine other rules' flags after them all.
_AFTER_FOLLOW_UP = frozenset({"follow_up_unanswered", "new_weakness"})


def check_for(rule: Rule) -> Check:
    """The check function that judges `rule`."""
    if rule.check == "signs":
        return signs_check(rule.signs, rule.also_signs)
    if rule.check == "cauda_equina_unconfirmed":
        return cauda_equina_unconfirmed(rule.signs)
    if rule.check not in CHECKS:
        raise KnowledgeError(f"rules.toml: rule {rule.code!r} names no known check ({rule.check!r})")
    return CHECKS[rule.check]


def check_logic(knowledge: Knowledge) -> None:
    """Raise KnowledgeError naming the file and item when a rule or trigger names a check that does not
    exist (so a typo stops the program at start-up, not at the first check-in)."""
    problems = []
    for rule in knowledge.rules.values():
        if rule.check not in (*CHECKS, "signs", "cauda_equina_unconfirmed", COMBINATION):
            problems.append(f"rules.toml: rule {rule.code!r} names no known check ({rule.check!r})")
        if rule.check == "signs" and not rule.signs:
            problems.append(f"rules.toml: rule {rule.code!r} has the sign check but no signs")
        if (rule.check == COMBINATION) != bool(rule.requires or rule.requires_any):
            problems.append(f"rules.toml: rule {rule.code!r}: `requires` go with the check {COMBINATION!r} only")
        problems += [
            f"rules.toml: rule {rule.code!r} requires unknown rule or warning sign {code!r}"
            for code in (*rule.requires, *rule.requires_any)
            if code not in knowledge.rules and code not in RED_FLAG_SIGNS
        ]
        reads = CHECK_PARAMS.get(rule.check, frozenset())
        problems += [
            f"rules.toml: rule {rule.code!r} → params: {key!r} is read by its check {rule.check!r} but not declared"
            for key in sorted(reads - set(rule.params))
        ]
        problems += [
            f"rules.toml: rule {rule.code!r} → params: {key!r} is declared but its check {rule.check!r} never reads it"
            for key in sorted(set(rule.params) - reads)
        ]
    problems += [
        f"followups.toml: trigger {t.id!r} names no known check ({t.check!r})"
        for t in knowledge.triggers
        if t.check not in TRIGGERS
    ]
    if problems:
        raise KnowledgeError("; ".join(problems))


@dataclasses.dataclass(frozen=True)
class TriageResult:
    flags: list[Flag]
    follow_up: list[str]  # ids of the questions to ask about the latest check-in


def evaluate(knowledge: Knowledge, ctx: Context) -> TriageResult:
    """Run every rule; return the flags raised, most severe first, and the follow-up questions to ask."""
    version = knowledge.versions["rules"]
    raised = _run(knowledge, ctx, version, lambda rule: rule.check not in (*_AFTER_FOLLOW_UP, COMBINATION))
    emergency = any(TriageLevel(knowledge.rules[f.code].level) is TriageLevel.EMERGENCY for f in raised)
    # With an emergency the patient must call now, not answer questions.
    pending = Pending([], []) if emergency else pending_questions(ctx, knowledge, {f.code for f in raised})
    after = dataclasses.replace(ctx, pending_follow_up=tuple(pending.alerting))
    raised += _run(knowledge, after, version, lambda rule: rule.check in _AFTER_FOLLOW_UP)
    combined = _combined(knowledge, raised, version, ctx)
    if any(f.level is TriageLevel.EMERGENCY for f in combined):
        pending = Pending([], [])
    raised += combined
    superseded = {code for f in raised for code in knowledge.rules[f.code].supersedes}
    kept = [f for f in raised if f.code not in superseded]
    return TriageResult(sorted(kept, key=lambda f: -f.level.rank), pending.asked)


def _combined(knowledge: Knowledge, raised: list[Flag], version: str, ctx: Context) -> list[Flag]:
    """The combination rules whose every requirement (a rule raised, or a warning sign reported on the latest
    check-in), and one of the rules of `requires_any`, are met: the evidence is theirs, joined."""
    evidence = {f.code: f.evidence for f in raised}

    def met(code: str) -> str | None:
        return evidence.get(code) or (ctx.reported((code,)) if code in RED_FLAG_SIGNS else None)

    group = knowledge.procedures[ctx.record.surgery.procedure.value]["group"]
    found = []
    for rule in knowledge.rules.values():
        if rule.check != COMBINATION:
            continue
        required = [met(code) for code in rule.requires]
        anyone = [said for code in rule.requires_any if (said := met(code)) is not None][:1]
        if None in required or (rule.requires_any and not anyone):
            continue
        joined = "; ".join(said for said in [*required, *anyone] if said is not None)
        found.append(_flag(rule, joined, version, ctx.day, group))
    return found


def _run(knowledge: Knowledge, ctx: Context, version: str, chosen: Callable[[Rule], bool]) -> list[Flag]:
    group = knowledge.procedures[ctx.record.surgery.procedure.value]["group"]
    raised = []
    for rule in knowledge.rules.values():
        if not chosen(rule):
            continue
        found = _memo_check(knowledge, rule)(ctx, rule.params) or ctx.raised_by_answers.get(rule.code)
        if found is not None:
            raised.append(_flag(rule, found, version, ctx.day, group))
    return raised


def _memo_check(knowledge: Knowledge, rule: Rule) -> Check:
    key = ("check", rule.code)
    found: Check | None = knowledge.memo.get(key)
    if found is None:
        found = knowledge.memo[key] = check_for(rule)
    return found


def overall_level(flags: list[Flag]) -> TriageLevel:
    """The triage level is the most severe flag's level."""
    return max((f.level for f in flags), key=lambda level: level.rank, default=TriageLevel.ROUTINE)


def _flag(rule: Rule, evidence: str, version: str, day: int, group: str) -> Flag:
    return Flag(
        code=rule.code,
        level=TriageLevel(rule.level),
        message=rule.message,
        sources=list(rule.sources),
        causes=[CitedText(text=c.text, sources=list(c.sources)) for c in rule.causes if c.fits(day, group)],
        evidence=evidence,
        rule_version=version,
    )
