"""The verkenner's state and views (helpers.reports.verkenner), without widgets."""

from __future__ import annotations

import dataclasses
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


def _views(explorer: Explorer) -> tuple:
    return (explorer.year_options(), explorer.area_options(), _spec(explorer.map()),
            _spec(explorer.trend()), explorer.ranking().data)


def test_a_state_reached_by_many_changes_shows_what_a_new_explorer_shows(demo_ws, demo_facts):
    """What the explorer keeps between changes (per indicator, level and year) never
    shows another state's figures: here the buurten lack 2024 (other years than the
    wijken) and 2019 has the boundaries of 2017 (other areas than 2023, one buurt with
    another code)."""
    obs, areas = demo_facts.observations, demo_facts.areas.copy()
    old = (areas["vintage"] == 2017) & (areas["level"] == "buurt")
    renamed = areas.index[old][0]
    buurt = areas.loc[renamed, "code"]  # its code from 2022 on
    areas.loc[renamed, "code"] = "BU99019999"
    facts = dataclasses.replace(demo_facts, areas=areas, observations=obs[
        ~((obs["level"] == "buurt") & (obs["year"] == 2024))].reset_index(drop=True))
    travelled = Explorer(demo_ws, facts, "bijstand_per_1000", 2019, "buurt")
    _views(travelled)
    for change in ({"indicator": "aandeel_65plus"}, {"level": "wijk"},
                   {"year": 2019, "area": "WK990103"}, {"year": 2024}, {"level": "buurt"},
                   {"indicator": "bijstand_per_1000"}, {"indicator": "aandeel_65plus"}):
        travelled.set(**change)
        _views(travelled)
    for level, area in (("buurt", buurt), ("wijk", "WK990103")):
        travelled.set(level=level, area=area, year=2023)
        # the same frames in another Facts object: nothing kept with them yet
        fresh = Explorer(demo_ws, dataclasses.replace(facts), "aandeel_65plus", 2023, level,
                         area)
        assert (travelled.indicator, travelled.year, travelled.level, travelled.area) == (
            fresh.indicator, fresh.year, fresh.level, fresh.area)
        assert travelled.area == area
        assert _views(travelled) == _views(fresh)


def test_other_facts_given_to_an_explorer_replace_what_it_kept(demo_ws, demo_facts):
    explorer = Explorer(demo_ws, demo_facts, "aandeel_65plus", 2023, "buurt")
    _views(explorer)
    obs = demo_facts.observations
    fewer = dataclasses.replace(demo_facts, observations=obs[
        ~((obs["level"] == "buurt") & (obs["year"] == 2023))].reset_index(drop=True))
    explorer.facts = fewer
    explorer.set(year=2023)
    assert 2023 not in explorer.year_options() and explorer.year == 2024
    fresh = Explorer(demo_ws, dataclasses.replace(fewer), "aandeel_65plus", 2024, "buurt")
    assert _views(explorer) == _views(fresh)
