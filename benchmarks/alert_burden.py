"""Alert burden and sensitivity of the triage on simulated patients (issue 7), written to
docs/triage-validation.md.

    python -m benchmarks.alert_burden [--patients N] [--seed S] [--no-doc]

Every simulated patient is assessed on each of their check-ins as a clinic would (the triage of the record
up to that day). Burden: on-course patients (benchmarks.triage_sim) who answer "no" to every warning sign,
at rating noise SD 0.8 and 1.0; the share ever at each level in 26 weeks, alerts per 100 patient-weeks and
the codes behind them, by procedure group and age band. Sensitivity: the same kind of patients with one real
event injected: each warning sign reported, weakness rising 3-5 points and staying, leg pain back to its
pre-operative level after relief, no improvement at all by 3 months.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import datetime as dt
import multiprocessing
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.triage_sim import (
    AGE_BANDS,
    GROUPS,
    SURGERY,
    Noise,
    SimPatient,
    baseline_ratings,
    checkins_for,
    draw_patient,
    record_for,
    schedule,
    step,
    with_extra,
)
from nervetrack import load_knowledge, parse_record
from nervetrack.domain.assess import triage
from nervetrack.domain.model import TriageLevel

LEVELS = ("emergency", "urgent", "soon")
RANK = {level.value: level.rank for level in TriageLevel}
TARGETS = {0.8: {"emergency": 0.005, "urgent": 0.05, "soon": 0.35}, 1.0: {"emergency": 0.01, "urgent": 0.10}}
DOC = Path(__file__).resolve().parent.parent / "docs" / "triage-validation.md"


@dataclass(frozen=True)
class Step:
    """The triage on one check-in: its day, level and flag codes with their levels."""

    day: int
    level: str
    codes: dict[str, str]
    asked: bool = False  # follow-up questions were asked on this check-in


# What a patient with an injected event answers on `day`; None: as a patient recovering normally would.
Truth = Callable[[np.random.Generator, str, int], Any]


def triage_series(data: dict[str, Any], answer: Answers | None = None) -> list[Step]:
    """Assess the record as of each of its check-ins, in date order. Follow-up questions are answered by
    `answer` on the same check-in and the triage runs again; questions left unanswered are judged a day
    later, as the clinic's dashboard would see them."""
    knowledge = load_knowledge()
    record = parse_record(data)
    checkins = record.ordered_checkins()
    steps = []
    for i, checkin in enumerate(checkins):
        upto = record.model_copy(update={"checkins": checkins[: i + 1], "as_of": checkin.date})
        result = triage(upto, knowledge)
        asked = bool(result.follow_up)
        if asked:
            day = (checkin.date - SURGERY).days
            given = answer.respond(result.follow_up, day) if answer else {}
            if given:
                checkin = checkins[i] = checkin.model_copy(update={"follow_up": {**(checkin.follow_up or {}), **given}})
                upto = record.model_copy(update={"checkins": checkins[: i + 1], "as_of": checkin.date})
                result = triage(upto, knowledge)
            else:  # the clinic sees the check-in as sent, and a day later the unanswered questions
                later = checkin.date + dt.timedelta(days=1)
                waited = triage(record.model_copy(update={"checkins": checkins[: i + 1], "as_of": later}), knowledge)
                seen = {f.code for f in result.flags}
                result = dataclasses.replace(
                    result, flags=[*result.flags, *(f for f in waited.flags if f.code not in seen)]
                )
        flags = result.flags
        level = max((f.level for f in flags), key=lambda lv: lv.rank, default=TriageLevel.ROUTINE)
        steps.append(Step((checkin.date - SURGERY).days, level.value, {f.code: f.level.value for f in flags}, asked))
    return steps


