"""Source readers: KWB download files, the wijk- en buurtkaart, own registrations."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers import model
from helpers.errors import DataError
from helpers.sources import kaart, kwb, registrations

DEMO_RAW = Path(__file__).resolve().parents[2] / "data" / "demo" / "raw"


def test_kwb_reads_the_demo_into_tidy_rows():
    tidy = kwb.read_kwb(DEMO_RAW / "kwb-2023.csv")
    assert list(tidy.columns) == [*model.TIDY_COLUMNS, model.AREA_NAME]  # regio: the name
    assert tidy.loc[tidy["area_code"] == "GM9901", model.AREA_NAME].eq(
        tidy.loc[tidy["area_code"] == "GM9901", model.AREA_NAME].iloc[0]).all()
    assert set(tidy["level"]) == {"gemeente", "wijk", "buurt"}
    assert (tidy["year"] == 2023).all()
    row = tidy[(tidy["area_code"] == "GM9901") & (tidy["variable"] == "a_inw")].iloc[0]
    assert row["status"] == "ok" and row["value"] > 100_000
    secret = tidy[tidy["status"] == "secret"]
    assert len(secret) > 0 and secret["value"].isna().all()


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("cell, value, status", [
    ("12", 12.0, "ok"), (".", None, "secret"), ("x", None, "secret"), ("", None, "missing"),
    ("-", None, "missing"), ("7*", 7.0, "provisional"), ("7**", 7.0, "provisional"),
    ("0", 0.0, "ok"),
])
def test_kwb_markers_become_missing_with_status_never_zero(tmp_path, cell, value, status):
    path = _write(tmp_path, "kwb-2021.csv",
                  "gwb_code_10,gwb_code_8,regio,gm_naam,recs,a_inw\n"
                  f"GM0344,0344,Utrecht,Utrecht,Gemeente,{cell}\n")
    row = kwb.read_kwb(path).iloc[0]
    assert row["status"] == status
    assert (pd.isna(row["value"]) if value is None else row["value"] == value)


def test_kwb_keeps_codes_as_text_and_drops_special_buurten(tmp_path):
    path = _write(tmp_path, "kwb-2023.csv",
                  "gwb_code_10,gwb_code_8,regio,gm_naam,recs,a_inw\n"
                  "WK036301,036301,A,Amsterdam,Wijk,10\n"
                  "BU0363AF09,0363AF09,B,Amsterdam,Buurt,5\n"
                  "BU00349997,00349997,Groot binnenwater,Almere,Buurt,0\n")
    tidy = kwb.read_kwb(path)
    assert tidy["area_code"].tolist() == ["WK036301", "BU0363AF09"]


def test_kwb_semicolon_file_with_decimal_commas(tmp_path):
    path = _write(tmp_path, "kwb-2022.csv",
                  "gwb_code_10;recs;g_hhgro\nGM0344;Gemeente;1,9\n")
    assert kwb.read_kwb(path)["value"].iloc[0] == pytest.approx(1.9)


def test_kwb_errors_name_the_file_row_and_fix(tmp_path):
    with pytest.raises(DataError, match=r"not_kwb\.csv.*cannot tell the statistics year"):
        kwb.read_kwb(_write(tmp_path, "not_kwb.csv", "a,b\n1,2\n"))
    with pytest.raises(DataError, match=r"columns \['gwb_code_10', 'recs'\] not found"):
        kwb.read_kwb(_write(tmp_path, "kwb-2020.csv", "a,b\n1,2\n"))
    with pytest.raises(DataError, match=r"row 3: area code '344'"):
        kwb.read_kwb(_write(tmp_path, "kwb-2019.csv",
                            "gwb_code_10,recs,a_inw\nGM0344,Gemeente,1\n344,Wijk,2\n"))
    with pytest.raises(DataError, match=r"GM0344 / a_inw = 'veel'"):
        kwb.read_kwb(_write(tmp_path, "kwb-2018.csv",
                            "gwb_code_10,recs,a_inw\nGM0344,Gemeente,veel\n"))


def test_kwb_reads_real_utrecht_files(real_data):
    for year in (2023, 2024):
        tidy = kwb.read_kwb(real_data / f"kwb-{year}_GM0344.csv")
        levels = tidy.drop_duplicates("area_code")["level"].value_counts()
        assert levels["gemeente"] == 1 and levels["wijk"] == 10 and levels["buurt"] == 111
        inw = tidy[(tidy["area_code"] == "GM0344") & (tidy["variable"] == "a_inw")]
        assert inw["value"].iloc[0] > 300_000
    # the first 2024 release has most themes still unpublished
    assert (kwb.read_kwb(real_data / "kwb-2024_GM0344.csv")["status"] == "secret").sum() > 5000


@pytest.mark.parametrize("file, level, era", [
    ("buurten_2017.geojson", "buurt", "upper"), ("buurten_2022.geojson", "buurt", "camel"),
    ("wijken_2017.geojson", "wijk", "upper"), ("gemeenten_2022.geojson", "gemeente", "camel"),
])
def test_kaart_reads_both_naming_eras(file, level, era):
    areas = kaart.read_kaart(DEMO_RAW / file, level, 2017)
    assert list(areas.columns) == model.AREA_COLUMNS
    assert areas.crs.to_epsg() == 28992
    assert areas["code"].is_unique and (areas["level"] == level).all()
    assert areas.geometry.is_valid.all()


def test_kaart_reads_real_pdok_wijken_in_wgs84(real_data):
    areas = kaart.read_kaart(real_data / "wijken_2024_GM0344.geojson", "wijk", 2024)
    assert len(areas) == 10 and areas.crs.to_epsg() == 28992
    assert areas["code"].str.match(r"^WK0344\d{2}$").all()
    # Utrecht lies around RD x=136 km, y=456 km
    x, y = areas.geometry.union_all().centroid.coords[0]
    assert 125_000 < x < 145_000 and 445_000 < y < 465_000


def test_kaart_errors(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        kaart.read_kaart(tmp_path / "missing.geojson", "buurt", 2020)
    with pytest.raises(DataError, match="no buurt code column found"):
        kaart.read_kaart(DEMO_RAW / "gemeenten_2017.geojson", "buurt", 2017)


def test_registrations_are_validated_with_row_and_column(tmp_path):
    good = _write(tmp_path, "reg.csv", "area_code,year,variable,value\nBU99010101,2020,x,3\n")
    tidy = registrations.read_registrations(good)
    assert tidy.loc[0, "level"] == "buurt" and tidy.loc[0, "value"] == 3
    bad = _write(tmp_path, "bad.csv",
                 "area_code,year,variable,value\n"
                 "BU99010101,2020,x,3\nbuurt 1,2020,x,3\nBU99010101,twintig,x,3\n"
                 "BU99010102,2020,x,drie\nBU99010101,2020,x,4\n")
    with pytest.raises(DataError) as err:
        registrations.read_registrations(bad)
    message = str(err.value)
    assert "bad.csv" in message
    assert "row 3, column area_code: 'buurt 1'" in message
    assert "row 4, column year: 'twintig'" in message
    assert "row 5, column value: 'drie'" in message
    assert "row 6: a second value for BU99010101 / 2020 / x" in message
    with pytest.raises(DataError, match="missing column\\(s\\) value"):
        registrations.read_registrations(_write(tmp_path, "c.csv", "area_code,year,variable\n"))


def test_statline_export_loads_with_mapped_variables(real_data):
    path = (real_data / "original"
            / "CBS-Utrecht_Nabijheid_voorzieningen__buurt_2023_14102024_164034.csv")
    from helpers.sources import variables

    mapping = variables.load_mapping()
    tidy = kwb.read_kwb(path, mapping=mapping)
    assert (tidy["year"] == 2023).all()
    codes = tidy.drop_duplicates("area_code")
    assert "NL00" not in set(codes["area_code"])  # the national row is not an area
    assert codes["level"].value_counts().to_dict() == {"buurt": 111, "wijk": 10, "gemeente": 1}
    assert {"g_afs_hp", "g_afs_gs", "g_afs_sc", "ind_wbi"} <= set(tidy["variable"])
    assert mapping.unmapped["statline"], "labels without a mapping entry are reported"
    ind = tidy[(tidy["variable"] == "ind_wbi") & (tidy["area_code"] == "GM0344")]
    assert ind["value"].iloc[0] == 1


def test_statline_padded_values_and_decimal_comma(tmp_path):
    path = _write(tmp_path, "export_2022.csv",
                  '\ufeff"Wijken en buurten";"Regioaanduiding/Soort regio (omschrijving)";'
                  '"Regioaanduiding/Codering (code)";"Bevolking/Aantal inwoners (aantal)";'
                  '"Wonen/Gemiddelde woningwaarde (x 1 000 euro)"\n'
                  '"Utrecht";"Gemeente  ";"GM0344    ";"  367947";"   458,5"\n'
                  '"West";"Wijk      ";"WK034401  ";"       .";"  451,0"\n')
    tidy = kwb.read_kwb(path)
    inw = tidy[tidy["variable"] == "a_inw"].set_index("area_code")
    assert inw.loc["GM0344", "value"] == 367947 and inw.loc["WK034401", "status"] == "secret"
    woz = tidy[tidy["variable"] == "wonen_gemiddelde_woningwaarde"]
    assert woz["value"].tolist() == [458.5, 451.0]


def test_kaart_geopackage_layers_and_snake_case_names(tmp_path):
    import geopandas as gpd
    import shapely

    path = tmp_path / "wijkenbuurten_2023_v1.gpkg"
    buurten = gpd.GeoDataFrame(
        {"buurt_code": ["BU99010101"], "buurt_naam": ["Markt"], "wijk_code": ["WK990101"],
         "water": ["NEE"]}, geometry=[shapely.box(170_000, 440_000, 170_100, 440_100)], crs=28992)
    wijken = gpd.GeoDataFrame(
        {"wijk_code": ["WK990101"], "wijk_naam": ["Binnenstad"], "gemeente_code": ["GM9901"],
         "water": ["NEE"]}, geometry=[shapely.box(170_000, 440_000, 170_100, 440_100)], crs=28992)
    wijken.to_file(path, layer="wijken", driver="GPKG")
    buurten.to_file(path, layer="buurten", driver="GPKG")
    got = kaart.read_kaart(path, "buurt", 2023)
    assert got[["code", "name", "parent"]].values.tolist() == [["BU99010101", "Markt",
                                                                 "WK990101"]]
    assert kaart.read_kaart(path, "wijk", 2023)["name"].tolist() == ["Binnenstad"]
    with pytest.raises(DataError, match="no layer for gemeente among wijken, buurten"):
        kaart.read_kaart(path, "gemeente", 2023)


def test_kaart_in_wgs84_is_reprojected_to_rd(tmp_path):
    import geopandas as gpd
    import shapely

    path = tmp_path / "buurten_2023.geojson"
    gpd.GeoDataFrame({"buurtcode": ["BU99010101"], "buurtnaam": ["Markt"],
                      "wijkcode": ["WK990101"]},
                     geometry=[shapely.box(5.10, 52.08, 5.12, 52.10)], crs=4326).to_file(path)
    got = kaart.read_kaart(path, "buurt", 2023)
    x, y = got.geometry.iloc[0].centroid.coords[0]
    assert got.crs.to_epsg() == 28992 and 130_000 < x < 140_000 and 450_000 < y < 460_000
