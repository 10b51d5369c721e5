"""Trend tests and forecasts: is an indicator moving, and will the target be met?

``trend_test`` follows Fingertips: only the last five comparable years count and the
test is at the 99.8% level. With numerators and denominators it is the χ² test for
trend in proportions (Cochran–Armitage, year as score; rates whose numerator is part of
the denominator population are tested the same way). Published values without counts
(averages, medians) use the t-test of an ordinary least-squares slope.

``forecast`` judges a goal. A target year already measured is ``gehaald`` or ``niet
gehaald`` on its published (rounded) value. Otherwise it fits a robust line (Theil–Sen)
through the comparable years on the indicator's scale (``SCALES``: percentages and
shares on the logit scale, rates and counts on the log scale, so the forecast never
leaves the possible range) and takes as 95% prediction interval the envelope of two: a
line with independent errors, and a random walk with drift — the interval stays honest
when years are autocorrelated (``benchmarks/calibration.py``: coverage >= 94% from
independent noise to a random walk, where the line alone fell to 58%). Compared with the
target, on the bounds as shown: ``op koers`` (the whole interval meets the target),
``risico`` (the target lies in the interval), ``uit koers`` (the whole interval misses
it) or ``onbekend`` (fewer than four comparable years) — each status with a
one-sentence Dutch explanation that names the figures it was decided on.

Figures are written with the catalogue's decimals; a target with more decimals than
its indicator shows (6,3 for a percentage without decimals) is written and compared
with the decimals it needs (``target_decimals``), never rounded into a figure that
contradicts its status. A target already met in the newest measured year is still
judged by the forecast for the target year — the interval decides: the whole interval
meets it (``op koers``), or the interval holds values that miss it (``risico``) — and
the explanation then says that the newest value meets it already.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.model import AT_RISK, MET, NOT_MET, OFF_TRACK, ON_TRACK, UNKNOWN
from helpers.numbers import format_number

__all__ = ["TrendResult", "trend_test", "Forecast", "forecast", "prediction_interval",
           "target_status", "target_decimals", "SCALES", "TREND_YEARS",
           "MIN_FORECAST_YEARS", "direction"]


def _scipy_stats():
    """scipy.stats, imported on first use: it costs ~0.8 s, and a process that only
    reads a programme budget (the scheduler planning a run) never needs it."""
    from scipy import stats

    return stats


TREND_YEARS = 5
MIN_FORECAST_YEARS = 4
TREND_ALPHA = 0.002  # 99.8%
# the scales a forecast is made on: bounded (0–100, 0–1), never below 0, or as given
SCALES = ("percentage", "share", "rate", "count", "free")


@dataclass(frozen=True)
class TrendResult:
    trend: str  # stijgend | dalend | geen trend | onbekend
    assessment: str  # verbetert | verslechtert | stijgend | dalend | geen trend | onbekend
    p_value: float | None
    years: tuple[int, ...]
    method: str
    # a significant slope keeps its sign when each one year is left out (None: not asked)
    stable: bool | None = None


def _assess(trend: str, polarity: str) -> str:
    if trend not in ("stijgend", "dalend") or polarity == "neutral":
        return trend
    up_is_good = polarity == "higher_is_better"
    return "verbetert" if (trend == "stijgend") == up_is_good else "verslechtert"


def trend_test(years, values, numerators=None, denominators=None,
               polarity: str = "neutral") -> TrendResult:
    """Test the last five comparable years for a trend, at 99.8%.

    The test follows what the years hold:

    * a numerator and denominator every year (numerator ≤ denominator): the χ² test for
      trend in proportions (Cochran–Armitage, year as score), as Fingertips;
    * a numerator every year and no denominator, the values being those counts (e.g.
      ``woningvoorraad``): Poisson regression, log-linear in the year, with the slope's
      variance scaled by the Pearson dispersion and tested with t on n − 2 degrees of
      freedom (quasi-Poisson: a registered count varies around its trend by more or less
      than a Poisson count would, and five years are too few to know which);
    * otherwise (published averages, medians, shares without counts): the t-test of an
      ordinary least-squares slope.

    A significant slope is only called ``stijgend`` / ``dalend`` when its sign survives
    leaving out each one of the years (``stable``); else it is ``geen trend`` and the
    method says why.

    Examples
    --------
    >>> trend_test([2019, 2020, 2021, 2022, 2023], [90, 91, 92, 93, 94],
    ...            [9000, 9100, 9200, 9300, 9400], [10000] * 5).trend
    'stijgend'
    """
    years = np.asarray(years, dtype=float)
    values = np.asarray(values, dtype=float)
    order = np.argsort(years)
    years, values = years[order], values[order]
    num = None if numerators is None else np.asarray(numerators, dtype=float)[order]
    den = None if denominators is None else np.asarray(denominators, dtype=float)[order]
    keep = ~np.isnan(values)  # a year with a value counts, also a share without counts
    years, values = years[keep][-TREND_YEARS:], values[keep][-TREND_YEARS:]
    used = tuple(int(y) for y in years)
    if len(years) < TREND_YEARS:
        return TrendResult(UNKNOWN, UNKNOWN, None, used, "te weinig jaren")
    r = None if num is None else num[keep][-TREND_YEARS:]
    n = None if den is None else den[keep][-TREND_YEARS:]
    test, name = _slope_test, "t-toets op de helling"
    if r is not None and not np.isnan(r).any():
        if n is not None and not np.isnan(n).any() and np.all(r <= n) and np.all(n > 0):
            test, name = _chi2_trend, "χ²-toets voor trend"
        elif (n is None or np.isnan(n).all()) and np.all(r >= 0) and np.allclose(r, values):
            test, name = _poisson_trend, "quasi-Poisson-regressie op de aantallen"
    p, slope = test(years, values, r, n)
    if p is None:  # the χ² test has no variance (no events, or all): the values' slope
        (p, slope), name = _slope_test(years, values, r, n), "t-toets op de helling"
    method = f"{name} (99,8%)"
    trend = "geen trend" if p >= TREND_ALPHA or slope == 0 else (
        "stijgend" if slope > 0 else "dalend")
    stable = None
    if trend != "geen trend":
        drops = [np.arange(len(years)) != i for i in range(len(years))]
        stable = all(np.sign(test(years[d], values[d], None if r is None else r[d],
                                  None if n is None else n[d])[1]) == np.sign(slope)
                     for d in drops)
        if not stable:
            method += (f"; de richting houdt geen stand als één jaar wordt weggelaten, "
                       f"dus geen trend (was {trend})")
            trend = "geen trend"
    return TrendResult(trend, _assess(trend, polarity), p, used, method, stable)


def _slope_test(years, values, r, n) -> tuple[float, float]:
    """``(p, slope)`` of the ordinary least-squares slope of the values (t-test)."""
    if np.allclose(values, values[0]):
        return 1.0, 0.0
    fit = _scipy_stats().linregress(years, values)
    return (float(fit.pvalue) if np.isfinite(fit.pvalue) else 1.0), float(fit.slope)


def _chi2_trend(years, values, r, n) -> tuple[float | None, float]:
    """``(p, statistic)`` of the χ² test for trend in proportions (``p`` None when the
    pooled proportion is 0 or 1)."""
    p_bar = r.sum() / n.sum()
    t = years - years.mean()
    statistic = float(np.sum(t * (r - n * p_bar)))
    variance = p_bar * (1 - p_bar) * (np.sum(n * t**2) - np.sum(n * t) ** 2 / n.sum())
    if not variance > 0:
        return None, statistic
    return float(_scipy_stats().chi2.sf(statistic**2 / variance, 1)), statistic


def _poisson_trend(years, values, r, n) -> tuple[float, float]:
    """``(p, slope)`` of a quasi-Poisson regression ``log μ = a + b·year``
    (Newton–Raphson): the slope's variance scaled by the Pearson dispersion, t with
    n − 2 degrees of freedom."""
    if np.allclose(r, r[0]):
        return 1.0, 0.0
    t = years - years.mean()
    design = np.column_stack([np.ones_like(t), t])
    beta = np.array([np.log(r.mean()), 0.0])
    converged = False
    with np.errstate(over="ignore", under="ignore"):
        for _ in range(100):
            mu = np.exp(design @ beta)
            try:
                step = np.linalg.solve(design.T @ (mu[:, None] * design), design.T @ (r - mu))
            except np.linalg.LinAlgError:
                break
            beta = beta + step
            if not np.all(np.isfinite(beta)):
                break
            if np.max(np.abs(step)) < 1e-10:
                converged = True
                break
    if not converged:  # e.g. counts 0 0 0 0 5: no finite slope fits, so the values' slope
        return _slope_test(years, values, r, n)
    mu = np.exp(design @ beta)
    dof = len(r) - 2
    dispersion = float(np.sum((r - mu) ** 2 / mu) / dof)
    variance = np.linalg.inv(design.T @ (mu[:, None] * design))[1, 1] * dispersion
    with np.errstate(divide="ignore"):
        t_value = abs(beta[1]) / np.sqrt(variance)
    return float(2 * _scipy_stats().t.sf(t_value, dof)), float(beta[1])


@dataclass(frozen=True)
class Forecast:
    status: str  # one of model.TARGET_STATUSES
    expected: float | None  # the forecast; for a target year reached: the value judged
    lower: float | None
    upper: float | None
    target_year: int
    target: float
    years: tuple[int, ...]
    explanation: str


def direction(polarity: str, baseline: float | None, target: float) -> str:
    """``up`` or ``down``: the way the goal wants the indicator to move."""
    if polarity == "higher_is_better":
        return "up"
    if polarity == "lower_is_better":
        return "down"
    if baseline is not None and np.isfinite(baseline) and target != baseline:
        return "up" if target > baseline else "down"
    return "up"


# the scale a forecast is made on: its upper bound (None: unbounded) and transformation
_BOUNDED = {"percentage": 100.0, "share": 1.0}
_LOG = ("rate", "count")


def _check_scale(scale: str) -> None:
    if scale not in SCALES:
        raise ValueError(f"forecast scale {scale!r} is not one of {', '.join(SCALES)}; "
                         "see helpers.analysis.trends.SCALES")


def _floor_value(scale: str, decimals: int) -> float:
    """The smallest value the transformation takes: half a unit of the last decimal (a
    published 0 lies in [0, unit/2)), at most a quarter of a bounded scale."""
    half = 10.0 ** -decimals / 2
    return min(half, _BOUNDED[scale] / 4) if scale in _BOUNDED else half


def _to_scale(values: np.ndarray, scale: str, decimals: int) -> tuple[np.ndarray, np.ndarray]:
    """The values on the forecast scale and the derivative of the transformation there."""
    if scale == "free":
        return values, np.ones_like(values)
    low = _floor_value(scale, decimals)
    if scale in _LOG:
        clamped = np.maximum(values, low)
        return np.log(clamped), 1 / clamped
    top = _BOUNDED[scale]
    clamped = np.clip(values, low, top - low)
    return np.log(clamped / (top - clamped)), top / (clamped * (top - clamped))


def _from_scale(z: np.ndarray, scale: str) -> np.ndarray:
    if scale == "free":
        return z
    if scale in _LOG:
        return np.exp(z)
    return _BOUNDED[scale] / (1 + np.exp(-z))


def _theil_sen(years: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Theil–Sen slope and intercept of every row of ``z`` (as ``scipy.stats.theilslopes``:
    the median of the pairwise slopes; intercept median(z) − slope · median(years))."""
    i, j = np.triu_indices(len(years), 1)
    slope = np.median((z[:, j] - z[:, i]) / (years[j] - years[i]), axis=1)
    return slope, np.median(z, axis=1) - slope * np.median(years)