@dataclass(frozen=True)
class Answers:
    """How a simulated patient answers follow-up questions: most answer (`rate`), and truthfully. A patient
    recovering normally has nothing new to report; `truth` overrides that for an injected event."""

    rng: np.random.Generator
    patient: SimPatient
    rate: float = 0.85
    truth: Truth | None = None

    def respond(self, questions: Sequence[str], day: int) -> dict[str, Any]:
        """The answers to the questions asked on `day`: all of them, or none when the patient does not reply."""
        if self.rng.random() >= self.rate:
            return {}
        return {q: self.answer(q, day) for q in questions}

    def answer(self, question: str, day: int) -> Any:
        if self.truth is not None:
            found = self.truth(self.rng, question, day)
            if found is not None:
                return found
        return _on_course_answer(self.patient, question, day)


def _on_course_answer(patient: SimPatient, question: str, day: int) -> Any:
    if question == "weakness_which_legs":
        return "one leg"
    if question == "wound_fluid":
        return "blood-stained"
    if question == "leg_pain_interference":
        return round(min(10.0, patient.true_level("leg_pain", day)))
    return False


# ---- burden -----------------------------------------------------------------------------------------


@dataclass
class Outcome:
    group: str
    age_band: str
    max_level: str
    codes_ever: dict[str, str]
    new_alerts: dict[str, int]  # by level: a code present on a check-in and absent on the one before
    asked: int = 0  # check-ins with follow-up questions
    weeks: float = 26.0


def _patient_rng(seed: int, *keys: int) -> np.random.Generator:
    return np.random.default_rng([seed, *keys])


def _on_course(args: tuple[int, int, str, int]) -> Outcome:
    seed, sd_tenths, group, index = args
    rng = _patient_rng(seed, sd_tenths, GROUPS.index(group), index)
    patient = draw_patient(rng, group, index)
    noise = Noise(rating_sd=sd_tenths / 10)
    data = record_for(patient, baseline_ratings(rng, patient, noise), checkins_for(rng, patient, noise))
    return _outcome(patient, triage_series(data, Answers(rng, patient)))


def _outcome(patient: SimPatient, steps: Sequence[Step]) -> Outcome:
    max_level = max((s.level for s in steps), key=RANK.__getitem__, default="routine")
    codes: dict[str, str] = {}
    new = collections.Counter[str]()
    previous: dict[str, str] = {}
    for s in steps:
        for code, level in s.codes.items():
            codes.setdefault(code, level)
            if code not in previous:
                new[level] += 1
        previous = s.codes
    return Outcome(patient.group, patient.age_band, max_level, codes, dict(new), sum(s.asked for s in steps))


@dataclass
class BurdenTable:
    noise_sd: float
    outcomes: list[Outcome]

    def share_ever(self, level: str, rows: Iterable[Outcome] | None = None) -> float:
        chosen = list(self.outcomes if rows is None else rows)
        return sum(RANK[o.max_level] >= RANK[level] for o in chosen) / max(len(chosen), 1)

    def per_100_weeks(self, level: str, rows: Iterable[Outcome] | None = None) -> float:
        chosen = list(self.outcomes if rows is None else rows)
        weeks = sum(o.weeks for o in chosen)
        return 100 * sum(o.new_alerts.get(level, 0) for o in chosen) / max(weeks, 1)

    def share_asked(self, rows: Iterable[Outcome] | None = None) -> float:
        chosen = list(self.outcomes if rows is None else rows)
        return sum(o.asked > 0 for o in chosen) / max(len(chosen), 1)

    def by(self, key: Callable[[Outcome], str]) -> dict[str, list[Outcome]]:
        groups: dict[str, list[Outcome]] = collections.defaultdict(list)
        for o in self.outcomes:
            groups[key(o)].append(o)
        return groups

    def code_shares(self) -> list[tuple[str, str, float]]:
        counts = collections.Counter[tuple[str, str]]()
        for o in self.outcomes:
            counts.update(o.codes_ever.items())
        n = len(self.outcomes)
        return sorted(((code, level, c / n) for (code, level), c in counts.items()), key=lambda t: -t[2])


def burden(patients_per_group: int, noise_sd: float, seed: int, pool: Any = None) -> BurdenTable:
    jobs = [(seed, round(noise_sd * 10), g, i) for g in GROUPS for i in range(patients_per_group)]
    results = list((pool.imap if pool else map)(_on_course, jobs, *([32] if pool else [])))
    return BurdenTable(noise_sd, results)


