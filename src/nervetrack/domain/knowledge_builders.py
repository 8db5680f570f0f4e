"""Builders of the knowledge base's items from the parsed (and already shape-checked) data files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nervetrack.domain.errors import KnowledgeError
from nervetrack.domain.knowledge_items import (
    Answer,
    Cause,
    Cited,
    Course,
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
    SymptomCause,
    SymptomScale,
)
from nervetrack.domain.recurrence import RecurrenceSettings


def ids(data: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(data.get("sources", ()))


def cited(data: Mapping[str, Any]) -> Cited:
    return Cited(text=data["text"], sources=ids(data))


def phase(d: Mapping[str, Any]) -> Phase:
    return Phase(
        code=d["code"],
        title=d["title"],
        start_day=d["start_day"],
        end_day=d.get("end_day"),
        what_happens=d["what_happens"],
        focus=d["focus"],
        sources=ids(d),
    )


def scale(d: Mapping[str, Any]) -> SymptomScale:
    return SymptomScale(
        name=d["name"],
        label=d["label"],
        scale=d["scale"],
        mcid_points=d["mcid_points"],
        mcid_relative=d["mcid_relative"],
        resolved_at=d["resolved_at"],
        typical_baseline=d["typical_baseline"],
        band_tolerance=d["band_tolerance"],
        sources=ids(d),
        target=d.get("target"),
        typical_by_group=d.get("typical_by_group"),
    )


def courses(listed: Sequence[Mapping[str, Any]], fits: Mapping[str, Any]) -> dict[tuple[str, str], Course]:
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
            out[key] = fitted_course(d, fitted[key])
        else:
            out[key] = course(d)
    return out


def fitted_course(d: Mapping[str, Any], f: Mapping[str, Any]) -> Course:
    return Course(
        symptom=d["symptom"],
        group=d["group"],
        plateau=f["plateau"],
        plateau_sd=f["plateau_sd"],
        tau_days=f["tau_days"],
        log_tau_sd=f["log_tau_sd"],
        basis=d["basis"],
        sources=tuple(dict.fromkeys((*ids(d), *f["sources"]))),
        stalled_share=d.get("stalled_share"),
        stalled_plateau=d.get("stalled_plateau"),
        cohorts=tuple(f["cohorts"]),
        cohort_plateau_sd=f["cohort_plateau_sd"],
        cohort_log_tau_sd=f["cohort_log_tau_sd"],
        residual_sd=f["residual_sd"],
    )


def recurrence(d: Mapping[str, Any]) -> RecurrenceSettings:
    return RecurrenceSettings(
        symptoms=tuple(d["symptoms"]),
        from_day=int(d["from_day"]),
        relief_points=float(d["relief_points"]),
        rise_points=float(d["rise_points"]),
        jump_points=float(d["jump_points"]),
        note=d["note"],
        sources=ids(d),
        tau_factor=float(d.get("tau_factor", 1.0)),
        plateau_shift=float(d.get("plateau_shift", 0.0)),
    )


def course(d: Mapping[str, Any]) -> Course:
    return Course(
        symptom=d["symptom"],
        group=d["group"],
        plateau=d["plateau"],
        plateau_sd=d["plateau_sd"],
        tau_days=d["tau_days"],
        log_tau_sd=d["log_tau_sd"],
        basis=d["basis"],
        sources=ids(d),
        stalled_share=d.get("stalled_share"),
        stalled_plateau=d.get("stalled_plateau"),
    )


def modifier(d: Mapping[str, Any], fits: Mapping[str, Any]) -> Modifier:
    """A modifier of courses.toml; one marked `fitted = true` takes its plateau shift from course_fits.toml."""
    shift, sources = d.get("plateau_shift"), ids(d)
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


def rule(d: Mapping[str, Any]) -> Rule:
    signs = tuple(d.get("signs", ()))
    return Rule(
        code=d["code"],
        level=d["level"],
        message=d["message"],
        sources=ids(d),
        causes=tuple(cause(c) for c in d.get("causes", ())),
        params=d.get("params", {}),
        supersedes=tuple(d.get("supersedes", ())),
        marks=d.get("marks"),
        signs=signs,
        also_signs=tuple(d.get("also_signs", ())),
        check=d.get("check") or ("signs" if signs and "check" not in d else d["code"]),
        name=d.get("name", ""),
        requires=tuple(d.get("requires", ())),
        requires_any=tuple(d.get("requires_any", ())),
    )


def cause(d: Mapping[str, Any]) -> Cause:
    return Cause(
        text=d["text"],
        sources=ids(d),
        from_day=d.get("from_day"),
        before_day=d.get("before_day"),
        groups=tuple(d.get("groups", ())),
    )


def question(d: Mapping[str, Any]) -> FollowUpQuestion:
    return FollowUpQuestion(
        id=d["id"],
        text=d["text"],
        answer=d["answer"],
        why=d["why"],
        sources=ids(d),
        choices=tuple(d.get("choices", ())),
        sets=dict(d.get("sets", {})),
        raises=dict(d.get("raises", {})),
        raises_at_least={int(k): v for k, v in d.get("raises_at_least", {}).items()},
    )


def trigger(d: Mapping[str, Any]) -> FollowUpTrigger:
    return FollowUpTrigger(
        id=d["id"],
        check=d["check"],
        asks=tuple(d["asks"]),
        why=d["why"],
        sources=ids(d),
        params=dict(d.get("params", {})),
        alert_unanswered=bool(d.get("alert_unanswered", True)),
    )


def guidance(d: Mapping[str, Any]) -> GuidanceItem:
    return GuidanceItem(
        id=d["id"],
        topic=d["topic"],
        text=d["text"],
        sources=ids(d),
        phases=tuple(d.get("phases", ())),
        symptoms=tuple(d.get("symptoms", ())),
        procedures=tuple(d.get("procedures", ())),
        when_smoker=d.get("when_smoker"),
    )


def answer(d: Mapping[str, Any]) -> Answer:
    return Answer(
        id=d["id"],
        title=d["title"],
        text=d["text"],
        sources=ids(d),
        symptoms=tuple(d.get("symptoms", ())),
        terms=tuple(d.get("terms", ())),
        signs=tuple(d.get("signs", ())),
    )


def symptom_cause(d: Mapping[str, Any]) -> SymptomCause:
    return SymptomCause(
        symptom=d["symptom"],
        statuses=tuple(d["statuses"]),
        text=d["text"],
        sources=ids(d),
        from_day=d.get("from_day"),
        before_day=d.get("before_day"),
    )


def odi(d: Mapping[str, Any]) -> OdiScale:
    return OdiScale(
        sections=tuple(d["sections"]),
        section_ends=tuple((low, high) for low, high in d["section_ends"]),
        max_missing=d["max_missing"],
        acceptable_at_most=d["acceptable_at_most"],
        bands=tuple((b["code"], b["up_to"]) for b in d["band"]),
        sources=ids(d),
    )


def regrowth(d: Mapping[str, Any]) -> Regrowth:
    return Regrowth(
        mm_per_day=d["mm_per_day"],
        fast_mm_per_day=d["fast_mm_per_day"],
        caveats=tuple(d["caveats"]),
        sources=ids(d),
    )


def forecast(d: Mapping[str, Any]) -> ForecastSettings:
    scales = {
        name: ForecastScale(
            scale=name,
            noise_sd=v["noise_sd"],
            baseline_sd=v["baseline_sd"],
            mild_at_most=v["mild_at_most"],
            moderate_from=v["moderate_from"],
            top=v["top"],
            basis=v["basis"],
            sources=ids(v),
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
        sources=ids(d),
        stalled_share=float(d.get("stalled_share", 0.0)),
        stalled_plateau=float(d.get("stalled_plateau", 1.0)),
        stalled_plateau_sd=float(d.get("stalled_plateau_sd", 0.3)),
        noise_prior_weight=float(d.get("noise_prior_weight", 4.0)),
        ahead={k: int(v) for k, v in d.get("ahead", {"1m": 30, "3m": 91, "6m": 182}).items()},
    )
