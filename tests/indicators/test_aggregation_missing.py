"""A parent with a child area that has no figure is missing, never the sum of what is there
(issue 15 item 7); a parent's own published row is its figure."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.indicators.aggregation import aggregate_up
from helpers.indicators.catalogue import Catalogue, Indicator
from helpers.indicators.computation import compute

# WK000101: two buurten; WK000102: one buurt
BUURTEN = {"WK000101": ["BU00010101", "BU00010102"], "WK000102": ["BU00010201"]}
INWONERS = [("WK000101", 2000.0, "ok"), ("WK000102", 1000.0, "ok"), ("GM0001", 3000.0, "ok")]
CATALOGUE = Catalogue({"meldingen_per_1000": Indicator(
    id="meldingen_per_1000", label="Meldingen", description="per 1.000 inwoners",
    unit="per 1.000 inwoners", kind="rate", numerator="meldingen", denominator="a_inw",
    scale=1000, levels=["gemeente", "wijk", "buurt"], theme="t", source="s")})


def _links() -> pd.DataFrame:
    rows = [(2023, b, w, "buurt") for w, bs in BUURTEN.items() for b in bs]
    rows += [(2023, w, "GM0001", "wijk") for w in BUURTEN]
    return pd.DataFrame(rows, columns=["year", "code", "parent", "level"])


def _tidy(meldingen: list[tuple[str, float | None, str]]) -> pd.DataFrame:
    level = {"BU": "buurt", "WK": "wijk", "GM": "gemeente"}
    rows = [(c, level[c[:2]], 2023, "meldingen", v, s, "eigen") for c, v, s in meldingen]
    rows += [(c, level[c[:2]], 2023, "a_inw", v, s, "CBS") for c, v, s in INWONERS]
    return pd.DataFrame(rows, columns=["area_code", "level", "year", "variable", "value",
                                       "status", "source"])


def _rates(meldingen: list[tuple[str, float | None, str]]) -> dict[str, object]:
    obs = compute(aggregate_up(_tidy(meldingen), _links(), {"meldingen"}), CATALOGUE)
    return {r.area_code: (r.value if r.status == "ok" else r.status) for r in obs.itertuples()}


def test_complete_buurten_give_the_rate_of_their_sum():
    """5 + 30 = 35 meldingen per 2.000 inwoners: 17,5 per 1.000; gemeente 35 + 10 = 45 of
    3.000: 15."""
    got = _rates([("BU00010101", 5.0, "ok"), ("BU00010102", 30.0, "ok"),
                  ("BU00010201", 10.0, "ok")])
    assert got["WK000101"] == pytest.approx(17.5) and got["WK000102"] == pytest.approx(10.0)
    assert got["GM0001"] == pytest.approx(15.0)


def test_an_absent_buurt_row_makes_the_wijk_and_gemeente_missing_not_a_smaller_rate():
    """The issue's case: BU00010102 (30 meldingen) has no row. Counted as zero, the wijk
    showed 5 / 2.000 × 1.000 = 2,5 "ok" instead of 17,5."""
    got = _rates([("BU00010101", 5.0, "ok"), ("BU00010201", 10.0, "ok")])
    assert got["WK000101"] == "missing" and got["GM0001"] == "missing"
    assert got["WK000102"] == pytest.approx(10.0)  # its one buurt is there


@pytest.mark.parametrize("status", ["missing", "secret"])
def test_a_buurt_without_a_value_makes_its_parents_that_status(status):
    got = _rates([("BU00010101", 5.0, "ok"), ("BU00010102", None, status),
                  ("BU00010201", 10.0, "ok")])
    assert got["WK000101"] == status and got["GM0001"] == status
    assert got["WK000102"] == pytest.approx(10.0)


def test_a_wijk_without_any_buurt_row_makes_the_gemeente_missing():
    got = _rates([("BU00010101", 5.0, "ok"), ("BU00010102", 30.0, "ok")])
    assert got["WK000101"] == pytest.approx(17.5)
    assert "WK000102" not in got  # nothing to sum, nothing shown
    assert got["GM0001"] == "missing"


def test_a_parents_own_published_row_is_used_where_its_buurten_are_incomplete():
    """WK000101 publishes 40 of its own; its buurt BU00010102 has no row. The wijk keeps 40
    (20 per 1.000); the gemeente sums the wijken: 40 + 10 = 50 of 3.000, 16,67."""
    got = _rates([("BU00010101", 5.0, "ok"), ("BU00010201", 10.0, "ok"),
                  ("WK000101", 40.0, "ok")])
    assert got["WK000101"] == pytest.approx(20.0)
    assert got["GM0001"] == pytest.approx(50 / 3)


def test_a_parents_own_secret_row_stays_secret_though_its_buurten_are_complete():
    """Summing the buurten would give away what the publisher kept secret."""
    got = _rates([("BU00010101", 5.0, "ok"), ("BU00010102", 30.0, "ok"),
                  ("BU00010201", 10.0, "ok"), ("WK000101", None, "secret")])
    assert got["WK000101"] == "secret" and got["GM0001"] == "secret"


def test_the_gemeentes_own_row_is_used_and_not_replaced_by_its_wijken():
    got = _rates([("BU00010101", 5.0, "ok"), ("BU00010201", 10.0, "ok"),
                  ("GM0001", 45.0, "ok")])
    assert got["GM0001"] == pytest.approx(15.0) and got["WK000101"] == "missing"