# ---- sensitivity ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Injected:
    """A patient with an event: the day it starts, the day from which detection is counted, and what the
    patient answers about it."""

    patient: SimPatient
    onset: int
    count_from: int
    truth: Truth | None = None


@dataclass(frozen=True)
class Scenario:
    """An injected event: what it is, the level it must reach and within how many check-ins."""

    name: str
    expected: str
    within: int
    target: float | None  # None: reported, no target set by the issue
    inject: Callable[[np.random.Generator, SimPatient], Injected | None]  # None: patient not eligible
    note: str = ""
    early_emergency: bool = False  # also report emergency among events in the first 14 days
    # The rating the event shows in: also reported within `within` check-ins that carry that rating (a
    # check-in that leaves it blank cannot show the change).
    rated: str | None = None


def _sign_event(fields: dict[str, Any], first: int = 1, last: int = 182) -> Callable[..., Injected | None]:
    def inject(rng: np.random.Generator, patient: SimPatient) -> Injected | None:
        days = [d for d in schedule() if first <= d <= last]
        day = int(rng.choice(days))
        patient.signs_on[day] = dict(fields)
        return Injected(patient, day, day)

    return inject


def _weakness_rise(rng: np.random.Generator, patient: SimPatient) -> Injected | None:
    start = int(rng.integers(2, 151))
    height = float(rng.choice([3.0, 4.0, 5.0]))
    current = patient.true_level("weakness", start)
    if current + height > 10:
        height = 10 - current
        if height < 3:
            return None
    ramp = int(rng.integers(1, 4))

    def truth(rng: np.random.Generator, question: str, day: int) -> Any:
        since = day - start
        if since < 0:
            return None
        if question == "weakness_sudden":  # noticed as sudden while it is new
            return bool(rng.random() < (0.75 if since <= 7 else 0.4))
        if question == "heel_toe_harder":  # "in the past two weeks"
            return bool(rng.random() < (0.8 if since <= 14 else 0.3))
        if question == "foot_or_knee_gives":  # noticed in walking, less often than on testing
            return bool(rng.random() < (0.6 if since <= 14 else 0.2))
        return None

    return Injected(with_extra(patient, "weakness", step(start, height, ramp)), start, start + ramp - 1, truth)


def _leg_pain_back(rng: np.random.Generator, patient: SimPatient) -> Injected | None:
    start = int(rng.integers(28, 151))
    base = patient.true_baseline["leg_pain"]
    now = patient.true_level("leg_pain", start)
    if now > 0.5 * base or base < 4:
        return None  # no clear relief to come back from
    ramp = int(rng.integers(1, 8))
    flared = with_extra(patient, "leg_pain", step(start, base - now, ramp))

    def truth(rng: np.random.Generator, question: str, day: int) -> Any:
        if day < start:
            return None
        if question == "leg_pain_sudden_return":
            return bool(rng.random() < 0.6)
        return None

    return Injected(flared, start, start + ramp - 1, truth)


def _no_improvement(rng: np.random.Generator, patient: SimPatient) -> Injected | None:
    if patient.true_baseline["leg_pain"] < 4:
        return None
    curves = dict(patient.curves)
    curves["leg_pain"] = type(curves["leg_pain"])(1.0, 30.0, "power")
    flat = SimPatient(**{**patient.__dict__, "curves": curves, "flare": None})
    return Injected(flat, 0, 91)


def _comes_and_goes(rng: np.random.Generator, patient: SimPatient) -> Injected | None:
    """A bladder problem reported, then answered "no" at the next check-in (GIRFT: symptoms come and go)."""
    days = schedule()
    index = int(rng.integers(0, len(days) - 1))
    patient.signs_on[days[index]] = {"bladder_problem": True}
    patient.signs_on[days[index + 1]] = {"bladder_problem": False}
    return Injected(patient, days[index], days[index + 1])


