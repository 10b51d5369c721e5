"""The malformed-input corpus (tests/data/bad/, made by tests/data/make_bad_inputs.py).

Every file is imported into a fresh workspace of the demo gemeente: each must stop with
one clear message (pinned here) and leave the workspace exactly as it was.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from helpers.cli import main
from helpers.errors import StuurkitError
from helpers.importer import import_files, init_workspace
from helpers.locks import WORKSPACE_LOCK

BAD = Path(__file__).parent / "data" / "bad"

CASES = {
    "kwb-2021_latin1.csv": r"not UTF-8 \(byte 235 cannot be decoded\)\. Save the file as UTF-8",
    "kwb-2021_pipes.csv": r"no ';', ',' or tab separators; this is not a CSV table",
    "kwb-2021_missing_code_column.csv": r"cannot tell what this table is \(columns: gwb_code_8",
    "kwb-2021_renamed_column.csv": r"cannot tell what this table is \(columns: GWB-code",
    "kwb-2021_duplicate_codes.csv": r", row 5: area code BU99010101 occurs twice",
    "kwb-2021_text_in_numbers.csv": r"BU99010101 / a_inw = 'drieduizend'",
    "kwb-2021_codes_without_zeros.csv":
        r", row 4: area code '99010101' is not a CBS code .*without its leading zeros",
    "kwb-2021_empty.csv": r": the file is empty",
    "kwb-2021_header_only.csv": r": the table has a header but no rows",
    "kwb-2021_other_gemeente.csv": r": no rows for GM9901",
    "kwb_without_year.csv": r"cannot tell the statistics year from the file name",
    "kwb-2021_two_names_one_variable.csv": r"two columns map to variable 'a_gbl_eu'",
    "kwb-2021_wrong_sheet.xlsx": r"no sheet has a 'gwb_code_10' column \(sheets: Toelichting\)",
    "statline_2021_text_in_numbers.csv": r"GM9901 / a_inw = '  veel'",
    "notities.pdf": r"unknown file type \.pdf",
    "registraties_missing_value_column.csv": r"missing column\(s\) value",
    "registraties_bad_rows.csv": r"row 3, column area_code: 'buurt Markt'.*row 4, column "
                                 r"year: 'twintig'.*row 5, column value: 'veel'",
    "registraties_other_gemeente.csv": r"area code BU03440101 is not in GM9901",
    "buurten_2021_broken.geojson": r"cannot read geometry file",
    "buurten_2021_no_code_column.geojson": r"has buurt names but no buurt code column",
    "buurten_2021_no_crs.shp": r"has no coordinate reference system.*keep the \.prj",
    "buurten_2021_no_features.geojson": r"the layer has no features",
    "buurten_2021_one_code_two_names.geojson": r"code BU99010101 appears with different names",
    "buurten_2021_other_gemeente.geojson": r"no buurt areas of GM9901 in this layer",
    "buurten_2021_water_only.geojson": r"no land areas with a buurt code",
}


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != WORKSPACE_LOCK}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return init_workspace(tmp_path / "ws", "GM9901", "Voorbeeldstad")


def test_corpus_is_complete():
    files = {p.name for p in BAD.iterdir() if p.suffix not in (".dbf", ".shx", ".cpg")}
    assert len(CASES) >= 20
    assert files - {"buurten_2021_invalid_geometry.geojson"} == set(CASES)


@pytest.mark.filterwarnings("ignore:.*water only:UserWarning")
@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_refused_with_its_message_and_changes_nothing(workspace, name):
    before = _snapshot(workspace)
    with pytest.raises(StuurkitError, match=CASES[name]) as err:
        import_files(workspace, [BAD / name])
    assert name in str(err.value), "the message names the file"
    assert _snapshot(workspace) == before


def test_invalid_geometry_is_repaired_with_a_warning(workspace):
    with pytest.warns(UserWarning, match=r"1 invalid geometries repaired with make_valid"):
        imported = import_files(workspace, [BAD / "buurten_2021_invalid_geometry.geojson"])
    assert imported[0].detail["areas"] == 2


def test_a_bad_file_among_good_ones_imports_nothing(workspace):
    demo = Path(__file__).resolve().parents[1] / "data" / "demo" / "raw"
    before = _snapshot(workspace)
    with pytest.raises(StuurkitError, match="drieduizend"):
        import_files(workspace, [demo / "kwb-2023.csv", BAD / "kwb-2021_text_in_numbers.csv"])
    assert _snapshot(workspace) == before


@pytest.mark.parametrize("name", ["kwb-2021_latin1.csv", "buurten_2021_no_crs.shp"])
def test_the_cli_shows_one_message_and_no_traceback(workspace, name, capsys):
    with warnings.catch_warnings():
        assert main(["import", str(workspace), str(BAD / name)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("stuurkit: ") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
