"""Red-flag and review rules: each turns the record into zero or one flag.

Red-flag signs are judged on the latest check-in; trends use the whole history and the baseline.
Thresholds and texts live in rules.toml; sources are cited there (GIRFT CES pathway, art-leg-nerve-pain,
art-root-healing, art-fusion-weakness, art-nerve-timeline, hematoma, infection, VTE and dural-tear studies).
"""

from __future__ import annotations

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

    def sign(self, name: str) -> bool:
        return self.latest is not None and self.latest.has(name)

    def latest_value(self, symptom: str) -> float | None:
        point = self.series[symptom].latest
        return None if point is None else point.value


# A rule check returns a short account of what triggered it, or None.
Check = Callable[[Context, Mapping[str, float]], str | None]


def _cauda_equina(ctx: Context, _: Mapping[str, float]) -> str | None:
    signs = [s for s in ("bladder_problem", "bowel_problem", "saddle_numbness") if ctx.sign(s)]
    return "reported: " + ", ".join(s.replace("_", " ") for s in signs) if signs else None


def _rapid_weakness(ctx: Context, p: Mapping[str, float]) -> str | None:
    if ctx.sign("sudden_weakness"):
        return "reported: sudden leg weakness"
    for points, days in ((p["rise_points"], p["within_days"]), (p["large_rise_points"], p["large_within_days"])):
        rise = _rise(ctx, "weakness", days)
        if rise is not None and rise[1] - rise[0] >= points:
            return f"weakness rose from {rise[0]:.0f} to {rise[1]:.0f} within {days:.0f} days"
    return None


def _pulmonary_embolism(ctx: Context, _: Mapping[str, float]) -> str | None:
    return "reported: chest pain or breathlessness" if ctx.sign("chest_pain_or_breathlessness") else None


def _spinal_hematoma(ctx: Context, p: Mapping[str, float]) -> str | None:
    if ctx.day > p["within_days"]:
        return None
    pains = [_rise(ctx, s, p["within_days"]) for s in ("leg_pain", "back_pain")]
    severe = [r for r in pains if r and r[1] >= p["severe_pain"] and r[1] - r[0] >= p["pain_rise_points"]]
    deficits = [_rise(ctx, s, p["within_days"]) for s in ("weakness", "numbness")]
    new_deficit = any(r and r[1] - r[0] >= p["deficit_rise_points"] for r in deficits)
    if severe and new_deficit:
        return f"severe new pain ({severe[0][0]:.0f} to {severe[0][1]:.0f}) with new weakness or numbness"
    return None


def _fever_with_new_deficit(ctx: Context, p: Mapping[str, float]) -> str | None:
    temp = ctx.latest.temperature_c if ctx.latest else None
    if temp is None or temp < p["fever_c"]:
        return None
    rises = [(s, _rise(ctx, s, p["within_days"])) for s in ("weakness", "numbness")]
    new = [s for s, r in rises if r and r[1] - r[0] >= p["deficit_rise_points"]]
    if ctx.sign("sudden_weakness"):
        new.append("sudden weakness")
    return f"temperature {temp:.1f} C with new {' and '.join(new)}" if new else None


def _wound_infection(ctx: Context, p: Mapping[str, float]) -> str | None:
    temp = ctx.latest.temperature_c if ctx.latest else None
    redness, drainage = ctx.sign("wound_redness"), ctx.sign("wound_drainage")
    if temp is not None and temp > p["fever_c"] and (ctx.sign("chills") or redness or drainage):
        return f"temperature {temp:.1f} C with chills or wound changes"
    if redness and drainage:
        return "wound red and draining"
    return None


def _fever(ctx: Context, p: Mapping[str, float]) -> str | None:
    temp = ctx.latest.temperature_c if ctx.latest else None
    if temp is None:
        return None
    late = ctx.day >= p["late_from_day"] and temp >= p["late_fever_c"]
    return f"temperature {temp:.1f} C on day {ctx.day}" if temp > p["fever_c"] or late else None


def _deep_vein_thrombosis(ctx: Context, _: Mapping[str, float]) -> str | None:
    return "reported: calf pain or swelling" if ctx.sign("calf_pain_swelling") else None


