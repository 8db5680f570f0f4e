"""Validate the recovery forecast and write docs/validation.md with its figure.

Run: .venv/bin/python -m benchmarks.validation   (about half a minute; seeded, so the numbers repeat)
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from benchmarks.fit_courses import HeldOut, leave_one_cohort_out, read_rows
from benchmarks.forecast_validation import (
    EVAL_DAYS,
    PUBLISHED,
    Calibration,
    RecurrenceCalibration,
    SimCohort,
    calibrate,
    model_value,
    population_course,
    recurrence_calibration,
    simulate_cohort,
)
from nervetrack.domain.forecast_batch import batch_from, rating_bands
from nervetrack.domain.knowledge import Knowledge
from nervetrack.knowledge import load_knowledge

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "validation.md"
FIGURE = ROOT / "docs" / "figures" / "forecast_validation.png"
PATIENTS = 5000
SEED = 20261121
KS = (0, 1, 3, 5)


def published_table(knowledge: Knowledge) -> str:
    lines = [
        "| cohort (source) | measure | day | published | model | difference | held out |",
        "|---|---|---:|---:|---:|---:|:---:|",
    ]
    for item in PUBLISHED:
        model = model_value(knowledge, item)
        lines.append(
            f"| {item.group} `{item.symptom}` ({item.source}) | {item.label} | {item.day} | {item.value:.1f} "
            f"| {model:.1f} | {model - item.value:+.1f} | {'yes' if item.held_out else ''} |"
        )
    return "\n".join(lines)


def calibration_table(results: list[Calibration]) -> str:
    lines = [
        "| check-ins used (k) | horizon | 80% coverage | mean width | MAE forecast | MAE population curve "
        "| MAE last value | forecast best? |",
        "|---:|---|---:|---:|---:|---:|---:|:---:|",
    ]
    for c in results:
        for h in EVAL_DAYS:
            best = c.mae_forecast[h] < min(c.mae_population[h], c.mae_last_value[h])
            lines.append(
                f"| {c.k} | {h} | {c.coverage[h]:.1%} | {c.mean_width[h]:.2f} | {c.mae_forecast[h]:.2f} "
                f"| {c.mae_population[h]:.2f} | {c.mae_last_value[h]:.2f} | {'yes' if best else 'no'} |"
            )
    return "\n".join(lines)


def moderate_table(results: list[Calibration]) -> str:
    lines = [
        "| check-ins used (k) | mean predicted chance of 4/10 or more at 12 months | observed share | Brier score |",
        "|---:|---:|---:|---:|",
    ]
    lines += [f"| {c.k} | {c.p_moderate_mean:.1%} | {c.moderate_observed:.1%} | {c.brier:.3f} |" for c in results]
    return "\n".join(lines)


def loco_table(held: list[HeldOut]) -> str:
    """Each cohort's published means against the course fitted without it (issue 9)."""
    lines = [
        "| course | cohort (source) | day | published | course without it | difference | 80% band | covered | close |",
        "|---|---|---:|---:|---:|---:|---|:---:|:---:|",
    ]
    for h in held:
        digits = 0 if h.scale == "0-100" else 1
        lines.append(
            f"| {h.group} `{h.measure}` | {h.cohort} ({h.source}) | {h.day} | {h.published:.{digits}f} "
            f"| {h.predicted:.{digits}f} | {h.difference:+.{digits}f} | {h.low:.{digits}f}-{h.high:.{digits}f} "
            f"| {'yes' if h.covered else 'no'} | {'yes' if h.close else 'no'} |"
        )
    close = sum(h.close for h in held) / len(held)
    covered = sum(h.covered for h in held) / len(held)
    cohorts = len({(h.measure, h.group, h.cohort) for h in held})
    lines += [
        "",
        f"{len(held)} published means of {cohorts} held-out cohorts: **{close:.0%} within 1 point on 0-10 scales "
        f"(10 on the ODI; aim at least 80%: {'met' if close >= 0.8 else 'not met'})**, **{covered:.0%} inside the 80% "
        f"band (aim 75-90%: {'met' if 0.75 <= covered <= 0.9 else 'not met'})**.",
    ]
    return "\n".join(lines)


def recurrence_table(r: RecurrenceCalibration) -> str:
    lines = [
        f"{r.patients:,} simulated patients whose leg pain returns between days 35 and 70; the fresh-episode rule "
        f"found {r.detected:.0%} of the returns within three weeks (the rest were smaller than the rule asks for).",
        "",
        "| after the forecast day | 80% coverage, fresh episode | 80% coverage, first course | MAE, fresh episode "
        "| MAE, first course |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in r.coverage:
        (cov_e, cov_f), (mae_e, mae_f) = r.coverage[name], r.mae[name]
        lines.append(f"| {name} | {cov_e:.1%} | {cov_f:.1%} | {mae_e:.2f} | {mae_f:.2f} |")
    return "\n".join(lines)


def draw(knowledge: Knowledge, sim: SimCohort, results: list[Calibration]) -> None:
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.8))
    _published_panel(knowledge, axes[0])
    _patient_panel(knowledge, sim, axes[1])
    _coverage_panel(results, axes[2])
    fig.tight_layout()
    FIGURE.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(FIGURE, dpi=110)
    plt.close(fig)


