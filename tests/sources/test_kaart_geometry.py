"""Kaart geometry checked where it enters (helpers.sources.kaart): polygons only, finite
coordinates that fit the declared CRS and lie in the Netherlands, every buurt in a wijk.
The real kaart files of other gemeenten still read."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from helpers.errors import DataError
from helpers.sources import kaart

REAL = Path(__file__).resolve().parents[3] / "shared" / "real-data"


def _buurten(geometries, crs=28992, **extra) -> gpd.GeoDataFrame:
    data = {"buurtcode": ["BU99010101", "BU99010102"], "buurtnaam": ["Markt", "Dom"],
            "wijkcode": ["WK990101"] * 2}
    data.update(extra)
    return gpd.GeoDataFrame(data, geometry=geometries, crs=crs)


RD = [shapely.box(171000, 441000, 171500, 441500), shapely.box(171500, 441000, 172000, 441500)]
LONLAT = [shapely.box(5.10, 52.10, 5.105, 52.105), shapely.box(5.105, 52.10, 5.11, 52.105)]


@pytest.mark.parametrize("geometries, crs, message", [
    (LONLAT, 28992, r"are longitude/latitude, but the file declares Amersfoort / RD New\. "
                    r"Set the CRS to EPSG:4326"),
    (RD, 4326, r"are RD New metres \(EPSG:28992\), but the file says they are "
               r"longitude/latitude .*Set the CRS to EPSG:28992"),
    ([shapely.box(1e300, 1e300, 1.1e300, 1.1e300), RD[1]], 28992,
     r"1 buurt areas lie outside the Netherlands .*e\.g\. BU99010101\. Is the CRS right"),
    ([shapely.box(-3.70, 40.41, -3.69, 40.42), LONLAT[1]], 4326,  # Madrid
     r"1 buurt areas lie outside the Netherlands"),
    ([shapely.box(171000, 441000, 171500, 441500), shapely.box(0, 0, 10, 10)], 28992,
     r"e\.g\. BU99010102\. Is the CRS right"),
    ([shapely.Polygon([(171000, 441000), (math.nan, 441000), (171500, 441500)]), RD[1]],
     28992, r"1 buurt areas have coordinates that are not numbers \(NaN or infinite\), "
            r"e\.g\. BU99010101"),
    ([shapely.Polygon([(171000, 441000), (math.inf, 441000), (171500, 441500)]), RD[1]],
     28992, r"not numbers \(NaN or infinite\), e\.g\. BU99010101"),
    ([shapely.GeometryCollection([RD[0]]), RD[1]], 28992,
     r"1 buurt areas are not polygons, e\.g\. BU99010101 \(GeometryCollection\)"),
    ([shapely.Point(171200, 441200), shapely.LineString([(171500, 441000), (172000, 441500)])],
     28992, r"2 buurt areas are not polygons, e\.g\. BU99010101 \(Point\), BU99010102 "
            r"\(LineString\)"),
    ([None, RD[1]], 28992, r"1 buurt areas have no geometry \(null or empty\), e\.g\. "
                           r"BU99010101"),
    ([shapely.Polygon(), RD[1]], 28992, r"have no geometry \(null or empty\)"),
])
def test_bad_geometry_is_refused_naming_the_areas(tmp_path, geometries, crs, message):
    path = tmp_path / "buurten_2021.gpkg"  # a GeoPackage keeps NaN, inf and every type
    _buurten(geometries, crs).to_file(path, driver="GPKG")
    with pytest.raises(DataError, match=message) as err:
        kaart.read_kaart(path, "buurt", 2021, gemeente="GM9901")
    assert str(path) in str(err.value)


def test_a_buurt_without_its_wijk_code_is_refused(tmp_path):
    path = tmp_path / "buurten_2021.gpkg"
    _buurten(RD, wijkcode=[None, "WK990101"]).to_file(path, driver="GPKG")
    with pytest.raises(DataError, match=r"1 buurt areas have no wijk code, e\.g\. BU99010101"):
        kaart.read_kaart(path, "buurt", 2021)


def test_good_geometry_in_rd_and_in_lonlat_reads(tmp_path):
    for crs, geometries in ((28992, RD), (4326, LONLAT)):
        path = tmp_path / f"buurten_{crs}.gpkg"
        _buurten(geometries, crs).to_file(path, driver="GPKG")
        got = kaart.read_kaart(path, "buurt", 2021, gemeente="GM9901")
        assert got.crs.to_epsg() == 28992 and len(got) == 2
        x0, y0, x1, y1 = got.total_bounds
        assert 0 < x0 < x1 < 300_000 and 290_000 < y0 < y1 < 630_000


# ------------------------------------------------------------------ real kaart files


@pytest.mark.parametrize("folder, stem, gemeente, counts", [
    ("GM0014_Groningen", "tnocs_groningen", "GM0014", (1, 14, 106)),
    ("GM0363_Amsterdam", "tnocs_amsterdam-amstelland", "GM0363", (1, 8, 97)),
    ("GM1680_AaenHunze", "tnocs_drenthe", "GM1680", (1, 21, 54)),
])
def test_real_kaart_layers_of_other_gemeenten_read_with_a_whole_hierarchy(folder, stem,
                                                                           gemeente, counts):
    if not REAL.is_dir():
        pytest.skip(f"real CBS data not available ({REAL} does not exist)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layers = [kaart.read_kaart(REAL / folder / f"{stem}_{level}.geojson", level, 2015,
                                   gemeente=gemeente) for level in ("gemeente", "wijk", "buurt")]
    assert tuple(len(layer) for layer in layers) == counts
    gemeenten, wijken, buurten = layers
    assert set(buurten["parent"]) <= set(wijken["code"])
    assert set(wijken["parent"]) <= set(gemeenten["code"])
    for layer in layers:
        assert layer.geom_type.isin(["Polygon", "MultiPolygon"]).all()


def test_real_national_gemeente_layers_read():
    national = REAL / "national"
    if not national.is_dir():
        pytest.skip(f"real CBS data not available ({national} does not exist)")
    for path in sorted(national.glob("gemeenten_*_geoinzicht.geojson")):
        got = kaart.read_kaart(path, "gemeente", int(path.name.split("_")[1]), gemeente="GM0344")
        assert got["code"].tolist() == ["GM0344"], path.name
