"""Any frame as an accessible Dutch table (tables.frame_table): what each cell shows."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

from helpers.presentation import tables


def _cells(table: tables.Table) -> list[str]:
    from html.parser import HTMLParser

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found, self.open = [], False

        def handle_starttag(self, tag, attrs):
            if tag in ("td", "th"):
                self.open = True
                self.found.append("")

        def handle_endtag(self, tag):
            self.open = self.open and tag not in ("td", "th")

        def handle_data(self, data):
            if self.open:
                self.found[-1] += data

    parser = Cells()
    parser.feed(table.data)
    return parser.found


def test_each_column_shows_its_own_values_whatever_the_other_columns_hold():
    """A year in a frame of numbers stays a year (no '2023.0'), a count a whole number."""
    frame = pd.DataFrame({"Jaar": [2023, 2024], "Waarde": [1.25, 2.5], "Aantal": [3, 4]})
    table = tables.frame_table(frame, "Cijfers", numeric={"Waarde": 1})
    assert _cells(table) == ["Jaar", "Waarde", "Aantal", "2023", "1,2", "3", "2024", "2,5",
                             "4"]


def test_missing_cells_of_every_kind_show_a_dash():
    frame = pd.DataFrame({
        "tekst": pd.array(["a", None], dtype="string"),
        "getal": pd.array([1, None], dtype="Int64"),
        "datum": pd.to_datetime(["2024-03-01", None]),
        "dag": [datetime.date(2024, 3, 1), None],
        "status": pd.array(["beter", None], dtype="string"),
        "waarde": [np.nan, 1.0],
    })
    table = tables.frame_table(frame, "Leeg", numeric={"waarde": 0}, badges=("status",))
    assert _cells(table)[6:] == ["a", "1", "01-03-2024", "01-03-2024", "beter", "–",
                                 "–", "–", "–", "–", "–", "1"]
    assert table.data.count('class="badge') == 1  # no badge for a missing status


def test_duplicate_column_names_show_each_column():
    frame = pd.DataFrame([["a", "b"]], columns=["x", "x"])
    assert _cells(tables.frame_table(frame, "Dubbel"))[2:] == ["a", "b"]


def test_every_text_is_escaped_in_cells_badges_links_and_attributes():
    payload = '<img src=x onerror=alert(1)>"'
    frame = pd.DataFrame({"naam": [payload], "status": [payload], "link": [payload]})
    table = tables.frame_table(frame, payload, badges=("status",), row_header="naam",
                               links={"link": [payload]})
    assert "<img" not in table.data and 'onerror=alert(1)>"' not in table.data
    assert _cells(table)[3:] == [payload] * 3
