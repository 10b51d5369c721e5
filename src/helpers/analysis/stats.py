"""Confidence intervals and comparisons, as in the PHE/OHID Fingertips technical guide.

All functions are vectorised: they take scalars, numpy arrays or pandas Series and
return the same shape (Series keep their index). Missing inputs give missing outputs.

* ``wilson_ci(numerator, denominator)`` — Wilson score interval for a proportion.
* ``poisson_ci(count)`` — PHE's interval for a Poisson count: exact (Garwood, from the χ²
  distribution: ``exact_poisson_ci``) below 10 events, Byar's approximation
  (``byar_ci``) from 10 up; never a negative limit. For a rate divide by the denominator
  and multiply by the scale (``rate_ci``).
* ``t_ci(mean, sd, n)`` — Student's t interval for a mean.
* ``compare(lower, upper, parent, polarity)`` — is the area's interval clear of its
  parent's value? → ``beter`` / ``gelijk`` / ``slechter`` (or ``hoger`` / ``lager`` for
  neutral indicators) / ``niet vergeleken``.
* ``newcombe_ci(r1, n1, r2, n2)`` — Newcombe's hybrid score interval (from Wilson's) of
  the difference of two proportions; ``rate_ratio_ci(r1, n1, r2, n2)`` — the exact
  conditional interval of the ratio of two Poisson rates (Clopper–Pearson for the share
  of the events that fall in the first group).
* ``compare_with_parent`` — each area against the *rest* of its parent (the parent minus
  the area: numerators and denominators both) by the indicator's ``comparison_test``
  (``COMPARISON_TESTS``, named in the catalogue): ``newcombe`` for proportions,
  ``poisson_ratio`` for rates; ``overlap`` (the area's interval against the parent's
  value) only where the counts of the rest are not known.

Confidence is given as a fraction (0.95) or a percentage (95, 99.8).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.errors import StatisticsError

__all__ = ["confidence_level", "z_value", "wilson_ci", "byar_ci", "exact_poisson_ci",
           "poisson_ci", "rate_ci", "t_ci", "compare", "newcombe_ci", "rate_ratio_ci",
           "observation_intervals", "compare_with_parent", "LEVELS", "EXACT_BELOW",
           "TEST_TEXT"]


def _scipy_stats():
    """scipy.stats, imported on first use: it costs ~0.8 s, and a process that only
    reads a programme budget (the scheduler planning a run) never needs it."""
    from scipy import stats

    return stats


LEVELS = (0.95, 0.998)  # Fingertips' two significance levels
EXACT_BELOW = 10  # PHE: the exact Poisson interval below 10 events, Byar's from 10 up
TEST_TEXT = {  # how a comparison was made, for a report's method lines (Dutch)
    "newcombe": "verschil met de rest van het omliggende gebied, Newcombe-interval "
                "(Wilson-scores)",
    "poisson_ratio": "verhouding tot de rest van het omliggende gebied, exacte "
                     "voorwaardelijke toets voor twee Poisson-aantallen",
    "overlap": "betrouwbaarheidsinterval van het gebied tegen de waarde van het omliggende "
               "gebied (aantallen van de rest onbekend)",
    "none": "niet vergeleken",
}


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
    """Byar's interval ``(lower, upper)`` for a Poisson count (PHE's method from 10 events;
    below that use ``poisson_ci``). The lower limit is never below 0 (at 1 event and
    99.8% the formula itself gives −0.0028).

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
    lower = np.where(obs == 0, 0.0, np.maximum(lower, 0.0))
    lower, upper = np.where(valid, lower, np.nan), np.where(valid, upper, np.nan)
    return _wrap(index, lower, upper)


def exact_poisson_ci(count, confidence: float = 0.95):
    """The exact (Garwood) interval ``(lower, upper)`` for a Poisson count, as
    PHEindicatormethods computes it: ``χ²(α/2; 2x) / 2`` to ``χ²(1 − α/2; 2x + 2) / 2``
    (lower 0 at 0 events).

    Examples
    --------
    >>> lo, hi = exact_poisson_ci(1)
    >>> round(lo, 4), round(hi, 4)
    (0.0253, 5.5716)
    """
    alpha = 1 - confidence_level(confidence)
    index, (obs,) = _arrays(count)
    valid = ~np.isnan(obs)
    if np.any(obs[valid] < 0):
        raise StatisticsError("exact_poisson_ci: counts cannot be negative.")
    chi2 = _scipy_stats().chi2
    safe = np.where(valid, obs, 0.0)
    lower = np.where(safe > 0, chi2.ppf(alpha / 2, 2 * np.maximum(safe, 1e-300)) / 2, 0.0)
    upper = chi2.ppf(1 - alpha / 2, 2 * safe + 2) / 2
    return _wrap(index, np.where(valid, lower, np.nan), np.where(valid, upper, np.nan))


