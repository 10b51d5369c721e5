"""Geometry for maps: simplification scaled to the map, shared borders, reuse."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import affinity

from helpers.presentation import maps


def _zigzag_pair(amplitude: float) -> list:
    """Two 1 km squares sharing a border that zigzags ``amplitude`` metres either way."""
    ys = np.arange(0, 1001, 50.0)
    border = [(1000.0 + (amplitude if i % 2 else 0.0), y) for i, y in enumerate(ys)]
    left = shapely.Polygon([(0, 0), *border, (0, 1000)])
    right = shapely.Polygon([*border, (2000, 1000), (2000, 0)])
    return [left, right]


@pytest.mark.parametrize(("bounds", "width", "expected"), [
    ((0, 0, 10_000, 8_000), 520, maps.MIN_TOLERANCE),  # a gemeente: the 10 m floor
    ((0, 0, 52_000, 40_000), 520, 50.0),  # half a pixel of 100 m
    ((0, 0, 192_000, 160_000), 960, 100.0),  # a national map drawn wider
])
def test_tolerance_is_half_a_pixel_and_at_least_ten_metres(bounds, width, expected):
    assert maps.tolerance_for(bounds, width) == pytest.approx(expected)


def test_simplify_keeps_borders_shared_and_drops_detail_below_the_tolerance():
    pair = _zigzag_pair(amplitude=20.0)
    fine = maps.simplify(pair, 10.0)
    coarse = maps.simplify(pair, 50.0)
    count = shapely.get_num_coordinates
    assert count(fine).sum() == count(np.array(pair)).sum()  # 20 m zigzag kept at 10 m
    assert count(coarse).sum() < count(fine).sum()  # and smoothed away at 50 m
    for shapes in (fine, coarse):
        assert shapely.coverage_is_valid(shapes)  # still one border, no gaps or overlaps
        assert not shapely.is_empty(shapes).any()
        assert shapely.area(shapely.union_all(shapes)) == pytest.approx(2_000_000, rel=1e-3)
        assert not any(shapely.is_ccw(shapely.get_exterior_ring(shapes)))  # clockwise
        coords = shapely.get_coordinates(shapes)
        assert (coords == np.round(coords)).all()  # whole metres


def test_simplify_reuses_the_result_for_equal_geometry():
    pair = _zigzag_pair(amplitude=30.0)
    copy = [shapely.from_wkb(shapely.to_wkb(g)) for g in pair]  # equal, not the same
    first, again = maps.simplify(pair, 50.0), maps.simplify(copy, 50.0)
    assert all(a is b for a, b in zip(first, again, strict=True))
    assert maps.simplify(pair, 10.0)[0] is not first[0]  # another tolerance: its own


def test_choropleth_embeds_integer_coordinates_and_only_the_drawn_columns():
    areas = gpd.GeoDataFrame({"code": ["BU1", "BU2"], "name": ["Noord", "Zuid"]},
                             geometry=_zigzag_pair(amplitude=20.0), crs="EPSG:28992")
    data = pd.DataFrame({"code": ["BU1", "BU2"], "value": [1.5, 2.5], "status": "ok"})
    spec = maps.choropleth(areas, data, "Test", "aantal").to_dict()
    (rows,) = spec["datasets"].values()
    assert [list(r) for r in rows] == [["naam", "klasse", "waarde", "type", "geometry"]] * 2
    ring = rows[0]["geometry"]["coordinates"][0]
    assert all(isinstance(c, int) for point in ring for c in point)


def test_a_national_extent_is_simplified_more_than_a_gemeente():
    pair = _zigzag_pair(amplitude=60.0)
    far = [affinity.translate(g, 150_000, 0) for g in pair]  # the map spans 152 km
    areas = gpd.GeoDataFrame({"naam": ["a", "b", "c", "d"]}, geometry=[*pair, *far],
                             crs="EPSG:28992")
    national = maps.prepare(areas, ["naam"])  # ≈ 146 m per half pixel at 520 px
    local = maps.prepare(areas.iloc[:2], ["naam"])  # 2 km wide: 10 m
    count = shapely.get_num_coordinates
    assert count(national.geometry.values[:2]).sum() < count(local.geometry.values).sum()


def test_choropleth_shares_one_dataset_of_plain_json_values_between_its_area_layers():
    pair = _zigzag_pair(amplitude=20.0)
    areas = gpd.GeoDataFrame({"code": ["BU1", "BU2", "BU3"], "name": ["Noord", "Zuid", "Oost"]},
                             geometry=[*pair, affinity.translate(pair[0], 0, 1000)],
                             crs="EPSG:28992")
    data = pd.DataFrame({"code": ["BU1", "BU2"], "value": [1.5, np.nan], "status": "ok"})
    water = gpd.GeoSeries([shapely.box(0, -500, 2000, -100)], crs="EPSG:28992")
    spec = maps.choropleth(areas, data, "Test", "aantal", highlight="BU2",
                           water=water).to_dict()
    areas_data, pond = (spec["datasets"][spec["data"]["name"]],
                        spec["datasets"][spec["layer"][0]["data"]["name"]])
    assert [r["naam"] for r in areas_data] == ["Noord", "Zuid", "Oost"]
    assert [r["gekozen"] for r in areas_data] == [False, True, False]
    assert all(type(r["gekozen"]) is bool for r in areas_data)  # not numpy's bool
    assert [r["waarde"] for r in areas_data] == ["1,5", "–", "–"]
    assert [r["klasse"] for r in areas_data][1:] == ["geen gegevens"] * 2
    assert all("data" not in layer for layer in spec["layer"][1:])  # fill and outline
    assert [list(r) for r in pond] == [["type", "geometry"]]
    json.dumps(spec, allow_nan=False)  # plain JSON: no NaN, no numpy scalars


def test_plain_cells_are_what_json_holds():
    cells = (np.nan, None, pd.NA, pd.NaT, np.inf, -np.inf, np.float32("nan"), np.True_,
             np.int64(3), 2.5, "a", pd.Timestamp("2024-01-02"))
    assert [maps._plain(v) for v in cells] == [
        None, None, None, None, None, None, None, True, 3, 2.5, "a", "2024-01-02T00:00:00"]
    with pytest.raises(TypeError, match="a map cell of type ndarray"):
        maps._plain(np.array([1, 2]))