def _trend_band(years, z, at, floor, t) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A straight line with independent errors: the Theil–Sen line and its prediction
    interval ``±t · s · √(1 + 1/n + (at − x̄)² / Sxx)`` (s: the residual spread, never
    below ``floor``). Rows of ``z`` are series; returns (centre, lower, upper), rows × at."""
    n = len(years)
    slope, intercept = _theil_sen(years, z)
    fitted = intercept[:, None] + slope[:, None] * years
    spread = np.maximum(np.sqrt(np.sum((z - fitted) ** 2, axis=1) / (n - 2)), floor)
    sxx = np.sum((years - years.mean()) ** 2)
    centre = intercept[:, None] + slope[:, None] * at
    half = t * spread[:, None] * np.sqrt(1 + 1 / n + (at - years.mean()) ** 2 / sxx)
    return centre, centre - half, centre + half


def _drift_band(years, z, at, floor, t) -> tuple[np.ndarray, np.ndarray]:
    """A random walk with drift: from the last value on, the mean yearly change
    ``d = (z_last − z_first) / span``; the variance of a change over ``g`` years is
    ``g σ²`` (σ² from the n − 1 changes, n − 2 degrees of freedom, never below the
    rounding error of a difference), so at ``h`` years ahead ``σ² (h + h² / span)``."""
    n = len(years)
    gaps = np.diff(years)
    span = years[-1] - years[0]
    drift = (z[:, -1] - z[:, 0]) / span
    steps = np.diff(z, axis=1) - drift[:, None] * gaps
    sigma = np.maximum(np.sqrt(np.sum(steps**2 / gaps, axis=1) / (n - 2)), floor * np.sqrt(2))
    ahead = np.maximum(at - years[-1], 0)
    centre = z[:, -1:] + drift[:, None] * ahead
    half = t * sigma[:, None] * np.sqrt(ahead + ahead**2 / span)
    return centre - half, centre + half


def prediction_interval(years, values, at, decimals: int = 1, confidence: float = 0.95,
                        scale: str = "free") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Forecast of ``(years, values)`` (no missing values, n >= 3 distinct years) at the
    years ``at``: ``(expected, lower, upper)`` arrays, on the indicator's own scale.

    The values are first put on ``scale`` (``SCALES``: a percentage or share on the logit
    scale, a rate or count on the log scale, ``free`` as they are), so that neither the
    forecast nor its interval can leave the possible range. ``expected`` is the Theil–Sen
    line. The interval is the envelope of two 95% prediction intervals: a straight line
    with independent errors and a random walk with drift. Municipal series are
    autocorrelated and four to ten years cannot tell the two apart; with the envelope the
    interval keeps its coverage from independent noise to a random walk
    (``benchmarks/calibration.py``). Every spread is at least the rounding error of the
    published values (uniform over one unit of the last decimal, sd = unit / √12).

    ``values`` may be one series or a 2-D array of series (rows) over the same years; the
    results then have one row per series.

    Examples
    --------
    >>> expected, lower, upper = prediction_interval(
    ...     [2019, 2020, 2021, 2022], [96.0, 97.0, 98.0, 99.0], [2026], scale="percentage")
    >>> bool(upper[0] < 100) and bool(lower[0] < expected[0] < upper[0])
    True
    """
    _check_scale(scale)
    years = np.asarray(years, dtype=float)
    values = np.asarray(values, dtype=float)
    at = np.asarray(at, dtype=float)
    order = np.argsort(years)
    years, rows = years[order], np.atleast_2d(values)[:, order]
    z, slope = _to_scale(rows, scale, decimals)
    floor = 10.0 ** -decimals / np.sqrt(12) * np.median(slope, axis=1)[:, None]
    t = _scipy_stats().t.ppf(1 - (1 - confidence) / 2, len(years) - 2)
    centre, low_line, high_line = _trend_band(years, z, at, floor[:, 0], t)
    low_walk, high_walk = _drift_band(years, z, at, floor[:, 0], t)
    bands = (centre, np.minimum(low_line, low_walk), np.maximum(high_line, high_walk))
    out = tuple(_from_scale(band, scale) for band in bands)
    return out if values.ndim == 2 else tuple(band[0] for band in out)


