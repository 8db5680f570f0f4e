"""The per-patient forecast written out scalar by scalar: a readable oracle that the vectorised engine
(nervetrack.domain.forecast_batch) must agree with. Tests only; the product has one engine."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import ndtr

from nervetrack.domain.forecast import (
    CoursePrior,
    episode_of,
    forecast_settings,
    grid_z,
    horizon_state,
    prior_for_record,
)
from nervetrack.domain.knowledge import ForecastScale, ForecastSettings, Knowledge
from nervetrack.domain.model import PatientRecord


@dataclass(frozen=True)
class GridPoint:
    """The posterior of (a, b) for one value of tau, and that value's posterior weight."""

    tau: float
    weight: float
    mean_a: float
    mean_b: float
    var_a: float
    cov_ab: float
    var_b: float

    def level(self, day: float) -> tuple[float, float]:
        """Mean and variance of the underlying burden on `day`."""
        e = math.exp(-max(day, 0.0) / self.tau)
        x1, x2 = 1.0 - e, e
        mean = x1 * self.mean_a + x2 * self.mean_b
        var = x1 * x1 * self.var_a + 2 * x1 * x2 * self.cov_ab + x2 * x2 * self.var_b
        return mean, max(var, 0.0)


@dataclass(frozen=True)
class CoursePosterior:
    """One patient's curve after their ratings: a weighted grid over tau, in burden units."""

    grid: tuple[GridPoint, ...]
    noise_sd: float
    scale: ForecastScale
    target: float | None
    used: int
    # The day after surgery the curve starts from: 0, or the first day of a fresh episode (recurrence.py).
    start_day: float = 0.0

    def to_units(self, burden: float) -> float:
        """Turn a burden back into the symptom's own units (walking minutes, higher is better)."""
        return self.target - burden if self.target is not None else burden

    def mixture(self, day: float, rating: bool = True) -> list[tuple[float, float, float]]:
        """(weight, mean, sd) per grid point of a rating on `day`, or of the underlying level."""
        noise = self.noise_sd**2 if rating else 1e-12
        out = []
        for point in self.grid:
            # Grid points the data have ruled out change no reported digit; skipping them saves time.
            if point.weight > 1e-7:
                mean, var = point.level(day - self.start_day)
                out.append((point.weight, mean, math.sqrt(var + noise)))
        return out

    def rating_cdf(self, day: float, burden: float) -> float:
        """Probability that a rating on `day` is at most `burden` (burden units)."""
        return _mixture_cdf(self.mixture(day), burden)

    def rating_quantiles_over_days(self, days: Sequence[float], qs: Sequence[float]) -> list[list[float]]:
        """The quantiles of a rating on each of `days`, in one vectorised pass (burden units)."""
        xs = np.linspace(0.0, self.scale.top, _QUANTILE_STEPS + 1)
        cdfs = self._cdf_matrix(np.asarray(days, dtype=np.float64), xs, rating=True)
        return [[_first_crossing(xs, cdf, q) for q in qs] for cdf in cdfs]

    def level_cdf_over_days(self, days: npt.NDArray[np.float64], burden: float) -> npt.NDArray[np.float64]:
        """Probability that the underlying level is at most `burden`, for every day in `days`."""
        return self._cdf_matrix(days, np.array([burden]), rating=False)[:, 0]

    def _cdf_matrix(
        self, days: npt.NDArray[np.float64], xs: npt.NDArray[np.float64], rating: bool
    ) -> npt.NDArray[np.float64]:
        """Mixture CDF for every (day, x): the vectorised form of rating_cdf."""
        # Grid points the data have all but ruled out change no reported digit.
        kept = [g for g in self.grid if g.weight > 1e-6]
        w = np.array([g.weight for g in kept])
        tau = np.array([g.tau for g in kept])
        e = np.exp(-np.maximum(days - self.start_day, 0.0)[:, None] / tau[None, :])
        x1, x2 = 1.0 - e, e
        ma, mb = np.array([g.mean_a for g in kept]), np.array([g.mean_b for g in kept])
        va, cab, vb = (np.array([getattr(g, f) for g in kept]) for f in ("var_a", "cov_ab", "var_b"))
        mean = x1 * ma + x2 * mb
        var = np.maximum(x1 * x1 * va + 2 * x1 * x2 * cab + x2 * x2 * vb, 0.0)
        sd = np.sqrt(var + (self.noise_sd**2 if rating else 1e-12))
        z = (xs[None, None, :] - mean[:, :, None]) / sd[:, :, None]
        return np.asarray((w[None, :, None] * ndtr(z)).sum(axis=1), dtype=np.float64)


