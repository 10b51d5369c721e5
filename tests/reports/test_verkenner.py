"""The verkenner's state and views (helpers.reports.verkenner), without widgets."""

from __future__ import annotations

import json

import pytest

from helpers.errors import StuurkitError
from helpers.reports.verkenner import Explorer


def _spec(chart) -> dict:
    return json.loads(chart.to_json())


def test_explorer_state_stays_consistent(demo_ws, demo_facts):
    explorer = Explorer(demo_ws, demo_facts, "bijstand_per_1000", 2024, "wijk")
    assert explorer.year == 2023, "2024 has no bijstand data: the newest year is taken"
    explorer.set(area="WK990103")
    assert explorer.area == "WK990103"
    explorer.set(level="buurt")
    assert explorer.area is None, "a wijk code is dropped when switching to buurten"
    explorer.set(level="wijk", area="WK990103", indicator="aandeel_65plus", year=2024)
    assert (explorer.indicator, explorer.year) == ("aandeel_65plus", 2024)
    assert "65-plussers" in json.dumps(_spec(explorer.map()))
    assert "Rivierkwartier" in json.dumps(_spec(explorer.trend()))
    assert "▶ Rivierkwartier" in explorer.ranking().data
    with pytest.raises(StuurkitError, match="heeft geen cijfers per wijk; kies een ander niveau"):
        explorer.set(indicator="overhead_pct")


def test_a_level_without_the_indicator_switches_to_one_of_the_same_theme(
        demo_ws, demo_facts, monkeypatch):
    """The level buttons never leave the verkenner with an error: an indicator that has
    no buurt figures gives way to one of the same theme that has them."""
    catalogue = demo_facts.catalogue
    wijk_only = catalogue["aandeel_65plus"].model_copy(update={"levels": ["gemeente", "wijk"]})
    monkeypatch.setitem(catalogue, "aandeel_65plus", wijk_only)
    explorer = Explorer(demo_ws, demo_facts, "aandeel_65plus", 2024, "wijk")
    explorer.set(level="buurt")
    assert explorer.level == "buurt" and explorer.indicator != "aandeel_65plus"
    assert catalogue[explorer.indicator].theme == "Bevolking"
    assert explorer.indicator in {i for _, i in explorer.indicator_options()}
    assert "aandeel_65plus" not in {i for _, i in explorer.indicator_options()}


def test_the_years_comparison_gives_each_indicator_what_comparing_it_alone_gives(
        demo_ws, demo_facts):
    """The ranking reads one comparison of the whole year (made once per year); each row
    must be what ``compare_with_parent`` gives for that indicator's values alone."""
    import pandas as pd

    from helpers.analysis.stats import compare_with_parent

    explorer = Explorer(demo_ws, demo_facts, "bijstand_per_1000", 2023, "wijk")
    whole = explorer.compared()
    obs = demo_facts.observations
    compared = 0
    for indicator in whole["indicator"].unique():
        alone = compare_with_parent(
            obs[(obs["indicator"] == indicator) & (obs["year"] == 2023)],
            demo_facts.catalogue, demo_facts.hierarchy).reset_index(drop=True)
        part = whole[whole["indicator"] == indicator].reset_index(drop=True)
        pd.testing.assert_frame_equal(part, alone, check_dtype=False)
        compared += (alone["vergelijking_95"] != "niet vergeleken").sum()
    assert compared > 50, "the demo's comparisons were not exercised"
    assert explorer.compared() is whole, "made once per year"
    explorer.set(year=2022)
    assert set(explorer.compared()["year"]) == {2022}
