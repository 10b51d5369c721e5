"""Proportions taken from CBS's published rounded percentages (catalogue key ``share``)
where the counts are absent: computation, what the comparison, disclosure control and
aggregation do with a value that has no count, and the wijk- en buurtkaart 2017 of
Groningen, which publishes the age groups only as percentages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from helpers import model
from helpers.analysis.stats import compare_with_parent
from helpers.indicators import catalogue
from helpers.indicators.aggregation import aggregate_up
from helpers.indicators.catalogue import Catalogue, Indicator
from helpers.indicators.computation import compute
from helpers.indicators.disclosure import suppress, unprotected_groups

GRONINGEN = Path(__file__).resolve().parents[2].parent / "shared" / "real-data" / "GM0014_Groningen"

# the kaart names that CBS publishes as rounded percentages or as counts under names of
# their own (issue 14 item 5); each must map to a variable id
KAART_NAMES = [
    "P_00_14_JR", "P_15_24_JR", "P_25_44_JR", "P_45_64_JR", "P_65_EO_JR", "P_ONGEHUWD",
    "P_GEHUWD", "P_GESCHEID", "P_VERWEDUW", "P_EENP_HH", "P_HH_Z_K", "P_HH_M_K", "P_WEST_AL",
    "P_N_W_AL", "P_MAROKKO", "P_ANT_ARU", "P_SURINAM", "P_TURKIJE", "P_OVER_NW",
    "AANTAL_HH", "GEM_HH_GR", "BEV_DICHTH", "OAD", "STED", "AO_UIT_TOT", "WW_UIT_TOT",
    "WWB_UITTOT", "A_SOZ_OW", "AUTO_TOT", "AUTO_HH", "AUTO_LAND", "BEDR_AUTO", "MOTOR_2W",
    "A_LFTJ6J", "A_LFTO6J", "A_BST_B", "A_BST_NB", "OPP_TOT", "OPP_LAND", "OPP_WATER",
]
APP_KEYS = ["aantal_inwoners", "mannen", "vrouwen", "0_15", "15_25", "25_45", "45_65",
            "65plus", "huishoudens", "gem_huishouden_grootte", "bevolkingsdichtheid",
            "personenautos"]


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return catalogue.load()


@pytest.fixture(scope="module")
def groningen() -> Path:
    if not GRONINGEN.is_dir():
        pytest.skip(f"real CBS data not available ({GRONINGEN} does not exist)")
    return GRONINGEN


def _tidy(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=model.TIDY_COLUMNS)


def _row(obs: pd.DataFrame, indicator: str, code: str, year: int = 2017) -> pd.Series:
    hit = obs[(obs["indicator"] == indicator) & (obs["area_code"] == code)
              & (obs["year"] == year)]
    assert len(hit) == 1, f"{indicator} {code} {year}: {len(hit)} rows"
    return hit.iloc[0]


KAART = "CBS wijk- en buurtkaart 2017 (wijk_2017.dbf)"


# ------------------------------------------------------------------ computation

def test_counts_present_give_the_proportion_from_the_counts(cat):
    obs = compute(_tidy([
        ("WK000101", "wijk", 2017, "a_00_14", 150.0, "ok", "KWB 2017"),
        ("WK000101", "wijk", 2017, "a_inw", 1000.0, "ok", "KWB 2017"),
    ]), cat)
    row = _row(obs, "aandeel_0_14", "WK000101")
    assert row["value"] == pytest.approx(15.0)
    assert (row["numerator"], row["denominator"]) == (150.0, 1000.0)
    assert row["source"] == "KWB 2017"


def test_only_the_share_gives_the_published_percentage_without_a_count(cat):
    obs = compute(_tidy([
        ("WK000101", "wijk", 2017, "p_00_14", 12.0, "ok", KAART),
        ("WK000101", "wijk", 2017, "a_inw", 1005.0, "ok", KAART),
        ("WK000102", "wijk", 2017, "p_00_14", 9.0, "ok", KAART),  # no inwoners at all
    ]), cat)
    row = _row(obs, "aandeel_0_14", "WK000101")
    assert row["value"] == 12.0  # as published, not 12/1005
    assert np.isnan(row["numerator"]), "a rounded share is no count; none is invented"
    assert row["denominator"] == 1005.0
    assert row["status"] == model.OK
    assert row["source"] == f"{KAART} (afgerond percentage)"
    other = _row(obs, "aandeel_0_14", "WK000102")
    assert other["value"] == 9.0 and np.isnan(other["denominator"])
    model.validate(obs, "observations", "test")  # the observations schema accepts it


def test_share_and_count_disagree_the_count_wins(cat):
    obs = compute(_tidy([
        ("WK000101", "wijk", 2017, "a_00_14", 150.0, "ok", "KWB 2017"),
        ("WK000101", "wijk", 2017, "a_inw", 1000.0, "ok", "KWB 2017"),
        ("WK000101", "wijk", 2017, "p_00_14", 40.0, "ok", KAART),
        ("WK000102", "wijk", 2017, "a_inw", 500.0, "ok", "KWB 2017"),
        ("WK000102", "wijk", 2017, "p_00_14", 20.0, "ok", KAART),
    ]), cat)
    counted = _row(obs, "aandeel_0_14", "WK000101")
    assert counted["value"] == pytest.approx(15.0) and counted["numerator"] == 150.0
    assert "afgerond" not in counted["source"]
    shared = _row(obs, "aandeel_0_14", "WK000102")  # the same indicator, per area-year
    assert shared["value"] == 20.0 and np.isnan(shared["numerator"])


@pytest.mark.parametrize("status, value, expected", [
    (model.MISSING, np.nan, 11.0),      # a row without a value: the share is taken
    (model.SECRET, np.nan, 11.0),       # CBS kept the count secret but published the share
    (model.SUPPRESSED, np.nan, np.nan),  # the kit's own control: a share never undoes it
])
def test_an_unusable_count_gives_way_to_the_share_unless_suppressed(cat, status, value,
                                                                     expected):
    obs = compute(_tidy([
        ("WK000101", "wijk", 2017, "a_00_14", value, status, "Registratie"),
        ("WK000101", "wijk", 2017, "a_inw", 1000.0, "ok", KAART),
        ("WK000101", "wijk", 2017, "p_00_14", 11.0, "ok", KAART),
    ]), cat)
    row = _row(obs, "aandeel_0_14", "WK000101")
    if np.isnan(expected):
        assert np.isnan(row["value"]) and row["status"] not in model.USABLE
    else:
        assert row["value"] == expected and row["status"] == model.OK


def test_an_unusable_share_is_not_taken(cat):
    obs = compute(_tidy([
        ("WK000101", "wijk", 2017, "a_inw", 1000.0, "ok", KAART),
        ("WK000101", "wijk", 2017, "p_00_14", np.nan, model.MISSING, KAART),
        ("WK000102", "wijk", 2017, "a_inw", 1000.0, "ok", KAART),
        ("WK000102", "wijk", 2017, "a_00_14", np.nan, model.MISSING, "KWB"),
        ("WK000102", "wijk", 2017, "p_00_14", np.nan, model.SECRET, KAART),
    ]), cat)
    rows = obs[obs["indicator"] == "aandeel_0_14"]
    assert not rows["status"].isin(model.USABLE).any()
    assert rows["value"].isna().all()
    assert _row(obs, "aandeel_0_14", "WK000102")["status"] == model.MISSING


def test_the_share_respects_the_scale_and_keeps_a_provisional_status():
    fraction = Catalogue({"aandeel": Indicator(
        id="aandeel", label="Aandeel", description="Aandeel als fractie.", unit="fractie",
        kind="proportion", scale=1, numerator="a_00_14", denominator="a_inw",
        share="p_00_14", levels=["wijk"], theme="Bevolking", source="CBS")})
    obs = compute(_tidy([
        ("WK000101", "wijk", 2017, "p_00_14", 12.0, "provisional", KAART),
    ]), fraction)
    row = _row(obs, "aandeel", "WK000101")
    assert row["value"] == pytest.approx(0.12)
    assert row["status"] == model.PROVISIONAL


@pytest.mark.parametrize("fields", [
    {"kind": "mean", "variable": "g_hhgro"},
    {"kind": "rate", "scale": 1000, "numerator": "a_geb", "denominator": "a_inw"},
])
def test_share_is_refused_outside_computed_proportions(fields):
    with pytest.raises(ValidationError, match="'share'.*is for proportions computed"):
        Indicator(id="x", label="X", description="X.", unit="%", share="p_00_14",
                  levels=["wijk"], theme="T", source="S", **fields)


def test_every_share_of_the_kit_catalogue_is_a_percentage_in_the_mapping(cat):
    from helpers.sources import variables

    units = variables.load_mapping().units
    shares = {ind.id: ind.share for ind in cat.values() if ind.share}
    assert {"aandeel_0_14", "aandeel_65plus", "aandeel_eenpersoonshuishoudens"} <= set(shares)
    wrong = {i: s for i, s in shares.items() if units.get(s) != "%"}
    assert not wrong, f"shares that are no percentage variable in kwb_variables.csv: {wrong}"


# ------------------------------------------------------------------ downstream

def _hierarchy() -> pd.DataFrame:
    return pd.DataFrame({"year": 2017, "code": ["BU00010101", "BU00010102", "WK000101"],
                         "parent": ["WK000101", "WK000101", "GM0001"],
                         "level": ["buurt", "buurt", "wijk"]})


def test_a_share_is_not_compared_and_does_not_crash_the_comparison(cat):
    obs = compute(_tidy([
        ("WK000101", "wijk", 2017, "a_00_14", 150.0, "ok", "KWB"),
        ("WK000101", "wijk", 2017, "a_inw", 1000.0, "ok", "KWB"),
        ("BU00010101", "buurt", 2017, "p_00_14", 30.0, "ok", KAART),
        ("BU00010101", "buurt", 2017, "a_inw", 400.0, "ok", KAART),
        ("BU00010102", "buurt", 2017, "a_00_14", 120.0, "ok", "KWB"),
        ("BU00010102", "buurt", 2017, "a_inw", 400.0, "ok", "KWB"),
    ]), cat)
    out = compare_with_parent(obs[obs["indicator"] == "aandeel_0_14"], cat, _hierarchy())
    shared = out.set_index("area_code").loc["BU00010101"]
    assert np.isnan(shared["lower_95"]) and np.isnan(shared["upper_998"]), "no fake interval"
    assert shared["vergelijking_95"] == shared["vergelijking_998"] == "niet vergeleken"
    counted = out.set_index("area_code").loc["BU00010102"]
    assert counted["lower_95"] > 15.0  # 30% of 400 against 15%: a real interval
    assert counted["vergelijking_95"] == "hoger"


def test_a_share_with_a_small_denominator_is_not_suppressed(cat):
    obs = compute(_tidy([
        ("WK000101", "wijk", 2017, "p_00_14", 20.0, "ok", KAART),
        ("WK000101", "wijk", 2017, "a_inw", 5.0, "ok", KAART),  # below min_count 10
        ("WK000102", "wijk", 2017, "a_00_14", 1.0, "ok", "KWB"),
        ("WK000102", "wijk", 2017, "a_inw", 5.0, "ok", "KWB"),
    ]), cat)
    out = suppress(obs, cat)
    shared = _row(out, "aandeel_0_14", "WK000101")
    assert shared["status"] == model.OK and shared["value"] == 20.0
    counted = _row(out, "aandeel_0_14", "WK000102")  # the same numbers as counts are hidden
    assert counted["status"] == model.SUPPRESSED and np.isnan(counted["value"])


def test_a_shown_share_cannot_give_away_a_suppressed_sibling(cat):
    # the wijk's count minus buurt 2's share × inwoners would give buurt 1's small count
    tidy = _tidy([
        ("WK000101", "wijk", 2017, "a_00_14", 100.0, "ok", "KWB"),
        ("WK000101", "wijk", 2017, "a_inw", 1000.0, "ok", "KWB"),
        ("BU00010101", "buurt", 2017, "a_00_14", 4.0, "ok", "KWB"),
        ("BU00010101", "buurt", 2017, "a_inw", 40.0, "ok", "KWB"),
        ("BU00010102", "buurt", 2017, "p_00_14", 10.0, "ok", KAART),
        ("BU00010102", "buurt", 2017, "a_inw", 960.0, "ok", KAART),
    ])
    obs = compute(tidy, cat)
    obs = obs[obs["indicator"] == "aandeel_0_14"].reset_index(drop=True)
    out = suppress(obs, cat, _hierarchy())
    status = out.set_index("area_code")["status"].to_dict()
    assert status["BU00010101"] == model.SUPPRESSED  # a small count
    assert status["BU00010102"] == model.SUPPRESSED, "the share is the complement"
    # the two suppressed buurten hold ~100 together: the wijk may stay shown
    assert status["WK000101"] == model.OK
    assert unprotected_groups(obs, out["status"], cat, _hierarchy()).empty


def test_a_suppressed_count_is_not_replaced_by_its_share(cat):
    obs = compute(_tidy([
        ("WK000101", "wijk", 2017, "a_00_14", 3.0, "ok", "KWB"),
        ("WK000101", "wijk", 2017, "a_inw", 500.0, "ok", "KWB"),
        ("WK000101", "wijk", 2017, "p_00_14", 1.0, "ok", KAART),
    ]), cat)
    out = suppress(obs, cat)
    row = _row(out, "aandeel_0_14", "WK000101")
    assert row["status"] == model.SUPPRESSED
    assert np.isnan(row["value"]) and np.isnan(row["numerator"])


def test_shares_are_never_summed_up_the_hierarchy():
    tidy = _tidy([
        ("BU00010101", "buurt", 2017, "p_00_14", 20.0, "ok", KAART),
        ("BU00010102", "buurt", 2017, "p_00_14", 10.0, "ok", KAART),
        ("BU00010101", "buurt", 2017, "bev_dich", 2000.0, "ok", KAART),
        ("BU00010102", "buurt", 2017, "bev_dich", 3000.0, "ok", KAART),
        ("BU00010101", "buurt", 2017, "a_inw", 400.0, "ok", KAART),
        ("BU00010102", "buurt", 2017, "a_inw", 600.0, "ok", KAART),
    ])
    out = aggregate_up(tidy, _hierarchy())
    wijk = out[out["area_code"] == "WK000101"].set_index("variable")
    assert wijk.loc["a_inw", "value"] == 1000.0  # counts are summed
    assert "p_00_14" not in wijk.index, "a percentage summed over buurten is no percentage"
    assert "bev_dich" not in wijk.index


# ------------------------------------------------------------------ real data

def test_groningen_kaart_2017_gives_the_published_share_of_children(groningen, cat):
    import pyogrio

    from helpers.sources import kaartstats, variables

    path = groningen / "wijk_2017.dbf"
    mapping = variables.load_mapping()
    tidy = kaartstats.read_attributes(path, 2017, mapping=mapping, gemeente="GM0014")
    obs = compute(tidy[model.TIDY_COLUMNS], cat)
    got = obs[obs["indicator"] == "aandeel_0_14"].set_index("area_code")
    raw = pyogrio.read_dataframe(path, read_geometry=False)
    raw = raw[(raw["GM_CODE"] == "GM0014") & (raw["WATER"] == "NEE")]
    published = raw.set_index("WK_CODE")["P_00_14_JR"].astype(float)
    assert len(published) == 15
    assert set(got.index) == set(published.index)
    differ = (got["value"] - published.reindex(got.index)).abs() > 1e-9
    assert not differ.any(), f"wijken that differ: {sorted(got.index[differ])}"
    assert got["numerator"].isna().all()
    assert got["source"].str.endswith("(afgerond percentage)").all()
    assert (got["status"] == model.OK).all()
    unmapped = mapping.unmapped.get("kaart", set())
    assert not unmapped & set(KAART_NAMES), f"kaart names left unmapped: {unmapped}"


@pytest.mark.parametrize("name, year, names", [
    ("tnocs_groningen_wijk.geojson", 2015, KAART_NAMES),
    ("wijken_2024_GM0014_geoinzicht.geojson", 2024, APP_KEYS),
])
def test_groningen_kaart_names_and_app_keys_all_map(groningen, name, year, names):
    from helpers.sources import kaartstats, variables

    mapping = variables.load_mapping()
    tidy = kaartstats.read_attributes(groningen / name, year, mapping=mapping, gemeente="GM0014")
    assert not mapping.unmapped.get("kaart"), mapping.unmapped
    ids = variables.rename(names, "kaart", variables.load_mapping())
    unknown = {n: i for n, i in ids.items() if i not in mapping.labels}
    assert not unknown, f"names that map to no variable id: {unknown}"
    present = set(tidy["variable"])
    assert set(ids.values()) <= present, f"not read: {set(ids.values()) - present}"
    if year == 2024:  # the app's "0_15" is a percentage: it lands in p_00_14, not a count
        assert {"p_00_14", "p_65_oo", "a_hh", "a_pau"} <= present
        assert "a_00_14" not in present
