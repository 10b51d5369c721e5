"""An area against the rest of its parent: two-sample tests, their oracles and fallbacks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.proportion import confint_proportions_2indep

from helpers.analysis import stats
from helpers.errors import ConfigError
from helpers.indicators import catalogue
from helpers.indicators.catalogue import Indicator

NAN = float("nan")


def test_newcombe_matches_the_published_worked_example():
    # Newcombe (1998), Stat Med 17:873, Table II example (a): 56/70 − 48/80 → 0.0524 to 0.3339
    lo, hi = stats.newcombe_ci(56, 70, 48, 80)
    assert (round(lo, 4), round(hi, 4)) == (0.0524, 0.3339)


@pytest.mark.parametrize("r1, n1, r2, n2", [(56, 70, 48, 80), (9, 10, 3, 10), (0, 25, 4, 30),
                                            (450, 1000, 100, 300), (5, 5000, 60, 40000)])
@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_newcombe_matches_statsmodels(r1, n1, r2, n2, confidence):
    lo, hi = stats.newcombe_ci(r1, n1, r2, n2, confidence)
    ref = confint_proportions_2indep(r1, n1, r2, n2, method="newcomb", compare="diff",
                                     alpha=1 - confidence)
    assert (lo, hi) == pytest.approx(ref, abs=1e-12)


@pytest.mark.parametrize("r1, n1, r2, n2", [(30, 1000, 15, 1000), (3, 200, 40, 9000),
                                            (120, 4000, 160, 8000), (9, 50, 0, 70)])
@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_rate_ratio_matches_the_exact_binomial_interval(r1, n1, r2, n2, confidence):
    """Given all events, the area's share is binomial: scipy's Clopper–Pearson interval
    of that share, turned into a ratio of rates, is the oracle."""
    lo, hi = stats.rate_ratio_ci(r1, n1, r2, n2, confidence)
    share = sps.binomtest(r1, r1 + r2).proportion_ci(confidence, method="exact")
    odds = (lambda p: p / (1 - p) * n2 / n1) if r2 else None
    assert lo == pytest.approx(share.low / (1 - share.low) * n2 / n1, rel=1e-9)
    assert hi == (pytest.approx(odds(share.high), rel=1e-9) if odds else math.inf)


def test_rate_ratio_without_events_in_the_area_by_hand():
    # 0 events against 10 (same exposure): the share's upper limit is 1 − 0.025^(1/10)
    lo, hi = stats.rate_ratio_ci(0, 1000, 10, 1000)
    upper = 1 - 0.025 ** 0.1
    assert lo == 0 and hi == pytest.approx(upper / (1 - upper))
    assert round(hi, 4) == 0.4461
    assert np.isnan(stats.rate_ratio_ci(0, 1000, 0, 1000)[0])


def _indicator(id_: str, kind: str, comparison: str, **extra) -> Indicator:
    return Indicator(id=id_, label=id_, description=id_, unit="%", kind=kind,
                     numerator="a", denominator="b", comparison=comparison, theme="t",
                     source="s", levels=["gemeente", "wijk"], **extra)


CATALOGUE = {"aandeel": _indicator("aandeel", "proportion", "wilson", scale=100,
                                   polarity="higher_is_better"),
             "per_1000": _indicator("per_1000", "rate", "byar", scale=1000,
                                    polarity="lower_is_better")}
HIERARCHY = pd.DataFrame({"year": 2023, "code": ["GM0001", "WK000101", "WK000102"],
                          "parent": [None, "GM0001", "GM0001"],
                          "level": ["gemeente", "wijk", "wijk"]})


def _rows(indicator: str, counts: dict[str, tuple[float, float]], scale: float,
          values: dict[str, float] | None = None) -> pd.DataFrame:
    values = values or {}
    return pd.DataFrame([{
        "area_code": code, "level": "gemeente" if code.startswith("GM") else "wijk",
        "year": 2023, "indicator": indicator,
        "value": values.get(code, r / n * scale if n else NAN), "numerator": r,
        "denominator": n, "status": "ok", "source": "test"} for code, (r, n) in counts.items()])


def test_a_big_area_is_tested_against_the_rest_of_its_parent():
    """Noord is 1.000 of the gemeente's 1.300 people: 45% against the parent's 42,3% lies
    inside its own interval (the old overlap test said 'gelijk'), but against the rest
    (100 of 300 = 33,3%) the difference is clear at 95% and 99.8%."""
    obs = _rows("aandeel", {"GM0001": (550, 1300), "WK000101": (450, 1000),
                            "WK000102": (100, 300)}, 100)
    out = stats.compare_with_parent(obs, CATALOGUE, HIERARCHY).set_index("area_code")
    noord, zuid = out.loc["WK000101"], out.loc["WK000102"]
    assert noord["lower_95"] < noord["parent_value"] < noord["upper_95"]  # overlap: gelijk
    assert noord["rest_value"] == pytest.approx(100 / 300 * 100)
    assert noord["vergelijking_methode"] == "newcombe"
    assert noord["vergelijking_95"] == noord["vergelijking_998"] == "beter"
    assert zuid["rest_value"] == pytest.approx(45.0)
    assert zuid["vergelijking_95"] == "slechter"
    gemeente = out.loc["GM0001"]
    assert gemeente["vergelijking_95"] == "niet vergeleken"
    assert gemeente["vergelijking_methode"] == "none"


def test_rates_use_the_conditional_test_and_no_events_is_equal():
    obs = _rows("per_1000", {"GM0001": (45, 2000), "WK000101": (30, 1000),
                             "WK000102": (15, 1000)}, 1000)
    out = stats.compare_with_parent(obs, CATALOGUE, HIERARCHY).set_index("area_code")
    noord = out.loc["WK000101"]
    # ratio 30/15 = 2: exact 95% interval 1,043–4,000 excludes 1; at 99,8% it does not
    assert noord["vergelijking_methode"] == "poisson_ratio"
    assert noord["vergelijking_95"] == "slechter" and noord["vergelijking_998"] == "gelijk"
    assert noord["rest_value"] == pytest.approx(15.0)
    none = _rows("per_1000", {"GM0001": (0, 2000), "WK000101": (0, 1000),
                              "WK000102": (0, 1000)}, 1000)
    out = stats.compare_with_parent(none, CATALOGUE, HIERARCHY).set_index("area_code")
    assert out.loc["WK000101", "vergelijking_95"] == "gelijk"


def test_without_the_rests_counts_the_overlap_method_is_used_and_named():
    """The parent has a published value only: the area's interval against that value."""
    obs = _rows("aandeel", {"GM0001": (NAN, NAN), "WK000101": (450, 1000),
                            "WK000102": (100, 300)}, 100, values={"GM0001": 30.0})
    out = stats.compare_with_parent(obs, CATALOGUE, HIERARCHY).set_index("area_code")
    assert out.loc["WK000101", "vergelijking_methode"] == "overlap"
    assert out.loc["WK000101", "vergelijking_95"] == "beter"  # 41,9–48,1% clear of 30
    assert np.isnan(out.loc["WK000101", "rest_value"])
    assert "onbekend" in stats.TEST_TEXT["overlap"]