def _hematoma(rng: np.random.Generator, patient: SimPatient) -> Injected | None:
    """Severe new leg pain (to 8 or more) with weakness up 3-5 points in the first 4 weeks (NSQIP, Anno)."""
    start = int(rng.integers(1, 29))
    pain = patient.true_level("leg_pain", start)
    height = float(rng.choice([3.0, 4.0, 5.0]))
    if patient.true_level("weakness", start) + height > 10:
        return None
    bumped = with_extra(
        with_extra(patient, "leg_pain", step(start, max(9.0 - pain, 3.0))), "weakness", step(start, height)
    )

    def truth(rng: np.random.Generator, question: str, day: int) -> Any:
        if day < start:
            return None
        if question == "weakness_sudden":
            return bool(rng.random() < 0.75)
        if question in ("heel_toe_harder", "foot_or_knee_gives"):
            return bool(rng.random() < (0.8 if day - start <= 14 else 0.3))
        return None

    return Injected(bumped, start, start, truth)


def _back_pain_back(rng: np.random.Generator, patient: SimPatient) -> Injected | None:
    """After a fusion, back pain rising 4-6 points from week 8 (non-union, loosening, the level above)."""
    if patient.group != "fusion":
        return None
    start = int(rng.integers(56, 151))
    now = patient.true_level("back_pain", start)
    height = min(float(rng.choice([4.0, 5.0, 6.0])), 10 - now)
    if height < 3.5:
        return None
    return Injected(with_extra(patient, "back_pain", step(start, height, 7)), start, start + 6)


SIGN_SCENARIOS = (
    ("bladder problem", {"bladder_problem": True}, "emergency"),
    ("difficulty passing urine", {"urinary_difficulty": True}, "emergency"),
    ("genital numbness", {"genital_numbness": True}, "emergency"),
    ("symptoms in both legs", {"both_legs": True}, "urgent"),
    ("bowel problem", {"bowel_problem": True}, "emergency"),
    ("saddle numbness", {"saddle_numbness": True}, "emergency"),
    ("sudden weakness", {"sudden_weakness": True}, "emergency"),
    ("chest pain or breathlessness", {"chest_pain_or_breathlessness": True}, "emergency"),
    ("calf pain or swelling", {"calf_pain_swelling": True}, "urgent"),
    ("headache when upright", {"headache_when_upright": True}, "urgent"),
    ("red wound", {"wound_redness": True}, "soon"),
    ("red and leaking wound", {"wound_redness": True, "wound_drainage": True}, "urgent"),
    ("fever 38.6 C from day 3", {"temperature_c": 38.6}, "urgent"),
    ("fever 38.6 C with a red wound", {"temperature_c": 38.6, "wound_redness": True}, "urgent"),
)


def scenarios() -> list[Scenario]:
    found = [
        Scenario(
            f"reports {name}",
            level,
            1,
            1.0,
            _sign_event(fields, 3 if "fever" in name else 1, 90 if name.startswith("fever 38.6 C from") else 182),
        )
        for name, fields, level in SIGN_SCENARIOS
    ]
    found += [
        Scenario(
            "weakness up 3-5 points and staying",
            "urgent",
            2,
            0.95,
            _weakness_rise,
            "hematoma, recurrent herniation",
            early_emergency=True,
            rated="weakness",
        ),
        Scenario(
            "leg pain back to its pre-operative level after relief",
            "soon",
            2,
            0.90,
            _leg_pain_back,
            "recurrent herniation",
            rated="leg_pain",
        ),
        Scenario("no improvement at all by 3 months", "soon", 2, 0.95, _no_improvement, "leg pain never eases"),
        Scenario(
            "a bladder problem reported, then answered no", "urgent", 1, 1.0, _comes_and_goes, "GIRFT: comes and goes"
        ),
        Scenario(
            "severe new leg pain with weakness up 3-5 in the first 4 weeks",
            "emergency",
            2,
            None,
            _hematoma,
            "spinal epidural hematoma",
        ),
        Scenario("back pain up 4-6 points after a fusion, from week 8", "soon", 2, None, _back_pain_back, "non-union"),
    ]
    return found