def target_decimals(target: float, decimals: int, most: int = 4) -> int:
    """The decimals to write ``target`` with: the indicator's ``decimals``, or more when
    the target has more (at most ``most``), so that it is never shown rounded.

    >>> target_decimals(6.3, 0), target_decimals(68.0, 0), target_decimals(7.25, 1)
    (1, 0, 2)
    """
    for shown in range(decimals, most + 1):
        if abs(round(target, shown) - target) < 10.0 ** -(most + 2):
            return shown
    return max(decimals, most)


def target_status(lower, upper, target, way: str = "up"):
    """The forecast target status (``op koers``, ``risico``, ``uit koers``) of intervals
    ``[lower, upper]`` against ``target``: the whole interval meets it, it lies in the
    interval, or the whole interval misses it. Compare the bounds as they are shown
    (rounded) with the target as it is shown (``target_decimals``: unrounded), so that
    the status agrees with the figures. Arrays give an array.

    >>> str(target_status(12.5, 14.0, 12.5, "up"))
    'op koers'
    """
    lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    meets_all = lower >= target if way == "up" else upper <= target
    misses_all = upper < target if way == "up" else lower > target
    return np.where(meets_all, ON_TRACK, np.where(misses_all, OFF_TRACK, AT_RISK))


def _meets(value: float, target: float, way: str, decimals: int) -> bool:
    """Whether a value, as it is shown (rounded to ``decimals``), meets the target."""
    shown = round(value, decimals)
    return shown >= target if way == "up" else shown <= target


