"""Boundary changes (ind_wbi 3) break series; code changes (ind_wbi 2) can be linked."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from helpers.errors import DataError
from helpers.sources import boundaries, registrations
from helpers.workspace import open_workspace
from helpers.workspace.check import check_workspace


def test_demo_boundary_change_breaks_both_buurten_in_2022(demo_ws):
    breaks = demo_ws.breaks
    assert breaks.to_dict() == {"BU99010601": 2022, "BU99010604": 2022}


def _tidy(rows):
    return pd.DataFrame(rows, columns=["area_code", "level", "year", "variable", "value",
                                       "status", "source"])


def test_a_known_code_change_continues_the_series():
    tidy = _tidy([
        ("BU00010101", "buurt", 2020, "a_inw", 100.0, "ok", "CBS"),
        ("BU00010109", "buurt", 2021, "a_inw", 105.0, "ok", "CBS"),
        ("BU00010109", "buurt", 2021, "ind_wbi", 2.0, "ok", "CBS"),
    ])
    changes = pd.DataFrame({"year": [2021], "old": ["BU00010101"], "new": ["BU00010109"]})
    out = boundaries.apply_code_changes(tidy, changes)
    series = out[(out["area_code"] == "BU00010109") & (out["variable"] == "a_inw")]
    assert series["year"].tolist() == [2020, 2021]
    assert boundaries.unlinked_code_changes(tidy, changes) == []
    assert boundaries.unlinked_code_changes(tidy, changes.iloc[0:0]) == ["BU00010109 (2021)"]


def test_code_change_file_is_validated(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("jaar,oude_code,nieuwe_code\n2021,BU00010101,BU00010109\n"
                    "twintig,BU1,BU00010109\n")
    with pytest.raises(DataError) as err:
        boundaries.read_code_changes(path)
    assert "row 3, column jaar: 'twintig'" in str(err.value)
    assert "row 3, column oude_code: 'BU1'" in str(err.value)


def test_workspace_applies_configured_code_changes(ws_copy):
    (ws_copy / "raw" / "codewijzigingen.csv").write_text(
        "jaar,oude_code,nieuwe_code\n2020,BU99010101,BU99010199\n")
    path = ws_copy / "stuurkit.yml"
    doc = yaml.safe_load(path.read_text())
    doc["sources"]["code_changes"] = ["raw/codewijzigingen.csv"]
    path.write_text(yaml.safe_dump(doc))
    ws = open_workspace(ws_copy)
    raw = ws.variables_raw
    cbs = raw[raw["source"].str.startswith("CBS")]
    assert set(cbs.loc[cbs["area_code"] == "BU99010101", "year"]) == {2020, 2021, 2022, 2023,
                                                                       2024}
    assert set(cbs.loc[cbs["area_code"] == "BU99010199", "year"]) == {2017, 2018, 2019}
    problems = [str(p) for p in check_workspace(ws_copy)]
    assert not any("FOUT" in p for p in problems), problems


def test_registrations_keep_numerator_and_denominator(tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text("area_code,year,variable,value,numerator,denominator\n"
                    "BU99010101,2021,aandeel,25,5,20\n")
    tidy = registrations.read_registrations(path)
    assert tidy.loc[0, ["numerator", "denominator"]].tolist() == [5, 20]
    path.write_text("area_code,year,variable,value,numerator,denominator\n"
                    "BU99010101,2021,aandeel,25,30,20\n")
    with pytest.raises(DataError, match="row 2: numerator 30 is larger than denominator 20"):
        registrations.read_registrations(path)


@pytest.mark.parametrize("rows, message", [
    ("2021,BU00010101,BU00010101\n", r"row 2: BU00010101 is mapped onto itself"),
    ("2021,BU00010101,BU00010102\n2021,BU00010102,BU00010101\n",
     r"row 3: BU00010102 -> BU00010101 is swapped with row 2"),
    ("2020,BU00010101,BU00010102\n2022,BU00010102,BU00010103\n",
     r"row 3: BU00010102 -> BU00010103 is chained after row 2"),
    ("2021,BU00010101,BU00010109\n2021,BU00010102,BU00010109\n",
     r"rows 2, 3: new code BU00010109 occurs more than once"),
    ("2021,BU00010101,BU00010108\n2022,BU00010101,BU00010109\n",
     r"rows 2, 3: old code BU00010101 occurs more than once"),
])
def test_swapped_chained_and_repeated_code_changes_are_refused(tmp_path, rows, message):
    path = tmp_path / "codes.csv"
    path.write_text("jaar,oude_code,nieuwe_code\n" + rows)
    with pytest.raises(DataError, match=message) as err:
        boundaries.read_code_changes(path)
    assert "codes.csv" in str(err.value)


def test_a_change_onto_a_code_that_has_its_own_rows_is_refused(tmp_path):
    tidy = _tidy([
        ("BU00010101", "buurt", 2020, "a_inw", 100.0, "ok", "CBS"),
        ("BU00010109", "buurt", 2020, "a_inw", 90.0, "ok", "CBS"),
        ("BU00010109", "buurt", 2021, "a_inw", 105.0, "ok", "CBS"),
    ])
    path = tmp_path / "codes.csv"
    path.write_text("jaar,oude_code,nieuwe_code\n2021,BU00010101,BU00010109\n")
    changes = boundaries.read_code_changes(path)
    with pytest.raises(DataError, match=r"codes\.csv, row 2: BU00010101 -> BU00010109 from "
                                        r"2021, but BU00010109 already has its own rows before "
                                        r"2021 \(e\.g\. a_inw in 2020\)"):
        boundaries.apply_code_changes(tidy, changes)
