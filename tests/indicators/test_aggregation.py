"""Sums up the hierarchy, per area: an own row of one area never blanks the others."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.errors import DataError
from helpers.indicators.aggregation import aggregate_up

BUURTEN = {"WK000101": ["BU00010101", "BU00010102"], "WK000102": ["BU00010201",
                                                                  "BU00010202"]}


def _links(year: int = 2023) -> pd.DataFrame:
    rows = [(year, b, w, "buurt") for w, bs in BUURTEN.items() for b in bs]
    rows += [(year, w, "GM0001", "wijk") for w in BUURTEN]
    return pd.DataFrame(rows, columns=["year", "code", "parent", "level"])


def _tidy(rows: list[tuple[str, float | None, str]]) -> pd.DataFrame:
    level = {"BU": "buurt", "WK": "wijk", "GM": "gemeente"}
    return pd.DataFrame([(code, level[code[:2]], 2023, "meldingen", value, status, "eigen")
                         for code, value, status in rows],
                        columns=["area_code", "level", "year", "variable", "value", "status",
                                 "source"])


def _values(out: pd.DataFrame) -> dict[str, object]:
    return {r.area_code: (r.value if r.status == "ok" else r.status)
            for r in out.itertuples()}


BUURT_ROWS = [("BU00010101", 2.0, "ok"), ("BU00010102", 3.0, "ok"),
              ("BU00010201", 4.0, "ok"), ("BU00010202", 5.0, "ok")]


def test_buurten_are_summed_to_wijken_and_the_gemeente():
    got = _values(aggregate_up(_tidy(BUURT_ROWS), _links()))
    assert got["WK000101"] == 5 and got["WK000102"] == 9 and got["GM0001"] == 14


def test_one_wijk_row_that_agrees_keeps_every_other_sum():
    """Before: one wijk row stopped the sums of every wijk and of the gemeente."""
    got = _values(aggregate_up(_tidy(BUURT_ROWS + [("WK000101", 5.0, "ok")]), _links()))
    assert got["WK000101"] == 5 and got["WK000102"] == 9 and got["GM0001"] == 14


def test_a_wijk_row_of_its_own_without_buurten_counts_in_the_gemeente():
    rows = BUURT_ROWS[:2] + [("WK000102", 7.0, "ok")]
    got = _values(aggregate_up(_tidy(rows), _links()))
    assert got["WK000101"] == 5 and got["WK000102"] == 7 and got["GM0001"] == 12


def test_a_row_for_a_wijk_that_does_not_exist_blanks_nothing():
    got = _values(aggregate_up(_tidy(BUURT_ROWS + [("WK000199", 1.0, "ok")]), _links()))
    assert got["WK000101"] == 5 and got["WK000102"] == 9 and got["GM0001"] == 14


def test_a_wijk_row_that_contradicts_its_buurten_is_refused():
    with pytest.raises(DataError, match=r"WK000101 / meldingen / 2023: 50 in eigen, but its 2 "
                                        r"buurten sum to 5"):
        aggregate_up(_tidy(BUURT_ROWS + [("WK000101", 50.0, "ok")]), _links())


def test_a_sum_with_a_part_missing_or_secret_has_no_value():
    rows = BUURT_ROWS[:3]  # BU00010202 has no row
    got = _values(aggregate_up(_tidy(rows), _links()))
    assert got["WK000101"] == 5 and got["WK000102"] == "missing" and got["GM0001"] == "missing"
    rows = BUURT_ROWS[:3] + [("BU00010202", None, "secret")]
    got = _values(aggregate_up(_tidy(rows), _links()))
    assert got["WK000102"] == "secret" and got["GM0001"] == "secret"


def test_levels_that_have_rows_for_every_area_are_not_summed_or_compared():
    """CBS rounds buurten on their own: their sum need not be the wijk's figure."""
    rows = BUURT_ROWS + [("WK000101", 6.0, "ok"), ("WK000102", 9.0, "ok"),
                         ("GM0001", 15.0, "ok")]
    out = aggregate_up(_tidy(rows), _links())
    assert len(out) == len(rows)
