"""The wijkprofiel's trend panels and profile (issue 16, finding 7): whole years, units in
the titles, axes that start at zero for counts and are never zoomed into noise, a data
table that holds every panel, and a profile grouped by theme with the values as shown."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from helpers.analysis.profile import area_profile, spine_data
from helpers.numbers import format_number
from helpers.presentation import charts, render
from helpers.presentation.declare import declared_series
from helpers.reports import wijkprofiel


@pytest.fixture(scope="module")
def profile(demo_facts):
    return area_profile(demo_facts, demo_facts.area("WK990108"), 2024)


@pytest.fixture(scope="module")
def report(demo_ws, demo_facts, profile):
    return wijkprofiel.Wijkprofiel(demo_ws, demo_facts, profile)


@pytest.mark.parametrize("values, kind, unit, low, high", [
    ([50.56, 50.60], "proportion", "%", 40.46, 60.70),  # Vrouwen: not 50,56–50,60
    ([120, 180], "count", "inwoners", 0.0, 180.0),  # a count starts at zero
    ([1.5, 1.7], "mean", "personen", 1.26, 1.94),
    ([0.0, 0.0], "proportion", "%", 0.0, 1e-09),  # all zero: still a span, not below 0
    ([96.0, 99.0], "proportion", "%", 60.4, 100.0),  # a percentage stays ≤ 100
    ([-3.0, 2.0], "mean", "%", -3.0, 2.0),  # a value below zero keeps its range
])
def test_value_domain_is_never_zoomed_into_noise(values, kind, unit, low, high):
    domain = charts.value_domain(pd.Series(values), kind, unit)
    assert domain == pytest.approx([low, high], abs=1e-6)
    assert domain[0] <= min(values) and domain[1] >= max(values)
    if kind != "count":  # at least MIN_SPAN of the largest value, noise or not
        assert domain[1] - domain[0] >= charts.MIN_SPAN * max(map(abs, values)) - 1e-6


def test_key_indicators_are_goals_and_differences_first(report, demo_budget):
    chosen = wijkprofiel.key_indicators(report)
    assert wijkprofiel.MIN_PANELS <= len(chosen) <= wijkprofiel.KEY_PANELS
    goals = {gi.indicator for _, goal in demo_budget.begroting.goals()
             for gi in goal.indicatoren}
    spine = spine_data(report.profile).set_index("indicator")
    significant = set(spine.index[spine["vergelijking"].isin(wijkprofiel._SIGNIFICANT)])
    # every panel is a goal indicator or a significant difference (there are enough)
    assert all(i.id in goals | significant for i in chosen), [i.id for i in chosen]
    assert chosen[0].id in goals & significant
    assert any(i.id in goals - significant for i in chosen)
    assert any(i.id in significant - goals for i in chosen)


def test_trend_panels_have_whole_years_units_and_their_decimals(report, profile):
    chart = wijkprofiel.trends(report)
    spec = chart.to_dict()
    panels = spec["concat"]
    chosen = wijkprofiel.key_indicators(report)
    assert len(panels) == len(chosen)
    years = None
    for panel, indicator in zip(panels, chosen, strict=True):
        assert panel["title"] == f"{indicator.label} ({indicator.unit})"
        layer = panel["layer"][0]["encoding"]
        x, y = layer["x"], layer["y"]
        assert x["type"] == "ordinal" and x["field"] == "jaar"
        assert all(isinstance(v, int) for v in x["scale"]["domain"] + x["axis"]["values"])
        assert x["axis"]["values"][-1] == x["scale"]["domain"][-1]  # the newest year shown
        years = years or x["scale"]["domain"]
        assert x["scale"]["domain"] == years  # the same years on every panel
        assert y["axis"]["format"] == f",.{indicator.decimals}f"
        low, high = y["scale"]["domain"]
        rows = spec["datasets"][panel["data"]["name"]]
        values = [r["waarde"] for r in rows]
        assert low <= min(values) and high >= max(values)
        if indicator.kind == "count":
            assert low == 0
        else:
            assert high - low >= charts.MIN_SPAN * max(map(abs, values)) - 1e-6 or high == 100
        # drawn as shown: rounded to the catalogue's decimals
        assert all(round(v, indicator.decimals) == v for v in values)
        assert all(isinstance(r["jaar"], int) for r in rows)


def test_the_data_table_of_the_panels_holds_every_panel(report, profile):
    spec = wijkprofiel.trends(report).to_dict()
    series = declared_series(spec)
    drawn = {(r["indicator"], r["gebied_naam"], r["jaar"], r["waarde"])
             for r in series if r["waarde"] is not None}
    # every point of every panel is in the declared series, and nothing else is
    labels = {i.label: i.id for i in profile.indicators}
    points = set()
    for panel in spec["concat"]:
        indicator = labels[panel["title"].rsplit(" (", 1)[0]]
        for row in spec["datasets"][panel["data"]["name"]]:
            points.add((indicator, row["gebied"], row["jaar"], row["waarde"]))
    assert points == drawn
    table = render.data_table(spec)
    assert table.count("<tr>") - 1 == len(series)  # the header row, then every observation
    assert {r["label"] for r in series} == {p["title"].rsplit(" (", 1)[0]
                                            for p in spec["concat"]}
    hidden = [r for r in series if r["waarde"] is None]
    assert all(r["status"] not in ("ok", "provisional") for r in hidden)


def test_a_grouped_chart_without_series_lists_every_dataset():
    one = pd.DataFrame({"jaar": [2020, 2021], "waarde": [1.0, 2.0]})
    other = pd.DataFrame({"jaar": [2020], "waarde": [7.5]})
    import altair as alt

    chart = alt.concat(alt.Chart(one).mark_line().encode(x="jaar:O", y="waarde:Q"),
                       alt.Chart(other).mark_point().encode(x="jaar:O", y="waarde:Q"))
    table = render.data_table(chart.to_dict())
    assert table.count("<tr>") == 4 and "7,5" in table


def test_the_profile_is_grouped_by_theme_with_the_values_as_shown(report, profile):
    data = spine_data(profile)
    spec = wijkprofiel.spine(report).to_dict()
    assert spec["facet"]["row"]["field"] == "theme"
    themes = list(dict.fromkeys(data["theme"]))
    assert spec["facet"]["row"]["sort"] == themes and len(themes) > 5
    text = next(layer for layer in spec["spec"]["layer"]
                if (layer["mark"]["type"] if isinstance(layer["mark"], dict)
                    else layer["mark"]) == "text")
    assert text["encoding"]["text"]["field"] == "waarde"
    catalogue = profile.facts.catalogue
    for row in data.itertuples():
        ind = catalogue[row.indicator]
        assert row.waarde == f"{format_number(row.value, ind.decimals)} {ind.unit}"
    # the data table shows values as the page writes them, never the scaled positions
    table = render.data_table(spec)
    series = declared_series(spec)
    assert len(series) == 2 * len(data)
    assert "<th scope=\"col\">Waarde</th>" in table and "<th scope=\"col\">punt</th>" not in table
    bijstand = data.set_index("indicator").loc["bijstand_per_1000"]
    assert f"<td>{format_number(bijstand['value'], 1)}</td>" in table
    assert not re.search(r"<td>-?0,\d{3,}</td>", table)  # no scaled numbers
    assert json.dumps(profile.parent_name) in json.dumps(spec)
