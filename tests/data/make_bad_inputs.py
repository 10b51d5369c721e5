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
    empty = {"type": "FeatureCollection", "features": []}
    text("buurten_2021_no_features.geojson", json.dumps(empty))
    text("buurten_2021_broken.geojson", '{"type": "FeatureCollection", "features": [')
    shp = buurten()
    shp.to_file(BAD / "buurten_2021_no_crs.shp")
    (BAD / "buurten_2021_no_crs.prj").unlink()


if __name__ == "__main__":
    main()
