"""Confidence intervals and comparisons against independent references and properties."""

from __future__ import annotations

import math

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


@pytest.mark.parametrize("count, confidence, expected", [
    # χ² with 2 degrees of freedom has ppf(p) = −2·ln(1 − p): limits by hand
    (0, 0.95, (0.0, -math.log(0.025))),                         # 0 to 3,6889
    (1, 0.95, (-math.log(0.975), 5.5716)),                      # 0,0253 to 5,5716
    (0, 0.998, (0.0, -math.log(0.001))),                        # 0 to 6,9078
    (1, 0.998, (-math.log(0.999), 9.2334)),                     # 0,0010 to 9,2334
    (5, 0.95, (1.6235, 11.6683)),                               # Garwood's table
    (9, 0.95, (4.1154, 17.0848)),
])
def test_exact_poisson_interval_by_hand_and_table(count, confidence, expected):
    lo, hi = stats.poisson_ci(count, confidence)
    assert (lo, hi) == pytest.approx(expected, abs=5e-5)
    assert (lo, hi) == stats.exact_poisson_ci(count, confidence)


@pytest.mark.parametrize("count", [1, 2, 5, 9])
@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_exact_limits_are_where_the_poisson_tails_are_alpha_over_two(count, confidence):
    """Independent oracle: P(X ≥ x | lower) = P(X ≤ x | upper) = α/2."""
    lo, hi = stats.exact_poisson_ci(count, confidence)
    half = (1 - confidence) / 2
    assert sps.poisson.sf(count - 1, lo) == pytest.approx(half, rel=1e-9)
    assert sps.poisson.cdf(count, hi) == pytest.approx(half, rel=1e-9)


def test_below_ten_events_is_exact_from_ten_byar():
    lo, hi = stats.poisson_ci(np.array([9.0, 10.0, np.nan]))
    assert (lo[0], hi[0]) == stats.exact_poisson_ci(9)
    assert (lo[1], hi[1]) == stats.byar_ci(10) and np.isnan(lo[2])
    # the figures: Byar's lower limit at 1 event is 48% low, and negative at 99.8%
    byar_lo = (1 - 1 / 9 - stats.z_value(0.95) / 3) ** 3
    assert 1 - byar_lo / -math.log(0.975) == pytest.approx(0.4837, abs=1e-4)
    assert (1 - 1 / 9 - stats.z_value(0.998) / 3) ** 3 == pytest.approx(-0.0028, abs=1e-4)
    assert stats.byar_ci(1, 0.998)[0] == 0.0
    assert stats.poisson_ci(1, 0.998)[0] == pytest.approx(0.0010005, abs=1e-7)
    lo, hi = stats.rate_ci(3, 2000, 1000)
    assert (lo, hi) == pytest.approx(tuple(v / 2 for v in stats.exact_poisson_ci(3)))


@settings(max_examples=200, deadline=None)
@given(count=st.integers(0, 60), confidence=st.sampled_from([0.95, 0.998]))
def test_poisson_interval_is_never_negative_and_holds_the_count(count, confidence):
    lo, hi = stats.poisson_ci(count, confidence)
    assert 0 <= lo <= count <= hi


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
    # every comparison names its method; the demo's parents all have counts
    assert row["vergelijking_methode"] == "poisson_ratio"
    method = compared.groupby("vergelijking_methode")["vergelijking_95"]
    assert set(method.groups) == {"newcombe", "poisson_ratio", "none"}
    assert (method.get_group("none") == "niet vergeleken").all()
    share = compared[compared["indicator"] == "aandeel_65plus"]
    counted = (share["level"] != "gemeente") & share["numerator"].notna()
    assert set(share.loc[counted, "vergelijking_methode"]) == {"newcombe"}
    assert set(share.loc[~counted, "vergelijking_methode"]) == {"none"}
