"""Workspace loading, configuration errors, indicators, disclosure control."""

from __future__ import annotations

import pytest
import yaml

from helpers.errors import ConfigError, DataError, UnknownAreaError
from helpers.indicators import catalogue
from helpers.workspace import open_workspace


def test_demo_workspace_opens(demo_ws):
    assert demo_ws.config.gemeente.code == "GM9901"
    assert demo_ws.config.gemeente.name == "Voorbeeldstad"
    assert demo_ws.vintages == [2017, 2022]
    assert demo_ws.vintage_for(2021) == 2017 and demo_ws.vintage_for(2024) == 2022
    wijken = demo_ws.areas_for(2024, "wijk")
    assert len(wijken) == 11 and wijken["parent"].eq("GM9901").all()
    assert demo_ws.area("WK990101")["name"] == "Binnenstad"
    assert len(demo_ws.provenance) >= 10


def test_workspace_opens_by_name_from_any_directory(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert open_workspace("demo").config.gemeente.code == "GM9901"


def test_unknown_area_names_the_workspace_and_the_valid_codes(demo_ws):
    with pytest.raises(UnknownAreaError) as err:
        demo_ws.area("WK990199")
    message = str(err.value)
    assert "'WK990199'" in message and "stuurkit.yml" in message
    assert "WK990101 (Binnenstad)" in message and "Did you mean" in message


def test_missing_config(tmp_path):
    with pytest.raises(ConfigError, match=r"stuurkit\.yml: workspace configuration not found"):
        open_workspace(tmp_path)


def test_missing_file_names_the_key_and_the_fix(ws_copy):
    (ws_copy / "raw" / "kwb-2019.csv").unlink()
    with pytest.raises(ConfigError) as err:
        open_workspace(ws_copy)
    assert "sources.kwb[2]: raw/kwb-2019.csv" in str(err.value)
    assert "stuurkit demo-data" in str(err.value)


def test_broken_yaml_names_line_and_column(ws_copy):
    path = ws_copy / "stuurkit.yml"
    path.write_text(path.read_text().replace("  name: Voorbeeldstad", "  name: [Voorbeeldstad"))
    with pytest.raises(ConfigError, match=r"stuurkit\.yml: not valid YAML at line \d+"):
        open_workspace(ws_copy)


@pytest.mark.parametrize("change, message", [
    (lambda d: d["gemeente"].update(code="0344"), r"gemeente\.code: String should match"),
    (lambda d: d["sources"]["kaart"][0].update(vintage=1800),
     r"sources\.kaart\.0\.vintage: Input should be greater than or equal to 1990"),
    (lambda d: d.update(schedul=[]), r"schedul: Extra inputs are not permitted"),
    (lambda d: d["sources"]["kaart"][0].update(level="stad"), r"sources\.kaart\.0\.level"),
])
def test_invalid_config_names_the_key(ws_copy, change, message):
    path = ws_copy / "stuurkit.yml"
    doc = yaml.safe_load(path.read_text())
    change(doc)
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(ConfigError, match=message):
        open_workspace(ws_copy)


def test_catalogue_is_valid_and_errors_name_file_and_key(tmp_path):
    cat = catalogue.load()
    assert len(cat) >= 20 and all(i.label and i.description for i in cat.values())
    bad = tmp_path / "cat.yml"
    bad.write_text("defaults: {levels: [wijk], theme: T, source: S}\nindicators:\n"
                   "  x:\n    label: X\n    description: d\n    unit: '%'\n    kind: rate\n"
                   "    numerator: a\n  y:\n    label: Y\n    description: d\n    unit: u\n"
                   "    kind: mean\n    polarity: up\n    variable: v\n")
    with pytest.raises(ConfigError) as err:
        catalogue.load(bad)
    text = str(err.value)
    assert "cat.yml: indicator 'x'" in text and "needs a 'denominator'" in text
    assert "cat.yml: indicator 'y': polarity" in text


def test_foreign_registrations_are_refused(ws_copy):
    path = ws_copy / "raw" / "registraties.csv"
    path.write_text(path.read_text() + "BU03440101,2020,wmo_clienten,4\n")
    ws = open_workspace(ws_copy)
    with pytest.raises(DataError, match="area code BU03440101 is not in GM9901"):
        _ = ws.variables_raw


def test_a_buurt_whose_wijk_is_not_in_the_wijk_layer_is_refused(ws_copy):
    """Its figures would drop out of the wijk's sums silently: the hierarchy (and so
    `stuurkit check` and every run) names the buurten and the wijk."""
    import json

    from helpers.workspace.check import check_workspace

    path = ws_copy / "raw" / "wijken_2022.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["features"] = [f for f in doc["features"] if f["properties"]["wijkcode"] != "WK990101"]
    path.write_text(json.dumps(doc), encoding="utf-8")
    ws = open_workspace(ws_copy)
    with pytest.raises(DataError, match=r"buurt areas \(kaart 2022\) lie in a wijk that the wijk "
                                        r"layer used for 2022 \(kaart 2022\) does not have: "
                                        r"BU99010101 in WK990101.*drop out of the wijk's sums"):
        ws.hierarchy  # noqa: B018
    problems = [p for p in check_workspace(ws_copy) if p.where == "kaart"]
    assert any(p.severity == "fout" and "BU99010101 in WK990101" in p.message for p in problems)


def test_the_demo_hierarchy_is_whole(demo_ws):
    hierarchy = demo_ws.hierarchy
    for year, part in hierarchy.groupby("year"):
        wijken = set(part.loc[part["level"] == "wijk", "code"])
        assert set(part.loc[part["level"] == "buurt", "parent"]) <= wijken, year


def test_a_wijk_vintage_without_gemeente_layer_gets_the_union_of_its_wijken(ws_copy):
    """Groningen's 2024 wijken (with Haren and Ten Boer) came without a 2024 gemeente
    layer: its 2024 figures must not be drawn on the 2015 outline."""
    path = ws_copy / "stuurkit.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["sources"]["kaart"] = [k for k in config["sources"]["kaart"]
                                  if k["file"] != "raw/gemeenten_2022.geojson"]
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    ws = open_workspace(ws_copy)
    outline = ws.areas_for(2024, "gemeente")
    assert list(outline["vintage"]) == [2022] and list(outline["code"]) == ["GM9901"]
    wijken = ws.areas_for(2024, "wijk")
    assert set(wijken["vintage"]) == {2022}
    union = wijken.geometry.union_all()
    assert outline.geometry.iloc[0].symmetric_difference(union).area < 1e-6 * union.area
    assert list(ws.areas_for(2021, "gemeente")["vintage"]) == [2017]  # its own layer
    assert len(ws.hierarchy)
