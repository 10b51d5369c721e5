"""The LP audit of disclosure control (helpers.indicators.lp_audit): hand-made tables
whose recoverable intervals are known, and the demo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import model
from helpers.indicators import catalogue, lp_audit


@pytest.fixture(scope="module")
def cat():
    return catalogue.load()


def _wijk(numerators: list[float], wijk: float | None = None,
          indicator: str = "bijstand_per_1000") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Buurten BU1… of one wijk WK1 (in GM1) with the given numerators; the wijk's
    numerator is their sum unless given. Denominators 1001 per buurt (not a multiple of
    5: every count is exact)."""
    codes = [f"BU{i}" for i in range(1, len(numerators) + 1)]
    hierarchy = pd.DataFrame({"year": 2023, "code": [*codes, "WK1"],
                              "parent": ["WK1"] * len(codes) + ["GM1"],
                              "level": ["buurt"] * len(codes) + ["wijk"]})
    total = sum(numerators) if wijk is None else wijk
    obs = pd.DataFrame({
        "area_code": [*codes, "WK1"], "level": ["buurt"] * len(codes) + ["wijk"],
        "year": 2023, "indicator": indicator, "numerator": [*numerators, total],
        "denominator": [1001.0] * len(codes) + [1001.0 * len(codes)], "status": model.OK,
        "source": "test"})
    obs["value"] = obs["numerator"] / obs["denominator"] * 1000
    return obs, hierarchy


def _publish(obs: pd.DataFrame, hidden: list[str], indicator: str | None = None
             ) -> pd.DataFrame:
    """The observations with the rows of ``hidden`` areas suppressed (no numbers)."""
    hide = obs["area_code"].isin(hidden)
    if indicator is not None:
        hide &= obs["indicator"] == indicator
    out = obs.copy()
    out.loc[hide, ["value", "numerator", "denominator"]] = np.nan
    out.loc[hide, "status"] = model.SUPPRESSED
    return out


def _cell(found: pd.DataFrame, area: str) -> pd.Series:
    return found.set_index("area_code").loc[area]


def test_one_suppressed_buurt_under_a_shown_wijk_is_pinned_exactly(cat):
    obs, hierarchy = _wijk([4.0, 61.0, 43.0])
    found = lp_audit.audit(obs, _publish(obs, ["BU1"]), cat, hierarchy)
    bu1 = _cell(found, "BU1")
    assert bu1["low"] == pytest.approx(4.0) and bu1["high"] == pytest.approx(4.0)  # 108 − 104
    assert bu1["sensitive"] and bu1["pinned"] and bu1["contains"]


def test_a_suppressed_wijk_whose_buurten_are_shown_is_their_sum(cat):
    # the case: the wijk's 9 hidden, its buurten (5 and 4, exact) shown
    obs, hierarchy = _wijk([5.0, 4.0])
    published = _publish(obs, ["WK1"])
    wk = _cell(lp_audit.audit(obs, published, cat, hierarchy), "WK1")
    assert (wk["low"], wk["high"]) == (pytest.approx(9.0), pytest.approx(9.0))
    assert wk["pinned"]


def test_a_complement_of_zero_protects_nothing(cat):
    # BU2's 0 hidden beside BU1's 4: the wijk's 114 minus 51 and 59 leaves 4 for both
    obs, hierarchy = _wijk([4.0, 0.0, 51.0, 59.0])
    found = lp_audit.audit(obs, _publish(obs, ["BU1", "BU2"]), cat, hierarchy)
    bu1 = _cell(found, "BU1")
    assert (bu1["low"], bu1["high"]) == (pytest.approx(0.0), pytest.approx(4.0))
    assert bu1["pinned"]
    assert not _cell(found, "BU2")["sensitive"]  # a 0 is no small count itself


def test_a_complement_that_closes_the_gap_protects(cat):
    # 4 and 50 hidden: their sum 54 is known, each lies anywhere in [0, 54]
    obs, hierarchy = _wijk([4.0, 50.0, 62.0])
    found = lp_audit.audit(obs, _publish(obs, ["BU1", "BU2"]), cat, hierarchy)
    for area in ("BU1", "BU2"):
        cell = _cell(found, area)
        assert (cell["low"], cell["high"]) == (pytest.approx(0.0), pytest.approx(54.0))
    assert not found["pinned"].any() and found["contains"].all()


