"""compute, aggregate_up and suppress on small in-memory inputs (the rules the
integer-code implementation must keep)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import model
from helpers.indicators import catalogue
from helpers.indicators import disclosure as privacy
from helpers.indicators.aggregation import aggregate_up
from helpers.indicators.computation import compute


@pytest.fixture(scope="module")
def cat():
    return catalogue.load()


def _tidy(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["area_code", "level", "year", "variable", "value",
                                       "status", "source"])


def _row(obs: pd.DataFrame, indicator: str, code: str, year: int = 2023) -> pd.Series:
    hit = obs[(obs["indicator"] == indicator) & (obs["area_code"] == code)
              & (obs["year"] == year)]
    assert len(hit) == 1, f"{indicator} {code} {year}: {len(hit)} rows"
    return hit.iloc[0]


def test_a_ratio_names_both_sources_and_takes_the_worst_status(cat):
    obs = compute(_tidy([
        ("GM0001", "gemeente", 2023, "a_soz_wb", 50.0, "provisional", "Registratie"),
        ("GM0001", "gemeente", 2023, "a_inw", 1000.0, "ok", "CBS"),
    ]), cat)
    row = _row(obs, "bijstand_per_1000", "GM0001")
    assert row["value"] == pytest.approx(50.0)
    assert (row["numerator"], row["denominator"]) == (50.0, 1000.0)
    assert row["status"] == "provisional" and row["source"] == "Registratie; CBS"


def test_the_first_of_two_sources_wins(cat):
    obs = compute(_tidy([
        ("GM0001", "gemeente", 2023, "a_inw", 1000.0, "ok", "eerste"),
        ("GM0001", "gemeente", 2023, "a_inw", 2000.0, "ok", "tweede"),
    ]), cat)
    row = _row(obs, "inwoners", "GM0001")
    assert (row["value"], row["source"]) == (1000.0, "eerste")


def test_result_is_sorted_by_indicator_area_and_year_with_object_text(cat):
    obs = compute(_tidy([
        (code, level, year, "a_inw", 100.0 + year, "ok", "CBS")
        for year in (2024, 2022, 2023)
        for code, level in (("WK000102", "wijk"), ("GM0001", "gemeente"),
                            ("WK000101", "wijk"))
    ]), cat)
    key = obs[["indicator", "area_code", "year"]]
    assert key.equals(key.sort_values(["indicator", "area_code", "year"]))
    assert list(obs.columns) == model.OBSERVATION_COLUMNS
    assert obs["status"].dtype == object and obs["source"].dtype == object


def test_buurt_only_variables_are_summed_with_the_worst_status():
    tidy = _tidy([
        ("BU00010101", "buurt", 2023, "wmo_clienten", 4.0, "ok", "Registratie"),
        ("BU00010102", "buurt", 2023, "wmo_clienten", 6.0, "ok", "Registratie"),
        ("BU00010201", "buurt", 2023, "wmo_clienten", 3.0, "secret", "Registratie"),
    ])
    links = pd.DataFrame({"year": 2023,
                          "code": ["BU00010101", "BU00010102", "BU00010201", "WK000101",
                                   "WK000102"],
                          "parent": ["WK000101", "WK000101", "WK000102", "GM0001", "GM0001"],
                          "level": ["buurt"] * 3 + ["wijk"] * 2})
    out = aggregate_up(tidy, links).set_index("area_code")
    assert out.loc["WK000101", "value"] == 10.0 and out.loc["WK000101", "status"] == "ok"
    assert np.isnan(out.loc["WK000102", "value"]) and out.loc["WK000102", "status"] == "secret"
    assert out.loc["GM0001", "status"] == "secret"  # a secret part makes the sum unknown
    assert list(out.loc["GM0001", ["level", "source"]]) == ["gemeente", "Registratie"]


def test_suppress_of_nothing_gives_nothing(cat):
    empty = compute(_tidy([]), cat)
    links = pd.DataFrame({"year": [2023], "code": ["WK1"], "parent": ["GM1"],
                          "level": ["wijk"]})
    assert privacy.suppress(empty, cat, links).empty
    assert privacy.lone_suppressions(empty, links).empty


def test_lone_suppressions_names_the_group():
    links = pd.DataFrame({"year": 2023, "code": ["BU1", "BU2", "WK1"],
                          "parent": ["WK1", "WK1", "GM1"], "level": ["buurt"] * 2 + ["wijk"]})
    obs = pd.DataFrame({"area_code": ["BU1", "BU2", "WK1"], "level": ["buurt"] * 2 + ["wijk"],
                        "year": 2023, "indicator": "bijstand_per_1000",
                        "status": ["suppressed", "ok", "ok"]})
    lone = privacy.lone_suppressions(obs, links)
    assert lone.to_dict("records") == [
        {"indicator": "bijstand_per_1000", "year": 2023, "parent": "WK1"}]


def test_compute_marks_missing_inputs():
    cat = catalogue.load()
    tidy = pd.DataFrame({
        "area_code": ["GM0001"] * 2, "level": "gemeente", "year": 2020,
        "variable": ["a_soz_wb", "a_inw"], "value": [np.nan, 1000.0],
        "status": ["secret", "ok"], "source": "CBS",
    })
    obs = compute(tidy, cat)
    row = obs[obs["indicator"] == "bijstand_per_1000"].iloc[0]
    assert row["status"] == "secret" and np.isnan(row["value"])
