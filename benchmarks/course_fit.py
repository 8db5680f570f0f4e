"""A random-effects fit of one recovery course across published cohorts.

Each cohort reports its mean at a few time points after surgery. In units of its own pre-operative mean (so
0-10 and 0-100 scales pool), cohort c follows

    r_c(t) = p_c + (1 - p_c) * exp(-t / tau_c),   p_c = p + u_c,   log tau_c = log tau + v_c,

with u_c ~ N(0, sd_p^2), v_c ~ N(0, sd_v^2) the between-cohort spread of plateau and speed, and each
reported mean off its cohort's curve by N(0, sd_e^2). The cohort effects are integrated out on a
Gauss-Hermite grid, so the marginal likelihood is exact up to the grid; the five parameters are its maximum
under weak priors on the three spreads (a normal of SD 1 on each log spread, which only matters when a course
has few cohorts). Nelder-Mead from fixed starting points: the fit is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize
from scipy.special import logsumexp

Array = NDArray[np.float64]
NODES = 11
# Prior medians of the spreads: the penalty is a normal of SD 1 on each log spread around these [I].
PRIOR = {"sd_p": 0.10, "sd_v": 0.5, "sd_e": 0.05}
PRIOR_LOG_SD = 1.0
# A weak prior on the time constant (a normal of SD 1.5 on its log around 30 days, so 3 to 270 days within
# 1.5 SD): cohorts whose first report comes after most of the relief cannot tell 1 day from 10 [I].
PRIOR_TAU_DAYS = 30.0
PRIOR_LOG_TAU_SD = 1.5
STARTS_TAU = (10.0, 60.0)


@dataclass(frozen=True)
class Series:
    """One cohort's means after surgery, as shares of its pre-operative mean."""

    cohort: str
    days: tuple[float, ...]
    ratios: tuple[float, ...]


@dataclass(frozen=True)
class Fit:
    plateau: float
    tau_days: float
    sd_plateau: float  # between cohorts
    sd_log_tau: float  # between cohorts
    sd_residual: float
    cohorts: int
    points: int
    log_likelihood: float
    # Uncertainty of the five estimates (p, log tau, log sd_p, log sd_v, log sd_e): the inverse Hessian of
    # the penalised likelihood at its maximum (Laplace), so a band for a new cohort includes how well the
    # course itself is known, not only how far cohorts spread.
    covariance: tuple[tuple[float, ...], ...] = ()

    @property
    def theta(self) -> tuple[float, float, float, float, float]:
        return (
            self.plateau,
            math.log(self.tau_days),
            math.log(self.sd_plateau),
            math.log(self.sd_log_tau),
            math.log(self.sd_residual),
        )

    def curve(self, days: Array | float) -> Array:
        """The population course (share of the pre-operative level) at `days`."""
        t = np.asarray(days, dtype=float)
        return np.asarray(self.plateau + (1 - self.plateau) * np.exp(-t / self.tau_days))


def _grid() -> tuple[Array, Array]:
    x, w = np.polynomial.hermite.hermgauss(NODES)
    return x * math.sqrt(2.0), w / math.sqrt(math.pi)


GRID_X, GRID_W = _grid()


def _unpack(theta: Sequence[float]) -> tuple[float, float, float, float, float]:
    p, log_tau, log_sp, log_sv, log_se = theta
    return p, log_tau, math.exp(log_sp), math.exp(log_sv), math.exp(log_se)


def _cohort_log_likelihood(series: Series, theta: Sequence[float]) -> float:
    p, log_tau, sp, sv, se = _unpack(theta)
    t = np.asarray(series.days)[None, None, :]
    r = np.asarray(series.ratios)[None, None, :]
    plateau = (p + sp * GRID_X)[:, None, None]
    tau = np.exp(log_tau + sv * GRID_X)[None, :, None]
    mean = plateau + (1 - plateau) * np.exp(-t / tau)
    log_dens = (-0.5 * ((r - mean) / se) ** 2 - math.log(se * math.sqrt(2 * math.pi))).sum(axis=2)
    log_w = np.log(GRID_W)[:, None] + np.log(GRID_W)[None, :]
    return float(logsumexp(log_dens + log_w))


def _objective(theta: Array, data: Sequence[Series]) -> float:
    p, log_tau = theta[0], theta[1]
    if not -0.5 < p < 1.5 or not math.log(1.0) < log_tau < math.log(3650.0):
        return 1e12
    penalty = sum(
        0.5 * ((theta[i] - math.log(PRIOR[name])) / PRIOR_LOG_SD) ** 2
        for i, name in ((2, "sd_p"), (3, "sd_v"), (4, "sd_e"))
    )
    penalty += 0.5 * ((log_tau - math.log(PRIOR_TAU_DAYS)) / PRIOR_LOG_TAU_SD) ** 2
    return -sum(_cohort_log_likelihood(s, theta) for s in data) + penalty