def test_counts_rounded_to_five_hold_their_sums_only_within_the_rounding(cat):
    # every count a multiple of 5 (CBS): 110 − 60 − 45 = 5, but each of the four counts
    # of the wijk's sum may be 5 off, so BU1 lies in [5 − 20, 5 + 20] ∩ [0, ∞)
    obs, hierarchy = _wijk([5.0, 60.0, 45.0])
    obs["denominator"] = [1000.0, 1000.0, 1000.0, 3000.0]
    published = _publish(obs, ["BU1"])
    bu1 = _cell(lp_audit.audit(obs, published, cat, hierarchy), "BU1")
    assert (bu1["low"], bu1["high"]) == (pytest.approx(0.0), pytest.approx(25.0))
    assert not bu1["pinned"]
    exact = _cell(lp_audit.audit(obs, published, cat, hierarchy, rounded_to=0), "BU1")
    assert (exact["low"], exact["high"]) == (pytest.approx(5.0), pytest.approx(5.0))


_AGES = {"aandeel_0_14": 21.0, "aandeel_15_24": 17.0, "aandeel_25_44": 31.0,
         "aandeel_45_64": 28.0, "aandeel_65plus": 4.0}  # 101 inwoners, no multiple of 5


def _ages() -> tuple[pd.DataFrame, pd.DataFrame]:
    """One buurt of 101 inwoners (published) and its five age groups."""
    counts = _AGES
    obs = pd.DataFrame({"area_code": "BU1", "level": "buurt", "year": 2023,
                        "indicator": ["inwoners", *counts],
                        "numerator": [101.0, *counts.values()],
                        "denominator": [np.nan] + [101.0] * 5, "status": model.OK,
                        "source": "test"})
    obs["value"] = np.where(obs["denominator"].isna(), obs["numerator"],
                            obs["numerator"] / obs["denominator"] * 100)
    hierarchy = pd.DataFrame({"year": [2023], "code": ["BU1"], "parent": ["WK1"],
                              "level": ["buurt"]})
    return obs, hierarchy


def test_linked_table_gives_away_the_last_age_group(cat):
    # the five age groups add up to the inwoners: 101 − 21 − 17 − 31 − 28 = 4
    obs, hierarchy = _ages()
    published = _publish(obs, ["BU1"], "aandeel_65plus")
    cell = lp_audit.audit(obs, published, cat, hierarchy).iloc[0]
    assert cell["variable"] == "a_65_oo"
    assert (cell["low"], cell["high"]) == (pytest.approx(4.0), pytest.approx(4.0))
    assert cell["pinned"]
    # without the linked tables it is free between 0 and the inwoners
    alone = lp_audit.audit(obs, published, cat, hierarchy, relations={}).iloc[0]
    assert (alone["low"], alone["high"]) == (pytest.approx(0.0), pytest.approx(101.0))
    assert not alone["pinned"]


def test_two_hidden_age_groups_protect_each_other(cat):
    obs, hierarchy = _ages()
    published = _publish(obs, ["BU1"], "aandeel_65plus")
    published = _publish(published, ["BU1"], "aandeel_15_24")
    found = lp_audit.audit(obs, published, cat, hierarchy).set_index("variable")
    # 101 − 21 − 31 − 28 = 21 for the two together
    assert found.loc["a_65_oo", ["low", "high"]].tolist() == pytest.approx([0.0, 21.0])
    assert found.loc["a_15_24", ["low", "high"]].tolist() == pytest.approx([0.0, 21.0])
    assert not found["pinned"].any()


def test_a_published_share_with_its_denominator_pins_the_numerator(cat):
    # BU2 shows only CBS's rounded percentage 12.3 % of 1000 inwoners: 122.5 … 123.5;
    # the wijk's 127 minus that leaves BU1's 4 within [3.5, 4.5]
    obs, hierarchy = _wijk([4.0, 123.0], indicator="aandeel_65plus")
    obs["denominator"] = [33.0, 1000.0, 1033.0]
    obs["value"] = obs["numerator"] / obs["denominator"] * 100
    published = _publish(obs, ["BU1"])
    published.loc[published["area_code"] == "BU2", "numerator"] = np.nan
    published.loc[published["area_code"] == "BU2", "value"] = 12.3
    bu1 = _cell(lp_audit.audit(obs, published, cat, hierarchy), "BU1")
    assert (bu1["low"], bu1["high"]) == (pytest.approx(3.5), pytest.approx(4.5))
    assert bu1["pinned"]


def test_a_count_is_never_required_to_hide_beyond_its_denominator(cat):
    # 6 inwoners, published; 4 of them 65-plus and every other age group hidden too:
    # the interval [0, 6] is all that 6 inwoners allow
    obs, hierarchy = _ages()
    obs.loc[obs["indicator"] == "inwoners", ["numerator", "value"]] = 6.0
    obs.loc[obs["indicator"] != "inwoners", "denominator"] = 6.0
    obs.loc[obs["indicator"] != "inwoners", "numerator"] = [0.0, 1.0, 1.0, 0.0, 4.0]
    published = obs.copy()
    for indicator in _AGES:
        published = _publish(published, ["BU1"], indicator)
    cell = lp_audit.audit(obs, published, cat, hierarchy).set_index("variable").loc["a_65_oo"]
    assert (cell["low"], cell["high"]) == (pytest.approx(0.0), pytest.approx(6.0))
    assert cell["required"] == 6 and not cell["pinned"]