def _target_text(target: float, decimals: int) -> str:
    """The target as written: never rounded (``target_decimals``)."""
    return format_number(target, target_decimals(target, decimals))


def _reached(years, values, target_year: int, target: float, way: str, decimals: int,
             used: tuple[int, ...]) -> Forecast:
    """The target year has been measured (or a later year): judged on the published value
    of the target year, or of the first later year when that one is missing."""
    index = int(np.argmax(years >= target_year))
    year, value = int(years[index]), float(values[index])
    met = _meets(value, target, way, decimals)
    status = MET if met else NOT_MET
    when = (f"In {year}" if year == target_year else
            f"In {target_year} is niet gemeten; in {year}")
    text = (f"{when} was de waarde {format_number(value, decimals)}: de streefwaarde "
            f"{_target_text(target, decimals)} voor {target_year} is "
            f"{'gehaald' if met else 'niet gehaald'}.")
    return Forecast(status, value, None, None, target_year, target, used, text)


def forecast(years, values, target_year: int, target: float, way: str = "up",
             decimals: int = 1, confidence: float = 0.95, scale: str = "free") -> Forecast:
    """Judge the target (``way`` up/down) of the indicator at ``target_year``.

    A target year already measured is ``gehaald`` or ``niet gehaald`` on its published
    (rounded) value. Otherwise the forecast on ``scale`` (see ``prediction_interval``)
    gives ``op koers``, ``risico`` or ``uit koers`` (``target_status`` on the rounded
    bounds), and fewer than ``MIN_FORECAST_YEARS`` comparable years ``onbekend``.

    >>> forecast([2020, 2021, 2022, 2023], [30, 31, 30, 32], 2022, 25).status
    'gehaald'
    """
    _check_scale(scale)
    years = np.asarray(years, dtype=float)
    values = np.asarray(values, dtype=float)
    keep = ~np.isnan(values)
    years, values = years[keep], values[keep]
    order = np.argsort(years)
    years, values = years[order], values[order]
    used = tuple(int(y) for y in years)
    goal = _target_text(target, decimals)
    if len(years) and years[-1] >= target_year:
        return _reached(years, values, target_year, target, way, decimals, used)
    if len(years) < MIN_FORECAST_YEARS:
        return Forecast(UNKNOWN, None, None, None, target_year, target, used,
                        f"Te weinig vergelijkbare jaren ({len(years)}) om te voorspellen of de "
                        f"streefwaarde {goal} in {target_year} wordt gehaald; minimaal "
                        f"{MIN_FORECAST_YEARS} nodig.")
    expected, lower, upper = (float(v[0]) for v in prediction_interval(
        years, values, [target_year], decimals, confidence, scale))
    status = str(target_status(round(lower, decimals), round(upper, decimals), target, way))
    span = f"tussen {format_number(lower, decimals)} en {format_number(upper, decimals)}"
    newest = float(values[-1])
    if _meets(newest, target, way, decimals):  # met already: say so, the interval decides
        now = (f"In {int(years[-1])} haalde de waarde {format_number(newest, decimals)} de "
               f"streefwaarde {goal} al")
        text = {
            ON_TRACK: f"{now}; bij de huidige ontwikkeling komt de waarde in {target_year} "
                      f"naar verwachting {span} uit: de streefwaarde blijft gehaald.",
            AT_RISK: f"{now}, maar bij de huidige ontwikkeling komt de waarde in "
                     f"{target_year} naar verwachting {span} uit: de streefwaarde ligt "
                     f"binnen die marge, dus het doel kan in {target_year} alsnog worden "
                     "gemist.",
            OFF_TRACK: f"{now}, maar bij de huidige ontwikkeling komt de waarde in "
                       f"{target_year} naar verwachting {span} uit: de streefwaarde wordt "
                       "dan zonder bijsturing niet meer gehaald.",
        }[status]
        return Forecast(status, expected, lower, upper, target_year, target, used, text)
    text = {
        ON_TRACK: f"Bij de huidige ontwikkeling komt de waarde in {target_year} naar "
                  f"verwachting {span} uit: de streefwaarde {goal} wordt gehaald.",
        AT_RISK: f"Bij de huidige ontwikkeling komt de waarde in {target_year} naar "
                 f"verwachting {span} uit: de streefwaarde {goal} ligt binnen die marge en "
                 "wordt mogelijk niet gehaald.",
        OFF_TRACK: f"Bij de huidige ontwikkeling komt de waarde in {target_year} naar "
                   f"verwachting {span} uit: de streefwaarde {goal} wordt niet gehaald "
                   "zonder bijsturing.",
    }[status]
    return Forecast(status, expected, lower, upper, target_year, target, used, text)
