"""Confidence intervals and comparisons against independent references and properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from helpers.analysis import stats
from helpers.errors import StatisticsError


@pytest.mark.parametrize("num, den", [(0, 10), (1, 10), (81, 263), (500, 1000), (10, 10),
                                      (3, 4000), (12345, 67890)])
@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_wilson_matches_statsmodels(num, den, confidence):
    lo, hi = stats.wilson_ci(num, den, confidence)
    ref_lo, ref_hi = proportion_confint(num, den, alpha=1 - confidence, method="wilson")
    assert lo == pytest.approx(ref_lo, abs=1e-12) and hi == pytest.approx(ref_hi, abs=1e-12)


def test_byar_matches_published_worked_example():
    # PHE technical guide worked example: 100 events → 81.4 to 121.6 (95%)
    lo, hi = stats.byar_ci(100)
    assert round(lo, 1) == 81.4 and round(hi, 1) == 121.6


@pytest.mark.parametrize("count", [10, 25, 100, 1000, 25000])
def test_byar_is_close_to_the_exact_poisson_interval(count):
    lo, hi = stats.byar_ci(count, 95)
    exact_lo = sps.chi2.ppf(0.025, 2 * count) / 2
    exact_hi = sps.chi2.ppf(0.975, 2 * (count + 1)) / 2
    assert lo == pytest.approx(exact_lo, rel=0.01) and hi == pytest.approx(exact_hi, rel=0.01)


def test_rate_interval_scales_by_denominator_and_multiplier():
    lo, hi = stats.rate_ci(100, 5000, 1000)
    blo, bhi = stats.byar_ci(100)
    assert lo == pytest.approx(blo / 5000 * 1000) and hi == pytest.approx(bhi / 5000 * 1000)


def test_t_interval_for_a_mean():
    lo, hi = stats.t_ci(10.0, 2.0, 16)
    half = sps.t.ppf(0.975, 15) * 2.0 / 4
    assert (lo, hi) == pytest.approx((10 - half, 10 + half))


def test_series_in_series_out_with_missing_values():
    num = pd.Series([5.0, np.nan, 20.0], index=["a", "b", "c"])
    den = pd.Series([50.0, 10.0, 0.0], index=["a", "b", "c"])
    lo, hi = stats.wilson_ci(num, den)
    assert list(lo.index) == ["a", "b", "c"]
    assert lo.isna().tolist() == [False, True, True]


@pytest.mark.parametrize("call, message", [
    (lambda: stats.wilson_ci(-1, 10), "cannot be negative"),
    (lambda: stats.wilson_ci(11, 10), "numerator is larger than its denominator"),
    (lambda: stats.byar_ci(-3), "counts cannot be negative"),
    (lambda: stats.byar_ci(3, confidence=0.8), "outside 0.90–1"),
    (lambda: stats.wilson_ci(3, 10, confidence=100), "outside 0.90–1"),
    (lambda: stats.t_ci(1, 1, 1), "n >= 2"),
])
def test_clear_errors(call, message):
    with pytest.raises(StatisticsError, match=message):
        call()


def test_confidence_as_fraction_or_percentage():
    assert stats.wilson_ci(30, 100, 95) == stats.wilson_ci(30, 100, 0.95)
    assert stats.byar_ci(30, 99.8) == stats.byar_ci(30, 0.998)


@settings(max_examples=200, deadline=None)
@given(den=st.integers(1, 100_000), share=st.floats(0, 1), c1=st.floats(0.9, 0.99),
       c2=st.floats(0.991, 0.9999))
def test_wilson_properties(den, share, c1, c2):
    num = round(den * share)
    lo1, hi1 = stats.wilson_ci(num, den, c1)
    lo2, hi2 = stats.wilson_ci(num, den, c2)
    p = num / den
    assert lo1 - 1e-12 <= p <= hi1 + 1e-12, "contains the estimate"
    assert lo2 <= lo1 + 1e-12 and hi2 >= hi1 - 1e-12, "widens with confidence"
    assert lo1 >= 0 - 1e-12 and hi1 <= 1 + 1e-12


@settings(max_examples=200, deadline=None)
@given(count=st.integers(0, 200_000))
def test_byar_properties(count):
    lo, hi = stats.byar_ci(count, 0.95)
    lo2, hi2 = stats.byar_ci(count, 0.998)
    assert lo <= count <= hi and lo2 <= lo and hi2 >= hi and lo >= 0


@settings(max_examples=100, deadline=None)
@given(share=st.floats(0.05, 0.95), n=st.integers(20, 5_000))
def test_intervals_narrow_with_n(share, n):
    lo1, hi1 = stats.wilson_ci(round(share * n), n)
    lo2, hi2 = stats.wilson_ci(round(share * n * 4), n * 4)
    assert (hi2 - lo2) < (hi1 - lo1)


@pytest.mark.parametrize("polarity, expected", [
    ("higher_is_better", ["beter", "slechter", "gelijk"]),
    ("lower_is_better", ["slechter", "beter", "gelijk"]),
    ("neutral", ["hoger", "lager", "gelijk"]),
])
def test_comparison_flips_with_polarity(polarity, expected):
    lower = np.array([12.0, 5.0, 8.0])
    upper = np.array([15.0, 8.0, 12.0])
    assert list(stats.compare(lower, upper, 10.0, polarity)) == expected


def test_no_interval_means_not_compared():
    assert stats.compare(np.nan, np.nan, 10.0, "higher_is_better") == "niet vergeleken"
    assert stats.compare(1.0, 2.0, np.nan, "higher_is_better") == "niet vergeleken"


def test_demo_wijk_comparisons(demo_facts):
    compared = stats.compare_with_parent(demo_facts.observations, demo_facts.catalogue,
                                         demo_facts.hierarchy)
    row = compared[(compared["area_code"] == "WK990103") & (compared["year"] == 2023)
                   & (compared["indicator"] == "bijstand_per_1000")].iloc[0]
    assert row["parent"] == "GM9901" and row["vergelijking_998"] == "slechter"
    assert row["lower_998"] < row["lower_95"] < row["value"] < row["upper_95"] < row["upper_998"]
    counts = compared[compared["indicator"] == "inwoners"]
    assert (counts["vergelijking_95"] == "niet vergeleken").all()
    published = compared[compared["indicator"] == "gemiddelde_woz"]
    assert (published["vergelijking_95"] == "niet vergeleken").all()