def update(
    prior: CoursePrior,
    points: Sequence[tuple[float, float]],
    settings: ForecastSettings,
    fscale: ForecastScale,
    target: float | None = None,
    start_day: float = 0.0,
) -> CoursePosterior:
    """Combine the prior with post-operative ratings given as (day, burden) pairs, days counted from
    `start_day` (the surgery, or the start of a fresh episode)."""
    used = [(d, y) for d, y in points if d >= 0]
    sums = [
        (z, tau, _sums(tau, used)) for z in grid_z(settings) for tau in [math.exp(prior.log_tau + prior.log_tau_sd * z)]
    ]
    noise_var = fscale.noise_sd**2
    grid, stats = _grid(prior, sums, noise_var)
    if used:
        # Ratings that stray more than noise_sd from the fitted curve widen this patient's noise.
        yy = sum(y * y for _, y in used)
        rss = sum(g.weight * _rss(g, st, yy) for g, st in zip(grid, stats, strict=True))
        nu = settings.noise_prior_weight
        noise_var = max(noise_var, (nu * noise_var + rss) / (nu + len(used)))
        grid, _ = _grid(prior, sums, noise_var)
    return CoursePosterior(grid, math.sqrt(noise_var), fscale, target, len(used), start_day)


Sums = tuple[float, float, float, float, float]


def _sums(tau: float, used: Sequence[tuple[float, float]]) -> Sums:
    """Sufficient statistics of the ratings for one tau: sums of x1^2, x1 x2, x2^2, x1 y, x2 y."""
    if not used:
        return 0.0, 0.0, 0.0, 0.0, 0.0
    data = np.asarray(used, dtype=np.float64)
    x2 = np.exp(-data[:, 0] / tau)
    x1, y = 1.0 - x2, data[:, 1]
    return (
        float(x1 @ x1),
        float(x1 @ x2),
        float(x2 @ x2),
        float(x1 @ y),
        float(x2 @ y),
    )


def _rss(g: GridPoint, st: Sums, yy: float) -> float:
    s11, s12, s22, r1, r2 = st
    a, b = g.mean_a, g.mean_b
    return max(yy - 2 * (a * r1 + b * r2) + a * a * s11 + 2 * a * b * s12 + b * b * s22, 0.0)


def _grid(
    prior: CoursePrior, sums: Sequence[tuple[float, float, Sums]], noise_var: float
) -> tuple[tuple[GridPoint, ...], list[Sums]]:
    """Exact (a, b) posterior for every prior component and tau, with normalised posterior weights."""
    logs, partial, stats = [], [], []
    for c in prior.components:
        det0 = c.var_a * c.var_b - c.cov_ab**2
        # Prior precision (inverse of the 2x2 covariance) and precision-weighted mean.
        q11, q12, q22 = c.var_b / det0, -c.cov_ab / det0, c.var_a / det0
        h01, h02 = q11 * c.mean_a + q12 * c.mean_b, q12 * c.mean_a + q22 * c.mean_b
        base = math.log(c.weight) - 0.5 * (h01 * c.mean_a + h02 * c.mean_b) - 0.5 * math.log(det0)
        for z, tau, st in sums:
            s11, s12, s22, r1, r2 = st
            p11, p12, p22 = q11 + s11 / noise_var, q12 + s12 / noise_var, q22 + s22 / noise_var
            h1, h2 = h01 + r1 / noise_var, h02 + r2 / noise_var
            det = p11 * p22 - p12 * p12
            v11, v12, v22 = p22 / det, -p12 / det, p11 / det
            m1, m2 = v11 * h1 + v12 * h2, v12 * h1 + v22 * h2
            logs.append(base - 0.5 * z * z + 0.5 * (h1 * m1 + h2 * m2) - 0.5 * math.log(det))
            partial.append((tau, m1, m2, v11, v12, v22))
            stats.append(st)
    top = max(logs)
    raw = [math.exp(v - top) for v in logs]
    total = sum(raw)
    grid = tuple(
        GridPoint(tau, w / total, m1, m2, v11, v12, v22)
        for w, (tau, m1, m2, v11, v12, v22) in zip(raw, partial, strict=True)
    )
    return grid, stats


