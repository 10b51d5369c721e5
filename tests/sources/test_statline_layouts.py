"""StatLine exports in every layout CBS has written (helpers.sources.statline): title
lines, the "Onderwerp" layout with a units line, transposed exports, regions by name only,
R re-saved exports — and what each refuses. The real exports of Amsterdam, Aa en Hunze and
Utrecht are read when ../shared/real-data is there."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from helpers import model
from helpers.errors import DataError
from helpers.sources import READERS, kwb, statline
from helpers.sources.registry import Probe, Request

REAL = Path(__file__).resolve().parents[3] / "shared" / "real-data"
AREAS = (("GM9901", "gemeente", "Voorbeeldstad"), ("WK990101", "wijk", "Wijk 01 Binnenstad"),
         ("WK990102", "wijk", "Centrum"), ("BU99010101", "buurt", "Markt"),
         ("BU99010102", "buurt", "Centrum"), ("BU99010201", "buurt", "Sint-Jacobs/Parijs"))


def _write(tmp_path: Path, name: str, text: str, bom: bool = True) -> Path:
    path = tmp_path / name
    path.write_bytes((("\ufeff" if bom else "") + text).encode("utf-8"))
    return path


def _load(path: Path, areas=None, **request) -> pd.DataFrame:
    """Read as the workspace does: ``areas`` (a tuple) are given for the file's year."""
    probe = Probe(Request(path, areas=None if areas is None else lambda year: areas,
                          **request))
    return READERS.detect(probe, "kwb").load(probe)


def _value(tidy, code: str, variable: str):
    row = tidy[(tidy["area_code"] == code) & (tidy["variable"] == variable)]
    assert len(row) == 1, f"{code} {variable}: {len(row)} rows"
    return row.iloc[0]


def _real(*parts: str) -> Path:
    path = REAL.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available ({path})")
    return path


# ------------------------------------------------------------------ synthetic layouts

TITLED = ('"Kerncijfers wijken en buurten 2022"\n""\n'
          '"Wijken en buurten";"Regioaanduiding/Soort regio (omschrijving)";'
          '"Regioaanduiding/Codering (code)";"Bevolking/Aantal inwoners (aantal)"\n'
          '"Voorbeeldstad";"Gemeente  ";"GM9901    ";"  150000"\n'
          '"Binnenstad";"Wijk      ";"WK990101  ";"       ."\n"Bron: CBS"\n')

ROWS = ('"Kerncijfers wijken en buurten 2016"\r\n""\r\n"";"Onderwerp"\r\n'
        '"";"Regioaanduiding|Codering";"Bevolking|Aantal inwoners";'
        '"Bevolking|Leeftijdsgroepen|0 tot 15 jaar";'
        '"Inkomen|Inkomen van personen|Gemiddeld inkomen per inwoner\u00a0"\r\n'
        '"Wijken en buurten";"code";"aantal";"%";"x 1 000 euro"\r\n'
        '"Voorbeeldstad";"GM9901    ";"150000";"17";"27,1"\r\n'
        '"Binnenstad";"WK990101  ";"24000";"9";"-"\r\n"Bron: CBS"\r\n')

TRANSPOSED = ('"Nabijheid voorzieningen; afstand locatie, wijk- en buurtcijfers 2021"\n""\n'
              '"";"";"Wijken en buurten"\n'
              '"Onderwerp";"";"Nederland";"Voorbeeldstad";"Binnenstad";"Markt"\n'
              '"Regioaanduiding|Soort regio";"omschrijving";"Land";"Gemeente";"Wijk";"Buurt"\n'
              '"Regioaanduiding|Codering";"code";"NL00";"GM9901";"WK990101";"BU99010101"\n'
              '"Gezondheid en welzijn|Huisartsenpraktijk|Afstand tot huisartsenpraktijk";"km";'
              '"1,0";"2,5";"0,9";"."\n'
              '"Onderwijs|Basisonderwijs|Aantal scholen|Binnen 3 km";"aantal";'
              '"8,3";"1,0";"1,0";"0,7"\n"Bron: CBS"\n')

