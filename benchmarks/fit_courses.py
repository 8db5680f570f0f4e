"""Fit the population recovery courses across the published cohorts and write knowledge/course_fits.toml.

Run: .venv/bin/python -m benchmarks.fit_courses            (writes the file; deterministic, about half a minute)
     .venv/bin/python -m benchmarks.fit_courses --check    (exit 1 when the committed file differs)

Input: src/nervetrack/knowledge/cohorts.csv, one row per published cohort, measure and time point. Each
symptom × procedure group with enough cohorts gets a random-effects course (benchmarks/course_fit.py): the
population plateau and time constant, and how far cohorts spread around them. A patient's course needs the
spread between patients as well: the plateau spread within cohorts comes from the standard deviations the
cohorts report from 6 months on (less the roughness of a single rating), pooled over every such row; the
spread of speeds within a cohort is not reported anywhere, so it is set at 0.5 on the log scale [I].
"""

from __future__ import annotations

import csv
import hashlib
import math
import statistics
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.course_fit import Fit, Series, cohort_effects, fit

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "src" / "nervetrack" / "knowledge"
COHORTS = KNOWLEDGE / "cohorts.csv"
OUT = KNOWLEDGE / "course_fits.toml"

# The fit's own version: bump it when the method changes (the data have their own hash, `data`).
FIT_VERSION = "2026.12.1"
MAX_DAY = 800  # the forecast reaches 2 years; a "24.5 months" follow-up still counts
LATE_DAY = 180  # from here a reported SD says how far patients' plateaus spread
WITHIN_LOG_TAU_SD = 0.5  # [I]: no cohort reports the spread of individual speeds
NOISE = {"0-10": 1.0, "0-100": 5.0}  # one rating's roughness (courses.toml [forecast.scales])
PRODUCT_SCALE = {"odi": "0-100"}  # every other fitted measure is rated 0-10
MIN_COHORTS = 3
# Two cohorts are enough only when each gives its own course (three or more time points).
MIN_POINTS_WITH_TWO = 3


@dataclass(frozen=True)
class Row:
    cohort: str
    source: str
    group: str
    measure: str
    scale: str
    day: float
    mean: float
    sd: float | None
    baseline: float | None
    use: str


def read_rows(path: Path = COHORTS) -> list[Row]:
    """The evidence table's rows."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [_row(r) for r in csv.DictReader(row for row in handle if not row.startswith("#"))]


def _row(r: Mapping[str, str]) -> Row:
    return Row(
        cohort=r["cohort"],
        source=r["source"],
        group=r["group"],
        measure=r["measure"],
        scale=r["scale"],
        day=float(r["day"]),
        mean=float(r["mean"]),
        sd=float(r["sd"]) if r["sd"] else None,
        baseline=float(r["baseline_mean"]) if r["baseline_mean"] else None,
        use=r["use"],
    )


def burden(row: Row, value: float) -> float | None:
    """A reported value as the product's burden on the measure's own scale (0-10, or 0-100 for the ODI);
    None for a scale that is not a mean score (proportions of patients, metres, medians)."""
    product = PRODUCT_SCALE.get(row.measure, "0-10")
    if row.scale == product:
        return value
    if row.scale == "0-100" and product == "0-10":
        return value / 10
    if row.scale == "mrc-0-5":  # muscle power: the weakness is what is missing from normal power (5)
        return 5.0 - value
    return None


def series_of(rows: Iterable[Row]) -> dict[tuple[str, str], list[Series]]:
    """Each cohort's course as shares of its pre-operative mean, by (measure, group)."""
    points: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
    baselines: dict[tuple[str, str, str], float] = {}
    for row in rows:
        if row.use != "fit":
            continue
        key = (row.measure, row.group, row.cohort)
        if row.scale == "%-improved":  # mean improvement from baseline, in per cent
            baselines[key] = 1.0
            if row.day > 0:
                points[key].append((row.day, 1 - row.mean / 100))
            continue
        value = burden(row, row.mean)
        if value is None:
            continue
        if row.day == 0:
            baselines[key] = value
        else:
            points[key].append((row.day, value))
        if row.baseline is not None and key not in baselines:
            base = burden(row, row.baseline)
            if base is not None:
                baselines[key] = base
    found: dict[tuple[str, str], list[Series]] = defaultdict(list)
    for (measure, group, cohort), pts in sorted(points.items()):
        base = baselines.get((measure, group, cohort))
        kept = sorted((d, v) for d, v in pts if d <= MAX_DAY)
        if base and base > 0 and kept:
            found[(measure, group)].append(
                Series(cohort, tuple(d for d, _ in kept), tuple(round(v / base, 4) for _, v in kept))
            )
    return dict(found)


def fittable(series: Sequence[Series]) -> str | None:
    """Why a course cannot be fitted from these cohorts, or None when it can."""
    days = {d for s in series for d in s.days}
    if len(series) >= MIN_COHORTS and len(days) >= 2:
        return None
    if len(series) == 2 and all(len(s.days) >= MIN_POINTS_WITH_TWO for s in series):
        return None
    if len(series) < 2:
        return f"{len(series)} cohort(s) with a usable mean"
    if len(days) < 2:
        return "every cohort reports the same single time point, so plateau and speed cannot be told apart"
    return f"{len(series)} cohorts, not each with a course of its own"