def summarise(
    post: CoursePosterior,
    settings: ForecastSettings,
    today: int = 0,
    own: Sequence[tuple[float, float]] = (),
    episode_note: str | None = None,
) -> dict[str, Any]:
    """The forecast as the assessment reports it, in the symptom's own units. Horizons after surgery that
    `today` has passed are marked past, with the patient's own rating nearest that day from `own` (day,
    value in the symptom's units); `ahead` looks forward from today."""
    lo_q = (1.0 - settings.interval) / 2
    horizons = list(settings.horizons.items())
    ahead = [(name, today + days) for name, days in settings.ahead.items()]
    days = [day for _, day in horizons] + [day for _, day in ahead]
    quantiles = post.rating_quantiles_over_days(days, (0.5, lo_q, 1 - lo_q))
    expected = {
        name: {"day": day, **_in_units(post, q), **horizon_state(day, today, own)}
        for (name, day), q in zip(horizons, quantiles, strict=False)
    }
    year = settings.horizons.get("12m", 365)
    p_moderate = 1.0 - post.rating_cdf(year, post.scale.moderate_from)
    return {
        "unit": post.scale.scale,
        "checkins_used": post.used,
        "interval": settings.interval,
        "expected_at": expected,
        "ahead": {
            name: {"day": day, **_in_units(post, q)}
            for (name, day), q in zip(ahead, quantiles[len(horizons) :], strict=True)
        },
        "episode": episode_of(post.start_day, episode_note),
        "days_to_mild": days_to_mild(post, settings),
        "mild_threshold": round(post.to_units(post.scale.mild_at_most), 1),
        "p_moderate_or_worse_12m": round(min(max(p_moderate, 0.0), 1.0), 3),
        "moderate_threshold": round(post.to_units(post.scale.moderate_from), 1),
    }


def days_to_mild(post: CoursePosterior, settings: ForecastSettings) -> dict[str, int | None] | None:
    """Day after surgery by which the underlying level is mild (median and 80% interval), or None."""
    lo_q = (1.0 - settings.interval) / 2
    # Every other day is fine enough: crossings are interpolated and reported as whole days.
    days = post.start_day + np.arange(0.0, settings.max_day + 2.0, 2.0)
    cdf = post.level_cdf_over_days(days, post.scale.mild_at_most)
    reached = float(cdf[-1])
    if reached < 0.5:
        return None
    median, low = (round(_first_crossing(days, cdf, q)) for q in (0.5, lo_q))
    high = round(_first_crossing(days, cdf, 1 - lo_q)) if reached >= 1 - lo_q else None
    return {"value": median, "low": low, "high": high}


def forecast_band(
    post: CoursePosterior, days: Sequence[int], interval: float = 0.8
) -> tuple[list[int], list[float], list[float], list[float]]:
    """Chart band ahead of today: (days, median, low, high) of a rating, in the symptom's own units."""
    lo_q = (1.0 - interval) / 2
    mids, lows, highs = [], [], []
    for quantiles in post.rating_quantiles_over_days(days, (0.5, lo_q, 1 - lo_q)):
        values = _in_units(post, quantiles)
        mids.append(values["value"])
        lows.append(values["low"])
        highs.append(values["high"])
    return list(days), mids, lows, highs


def posterior_for_record(knowledge: Knowledge, record: PatientRecord, symptom: str) -> CoursePosterior:
    """The personalised curve of one symptom (or "odi") for one patient."""
    settings = forecast_settings(knowledge)
    scale = knowledge.symptoms[symptom]
    fscale = settings.scales[scale.scale]
    inputs = prior_for_record(knowledge, record, symptom)
    return update(inputs.prior, inputs.points, settings, fscale, scale.target, inputs.start_day)


def _in_units(post: CoursePosterior, burdens: list[float]) -> dict[str, float]:
    mid, low, high = (post.to_units(b) for b in burdens)
    low, high = sorted((low, high))
    return {"value": round(mid, 1), "low": round(low, 1), "high": round(high, 1)}


# Quantiles are read off the CDF on this many steps across the scale (0.04 points on a 0-10 scale), with
# linear interpolation between steps: well inside the one-decimal precision reported.
_QUANTILE_STEPS = 250


def _first_crossing(xs: npt.NDArray[np.float64], cdf: npt.NDArray[np.float64], q: float) -> float:
    """Smallest x with cdf(x) >= q on a non-decreasing CDF sampled at xs, interpolated between samples."""
    i = int(np.searchsorted(cdf, q, side="left"))
    if i == 0:
        return float(xs[0])
    if i >= len(xs):
        return float(xs[-1])
    c0, c1 = float(cdf[i - 1]), float(cdf[i])
    share = 0.0 if c1 <= c0 else (q - c0) / (c1 - c0)
    return float(xs[i - 1] + share * (xs[i] - xs[i - 1]))


def _mixture_cdf(parts: Sequence[tuple[float, float, float]], x: float) -> float:
    return sum(w * _phi((x - mean) / sd) for w, mean, sd in parts)


def _phi(z: float) -> float:
    return 0.5 * math.erfc(-z * _SQRT_HALF)


_SQRT_HALF = math.sqrt(0.5)
