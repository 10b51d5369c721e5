"""One gemeente read out of CBS's national files: KWB tables, kaart layers, water, cache."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pandas.testing import assert_frame_equal, assert_series_equal

from helpers import model
from helpers.errors import DataError
from helpers.indicators import facts
from helpers.sources import kaart, kwb
from helpers.workspace import cache, open_workspace

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
OTHER = "0001"  # the digits of the other gemeente in the national files below


def _other(text: str) -> str:
    """Codes of the demo gemeente (9901) rewritten as those of gemeente 0001."""
    for prefix in ("GM", "WK", "BU"):
        text = text.replace(f"{prefix}9901", f"{prefix}{OTHER}")
    return text


def _national_csv(source: Path, target: Path) -> None:
    """The KWB download with a second gemeente's rows (GM0001) before and after."""
    header, *rows = source.read_text(encoding="utf-8").splitlines()
    # the demo's own rows (its file also holds the gemeente rows of its fictional peers)
    other = [_other(row) for row in rows if "9901" in row.split(",")[0]]
    target.write_text("\n".join([header, *other[:5], *rows, *other[5:]]) + "\n",
                      encoding="utf-8")


def _national_geojson(source: Path, target: Path) -> None:
    """The kaart layer with a second gemeente's features (GM0001), moved 50 km east."""
    doc = json.loads(source.read_text(encoding="utf-8"))
    copies = []
    for feature in doc["features"]:
        geometry = shapely.affinity.translate(shapely.geometry.shape(feature["geometry"]),
                                              50_000)
        copies.append({**feature, "properties": json.loads(_other(json.dumps(
            feature["properties"]))), "geometry": shapely.geometry.mapping(geometry)})
    doc["features"] = copies[:3] + doc["features"] + copies[3:]
    target.write_text(json.dumps(doc), encoding="utf-8")