def poisson_ci(count, confidence: float = 0.95):
    """PHE's interval for a Poisson count: exact below ``EXACT_BELOW`` (10) events, Byar's
    from there up; never a negative limit.

    Examples
    --------
    >>> poisson_ci(1) == exact_poisson_ci(1), poisson_ci(100) == byar_ci(100)
    (True, True)
    """
    index, (obs,) = _arrays(count)
    exact_lo, exact_hi = (np.asarray(a, dtype=float) for a in exact_poisson_ci(obs, confidence))
    byar_lo, byar_hi = (np.asarray(a, dtype=float) for a in byar_ci(obs, confidence))
    small = obs < EXACT_BELOW
    return _wrap(index, np.where(small, exact_lo, byar_lo), np.where(small, exact_hi, byar_hi))


def rate_ci(count, denominator, scale: float = 1.0, confidence: float = 0.95):
    """Interval of a rate ``count / denominator × scale`` from the count's interval
    (``poisson_ci``: exact below 10 events, Byar from 10)."""
    lower, upper = poisson_ci(count, confidence)
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


def newcombe_ci(num1, den1, num2, den2, confidence: float = 0.95):
    """Newcombe's hybrid score interval ``(lower, upper)`` of ``num1/den1 − num2/den2``
    (his method 10, built from the two Wilson intervals).

    Examples
    --------
    >>> lo, hi = newcombe_ci(56, 70, 48, 80)
    >>> round(lo, 4), round(hi, 4)
    (0.0524, 0.3339)
    """
    index, (r1, n1, r2, n2) = _arrays(num1, den1, num2, den2)
    l1, u1 = (np.asarray(a, dtype=float) for a in wilson_ci(r1, n1, confidence))
    l2, u2 = (np.asarray(a, dtype=float) for a in wilson_ci(r2, n2, confidence))
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = r1 / n1, r2 / n2
    diff = p1 - p2
    lower = diff - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = diff + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return _wrap(index, lower, upper)


