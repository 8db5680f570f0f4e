"""Triage rules read from warning signs, temperatures and follow-up answers.

Sources are cited in rules.toml: the GIRFT cauda equina pathway (a sign that is new or worse within 14 days
needs emergency assessment; symptoms can come and go), art-leg-nerve-pain (fever over 38.3 C with chills or
wound changes), the fever studies (mayo-fever-2018, hwang-fever-2020), VTE and dural-tear studies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from nervetrack.domain.trends import change
from nervetrack.domain.trends import shown as _n
from nervetrack.domain.triage_context import Check, Context, sign_words


def signs_check(signs: tuple[str, ...], also: tuple[str, ...] = ()) -> Check:
    """The generic check of a sign rule: any of `signs` reported (named with `also` when those are too)."""

    def check(ctx: Context, _: Mapping[str, float]) -> str | None:
        return ctx.reported(signs, also)

    return check


def cauda_equina_unconfirmed(signs: tuple[str, ...]) -> Check:
    """A cauda equina sign reported in the last `window_days` that the patient has since answered "no":
    symptoms can come and go, and a retention that overflows can read as "no problem", so only a clinician's
    acknowledgement after the report clears it."""

    def check(ctx: Context, p: Mapping[str, float]) -> str | None:
        if ctx.latest is None:
            return None
        # A report stays open within `window_days` whatever came after it, and beyond that until the patient
        # answers "no" to it: silence (blank answers) is not a denial.
        reports = [
            (c, name)
            for i, c in enumerate(ctx.checkins)
            for name in signs
            if c.has(name)
            and not _acknowledged(ctx, c.date, ("cauda_equina", "cauda_equina_unconfirmed"))
            and ((ctx.as_of - c.date).days <= p["window_days"] or not _denied_after(ctx, i, name))
        ]
        if not reports:
            return None
        first, _ = reports[0]
        named = ", ".join(dict.fromkeys(sign_words(name) for _, name in reports))
        return f"reported {named} on day {ctx.day_of(first)}; not yet confirmed as settled by the surgical team"

    return check


def _denied_after(ctx: Context, index: int, sign: str) -> bool:
    return any(getattr(c, sign) is False for c in ctx.checkins[index + 1 :])


def _acknowledged(ctx: Context, reported_on: dt.date, codes: tuple[str, ...]) -> bool:
    """Whether a clinician acknowledged an alert with one of `codes` on or after `reported_on`."""
    return any(a.code in codes and a.date >= reported_on for a in ctx.record.acknowledgements)


def _bilateral_leg_symptoms(ctx: Context, _: Mapping[str, float]) -> str | None:
    """Symptoms in both legs on the latest check-in, unless a clinician has acknowledged them since they were
    first reported in the current run of reports: bilateral leg pain is the usual picture of stenosis before
    surgery, and the pathway asks for new or worsening symptoms (a worsening deficit with them is
    bilateral_progressive_deficit, raised whatever was acknowledged)."""
    if ctx.latest is None or not ctx.sign("both_legs"):
        return None
    started = ctx.latest.date
    for checkin in reversed(ctx.checkins):
        if checkin.both_legs is False:
            break
        if checkin.both_legs:
            started = checkin.date
    seen = _acknowledged(ctx, started, ("bilateral_leg_symptoms", "bilateral_progressive_deficit", "cauda_equina"))
    return None if seen else ctx.reported(("both_legs",))


def _csf_leak(ctx: Context, p: Mapping[str, float]) -> str | None:
    if ctx.sign("headache_when_upright"):
        return ctx.reported(("headache_when_upright",))
    # After a known tear of the dura, fluid from the wound is spinal fluid until shown otherwise: unless the
    # patient said it is blood-stained or cloudy (the latter is wound_infection). Clear watery fluid counts
    # with or without a known tear, as the answer itself (followups.toml wound_fluid raises csf_leak).
    if not ctx.record.surgery.dural_tear or not ctx.sign("wound_drainage"):
        return None
    fluid = ctx.follow_up_answer("wound_fluid", int(p["answer_days"]))
    if fluid is None or fluid[0] == "clear and watery":
        kind = "clear watery fluid" if fluid else "fluid"
        return f"{kind} from the wound after a dural tear at the operation"
    return None


def _fever_with_new_deficit(ctx: Context, p: Mapping[str, float]) -> str | None:
    measured = ctx.temperature(p["carry_days"])
    if measured is None:
        return None
    temp, day = measured
    # In the first two days a raised temperature is common after surgery (mayo-fever-2018); an abscess takes
    # days to form, so a fever only counts here from `early_fever_c` then.
    threshold = p["early_fever_c"] if day < p["late_from_day"] else p["fever_c"]
    if temp < threshold:
        return None
    new = [f"{s} {_n(r[0])} to {_n(r[1])}" for s in ("weakness", "numbness") if (r := _deficit_rise(ctx, s, p))]
    if ctx.sign("sudden_weakness"):
        new.append("sudden weakness")
    return f"temperature {temp:.1f} C on day {day} with new {' and '.join(new)}" if new else None


def _deficit_rise(ctx: Context, symptom: str, p: Mapping[str, float]) -> tuple[float, float] | None:
    """A deficit that is new: the latest rating `deficit_rise_points` above the typical rating of the
    `within_days` before (or the one just before, however old), or the pre-operative score up to
    `baseline_days` (later a deficit surgery left unchanged is not new)."""
    found = change(
        ctx.series[symptom],
        within_days=p["within_days"],
        baseline_until=p["baseline_days"],
        fallback_previous=True,
    )
    if found is None or found.rise < p["deficit_rise_points"]:
        return None
    return found.reference, found.level


def _wound_infection(ctx: Context, p: Mapping[str, float]) -> str | None:
    measured = ctx.temperature(p["carry_days"])
    redness, drainage, chills = ctx.sign("wound_redness"), ctx.sign("wound_drainage"), ctx.sign("chills")
    if measured is not None:
        temp, day = measured
        late_wound = day >= p["late_from_day"] and temp >= p["late_fever_c"] and (redness or drainage)
        if (temp > p["fever_c"] and (chills or redness or drainage)) or late_wound:
            with_what = [
                w for w, yes in (("chills", chills), ("a red wound", redness), ("a leaking wound", drainage)) if yes
            ]
            return f"temperature {temp:.1f} C on day {day} with {' and '.join(with_what)}"
    if redness and drainage:
        return "wound red and draining"
    if chills and (redness or drainage):
        return "chills with a red or leaking wound (no temperature above the threshold recorded)"
    return None


def _fever(ctx: Context, p: Mapping[str, float]) -> str | None:
    measured = ctx.temperature(p["carry_days"])
    if measured is None or measured[1] > p["until_day"]:
        return None  # a fever alone months after surgery is most likely an ordinary illness
    temp, day = measured
    if day < p["late_from_day"] and temp < p["early_fever_c"]:
        return None  # fever in the first two days is common and rarely from infection: see early_fever
    late = day >= p["late_from_day"] and temp >= p["late_fever_c"]
    return f"temperature {temp:.1f} C on day {day}" if temp > p["fever_c"] or late else None


def _early_fever(ctx: Context, p: Mapping[str, float]) -> str | None:
    measured = ctx.temperature(p["carry_days"])
    if measured is None:
        return None
    temp, day = measured
    if day < p["late_from_day"] and p["fever_c"] < temp < p["early_fever_c"]:
        return f"temperature {temp:.1f} C on day {day}"
    return None


SIGN_CHECKS: dict[str, Check] = {
    "bilateral_leg_symptoms": _bilateral_leg_symptoms,
    "csf_leak": _csf_leak,
    "fever_with_new_deficit": _fever_with_new_deficit,
    "wound_infection": _wound_infection,
    "fever": _fever,
    "early_fever": _early_fever,
}
# The parameters each check reads, checked at load against what its rule declares in rules.toml.
SIGN_CHECK_PARAMS: dict[str, frozenset[str]] = {
    "bilateral_leg_symptoms": frozenset(),
    "csf_leak": frozenset({"answer_days"}),
    "fever_with_new_deficit": frozenset(
        {
            "baseline_days",
            "carry_days",
            "deficit_rise_points",
            "early_fever_c",
            "fever_c",
            "late_from_day",
            "within_days",
        }
    ),
    "wound_infection": frozenset({"carry_days", "fever_c", "late_fever_c", "late_from_day"}),
    "fever": frozenset({"carry_days", "early_fever_c", "fever_c", "late_fever_c", "late_from_day", "until_day"}),
    "early_fever": frozenset({"carry_days", "early_fever_c", "fever_c", "late_from_day"}),
}
