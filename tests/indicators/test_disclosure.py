"""Disclosure control (helpers.indicators.disclosure): small counts suppressed, none
recoverable from its siblings and parent."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.indicators import catalogue
from helpers.indicators import disclosure as privacy


def test_complementary_suppression_leaves_no_recoverable_cell():
    cat = catalogue.load()
    hierarchy = pd.DataFrame({
        "year": 2023, "code": ["BU1", "BU2", "BU3", "WK1"],
        "parent": ["WK1", "WK1", "WK1", "GM1"], "level": ["buurt"] * 3 + ["wijk"]})
    obs = pd.DataFrame({
        "area_code": ["BU1", "BU2", "BU3", "WK1", "GM1"],
        "level": ["buurt"] * 3 + ["wijk", "gemeente"], "year": 2023,
        "indicator": "bijstand_per_1000",
        "numerator": [4.0, 60.0, 40.0, 104.0, 104.0],
        "denominator": [900.0, 3000.0, 2000.0, 5900.0, 5900.0], "status": "ok",
        "source": "test"})
    obs["value"] = obs["numerator"] / obs["denominator"] * 1000
    out = privacy.suppress(obs, cat, hierarchy).set_index("area_code")
    assert out.loc["BU1", "status"] == "suppressed"  # 4 < min_count
    assert out.loc["BU3", "status"] == "suppressed"  # the smallest sibling, complementary
    assert out.loc["BU2", "status"] == "ok" and out.loc["WK1", "status"] == "ok"
    assert privacy.lone_suppressions(out.reset_index(), hierarchy).empty


def test_a_lone_child_takes_its_parent_along():
    cat = catalogue.load()
    hierarchy = pd.DataFrame({"year": 2023, "code": ["BU1"], "parent": ["WK1"],
                              "level": ["buurt"]})
    obs = pd.DataFrame({"area_code": ["BU1", "WK1"], "level": ["buurt", "wijk"],
                        "year": 2023, "indicator": "bijstand_per_1000",
                        "numerator": [4.0, 4.0], "denominator": [900.0, 900.0],
                        "value": [4.4, 4.4], "status": "ok", "source": "t"})
    out = privacy.suppress(obs, cat, hierarchy)
    assert (out["status"] == "suppressed").all()


def test_demo_observations_have_no_lone_suppressed_cell(demo_facts):
    obs = demo_facts.observations
    computed = obs["indicator"].map(lambda i: demo_facts.catalogue[i].computed)
    assert (obs["status"] == "suppressed").any()
    assert privacy.lone_suppressions(obs[computed], demo_facts.hierarchy).empty


def test_small_counts_are_suppressed_without_a_trace():
    cat = catalogue.load()
    obs = pd.DataFrame({
        "area_code": ["BU1", "BU2", "BU3"], "level": "buurt", "year": 2023,
        "indicator": "bijstand_per_1000", "value": [3 / 40 * 1000, 25 / 1000 * 1000, 0.0],
        "numerator": [3.0, 25.0, 0.0], "denominator": [40.0, 1000.0, 5.0],
        "status": "ok", "source": "test",
    })
    out = privacy.suppress(obs, cat).set_index("area_code")
    assert out.loc["BU1", "status"] == "suppressed"
    assert np.isnan(out.loc["BU1", ["value", "numerator", "denominator"]].astype(float)).all()
    assert out.loc["BU2", "status"] == "ok" and out.loc["BU2", "value"] == 25
    assert out.loc["BU3", "status"] == "suppressed"  # a denominator of 5 reveals people