def test_the_demo_has_no_pinned_cell(demo_ws, demo_facts):
    # what `stuurkit audit demo` runs: 1044 suppressed cells, 590 of them small counts
    # (1029 and 0 pinned before the hierarchical and linked complements; the sound
    # rounding model of CBS's counts found no pinned cell then either)
    found = lp_audit.of_workspace(demo_ws)
    assert len(found) == (demo_facts.observations["status"] == model.SUPPRESSED).sum()
    assert found["contains"].all()  # the truth is always among the consistent values
    assert found["sensitive"].sum() > 0
    pinned = found[found["pinned"]]
    assert pinned.empty, pinned[["area_code", "year", "indicators", "low", "high", "value"]]


def test_the_cli_reports_the_lp_audit_of_the_workspace(demo_ws, capsys):
    from helpers.cli import _disclosure_audit

    assert _disclosure_audit(demo_ws.name) == 0
    out = capsys.readouterr().out
    assert "LP audit: 1044 suppressed cell(s)" in out and out.rstrip().endswith("0 pinned.")


def test_the_cli_names_each_pinned_cell_and_fails(monkeypatch, capsys):
    from helpers import cli

    pinned = pd.DataFrame({"indicators": ["bijstand_per_1000"], "area_code": ["BU01"],
                           "year": [2023], "low": [3.0], "high": [4.0], "required": [5.0],
                           "sensitive": [True], "pinned": [True]})
    monkeypatch.setattr(lp_audit, "of_workspace", lambda ws: pinned)
    monkeypatch.setattr("helpers.workspace.open_workspace", lambda name: object())
    assert cli._disclosure_audit("x") == 1
    out = capsys.readouterr().out
    assert "pinned: bijstand_per_1000 BU01 2023: between 3 and 4 (must span 5)" in out
    assert "1 pinned." in out


def test_a_folder_that_is_no_workspace_says_the_lp_audit_is_skipped(tmp_path, capsys):
    from helpers.cli import _disclosure_audit

    assert _disclosure_audit("no-such-workspace-here") == 0
    assert "the LP audit of its suppressed cells is skipped" in capsys.readouterr().out


def _assert_same(incremental: pd.DataFrame, full: pd.DataFrame) -> None:
    key = ["variable", "area_code", "year"]
    assert incremental[key].astype(str).values.tolist() == full[key].astype(str).values.tolist()
    for column in ("low", "high"):
        assert incremental[column].to_numpy() == pytest.approx(full[column].to_numpy()), column


@pytest.mark.parametrize("rounded_to", [0.0, lp_audit.ROUNDED_TO])
def test_an_auditor_republished_gives_the_intervals_of_a_fresh_audit(cat, rounded_to):
    # two wijken, each its own piece: suppressing more in one, or showing a cell again,
    # re-solves only that piece; the intervals are those of an audit from scratch
    obs, hierarchy = _wijk([4.0, 50.0, 62.0, 3.0, 30.0, 41.0])
    hierarchy["parent"] = ["WK1"] * 3 + ["WK2"] * 3 + ["GM1"]
    hierarchy = pd.concat([hierarchy, pd.DataFrame(
        {"year": [2023], "code": ["WK2"], "parent": ["GM1"], "level": ["wijk"]})])
    wk = obs[obs["area_code"] == "WK1"].assign(area_code="WK2", numerator=74.0,
                                              denominator=3003.0)
    obs.loc[obs["area_code"] == "WK1", ["numerator", "denominator"]] = [116.0, 3003.0]
    obs = pd.concat([obs, wk], ignore_index=True)
    obs["value"] = obs["numerator"] / obs["denominator"] * 1000
    auditor = lp_audit.Auditor(obs, cat, hierarchy, rounded_to=rounded_to)
    for hidden in (["BU1", "BU4"], ["BU1", "BU2", "BU4"], ["BU1", "BU2", "BU4", "BU5"],
                   ["BU4", "BU5"], ["BU1", "BU4", "WK2", "BU6"]):
        published = _publish(obs, hidden)
        _assert_same(auditor.audit(published),
                     lp_audit.audit(obs, published, cat, hierarchy, rounded_to=rounded_to))


def test_an_auditor_takes_only_the_observations_it_was_built_from(cat):
    from helpers.errors import DataError

    obs, hierarchy = _wijk([4.0, 50.0, 62.0])
    auditor = lp_audit.Auditor(obs, cat, hierarchy)
    auditor.audit(_publish(obs, ["BU1", "BU2"]))
    with pytest.raises(DataError, match="the same rows in the same order"):
        auditor.audit(_publish(obs, ["BU1"]).iloc[1:])