@dataclass
class Detection:
    scenario: str
    group: str
    detected: bool
    onset_day: int
    early_emergency: bool | None  # for events in the first 14 days: emergency within the window
    detected_rated: bool | None = None  # within the scenario's count of check-ins that carry its rating


def _event(args: tuple[int, int, int, str, int, int]) -> Detection | None:
    seed, sd_tenths, scenario_index, group, index, answer_pct = args
    scenario = scenarios()[scenario_index]
    rng = _patient_rng(seed, 1000 + scenario_index, sd_tenths, GROUPS.index(group), index)
    patient = draw_patient(rng, group, index)
    injected = scenario.inject(rng, patient)
    if injected is None:
        return None
    noise = Noise(rating_sd=sd_tenths / 10)
    data = record_for(
        injected.patient, baseline_ratings(rng, injected.patient, noise), checkins_for(rng, injected.patient, noise)
    )
    answers = Answers(rng, injected.patient, answer_pct / 100, injected.truth)
    after = [s for s in triage_series(data, answers) if s.day >= injected.count_from]
    steps = after[: scenario.within]
    detected = any(RANK[s.level] >= RANK[scenario.expected] for s in steps)
    detected_rated = None
    if scenario.rated is not None:
        rated_days = [
            (dt.date.fromisoformat(c["date"]) - SURGERY).days
            for c in data["checkins"]
            if c.get(scenario.rated) is not None
        ]
        rated_after = [d for d in rated_days if d >= injected.count_from]
        last = rated_after[scenario.within - 1] if len(rated_after) >= scenario.within else None
        window = [s for s in after if last is None or s.day <= last]
        detected_rated = any(RANK[s.level] >= RANK[scenario.expected] for s in window)
    early = None
    if scenario.early_emergency and injected.onset <= 14:
        early = any(s.level == "emergency" for s in steps)
    return Detection(scenario.name, group, detected, injected.onset, early, detected_rated)


def sensitivity(
    patients_per_group: int, noise_sd: float, seed: int, pool: Any = None, answer_rate: float = 0.85
) -> dict[str, list[Detection]]:
    jobs = [
        (seed, round(noise_sd * 10), k, g, i, round(answer_rate * 100))
        for k, _ in enumerate(scenarios())
        for g in GROUPS
        for i in range(patients_per_group)
    ]
    found: dict[str, list[Detection]] = collections.defaultdict(list)
    for result in (pool.imap if pool else map)(_event, jobs, *([32] if pool else [])):
        if result is not None:
            found[result.scenario].append(result)
    return found