def within_plateau_sd(rows: Iterable[Row]) -> tuple[float, int]:
    """The spread of plateaus between patients of one cohort (share of the pre-operative mean): the median
    over reported SDs from LATE_DAY on, less one rating's roughness."""
    shares = []
    for row in rows:
        if row.use != "fit" or row.sd is None or row.day < LATE_DAY or row.baseline is None:
            continue
        scale = PRODUCT_SCALE.get(row.measure, "0-10")
        sd, base = burden(row, row.sd), burden(row, row.baseline)
        if row.scale == "mrc-0-5":
            sd = row.sd
        if sd is None or base is None or base <= 0:
            continue
        shares.append(math.sqrt(max(0.0, sd**2 - NOISE[scale] ** 2)) / base)
    return statistics.median(shares), len(shares)


@dataclass(frozen=True)
class CourseFit:
    measure: str
    group: str
    fit: Fit
    series: tuple[Series, ...]
    sources: tuple[str, ...]


def fit_all(rows: Sequence[Row]) -> tuple[list[CourseFit], dict[tuple[str, str], str]]:
    """Every course that can be fitted, and why each other one cannot."""
    sources: dict[str, str] = {row.cohort: row.source for row in rows}
    fits, skipped = [], {}
    for (measure, group), series in sorted(series_of(rows).items()):
        reason = fittable(series)
        if reason:
            skipped[(measure, group)] = reason
            continue
        fits.append(
            CourseFit(measure, group, fit(series), tuple(series), tuple(sorted({sources[s.cohort] for s in series})))
        )
    return fits, skipped


def render(rows: Sequence[Row], data_hash: str) -> str:
    """The text of course_fits.toml."""
    fits, skipped = fit_all(rows)
    within, n_within = within_plateau_sd(rows)
    out = [
        "# Generated by `python -m benchmarks.fit_courses` from cohorts.csv: do not edit by hand.",
        "# Population courses fitted across published cohorts (random effects over cohorts; see",
        "# benchmarks/course_fit.py). Shares are of the pre-operative mean. plateau_sd and log_tau_sd are the",
        "# spreads between patients the forecast starts from: the between-cohort spread estimated here plus",
        f"# the within-cohort spread (plateau: median of {n_within} reported late SDs; "
        f"speed: {WITHIN_LOG_TAU_SD} [I]).",
        f'version = "{FIT_VERSION}"',
        f'data = "{data_hash}"  # sha256 of cohorts.csv (first 16 hex digits)',
        f"within_plateau_sd = {within:.3f}",
        f"within_log_tau_sd = {WITHIN_LOG_TAU_SD}",
        "",
    ]
    for cf in fits:
        f = cf.fit
        plateau = min(max(f.plateau, 0.02), 0.95)
        out += [
            "[[fit]]",
            f'symptom = "{cf.measure}"',
            f'group = "{cf.group}"',
            f"plateau = {plateau:.3f}",
            f"tau_days = {f.tau_days:.1f}",
            f"plateau_sd = {math.hypot(f.sd_plateau, within):.3f}",
            f"log_tau_sd = {math.hypot(f.sd_log_tau, WITHIN_LOG_TAU_SD):.3f}",
            f"cohort_plateau_sd = {f.sd_plateau:.3f}",
            f"cohort_log_tau_sd = {f.sd_log_tau:.3f}",
            f"residual_sd = {f.sd_residual:.3f}",
            f"cohorts = [{', '.join(repr(s.cohort).replace(chr(39), chr(34)) for s in cf.series)}]",
            f"sources = [{', '.join(chr(34) + s + chr(34) for s in cf.sources)}]",
            "residuals = [",
            *_residual_lines(f, cf.series),
            "]",
            "",
        ]
    for (measure, group), reason in sorted(skipped.items()):
        out += ["[[not_fitted]]", f'symptom = "{measure}"', f'group = "{group}"', f'reason = "{reason}"', ""]
    for m in fit_modifiers(_plateaus(fits)):
        out += [
            "[[modifier]]",
            f'id = "{m.modifier}"',
            f'measured_on = "{m.measure}/{m.group}"',
            f"ratio = {m.ratio:.3f}",
            f"plateau_shift = {m.plateau_shift:.3f}",
            f"sources = [{', '.join(chr(34) + s + chr(34) for s in m.sources)}]",
            "",
        ]
    return "\n".join(out)


def _plateaus(fits: Sequence[CourseFit]) -> dict[tuple[str, str], float]:
    """The plateau of every course: fitted here, else as courses.toml sets it by hand."""
    import tomllib

    listed = tomllib.loads((KNOWLEDGE / "courses.toml").read_text(encoding="utf-8"))["course"]
    plateaus = {(c["symptom"], c["group"]): float(c["plateau"]) for c in listed if "plateau" in c}
    plateaus.update({(cf.measure, cf.group): min(max(cf.fit.plateau, 0.02), 0.95) for cf in fits})
    return plateaus