def rate_ratio_ci(num1, den1, num2, den2, confidence: float = 0.95):
    """Exact conditional interval ``(lower, upper)`` of the rate ratio
    ``(num1/den1) / (num2/den2)`` of two Poisson counts: given the ``num1 + num2`` events,
    ``num1`` is binomial with share ``den1·RR / (den1·RR + den2)``; the Clopper–Pearson
    interval of that share gives the ratio's limits. No events at all gives no interval.

    Examples
    --------
    >>> lo, hi = rate_ratio_ci(30, 1000, 15, 1000)
    >>> round(lo, 3), round(hi, 3)
    (1.043, 4.0)
    """
    alpha = 1 - confidence_level(confidence)
    index, (r1, n1, r2, n2) = _arrays(num1, den1, num2, den2)
    total = r1 + r2
    valid = ~np.isnan(total + n1 + n2) & (total > 0) & (n1 > 0) & (n2 > 0)
    beta = _scipy_stats().beta
    x, rest = np.where(valid, r1, 1.0), np.where(valid, r2, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(x > 0, beta.ppf(alpha / 2, np.maximum(x, 1e-300), rest + 1), 0.0)
        high = np.where(rest > 0, beta.ppf(1 - alpha / 2, x + 1, np.maximum(rest, 1e-300)),
                        1.0)
        lower = low / (1 - low) * n2 / n1
        upper = np.where(high < 1, high / (1 - high) * n2 / n1, np.inf)
    return _wrap(index, np.where(valid, lower, np.nan), np.where(valid, upper, np.nan))


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
    return _judge(index, lo > ref, hi < ref, np.isnan(lo) | np.isnan(hi) | np.isnan(ref),
                  polarity)


def _judge(index, higher, lower_, missing, polarity):
    """hoger / lager / gelijk / niet vergeleken, turned into beter / slechter by polarity."""
    higher, lower_, missing = np.asarray(higher), np.asarray(lower_), np.asarray(missing)
    pol = np.broadcast_to(np.asarray(polarity, dtype=object), higher.shape)
    up = np.full(higher.shape, "hoger", dtype=object)  # an unknown polarity is neutral
    down = np.full(higher.shape, "lager", dtype=object)
    for name, words in _POLARITY.items():
        up[pol == name], down[pol == name] = words["hoger"], words["lager"]
    out = np.where(missing, "niet vergeleken",
                   np.where(higher, up, np.where(lower_, down, "gelijk"))).astype(object)
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


_TWO_SAMPLE = {  # a catalogue `test` → its interval and the value meaning "no difference"
    "newcombe": (newcombe_ci, 0.0),
    "poisson_ratio": (rate_ratio_ci, 1.0),
}


def _two_sample(obs: pd.DataFrame, tests: pd.Series) -> pd.Series:
    """Which two-sample test each row can have: its indicator's test where the rest of
    the parent (parent minus area) has valid counts, ``overlap`` where it has not."""
    r, n = obs["numerator"], obs["denominator"]
    rest_r, rest_n = obs["rest_numerator"], obs["rest_denominator"]
    counted = r.notna() & n.notna() & (n > 0) & rest_r.notna() & rest_n.notna() \
        & (rest_n > 0) & (rest_r >= 0)
    proportions = counted & (r <= n) & (rest_r <= rest_n)
    method = pd.Series("none", index=obs.index, dtype=object)
    method[tests.isin(["newcombe", "poisson_ratio", "overlap"])] = "overlap"
    method[(tests == "newcombe") & proportions] = "newcombe"
    method[(tests == "poisson_ratio") & counted] = "poisson_ratio"
    return method


def _tested(obs: pd.DataFrame, method: pd.Series, polarity: pd.Series, lower: pd.Series,
            upper: pd.Series, confidence: float) -> pd.Series:
    """The comparison at one level: the two-sample test where ``method`` names one, the
    area's interval against the parent's value (``overlap``) elsewhere."""
    out = compare(lower, upper, obs["parent_value"], polarity)
    out[method == "none"] = "niet vergeleken"
    args = [obs[c] for c in ("numerator", "denominator", "rest_numerator",
                             "rest_denominator")]
    for name, (test, null) in _TWO_SAMPLE.items():
        rows = method == name
        if rows.any():
            lo, hi = test(*(a[rows] for a in args), confidence)
            out[rows] = _judge(lo.index, lo > null, hi < null, lo.isna() | hi.isna(),
                               polarity[rows])
            # no events in the area nor in the rest: the same rate, nothing to test
            out[rows & out.eq("niet vergeleken") & (args[0] + args[2]).eq(0)] = "gelijk"
    return out


def compare_with_parent(obs: pd.DataFrame, catalogue, hierarchy: pd.DataFrame
                        ) -> pd.DataFrame:
    """Add intervals and the comparison with the rest of the parent at 95% and 99.8%.

    An area is tested against its parent *without itself* (the parent's numerator and
    denominator minus the area's), by its indicator's ``comparison_test``: Newcombe's
    interval of the difference for proportions, the exact conditional test of the rate
    ratio for rates. Where the rest's counts are not known (the parent has a published
    value only) the area's own interval is set against the parent's value (``overlap``).
    Counts and published values without numerator and denominator are ``niet
    vergeleken``.

    New columns: ``parent``, ``parent_value``, ``rest_value`` (the rest of the parent, on
    the indicator's scale), ``lower_95``, ``upper_95``, ``lower_998``, ``upper_998`` (the
    area's own interval), ``vergelijking_95``, ``vergelijking_998`` and
    ``vergelijking_methode`` (the test used: ``newcombe``, ``poisson_ratio``, ``overlap``
    or ``none``; ``TEST_TEXT`` says it in Dutch).
    """
    out = obs.copy()
    links = hierarchy.rename(columns={"code": "area_code"})[["year", "area_code", "parent"]]
    links = links[links["year"].isin(obs["year"].unique())]  # the years compared only
    out = out.merge(links, on=["year", "area_code"], how="left")
    parents = obs.rename(columns={"area_code": "parent", "value": "parent_value",
                                  "numerator": "_parent_r", "denominator": "_parent_n"})[
        ["parent", "year", "indicator", "parent_value", "_parent_r", "_parent_n"]]
    out = out.merge(parents, on=["parent", "year", "indicator"], how="left")
    out["rest_numerator"] = out.pop("_parent_r") - out["numerator"]
    out["rest_denominator"] = out.pop("_parent_n") - out["denominator"]
    ids = out["indicator"]
    present = {k: catalogue[k] for k in ids.unique() if k in catalogue}  # not all of it
    tested = {k: v.kind in ("proportion", "rate") for k, v in present.items()}
    methods = ids.map({k: v.comparison if tested[k] else "none"
                       for k, v in present.items()}).fillna("none")
    scales = ids.map({k: float(v.scale) for k, v in present.items()}).astype(float)
    scales = scales.fillna(1.0)
    polarity = ids.map({k: v.polarity for k, v in present.items()}).fillna("neutral")
    tests = ids.map({k: v.comparison_test if tested[k] else "none"
                     for k, v in present.items()}).fillna("none")
    method = _two_sample(out, tests)
    with np.errstate(divide="ignore", invalid="ignore"):
        rest = out["rest_numerator"] / out["rest_denominator"] * scales
    out["rest_value"] = rest.where(method.isin(["newcombe", "poisson_ratio"]))
    for level, tag in ((0.95, "95"), (0.998, "998")):
        lower, upper = observation_intervals(out, methods, scales, level)
        out[f"lower_{tag}"], out[f"upper_{tag}"] = lower, upper
        out[f"vergelijking_{tag}"] = _tested(out, method, polarity, lower, upper, level)
    compared = out["vergelijking_95"] != "niet vergeleken"
    out["vergelijking_methode"] = method.where(compared | (method != "overlap"), "none")
    return out.drop(columns=["rest_numerator", "rest_denominator"])
