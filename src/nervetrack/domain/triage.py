"""Red-flag and review rules: each turns the record into zero or one flag.

Red-flag signs are judged on the latest check-in; a blank answer there does not cancel a "yes" from the
last `sign_carry_days` days (only a "no" does). Trends use the whole history and the baseline.
Thresholds and texts live in rules.toml; sources are cited there (GIRFT CES pathway, art-leg-nerve-pain,
art-root-healing, art-fusion-weakness, art-nerve-timeline, hematoma, infection, VTE and dural-tear studies).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from nervetrack.domain.knowledge import Knowledge, Rule, SymptomScale
from nervetrack.domain.model import CheckIn, PatientRecord, TriageLevel
from nervetrack.domain.results import CitedText, Flag
from nervetrack.domain.trajectory import Series, reference_burden


@dataclass(frozen=True)
class Context:
    """What every rule may look at."""

    record: PatientRecord
    day: int
    latest: CheckIn | None
    series: Mapping[str, Series]
    scales: Mapping[str, SymptomScale]
    checkins: Sequence[CheckIn] = ()  # date order
    odi_scores: Sequence[tuple[int, float]] = ()  # (day, scored ODI %) in date order
    as_of: dt.date | None = None
    sign_carry_days: int = 2

    def answer(self, name: str) -> CheckIn | None:
        """The latest check-in that answered yes/no question `name` (None: never answered)."""
        # Several rules ask about the same question: look each one up once.
        if name not in self._answers:
            self._answers[name] = next((c for c in reversed(self.checkins) if getattr(c, name) is not None), None)
        return self._answers[name]

    @functools.cached_property
    def _answers(self) -> dict[str, CheckIn | None]:
        return {}

    def sign(self, name: str) -> bool:
        """Whether the latest check-in says yes to `name`, or left it blank within `sign_carry_days` of a yes
        (a second entry the same day, or a short check-in the next day, must not hide a sign)."""
        if self.latest is None:
            return False
        if getattr(self.latest, name) is not None:
            return self.latest.has(name)
        answered = self.answer(name)
        if answered is None or not answered.has(name):
            return False
        return (self.latest.date - answered.date).days <= self.sign_carry_days

    def temperature(self, carry_days: float) -> tuple[float, int] | None:
        """The latest temperature and its day after surgery, if measured within `carry_days` of the latest
        check-in (a fever reported yesterday is not cancelled by a check-in that did not measure it)."""
        if self.latest is None:
            return None
        measured = next((c for c in reversed(self.checkins) if c.temperature_c is not None), None)
        if measured is None or measured.temperature_c is None or (self.latest.date - measured.date).days > carry_days:
            return None
        return measured.temperature_c, (measured.date - self.record.surgery.date).days

    def reported(self, names: Sequence[str]) -> str | None:
        """ "reported: ..." for the signs whose latest answer is yes, naming the day when it was not the latest
        check-in."""
        found = [n for n in names if self.sign(n)]
        if not found:
            return None
        text = "reported: " + ", ".join(n.replace("_", " ") for n in found)
        days = {self._day_of(n) for n in found}
        latest_day = (self.latest.date - self.record.surgery.date).days if self.latest else None
        earlier = sorted(d for d in days if d is not None and d != latest_day)
        return text + (f" (on day {', '.join(map(str, earlier))}, not answered since)" if earlier else "")

    def _day_of(self, name: str) -> int | None:
        answered = self.answer(name)
        return None if answered is None else (answered.date - self.record.surgery.date).days

    def latest_value(self, symptom: str) -> float | None:
        point = self.series[symptom].latest
        return None if point is None else point.value


# A rule check returns a short account of what triggered it, or None.
Check = Callable[[Context, Mapping[str, float]], str | None]


def _cauda_equina(ctx: Context, _: Mapping[str, float]) -> str | None:
    return ctx.reported(("bladder_problem", "bowel_problem", "saddle_numbness"))


def _rapid_weakness(ctx: Context, p: Mapping[str, float]) -> str | None:
    if ctx.sign("sudden_weakness"):
        return ctx.reported(("sudden_weakness",))
    for points, days in ((p["rise_points"], p["within_days"]), (p["large_rise_points"], p["large_within_days"])):
        rise = _rise(ctx, "weakness", days)
        if rise is not None and rise[1] - rise[0] >= points:
            return f"weakness rose from {rise[0]:.0f} to {rise[1]:.0f} within {days:.0f} days"
    return None


def _new_weakness(ctx: Context, p: Mapping[str, float]) -> str | None:
    # Against the best strength known (before surgery or since): weakness that returns after recovering
    # is as new as weakness the operation caused.
    series = ctx.series["weakness"]
    latest = series.latest
    if latest is None:
        return None
    earlier = [(pt.value, f"day {pt.day}") for pt in series.points[:-1]]
    if series.baseline is not None:
        earlier.append((series.baseline, "before surgery"))
    if not earlier:
        return None
    lowest, when = min(earlier, key=lambda e: e[0])
    rise = latest.value - lowest
    if rise >= p["points"] or (latest.day <= p["early_days"] and rise >= p["early_points"]):
        return f"weakness {lowest:.0f} {when}, {latest.value:.0f} on day {latest.day}"
    return None


def _pulmonary_embolism(ctx: Context, _: Mapping[str, float]) -> str | None:
    return ctx.reported(("chest_pain_or_breathlessness",))


def _spinal_hematoma(ctx: Context, p: Mapping[str, float]) -> str | None:
    if ctx.day > p["post_op_days"]:
        return None
    rises = {
        s: _rise(ctx, s, p["within_days"], with_previous=True, baseline_until=p["post_op_days"])
        for s in ("leg_pain", "back_pain", "weakness", "numbness")
    }
    pains = [rises["leg_pain"], rises["back_pain"]]
    severe = [r for r in pains if r and r[1] >= p["severe_pain"] and r[1] - r[0] >= p["pain_rise_points"]]
    deficits = [rises["weakness"], rises["numbness"]]
    new_deficit = any(r and r[1] - r[0] >= p["deficit_rise_points"] for r in deficits)
    if severe and new_deficit:
        return f"severe new pain ({severe[0][0]:.0f} to {severe[0][1]:.0f}) with new weakness or numbness"
    return None


def _fever_with_new_deficit(ctx: Context, p: Mapping[str, float]) -> str | None:
    measured = ctx.temperature(p["carry_days"])
    if measured is None or measured[0] < p["fever_c"]:
        return None
    temp = measured[0]
    # An abscess can show weeks after surgery: a deficit is new against the pre-operative score at any time.
    rises = [
        (s, _rise(ctx, s, p["within_days"], with_previous=True, baseline_until=float("inf")))
        for s in ("weakness", "numbness")
    ]
    new = [s for s, r in rises if r and r[1] - r[0] >= p["deficit_rise_points"]]
    if ctx.sign("sudden_weakness"):
        new.append("sudden weakness")
    return f"temperature {temp:.1f} C with new {' and '.join(new)}" if new else None


def _wound_infection(ctx: Context, p: Mapping[str, float]) -> str | None:
    measured = ctx.temperature(p["carry_days"])
    redness, drainage = ctx.sign("wound_redness"), ctx.sign("wound_drainage")
    if measured is not None:
        temp, day = measured
        late_wound = day >= p["late_from_day"] and temp >= p["late_fever_c"] and (redness or drainage)
        if (temp > p["fever_c"] and (ctx.sign("chills") or redness or drainage)) or late_wound:
            return f"temperature {temp:.1f} C on day {day} with chills or wound changes"
    if redness and drainage:
        return "wound red and draining"
    if ctx.sign("chills") and (redness or drainage):
        return "chills with a red or leaking wound (no temperature above the threshold recorded)"
    return None


def _fever(ctx: Context, p: Mapping[str, float]) -> str | None:
    measured = ctx.temperature(p["carry_days"])
    if measured is None:
        return None
    temp, day = measured
    late = day >= p["late_from_day"] and temp >= p["late_fever_c"]
    return f"temperature {temp:.1f} C on day {day}" if temp > p["fever_c"] or late else None


def _deep_vein_thrombosis(ctx: Context, _: Mapping[str, float]) -> str | None:
    return ctx.reported(("calf_pain_swelling",))


def _csf_leak(ctx: Context, _: Mapping[str, float]) -> str | None:
    return ctx.reported(("headache_when_upright",))


def _wound_concern(ctx: Context, _: Mapping[str, float]) -> str | None:
    return ctx.reported(("wound_redness", "wound_drainage"))


def _pain_returned(ctx: Context, p: Mapping[str, float]) -> str | None:
    series = ctx.series["leg_pain"]
    if len(series.points) < 2:
        return None
    latest = series.points[-1].value
    nadir = min(point.value for point in series.points[:-1])
    reference, _ = reference_burden(ctx.scales["leg_pain"], series)
    relieved = reference - nadir >= p["relief_points"] or nadir <= 1
    if relieved and latest - nadir >= p["rise_points"]:
        return f"leg pain fell to {nadir:.0f} after surgery and is now {latest:.0f}"
    return None


def _leg_pain_worse(ctx: Context, p: Mapping[str, float]) -> str | None:
    series = ctx.series["leg_pain"]
    latest = series.latest
    if latest is None or latest.day < p["from_day"]:
        return None
    reference, kind = reference_burden(ctx.scales["leg_pain"], series)
    if latest.value - reference >= p["worse_points"]:
        before = "before surgery" if kind == "baseline" else "typical before surgery"
        return f"leg pain {latest.value:.0f} on day {latest.day}, {reference:.0f} {before}"
    return None


def _leg_pain_persistent(ctx: Context, p: Mapping[str, float]) -> str | None:
    latest = ctx.series["leg_pain"].latest
    if latest is None or latest.day < p["from_day"] or latest.value < p["moderate_at"]:
        return None
    return f"leg pain {latest.value:.0f} on day {latest.day}"


def _disability_high(ctx: Context, p: Mapping[str, float]) -> str | None:
    scores = ctx.odi_scores
    if not scores:
        return None
    day, score = scores[-1]
    if day >= p["from_day"] and score >= p["non_response_at"]:
        return f"Oswestry disability {score:.0f}% on day {day}"
    best_day, best = min(scores[:-1], key=lambda s: s[1], default=(day, score))
    if score - best >= p["rise_points"]:
        return f"Oswestry disability rose from {best:.0f}% (day {best_day}) to {score:.0f}% (day {day})"
    return None


def _walking_worse(ctx: Context, p: Mapping[str, float]) -> str | None:
    series = ctx.series["walking"]
    latest = series.latest
    if latest is None or latest.day < p["from_day"]:
        return None
    earlier = [pt.value for pt in series.points[:-1]]
    best = max(earlier, default=None)
    if best is not None and best - latest.value >= p["drop_minutes"] and latest.value <= best * p["share_of_best"]:
        return f"walking {latest.value:.0f} min on day {latest.day}, {best:.0f} min at best since surgery"
    base = series.baseline
    if base is not None and base - latest.value >= p["drop_minutes"] and latest.value <= base * p["share_of_best"]:
        return f"walking {latest.value:.0f} min on day {latest.day}, {base:.0f} min before surgery"
    return None


def _no_improvement_3_months(ctx: Context, p: Mapping[str, float]) -> str | None:
    # Leg pain changes little after 6 weeks, so a rating from then on stands for the 3-month point; an
    # earlier one says nothing about it.
    latest = ctx.series["leg_pain"].latest
    if ctx.day < p["from_day"] or latest is None or latest.day < p["rating_from_day"] or latest.value <= p["mild_at"]:
        return None
    scale, series = ctx.scales["leg_pain"], ctx.series["leg_pain"]
    reference, kind = reference_burden(scale, series)
    if scale.is_meaningful_drop(reference, latest.value):
        return None
    before = "before surgery" if kind == "baseline" else "typical before surgery"
    return f"leg pain {latest.value:.0f} on day {latest.day}, {reference:.0f} {before}"


def _weakness_not_improving(ctx: Context, p: Mapping[str, float]) -> str | None:
    series = ctx.series["weakness"]
    point = series.latest
    if point is None:
        return None
    latest, day = point.value, point.day
    if series.baseline is not None and latest - series.baseline >= p["worse_points"]:
        return f"weakness {series.baseline:.0f} before surgery, {latest:.0f} on day {day}"
    if day >= p["persistent_from_day"] and latest >= p["persistent_at"]:
        return f"weakness {latest:.0f} on day {day}: still moderate when most recovery is over"
    if day < p["from_day"] or latest < p["present_at"]:
        return None
    earlier = series.baseline if series.baseline is not None else _first_other(series)
    if earlier is None:
        return f"weakness {latest:.0f} on day {day} with no earlier score to compare"
    if latest > earlier or not ctx.scales["weakness"].is_meaningful_drop(earlier, latest):
        return f"weakness {earlier:.0f} before, {latest:.0f} on day {day}"
    return None


def _numbness_worsening(ctx: Context, p: Mapping[str, float]) -> str | None:
    series = ctx.series["numbness"]
    latest = series.latest
    if latest is None or latest.day < p["after_day"]:
        return None
    if series.baseline is not None and latest.value - series.baseline >= p["rise_points"]:
        return f"numbness {series.baseline:.0f} before surgery, {latest.value:.0f} on day {latest.day}"
    earlier = [point.value for point in series.points[:-1]]
    if not earlier:
        return None
    low = min(earlier)
    rising = latest.value > series.points[-2].value
    if latest.value - low >= p["rise_points"] and rising:
        return f"numbness rose from {low:.0f} to {latest.value:.0f} by day {latest.day}"
    return None


def _numbness_persistent(ctx: Context, p: Mapping[str, float]) -> str | None:
    latest = ctx.series["numbness"].latest
    if latest is None or latest.day < p["from_day"] or latest.value < p["present_at"]:
        return None
    return f"numbness {latest.value:.0f} on day {latest.day}"


def _possible_permanent_deficit(ctx: Context, p: Mapping[str, float]) -> str | None:
    present = [
        (s, point)
        for s in ("numbness", "weakness")
        if (point := ctx.series[s].latest) is not None and point.day >= p["from_day"] and point.value >= p["present_at"]
    ]
    if not present:
        return None
    return ", ".join(f"{s} {point.value:.0f} on day {point.day}" for s, point in present)


CHECKS: dict[str, Check] = {
    "cauda_equina": _cauda_equina,
    "rapid_weakness": _rapid_weakness,
    "new_weakness": _new_weakness,
    "pulmonary_embolism": _pulmonary_embolism,
    "spinal_hematoma": _spinal_hematoma,
    "fever_with_new_deficit": _fever_with_new_deficit,
    "wound_infection": _wound_infection,
    "fever": _fever,
    "deep_vein_thrombosis": _deep_vein_thrombosis,
    "csf_leak": _csf_leak,
    "wound_concern": _wound_concern,
    "pain_returned": _pain_returned,
    "leg_pain_worse": _leg_pain_worse,
    "leg_pain_persistent": _leg_pain_persistent,
    "disability_high": _disability_high,
    "walking_worse": _walking_worse,
    "no_improvement_3_months": _no_improvement_3_months,
    "weakness_not_improving": _weakness_not_improving,
    "numbness_worsening": _numbness_worsening,
    "numbness_persistent": _numbness_persistent,
    "possible_permanent_deficit": _possible_permanent_deficit,
}


def evaluate(knowledge: Knowledge, ctx: Context) -> list[Flag]:
    """Run every rule; return the flags raised, most severe first."""
    version = knowledge.versions["rules"]
    raised: list[Flag] = []
    for rule in knowledge.rules.values():
        found = CHECKS[rule.code](ctx, rule.params)
        if found is not None:
            raised.append(_flag(rule, found, version))
    superseded = {code for f in raised for code in knowledge.rules[f.code].supersedes}
    kept = [f for f in raised if f.code not in superseded]
    return sorted(kept, key=lambda f: -f.level.rank)


def overall_level(flags: list[Flag]) -> TriageLevel:
    """The triage level is the most severe flag's level."""
    return max((f.level for f in flags), key=lambda level: level.rank, default=TriageLevel.ROUTINE)


