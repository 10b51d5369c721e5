"""One parser of numeric text: the notation decided per column, never guessed per cell."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers.errors import DataError
from helpers.sources import kwb, numbertext, registrations


@pytest.mark.parametrize("cells, values", [
    (["153.211", "1.234.567", "850"], [153211, 1234567, 850]),  # Dutch Excel, grouped
    (["1.234,5", "12", "7,25"], [1234.5, 12, 7.25]),
    (["1.234", "12,5"], [1234, 12.5]),  # the comma decides: '.' groups thousands
    (["1.234", "1.5"], [1.234, 1.5]),  # the point decides
    (["0.125", "1"], [0.125, 1]),  # a group never starts with 0: a decimal point
    (["1,234"], [1.234]),  # no notation groups with commas
    (["153211", "-12"], [153211, -12]),
    (["5.5e+16", "1"], [5.5e16, 1]),
])
def test_a_column_is_read_in_the_notation_its_values_decide(cells, values):
    got = numbertext.parse(pd.Series(cells), "f.csv", "c")
    assert got.tolist() == pytest.approx(values)


@pytest.mark.parametrize("cells, message", [
    (["153.211", "850", "24.000"], r"f\.csv, line 2, column 'c': '153\.211' could be 153211 "
                                   r"\(a point grouping thousands\) or 153\.211 .*Save the file "
                                   r"without thousands separators"),
    (["12", "1.5", "2,5"], r"f\.csv, column 'c': the numbers mix two notations: line 3 has "
                           r"'1\.5' \(a decimal point\) and line 4 has '2,5'"),
    (["1.5", "1.234.567"], r"mix two notations"),
])
def test_an_ambiguous_or_contradictory_column_is_refused_with_its_line(cells, message):
    with pytest.raises(DataError, match=message):
        numbertext.parse(pd.Series(cells), "f.csv", "c")


def test_columns_of_one_table_must_agree_on_the_notation():
    table = pd.DataFrame({"a": ["1.5", "2"], "b": ["2,5", "3"]})
    with pytest.raises(DataError, match=r"column 'a' has '1\.5' \(a decimal point, line 2\) "
                                        r"and column 'b' has '2,5' \(a decimal comma"):
        numbertext.parse_table(table, "f.csv")


def test_a_known_notation_is_not_decided_again():
    got = numbertext.parse(pd.Series(["1.234", "2,5"]), "odata", "c", notation=".")
    assert got.iloc[0] == 1.234 and pd.isna(got.iloc[1])


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_kwb_file_saved_by_dutch_excel_with_grouping_reads_right(tmp_path):
    path = _write(tmp_path, "kwb-2021.csv", "gwb_code_10;recs;a_inw;g_hhgro\n"
                  "GM9901;Gemeente;153.211;2,1\nWK990101;Wijk;24.000;1,9\n"
                  "BU99010101;Buurt;1.234.567;2\n")
    tidy = kwb.read_kwb(path).set_index(["area_code", "variable"])["value"]
    assert tidy[("GM9901", "a_inw")] == 153211 and tidy[("WK990101", "g_hhgro")] == 1.9
    assert tidy[("BU99010101", "a_inw")] == 1234567


def test_a_kwb_column_of_only_grouped_thousands_is_refused(tmp_path):
    path = _write(tmp_path, "kwb-2021.csv", "gwb_code_10;recs;a_inw\n"
                  "GM9901;Gemeente;153.211\nWK990101;Wijk;850\n")
    with pytest.raises(DataError, match=r"kwb-2021\.csv, line 2, column 'a_inw': '153\.211' "
                                        r"could be 153211"):
        kwb.read_kwb(path)


def test_registrations_read_grouped_thousands_next_to_decimal_commas(tmp_path):
    path = _write(tmp_path, "reg.csv", "area_code;year;variable;value\n"
                  "BU99010101;2021;x;1.234\nBU99010102;2021;x;12,5\n")
    assert registrations.read_registrations(path)["value"].tolist() == [1234, 12.5]
