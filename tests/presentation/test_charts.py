"""Visual helpers and the verkenner's logic, without a kernel."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from helpers.analysis.profile import area_profile, spine_data
from helpers.presentation import charts, maps, theme
from helpers.workspace import open_workspace


def _spec(chart) -> dict:
    return json.loads(chart.to_json())


def _data_keys(spec: dict) -> set[str]:
    return {k for rows in spec.get("datasets", {}).values() for row in rows for k in row}


def test_theme_is_dutch_and_takes_house_colours():
    theme.enable(["#112233", "#445566"])
    import altair as alt

    config = alt.theme.get()()["config"]
    assert config["locale"]["number"]["decimal"] == ","
    assert config["locale"]["number"]["thousands"] == "."
    assert config["locale"]["time"]["months"][2] == "maart"
    assert config["range"]["category"] == ["#112233", "#445566"]
    theme.enable()
    assert alt.theme.get()()["config"]["range"]["category"] == theme.PALETTE


@pytest.mark.parametrize("scheme", ["quantiles", "natural_breaks"])
def test_classes_have_dutch_labels_and_missing_stays_unclassed(scheme):
    values = pd.Series([1.5, 2.25, 3.0, 10.0, 12.5, 1000.0, None])
    labels, order = maps.classify(values, scheme, k=3)
    assert pd.isna(labels.iloc[-1]) and len(order) == 3
    assert any("," in label for label in order) and "1.000,0" in order[-1]


def test_fixed_classes():
    labels, order = maps.classify(pd.Series([1.0, 5.0, 9.0]), "fixed", bins=[2, 6, 10])
    assert list(labels) == [order[0], order[1], order[2]]


def test_choropleth_embeds_only_drawn_columns_and_marks_no_data(demo_ws):
    areas = demo_ws.areas_for(2023, "wijk")
    data = pd.DataFrame({"code": areas["code"], "value": range(len(areas)),
                         "status": ["ok"] * (len(areas) - 2) + ["suppressed", "missing"]})
    spec = _spec(maps.choropleth(areas, data, "Test", "%", highlight="WK990101"))
    assert _data_keys(spec) <= {"type", "geometry", "naam", "klasse", "waarde", "gekozen",
                                "soort"}
    text = json.dumps(spec)
    assert "onderdrukt" in text and "geen gegevens" in text


def _values(node, key):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from _values(v, key)
    elif isinstance(node, list):
        for v in node:
            yield from _values(v, key)


def test_spine_is_oriented_right_is_better(demo_facts):
    profile = area_profile(demo_facts, demo_facts.area("WK990108"), 2024)
    data = spine_data(profile)
    bijstand = data.set_index("indicator").loc["bijstand_per_1000"]
    assert bijstand["vergelijking"] == "slechter" and bijstand["punt"] < 0
    assert data[["minimum", "maximum", "punt"]].abs().max().max() <= 1
    spec = _spec(charts.spine(data, profile.name, profile.parent_name))
    assert "value" not in _data_keys(spec), "only drawn columns"
    # a name from data is a string literal in the axis expression, never code
    evil = "Noord' + alert(1) + '\" \\"
    text = json.dumps(_spec(charts.spine(data, profile.name, evil)))
    expression = next(v for v in _values(json.loads(text), "labelExpr"))
    assert expression.startswith(f"datum.value == 0 ? {json.dumps(evil)} : ")


def test_goal_trend_and_budget_charts():
    series = pd.DataFrame({"jaar": [2019, 2020, 2021], "waarde": [1.0, 2.0, 3.0]})
    band = pd.DataFrame({"jaar": [2021, 2026], "onder": [3.0, 4.0], "boven": [3.0, 8.0]})
    spec = _spec(charts.goal_trend(series, "X", "%", 2026, 6.0, band, break_year=2020))
    assert "grenswijziging" in json.dumps(spec)
    budget = pd.DataFrame({"jaar": [2024, 2024], "soort": ["begroot", "realisatie"],
                           "bedrag": [10.0, 9.0]})
    assert "Begroot en gerealiseerd" in json.dumps(_spec(charts.budget(budget, "mln")))


def test_house_style_logo_is_inlined(ws_copy):
    (ws_copy / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" '
                                      'height="10"><rect width="10" height="10"/></svg>')
    path = ws_copy / "stuurkit.yml"
    doc = yaml.safe_load(path.read_text())
    doc["style"] = {"name": "Voorbeeldstad", "colours": ["#123456"], "logo": "logo.svg"}
    path.write_text(yaml.safe_dump(doc))
    from helpers.reports.common import _logo, render

    html = render("header.html.j2", title="T", gemeente="G", subtitle="", demo=False,
                  logo=_logo(open_workspace(ws_copy))).data
    assert html.startswith('<img class="stuurkit-logo" src="data:image/svg+xml;base64,')
    assert 'alt="Logo Voorbeeldstad"' in html
