"""The registry of source readers (helpers.sources.registry): recognition in order, the
schema check and the gemeente's part in one place, and a reader added by one line."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from helpers.errors import DataError
from helpers.sources import READERS, Probe, Reader, Registry, Request, kaart, kaartstats
from helpers.workspace.importer import detect_kind, import_files, init_workspace

DEMO_RAW = Path(__file__).resolve().parents[2] / "data" / "demo" / "raw"
GRONINGEN = Path(__file__).resolve().parents[3] / "shared" / "real-data" / "GM0014_Groningen"


@pytest.mark.parametrize("name, kind", [
    ("kwb-2023.csv", "kwb"), ("registraties.csv", "registrations"),
    ("buurten_2022.geojson", "kaart"), ("gemeenten_2017.geojson", "kaart"),
])
def test_the_demo_files_are_recognised(name, kind):
    assert detect_kind(DEMO_RAW / name) == kind


def test_unknown_files_name_what_can_be_read(tmp_path):
    path = tmp_path / "notities.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(DataError, match=r"unknown file type \.pdf\. Import CBS KWB tables "
                                        r".*kaart layers .* or kaart attribute tables"):
        detect_kind(path)
    table = tmp_path / "x.csv"
    table.write_text("a;b\n1;2\n")
    with pytest.raises(DataError, match=r"cannot tell what this table is \(columns: a, b…\)\. "
                                        r"Expected a CBS KWB download .*, registrations .* or a "
                                        r"kaart attribute table"):
        detect_kind(table)


def _tidy(codes: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"area_code": codes, "level": [{"GM": "gemeente", "WK": "wijk",
                                                        "BU": "buurt"}[c[:2]] for c in codes],
                         "year": 2023, "variable": "a_inw", "value": 1.0, "status": "ok",
                         "source": "test"})


def _reader(frame: pd.DataFrame, national: bool = True) -> Reader:
    return Reader(kind="test", section="kwb", what="tests", looks_like="a test",
                  suffixes=frozenset({".tst"}), detect=lambda probe: True,
                  read=lambda probe: frame, describe=lambda own, probe: {},
                  entry=lambda relative, detail: relative, label=lambda probe, detail: "t",
                  national=national)


def test_load_keeps_the_gemeentes_part_of_a_national_file(tmp_path):
    reader = _reader(_tidy(["GM0001", "GM0344", "WK034401", "BU03440101"]))
    own = reader.load(Probe(Request(tmp_path / "x.tst", gemeente="GM0344")))
    assert own["area_code"].tolist() == ["GM0344", "WK034401", "BU03440101"]
    with pytest.raises(DataError, match=r"x\.tst: no rows for GM0363; is this the right file"):
        reader.load(Probe(Request(tmp_path / "x.tst", gemeente="GM0363")))


def test_own_data_with_another_gemeentes_area_is_refused(tmp_path):
    reader = _reader(_tidy(["BU03440101", "BU03630101"]), national=False)
    with pytest.raises(DataError, match=r"area code BU03630101 is not in GM0344"):
        reader.load(Probe(Request(tmp_path / "x.tst", gemeente="GM0344")))


def test_a_reader_whose_frame_breaks_the_schema_is_refused(tmp_path):
    bad = _tidy(["WK034401"]).assign(level="buurt", status="geheim")
    with pytest.raises(DataError, match=r"x\.tst: tidy rows that break the kit's rules .*level "
                                        r"agrees with the prefix of area_code .*isin"):
        _reader(bad).load(Probe(Request(tmp_path / "x.tst")))


def test_one_line_adds_a_reader(tmp_path):
    """A registry with one more reader recognises its files, before or after the others."""
    path = tmp_path / "extra.tst"
    path.write_text("x")
    extra = _reader(_tidy(["GM0344"]))
    registry = Registry([*READERS, extra])
    assert registry.detect(Probe(Request(path))).kind == "test"
    assert registry.sections == READERS.sections
    with pytest.raises(ValueError, match="unique"):
        Registry([*READERS, extra, extra])


def _attribute_table(folder: Path) -> Path:
    """A kaart attribute table as CBS publishes it (a shapefile's .dbf), 2 wijken of
    GM9901 and 1 of another gemeente, one sentinel value."""
    frame = gpd.GeoDataFrame({
        "WK_CODE": ["WK990101", "WK990102", "WK000101"], "WK_NAAM": ["A", "B", "C"],
        "GM_CODE": ["GM9901", "GM9901", "GM0001"], "WATER": ["NEE"] * 3,
        "AANT_INW": [1200, -99999999, 50], "AANT_MAN": [600, 700, 25]},
        geometry=[shapely.Point(0, 0)] * 3, crs="EPSG:28992")
    frame.to_file(folder / "wijk_2021.shp")
    return folder / "wijk_2021.dbf"


def test_kaart_attribute_tables_are_read_and_imported(tmp_path):
    table = _attribute_table(tmp_path)
    assert detect_kind(table) == "kaart-attributes"
    tidy = kaartstats.read_attributes(table, 2021, gemeente="GM9901").set_index(
        ["area_code", "variable"])
    assert tidy.loc[("WK990101", "a_inw"), "value"] == 1200
    assert tidy.loc[("WK990102", "a_inw"), "status"] == "missing"  # the sentinel
    assert pd.isna(tidy.loc[("WK990102", "a_inw"), "value"])
    assert "WK000101" not in tidy.index.get_level_values("area_code")
    ws = init_workspace(tmp_path / "ws", "GM9901", "Voorbeeldstad")
    (item,) = import_files(ws, [table])
    assert (item.kind, item.detail) == ("kaart-attributes", {"year": 2021, "areas": 2})
    config = (ws / "stuurkit.yml").read_text()
    assert "file: raw/wijk_2021.dbf" in config and "year: 2021" in config
    provenance = (ws / "raw" / "provenance.yml").read_text()
    assert "CBS wijk- en buurtkaart 2021, kenmerken (wijk_2021.dbf)" in provenance


def test_real_kaart_attribute_tables_of_2017():
    if not GRONINGEN.is_dir():
        pytest.skip(f"real CBS data not available ({GRONINGEN} does not exist)")
    wijken = kaartstats.read_attributes(GRONINGEN / "wijk_2017.dbf", 2017, gemeente="GM0014")
    inhabitants = wijken[wijken["variable"] == "a_inw"].set_index("area_code")["value"]
    assert len(inhabitants) == 15 and inhabitants["WK001400"] == 22635
    gemeente = kaartstats.read_attributes(GRONINGEN / "gem_2017.dbf", 2017, gemeente="GM0014")
    total = gemeente[gemeente["variable"] == "a_inw"]["value"].iloc[0]
    # wijk counts are rounded to multiples of 5 by CBS, the gemeente's is exact
    assert total == 202636 and abs(inhabitants.sum() - total) <= 5 * len(inhabitants)
    probe = Probe(Request(GRONINGEN / "wijk_2017.dbf", gemeente="GM0014"))
    assert READERS.detect(probe).kind == "kaart-attributes"


def test_the_kwb_reader_shares_the_table_it_recognised(monkeypatch):
    from helpers.sources import tabular

    reads = []
    original = tabular.read_table
    monkeypatch.setattr("helpers.sources.tabular.read_table",
                        lambda *a, **k: reads.append(a) or original(*a, **k))
    probe = Probe(Request(DEMO_RAW / "kwb-2023.csv", gemeente="GM9901"))
    reader = READERS.detect(probe)
    tidy = reader.load(probe)
    assert reader.kind == "kwb" and len(reads) == 1 and len(tidy) > 1000


def test_a_registrations_workbook_is_recognised_and_read(tmp_path):
    path = tmp_path / "registraties.xlsx"
    pd.DataFrame({"area_code": ["BU99010101", "WK990101"], "year": ["2023", "2023"],
                  "variable": ["x_reg", "x_reg"], "value": ["5", "7"]}).to_excel(
        path, index=False)
    assert detect_kind(path) == "registrations"
    ws = init_workspace(tmp_path / "ws", "GM9901", "Voorbeeldstad")
    (item,) = import_files(ws, [path])
    assert item.detail == {"rows": 2} and "raw/registraties.xlsx" in (
        ws / "stuurkit.yml").read_text()
    probe = Probe(Request(ws / "raw" / "registraties.xlsx", gemeente="GM9901"))
    tidy = READERS.detect(probe, "registrations").load(probe)
    assert tidy["value"].tolist() == [5.0, 7.0]


def test_a_workbook_nobody_reads_names_its_sheets(tmp_path):
    path = tmp_path / "kwb-2021.xlsx"
    pd.DataFrame({"uitleg": ["geen cijfers"]}).to_excel(path, index=False,
                                                         sheet_name="Toelichting")
    with pytest.raises(DataError, match=r"cannot tell what this table is \(sheets: "
                                        r"Toelichting; columns: uitleg…\)"):
        detect_kind(path)


def test_a_folder_that_is_no_odata_table_is_refused_clearly(tmp_path):
    folder = tmp_path / "cbs-x"
    folder.mkdir()
    (folder / "readme.txt").write_text("x")
    with pytest.raises(DataError, match=r"cbs-x: cannot tell what this folder is\. Expected .*"
                                        r"a CBS OData table folder"):
        READERS.detect(Probe(Request(folder)), "kwb")


def test_attribute_tables_name_bad_codes_duplicates_and_infinity(tmp_path):
    def write(name: str, **columns):
        frame = gpd.GeoDataFrame({"WK_NAAM": "x", "GM_CODE": "GM9901", "WATER": "NEE",
                                  **columns}, geometry=[shapely.Point(0, 0)] * len(
            columns["WK_CODE"]), crs="EPSG:28992")
        frame.to_file(tmp_path / f"{name}.shp")
        return tmp_path / f"{name}.dbf"

    no_prefix = write("a_2021", WK_CODE=["WK990101", "990102"], AANT_INW=[1, 2])
    with pytest.raises(DataError, match=r"row 2: area code '990102' is not a CBS code .*"
                                        r"without its prefix"):
        kaartstats.read_attributes(no_prefix, 2021, gemeente="GM9901")
    twice = write("b_2021", WK_CODE=["WK990101", "WK990101"], AANT_INW=[1, 2])
    with pytest.raises(DataError, match=r"area code WK990101 occurs twice"):
        kaartstats.read_attributes(twice, 2021, gemeente="GM9901")
    infinite = write("c_2021", WK_CODE=["WK990101"], AANT_INW=[float("inf")])
    with pytest.raises(DataError, match=r"column 'AANT_INW' holds an infinite value"):
        kaartstats.read_attributes(infinite, 2021)
    text = write("d_2021", WK_CODE=["WK990101", "WK990102"], AANT_INW=["12", "abc"],
                 AANT_MAN=[5, 6])
    with pytest.warns(UserWarning, match=r"column 'AANT_INW' mixes numbers and text"):
        tidy = kaartstats.read_attributes(text, 2021)
    assert set(tidy["variable"]) == {"a_man"}
    as_text = write("e_2021", WK_CODE=["WK990101"], AANT_INW=["12"])
    assert kaartstats.read_attributes(as_text, 2021)["value"].tolist() == [12.0]


def test_a_kaart_area_whose_parent_contradicts_its_code_is_refused(tmp_path):
    import json

    doc = json.loads((DEMO_RAW / "buurten_2022.geojson").read_text())
    doc["features"][0]["properties"]["wijkcode"] = "WK990201"
    path = tmp_path / "buurten_2022.geojson"
    path.write_text(json.dumps(doc))
    with pytest.raises(DataError, match=r"buurt areas lie in another wijk than their code "
                                        r"says, e\.g\. BU\d{8} in WK990201"):
        kaart.read_kaart(path, "buurt", 2022, gemeente="GM9901")


def test_a_kaart_code_without_its_prefix_is_not_dropped_unseen(tmp_path):
    import json

    doc = json.loads((DEMO_RAW / "buurten_2022.geojson").read_text())
    code = doc["features"][0]["properties"]["buurtcode"]
    doc["features"][0]["properties"]["buurtcode"] = code[2:]
    path = tmp_path / "buurten_2022.geojson"
    path.write_text(json.dumps(doc))
    with pytest.warns(UserWarning, match=rf"rows without a valid buurt code skipped \(e\.g\. "
                                         rf"'{code[2:]}'\)"):
        kaart.read_kaart(path, "buurt", 2022, gemeente="GM9901")


def test_a_reader_added_to_the_registry_is_used_by_import_workspace_and_check(
        tmp_path, monkeypatch):
    from helpers.workspace import open_workspace
    from helpers.workspace.check import check_workspace

    path = tmp_path / "extra_2023.tst"
    path.write_text("x")
    extra = Reader(kind="extra", section="registrations", what="extra files (.tst)",
                   looks_like="an extra file", suffixes=frozenset({".tst"}),
                   detect=lambda probe: True, read=lambda probe: _tidy(["BU99010101"]),
                   describe=lambda own, probe: {"rows": len(own)},
                   entry=lambda relative, detail: relative,
                   label=lambda probe, detail: "Extra", national=False)
    monkeypatch.setattr(READERS, "readers", [*READERS.readers, extra])
    ws = init_workspace(tmp_path / "ws", "GM9901", "Voorbeeldstad")
    (item,) = import_files(ws, [path])
    assert item.kind == "extra"
    assert "raw/extra_2023.tst" in (ws / "stuurkit.yml").read_text()
    tidy = open_workspace(ws, check=False)._read("registrations", {"file": "raw/extra_2023.tst"})
    assert tidy["area_code"].tolist() == ["BU99010101"]
    problems = check_workspace(ws)
    assert not any("extra_2023" in p.where and p.severity == "fout" for p in problems)