@pytest.fixture
def national_raw(tmp_path) -> Path:
    """A raw/ folder whose KWB and kaart files hold the demo gemeente and GM0001."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("kwb-2023.csv", "kwb-2017.csv"):
        _national_csv(DEMO / "raw" / name, raw / name)
    for name in ("buurten_2017.geojson", "buurten_2022.geojson", "gemeenten_2022.geojson"):
        _national_geojson(DEMO / "raw" / name, raw / name)
    return raw


@pytest.mark.parametrize("name", ["kwb-2023.csv", "kwb-2017.csv"])
def test_kwb_of_one_gemeente_equals_its_own_file(national_raw, name):
    got = kwb.read_kwb(national_raw / name, gemeente="GM9901")
    assert_frame_equal(got, kwb.read_kwb(DEMO / "raw" / name, gemeente="GM9901"))
    other = kwb.read_kwb(national_raw / name, gemeente=f"GM{OTHER}")
    assert other["area_code"].str[2:6].eq(OTHER).all() and len(other) == len(got)


def test_kwb_without_rows_of_the_gemeente_is_refused(national_raw):
    with pytest.raises(DataError, match=r"kwb-2023\.csv: no rows for GM0344; is this the right"):
        kwb.read_kwb(national_raw / "kwb-2023.csv", gemeente="GM0344")


def test_statline_export_of_one_gemeente(tmp_path):
    path = tmp_path / "export_2022.csv"
    path.write_text('"Wijken en buurten";"Regioaanduiding/Soort regio (omschrijving)";'
                    '"Regioaanduiding/Codering (code)";"Bevolking/Aantal inwoners (aantal)"\n'
                    '"Nederland";"Land      ";"NL00      ";"17942942"\n'
                    '"Utrecht";"Gemeente  ";"GM0344    ";"  367947"\n'
                    '"West";"Wijk      ";"WK034401  ";"       ."\n'
                    '"Amersfoort";"Gemeente  ";"GM0307    ";"  160000"\n', encoding="utf-8")
    tidy = kwb.read_kwb(path, gemeente="GM0344")
    assert tidy["area_code"].tolist() == ["GM0344", "WK034401"]


def test_the_row_of_nederland_is_kept_apart_only_when_asked(tmp_path):
    from helpers.sources import READERS, Probe, Request
    from helpers.sources.registry import COUNTRY

    statline_export = tmp_path / "export_2022.csv"
    statline_export.write_text(
        '"Wijken en buurten";"Regioaanduiding/Soort regio (omschrijving)";'
        '"Regioaanduiding/Codering (code)";"Bevolking/Aantal inwoners (aantal)"\n'
        '"Nederland";"Land      ";"NL00      ";"17942942"\n'
        '"Utrecht";"Gemeente  ";"GM0344    ";"  367947"\n', encoding="utf-8")
    download = tmp_path / "kwb-2022.csv"
    download.write_text("gwb_code_10;regio;recs;a_inw\nNL00;Nederland;Land;17942942\n"
                        "GM0344;Utrecht;Gemeente;367947\n", encoding="utf-8")
    for path in (statline_export, download):
        plain = READERS.detect(Probe(Request(path))).load(Probe(Request(path)))
        assert plain["area_code"].tolist() == ["GM0344"] and COUNTRY not in plain.attrs
        probe = Probe(Request(path, country=True))
        tidy = READERS.detect(probe).load(probe)
        assert tidy["area_code"].tolist() == ["GM0344"]  # never among the areas
        land = tidy.attrs[COUNTRY]
        assert land[["area_code", "level", "variable", "value"]].values.tolist() == [
            [model.COUNTRY_CODE, model.COUNTRY_LEVEL, "a_inw", 17942942.0]]


@pytest.mark.parametrize("name, level", [("buurten_2017.geojson", "buurt"),
                                         ("buurten_2022.geojson", "buurt"),
                                         ("gemeenten_2022.geojson", "gemeente")])
def test_kaart_of_one_gemeente_equals_its_own_file(national_raw, name, level):
    got = kaart.read_kaart(national_raw / name, level, 2022, gemeente="GM9901")
    assert_frame_equal(got, kaart.read_kaart(DEMO / "raw" / name, level, 2022))
    other = kaart.read_kaart(national_raw / name, level, 2022, gemeente=f"GM{OTHER}")
    assert other["code"].str[2:6].eq(OTHER).all() and len(other) == len(got)


def test_kaart_in_a_geopackage_of_one_gemeente(tmp_path):
    path = tmp_path / "wijkenbuurten_2023_v1.gpkg"
    gpd.GeoDataFrame({"buurt_code": ["BU99010101", "BU00010101", "BU00010102"],
                      "buurt_naam": ["Markt", "Dorp", "Veld"],
                      "wijk_code": ["WK990101", "WK000101", "WK000101"],
                      "water": ["NEE", "NEE", "NEE"]},
                     geometry=[shapely.box(x, 440_000, x + 10, 440_010)
                               for x in (170_000, 170_020, 170_030)],  # RD, in NL
                     crs=28992).to_file(path, layer="buurten", driver="GPKG")
    got = kaart.read_kaart(path, "buurt", 2023, gemeente="GM0001")
    assert got["code"].tolist() == ["BU00010101", "BU00010102"]


def test_kaart_without_areas_of_the_gemeente_is_refused(national_raw):
    with pytest.raises(DataError, match=r"no buurt areas of GM0344 in this layer"):
        kaart.read_kaart(national_raw / "buurten_2022.geojson", "buurt", 2022,
                         gemeente="GM0344")


def test_water_of_one_gemeente(national_raw):
    national = national_raw / "gemeenten_2022.geojson"
    own = kaart.read_water(national, gemeente="GM9901")
    assert_series_equal(own, kaart.read_water(DEMO / "raw" / "gemeenten_2022.geojson"))
    assert kaart.read_water(national).total_bounds[2] > own.total_bounds[2] + 40_000


def test_big_files_are_hashed_once_per_process(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "BIG", 10)
    monkeypatch.setattr(cache, "_DIGESTS", {})
    path = tmp_path / "kwb-2023.csv"
    path.write_text("gwb_code_10\nGM9901\n")
    first = cache.sha256(path)
    assert len(cache._DIGESTS) == 1 and cache.sha256(path) == first
    replaced = tmp_path / "new.csv"
    replaced.write_text("gwb_code_10\nGM0344\n")  # same size, other content
    replaced.replace(path)
    assert cache.sha256(path) != first


@pytest.fixture
def national_ws(tmp_path) -> Path:
    """A copy of the demo workspace whose KWB and kaart files also hold gemeente GM0001."""
    root = tmp_path / "landelijk"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("cache", ".stuurkit-*"))
    for path in (DEMO / "raw").glob("kwb-*.csv"):
        _national_csv(path, root / "raw" / path.name)
    for path in (DEMO / "raw").glob("*.geojson"):
        _national_geojson(path, root / "raw" / path.name)
    return root


def test_workspace_on_national_files_equals_the_demo(national_ws, ws_copy):
    ws, demo = open_workspace(national_ws), open_workspace(ws_copy)  # both parsed afresh
    assert_frame_equal(facts.of(ws).observations, facts.of(demo).observations)
    assert_frame_equal(ws.areas, demo.areas)
    assert_series_equal(ws.water, demo.water)
    cached = [pd.read_parquet(p) for p in (national_ws / "cache").glob("kwb-*.parquet")]
    assert len(cached) == 8, "one cache entry per KWB file, of the gemeente only"
    assert all(frame["area_code"].str[2:6].eq("9901").all() for frame in cached)


def test_csv_rows_kept_while_reading_keep_their_line_numbers(tmp_path):
    from helpers.sources import csvtable

    path = tmp_path / "t.csv"
    path.write_text("code,a\nGM0001,1\n\nGM9901,2\nWK000101,3\nWK990101,4\n")
    table = csvtable.read_csv(path, keep=lambda header: lambda row: "9901" in row[0])
    assert table["code"].tolist() == ["GM9901", "WK990101"]
    assert table.index.tolist() == [2, 4]  # lines 4 and 6
    assert table.attrs["records"] == 4
    assert csvtable.read_csv(path, keep=lambda header: None).shape == (4, 2)


def test_csv_rows_not_kept_are_still_checked(tmp_path):
    from helpers.sources import csvtable

    path = tmp_path / "t.csv"
    path.write_text("code,a\nGM0001,1,9\nGM9901,2\n")
    with pytest.raises(DataError, match=r"the header has 2 fields, but line 2 has 3"):
        csvtable.read_csv(path, keep=lambda header: lambda row: "9901" in row[0])


def test_kwb_of_a_gemeente_row_numbers_name_the_file_line(tmp_path):
    path = tmp_path / "kwb-2023.csv"
    path.write_text("gwb_code_10,recs,a_inw\nGM0001,Gemeente,5\nGM9901,Gemeente,1\n"
                    "BU99010101,Buurt,2\nBU99010101,Buurt,3\n")
    with pytest.raises(DataError, match=r"kwb-2023\.csv, row 5: area code BU99010101 occurs"):
        kwb.read_kwb(path, gemeente="GM9901")
    path.write_text("gwb_code_10,recs,a_inw\n")
    with pytest.raises(DataError, match=r"the table has a header but no rows"):
        kwb.read_kwb(path, gemeente="GM9901")


def test_kaart_whose_first_properties_lie_far_in_the_file(tmp_path):
    """The code column is then asked of GDAL (the file's start does not show it)."""
    ring = ([[100_000.0 + x, 440_000.0] for x in range(60_000)]  # RD coordinates in NL
            + [[100_000.0, 440_010.0], [100_000.0, 440_000.0]])
    features = [{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
                 "properties": {"BU_CODE": code, "BU_NAAM": code, "WK_CODE": "WK" + code[2:8]}}
                for code in ("BU00010101", "BU99010101")]
    path = tmp_path / "buurten_2017.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "crs": {
        "type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
        "features": features}))
    assert path.stat().st_size > 1 << 20
    got = kaart.read_kaart(path, "buurt", 2017, gemeente="GM9901")
    assert got["code"].tolist() == ["BU99010101"]


