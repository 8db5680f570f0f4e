"""The population courses are fitted across published cohorts (issue 9): the committed fits are what the fitting
script gives, every fitted course rests on cohorts of its own procedure group, and the fit recovers a known
course from cohorts simulated around it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from benchmarks.course_fit import Series, band, fit
from benchmarks.fit_courses import OUT, data_hash, read_rows, render, series_of

from nervetrack.domain.knowledge import Knowledge


def test_the_committed_course_fits_are_what_the_script_produces() -> None:
    assert OUT.read_text(encoding="utf-8") == render(read_rows(), data_hash()), (
        "course_fits.toml is stale: run python -m benchmarks.fit_courses"
    )


def test_every_fitted_course_rests_on_cohorts_of_its_own_group(knowledge: Knowledge) -> None:
    groups = {(r.cohort): r.group for r in read_rows()}
    fitted = [c for c in knowledge.courses.values() if c.cohorts]
    assert len(fitted) >= 6
    for course in fitted:
        assert {groups[c] for c in course.cohorts} == {course.group}, course
        assert course.cohort_plateau_sd is not None and course.cohort_plateau_sd > 0


def test_leg_pain_back_pain_and_odi_are_fitted_wherever_enough_cohorts_report_them(knowledge: Knowledge) -> None:
    series = series_of(read_rows())
    for (measure, group), cohorts in series.items():
        if measure in ("leg_pain", "back_pain", "odi") and len(cohorts) >= 3:
            assert knowledge.courses[(measure, group)].cohorts, (measure, group)


def test_the_fit_recovers_a_known_course_from_cohorts_simulated_around_it() -> None:
    rng = np.random.default_rng(3)
    days = (14.0, 42.0, 91.0, 182.0, 365.0)
    truth = {"plateau": 0.3, "tau": 40.0, "sd_p": 0.08, "sd_v": 0.3}
    cohorts = []
    for i in range(12):
        p = truth["plateau"] + truth["sd_p"] * rng.standard_normal()
        tau = truth["tau"] * math.exp(truth["sd_v"] * rng.standard_normal())
        kept = [d for d in days if rng.random() < 0.7] or [91.0]
        ratios = tuple(p + (1 - p) * math.exp(-d / tau) + 0.02 * rng.standard_normal() for d in kept)
        cohorts.append(Series(f"c{i}", tuple(kept), ratios))
    course = fit(cohorts)
    assert course.plateau == pytest.approx(truth["plateau"], abs=0.05)
    assert course.tau_days == pytest.approx(truth["tau"], rel=0.35)
    assert 0.03 < course.sd_plateau < 0.2
    low, high = band(course, 365.0)
    assert low < truth["plateau"] < high
