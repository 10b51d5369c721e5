"""A workspace's facts (helpers.indicators.facts): variables summed up, indicators
computed, disclosure control applied, made once per workspace, checked by their schema."""

from __future__ import annotations

import pytest

from helpers.errors import DataError
from helpers.indicators import facts
from helpers.indicators.aggregation import aggregate_up


def test_own_registrations_are_summed_to_wijk_and_gemeente(demo_ws):
    var = aggregate_up(demo_ws.variables_raw, demo_ws.hierarchy)
    meld = var[(var["variable"] == "meldingen_openbare_ruimte") & (var["year"] == 2023)]
    buurten = meld[meld["level"] == "buurt"]
    wijk = meld[meld["area_code"] == "WK990101"]["value"].iloc[0]
    members = demo_ws.areas_for(2023, "buurt")
    members = members[members["parent"] == "WK990101"]["code"]
    assert wijk == buurten[buurten["area_code"].isin(members)]["value"].sum()
    gemeente = meld[meld["area_code"] == "GM9901"]["value"].iloc[0]
    assert gemeente == buurten["value"].sum()


def test_rates_sum_numerators_and_denominators(demo_facts):
    obs = demo_facts.observations
    row = obs[(obs["indicator"] == "bijstand_per_1000") & (obs["area_code"] == "WK990101")
              & (obs["year"] == 2022)].iloc[0]
    assert row["value"] == pytest.approx(row["numerator"] / row["denominator"] * 1000)


def test_secret_cbs_cells_stay_secret(demo_facts):
    obs = demo_facts.observations
    income = obs[(obs["indicator"] == "gemiddeld_inkomen_per_inwoner") & (obs["year"] == 2024)]
    assert (income["status"] == "secret").all() and income["value"].isna().all()


def test_published_observations_show_no_small_counts(demo_facts):
    obs = demo_facts.observations
    cat = demo_facts.catalogue
    threshold = obs["indicator"].map({k: v.min_count for k, v in cat.items()})
    shown = obs[obs["status"] == "ok"]
    small = shown[(shown["numerator"] > 0) & (shown["numerator"] < threshold[shown.index])]
    assert small.empty, small[["indicator", "area_code", "year", "numerator"]].head()


def test_facts_are_made_once_per_workspace(demo_ws, demo_facts):
    assert facts.of(demo_ws) is demo_facts
    assert demo_facts.name("GM9901") == "Voorbeeldstad"
    assert demo_facts.name("WK990101") == demo_ws.area("WK990101")["name"]
    assert demo_facts.areas_for(2023, "wijk")["code"].tolist() == demo_ws.areas_for(
        2023, "wijk")["code"].tolist()


def test_observations_breaking_their_schema_are_refused(demo_facts):
    from helpers import model

    obs = demo_facts.observations
    leaking = obs.head(3).assign(status="suppressed")  # numbers behind suppressed values
    with pytest.raises(DataError, match="no numbers behind a suppressed value fails in 3"):
        model.validate(leaking, "observations", "test")


def test_facts_refuse_observations_that_break_their_schema(ws_copy, monkeypatch):
    import numpy as np

    from helpers.indicators import computation
    from helpers.workspace import open_workspace

    original = computation.compute

    def leaking(variables, catalogue):
        obs = original(variables, catalogue)
        obs.loc[obs.index[:2], "value"] = np.inf
        return obs

    monkeypatch.setattr(facts, "compute", leaking)
    with pytest.raises(DataError, match=r"the computed indicators: observations rows that "
                                        r"break the kit's rules .*finite fails in 2 row"):
        facts.of(open_workspace(ws_copy))
