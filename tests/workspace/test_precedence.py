"""One figure per area, year and variable: the precedence rule (helpers.workspace.precedence)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from helpers.workspace import precedence
from helpers.workspace.precedence import Part


def _rows(values: dict[str, float | None], year: int = 2023, variable: str = "g_afs_gs",
          source: str = "src") -> pd.DataFrame:
    return pd.DataFrame([{"area_code": code, "level": "wijk", "year": year,
                          "variable": variable, "value": v,
                          "status": "secret" if v is None else "ok", "source": source}
                         for code, v in values.items()])


def _shown(kept: pd.DataFrame, code: str) -> tuple[float, str]:
    row = kept[kept["area_code"] == code].iloc[0]
    return row["value"], row["source"]


def test_a_value_beats_a_cbs_marker_whatever_the_order():
    """Utrecht: the KWB xlsx listed first has '.', the StatLine export 0.6 km."""
    kwb = Part("kwb-2023.xlsx", _rows({"WK034401": None, "WK034402": 1.1}, source="kwb"))
    statline = Part("statline.csv", _rows({"WK034401": 0.6}, source="statline"))
    for parts in ([kwb, statline], [statline, kwb]):
        kept, conflicts, duplicates = precedence.combine(parts)
        assert _shown(kept, "WK034401") == (0.6, "statline")
        assert kept.duplicated(precedence.KEYS).sum() == 0 and len(kept) == 2
        assert conflicts == [] and duplicates == []


def test_rounding_is_no_conflict_but_different_numbers_are_listed():
    a = Part("a.csv", _rows({"WK1": 0.64, "WK2": 0.6}))
    b = Part("b.csv", _rows({"WK1": 0.6, "WK2": 0.4}))
    kept, conflicts, _ = precedence.combine([a, b])
    assert _shown(kept, "WK1")[0] == 0.64 and _shown(kept, "WK2")[0] == 0.6
    assert [(c.area_code, c.shown, c.other, c.rule) for c in conflicts] == [
        ("WK2", ("a.csv", 0.6), ("b.csv", 0.4), "listed first")]
    assert "0.6 from a.csv is shown, 0.4 from b.csv is not" in conflicts[0].line()


def test_priority_beats_a_later_release_which_beats_the_listing_order():
    old = Part("export_01012023_120000.csv", _rows({"WK1": 1.0}), release=date(2023, 1, 1))
    new = Part("export_01062024_120000.csv", _rows({"WK1": 2.0}), release=date(2024, 6, 1))
    kept, conflicts, _ = precedence.combine([old, new])
    assert _shown(kept, "WK1")[0] == 2.0 and conflicts[0].rule == "later release"
    pinned = Part(old.file, old.frame, priority=1, release=old.release)
    kept, conflicts, _ = precedence.combine([new, pinned])
    assert _shown(kept, "WK1")[0] == 1.0 and conflicts[0].rule == "priority"


def test_one_year_imported_twice_is_a_duplicate_and_kept_once():
    frame = pd.concat([_rows({f"WK{i}": float(i) for i in range(50)}, variable=v)
                       for v in ("a_inw", "a_man")])
    kept, conflicts, duplicates = precedence.combine(
        [Part("kwb-2023.csv", frame), Part("kwb-2023.xlsx", frame)])
    assert len(kept) == 100 and conflicts == []
    assert [(d.first, d.second, d.year, d.figures) for d in duplicates] == [
        ("kwb-2023.csv", "kwb-2023.xlsx", 2023, 100)]
    assert "remove one" in duplicates[0].line()


def test_files_that_overlap_a_little_are_no_duplicate():
    a = Part("a.csv", _rows({f"WK{i}": float(i) for i in range(20)}))
    b = Part("b.csv", _rows({"WK1": 1.0, "WK30": 3.0}))  # one of its two figures repeats a
    assert precedence.combine([a, b])[2] == []


def test_no_overlap_passes_everything_through():
    a, b = Part("a", _rows({"WK1": 1.0})), Part("b", _rows({"WK2": np.nan}))
    kept, conflicts, duplicates = precedence.combine([a, b])
    assert sorted(kept["area_code"]) == ["WK1", "WK2"] and not conflicts and not duplicates


def test_release_in_a_statline_name():
    assert precedence.release_in_name(
        "CBS-Utrecht_Nabijheid_voorzieningen__buurt_2023_14102024_164034.csv") == date(
        2024, 10, 14)
    assert precedence.release_in_name("x_99999999_000000.csv") is None
