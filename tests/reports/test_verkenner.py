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
    with pytest.raises(StuurkitError, match="has no values per wijk"):
        explorer.set(indicator="overhead_pct")
