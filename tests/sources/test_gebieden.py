"""CBS's "Gebieden in Nederland" (gemeente → provincie) as a source: exports and OData."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from helpers import model
from helpers.errors import DataError
from helpers.sources import READERS, Probe, Request, gebieden
from helpers.workspace.importer import import_files, init_workspace
from tests.scenarios.fake_cbs import _gebieden_sets

# the header of a StatLine export of the table (topic paths joined by "|"), three real
# gemeenten with their provincie (CBS, Gebieden in Nederland 2023)
PATHS = ("Codes en namen van gemeenten|Naam,Codes en namen van gemeenten|Code,"
         "Lokaliseringen van gemeenten|Provincies|Code,"
         "Lokaliseringen van gemeenten|Provincies|Naam\n")
ROWS = ("Aa en Hunze,GM1680,PV22,Drenthe\nAmsterdam,GM0363,PV27,Noord-Holland\n"
        "Utrecht (gemeente),GM0344,PV26,Utrecht\n")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _read(path: Path, **request) -> pd.DataFrame:
    probe = Probe(Request(path, **request))
    reader = READERS.detect(probe)
    assert reader.kind.startswith("gebieden")
    return reader.load(probe)


def test_an_export_with_topic_paths_gives_each_gemeente_its_provincie(tmp_path):
    rows = _read(_write(tmp_path, "Gebieden in Nederland 2023.csv", PATHS + ROWS))
    assert dict(zip(rows["area_code"], rows["value"].map(model.provincie_code),
                    strict=True)) == {"GM1680": "PV22", "GM0363": "PV27", "GM0344": "PV26"}
    assert set(rows["variable"]) == {model.PROVINCIE_VARIABLE} and set(rows["year"]) == {2023}
    assert set(rows["level"]) == {"gemeente"}
    assert set(rows["source"]) == {"CBS Gebieden in Nederland 2023"}


def test_other_headers_separators_and_a_workbook_are_read_by_their_codes(tmp_path):
    text = "Gemeentenaam;Gemeentecode;Provinciecode\nAmsterdam;GM0363;PV27  \n"
    rows = _read(_write(tmp_path, "gebieden_2024.csv", text))
    assert rows[["area_code", "value", "year"]].values.tolist() == [["GM0363", 27.0, 2024]]
    book = tmp_path / "regio's 2022.xlsx"
    pd.DataFrame({"Provincie": ["PV26"], "Gemeente": ["GM0344"]}).to_excel(book, index=False)
    assert _read(book)[["area_code", "value", "year"]].values.tolist() == [
        ["GM0344", 26.0, 2022]]


def test_importing_keeps_the_gemeentes_own_row(tmp_path):
    rows = _read(_write(tmp_path, "Gebieden in Nederland 2023.csv", PATHS + ROWS),
                 gemeente="GM0344")
    assert rows["area_code"].tolist() == ["GM0344"]


@pytest.mark.parametrize("body, message", [
    ("Amsterdam,GM0363,PV99,Nergens\n", r"line 2: gemeente GM0363 has provincie 'PV99'"),
    (ROWS + "Amsterdam,GM0363,PV27,Noord-Holland\n", "GM0363 is listed twice"),
    ("Amsterdam,GM0363,,\n" + ROWS, r"line 2: gemeente GM0363 has provincie ''"),
])
def test_a_wrong_row_is_refused_with_its_line(tmp_path, body, message):
    with pytest.raises(DataError, match=message):
        _read(_write(tmp_path, "Gebieden in Nederland 2023.csv", PATHS + body))


def test_without_a_year_the_message_says_how_to_give_it(tmp_path):
    with pytest.raises(DataError, match="cannot tell the year.*--year"):
        _read(_write(tmp_path, "gebieden.csv", PATHS + ROWS))
    assert set(_read(tmp_path / "gebieden.csv", year=2021)["year"]) == {2021}


def _odata_folder(tmp_path: Path, sets: dict) -> Path:
    folder = tmp_path / "cbs-gebieden-2023"
    folder.mkdir()
    for name, rows in sets.items():
        (folder / f"{name}.json").write_text(json.dumps(rows), encoding="utf-8")
    return folder


def test_the_odata_table_is_read_by_its_topic_paths_not_positions(tmp_path):
    sets = _gebieden_sets()
    for prop in sets["DataProperties"]:  # another year: other position suffixes
        prop["Key"] = prop["Key"].replace("_28", "_31").replace("_29", "_32")
    for row in sets["TypedDataSet"]:
        row["Code_31"], row["Naam_32"] = row.pop("Code_28"), row.pop("Naam_29")
    folder = _odata_folder(tmp_path, sets)
    assert READERS.detect(Probe(Request(folder))).kind == "gebieden", "not read as a KWB table"
    rows = gebieden.read_gebieden(folder)
    assert set(rows["year"]) == {2023} and len(rows) == len(sets["TypedDataSet"])
    assert rows.set_index("area_code")["value"]["GM9901"] == 25.0


def test_a_kwb_odata_folder_is_not_taken_for_a_gebieden_table(tmp_path):
    from tests.scenarios.fake_cbs import _odata_sets

    folder = _odata_folder(tmp_path, _odata_sets())
    assert READERS.detect(Probe(Request(folder))).kind == "odata"


def test_import_adds_it_beside_the_kwb_with_provenance(tmp_path):
    root = init_workspace(tmp_path / "ws", "GM0344", "Utrecht")
    source = _write(tmp_path, "Gebieden in Nederland 2023.csv", PATHS + ROWS)
    import_files(root, [source])
    config = (root / "stuurkit.yml").read_text(encoding="utf-8")
    assert "Gebieden in Nederland 2023.csv" in config
    provenance = (root / "raw" / "provenance.yml").read_text(encoding="utf-8")
    assert "CBS Gebieden in Nederland 2023" in provenance


def test_the_gemeente_names_come_along(tmp_path):
    rows = _read(_write(tmp_path, "Gebieden in Nederland 2023.csv", PATHS + ROWS))
    assert dict(zip(rows["area_code"], rows[model.AREA_NAME], strict=True))["GM0363"] == (
        "Amsterdam")
    folder = _odata_folder(tmp_path, _gebieden_sets())
    named = gebieden.read_gebieden(folder).set_index("area_code")[model.AREA_NAME]
    assert named["GM9901"] == "Voorbeeldstad"


@pytest.mark.parametrize("breaks, message", [
    (lambda s: [r.pop("Code_28") for r in s["TypedDataSet"]], "has no such column"),
    (lambda s: s.update(DataProperties=[1, 2, 3]), "expected a list of records"),
    (lambda s: s.update(TypedDataSet=[1, 2, 3]), "expected a list of records"),
    (lambda s: s["TableInfos"][0].update(Title="Gebieden in Nederland 2019"),
     "the folder's name says 2023"),
])
def test_a_broken_odata_table_is_refused_naming_the_file(tmp_path, breaks, message):
    sets = _gebieden_sets()
    breaks(sets)
    folder = _odata_folder(tmp_path, sets)
    with pytest.raises(DataError, match=message):
        gebieden.read_gebieden(folder)


def test_a_workbook_is_read_from_its_one_table_sheet(tmp_path):
    book = tmp_path / "gebieden 2024.xlsx"
    with pd.ExcelWriter(book, engine="openpyxl") as writer:
        pd.DataFrame({"Toelichting": ["Bron: CBS"]}).to_excel(writer, sheet_name="Toelichting",
                                                               index=False)
        pd.DataFrame({"Gemeente": ["GM0344"], "Provincie": ["PV26"]}).to_excel(
            writer, sheet_name="Tabel", index=False)
    assert gebieden.read_gebieden(book)["value"].tolist() == [26.0]
    with pd.ExcelWriter(book, mode="a", engine="openpyxl") as writer:
        pd.DataFrame({"Gemeente": ["GM0344"], "Provincie": ["PV27"]}).to_excel(
            writer, sheet_name="Tabel2", index=False)
    with pytest.raises(DataError, match=r"2 sheets \(Tabel, Tabel2\) hold"):
        gebieden.read_gebieden(book)


# StatLine's CSV download of the table: a title line and an empty line above the header,
# labels with "/" between themes and the unit, codes padded with spaces, a source line below
TITLED = ('"Gebieden in Nederland 2024"\r\n""\r\n"Regio\'s";'
          '"Codes en namen van gemeenten/Code (code)";'
          '"Codes en namen van gemeenten/Naam (naam)";'
          '"Lokaliseringen van gemeenten/Provincies/Code (code)";'
          '"Lokaliseringen van gemeenten/Provincies/Naam (naam)"\r\n'
          '"Aa en Hunze";"GM1680    ";"Aa en Hunze            ";"PV22  ";"Drenthe   "\r\n'
          '"Amsterdam";"GM0363    ";"Amsterdam              ";"PV27  ";"Noord-Holland"\r\n'
          '"Bron: CBS"\r\n')


def test_a_titled_statline_download_is_read_with_the_year_of_its_title(tmp_path):
    path = _write(tmp_path, "Gebieden_in_Nederland_2024_03122026_101010.csv", TITLED)
    probe = Probe(Request(path))
    assert READERS.detect(probe).kind == "gebieden-export"
    rows = READERS.detect(probe).load(probe)
    assert rows[["area_code", "value", "year"]].values.tolist() == [
        ["GM1680", 22.0, 2024], ["GM0363", 27.0, 2024]]
    assert rows[model.AREA_NAME].tolist() == ["Aa en Hunze", "Amsterdam"]
    # without a year in its name the title says it
    assert set(_read(_write(tmp_path, "gebieden.csv", TITLED))["year"]) == {2024}


def test_a_titled_download_names_the_line_in_the_file_and_a_year_that_disagrees(tmp_path):
    wrong = TITLED.replace('"PV27  "', '"PV99"')
    with pytest.raises(DataError, match=r"line 5: gemeente GM0363 has provincie 'PV99'"):
        _read(_write(tmp_path, "gebieden.csv", wrong))
    with pytest.raises(DataError, match=r"name says 2023, its title line 'Gebieden in "
                                         r"Nederland 2024'"):
        _read(_write(tmp_path, "Gebieden in Nederland 2023.csv", TITLED))


def test_a_titled_download_is_imported_beside_the_kwb(tmp_path):
    root = init_workspace(tmp_path / "ws", "GM0363", "Amsterdam")
    import_files(root, [_write(tmp_path, "Gebieden_in_Nederland_2024.csv", TITLED)])
    provenance = (root / "raw" / "provenance.yml").read_text(encoding="utf-8")
    assert "CBS Gebieden in Nederland 2024" in provenance


def test_a_year_given_that_the_title_contradicts_is_refused(tmp_path):
    path = _write(tmp_path, "Gebieden_in_Nederland_2024.csv", TITLED)
    with pytest.raises(DataError, match=r"the year given is 2020, but the table says it is of "
                                         r"2024"):
        _read(path, year=2020)
    assert set(_read(path, year=2024)["year"]) == {2024}