# ---- report -----------------------------------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def burden_tables(table: BurdenTable) -> str:
    lines = [
        f"#### Noise SD {table.noise_sd}: {len(table.outcomes)} on-course patients, 26 weeks each",
        "",
        "| patients | n | ever emergency | ever urgent+ | ever soon+ | emergency / 100 pt-wk | urgent / 100 pt-wk |"
        " soon / 100 pt-wk | ever asked follow-up questions |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    rows = [("all", table.outcomes)]
    rows += [(f"group {g}", table.by(lambda o: o.group)[g]) for g in GROUPS]
    bands = table.by(lambda o: o.age_band)
    rows += [(f"age {label}", bands[label]) for _, _, label in AGE_BANDS if label in bands]
    for name, chosen in rows:
        lines.append(
            f"| {name} | {len(chosen)} | "
            + " | ".join(_pct(table.share_ever(lv, chosen)) for lv in LEVELS)
            + " | "
            + " | ".join(f"{table.per_100_weeks(lv, chosen):.2f}" for lv in LEVELS)
            + f" | {_pct(table.share_asked(chosen))} |"
        )
    targets = TARGETS.get(table.noise_sd, {})
    if targets:
        verdicts = [
            f"ever {lv} {_pct(table.share_ever(lv))} (target ≤ {_pct(t)}: "
            f"{'met' if table.share_ever(lv) <= t else 'NOT met'})"
            for lv, t in targets.items()
        ]
        lines += ["", "Targets: " + "; ".join(verdicts) + "."]
    codes = table.code_shares()
    lines += ["", "Codes behind them (share of patients ever flagged):", ""]
    lines += [f"- `{code}` ({level}): {_pct(share)}" for code, level, share in codes] or ["- none"]
    return "\n".join(lines)


def sensitivity_table(noise_sd: float, found: dict[str, list[Detection]], silent: dict[str, list[Detection]]) -> str:
    lines = [
        f"#### Noise SD {noise_sd}: injected events",
        "",
        "| event | must reach | within | n | detected | target | if no follow-up question is answered |"
        " early (day ≤ 14): emergency | within that many check-ins that carry the rating |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for scenario in scenarios():
        results = found.get(scenario.name, [])
        share = _share(results)
        early = [r.early_emergency for r in results if r.early_emergency is not None]
        early_text = f"{_pct(sum(early) / len(early))} of {len(early)}" if early else "–"
        if scenario.target is None:
            target = "– (no target in the issue)"
        else:
            target = f"≥ {_pct(scenario.target)} ({'met' if share >= scenario.target else 'NOT met'})"
        lines.append(
            f"| {scenario.name} | {scenario.expected} | {scenario.within} check-in{'s' if scenario.within > 1 else ''}"
            f" | {len(results)} | {_pct(share)} | {target} |"
            f" {_pct(_share(silent.get(scenario.name, [])))} | {early_text} | {_rated(results)} |"
        )
    return "\n".join(lines)


def _rated(results: Sequence[Detection]) -> str:
    rated = [r.detected_rated for r in results if r.detected_rated is not None]
    return _pct(sum(rated) / len(rated)) if rated else "–"


def _share(results: Sequence[Detection]) -> float:
    return sum(r.detected for r in results) / max(len(results), 1)


def write_doc(text: str, doc: Path = DOC) -> None:
    """Replace the generated part of the validation document (between its markers)."""
    start, end = "<!-- generated by benchmarks/alert_burden.py -->", "<!-- end of generated part -->"
    current = doc.read_text(encoding="utf-8") if doc.exists() else f"{start}\n{end}\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    doc.write_text(pattern.sub(lambda _: f"{start}\n{text}\n{end}", current), encoding="utf-8")


@dataclass
class Report:
    tables: dict[float, BurdenTable] = field(default_factory=dict)
    detections: dict[float, dict[str, list[Detection]]] = field(default_factory=dict)
    silent: dict[float, dict[str, list[Detection]]] = field(default_factory=dict)

    def markdown(self, patients: int, seed: int) -> str:
        parts = [
            f"Run of {dt.date.today().isoformat()}: seed {seed}, {patients} patients per group for the burden, "
            f"{patients // 2} per group and event for the sensitivity.",
            "",
            "### Alert burden on patients recovering normally",
        ]
        parts += [burden_tables(t) + "\n" for t in self.tables.values()]
        parts += ["### Sensitivity to real events"]
        parts += [sensitivity_table(sd, d, self.silent[sd]) + "\n" for sd, d in self.detections.items()]
        return "\n".join(parts)


def run(patients: int, seed: int, noise_sds: Sequence[float] = (0.8, 1.0), processes: int = 2) -> Report:
    report = Report()
    with multiprocessing.Pool(processes) as pool:
        for sd in noise_sds:
            report.tables[sd] = burden(patients, sd, seed, pool)
            report.detections[sd] = sensitivity(max(patients // 2, 1), sd, seed, pool)
            report.silent[sd] = sensitivity(max(patients // 2, 1), sd, seed, pool, answer_rate=0.0)
    return report


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1000, help="on-course patients per procedure group")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/triage-validation.md")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    report = run(args.patients, args.seed)
    text = report.markdown(args.patients, args.seed)
    print(text)
    if not args.no_doc:
        write_doc(text)


if __name__ == "__main__":
    main()
