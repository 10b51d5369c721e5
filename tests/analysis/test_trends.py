"""Trend tests and forecasts on constructed series."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.analysis.trends import direction, forecast, trend_test

YEARS = [2019, 2020, 2021, 2022, 2023]


def test_chi_square_trend_on_counts():
    rising = trend_test(YEARS, [10, 11, 12, 13, 14], [1000, 1100, 1200, 1300, 1400],
                        [10000] * 5, "lower_is_better")
    assert rising.trend == "stijgend" and rising.assessment == "verslechtert"
    assert rising.p_value < 0.002 and "χ²" in rising.method
    flat = trend_test(YEARS, [10, 10.1, 9.9, 10, 10.05], [100, 101, 99, 100, 100],
                      [1000] * 5, "lower_is_better")
    assert flat.trend == "geen trend"


def test_trend_uses_only_the_last_five_years():
    years = [2015, 2016, 2017, 2018, *YEARS]
    values = [50, 40, 30, 20, 10, 11, 12, 13, 14]
    result = trend_test(years, values, [v * 100 for v in values], [10000] * 9,
                        "higher_is_better")
    assert result.years == tuple(YEARS) and result.assessment == "verbetert"


def test_years_with_a_published_share_only_stay_in_the_trend():
    """Older eras publish some shares without their counts: those years have a value and
    count; the test is then the slope of the values, over the same five newest years."""
    nan = float("nan")
    values = [10.0, 11.0, 12.0, 13.0, 14.0]
    result = trend_test(YEARS, values, [nan, nan, 1200, 1300, 1400], [nan, nan, 10000,
                                                                      10000, 10000])
    assert result.years == tuple(YEARS) and "helling" in result.method
    assert result.trend == "stijgend"
    counted = trend_test(YEARS, values, [v * 100 for v in values], [10000] * 5)
    assert counted.years == tuple(YEARS) and "χ²" in counted.method


def test_too_few_years_is_unknown():
    assert trend_test(YEARS[:4], [1, 2, 3, 4]).trend == "onbekend"


def test_published_values_use_the_slope_test():
    result = trend_test(YEARS, [300, 320, 340, 360, 380], polarity="neutral")
    assert result.trend == "stijgend" and result.assessment == "stijgend"
    assert "helling" in result.method


# ---------------------------------------------------------------- counts and leave-one-out
NAN = float("nan")


@pytest.mark.parametrize("counts", [[12, 15, 11, 19, 24], [3, 5, 2, 8, 9],
                                    [100, 130, 90, 160, 200],
                                    [88905, 89756, 90615, 91605, 92820]])
def test_counts_get_the_quasi_poisson_trend_test(counts):
    """A count without denominator (woningvoorraad: numerator = value, denominator NaN, as
    goals.evaluate passes it): the oracle is statsmodels' Poisson GLM with Pearson scale
    and t on n − 2 degrees of freedom."""
    import statsmodels.api as sm

    result = trend_test(YEARS, counts, counts, [NAN] * 5)
    design = sm.add_constant(np.asarray(YEARS, dtype=float) - 2021)
    fit = sm.GLM(np.asarray(counts, dtype=float), design,
                 family=sm.families.Poisson()).fit(scale="X2", use_t=True)
    assert result.p_value == pytest.approx(fit.pvalues[1], rel=1e-8)
    assert "Poisson" in result.method
    assert result.trend == ("stijgend" if fit.pvalues[1] < 0.002 else "geen trend")


def test_a_count_doubling_each_year_rises_exactly():
    # log-linear without any scatter: slope ln 2, dispersion 0 (up to rounding), p ≈ 0
    result = trend_test(YEARS, [100, 200, 400, 800, 1600], [100, 200, 400, 800, 1600])
    assert result.trend == "stijgend" and result.p_value < 1e-20 and result.stable is True
    flat = trend_test(YEARS, [7, 7, 7, 7, 7], [7, 7, 7, 7, 7], [NAN] * 5)
    assert flat.trend == "geen trend" and flat.p_value == 1.0 and "Poisson" in flat.method


def test_a_trend_that_rests_on_one_year_is_no_trend():
    """χ² for trend: 10% for four years, then 14% (n = 10.000 a year) is significant, but
    leave the last year out and the statistic is 0: no sign survives, so no trend."""
    result = trend_test(YEARS, [10, 10, 10, 10, 14], [1000, 1000, 1000, 1000, 1400],
                        [10000] * 5, "lower_is_better")
    assert result.p_value < 0.002 and result.stable is False
    assert result.trend == "geen trend" and result.assessment == "geen trend"
    assert "weggelaten" in result.method and "was stijgend" in result.method
    steady = trend_test(YEARS, [10, 11, 12, 13, 14], [1000, 1100, 1200, 1300, 1400],
                        [10000] * 5)
    assert steady.trend == "stijgend" and steady.stable is True


def test_the_check_runs_only_for_a_significant_trend():
    assert trend_test(YEARS, [300, 320, 340, 360, 380]).stable is True  # slope test
    assert trend_test(YEARS, [5, 5.1, 4.9, 5, 5.05]).stable is None  # not significant
    # a jump in one year of a count is scatter to the quasi-Poisson test, not a trend
    jump = trend_test(YEARS, [1000, 1000, 1000, 1000, 1400], [1000, 1000, 1000, 1000, 1400])
    assert jump.trend == "geen trend" and jump.p_value > 0.002 and jump.stable is None


@pytest.mark.parametrize("values, target, way, status", [
    ([20, 19, 18, 17, 16, 15], 12.5, "down", "op koers"),
    ([20, 19, 18, 17, 16, 15], 10.0, "down", "uit koers"),
    ([20, 19.5, 18.2, 18.4, 16.0, 16.6], 12.8, "down", "risico"),
    ([50, 52, 54, 56, 58, 60], 62, "up", "op koers"),
    ([50, 49, 48, 47, 46, 45], 55, "up", "uit koers"),
])
def test_forecast_status(values, target, way, status):
    years = list(range(2018, 2024))
    result = forecast(years, values, 2026, target, way)
    assert result.status == status, result.explanation
    assert result.lower <= result.expected <= result.upper


def test_forecast_needs_four_years():
    result = forecast([2022, 2023, 2024], [1, 2, 3], 2026, 5)
    assert result.status == "onbekend" and "Te weinig" in result.explanation


def test_explanations_are_dutch_sentences():
    result = forecast(range(2018, 2024), [20, 19, 18, 17, 16, 15], 2026, 12.5, "down")
    assert result.explanation.startswith("Bij de huidige ontwikkeling komt de waarde in 2026")
    assert "12,5" in result.explanation and result.explanation.endswith(".")


def test_rounded_published_values_have_an_honest_interval():
    result = forecast(range(2017, 2024), [7] * 7, 2026, 7.2, "up", decimals=0)
    assert result.upper - result.lower > 0.5
    assert result.status == "risico"


def test_direction_follows_polarity_else_the_target():
    assert direction("higher_is_better", 5, 4) == "up"
    assert direction("lower_is_better", 5, 6) == "down"
    assert direction("neutral", 25, 30) == "up" and direction("neutral", 25, 20) == "down"
    assert forecast([1, 2, 3, 4, 5], [1, 2, np.nan, 4, 5], 6, 6).expected == pytest.approx(6)


# ------------------------------------------------------- forecast intervals (issue 15)


def test_the_interval_is_the_envelope_of_a_line_and_a_random_walk():
    """Worked by hand for 10, 12, 13, 15 (2019–2022), two years ahead, t(2) = 4,3027.
    Line: Theil–Sen slope = median(2, 1,5, 1,667, 1, 1,5, 2) = 1,5833, intercept
    12,5 − 1,5833 · 2020,5; residual spread √(0,2014 / 2) = 0,3173; at 2024: 18,042 ±
    4,3027 · 0,3173 · √(1 + 1/4 + 3,5² / 5) = ±2,626. Walk: drift 5/3, steps − drift
    (1/3, −2/3, 1/3), σ = √(6/9 / 2) = 0,5774; at 2024: 15 + 10/3 ± 4,3027 · 0,5774 ·
    √(2 + 4/3) = ±4,536. The envelope: 13,798 to 22,869 around the line's 18,042."""
    from helpers.analysis.trends import prediction_interval

    expected, lower, upper = prediction_interval([2019, 2020, 2021, 2022], [10, 12, 13, 15],
                                                 [2024])
    t = 4.302653
    walk = t * np.sqrt(1 / 3) * np.sqrt(2 + 4 / 3)
    assert expected[0] == pytest.approx(12.5 + 19 / 12 * 3.5)
    assert lower[0] == pytest.approx(15 + 10 / 3 - walk, abs=1e-5)
    assert upper[0] == pytest.approx(15 + 10 / 3 + walk, abs=1e-5)
    assert lower[0] == pytest.approx(13.798, abs=1e-3) and upper[0] == pytest.approx(22.869,
                                                                                  abs=1e-3)