R_EXPORT = ('"","Wijken.en.buurten","Regioaanduiding.Soort.regio..omschrijving.",'
            '"Regioaanduiding.Codering..code.","Bevolking.Aantal.inwoners..aantal.",'
            '"Bevolking.Leeftijdsgroepen.0.tot.15.jaar..aantal.",'
            '"Wonen.Woningen.naar.type.Percentage.eengezinswoning....",'
            '"Bevolking.Particuliere.huishoudens.Gemiddelde.huishoudensgrootte..aantal."\n'
            '"1","Voorbeeldstad","Gemeente  ","GM9901    ",150000,17000,40,"2,1"\n'
            '"2","Binnenstad","Wijk      ","WK990101  ",24000,NA,NA,"1,8"\n'
            '"3","Markt","Buurt     ","BU99010101",3000,300,"","1,9"\n')

NAMES = ('"Kerncijfers wijken en buurten 2015"\r\n""\r\n"";"Onderwerp"\r\n'
         '"";"Bevolking|Aantal inwoners";"Inkomen|Inkomen van personen|Aantal inkomensontvangers'
         '\u00a0\u00a0"\r\n"Wijken en buurten";"aantal";"aantal"\r\n'
         '"Voorbeeldstad";"150000";"120000"\r\n"Binnenstad";"24000";"19000"\r\n'
         '"Markt";"3000";"2400"\r\n"Sint Jacobs - Parijs";"2000";"1600"\r\n'
         '"Centrum";"5000";"4000"\r\n"Nergenshuizen";"10";"."\r\n"Bron: CBS"\r\n')


def test_title_lines_above_a_current_header(tmp_path):
    path = _write(tmp_path, "export.csv", TITLED)
    assert statline.layout_of(path) == "titled"
    tidy = _load(path)
    assert _value(tidy, "GM9901", "a_inw")["value"] == 150000
    assert _value(tidy, "WK990101", "a_inw")["status"] == model.SECRET
    assert (tidy["year"] == 2022).all(), "the year of the title"


def test_onderwerp_layout_folds_the_units_into_the_labels(tmp_path):
    path = _write(tmp_path, "Kerncijfers_wijken_en_buurten.csv", ROWS)
    assert statline.layout_of(path) == "rows"
    table = Probe(Request(path)).table
    assert list(table.columns) == [
        "Wijken en buurten", "Regioaanduiding/Codering (code)",
        "Bevolking/Aantal inwoners (aantal)", "Bevolking/Leeftijdsgroepen/0 tot 15 jaar (%)",
        "Inkomen/Inkomen van personen/Gemiddeld inkomen per inwoner (x 1 000 euro)"]
    tidy = _load(path)
    assert (tidy["year"] == 2016).all()
    assert _value(tidy, "GM9901", "p_00_14")["value"] == 17, "a share keeps its own id"
    assert "a_00_14" not in set(tidy["variable"]), "a share is not the count"
    assert _value(tidy, "GM9901", "g_ink_pi")["value"] == 27.1  # decimal comma
    assert _value(tidy, "WK990101", "g_ink_pi")["status"] == model.MISSING


def test_transposed_export_regions_as_columns(tmp_path):
    path = _write(tmp_path, "nabijheid_2021_17012023_183355.csv", TRANSPOSED)
    assert statline.layout_of(path) == "transposed"
    tidy = _load(path, gemeente="GM9901")
    assert set(tidy["area_code"]) == {"GM9901", "WK990101", "BU99010101"}
    assert _value(tidy, "WK990101", "g_afs_hp")["value"] == 0.9
    assert _value(tidy, "BU99010101", "g_afs_hp")["status"] == model.SECRET
    assert _value(tidy, "GM9901", "g_3km_sc")["value"] == 1.0
    assert _value(tidy, "BU99010101", "g_afs_hp")["name"] == "Markt"
    assert (tidy["year"] == 2021).all()


def test_r_export_names_matched_through_make_names(tmp_path):
    path = _write(tmp_path, "Kerncijfers_wijken_en_buurten_2019.csv", R_EXPORT, bom=False)
    assert statline.layout_of(path) == "r"
    from helpers.sources import variables

    mapping = variables.load_mapping()
    tidy = kwb.read_kwb(path, mapping=mapping)
    assert mapping.unmapped.get("statline", set()) == set()
    assert _value(tidy, "GM9901", "a_00_14")["value"] == 17000
    assert _value(tidy, "GM9901", "p_1gezw")["value"] == 40
    assert _value(tidy, "WK990101", "a_00_14")["status"] == model.MISSING  # NA
    assert _value(tidy, "BU99010101", "p_1gezw")["status"] == model.MISSING  # ""
    assert _value(tidy, "BU99010101", "g_hhgro")["value"] == 1.9
    assert (tidy["year"] == 2019).all()