def fit(data: Sequence[Series]) -> Fit:
    """The random-effects course over the cohorts in `data` (at least two)."""
    if len(data) < 2:
        raise ValueError("a random-effects course needs at least two cohorts")
    best = None
    for tau0 in STARTS_TAU:
        start = np.array([0.25, math.log(tau0), math.log(PRIOR["sd_p"]), math.log(PRIOR["sd_v"]), math.log(0.05)])
        result = minimize(
            _objective,
            start,
            args=(data,),
            method="Nelder-Mead",
            options={"xatol": 1e-7, "fatol": 1e-10, "maxiter": 20000, "maxfev": 40000},
        )
        if best is None or result.fun < best.fun:
            best = result
    assert best is not None
    p, log_tau, sp, sv, se = _unpack(best.x)
    covariance = _laplace_covariance(best.x, data)
    return Fit(
        plateau=p,
        tau_days=math.exp(log_tau),
        sd_plateau=sp,
        sd_log_tau=sv,
        sd_residual=se,
        cohorts=len(data),
        points=sum(len(s.days) for s in data),
        log_likelihood=-float(best.fun),
        covariance=covariance,
    )


def _laplace_covariance(theta: Array, data: Sequence[Series]) -> tuple[tuple[float, ...], ...]:
    """The inverse of the objective's Hessian at `theta` (central differences); () if it is not positive."""
    n, h = len(theta), 1e-3
    hess = np.zeros((n, n))
    f0 = _objective(theta, data)
    for i in range(n):
        for j in range(i, n):
            ei, ej = np.eye(n)[i] * h, np.eye(n)[j] * h
            if i == j:
                value = (_objective(theta + ei, data) - 2 * f0 + _objective(theta - ei, data)) / h**2
            else:
                value = (
                    _objective(theta + ei + ej, data)
                    - _objective(theta + ei - ej, data)
                    - _objective(theta - ei + ej, data)
                    + _objective(theta - ei - ej, data)
                ) / (4 * h * h)
            hess[i, j] = hess[j, i] = value
    try:
        cov = np.linalg.inv(hess)
        np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        return ()
    return tuple(tuple(float(v) for v in row) for row in cov)


def cohort_effects(course: Fit, series: Series) -> tuple[float, float]:
    """The cohort's own plateau and time constant: the posterior means of its effects on the grid."""
    theta = (
        course.plateau,
        math.log(course.tau_days),
        math.log(course.sd_plateau),
        math.log(course.sd_log_tau),
        math.log(course.sd_residual),
    )
    t = np.asarray(series.days)[None, None, :]
    r = np.asarray(series.ratios)[None, None, :]
    plateau = (theta[0] + course.sd_plateau * GRID_X)[:, None, None]
    tau = np.exp(theta[1] + course.sd_log_tau * GRID_X)[None, :, None]
    mean = plateau + (1 - plateau) * np.exp(-t / tau)
    log_post = (-0.5 * ((r - mean) / course.sd_residual) ** 2).sum(axis=2)
    log_post += np.log(GRID_W)[:, None] + np.log(GRID_W)[None, :]
    weights = np.exp(log_post - logsumexp(log_post))
    return float((weights * plateau[:, :, 0]).sum()), float((weights * tau[:, :, 0]).sum())


def band(course: Fit, day: float, interval: float = 0.80) -> tuple[float, float]:
    """Where a new cohort's mean is expected at `day` (share of its pre-operative mean): the central
    `interval` of the mixture over cohort effects and the residual, and over the estimates' own uncertainty
    (sigma points of the Laplace covariance) when the fit has one."""
    means, sds, weights = [], [], []
    for theta, w in _sigma_points(course):
        p, log_tau, sp, sv, se = _unpack(theta)
        plateau = p + sp * GRID_X[:, None]
        tau = np.exp(log_tau + sv * GRID_X[None, :])
        means.append((plateau + (1 - plateau) * np.exp(-day / tau)).ravel())
        sds.append(np.full(GRID_X.size**2, se))
        weights.append(w * (GRID_W[:, None] * GRID_W[None, :]).ravel())
    mean, sd, weight = np.concatenate(means), np.concatenate(sds), np.concatenate(weights)
    tail = (1 - interval) / 2
    return _mixture_quantile(mean, weight, sd, tail), _mixture_quantile(mean, weight, sd, 1 - tail)


def _sigma_points(course: Fit) -> list[tuple[Array, float]]:
    centre = np.array(course.theta)
    if not course.covariance:
        return [(centre, 1.0)]
    root = np.linalg.cholesky(np.array(course.covariance)) * math.sqrt(len(centre))
    return [(centre + sign * root[:, i], 1.0 / (2 * len(centre))) for i in range(len(centre)) for sign in (1, -1)]


def _mixture_quantile(means: Array, weights: Array, sd: Array, q: float) -> float:
    from scipy.stats import norm

    low, high = float((means - 6 * sd).min()), float((means + 6 * sd).max())
    for _ in range(80):
        mid = (low + high) / 2
        if float((weights * norm.cdf((mid - means) / sd)).sum()) < q:
            low = mid
        else:
            high = mid
    return (low + high) / 2