def _flag(rule: Rule, evidence: str, version: str) -> Flag:
    return Flag(
        code=rule.code,
        level=TriageLevel(rule.level),
        message=rule.message,
        sources=list(rule.sources),
        causes=[CitedText(text=c.text, sources=list(c.sources)) for c in rule.causes],
        evidence=evidence,
        rule_version=version,
    )


def _rise(
    ctx: Context,
    symptom: str,
    within_days: float,
    *,
    with_previous: bool = False,
    baseline_until: float | None = None,
) -> tuple[float, float] | None:
    """(lowest earlier value, latest value) of `symptom`: earlier ratings within `within_days` of the
    latest, the pre-operative score while the latest is at most `baseline_until` days after surgery
    (default `within_days`), and with `with_previous` the rating just before the latest however old (so a
    long gap between check-ins cannot hide a new deficit)."""
    series = ctx.series[symptom]
    latest = series.latest
    if latest is None:
        return None
    window = [p.value for p in series.points[:-1] if latest.day - p.day <= within_days]
    if with_previous and len(series.points) > 1:
        window.append(series.points[-2].value)
    until = within_days if baseline_until is None else baseline_until
    if series.baseline is not None and latest.day <= until:
        window.append(series.baseline)
    return (min(window), latest.value) if window else None


def _first_other(series: Series) -> float | None:
    return series.points[0].value if len(series.points) > 1 else None