def test_kaart_layer_of_a_gemeente_is_read_once(national_raw, monkeypatch):
    reads = []
    original = kaart._read_file
    monkeypatch.setattr(kaart, "_read_file", lambda *a: reads.append(a) or original(*a))
    monkeypatch.setattr(kaart, "_READS", type(kaart._READS)())
    path = national_raw / "gemeenten_2022.geojson"
    kaart.read_kaart(path, "gemeente", 2022, gemeente="GM9901")
    kaart.read_water(path, gemeente="GM9901")
    assert len(reads) == 1
    path.write_text(path.read_text().replace("Voorbeeldstad", "Voorbeeldstadt"))
    assert kaart.read_kaart(path, "gemeente", 2022, gemeente="GM9901")["name"].tolist() == [
        "Voorbeeldstadt"]
    assert len(reads) == 2


def test_a_parsed_frame_is_the_same_on_the_first_call_as_from_the_cache(tmp_path):
    raw = tmp_path / "kwb-2023.csv"
    raw.write_text("gwb_code_10\nGM9901\n", encoding="utf-8")
    store = cache.SourceCache(tmp_path / "cache")
    made = pd.DataFrame({"area_code": pd.Series(["GM9901"], dtype=object), "value": [1.0]})
    first = store.frame(raw, "test", lambda: made)
    again = store.frame(raw, "test", lambda: pytest.fail("parsed twice"))
    assert_frame_equal(first, again)  # dtypes included: not object once and str later