def _residual_lines(f: Fit, series: Sequence[Series]) -> list[str]:
    lines = []
    for s in series:
        plateau, tau = cohort_effects(f, s)
        for day, observed in zip(s.days, s.ratios, strict=True):
            population = float(f.curve(day))
            own = plateau + (1 - plateau) * math.exp(-day / tau)
            lines.append(
                f'  {{ cohort = "{s.cohort}", day = {day:.0f}, observed = {observed:.3f}, '
                f"population = {population:.3f}, cohort_curve = {own:.3f} }},"
            )
    return lines


def data_hash(path: Path = COHORTS) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    text = render(read_rows(), data_hash())
    if "--check" in args:
        if OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT.name} differs from what the fit of cohorts.csv gives: run python -m benchmarks.fit_courses")
            return 1
        print(f"{OUT.name} matches the fit of cohorts.csv")
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


@dataclass(frozen=True)
class HeldOut:
    """One published mean predicted by the course fitted without its cohort."""

    measure: str
    group: str
    cohort: str
    source: str
    day: int
    published: float
    predicted: float
    low: float
    high: float
    scale: str

    @property
    def difference(self) -> float:
        return self.predicted - self.published

    @property
    def covered(self) -> bool:
        return self.low <= self.published <= self.high

    @property
    def close(self) -> bool:
        """Within 1 point on a 0-10 scale (10 on 0-100)."""
        return abs(self.difference) <= (10.0 if self.scale == "0-100" else 1.0)


def leave_one_cohort_out(rows: Sequence[Row]) -> list[HeldOut]:
    """For every cohort of every fitted course: the course fitted without it, started from the cohort's own
    pre-operative mean, against each mean it published, with the 80% band for a new cohort's mean."""
    from benchmarks.course_fit import band

    sources = {row.cohort: row.source for row in rows}
    baselines = _baselines(rows)
    out = []
    for (measure, group), series in sorted(series_of(rows).items()):
        if fittable(series):
            continue
        for held in series:
            rest = [s for s in series if s.cohort != held.cohort]
            if fittable(rest):
                continue
            course = fit(rest)
            base = baselines[(measure, group, held.cohort)]
            for day, ratio in zip(held.days, held.ratios, strict=True):
                low, high = band(course, day)
                out.append(
                    HeldOut(
                        measure,
                        group,
                        held.cohort,
                        sources[held.cohort],
                        int(day),
                        ratio * base,
                        float(course.curve(day)) * base,
                        low * base,
                        high * base,
                        PRODUCT_SCALE.get(measure, "0-10"),
                    )
                )
    return out


def _baselines(rows: Iterable[Row]) -> dict[tuple[str, str, str], float]:
    """Each cohort's pre-operative mean on the product's scale (a %-improved series counts 10 points, 100 on
    the ODI, so its shares read as points)."""
    found: dict[tuple[str, str, str], float] = {}
    for row in rows:
        key = (row.measure, row.group, row.cohort)
        if row.scale == "%-improved":
            found.setdefault(key, 100.0 if PRODUCT_SCALE.get(row.measure) == "0-100" else 10.0)
            continue
        value = burden(row, row.mean) if row.day == 0 else None
        if value is None and row.baseline is not None and key not in found:
            value = burden(row, row.baseline)
        if value is not None:
            found[key] = value
    return found


MODIFIERS = KNOWLEDGE / "modifier_studies.csv"


@dataclass(frozen=True)
class ModifierFit:
    modifier: str
    group: str
    measure: str
    ratio: float  # residual level with the factor over without, pooled (geometric mean) over the studies
    plateau_shift: float  # on the group's fitted (or hand-set) course: (ratio - 1) * plateau
    sources: tuple[str, ...]


def fit_modifiers(plateaus: Mapping[tuple[str, str], float], path: Path = MODIFIERS) -> list[ModifierFit]:
    """Each modifier's plateau shift from the studies that compare it: the pooled ratio of the residual level
    with and without the factor, applied to the plateau of the course it was measured on."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    ratios: dict[tuple[str, str, str], list[tuple[float, str]]] = defaultdict(list)
    for r in rows:
        with_, without = float(r["with"]), float(r["without"])
        if r["kind"] == "improved-%":
            with_, without = 100 - with_, 100 - without
        ratios[(r["modifier"], r["group"], r["measure"])].append((math.log(with_ / without), r["source"]))
    out = []
    for (modifier, group, measure), found in sorted(ratios.items()):
        ratio = math.exp(statistics.fmean(v for v, _ in found))
        plateau = plateaus[(measure, group)]
        out.append(
            ModifierFit(modifier, group, measure, ratio, (ratio - 1) * plateau, tuple(sorted({s for _, s in found})))
        )
    return out


if __name__ == "__main__":
    raise SystemExit(main())
