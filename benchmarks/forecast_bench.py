"""Cohort re-forecast speed: 100,000 patients with 20 check-ins each, beside the time to load their data.

"Load" is reading the ratings from a NumPy file and building the prior arrays (what any re-forecast must do
first); "forecast" is domain.forecast_batch.forecast_cohort on those arrays. Aim: under 30 s for one symptom
on a 2-core machine. The ratio forecast / load says what the model costs on top of reading the data.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np
from rich.progress import Progress

from benchmarks.forecast_validation import SIM_GROUPS, population_course
from nervetrack.domain.forecast import prior_for
from nervetrack.domain.forecast_batch import CohortBatch, batch_from, forecast_cohort
from nervetrack.domain.knowledge import Knowledge
from nervetrack.knowledge import load_knowledge

PATIENTS = 100_000
CHECKINS = 20
SYMPTOM = "leg_pain"


def _write_cohort(path: Path, seed: int = 7) -> None:
    """Synthetic ratings: weekly check-ins from day 3 with a falling curve and noise."""
    rng = np.random.default_rng(seed)
    group = rng.integers(len(SIM_GROUPS), size=PATIENTS)
    baseline = rng.integers(4, 11, size=PATIENTS).astype(np.float64)
    days = 3.0 + 7.0 * np.arange(CHECKINS)[None, :] + rng.integers(0, 3, size=(PATIENTS, CHECKINS))
    tau = rng.lognormal(np.log(40), 0.5, size=PATIENTS)
    level = baseline[:, None] * (0.25 + 0.75 * np.exp(-days / tau[:, None]))
    ratings = np.clip(np.round(level + rng.normal(0, 1, size=level.shape)), 0, 10)
    np.savez(path, group=group, baseline=baseline, days=days, ratings=ratings)


def _load(path: Path, knowledge: Knowledge, symptom: str = SYMPTOM) -> CohortBatch:
    """Read the cohort and build its arrays: the prior of forecast.prior_for, per patient, vectorised."""
    settings = knowledge.forecast
    assert settings is not None
    data = np.load(path)
    group, b = data["group"], data["baseline"][:, None]
    courses = [population_course(knowledge, symptom, g) for g in SIM_GROUPS]
    shares = [settings.stalled_share if c.stalled_share is None else c.stalled_share for c in courses]
    weight = np.array([[1 - share, share] for share in shares])[group]
    stalled_plateaus = [settings.stalled_plateau if c.stalled_plateau is None else c.stalled_plateau for c in courses]
    p0 = np.array([[c.plateau, sp] for c, sp in zip(courses, stalled_plateaus, strict=True)])[group]
    sp = np.array([[c.plateau_sd, settings.stalled_plateau_sd] for c in courses])[group]
    vb = settings.scales["0-10"].noise_sd ** 2
    return CohortBatch(
        days=data["days"],
        burden=data["ratings"],
        log_tau=np.log([c.tau_days for c in courses])[group],
        log_tau_sd=np.array([c.log_tau_sd for c in courses])[group],
        weight=weight,
        mean_a=p0 * b,
        mean_b=np.repeat(b, 2, axis=1),
        var_a=p0 * p0 * vb + sp * sp * (b * b + vb),
        cov_ab=p0 * vb,
        var_b=np.full_like(p0, vb),
    )


def _from_objects(path: Path, knowledge: Knowledge) -> float:
    """Seconds to build the same arrays from per-patient Python objects (priors and rating lists), as the
    `forecast-cohort` command does from patient records."""
    settings = knowledge.forecast
    assert settings is not None
    fscale = settings.scales["0-10"]
    data = np.load(path)
    courses = [population_course(knowledge, SYMPTOM, g) for g in SIM_GROUPS]
    rows = [
        (courses[g], b, list(zip(d.tolist(), r.tolist(), strict=True)))
        for g, b, d, r in zip(data["group"], data["baseline"], data["days"], data["ratings"], strict=True)
    ]
    start = time.perf_counter()
    batch_from([prior_for(c, fscale, float(b), 0.0, settings) for c, b, _ in rows], [p for *_, p in rows])
    return time.perf_counter() - start


ZERO_TO_TEN = ("leg_pain", "back_pain", "numbness", "tingling", "weakness")


def main() -> None:
    knowledge = load_knowledge()
    settings = knowledge.forecast
    assert settings is not None
    workers = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cohort.npz"
        _write_cohort(path)
        start = time.perf_counter()
        batch = _load(path, knowledge)
        load_s = time.perf_counter() - start
        objects_s = _from_objects(path, knowledge)
        others = {symptom: _load(path, knowledge, symptom) for symptom in ZERO_TO_TEN}
    fscale = settings.scales["0-10"]
    with Progress(transient=True) as progress:
        task = progress.add_task(f"forecasting {SYMPTOM}", total=PATIENTS)
        start = time.perf_counter()
        forecast_cohort(batch, settings, fscale, on_progress=lambda n: progress.advance(task, n))
        one_thread_s = time.perf_counter() - start
        task = progress.add_task(f"forecasting {SYMPTOM} on {workers} threads", total=PATIENTS)
        start = time.perf_counter()
        forecast_cohort(batch, settings, fscale, on_progress=lambda n: progress.advance(task, n), workers=workers)
        forecast_s = time.perf_counter() - start
        task = progress.add_task("forecasting five 0-10 symptoms", total=PATIENTS * len(others))
        start = time.perf_counter()
        for other in others.values():
            forecast_cohort(other, settings, fscale, on_progress=lambda n: progress.advance(task, n), workers=workers)
        five_s = time.perf_counter() - start
    seven_s = five_s / len(others) * 7
    print(f"forecast: {PATIENTS:,} patients x {CHECKINS} check-ins")
    print(f"  load/build arrays      {load_s:8.2f} s   (from a NumPy file)")
    print(f"  build from objects     {objects_s:8.2f} s   (per-patient priors and rating lists)")
    print(f"  {SYMPTOM}, 1 thread     {one_thread_s:8.2f} s   {PATIENTS / one_thread_s:,.0f} patients/s")
    print(f"  {SYMPTOM}, {workers} threads    {forecast_s:8.2f} s   {PATIENTS / forecast_s:,.0f} patients/s")
    print(f"  five 0-10 symptoms     {five_s:8.2f} s   (all seven measures at this rate: about {seven_s:.0f} s)")
    print(f"  ratio forecast/load {forecast_s / load_s:7.1f}x (file), {forecast_s / objects_s:.1f}x (objects)")
    print(
        f"  aim: one measure under 30 s -> {'met' if forecast_s < 30 else 'NOT met'}; "
        f"all seven under 30 s -> {'met' if seven_s < 30 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
