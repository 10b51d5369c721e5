"""Kaart files as CBS and PDOK publish them: every layer of a GeoPackage, every year of a
file of several years, the figures a layer carries, a table's parts (issue 14)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
import yaml

from helpers.errors import DataError
from helpers.workspace.core import open_workspace
from helpers.workspace.importer import import_files, init_workspace


def _square(i: int, size: float = 500.0):
    return shapely.box(171000 + i * size, 441000, 171000 + (i + 1) * size, 441000 + size)


def _layers() -> dict[str, gpd.GeoDataFrame]:
    gemeente = gpd.GeoDataFrame({"gemeentecode": ["GM9901"], "gemeentenaam": ["Voorbeeldstad"],
                                 "aantalInwoners": [3000]},
                                geometry=[shapely.box(171000, 441000, 172000, 441500)],
                                crs=28992)
    wijken = gpd.GeoDataFrame({"wijkcode": ["WK990101"], "wijknaam": ["Binnenstad"],
                               "gemeentecode": ["GM9901"], "aantalInwoners": [3000]},
                              geometry=[shapely.box(171000, 441000, 172000, 441500)],
                              crs=28992)
    buurten = gpd.GeoDataFrame({"buurtcode": ["BU99010101", "BU99010102"],
                                "buurtnaam": ["Markt", "Dom"], "wijkcode": ["WK990101"] * 2,
                                "gemeentecode": ["GM9901"] * 2,
                                "aantalInwoners": [1200, 1800]},
                               geometry=[_square(0), _square(1)], crs=28992)
    return {"gemeenten": gemeente, "wijken": wijken, "buurten": buurten}


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return init_workspace(tmp_path / "ws", "GM9901", "Voorbeeldstad")


def _config(root: Path) -> dict:
    return yaml.safe_load((root / "stuurkit.yml").read_text(encoding="utf-8"))


def test_a_geopackage_imports_every_layer_with_its_figures(ws, tmp_path):
    path = tmp_path / "wijkenbuurten_2023.gpkg"
    for name, frame in _layers().items():
        frame.to_file(path, layer=name, driver="GPKG")
    imported = import_files(ws, [path])
    assert sorted((i.kind, i.detail.get("level")) for i in imported) == [
        ("kaart", "buurt"), ("kaart", "gemeente"), ("kaart", "wijk"),
        ("kaart-attributes", None), ("kaart-attributes", None), ("kaart-attributes", None)]
    config = _config(ws)
    assert {(k["level"], k["layer"], k["vintage"]) for k in config["sources"]["kaart"]} == {
        ("gemeente", "gemeenten", 2023), ("wijk", "wijken", 2023), ("buurt", "buurten", 2023)}
    assert {k["layer"] for k in config["sources"]["kwb"]} == {"gemeenten", "wijken", "buurten"}
    opened = open_workspace(ws)
    tidy = opened.variables_raw
    inwoners = tidy[tidy["variable"] == "a_inw"].set_index("area_code")["value"]
    assert inwoners.to_dict() == {"GM9901": 3000, "WK990101": 3000, "BU99010101": 1200,
                                  "BU99010102": 1800}
    assert len(opened.areas_for(2023)) == 4


def test_a_file_of_several_years_is_one_layer_per_year(ws, tmp_path):
    frames = []
    for year, name in ((2019, "Voorbeeldstad"), (2023, "Voorbeeldstad")):
        frames.append(_layers()["gemeenten"].drop(columns="aantalInwoners")
                      .assign(jaar=year, gemeentenaam=name))
    path = tmp_path / "gemeente_2019-2023.geojson"
    gpd.GeoDataFrame(pd.concat(frames), crs=28992).to_file(path, driver="GeoJSON")
    import_files(ws, [path])
    assert sorted(k["vintage"] for k in _config(ws)["sources"]["kaart"]) == [2019, 2023]
    again = import_files(ws, [path])  # imported again: the same entries, once
    vintages = sorted(k["vintage"] for k in _config(ws)["sources"]["kaart"])
    assert len(again) == 2 and vintages == [2019, 2023]


def test_a_table_s_parts_come_with_it_and_alone_are_refused(ws, tmp_path):
    import pyogrio

    table = tmp_path / "wijk_2017.dbf"
    pyogrio.write_dataframe(pd.DataFrame({"WK_CODE": ["WK990101"], "WK_NAAM": ["Binnenstad"],
                                          "GM_CODE": ["GM9901"], "AANT_INW": [3000]}),
                            table, driver="ESRI Shapefile")
    for suffix in (".shp", ".shx"):  # an attribute table as CBS publishes it beside the kaart
        table.with_suffix(suffix).unlink(missing_ok=True)
    table.with_suffix(".cpg").write_text("UTF-8")
    with pytest.raises(DataError, match=r"is a part of wijk_2017.dbf; import"):
        import_files(ws, [table.with_suffix(".cpg")])
    import_files(ws, [table, table.with_suffix(".cpg")])  # a glob: the part goes with it
    assert (ws / "raw" / "wijk_2017.cpg").exists()
    recorded = yaml.safe_load((ws / "raw" / "provenance.yml").read_text(encoding="utf-8"))
    assert {e["file"]: e["kind"] for e in recorded["files"]}["wijk_2017.cpg"] == (
        "part of wijk_2017.dbf")


def test_two_files_cannot_both_draw_one_level_and_year(ws, tmp_path):
    buurten = _layers()["buurten"].drop(columns="aantalInwoners")
    first, second = tmp_path / "buurten_2023.geojson", tmp_path / "buurt_2023.gpkg"
    buurten.to_file(first, driver="GeoJSON")
    buurten.to_file(second, driver="GPKG")
    import_files(ws, [first])
    with pytest.raises(DataError, match=r"the buurt layer of 2023 is already given by "
                                        r"raw/buurten_2023.geojson"):
        import_files(ws, [second])
    assert len(_config(ws)["sources"]["kaart"]) == 1