def test_an_empty_frame_keeps_every_column():
    """As in a workspace without figures: no rows, the indicator column an arrow string
    (a scale mapped from it must still be a number)."""
    obs = _rows("aandeel", {"GM0001": (550, 1300)}, 100).iloc[:0]
    out = stats.compare_with_parent(obs.astype({"indicator": "string[pyarrow]"}),
                                    CATALOGUE, HIERARCHY)
    assert out.empty and {"rest_value", "vergelijking_methode", "vergelijking_998"} <= set(
        out.columns)


def test_a_buurt_that_is_its_whole_wijk_falls_back_to_overlap(tiny_facts):
    out = stats.compare_with_parent(tiny_facts.observations, tiny_facts.catalogue,
                                    tiny_facts.hierarchy)
    rows = out[(out["indicator"] == "bijstand_per_1000") & (out["year"] == 2023)]
    rows = rows.set_index("area_code")
    assert rows.loc["BU00010201", "vergelijking_methode"] == "overlap"  # the rest is empty
    assert rows.loc["BU00010201", "vergelijking_95"] == "gelijk"
    # Zuid 480 per 4.000 against the rest (Noord: 160 per 8.000) by the conditional test
    assert rows.loc["WK000102", "vergelijking_methode"] == "poisson_ratio"
    assert rows.loc["WK000102", "rest_value"] == pytest.approx(20.0)
    assert rows.loc["WK000102", "vergelijking_998"] == "slechter"


def test_the_catalogue_names_the_comparison_test():
    cat = catalogue.load()
    assert cat["aandeel_65plus"].comparison_test == "newcombe"
    assert cat["bijstand_per_1000"].comparison_test == "poisson_ratio"
    assert cat["inwoners"].comparison_test == "none"
    assert set(stats.TEST_TEXT) == set(catalogue.COMPARISON_TESTS)
    explicit = _indicator("x", "proportion", "wilson", test="overlap")
    assert explicit.comparison_test == "overlap"


def test_the_catalogue_refuses_a_test_that_does_not_fit(tmp_path):
    path = tmp_path / "eigen.yml"
    path.write_text("indicators:\n  x:\n    label: x\n    description: x\n    unit: x\n"
                    "    kind: rate\n    numerator: a\n    denominator: b\n"
                    "    comparison: byar\n    test: newcombe\n    theme: t\n    source: s\n"
                    "    levels: [wijk]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="test 'newcombe' compares two proportions"):
        catalogue.load(path)