def _published_panel(knowledge: Knowledge, ax: plt.Axes) -> None:
    days = np.linspace(0, 1830, 400)
    shown: dict[tuple[str, str, float], str] = {}
    for item in PUBLISHED:
        if item.kind != "level" or item.baseline < 20:
            continue
        key = (item.symptom, item.group, item.baseline)
        if key not in shown:
            course = population_course(knowledge, item.symptom, item.group)
            line = ax.plot(
                days,
                [item.baseline * course.remaining(d) for d in days],
                label=f"{item.group} {item.symptom} ({item.source})",
            )[0]
            shown[key] = line.get_color()
        ax.plot([0, item.day], [item.baseline, item.value], "o", color=shown[key])
    ax.set_xscale("symlog", linthresh=30)
    ax.set_xlabel("days after surgery")
    ax.set_ylabel("published scale (0-100)")
    ax.set_title("Population curves (lines) vs published means (dots)")
    ax.legend(fontsize=7)


def _patient_panel(knowledge: Knowledge, sim: SimCohort, ax: plt.Axes) -> None:
    settings = knowledge.forecast
    assert settings is not None
    fscale = settings.scales["0-10"]
    i = next(j for j, s in enumerate(sim.symptom) if s == "leg_pain" and sim.baseline[j] >= 7)
    ahead = list(range(0, 366, 5))
    for k, colour in zip((1, 3, 5), ("tab:orange", "tab:green", "tab:blue"), strict=True):
        points = list(zip(sim.checkin_days[i, :k].tolist(), sim.checkins[i, :k].tolist(), strict=True))
        bands = rating_bands(batch_from([sim.priors[i]], [points]), settings, fscale, ahead)[0]
        mid, low, high = bands[:, 0], bands[:, 1], bands[:, 2]
        ax.fill_between(ahead, low, high, color=colour, alpha=0.15)
        ax.plot(ahead, mid, color=colour, label=f"forecast from {k} check-in(s)")
    ax.plot(sim.checkin_days[i], sim.checkins[i], "ko", label="check-ins")
    ax.plot(sim.eval_days, sim.later[i], "k^", label="later ratings (not used)")
    ax.plot([0], [sim.baseline[i]], "ks", label="baseline")
    ax.set_xlabel("days after surgery")
    ax.set_ylabel("leg pain 0-10")
    ax.set_title(f"One simulated patient ({sim.group[i]}): band narrows with data")
    ax.legend(fontsize=7)


def _coverage_panel(results: list[Calibration], ax: plt.Axes) -> None:
    width = 0.25
    for j, h in enumerate(EVAL_DAYS):
        ax.bar(np.arange(len(results)) + (j - 1) * width, [100 * c.coverage[h] for c in results], width, label=h)
    ax.axhspan(75, 85, color="grey", alpha=0.2, label="aim 75-85%")
    ax.set_xticks(range(len(results)), [f"k={c.k}" for c in results])
    ax.set_ylim(50, 100)
    ax.set_ylabel("% of later ratings inside the 80% interval")
    ax.set_title(f"Calibration on {PATIENTS:,} simulated patients")
    ax.legend(fontsize=7)


def main() -> None:
    knowledge = load_knowledge()
    sim = simulate_cohort(knowledge, PATIENTS, SEED)
    results = [calibrate(knowledge, sim, k) for k in KS]
    draw(knowledge, sim, results)
    text = DOC.read_text(encoding="utf-8")
    text = _between(text, "published", published_table(knowledge))
    text = _between(text, "calibration", calibration_table(results))
    text = _between(text, "moderate", moderate_table(results))
    held = leave_one_cohort_out(read_rows())
    text = _between(text, "loco", loco_table(held))
    recurrence = recurrence_calibration(knowledge, 2000, SEED)
    text = _between(text, "recurrence", recurrence_table(recurrence))
    DOC.write_text(text, encoding="utf-8")
    print(loco_table(held))
    print(recurrence_table(recurrence))
    print(published_table(knowledge))
    print(calibration_table(results))
    print(moderate_table(results))
    print(f"figure: {FIGURE.relative_to(ROOT)}", file=sys.stderr)


def _between(text: str, name: str, table: str) -> str:
    """Replace the generated block between `<!-- name:start -->` and `<!-- name:end -->`."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{table}\n{end}{tail}"


if __name__ == "__main__":
    main()
