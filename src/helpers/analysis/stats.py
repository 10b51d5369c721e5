"""Confidence intervals and comparisons, as in the PHE/OHID Fingertips technical guide.

All functions are vectorised: they take scalars, numpy arrays or pandas Series and
return the same shape (Series keep their index). Missing inputs give missing outputs.

* ``wilson_ci(numerator, denominator)`` — Wilson score interval for a proportion.
* ``byar_ci(count)`` — Byar's approximation of the exact Poisson interval for a count;
  for a rate divide by the denominator and multiply by the scale (``rate_ci``).
* ``t_ci(mean, sd, n)`` — Student's t interval for a mean.
* ``compare(lower, upper, parent, polarity)`` — is the area's interval clear of its
  parent's value? → ``beter`` / ``gelijk`` / ``slechter`` (or ``hoger`` / ``lager`` for
  neutral indicators) / ``niet vergeleken``.

Confidence is given as a fraction (0.95) or a percentage (95, 99.8).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.errors import StatisticsError

__all__ = ["confidence_level", "z_value", "wilson_ci", "byar_ci", "rate_ci", "t_ci",
           "compare", "observation_intervals", "compare_with_parent", "LEVELS"]


def _scipy_stats():
    """scipy.stats, imported on first use: it costs ~0.8 s, and a process that only
    reads a programme budget (the scheduler planning a run) never needs it."""
    from scipy import stats

    return stats


LEVELS = (0.95, 0.998)  # Fingertips' two significance levels


def confidence_level(confidence: float) -> float:
    """0.95 or 95 → 0.95; refuses levels outside 0.90–0.9999."""
    value = float(confidence)
    if value > 1:
        value /= 100.0
    if not 0.9 <= value < 1:
        raise StatisticsError(
            f"confidence {confidence!r} is outside 0.90–1 (give e.g. 0.95, 95 or 99.8).")
    return value


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile for a confidence level."""
    return float(_scipy_stats().norm.ppf(1 - (1 - confidence_level(confidence)) / 2))


def _arrays(*values):
    index = next((v.index for v in values if isinstance(v, pd.Series)), None)
    arrays = [np.asarray(v, dtype=float) for v in values]
    return index, arrays


def _wrap(index, *arrays):
    if index is not None:
        return tuple(pd.Series(a, index=index) for a in arrays)
    if all(a.ndim == 0 for a in arrays):
        return tuple(float(a) for a in arrays)
    return arrays


def wilson_ci(numerator, denominator, confidence: float = 0.95):
    """Wilson score interval ``(lower, upper)`` of the proportion numerator/denominator.

    Examples
    --------
    >>> lo, hi = wilson_ci(81, 263)
    >>> round(lo, 4), round(hi, 4)
    (0.2553, 0.3662)
    """
    z = z_value(confidence)
    index, (num, den) = _arrays(numerator, denominator)
    valid = ~(np.isnan(num) | np.isnan(den))
    if np.any(num[valid] < 0) or np.any(den[valid] < 0):
        raise StatisticsError("wilson_ci: numerators and denominators cannot be negative.")
    if np.any((num > den)[valid & (den > 0)]):
        raise StatisticsError("wilson_ci: a numerator is larger than its denominator; a "
                              "proportion needs numerator <= denominator.")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = num / den
        root = z * np.sqrt(z**2 + 4 * num * (1 - p))
        lower = (2 * num + z**2 - root) / (2 * (den + z**2))
        upper = (2 * num + z**2 + root) / (2 * (den + z**2))
    bad = ~valid | (den == 0)
    lower, upper = np.where(bad, np.nan, lower), np.where(bad, np.nan, upper)
    return _wrap(index, lower, upper)


def byar_ci(count, confidence: float = 0.95):
    """Byar's interval ``(lower, upper)`` for a Poisson count (PHE's method).

    Examples
    --------
    >>> lo, hi = byar_ci(100)
    >>> round(lo, 2), round(hi, 2)
    (81.36, 121.63)
    """
    z = z_value(confidence)
    index, (obs,) = _arrays(count)
    valid = ~np.isnan(obs)
    if np.any(obs[valid] < 0):
        raise StatisticsError("byar_ci: counts cannot be negative.")
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = obs * (1 - 1 / (9 * obs) - z / (3 * np.sqrt(obs))) ** 3
        upper = (obs + 1) * (1 - 1 / (9 * (obs + 1)) + z / (3 * np.sqrt(obs + 1))) ** 3
    lower = np.where(obs == 0, 0.0, lower)
    lower, upper = np.where(valid, lower, np.nan), np.where(valid, upper, np.nan)
    return _wrap(index, lower, upper)


def rate_ci(count, denominator, scale: float = 1.0, confidence: float = 0.95):
    """Interval of a rate ``count / denominator × scale`` from Byar's count interval."""
    lower, upper = byar_ci(count, confidence)
    index, (den,) = _arrays(denominator)
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.asarray(lower, dtype=float) / den * scale
        hi = np.asarray(upper, dtype=float) / den * scale
    bad = np.isnan(den) | (den <= 0)
    return _wrap(index, np.where(bad, np.nan, lo), np.where(bad, np.nan, hi))


