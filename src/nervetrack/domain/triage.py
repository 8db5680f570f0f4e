"""Red-flag and review rules: each turns the record into zero or one flag.

Red-flag signs are judged on the latest check-in; a blank answer there does not cancel a "yes" from the
last `sign_carry_days` days (only a "no" does). Trends use the whole history and the baseline.
Thresholds and texts live in rules.toml; sources are cited there (GIRFT CES pathway, art-leg-nerve-pain,
art-root-healing, art-fusion-weakness, art-nerve-timeline, hematoma, infection, VTE and dural-tear studies).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from nervetrack.domain.knowledge import Knowledge, Rule, SymptomScale
from nervetrack.domain.model import CheckIn, PatientRecord, SymptomStatus, TriageLevel
from nervetrack.domain.results import CitedText, Flag
from nervetrack.domain.timeline import PatientCourse
from nervetrack.domain.trajectory import Judgement, Series, reference_burden

_SIGN_WORDS = {"calf_pain_swelling": "calf pain or swelling", "sudden_weakness": "sudden leg weakness"}

_OFF_COURSE = frozenset({SymptomStatus.SLOWER_THAN_EXPECTED, SymptomStatus.NOT_IMPROVING, SymptomStatus.WORSENING})


@dataclass(frozen=True)
class Context:
    """What every rule may look at."""

    record: PatientRecord
    day: int
    latest: CheckIn | None
    series: Mapping[str, Series]
    scales: Mapping[str, SymptomScale]
    as_of: dt.date
    checkins: Sequence[CheckIn] = ()  # date order
    odi_scores: Sequence[tuple[int, float]] = ()  # (day, scored ODI %) in date order
    sign_carry_days: Mapping[str, int] = dataclasses.field(default_factory=lambda: {"default": 2})
    courses: Mapping[str, PatientCourse] = dataclasses.field(default_factory=dict)
    judgements: Mapping[str, Judgement | None] = dataclasses.field(default_factory=dict)

    def off_course(self, symptom: str) -> bool:
        """Whether the symptom is outside its expected course for this patient (slower, not improving, worse)."""
        judgement = self.judgements.get(symptom)
        return judgement is not None and judgement.status in _OFF_COURSE

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
        carry = self.sign_carry_days.get(name, self.sign_carry_days.get("default", 0))
        return (self.latest.date - answered.date).days <= carry

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
        text = "reported: " + ", ".join(_SIGN_WORDS.get(n, n.replace("_", " ")) for n in found)
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
    series = ctx.series["weakness"]
    latest = series.latest
    if latest is None:
        return None
    # Against the typical (median) earlier rating in the window, not its single lowest: one good day must not
    # turn an ordinary rating into an emergency (a single rating strays by up to 3-4 points, parai-2020).
    quick = _reference(ctx, "weakness", p["within_days"])
    # After the first two weeks, a quick rise that does not go beyond the weakness before surgery is judged by
    # new_weakness (urgent, confirmed) rather than as an emergency: a single rating strays by 3 points often
    # enough to call the emergency line for most patients otherwise. A reported sudden weakness always counts.
    below_before = series.baseline is not None and latest.day > p["within_days"] and latest.value < series.baseline
    if quick is not None and latest.value - quick[0] >= p["rise_points"] and not below_before:
        return f"weakness {quick[0]:.0f} {quick[1]}, {latest.value:.0f} on day {latest.day}"
    # Slower but still progressing: well above the window's typical rating and still going up at the latest
    # step (from the previous rating, or from the reference when there is none).
    # (Against the better of two earlier ratings here, as long as the last two steps both went up.)
    slow = _reference(ctx, "weakness", p["large_within_days"], lower=True)
    points = series.points
    if slow is None:
        return None
    # the last two steps up (one when there are only two ratings; from the reference when there is one)
    values = [pt.value for pt in points[-3:]] if len(points) > 1 else [slow[0], latest.value]
    still_rising = all(later > earlier for earlier, later in itertools.pairwise(values))
    if still_rising and latest.value - slow[0] >= p["large_rise_points"]:
        return f"weakness {slow[0]:.0f} {slow[1]}, still rising to {latest.value:.0f} on day {latest.day}"
    return None


def _reference(ctx: Context, symptom: str, within_days: float, *, lower: bool = False) -> tuple[float, str] | None:
    """The typical earlier value of `symptom` within `within_days` of its latest rating: the pre-operative
    score while that is within the window, else the median of the ratings there."""
    series = ctx.series[symptom]
    latest = series.latest
    if latest is None:
        return None
    if series.baseline is not None and latest.day <= within_days:
        return series.baseline, "before surgery"
    window = [pt for pt in series.points[:-1] if latest.day - pt.day <= within_days]
    if not window:
        return None
    values = sorted(pt.value for pt in window)
    first = window[0].day
    middle = (len(values) - 1) // 2 if lower else len(values) // 2  # with two ratings: the better or the worse
    return values[middle], f"from day {first}" if len(window) > 1 else f"on day {first}"


def _new_weakness(ctx: Context, p: Mapping[str, float]) -> str | None:
    series = ctx.series["weakness"]
    latest = series.latest
    if latest is None:
        return None
    base = series.baseline
    if base is not None:
        rise = latest.value - base
        if rise >= p["points"] or (latest.day <= p["early_days"] and rise >= p["early_points"]):
            return f"weakness {base:.0f} before surgery, {latest.value:.0f} on day {latest.day}"
    # Weakness that returns after recovering (or rises with no pre-operative score): against the median of
    # the three ratings before. After the first two weeks a rise of `points` must show on two check-ins in a
    # row, so one bad rating does not call the team; a rise of `single_points`, beyond the smallest change a
    # single rating can detect (parai-2020), counts at once.
    earlier = series.points[:-1]
    if not earlier:
        return None
    before = sorted(pt.value for pt in earlier[-3:])
    typical = before[(len(before) - 1) // 2]  # the lower middle: with two ratings, the better one
    if latest.day <= p["early_days"]:
        if latest.value - typical >= p["early_points"] and (base is None or latest.value > base):
            return f"weakness {typical:.0f} on earlier check-ins, {latest.value:.0f} on day {latest.day}"
        return None
    if latest.value - typical >= p["single_points"]:
        return f"weakness {typical:.0f} on earlier check-ins, {latest.value:.0f} on day {latest.day}"
    if len(earlier) >= 2:
        before_previous = sorted(pt.value for pt in earlier[-4:-1])
        reference = before_previous[(len(before_previous) - 1) // 2]
        confirmed = min(latest.value, earlier[-1].value) - reference >= p["points"]
        if confirmed and (base is None or latest.value >= base):
            return (
                f"weakness {reference:.0f} on earlier check-ins, {earlier[-1].value:.0f} on day {earlier[-1].day} "
                f"and {latest.value:.0f} on day {latest.day}"
            )
    return None


def _pulmonary_embolism(ctx: Context, _: Mapping[str, float]) -> str | None:
    return ctx.reported(("chest_pain_or_breathlessness",))


def _spinal_hematoma(ctx: Context, p: Mapping[str, float]) -> str | None:
    if ctx.day > p["post_op_days"]:
        return None
    return _severe_pain_with_new_deficit(ctx, p, baseline_until=p["post_op_days"])


def _severe_pain_new_deficit(ctx: Context, p: Mapping[str, float]) -> str | None:
    # The same picture after the hematoma window: a new herniation or an infection pressing on the nerve.
    if ctx.day <= p["after_day"]:
        return None
    return _severe_pain_with_new_deficit(ctx, p, baseline_until=0.0)


def _severe_pain_with_new_deficit(ctx: Context, p: Mapping[str, float], baseline_until: float) -> str | None:
    rises = {
        s: _rise(ctx, s, p["within_days"], with_previous=True, baseline_until=baseline_until)
        for s in ("leg_pain", "back_pain", "weakness", "numbness")
    }
    pains = [rises["leg_pain"], rises["back_pain"]]
    severe = [r for r in pains if r and r[1] >= p["severe_pain"] and r[1] - r[0] >= p["pain_rise_points"]]
    deficits = [rises["weakness"], rises["numbness"]]
    new_deficit = any(r and r[1] - r[0] >= p["deficit_rise_points"] for r in deficits)
    if severe and new_deficit:
        pain = "leg pain" if severe[0] is rises["leg_pain"] else "back pain"
        deficit = ", ".join(
            f"{name} {r[0]:.0f} to {r[1]:.0f}"
            for name in ("weakness", "numbness")
            if (r := rises[name]) and r[1] - r[0] >= p["deficit_rise_points"]
        )
        return f"{pain} {severe[0][0]:.0f} to {severe[0][1]:.0f} by day {ctx.day}, with {deficit}"
    return None


def _fever_with_new_deficit(ctx: Context, p: Mapping[str, float]) -> str | None:
    measured = ctx.temperature(p["carry_days"])
    if measured is None or measured[0] < p["fever_c"]:
        return None
    temp = measured[0]
    # An abscess can show weeks after surgery: a deficit is new against the rating just before however old,
    # and against the pre-operative score for `baseline_days` (later, a deficit that surgery left and that has
    # not changed since is not new).
    rises = [
        (s, _rise(ctx, s, p["within_days"], with_previous=True, baseline_until=p["baseline_days"]))
        for s in ("weakness", "numbness")
    ]
    new = [f"{s} {r[0]:.0f} to {r[1]:.0f}" for s, r in rises if r and r[1] - r[0] >= p["deficit_rise_points"]]
    if ctx.sign("sudden_weakness"):
        new.append("sudden weakness")
    return f"temperature {temp:.1f} C on day {measured[1]} with new {' and '.join(new)}" if new else None


def _wound_infection(ctx: Context, p: Mapping[str, float]) -> str | None:
    measured = ctx.temperature(p["carry_days"])
    redness, drainage = ctx.sign("wound_redness"), ctx.sign("wound_drainage")
    if measured is not None:
        temp, day = measured
        late_wound = day >= p["late_from_day"] and temp >= p["late_fever_c"] and (redness or drainage)
        if (temp > p["fever_c"] and (ctx.sign("chills") or redness or drainage)) or late_wound:
            with_what = [
                w
                for w, yes in (("chills", ctx.sign("chills")), ("a red wound", redness), ("a leaking wound", drainage))
                if yes
            ]
            return f"temperature {temp:.1f} C on day {day} with {' and '.join(with_what)}"
    if redness and drainage:
        return "wound red and draining"
    if ctx.sign("chills") and (redness or drainage):
        return "chills with a red or leaking wound (no temperature above the threshold recorded)"
    return None


def _fever(ctx: Context, p: Mapping[str, float]) -> str | None:
    measured = ctx.temperature(p["carry_days"])
    if measured is None or measured[1] > p["until_day"]:
        return None  # a fever alone months after surgery is most likely an ordinary illness
    temp, day = measured
    if day < p["late_from_day"] and temp < p["early_fever_c"]:
        return None  # fever in the first two days is common and rarely from infection (mayo-fever-2018)
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
    latest = series.points[-1]
    earlier = [pt.value for pt in series.points[:-1]]
    # Relief that held on two check-ins in a row (one low rating alone can be a good day). With weekly or
    # closer check-ins the return must also show on the check-in before.
    nadir = min(map(max, itertools.pairwise(earlier))) if len(earlier) > 1 else earlier[0]
    reference, _ = reference_burden(ctx.scales["leg_pain"], series)
    relieved = reference - nadir >= p["relief_points"] or nadir <= 1
    dense = latest.day - series.points[-2].day <= p["dense_days"]
    if dense and len(earlier) > 2:
        nadir = min(map(max, itertools.pairwise(earlier[:-1])))
        relieved = reference - nadir >= p["relief_points"] or nadir <= 1
        if earlier[-1] - nadir < p["rise_points"] - 1:
            return None
    if relieved and latest.value - nadir >= p["rise_points"]:
        return f"leg pain fell to {nadir:.0f} after surgery and is {latest.value:.0f} on day {latest.day}"
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
    # Only when it is also off this patient's own expected course: an 80-year-old with diabetes after a
    # stenosis decompression can be on course with moderate pain at 6 months (danespine-2023, fritsch-2017).
    latest = ctx.series["leg_pain"].latest
    if latest is None or latest.day < p["from_day"] or latest.value < p["moderate_at"]:
        return None
    if not ctx.off_course("leg_pain"):
        return None
    return f"leg pain {latest.value:.0f} on day {latest.day}, above the usual range for this stage"


def _disability_high(ctx: Context, p: Mapping[str, float]) -> str | None:
    scores = ctx.odi_scores
    if not scores:
        return None
    day, score = scores[-1]
    if day >= p["from_day"] and score >= p["non_response_at"]:
        return f"Oswestry disability {score:.0f}% on day {day}"
    # Against the median of the three scores before, so one good week is not the yardstick.
    before = sorted(s for _, s in scores[-4:-1])
    if before and score - before[(len(before) - 1) // 2] >= p["rise_points"]:
        typical = before[(len(before) - 1) // 2]
        return f"Oswestry disability {typical:.0f}% on earlier check-ins, {score:.0f}% on day {day}"
    return None


def _walking_worse(ctx: Context, p: Mapping[str, float]) -> str | None:
    # Two check-ins in a row at half or less of the reference, and at least `drop_minutes` short of it: one
    # bad day is not a trend. The reference is the best walk since surgery, or from `baseline_from_day` the
    # pre-operative time, both capped at the walking target (a long hike once is not the yardstick).
    series = ctx.series["walking"]
    points = series.points
    if len(points) < 2 or points[-1].day < p["from_day"]:
        return None
    target = ctx.scales["walking"].target or 30.0
    recent = max(points[-1].value, points[-2].value)
    references = []
    if len(points) > 2:
        references.append((min(max(pt.value for pt in points[:-2]), target), "at best since surgery"))
    if series.baseline is not None and points[-1].day >= p["baseline_from_day"]:
        references.append((min(series.baseline, target), "before surgery"))
    for reference, when in references:
        if reference - recent >= p["drop_minutes"] and recent <= reference * p["share_of_best"]:
            return (
                f"walking {points[-2].value:.0f} and {points[-1].value:.0f} min on days {points[-2].day} and "
                f"{points[-1].day}, {reference:.0f} min {when}"
            )
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
    when = "before surgery" if series.baseline is not None else f"on day {series.points[0].day}"
    if latest > earlier or not ctx.scales["weakness"].is_meaningful_drop(earlier, latest):
        return f"weakness {earlier:.0f} {when}, {latest:.0f} on day {day}"
    return None


def _numbness_worsening(ctx: Context, p: Mapping[str, float]) -> str | None:
    series = ctx.series["numbness"]
    latest = series.latest
    if latest is None or latest.day < p["after_day"]:
        return None
    base = series.baseline
    points = series.points
    # With check-ins a week or less apart one rating is too rough on its own: the rise must also show on the
    # check-in before (sparser check-ins are judged on the latest, so a rise is not missed for weeks).
    dense = len(points) > 1 and latest.day - points[-2].day <= p["dense_days"]
    previous = points[-2].value if len(points) > 1 else None
    above_before = base is not None and latest.value - base >= p["rise_points"]
    if above_before and (
        not dense or (previous is not None and base is not None and previous - base >= p["rise_points"])
    ):
        return f"numbness {base:.0f} before surgery, {latest.value:.0f} on day {latest.day}"
    earlier = [point.value for point in points[:-1]]
    if not earlier:
        return None
    before = sorted(earlier[-4:-1] if dense else earlier[-3:])
    low = before[(len(before) - 1) // 2] if before else earlier[0]  # the typical earlier rating, not one good day
    rising = latest.value > points[-2].value
    confirmed = not dense or (previous is not None and previous - low >= p["rise_points"] - 1)
    if latest.value - low >= p["rise_points"] and rising and confirmed:
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
    "severe_pain_new_deficit": _severe_pain_new_deficit,
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
