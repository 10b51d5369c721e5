"""Sums up the hierarchy, per area: an own row of one area never blanks the others; only
counts are summed, never means, medians or registered ratios (issue 15 item 7)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.errors import DataError
from helpers.indicators.aggregation import SUMMED, _summable, aggregate_up, count_variables
from helpers.indicators.catalogue import Catalogue, Indicator
from helpers.indicators.computation import compute
from helpers.sources import variables as varmap

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


# ------------------------------------------------- means, medians and ratios (issue 15.7)

THREE_BUURTEN = {"WK000101": ["BU00010101", "BU00010102"], "WK000102": ["BU00010201"]}


def _three_links() -> pd.DataFrame:
    rows = [(2023, b, w, "buurt") for w, bs in THREE_BUURTEN.items() for b in bs]
    rows += [(2023, w, "GM0001", "wijk") for w in THREE_BUURTEN]
    return pd.DataFrame(rows, columns=["year", "code", "parent", "level"])


def _of(variable: str, rows: list[tuple[str, float]], **extra: list[float]) -> pd.DataFrame:
    level = {"BU": "buurt", "WK": "wijk", "GM": "gemeente"}
    frame = pd.DataFrame([(code, level[code[:2]], 2023, variable, value, "ok", "eigen")
                          for code, value in rows],
                         columns=["area_code", "level", "year", "variable", "value",
                                  "status", "source"])
    return frame.assign(**extra)


def _indicator(id_: str, kind: str, **inputs: object) -> Indicator:
    return Indicator(id=id_, label=id_, description=id_, unit="", kind=kind,
                     levels=["gemeente", "wijk", "buurt"], theme="t", source="s", **inputs)


MEANS = [("BU00010101", 30.0), ("BU00010102", 20.0), ("BU00010201", 40.0)]


@pytest.mark.parametrize("variable", ["g_hhgro", "g_wozbag", "m_hh_ver", "p_koopw"])
def test_published_means_medians_and_shares_are_never_summed(variable):
    """A CBS mean (g_), median (m_) or percentage has a wijk figure only from its own row."""
    out = aggregate_up(_of(variable, MEANS), _three_links())
    assert set(out["level"]) == {"buurt"}


@pytest.mark.parametrize("own", [None, {"gemiddelde_wachttijd"}])
def test_a_mean_of_the_gemeentes_own_is_not_shown_as_a_sum(own):
    """Before: buurt means 30, 20 and 40 gave the wijken 50 and 40 and the gemeente 90,
    all "ok". A mean needs its weights; the wijk and gemeente get no figure."""
    cat = Catalogue({"wachttijd": _indicator("wachttijd", "mean",
                                             variable="gemiddelde_wachttijd")})
    obs = compute(aggregate_up(_of("gemiddelde_wachttijd", MEANS), _three_links(), own), cat)
    assert dict(zip(obs["area_code"], obs["value"], strict=True)) == dict(MEANS)


def test_a_count_of_the_gemeentes_own_is_still_summed_for_its_rate():
    """The same three buurten as counts: meldingen 30 + 20 = 50 and 40, gemeente 90;
    per 1.000 of 2.000, 1.000 and 3.000 inwoners: 25, 40 and 30."""
    tidy = pd.concat([_of("meldingen", MEANS), _of("a_inw", [
        ("WK000101", 2000.0), ("WK000102", 1000.0), ("GM0001", 3000.0)])])
    cat = Catalogue({"meldingen_per_1000": _indicator(
        "meldingen_per_1000", "rate", numerator="meldingen", denominator="a_inw",
        scale=1000)})
    obs = compute(aggregate_up(tidy, _three_links(), {"meldingen"}), cat).set_index(
        "area_code")
    assert obs.loc["WK000101", ["numerator", "value"]].tolist() == [50.0, 25.0]
    assert obs.loc["WK000102", ["numerator", "value"]].tolist() == [40.0, 40.0]
    assert obs.loc["GM0001", ["numerator", "value"]].tolist() == [90.0, 30.0]
    assert set(obs["status"]) == {"ok"}


def test_a_registered_ratio_is_not_summed_as_a_value():
    """A registration with numerator and denominator is a ratio (1/4 = 25 %, 3/4 = 75 %):
    summing its values gave the wijk 100 %; the ratio is not summed at all."""
    tidy = _of("aandeel_x", [("BU00010101", 25.0), ("BU00010102", 75.0)],
               numerator=[1.0, 3.0], denominator=[4.0, 4.0])
    out = aggregate_up(tidy, _three_links(), {"aandeel_x"})
    assert set(out["level"]) == {"buurt"}


def test_with_the_catalogues_counts_a_mean_is_not_summed_at_all():
    """Given what the catalogue reads as counts, the mean gets no wijk row, and a wijk row
    of its own (35, not 30 + 20) is no contradiction to refuse."""
    cat = Catalogue({
        "wachttijd": _indicator("wachttijd", "mean", variable="gemiddelde_wachttijd"),
        "meldingen": _indicator("meldingen", "count", variable="meldingen")})
    assert count_variables(cat) == {"meldingen"}
    tidy = pd.concat([_of("gemiddelde_wachttijd", [*MEANS, ("WK000101", 35.0)]),
                      _of("meldingen", MEANS)])
    out = aggregate_up(tidy, _three_links(), {"gemiddelde_wachttijd", "meldingen"},
                       counts=count_variables(cat))
    made = out[out[SUMMED]].set_index(["variable", "area_code"])["value"].to_dict()
    assert made == {("meldingen", "WK000101"): 50.0, ("meldingen", "WK000102"): 40.0,
                    ("meldingen", "GM0001"): 90.0}
    with pytest.raises(DataError, match="35 in eigen, but its 2 buurten sum to 50"):
        aggregate_up(tidy, _three_links(), {"gemiddelde_wachttijd", "meldingen"})


def test_a_count_given_as_variable_takes_the_sum():
    cat = Catalogue({"meldingen": _indicator("meldingen", "count", variable="meldingen")})
    obs = compute(aggregate_up(_of("meldingen", MEANS), _three_links()), cat)
    assert dict(zip(obs["area_code"], obs["value"], strict=True)) == {
        **dict(MEANS), "WK000101": 50.0, "WK000102": 40.0, "GM0001": 90.0}


def test_summing_twice_adds_nothing_and_keeps_the_marks():
    once = aggregate_up(_of("meldingen", MEANS), _three_links())
    twice = aggregate_up(once, _three_links())
    pd.testing.assert_frame_equal(once, twice)


def test_only_counts_of_the_mapping_are_summed():
    """Of the mapped variables, those in "aantal" or "ha" without a g_/m_ prefix: 62 in
    "aantal" and 3 in "ha", less g_hhgro and g_3km_sc (a mean, a count of schools within
    3 km of each buurt: 63), every one an a_ count."""
    names = pd.Index(sorted(varmap.load_mapping().units))
    summed = names[_summable(names, None, None, np.zeros(len(names), dtype=bool))]
    assert len(summed) == 63 and all(n.startswith("a_") for n in summed)