def test_regions_by_name_are_matched_to_the_areas_of_the_year(tmp_path):
    path = _write(tmp_path, "Kerncijfers_wijken_en_buurten_2015.csv", NAMES)
    with pytest.warns(UserWarning) as caught:
        tidy = _load(path, gemeente="GM9901", areas=AREAS)
    message = str(caught[0].message)
    assert "2 regions left out" in message
    assert "'Centrum' (row 10: matches WK990102, BU99010102)" in message, "ambiguous"
    assert "'Nergenshuizen' (row 11: matches no area)" in message
    assert set(tidy["area_code"]) == {"GM9901", "WK990101", "BU99010101", "BU99010201"}
    assert _value(tidy, "WK990101", "a_inw")["value"] == 24000  # "Wijk 01 Binnenstad"
    assert _value(tidy, "BU99010201", "a_inkont")["value"] == 1600  # Sint-Jacobs/Parijs
    assert _value(tidy, "BU99010201", "a_inw")["level"] == "buurt"
    assert (tidy["year"] == 2015).all()


def test_regions_by_name_without_areas_are_refused_naming_the_fix(tmp_path):
    path = _write(tmp_path, "Kerncijfers_wijken_en_buurten_2015.csv", NAMES)
    with pytest.raises(DataError, match=r"names its regions without codes.*Import the kaart "
                                        r"of 2015 first"):
        kwb.read_kwb(path, gemeente="GM9901")


def test_regions_by_name_that_match_nothing_are_refused(tmp_path):
    path = _write(tmp_path, "Kerncijfers_wijken_en_buurten_2015.csv", NAMES)
    other = (("GM9901", "gemeente", "Voorbeeldstad"), ("WK990101", "wijk", "Elders"))
    with pytest.raises(DataError, match=r"none of the 5 wijk and buurt names of this export "
                                        r"is the name of an area of GM9901 in 2015.*Import the "
                                        r"kaart of 2015 first"):
        _load(path, gemeente="GM9901", areas=other)
    wrong_town = (("GM9902", "gemeente", "Andersdorp"),) + AREAS[1:]
    with pytest.raises(DataError, match=r"row 6: the first region of an export by name is "
                                        r"the gemeente, but 'Voorbeeldstad' is not "
                                        r"'Andersdorp' \(GM9902\)"):
        _load(path, gemeente="GM9902", areas=wrong_town)


def test_name_key_is_the_indeling_name_key():
    from helpers.workspace import indeling

    names = ["Wijk 00 Stadsdeel  Centrum", "Burgwallen-Oude Zijde", "Sint-Jacobs/Parijs",
             "'s-Gravenhage", "Bijlmer-Centrum (D, F, H)", "Buurt 12 Noord", "Máximapark", ""]
    assert [statline.name_key(n) for n in names] == [indeling.name_key(n) for n in names]


