"""Forecasts on the right scale, targets already measured, and a small calibration check
(issue 15; the full table is ``benchmarks/calibration.py``)."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import model
from helpers.analysis import trends
from helpers.analysis.goals import forecast_scale
from helpers.analysis.trends import forecast, prediction_interval
from helpers.indicators import catalogue

YEARS = list(range(2018, 2024))


@pytest.mark.parametrize("values", [
    [3.0, 2.2, 1.5, 0.9, 0.4, 0.1],  # falling fast towards 0%: a line would go below 0
    [0.0, 0.0, 0.1, 0.0, 0.0, 0.0],
    [95.0, 96.5, 97.9, 98.8, 99.5, 99.9],  # rising towards 100%
    [100.0, 99.9, 100.0, 100.0, 99.8, 100.0],
])
def test_a_percentage_forecast_stays_within_0_and_100(values):
    at = np.arange(2024, 2035)
    expected, lower, upper = prediction_interval(YEARS, values, at, scale="percentage")
    assert (lower >= 0).all() and (upper <= 100).all()
    assert (lower <= expected).all() and (expected <= upper).all()
    free = prediction_interval(YEARS, values, at)  # the published scale: it leaves 0–100
    assert (free[1] < 0).any() or (free[2] > 100).any()


@pytest.mark.parametrize("scale", ["rate", "count"])
def test_a_rate_or_count_forecast_is_never_below_0(scale):
    values = [50.0, 40.0, 30.0, 20.0, 12.0, 5.0]
    expected, lower, upper = prediction_interval(YEARS, values, np.arange(2024, 2031),
                                                 scale=scale)
    assert (lower > 0).all() and (expected > 0).all()
    result = forecast(YEARS, values, 2028, 0.0, "down", scale=scale)
    assert result.lower > 0 and result.status == model.OFF_TRACK  # 0 itself is never reached


def test_an_unknown_scale_is_refused_with_the_valid_ones():
    with pytest.raises(ValueError, match="'logit' is not one of percentage, share"):
        forecast(YEARS, [1, 2, 3, 4, 5, 6], 2026, 7, scale="logit")


def test_the_scale_follows_the_catalogue_kind():
    cat = catalogue.load()
    assert forecast_scale(cat["aandeel_65plus"]) == "percentage"  # computed, unit %
    assert forecast_scale(cat["bijstand_per_1000"]) == "rate"
    assert forecast_scale(cat["inwoners"]) == "count"
    assert forecast_scale(cat["gemiddelde_woz"]) == "free"  # a mean: range not known
    assert forecast_scale(cat["demografische_druk"]) == "free"  # an index may exceed 100
    share = cat["aandeel_65plus"].model_copy(update={"unit": "aandeel", "scale": 1})
    assert forecast_scale(share) == "share"


@pytest.mark.parametrize("values, target, way, status, judged", [
    ([20.0, 21.0, 22.0, 23.0], 22.0, "up", model.MET, "22,0"),  # 2022 is judged, not 2023
    ([20.0, 21.0, 21.96, 23.0], 22.0, "up", model.MET, "22,0"),  # published as 22,0
    ([20.0, 21.0, 21.94, 23.0], 22.0, "up", model.NOT_MET, "21,9"),
    ([30.0, 28.0, 26.0, 25.0], 26.0, "down", model.MET, "26,0"),
    ([30.0, 28.0, 26.1, 25.0], 26.0, "down", model.NOT_MET, "26,1"),
])
def test_a_measured_target_year_is_met_or_not_on_its_published_value(
        values, target, way, status, judged):
    result = forecast([2020, 2021, 2022, 2023], values, 2022, target, way)
    assert result.status == status and result.lower is None and result.upper is None
    verdict = "is gehaald" if status == model.MET else "is niet gehaald"
    assert result.explanation == (f"In 2022 was de waarde {judged}: de streefwaarde "
                                  f"{target:.1f}".replace(".", ",")
                                  + f" voor 2022 {verdict}.")


def test_a_missing_target_year_is_judged_on_the_first_year_after_it():
    result = forecast([2019, 2020, 2021, 2023], [10, 11, 12, 14], 2022, 13)
    assert result.status == model.MET and result.expected == 14
    assert result.explanation.startswith("In 2022 is niet gemeten; in 2023 was de waarde 14,0")


def test_a_target_met_with_room_to_spare_is_never_risico():
    noisy = [31.0, 24.0, 33.0, 26.0, 35.0, 27.0]  # far above 15, but very noisy
    assert forecast(YEARS, noisy, 2023, 15.0, "up").status == model.MET
    assert forecast(YEARS, noisy, 2022, 15.0, "up").status == model.MET
    steady = [40.0, 40.2, 39.9, 40.1, 40.0, 40.1]  # and still far above it in 2026
    assert forecast(YEARS, steady, 2026, 30.0, "up", scale="percentage").status \
        == model.ON_TRACK
    with_few_years = forecast([2022, 2023], [40.0, 41.0], 2023, 30.0)  # no forecast needed
    assert with_few_years.status == model.MET


def test_every_status_has_one_dutch_sentence_that_agrees_with_the_figures():
    cases = {
        model.ON_TRACK: forecast(YEARS, [20, 19, 18, 17, 16, 15], 2025, 14.0, "down"),
        model.AT_RISK: forecast(YEARS, [20, 19.5, 18.2, 18.4, 16.0, 16.6], 2026, 14.0, "down"),
        model.OFF_TRACK: forecast(YEARS, [20, 19, 18, 17, 16, 15], 2025, 5.0, "down"),
        model.MET: forecast(YEARS, [20, 19, 18, 17, 16, 15], 2023, 15.0, "down"),
        model.NOT_MET: forecast(YEARS, [20, 19, 18, 17, 16, 15], 2023, 14.0, "down"),
        model.UNKNOWN: forecast(YEARS[:3], [20, 19, 18], 2026, 14.0, "down"),
    }
    assert set(cases) == set(model.TARGET_STATUSES)
    for status, result in cases.items():
        assert result.status == status, result.explanation
        text = result.explanation
        assert text.endswith(".") and text.count(". ") == 0, text  # one sentence
        if result.lower is not None:  # the figures shown decide the status
            low, high = (round(v, 1) for v in (result.lower, result.upper))
            assert f"tussen {low:.1f} en {high:.1f}".replace(".", ",") in text
            assert (high <= 14.0 if status == model.ON_TRACK
                    else low > 5.0 if status == model.OFF_TRACK else low <= 14.0 < high)


def test_rounded_bounds_decide_so_the_sentence_agrees():
    # the bound 12,46 is shown as 12,5: a target of 12,5 lies in the shown interval
    assert str(trends.target_status(round(12.46, 1), 14.0, 12.5, "up")) == model.ON_TRACK
    assert str(trends.target_status(11.0, round(12.46, 1), 12.5, "up")) == model.AT_RISK


def _random_walk_coverage(sims: int, interval) -> float:
    """Coverage of the 95% interval, 6 years ahead of 10 years of a random walk with
    drift (published rounded to one decimal): the cell where the old interval failed."""
    rng = np.random.default_rng(15)
    years = np.arange(2014.0, 2024.0)
    steps = rng.normal(0.3, 1.0, (sims, 16))
    series = np.round(50 + np.cumsum(steps, axis=1), 1)
    lower, upper = interval(years, series[:, :10], np.array([2029.0]))
    return float(np.mean((lower[:, 0] <= series[:, -1]) & (series[:, -1] <= upper[:, 0])))


def test_the_interval_keeps_its_coverage_under_a_random_walk():
    t = trends._scipy_stats().t.ppf(0.975, 8)

    def old(years, values, at):  # a line with independent errors, as before issue 15
        return trends._trend_band(years, values, at, 0.1 / np.sqrt(12), t)[1:]

    def new(years, values, at):
        return prediction_interval(years, values, at)[1:]

    assert _random_walk_coverage(400, old) < 0.80  # measured 0.64
    assert _random_walk_coverage(400, new) >= 0.90  # measured 0.95
