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


def _wijk(numerators: list[float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    codes = [f"BU{i}" for i in range(1, len(numerators) + 1)]
    hierarchy = pd.DataFrame({"year": 2023, "code": codes, "parent": "WK1", "level": "buurt"})
    total = sum(numerators)
    obs = pd.DataFrame({
        "area_code": [*codes, "WK1"], "level": ["buurt"] * len(codes) + ["wijk"],
        "year": 2023, "indicator": "bijstand_per_1000",
        "numerator": [*numerators, total], "denominator": 1000.0 * (len(codes) + 1),
        "status": "ok", "source": "test"})
    obs["value"] = obs["numerator"] / obs["denominator"] * 1000
    return obs, hierarchy


def test_a_complement_of_zero_does_not_hide_a_small_count():
    # wijk total 114 minus the shown buurten must not give BU1's 4: hiding BU2 (0) with
    # it would leave 4 + 0 = 4 to be read off; the complement must close the gap to 10
    cat = catalogue.load()
    obs, hierarchy = _wijk([4.0, 0.0, 50.0, 60.0])
    out = privacy.suppress(obs, cat, hierarchy).set_index("area_code")
    assert out.loc["BU1", "status"] == "suppressed" and out.loc["BU2", "status"] == "ok"
    assert out.loc["BU3", "status"] == "suppressed"  # the smallest that closes the gap
    hidden = obs.set_index("area_code").loc[out["status"] == "suppressed", "numerator"]
    assert hidden.sum() >= cat["bijstand_per_1000"].min_count
    assert privacy.unprotected_groups(obs, out["status"].reset_index(drop=True), cat,
                                      hierarchy).empty


def test_two_small_suppressed_counts_together_are_still_protected():
    # 3 + 2 = 5 < 10: two suppressed buurten whose sum the wijk total reveals
    cat = catalogue.load()
    obs, hierarchy = _wijk([3.0, 2.0, 40.0, 70.0])
    out = privacy.suppress(obs, cat, hierarchy)
    hidden = obs.loc[out["status"] == "suppressed", "numerator"]
    assert len(hidden) == 3 and hidden.sum() >= 10
    assert privacy.unprotected_groups(obs, out["status"], cat, hierarchy).empty
    # the check itself sees the weak group when only the two small ones are hidden
    weak = out["status"].where(~obs["area_code"].isin(["BU3", "BU4"]), "ok")
    assert len(privacy.unprotected_groups(obs, weak, cat, hierarchy)) == 1


def test_the_demo_publishes_no_unprotected_group(demo_ws, demo_facts):
    # the published statuses against the true numbers: no group where the parent minus
    # the shown siblings gives a small count (the demo had 33 before complements had to
    # close the gap)
    from helpers.indicators.aggregation import aggregate_up
    from helpers.indicators.computation import compute

    truth = compute(aggregate_up(demo_ws.variables_raw, demo_facts.hierarchy),
                    demo_facts.catalogue)
    published = demo_facts.observations
    assert len(truth) == len(published)
    assert (truth["area_code"].to_numpy() == published["area_code"].to_numpy()).all()
    assert privacy.unprotected_groups(truth, published["status"], demo_facts.catalogue,
                                      demo_facts.hierarchy).empty
    before = privacy.unprotected_groups(
        truth, truth["status"].where(~privacy._primary(
            truth, privacy._Coded(truth).per_row(demo_facts.catalogue, "min_count", 0)
            .astype(float)), "suppressed"), demo_facts.catalogue, demo_facts.hierarchy)
    assert len(before) > 0  # primary suppression alone leaves groups to protect