def test_many_series_at_once_give_the_rows_of_one_at_a_time():
    from helpers.analysis.trends import prediction_interval

    rng = np.random.default_rng(1)
    years = [2015, 2016, 2018, 2019, 2021, 2022, 2023]  # gaps: missing years
    rows = np.round(rng.uniform(1, 99, (5, 7)), 1)
    together = prediction_interval(years, rows, [2024, 2027], scale="percentage")
    for i, row in enumerate(rows):
        alone = prediction_interval(years, row, [2024, 2027], scale="percentage")
        for both, one in zip(together, alone, strict=True):
            np.testing.assert_allclose(both[i], one)


def test_theil_sen_is_scipys():
    from scipy import stats

    from helpers.analysis.trends import _theil_sen

    rng = np.random.default_rng(2)
    years = np.array([2014.0, 2015, 2017, 2018, 2019, 2022, 2023])
    for values in rng.normal(20, 5, (5, 7)):
        slope, intercept = _theil_sen(years, values[None, :])
        oracle = stats.theilslopes(values, years)
        assert slope[0] == pytest.approx(oracle.slope)
        assert intercept[0] == pytest.approx(oracle.intercept)


def test_a_random_walk_widens_the_interval_a_straight_line_does_not():
    from helpers.analysis.trends import prediction_interval

    years = list(range(2014, 2024))
    line = [10 + 0.5 * i + (0.2 if i % 2 else -0.2) for i in range(10)]  # alternating noise
    walk = [10, 10.8, 11.9, 11.5, 12.9, 14.2, 13.6, 15.1, 16.3, 15.9]  # wandering
    width = {name: np.ptp(prediction_interval(years, series, [2029])[1:])
             for name, series in (("line", line), ("walk", walk))}
    assert width["walk"] > 2 * width["line"]
