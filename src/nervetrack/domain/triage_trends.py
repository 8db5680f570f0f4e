"""Triage rules read from the trend of the patient's ratings.

A single 0-10 self-rating wobbles by about a point with nothing changing, so every rule here compares with
the typical (median) earlier rating and asks that a change below the smallest detectable change shows on two
check-ins in a row (trends.py). The sizes of the weakness thresholds were set on simulated patients with that
noise (benchmarks/alert_burden.py, docs/triage-validation.md): no cited study has measured a self-rated
weakness score. Sources are cited in rules.toml.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping

from nervetrack.domain.trajectory import Point, Series, reference_burden
from nervetrack.domain.trends import (
    change,
    current_level,
    held_best,
    median_low,
    progression,
    without_baseline,
    without_last,
)
from nervetrack.domain.trends import shown as _n
from nervetrack.domain.triage_context import Check, Context


def _rapid_weakness(ctx: Context, p: Mapping[str, float]) -> str | None:
    if ctx.sign("sudden_weakness"):
        return ctx.reported(("sudden_weakness",))
    series = ctx.series["weakness"]
    # In the hematoma window (4 weeks, NSQIP) a loss of strength that the patient's answers confirm (standing
    # on the heels or toes has become harder, or it began with a fall), after a smaller rise or in place of a
    # rating left blank, judged on the day of the check-in that carries the answers.
    confirmed_by = ctx.raised_by_answers.get("new_weakness")
    checked = ctx.day_of(ctx.latest) if ctx.latest is not None else None
    if confirmed_by is not None and checked is not None and checked <= p["early_days"]:
        rated = series.latest if series.latest is not None and series.latest.day == checked else None
        level = f"weakness {_n(rated.value)}" if rated is not None else "weakness not rated"
        return f"{level} on day {checked}, in the first four weeks; {confirmed_by}"
    latest = series.latest
    if latest is None:
        return None
    if latest.day <= p["early_days"]:
        # A rise beyond doubt on one check-in or confirmed on the next.
        window = functools.partial(change, within_days=p["early_days"], baseline_until=p["early_days"])
        single, double = window(series, 1), window(series, 2)
        if single is not None and single.rise >= p["early_single_points"]:
            return _rise_text("weakness", single.reference, single.reference_text, latest)
        if double is not None and double.rise >= p["early_confirmed_points"]:
            return _two_ratings("weakness", double.reference, double.reference_text, series.points[-2:])
        return _progressing(series, p)
    # Later: weakness that is still progressing on two check-ins in a row, or jumps beyond doubt at once.
    single = change(series, 1, within_days=p["late_within_days"], fallback_previous=True)
    double = change(series, 2, within_days=p["late_within_days"], fallback_previous=True)
    rising = len(series.points) > 1 and latest.value > series.points[-2].value
    if double is not None and rising and double.rise >= p["late_confirmed_points"]:
        return _two_ratings("weakness", double.reference, double.reference_text, series.points[-2:])
    if single is not None and single.rise >= p["late_single_points"]:
        return _rise_text("weakness", single.reference, single.reference_text, latest)
    return _progressing(series, p)


def _progressing(series: Series, p: Mapping[str, float]) -> str | None:
    """Weakness higher at each of the last `progress_ratings` check-ins within `late_within_days`, by
    `progress_points` in all, and `progress_above` beyond the pre-operative score: still getting worse."""
    recent = _recent(series, int(p["progress_ratings"]), p["late_within_days"])
    if len(recent) < p["progress_ratings"]:
        return None
    steps_up = all(b.value > a.value for a, b in itertools.pairwise(recent))
    base = series.baseline if series.baseline is not None else recent[0].value
    latest = recent[-1]
    if (
        steps_up
        and latest.value - recent[0].value >= p["progress_points"]
        and latest.value - base >= p["progress_above"]
    ):
        start = f"weakness {_n(recent[0].value)} on day {recent[0].day}"
        return f"{start}, still rising to {_n(latest.value)} on day {latest.day}"
    return None


def _rise_text(name: str, reference: float, when: str, latest: Point) -> str:
    return f"{name} {_n(reference)} {when}, {_n(latest.value)} on day {latest.day}"


def _steady(name: str, first: Point, latest: Point) -> str:
    return f"{name} rising steadily from {_n(first.value)} on day {first.day} to {_n(latest.value)} on day {latest.day}"


def _two_ratings(name: str, reference: float, when: str, last: tuple[tuple[int, float], ...]) -> str:
    (day1, value1), (day2, value2) = last
    return f"{name} {_n(reference)} {when}, {_n(value1)} on day {day1} and {_n(value2)} on day {day2}"


def _new_weakness(ctx: Context, p: Mapping[str, float]) -> str | None:
    series = ctx.series["weakness"]
    latest = series.latest
    if latest is None:
        return None
    window = functools.partial(
        change, within_days=p["within_days"], baseline_until=p["early_days"], fallback_previous=True
    )
    single, double = window(series, 1), window(series, 2)
    if single is not None and single.rise >= p["single_points"]:
        return _rise_text("weakness", single.reference, single.reference_text, latest)
    mean_rise = sum(pt.value for pt in series.points[-2:]) / 2 - double.reference if double is not None else 0.0
    if double is not None and (double.rise >= p["confirmed_points"] or mean_rise >= p["confirmed_mean_points"]):
        return _two_ratings("weakness", double.reference, double.reference_text, series.points[-2:])
    # A smaller rise that persists on the next check-in while the follow-up questions asked about it went
    # unanswered: what could not be explained is treated as real.
    unexplained = double is not None and double.rise >= p["unexplained_points"] and double.level >= p["unexplained_at"]
    if double is not None and unexplained and not _answered_within(ctx, p["unexplained_days"]):
        return _two_ratings("weakness", double.reference, double.reference_text, series.points[-2:]) + (
            ", follow-up questions unanswered"
        )
    # A rise of `unanswered_points` on one check-in, `unanswered_above` above every recent rating, whose
    # follow-up questions are still unanswered a day later.
    waited = (ctx.as_of - ctx.latest.date).days if ctx.latest is not None else 0
    recent_top = max((pt.value for pt in series.points[-4:-1]), default=0.0)
    if (
        single is not None
        and single.rise >= p["unanswered_points"]
        and latest.value - recent_top >= p["unanswered_above"]
        and latest.value >= p["unanswered_at"]
        and ctx.pending_follow_up
        and waited >= 1
    ):
        return _rise_text("weakness", single.reference, single.reference_text, latest) + (
            f"; follow-up questions unanswered after {waited} day(s)"
        )
    # A rise of `corroborated_points` on one check-in with leg pain up as much or walking halved on the same
    # check-in: independent ratings do not wobble together.
    if single is not None and single.rise >= p["corroborated_points"]:
        corroboration = _corroborated(ctx, latest.day, p)
        if corroboration:
            return f"{_rise_text('weakness', single.reference, single.reference_text, latest)}, with {corroboration}"
    # A steady worsening over several check-ins beyond where it started.
    found = progression(series, min_ratings=int(p["progressive_ratings"]), within_days=p["progressive_days"])
    base = series.baseline
    start = found.first.value if found is not None else None
    if found is not None and start is not None and found.rise >= p["progressive_points"]:
        above = max(start, base if base is not None else start)
        if latest.value - above >= p["progressive_above"]:
            return _steady("weakness", found.first, latest)
    # A slow creep beyond the pre-operative level after the first two weeks: the last three ratings of the
    # past 4 weeks (all there are, when check-ins are sparse) well above it.
    recent = _recent(series, 3, p["above_baseline_days"]) if latest.day > p["early_days"] else ()
    if base is not None and recent and min(pt.value for pt in recent) - base >= p["above_baseline_points"]:
        level = min(pt.value for pt in recent)
        return f"weakness {_n(base)} before surgery, {_n(level)} or more since day {recent[0].day}"
    return None


def _recent(series: Series, k: int, within_days: float) -> tuple[Point, ...]:
    """The last `k` ratings that lie within `within_days` of the latest (fewer when check-ins are sparse)."""
    latest = series.latest
    if latest is None:
        return ()
    return tuple(pt for pt in series.points[-k:] if latest.day - pt.day <= within_days)


def _answered_within(ctx: Context, days: float) -> bool:
    """Whether any follow-up question was answered on a check-in within `days` of the latest."""
    latest = ctx.checkins[-1].date if ctx.checkins else None
    return any(c.follow_up and latest is not None and (latest - c.date).days <= days for c in ctx.checkins)


def _corroborated(ctx: Context, day: int, p: Mapping[str, float]) -> str | None:
    """Leg pain up by `corroborated_points`, or walking at half its recent typical time or less, on the check-in
    of `day`."""
    pain = change(ctx.series["leg_pain"], within_days=p["within_days"], fallback_previous=True)
    if pain is not None and pain.latest.day == day and pain.rise >= p["corroborated_points"]:
        return f"leg pain {_n(pain.reference)} to {_n(pain.level)}"
    walking = ctx.series["walking"]
    recent = [pt.value for pt in walking.points[:-1] if day - pt.day <= p["within_days"]][-3:]
    latest = walking.latest
    if (
        latest is not None
        and latest.day == day
        and recent
        and latest.value <= p["corroborated_walking_share"] * median_low(recent)
    ):
        return f"walking {_n(median_low(recent))} to {_n(latest.value)} min"
    return None


def _spinal_hematoma(ctx: Context, p: Mapping[str, float]) -> str | None:
    if ctx.day > p["post_op_days"]:
        return None
    found = _pain_with_deficit(ctx, p, baseline_until=p["post_op_days"])
    return found[0] if found is not None and found[1] else None


def _severe_pain_new_deficit(ctx: Context, p: Mapping[str, float]) -> str | None:
    # After the hematoma window the same picture: a new herniation, an infection.
    if ctx.day > p["after_day"]:
        found = _pain_with_deficit(ctx, p, baseline_until=0.0)
        return found[0] if found is not None and found[1] else None
    # In the hematoma window the picture not yet clear (spinal_hematoma raises the clear one) with a sudden
    # large rise of pain: a blood collection cannot wait a day for the answers to the follow-up questions.
    sudden = {**p, "pain_rise_points": p["unclear_pain_rise_points"]}
    found = _pain_with_deficit(ctx, sudden, baseline_until=p["after_day"])
    if found is None or found[1]:
        return None
    return f"{found[0]}, in the first four weeks; not yet clear, follow-up questions asked"


def _back_pain_surge(ctx: Context, p: Mapping[str, float]) -> str | None:
    """Back pain of `severe_pain` or more, `rise_points` above the typical rating since surgery of the
    `within_days` before, from `from_day` to `until_day`: in the hematoma window, severe pain is the first sign
    in most and a deficit may come later."""
    if not p["from_day"] <= ctx.day <= p["until_day"]:
        return None
    latest = ctx.series["back_pain"].latest
    if ctx.latest is None or latest is None or latest.day != ctx.day_of(ctx.latest):
        return None  # judged on the check-in that rates it
    found = change(without_baseline(ctx.series["back_pain"]), 1, within_days=p["within_days"], fallback_previous=True)
    if found is not None and found.level >= p["severe_pain"] and found.rise >= p["rise_points"]:
        return f"back pain {_n(found.reference)} {found.reference_text}, {_n(found.level)} on day {latest.day}"
    return None


def pain_with_deficit(ctx: Context, p: Mapping[str, float]) -> bool:
    """Whether the latest ratings show severe new pain with a new deficit, clear or not (for the follow-up
    trigger: a deficit up by 2 on one check-in is within a rating's wobble, and the answers tell)."""
    return _pain_with_deficit(ctx, p, baseline_until=p["baseline_days"]) is not None


def _pain_with_deficit(ctx: Context, p: Mapping[str, float], baseline_until: float) -> tuple[str, bool] | None:
    """Pain of `severe_pain` or more that rose by `pain_rise_points`, with weakness or numbness up by at
    least `deficit_rise_points` to `deficit_at` or more, each against the typical rating of the `within_days`
    before (or the one just before, however old, so that a gap between check-ins cannot hide it). Returns
    the evidence and whether the deficit is clear: up by `deficit_clear_points`, or up on the rating before
    as well."""
    window = functools.partial(change, within_days=p["within_days"], fallback_previous=True)
    severe = []
    for pain in ("leg_pain", "back_pain"):
        # Back pain is compared with ratings since surgery only: the wound makes it worse than before at first.
        series = ctx.series[pain] if pain == "leg_pain" else without_baseline(ctx.series[pain])
        found = window(series)
        if found is not None and found.level >= p["severe_pain"] and found.rise >= p["pain_rise_points"]:
            severe.append(f"{pain.replace('_', ' ')} {_n(found.reference)} to {_n(found.level)}")
    if not severe:
        return None
    deficits, clear = [], False
    rising = 0
    for deficit in ("weakness", "numbness"):
        series = ctx.series[deficit]
        found = window(series, baseline_until=baseline_until)
        if found is None or found.rise < p["deficit_rise_points"] or found.level < p["deficit_at"]:
            continue
        before = window(without_last(series, 1), baseline_until=baseline_until)
        confirmed = before is not None and before.rise >= p["deficit_rise_points"]
        clear = clear or found.rise >= p["deficit_clear_points"] or confirmed
        rising += 1
        deficits.append(f"{deficit} {_n(found.reference)} to {_n(found.level)}")
    if not deficits:
        return None
    # Weakness and numbness rising together with the pain: independent ratings do not wobble together.
    clear = clear or rising == 2
    return f"{severe[0]} by day {ctx.day}, with {', '.join(deficits)}", clear


def _pain_returned(ctx: Context, p: Mapping[str, float]) -> str | None:
    series = ctx.series["leg_pain"]
    latest = series.latest
    if latest is None:
        return None
    scale = ctx.scales["leg_pain"]
    reference, _ = reference_burden(scale, series)

    def relieved(best: float | None) -> bool:
        return best is not None and (scale.is_meaningful_drop(reference, best) or best <= p["relieved_at"])

    found = _returned(series, p)
    if found is None:
        found = _back_to_before(series, reference, p)
    if found is None or not relieved(found):
        return None
    return f"leg pain fell to {_n(found)} after surgery and is {_n(latest.value)} on day {latest.day}"


def _back_to_before(series: Series, reference: float, p: Mapping[str, float]) -> float | None:
    """The best level held before leg pain came back to its pre-operative level on the last two ratings, at
    least `back_points` above that best (a low pre-operative level leaves less room to rise)."""
    points = series.points
    best = held_best(without_last(series, 2))
    if best is None or len(points) < 2:
        return None
    level = min(pt.value for pt in points[-2:])
    return best if level >= reference and level - best >= p["back_points"] else None


def _returned(series: Series, p: Mapping[str, float], from_day: float = 0) -> float | None:
    """The best level held before a return of `rise_points` on the last two ratings (both from `from_day`),
    or of `single_points` on the latest one (then one earlier rating is enough to compare with); None
    without a return."""
    points = series.points
    if len(points) < 2:
        return None
    single = held_best(without_last(series, 1)) if len(points) > 2 else points[0].value
    if single is not None and points[-1].value - single >= p["single_points"]:
        return single
    both = held_best(without_last(series, 2))
    if (
        both is not None
        and points[-2].day >= from_day
        and min(pt.value for pt in points[-2:]) - both >= p["rise_points"]
    ):
        return both
    return None


def _back_pain_returned(ctx: Context, p: Mapping[str, float]) -> str | None:
    series = ctx.series["back_pain"]
    latest = series.latest
    if latest is None or latest.day < p["from_day"]:
        return None
    # Both ratings of a two-check-in return must be from week 6 on (wound pain settles before).
    found = _returned(series, p, from_day=p["from_day"])
    if found is None:
        return None
    return f"back pain {_n(found)} at its best since surgery, {_n(latest.value)} on day {latest.day}"


def _leg_pain_worse(ctx: Context, p: Mapping[str, float]) -> str | None:
    series = ctx.series["leg_pain"]
    latest = series.latest
    if latest is None or latest.day < p["from_day"] or len(series.points) < 2:
        return None
    if series.points[-2].day < p["from_day"]:
        return None
    reference, kind = reference_burden(ctx.scales["leg_pain"], series)
    level = min(pt.value for pt in series.points[-2:])
    if level - reference >= p["worse_points"]:
        before = "before surgery" if kind == "baseline" else "typical before surgery"
        return f"leg pain {_n(level)} or more on the last two check-ins (day {latest.day}), {_n(reference)} {before}"
    return None


def _leg_pain_persistent(ctx: Context, p: Mapping[str, float]) -> str | None:
    # Only when it is also off this patient's own expected course: an 80-year-old with diabetes after a
    # stenosis decompression can be on course with moderate pain at 6 months (danespine-2023, fritsch-2017).
    series = ctx.series["leg_pain"]
    latest, level = series.latest, current_level(series)
    if latest is None or level is None or latest.day < p["from_day"] or level < p["moderate_at"]:
        return None
    if not ctx.off_course("leg_pain"):
        return None
    return f"leg pain {_n(level)} or more on the latest check-ins (day {latest.day}), above the usual range"


def _disability_high(ctx: Context, p: Mapping[str, float]) -> str | None:
    scores = ctx.odi_scores
    if not scores:
        return None
    day, score = scores[-1]
    if day >= p["from_day"] and score >= p["non_response_at"]:
        return f"Oswestry disability {_n(score)}% on day {day}"
    # Against the median of the three scores before, so one good week is not the yardstick.
    before = [s for _, s in scores[-4:-1]]
    if before and score - median_low(before) >= p["rise_points"]:
        return f"Oswestry disability {_n(median_low(before))}% on earlier check-ins, {_n(score)}% on day {day}"
    return None


def _walking_worse(ctx: Context, p: Mapping[str, float]) -> str | None:
    # Two check-ins in a row at half or less of the reference, and at least `drop_minutes` short of it: one
    # bad day is not a trend. The reference is the best walk held on two check-ins since surgery, or from
    # `baseline_from_day` the pre-operative time, both capped at the walking target.
    series = ctx.series["walking"]
    points = series.points
    if len(points) < 2 or points[-1].day < p["from_day"]:
        return None
    target = ctx.scales["walking"].target
    if target is None:  # the walking scale always has its target (courses.toml); without one nothing is judged
        return None
    recent = max(points[-1].value, points[-2].value)
    references = []
    before = without_last(series, 2)
    best = held_best(before, higher_is_better=True) if len(before.points) > 1 else None
    best = before.points[0].value if len(before.points) == 1 else best
    if best is not None:
        references.append((min(best, target), "at best since surgery"))
    if series.baseline is not None and points[-1].day >= p["baseline_from_day"]:
        references.append((min(series.baseline, target), "before surgery"))
    for reference, when in references:
        if reference - recent >= p["drop_minutes"] and recent <= reference * p["share_of_best"]:
            return (
                f"walking {_n(points[-2].value)} and {_n(points[-1].value)} min on days {points[-2].day} and "
                f"{points[-1].day}, {_n(reference)} min {when}"
            )
    return None


def _no_improvement_3_months(ctx: Context, p: Mapping[str, float]) -> str | None:
    # Leg pain changes little after 6 weeks, so ratings from then on stand for the 3-month point; the
    # median of the latest three of them is the present level (one rating can stray either way).
    series = ctx.series["leg_pain"]
    recent = [pt for pt in series.points if pt.day >= p["rating_from_day"]][-3:]
    if ctx.day < p["from_day"] or not recent:
        return None
    level = median_low([pt.value for pt in recent]) if len(recent) != 2 else max(pt.value for pt in recent)
    if level <= p["mild_at"]:
        return None
    scale = ctx.scales["leg_pain"]
    reference, kind = reference_burden(scale, series)
    if scale.is_meaningful_drop(reference, level):
        return None
    before = "before surgery" if kind == "baseline" else "typical before surgery"
    return f"leg pain {_n(level)} on the latest check-ins (day {recent[-1].day}), {_n(reference)} {before}"


def _weakness_not_improving(ctx: Context, p: Mapping[str, float]) -> str | None:
    series = ctx.series["weakness"]
    point, level = series.latest, current_level(series)
    if point is None or level is None:
        return None
    day = point.day
    recent = _recent(series, 3, p["worse_within_days"])
    if series.baseline is not None and recent and day >= p["worse_from_day"]:
        level3 = min(pt.value for pt in recent)
        if level3 - series.baseline >= p["worse_points"]:
            return f"weakness {_n(series.baseline)} before surgery, {_n(level3)} or more since day {recent[0].day}"
    if day >= p["persistent_from_day"] and level >= p["persistent_at"]:
        return f"weakness {_n(level)} on day {day}: still moderate when most recovery is over"
    if day < p["from_day"] or level < p["present_at"]:
        return None
    earlier = series.baseline if series.baseline is not None else _first_other(ctx)
    if earlier is None:
        return f"weakness {_n(level)} on day {day} with no earlier score to compare"
    when = "before surgery" if series.baseline is not None else f"on day {series.points[0].day}"
    if level > earlier or not ctx.scales["weakness"].is_meaningful_drop(earlier, level):
        return f"weakness {_n(earlier)} {when}, {_n(level)} on day {day}"
    return None


def _first_other(ctx: Context) -> float | None:
    points = ctx.series["weakness"].points
    return points[0].value if len(points) > 1 else None


def _numbness_worsening(ctx: Context, p: Mapping[str, float]) -> str | None:
    series = ctx.series["numbness"]
    latest = series.latest
    if latest is None or latest.day < p["after_day"]:
        return None
    # Three check-ins in a row `rise_points` up, or two in a row `confirmed_points` up: one or two rough
    # ratings are not a trend. The pre-operative score counts as one earlier rating.
    for k, needed in ((3, p["rise_points"]), (2, p["confirmed_points"])):
        found = change(series, k, baseline_until=float("inf"))
        if found is not None and found.rise >= needed and found.latest.day - series.points[-k].day <= p["span_days"]:
            since = series.points[-k].day
            return f"numbness {_n(found.reference)} {found.reference_text}, {_n(found.level)} or more since day {since}"
    # A steady rise over several check-ins, ending above where it started and above the pre-operative score.
    rising = progression(series, min_ratings=int(p["progressive_ratings"]), within_days=p["progressive_days"])
    if rising is not None and rising.rise >= p["progressive_points"]:
        above = max(rising.first.value, series.baseline if series.baseline is not None else rising.first.value)
        if latest.value - above >= p["progressive_above"]:
            return _steady("numbness", rising.first, latest)
    return None


def _numbness_persistent(ctx: Context, p: Mapping[str, float]) -> str | None:
    series = ctx.series["numbness"]
    latest, level = series.latest, current_level(series)
    if latest is None or level is None or latest.day < p["from_day"] or level < p["present_at"]:
        return None
    return f"numbness {_n(level)} on day {latest.day}"


def _possible_permanent_deficit(ctx: Context, p: Mapping[str, float]) -> str | None:
    present = []
    for symptom in ("numbness", "weakness"):
        series = ctx.series[symptom]
        latest, level = series.latest, current_level(series)
        if latest is not None and level is not None and latest.day >= p["from_day"] and level >= p["present_at"]:
            present.append(f"{symptom} {_n(level)} on day {latest.day}")
    return ", ".join(present) or None


def _follow_up_unanswered(ctx: Context, p: Mapping[str, float]) -> str | None:
    if not ctx.pending_follow_up or ctx.latest is None:
        return None
    waited = (ctx.as_of - ctx.latest.date).days
    if waited < p["after_days"]:
        return None
    return f"follow-up questions about the check-in of day {ctx.day_of(ctx.latest)} unanswered after {waited} day(s)"


TREND_CHECKS: dict[str, Check] = {
    "rapid_weakness": _rapid_weakness,
    "new_weakness": _new_weakness,
    "spinal_hematoma": _spinal_hematoma,
    "severe_pain_new_deficit": _severe_pain_new_deficit,
    "pain_returned": _pain_returned,
    "back_pain_returned": _back_pain_returned,
    "leg_pain_worse": _leg_pain_worse,
    "leg_pain_persistent": _leg_pain_persistent,
    "disability_high": _disability_high,
    "walking_worse": _walking_worse,
    "no_improvement_3_months": _no_improvement_3_months,
    "weakness_not_improving": _weakness_not_improving,
    "numbness_worsening": _numbness_worsening,
    "numbness_persistent": _numbness_persistent,
    "possible_permanent_deficit": _possible_permanent_deficit,
    "follow_up_unanswered": _follow_up_unanswered,
    "back_pain_surge": _back_pain_surge,
}
# The parameters each check reads, checked at load against what its rule declares in rules.toml.
TREND_CHECK_PARAMS: dict[str, frozenset[str]] = {
    "rapid_weakness": frozenset(
        {
            "early_confirmed_points",
            "early_days",
            "early_single_points",
            "late_confirmed_points",
            "late_single_points",
            "late_within_days",
            "progress_above",
            "progress_points",
            "progress_ratings",
        }
    ),
    "new_weakness": frozenset(
        {
            "above_baseline_days",
            "above_baseline_points",
            "confirmed_mean_points",
            "confirmed_points",
            "corroborated_points",
            "corroborated_walking_share",
            "early_days",
            "progressive_above",
            "progressive_days",
            "progressive_points",
            "progressive_ratings",
            "single_points",
            "unanswered_above",
            "unanswered_at",
            "unanswered_points",
            "unexplained_at",
            "unexplained_days",
            "unexplained_points",
            "within_days",
        }
    ),
    "spinal_hematoma": frozenset(
        {
            "deficit_at",
            "deficit_clear_points",
            "deficit_rise_points",
            "pain_rise_points",
            "post_op_days",
            "severe_pain",
            "within_days",
        }
    ),
    "severe_pain_new_deficit": frozenset(
        {
            "after_day",
            "deficit_at",
            "deficit_clear_points",
            "deficit_rise_points",
            "pain_rise_points",
            "severe_pain",
            "unclear_pain_rise_points",
            "within_days",
        }
    ),
    "pain_returned": frozenset({"back_points", "relieved_at", "rise_points", "single_points"}),
    "back_pain_returned": frozenset({"from_day", "rise_points", "single_points"}),
    "leg_pain_worse": frozenset({"from_day", "worse_points"}),
    "leg_pain_persistent": frozenset({"from_day", "moderate_at"}),
    "disability_high": frozenset({"from_day", "non_response_at", "rise_points"}),
    "walking_worse": frozenset({"baseline_from_day", "drop_minutes", "from_day", "share_of_best"}),
    "no_improvement_3_months": frozenset({"from_day", "mild_at", "rating_from_day"}),
    "weakness_not_improving": frozenset(
        {
            "from_day",
            "persistent_at",
            "persistent_from_day",
            "present_at",
            "worse_from_day",
            "worse_points",
            "worse_within_days",
        }
    ),
    "numbness_worsening": frozenset(
        {
            "after_day",
            "confirmed_points",
            "progressive_above",
            "progressive_days",
            "progressive_points",
            "progressive_ratings",
            "rise_points",
            "span_days",
        }
    ),
    "numbness_persistent": frozenset({"from_day", "present_at"}),
    "possible_permanent_deficit": frozenset({"from_day", "present_at"}),
    "follow_up_unanswered": frozenset({"after_days"}),
    "back_pain_surge": frozenset({"from_day", "until_day", "within_days", "severe_pain", "rise_points"}),
}