@pytest.mark.parametrize("name, text, message", [
    ("shifted_2021.csv", TRANSPOSED.replace('"0,9";"."', '"0,9"'),
     r"the 'Onderwerp' line \(line 4\) has 6 fields, but line 7 has 5: a shifted or cut-off"),
    ("r_2019.csv", R_EXPORT + R_EXPORT.splitlines()[0] + "\n",
     r"line 5: the header is repeated here"),
    ("r_2019.csv", R_EXPORT.replace('"3","Markt"', '"x","Markt"'),
     r"line 4: the first column has no name and 'x' is not a row number"),
    ("titled_2015.csv", ROWS.split('"Voorbeeldstad"')[0] + '"Bron: CBS"\r\n',
     r"has a title and a header but no rows of regions"),
    ("rows_2016.csv", ROWS.replace('"24000";"9";"-"', '"24000";"9"'),
     r"the topic line \(line 4\) has 5 fields, but line 7 has 4"),
    ("resaved_2021.csv", "Wijken en buurten,Regioaanduiding_Codering_code,a\nX,GM9901,1\n",
     r"another program re-saved it .*Export the table again from StatLine as CSV"),
    ("twice_2021.csv", TRANSPOSED.replace("Binnen 3 km", "Afstand tot huisartsenpraktijk")
     .replace('"Onderwijs|Basisonderwijs|Aantal scholen|', '"Gezondheid en welzijn|'
              'Huisartsenpraktijk|').replace('"aantal";"8,3"', '"km";"8,3"'),
     r"occurs twice"),
])
def test_broken_exports_are_refused_with_the_line_and_the_fix(tmp_path, name, text, message):
    path = _write(tmp_path, name, text, bom=not name.startswith("r_"))
    with pytest.raises(DataError, match=message) as err:
        kwb.read_kwb(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("name, title, year", [
    ("Nabijheid_voorzieningen__afstand_locatie__wijk__en_buurtcijfers_2021_17012023_183355.csv",
     None, 2021),
    ("CBS-Utrecht_Nabijheid_voorzieningen__buurt_2023_14102024_164034.csv", None, 2023),
    ("export_17012023_183355.csv", "Kerncijfers wijken en buurten 2015", 2015),
    ("export_17012023_183355.csv", None, None),
    ("Kerncijfers_wijken_en_buurten_2019.csv", None, 2019),
])
def test_the_year_is_the_tables_not_the_export_date(name, title, year):
    assert statline.year_of(Path(name), title) == year


def test_a_name_with_two_years_is_refused_and_a_title_contradicting_the_request(tmp_path):
    with pytest.raises(DataError, match=r"names several years \(2019, 2021\)"):
        statline.year_of(Path("kwb_2019_vs_2021.csv"), None)
    path = _write(tmp_path, "export.csv", TITLED)
    with pytest.raises(DataError, match=r"title says 'Kerncijfers wijken en buurten 2022', but "
                                        r"the year given is 2021"):
        _load(path, year=2021)


def test_other_tables_are_left_to_the_strict_csv_reader(tmp_path):
    current = _write(tmp_path, "a.csv", TITLED.split('""\n', 1)[1])
    download = _write(tmp_path, "kwb-2021.csv", "gwb_code_10,recs,a_inw\nGM9901,Gemeente,1\n")
    assert statline.layout_of(current) is None and statline.layout_of(download) is None


# ------------------------------------------------------------------ real exports


def test_aa_en_hunze_transposed_export():
    path = _real("GM1680_AaenHunze", "Nabijheid_voorzieningen__afstand_locatie__wijk__en_"
                 "buurtcijfers_2021_17012023_183355.csv")
    tidy = kwb.read_kwb(path, gemeente="GM1680")
    assert (tidy["year"] == 2021).all(), "the table's year, not the export date (2023)"
    levels = tidy.drop_duplicates("area_code")["level"].value_counts().to_dict()
    assert levels == {"gemeente": 1, "wijk": 2, "buurt": 4}
    # "Afstand tot huisartsenpraktijk";"km";"1,0";"2,5";"0,9";"0,8";"2,6";"3,8";"3,8";"3,6"
    assert _value(tidy, "GM1680", "g_afs_hp")["value"] == 2.5
    assert _value(tidy, "WK168000", "g_afs_hp")["value"] == 0.9
    assert _value(tidy, "BU16800109", "g_afs_hp")["value"] == 3.6
    assert _value(tidy, "GM1680", "ind_wbi")["status"] == model.SECRET
    assert _value(tidy, "WK168000", "g_afs_hp")["name"] == "Wijk 00 Annen"


def _amsterdam_2015_areas() -> tuple[tuple[str, str, str], ...]:
    areas = []
    for level, code, name in (("gemeente", "GM_CODE", "GM_NAAM"), ("wijk", "WK_CODE", "WK_NAAM"),
                              ("buurt", "BU_CODE", "BU_NAAM")):
        path = _real("GM0363_Amsterdam", f"tnocs_amsterdam-amstelland_{level}.geojson")
        for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
            props = feature["properties"]
            if props["GM_CODE"] == "GM0363":
                areas.append((props[code], level, props[name]))
    return tuple(dict.fromkeys(areas))


def test_amsterdam_2015_names_only_matched_to_the_2015_kaart():
    path = _real("GM0363_Amsterdam", "Kerncijfers_wijken_en_buurten_2015.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every name matches exactly one area
        tidy = _load(path, gemeente="GM0363", areas=_amsterdam_2015_areas())
    assert (tidy["year"] == 2015).all()
    levels = tidy.drop_duplicates("area_code")["level"].value_counts().to_dict()
    assert levels == {"gemeente": 1, "wijk": 8, "buurt": 97}
    # "Amsterdam";"641700";"33,5";"26,9";…  "Stadsdeel Centrum";"71000";"41,8";…
    assert _value(tidy, "GM0363", "a_inkont")["value"] == 641700
    assert _value(tidy, "GM0363", "g_ink_po")["value"] == 33.5
    assert _value(tidy, "WK036300", "a_inkont")["value"] == 71000  # Stadsdeel Centrum
    assert _value(tidy, "BU03630111", "p_hh_li")["status"] == model.SECRET  # Sloterdijk "."
    assert _value(tidy, "BU03630000", "p_hh_osm")["value"] == 15.1
    with pytest.raises(DataError, match="Import the kaart of 2015 first"):
        kwb.read_kwb(path, gemeente="GM0363")


def _decimals(value: float) -> int:
    text = repr(float(value))
    return 0 if text.endswith(".0") else len(text.split(".")[1])


def agree(a: float, b: float) -> bool:
    """Equal up to the rounding of the coarser of the two (0.64 and 0.6 agree)."""
    places = min(_decimals(a), _decimals(b))
    return abs(a - b) <= 0.5 * 10 ** -places + 1e-9


@pytest.mark.parametrize("a, b, same", [(0.64, 0.6, True), (0.66, 0.6, False), (1, 1, True),
                                        (367947, 367947.4, True), (2.5, 2.4, False)])
def test_agreement_up_to_the_coarser_rounding(a, b, same):
    assert agree(a, b) is same


def test_statline_export_and_download_of_utrecht_2023_agree():
    download = kwb.read_kwb(_real("GM0344_Utrecht", "kwb-2023_GM0344.csv"), gemeente="GM0344")
    export = kwb.read_kwb(_real("GM0344_Utrecht", "original", "CBS-Utrecht_Nabijheid_"
                                "voorzieningen__buurt_2023_14102024_164034.csv"),
                          gemeente="GM0344")
    assert (export["year"] == 2023).all()
    usable = [frame[frame["status"].isin(model.USABLE)] for frame in (download, export)]
    both = usable[0].merge(usable[1], on=["area_code", "variable"], suffixes=("_kwb", "_sl"))
    agreeing = [agree(a, b) for a, b in zip(both["value_kwb"], both["value_sl"], strict=True)]
    # 122 areas × ind_wbi: the download of 2023 has '.' for every nabijheid variable
    assert len(both) == 122 and all(agreeing)
    assert set(download.loc[download["variable"] == "g_afs_gs", "status"]) == {model.SECRET}
    assert _value(export, "WK034401", "g_afs_gs")["value"] == 0.6
    shared = set(download["variable"]) & set(export["variable"])
    assert {"g_afs_hp", "g_afs_gs", "g_afs_kv", "g_afs_sc", "g_3km_sc", "ind_wbi"} <= shared


def test_a_transposed_export_names_the_column_of_a_bad_region(tmp_path):
    """Its regions are columns: a message points at the column, not at a row."""
    bad = TRANSPOSED.replace('"BU99010101"\n', '"BU9901010"\n')
    path = _write(tmp_path, "nabijheid_2021_17012023_183355.csv", bad)
    with pytest.raises(DataError, match=r"column 6: area code 'BU9901010' is not a CBS code"):
        _load(path, gemeente="GM9901")
    twice = TRANSPOSED.replace('"WK990101";"BU99010101"', '"WK990101";"WK990101"')
    with pytest.raises(DataError, match=r"column 6: area code WK990101 is a wijk, but its "
                                        r"region kind says 'Buurt'"):
        _load(_write(tmp_path, "nabijheid_2021_twice.csv", twice), gemeente="GM9901")
    rows = _write(tmp_path, "kwb_2022.csv", TITLED.replace('"WK990101  "', '"WK99010"'))
    with pytest.raises(DataError, match=r"row 5: area code 'WK99010' is not a CBS code"):
        _load(rows, gemeente="GM9901")
