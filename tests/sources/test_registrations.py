"""Registrations: values that cannot be right are refused with their row."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from helpers.errors import DataError
from helpers.sources import registrations

HEADER = "area_code,year,variable,value,numerator,denominator\n"


def _read(tmp_path: Path, rows: str, header: str = HEADER) -> pd.DataFrame:
    path = tmp_path / "reg.csv"
    path.write_text(header + rows, encoding="utf-8")
    return registrations.read_registrations(path)


@pytest.mark.parametrize("rows, message", [
    ("BU99010101,2021,x,-3,,\n", r"row 2, column value: -3 is negative"),
    ("BU99010101,2021,x,,-1,5\n", r"row 2, column numerator: -1 is negative"),
    (f"BU99010101,{date.today().year + 1},x,3,,\n",
     rf"row 2, column year: '{date.today().year + 1}' is after this year"),
    ("BU99010101,1066,x,3,,\n", r"row 2, column year: '1066' is not a year"),
    ("BU99010101,20211,x,3,,\n", r"row 2, column year: '20211' is not a year"),
    ("BU99010101,2021,x,30,5,20\n", r"row 2: value 30 contradicts numerator 5 / denominator "
                                    r"20 \(= 0\.25, nor that × 100"),
    ("BU99010101,2021,x,25,5,20\nBU99010102,2021,x,250,5,20\n",
     r"row 3: value 250 contradicts numerator 5 / denominator 20 \(= 25 in the unit × 100 "),
    ("BU99010101,2021,x,1.5,,\nBU99010102,2021,x,\"2,5\",,\n",
     r"column 'value': the numbers mix two notations: line 2 has '1\.5'"),
])
def test_impossible_registrations_are_refused(tmp_path, rows, message):
    with pytest.raises(DataError, match=message):
        _read(tmp_path, rows)


@pytest.mark.parametrize("rows", [
    "BU99010101,2021,x,25,5,20\n",  # × 100, whole numbers
    "BU99010101,2021,x,0.25,5,20\nBU99010102,2021,x,0.5,1,2\n",  # × 1
    "BU99010101,2021,x,333.3,1,3\n",  # × 1.000, rounded to one decimal
    "BU99010101,2021,x,,5,20\nBU99010102,2021,x,7,,\n",  # nothing to contradict
])
def test_values_that_agree_with_their_numerator_and_denominator_are_kept(tmp_path, rows):
    assert len(_read(tmp_path, rows)) == rows.count("\n")


def test_a_workbook_of_number_cells_is_read_with_their_own_notation(tmp_path):
    path = tmp_path / "registraties.xlsx"
    pd.DataFrame({"area_code": ["BU99010101", "BU99010102"], "year": [2023, 2023],
                  "variable": ["x", "x"], "value": [1.234, 7]}).to_excel(path, index=False)
    tidy = registrations.read_registrations(path)
    assert tidy["value"].tolist() == [1.234, 7] and tidy["year"].tolist() == [2023, 2023]


def test_a_workbook_of_text_cells_is_decided_like_a_csv(tmp_path):
    path = tmp_path / "registraties.xlsx"
    pd.DataFrame({"area_code": ["BU99010101", "BU99010102"], "year": ["2023", "2023"],
                  "variable": ["x", "x"], "value": ["1.234", "12,5"]}).to_excel(
        path, index=False)
    assert registrations.read_registrations(path)["value"].tolist() == [1234, 12.5]


def test_two_files_that_disagree_are_refused_naming_both():
    a = pd.DataFrame({"area_code": ["BU99010101"], "year": [2023], "variable": ["x"],
                      "value": [3.0]})
    registrations.conflicts([("a.csv", a, True), ("b.csv", a.copy(), True)])  # the same
    registrations.conflicts([("kwb.csv", a, False), ("b.csv", a.assign(value=4.0), False)])
    with pytest.raises(DataError, match=r"b\.csv: BU99010101 / 2023 / x is 4 here but 3 in "
                                        r"a\.csv"):
        registrations.conflicts([("a.csv", a, True), ("b.csv", a.assign(value=4.0), True)])
