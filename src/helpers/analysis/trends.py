"""Trend tests and forecasts: is an indicator moving, and will the target be met?

``trend_test`` follows Fingertips: only the last five comparable years count and the
test is at the 99.8% level. With numerators and denominators it is the χ² test for
trend in proportions (Cochran–Armitage, year as score; rates whose numerator is part of
the denominator population are tested the same way). Published values without counts
(averages, medians) use the t-test of an ordinary least-squares slope.

``forecast`` fits a robust line (Theil–Sen) through the comparable years and gives a
95% prediction interval at the target year (from the fit's residual spread — never
less than the rounding error of the published values — and t with n − 2 degrees of
freedom). Compared with the target that gives the target status:
``op koers`` (the whole interval meets the target), ``risico`` (the target lies in the
interval), ``uit koers`` (the whole interval misses it) or ``onbekend`` (fewer than four
comparable years) — each with a one-sentence Dutch explanation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.model import AT_RISK, OFF_TRACK, ON_TRACK, UNKNOWN
from helpers.numbers import format_number

__all__ = ["TrendResult", "trend_test", "Forecast", "forecast", "prediction_interval",
           "TREND_YEARS",
           "MIN_FORECAST_YEARS", "direction"]


def _scipy_stats():
    """scipy.stats, imported on first use: it costs ~0.8 s, and a process that only
    reads a programme budget (the scheduler planning a run) never needs it."""
    from scipy import stats

    return stats


TREND_YEARS = 5
MIN_FORECAST_YEARS = 4
TREND_ALPHA = 0.002  # 99.8%


@dataclass(frozen=True)
class TrendResult:
    trend: str  # stijgend | dalend | geen trend | onbekend
    assessment: str  # verbetert | verslechtert | stijgend | dalend | geen trend | onbekend
    p_value: float | None
    years: tuple[int, ...]
    method: str


def _assess(trend: str, polarity: str) -> str:
    if trend not in ("stijgend", "dalend") or polarity == "neutral":
        return trend
    up_is_good = polarity == "higher_is_better"
    return "verbetert" if (trend == "stijgend") == up_is_good else "verslechtert"


def trend_test(years, values, numerators=None, denominators=None,
               polarity: str = "neutral") -> TrendResult:
    """Test the last five comparable years for a trend (see the module docstring)."""
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
    if num is not None and den is not None:
        r, n = num[keep][-TREND_YEARS:], den[keep][-TREND_YEARS:]
        # the χ² test only when every year has its counts; else the slope of the values
        if not (np.isnan(r).any() or np.isnan(n).any()) and np.all(r <= n) and np.all(n > 0):
            p_bar = r.sum() / n.sum()
            t = years - years.mean()
            statistic = np.sum(t * (r - n * p_bar))
            variance = p_bar * (1 - p_bar) * (np.sum(n * t**2) - np.sum(n * t) ** 2 / n.sum())
            if variance > 0:
                chi2 = statistic**2 / variance
                p = float(_scipy_stats().chi2.sf(chi2, 1))
                trend = ("geen trend" if p >= TREND_ALPHA
                         else "stijgend" if statistic > 0 else "dalend")
                return TrendResult(trend, _assess(trend, polarity), p, used,
                                   "χ²-toets voor trend (99,8%)")
    fit = _scipy_stats().linregress(years, values)
    p = float(fit.pvalue) if np.isfinite(fit.pvalue) else 1.0
    if np.allclose(values, values[0]):
        p = 1.0
    trend = "geen trend" if p >= TREND_ALPHA else "stijgend" if fit.slope > 0 else "dalend"
    return TrendResult(trend, _assess(trend, polarity), p, used, "t-toets op de helling (99,8%)")


@dataclass(frozen=True)
class Forecast:
    status: str  # op koers | risico | uit koers | onbekend
    expected: float | None
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


def prediction_interval(years, values, at, decimals: int = 1, confidence: float = 0.95
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Theil–Sen fit through ``(years, values)`` (no missing values, n >= 3) and its
    prediction interval at the years ``at``: ``(expected, lower, upper)`` arrays."""
    years = np.asarray(years, dtype=float)
    values = np.asarray(values, dtype=float)
    at = np.asarray(at, dtype=float)
    slope, intercept, _, _ = _scipy_stats().theilslopes(values, years)
    fitted = intercept + slope * years
    n = len(years)
    # published values are rounded to `decimals`: their error is at least that of
    # rounding (uniform over one unit of the last decimal, sd = unit / sqrt(12))
    floor = 10.0 ** -decimals / np.sqrt(12)
    spread = max(np.sqrt(np.sum((values - fitted) ** 2) / (n - 2)), floor)
    sxx = np.sum((years - years.mean()) ** 2)
    t = _scipy_stats().t.ppf(1 - (1 - confidence) / 2, n - 2)
    expected = intercept + slope * at
    half = t * spread * np.sqrt(1 + 1 / n + (at - years.mean()) ** 2 / sxx)
    return expected, expected - half, expected + half


def forecast(years, values, target_year: int, target: float, way: str = "up",
             decimals: int = 1, confidence: float = 0.95) -> Forecast:
    """Forecast the indicator at ``target_year`` and judge the target (``way`` up/down)."""
    years = np.asarray(years, dtype=float)
    values = np.asarray(values, dtype=float)
    keep = ~np.isnan(values)
    years, values = years[keep], values[keep]
    order = np.argsort(years)
    years, values = years[order], values[order]
    used = tuple(int(y) for y in years)
    goal = format_number(target, decimals)
    if len(years) < MIN_FORECAST_YEARS:
        return Forecast(UNKNOWN, None, None, None, target_year, target, used,
                        f"Te weinig vergelijkbare jaren ({len(years)}) om te voorspellen of de "
                        f"streefwaarde {goal} in {target_year} wordt gehaald; minimaal "
                        f"{MIN_FORECAST_YEARS} nodig.")
    expected, lower, upper = (float(v[0]) for v in prediction_interval(
        years, values, [target_year], decimals, confidence))
    meets_all = lower >= target if way == "up" else upper <= target
    misses_all = upper < target if way == "up" else lower > target
    status = ON_TRACK if meets_all else OFF_TRACK if misses_all else AT_RISK
    span = f"tussen {format_number(lower, decimals)} en {format_number(upper, decimals)}"
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
    return Forecast(status, float(expected), float(lower), float(upper), target_year, target,
                    used, text)
