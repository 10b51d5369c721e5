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
