"""Writes the malformed-input corpus in bad/ (run once; the files are committed).

    python tests/data/make_bad_inputs.py

Each file is a realistic mistake; tests/test_bad_inputs.py pins the message each one
gives when imported into a workspace of the demo gemeente GM9901.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

BAD = Path(__file__).with_name("bad")
HEADER = "gwb_code_10,gwb_code_8,regio,gm_naam,recs,gwb_code,ind_wbi,a_inw,a_00_14\n"
ROWS = ("GM9901,9901,Voorbeeldstad,Voorbeeldstad,Gemeente,GM9901,1,150000,17000\n"
        "WK990101,990101,Binnenstad,Voorbeeldstad,Wijk,WK990101,1,24000,2300\n"
        "BU99010101,99010101,Markt,Voorbeeldstad,Buurt,BU99010101,1,3000,300\n")


def text(name: str, content: str, encoding: str = "utf-8") -> None:
    (BAD / name).write_bytes(content.encode(encoding))


def square(x: float, y: float, size: float = 500.0):
    return shapely.box(x, y, x + size, y + size)


def geo(name: str, frame: gpd.GeoDataFrame) -> None:
    frame.to_file(BAD / name, driver="GeoJSON")


def main() -> None:
    BAD.mkdir(exist_ok=True)
    text("kwb-2021_latin1.csv", HEADER + ROWS.replace("Markt", "Café Noël"), "latin-1")
    text("kwb-2021_pipes.csv", (HEADER + ROWS).replace(",", "|"))
    text("kwb-2021_missing_code_column.csv", (HEADER + ROWS).replace("gwb_code_10,", "", 1)
         .replace("GM9901,9901", "9901").replace("WK990101,990101", "990101")
         .replace("BU99010101,99010101", "99010101"))
    text("kwb-2021_renamed_column.csv", (HEADER + ROWS).replace("gwb_code_10", "GWB-code"))
    text("kwb-2021_duplicate_codes.csv", HEADER + ROWS + ROWS.splitlines(True)[2])
    text("kwb-2021_text_in_numbers.csv", HEADER + ROWS.replace(",3000,", ",drieduizend,"))
    text("kwb-2021_codes_without_zeros.csv", HEADER + ROWS.replace("BU99010101,", "99010101,",
                                                                   1))
    text("kwb-2021_empty.csv", "")
    text("kwb-2021_header_only.csv", HEADER)
    text("kwb-2021_other_gemeente.csv", HEADER + ROWS.replace("9901", "0344"))
    text("kwb_without_year.csv", HEADER + ROWS)
    text("kwb-2021_two_names_one_variable.csv",
         HEADER.replace("a_00_14", "a_gbl_eu,a_gebl_eu") + ROWS.replace(",17000", ",1,1")
         .replace(",2300", ",1,1").replace(",300\n", ",1,1\n"))
    text("statline_2021_text_in_numbers.csv",
         '\ufeff"Wijken en buurten";"Regioaanduiding/Soort regio (omschrijving)";'
         '"Regioaanduiding/Codering (code)";"Bevolking/Aantal inwoners (aantal)"\n'
         '"Voorbeeldstad";"Gemeente  ";"GM9901    ";"  veel"\n')
    with pd.ExcelWriter(BAD / "kwb-2021_wrong_sheet.xlsx") as writer:
        pd.DataFrame({"toelichting": ["Zie tabblad kwb-2021"]}).to_excel(
            writer, sheet_name="Toelichting", index=False)
    text("notities.pdf", "%PDF-1.4 not a table\n")

    registrations = "area_code,year,variable,value\n"
    text("registraties_missing_value_column.csv",
         "area_code,year,variable\nBU99010101,2021,meldingen\n")
    text("registraties_bad_rows.csv", registrations + "BU99010101,2021,meldingen,12\n"
         "buurt Markt,2021,meldingen,3\nBU99010101,twintig,meldingen,3\n"
         "BU99010102,2021,meldingen,veel\n")
    text("registraties_other_gemeente.csv", registrations + "BU03440101,2021,meldingen,5\n")

    def buurten(**extra) -> gpd.GeoDataFrame:
        data = {"buurtcode": ["BU99010101", "BU99010102"], "buurtnaam": ["Markt", "Dom"],
                "wijkcode": ["WK990101"] * 2, "water": ["NEE", "NEE"]}
        data.update(extra)
        return gpd.GeoDataFrame(data, geometry=[square(171000, 441000),
                                                square(171500, 441000)], crs=28992)

    geo("buurten_2021_water_only.geojson", buurten(water=["JA", "JA"]))
    geo("buurten_2021_no_code_column.geojson", buurten().drop(columns=["buurtcode"]))
    geo("buurten_2021_one_code_two_names.geojson",
        buurten(buurtcode=["BU99010101", "BU99010101"]))
    geo("buurten_2021_other_gemeente.geojson",
        buurten(buurtcode=["BU03440101", "BU03440102"], wijkcode=["WK034401"] * 2))
    bowtie = shapely.Polygon([(171000, 441000), (171500, 441500), (171500, 441000),
                              (171000, 441500)])
    invalid = buurten()
    invalid.loc[1, "geometry"] = bowtie
    geo("buurten_2021_invalid_geometry.geojson", invalid)
    kaart_statistics(buurten)
    empty = {"type": "FeatureCollection", "features": []}
    text("buurten_2021_no_features.geojson", json.dumps(empty))
    text("buurten_2021_broken.geojson", '{"type": "FeatureCollection", "features": [')
    shp = buurten()
    shp.to_file(BAD / "buurten_2021_no_crs.shp")
    (BAD / "buurten_2021_no_crs.prj").unlink()
    numbers_and_registrations()
    geometry_cases(buurten)
    import_cases()


def kaart_statistics(buurten) -> None:
    """The figures a kaart layer or attribute table of several years carries, broken: an
    area twice in one year."""
    by_year = pd.concat([buurten(jaar=[2020, 2020], AANT_INW=[1200, 800]),
                         buurten(jaar=[2021, 2021], AANT_INW=[1210, 810]),
                         buurten(jaar=[2021, 2021], AANT_INW=[1220, 820]).iloc[:1]])
    geo("buurten_2020-2021_year_twice.geojson",
        gpd.GeoDataFrame(by_year, geometry="geometry", crs=28992))
    text("gemeente_2020-2021_attributes_code_twice.csv",
         "jaar,gemeentecode,gemeentenaam,aantal_inwoners\n2020,GM9901,Voorbeeldstad,150000\n"
         "2021,GM9901,Voorbeeldstad,151000\n2021,GM9901,Voorbeeldstad,152000\n")


def geometry_cases(buurten) -> None:
    """Kaart layers whose geometry or CRS is wrong, or whose hierarchy has a hole."""
    def feature_collection(geometries, crs: str | None = "EPSG::28992", **properties):
        frame = buurten(**properties)
        doc = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {k: None if pd.isna(frame[k].iloc[i]) else
                                               frame[k].iloc[i] for k in frame.columns
                                               if k != "geometry"}, "geometry": g}
            for i, g in enumerate(geometries)]}
        if crs:
            doc["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:{crs}"}}
        return doc

    def ring(x: float, y: float, size: float) -> dict:
        return {"type": "Polygon", "coordinates": [[[x, y], [x + size, y], [x + size, y + size],
                                                     [x, y + size], [x, y]]]}

    rd = [ring(171000, 441000, 500), ring(171500, 441000, 500)]
    lonlat = [ring(5.10, 52.10, 0.005), ring(5.105, 52.10, 0.005)]
    cases = {
        "buurten_2021_lonlat_declared_rd.geojson": feature_collection(lonlat),
        "buurten_2021_rd_without_crs.geojson": feature_collection(rd, crs=None),
        "buurten_2021_huge_coordinates.geojson": feature_collection(
            [ring(1e300, 1e300, 1e299), rd[1]]),
        "buurten_2021_outside_nl.geojson": feature_collection(
            [ring(-3.70, 40.41, 0.005), ring(-3.695, 40.41, 0.005)], crs="OGC:1.3:CRS84"),
        "buurten_2021_geometry_collection.geojson": feature_collection(
            [{"type": "GeometryCollection", "geometries": [rd[0]]}, rd[1]]),
        "buurten_2021_null_geometry.geojson": feature_collection([None, rd[1]]),
        "buurten_2021_points.geojson": feature_collection(
            [{"type": "Point", "coordinates": [171200, 441200]}, rd[1]]),
        "buurten_2021_without_wijk_code.geojson": feature_collection(
            rd, wijkcode=[None, "WK990101"]),
    }
    for name, doc in cases.items():
        text(name, json.dumps(doc))
    nan = json.dumps(feature_collection(rd)).replace("[171500, 441000], [172000, 441000]",
                                                     "[171500, 441000], [NaN, 441000]", 1)
    assert "NaN" in nan
    text("buurten_2021_nan_coordinates.geojson", nan)


def import_cases() -> None:
    """What is given to ``stuurkit import`` but is no file to import."""
    folder = BAD / "kwb-2021_folder"
    folder.mkdir(exist_ok=True)
    text("kwb-2021_folder/kwb-2021.csv", HEADER + ROWS)


def numbers_and_registrations() -> None:
    """Issue 13: notations that cannot be decided, registrations that cannot be right."""
    header = "gwb_code_10;gwb_code_8;regio;gm_naam;recs;gwb_code;ind_wbi;a_inw;a_00_14\n"
    text("kwb-2021_thousands_separators.csv", header +  # Dutch Excel, 1000 separators on
         "GM9901;9901;Voorbeeldstad;Voorbeeldstad;Gemeente;GM9901;1;150.000;17.000\n"
         "WK990101;990101;Binnenstad;Voorbeeldstad;Wijk;WK990101;1;24.000;2.300\n"
         "BU99010101;99010101;Markt;Voorbeeldstad;Buurt;BU99010101;1;3.000;300\n")
    text("kwb-2021_two_notations.csv", (HEADER + ROWS).replace("a_00_14", "g_hhgro")
         .replace(",17000", ',"2,1"').replace(",2300", ",1.9").replace(",300\n", ",2\n"))
    registrations = "area_code,year,variable,value\n"
    text("registraties_two_notations.csv", registrations + "BU99010101,2021,meldingen,1.5\n"
         'BU99010102,2021,meldingen,"2,5"\n')
    text("registraties_negative_count.csv", registrations + "BU99010101,2021,meldingen,12\n"
         "BU99010102,2021,meldingen,-3\n")
    text("registraties_future_year.csv", registrations + "BU99010101,2099,meldingen,12\n")
    text("registraties_value_contradicts_ratio.csv",
         "area_code,year,variable,value,numerator,denominator\n"
         "BU99010101,2021,aandeel,25,5,20\nBU99010102,2021,aandeel,40,5,20\n")


if __name__ == "__main__":
    main()