def t_ci(mean, sd, n, confidence: float = 0.95):
    """Student's t interval of a mean from its standard deviation and sample size."""
    level = confidence_level(confidence)
    index, (m, s, size) = _arrays(mean, sd, n)
    valid = ~(np.isnan(m) | np.isnan(s) | np.isnan(size))
    if np.any(size[valid] < 2) or np.any(s[valid] < 0):
        raise StatisticsError("t_ci: needs n >= 2 and a non-negative standard deviation.")
    with np.errstate(invalid="ignore"):
        t = _scipy_stats().t.ppf(1 - (1 - level) / 2, np.where(valid, size - 1, 1))
        half = t * s / np.sqrt(size)
    return _wrap(index, np.where(valid, m - half, np.nan), np.where(valid, m + half, np.nan))


_POLARITY = {
    "higher_is_better": {"hoger": "beter", "lager": "slechter"},
    "lower_is_better": {"hoger": "slechter", "lager": "beter"},
    "neutral": {"hoger": "hoger", "lager": "lager"},
}


def compare(lower, upper, parent, polarity):
    """Compare an area's interval with its parent's value, polarity-aware.

    ``polarity`` is one string or one per row. Rows without an interval or a parent
    value are ``niet vergeleken``.
    """
    index, (lo, hi, ref) = _arrays(lower, upper, parent)
    pol = np.broadcast_to(np.asarray(polarity, dtype=object), lo.shape)
    higher = lo > ref
    lower_ = hi < ref
    missing = np.isnan(lo) | np.isnan(hi) | np.isnan(ref)
    raw = np.where(missing, "niet vergeleken",
                   np.where(higher, "hoger", np.where(lower_, "lager", "gelijk")))
    out = np.array([_POLARITY.get(p, _POLARITY["neutral"]).get(r, r)
                    for p, r in zip(pol.ravel(), raw.ravel(), strict=True)],
                   dtype=object).reshape(raw.shape)
    if index is not None:
        return pd.Series(out, index=index)
    return str(out) if out.ndim == 0 else out


def observation_intervals(obs: pd.DataFrame, methods: pd.Series, scales: pd.Series,
                          confidence: float) -> tuple[pd.Series, pd.Series]:
    """Interval per observation row by its indicator's method (wilson | byar | none).

    ``methods`` and ``scales`` are aligned with ``obs``. Rows without a numerator and
    denominator, or with method ``none``, get no interval.
    """
    lower = pd.Series(np.nan, index=obs.index)
    upper = pd.Series(np.nan, index=obs.index)
    usable = obs["numerator"].notna() & obs["denominator"].notna() & (obs["denominator"] > 0)
    wilson = usable & (methods == "wilson") & (obs["numerator"] <= obs["denominator"])
    if wilson.any():
        lo, hi = wilson_ci(obs.loc[wilson, "numerator"], obs.loc[wilson, "denominator"],
                           confidence)
        lower[wilson], upper[wilson] = lo * scales[wilson], hi * scales[wilson]
    byar = usable & (methods == "byar")
    if byar.any():
        lo, hi = rate_ci(obs.loc[byar, "numerator"], obs.loc[byar, "denominator"],
                         1.0, confidence)
        lower[byar], upper[byar] = lo * scales[byar], hi * scales[byar]
    return lower, upper


def compare_with_parent(obs: pd.DataFrame, catalogue, hierarchy: pd.DataFrame
                        ) -> pd.DataFrame:
    """Add intervals and the comparison with the parent area at 95% and 99.8%.

    New columns: ``parent``, ``parent_value``, ``lower_95``, ``upper_95``,
    ``lower_998``, ``upper_998``, ``vergelijking_95``, ``vergelijking_998``. Counts and
    published values without numerator and denominator are ``niet vergeleken``.
    """
    out = obs.copy()
    links = hierarchy.rename(columns={"code": "area_code"})[["year", "area_code", "parent"]]
    out = out.merge(links, on=["year", "area_code"], how="left")
    parents = obs[["area_code", "year", "indicator", "value"]].rename(
        columns={"area_code": "parent", "value": "parent_value"})
    out = out.merge(parents, on=["parent", "year", "indicator"], how="left")
    meta = {k: (v.comparison if v.kind in ("proportion", "rate") else "none", v.scale,
                v.polarity) for k, v in catalogue.items()}
    methods = out["indicator"].map(lambda i: meta.get(i, ("none", 1, "neutral"))[0])
    scales = out["indicator"].map(lambda i: meta.get(i, ("none", 1, "neutral"))[1]).astype(float)
    polarity = out["indicator"].map(lambda i: meta.get(i, ("none", 1, "neutral"))[2])
    for level, tag in ((0.95, "95"), (0.998, "998")):
        lower, upper = observation_intervals(out, methods, scales, level)
        out[f"lower_{tag}"], out[f"upper_{tag}"] = lower, upper
        out[f"vergelijking_{tag}"] = compare(lower, upper, out["parent_value"], polarity)
    return out