def _csf_leak(ctx: Context, _: Mapping[str, float]) -> str | None:
    return "reported: headache when upright" if ctx.sign("headache_when_upright") else None


def _wound_concern(ctx: Context, _: Mapping[str, float]) -> str | None:
    signs = [s for s in ("wound_redness", "wound_drainage") if ctx.sign(s)]
    return "reported: " + ", ".join(s.replace("_", " ") for s in signs) if signs else None


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


def _no_improvement_3_months(ctx: Context, p: Mapping[str, float]) -> str | None:
    latest = ctx.latest_value("leg_pain")
    if ctx.day < p["from_day"] or latest is None or latest <= p["mild_at"]:
        return None
    scale, series = ctx.scales["leg_pain"], ctx.series["leg_pain"]
    reference, kind = reference_burden(scale, series)
    if scale.is_meaningful_drop(reference, latest):
        return None
    before = "before surgery" if kind == "baseline" else "typical before surgery"
    return f"leg pain {latest:.0f} on day {ctx.day}, {reference:.0f} {before}"


def _weakness_not_improving(ctx: Context, p: Mapping[str, float]) -> str | None:
    latest = ctx.latest_value("weakness")
    series = ctx.series["weakness"]
    if latest is not None and series.baseline is not None and latest - series.baseline >= p["worse_points"]:
        return f"weakness {series.baseline:.0f} before surgery, {latest:.0f} on day {ctx.day}"
    if ctx.day < p["from_day"] or latest is None or latest < p["present_at"]:
        return None
    earlier = series.baseline if series.baseline is not None else _first_other(series)
    if earlier is None:
        return f"weakness {latest:.0f} on day {ctx.day} with no earlier score to compare"
    if latest > earlier or not ctx.scales["weakness"].is_meaningful_drop(earlier, latest):
        return f"weakness {earlier:.0f} before, {latest:.0f} on day {ctx.day}"
    return None


def _numbness_worsening(ctx: Context, p: Mapping[str, float]) -> str | None:
    series = ctx.series["numbness"]
    latest = series.latest
    if latest is None or latest.day < p["after_day"]:
        return None
    earlier = [point.value for point in series.points[:-1]]
    if series.baseline is not None:
        earlier.append(series.baseline)
    if not earlier:
        return None
    low = min(earlier)
    rising = len(series.points) < 2 or latest.value > series.points[-2].value
    if latest.value - low >= p["rise_points"] and rising:
        return f"numbness rose from {low:.0f} to {latest.value:.0f}"
    return None


def _numbness_persistent(ctx: Context, p: Mapping[str, float]) -> str | None:
    latest = ctx.latest_value("numbness")
    if ctx.day < p["from_day"] or latest is None or latest < p["present_at"]:
        return None
    return f"numbness {latest:.0f} on day {ctx.day}"


def _possible_permanent_deficit(ctx: Context, p: Mapping[str, float]) -> str | None:
    if ctx.day < p["from_day"]:
        return None
    present = {
        s: v for s in ("numbness", "weakness") if (v := ctx.latest_value(s)) is not None and v >= p["present_at"]
    }
    if not present:
        return None
    return ", ".join(f"{s} {v:.0f}" for s, v in present.items()) + f" on day {ctx.day}"


CHECKS: dict[str, Check] = {
    "cauda_equina": _cauda_equina,
    "rapid_weakness": _rapid_weakness,
    "pulmonary_embolism": _pulmonary_embolism,
    "spinal_hematoma": _spinal_hematoma,
    "fever_with_new_deficit": _fever_with_new_deficit,
    "wound_infection": _wound_infection,
    "fever": _fever,
    "deep_vein_thrombosis": _deep_vein_thrombosis,
    "csf_leak": _csf_leak,
    "wound_concern": _wound_concern,
    "pain_returned": _pain_returned,
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


def _rise(ctx: Context, symptom: str, within_days: float) -> tuple[float, float] | None:
    series = ctx.series[symptom]
    latest = series.latest
    if latest is None:
        return None
    window = [p.value for p in series.points[:-1] if latest.day - p.day <= within_days]
    if series.baseline is not None and latest.day <= within_days:
        window.append(series.baseline)
    return (min(window), latest.value) if window else None


def _first_other(series: Series) -> float | None:
    return series.points[0].value if len(series.points) > 1 else None
