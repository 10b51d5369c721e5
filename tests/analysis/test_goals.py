"""How the goals are doing (helpers.analysis.goals): evaluation on the demo and on tiny
in-memory facts."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from helpers import model
from helpers.analysis.goals import band, changes, evaluate, series, status_counts


def test_evaluation_gives_status_and_explanation(demo_facts, demo_budget):
    table = evaluate(demo_budget.begroting, demo_facts, 2024)
    assert set(table["status"]) <= set(model.TARGET_STATUSES)
    row = table[table["doel"] == "P1.2"].iloc[0]
    assert row["status"] == "uit koers" and row["uitleg"].startswith("Bij de huidige")
    assert row["jaar"] == 2023  # 2024 not yet published by CBS


def _budget(target: float, target_year: int = 2026):
    from helpers.workspace.begroting import Begroting

    return Begroting.model_validate({"gemeente": "GM0001", "begrotingsjaar": 2024, "programmas": [{
        "id": "P1", "naam": "Werk", "doelen": [
            {"id": "P1.1", "titel": "Minder bijstand in Zuid", "eigenaar": "Team Zuid",
             "indicatoren": [{"indicator": "bijstand_per_1000", "gebied": "WK000102",
                              "nulmeting": {"jaar": 2019, "waarde": 40.0},
                              "streefwaarde": {"jaar": target_year, "waarde": target}}]},
            {"id": "P1.2", "titel": "Bijstand in de gemeente", "eigenaar": "Team Werk",
             "indicatoren": [{"indicator": "bijstand_per_1000",
                              "nulmeting": {"jaar": 2019, "waarde": 26.7},
                              "streefwaarde": {"jaar": target_year, "waarde": 500.0}}]}]}]})


def test_a_rising_rate_misses_a_lower_target(tiny_facts):
    table = evaluate(_budget(30.0), tiny_facts, 2023).set_index("doel")
    zuid = table.loc["P1.1"]
    assert zuid["status"] == "uit koers" and zuid["trend"] == "verslechtert"
    assert zuid["jaar"] == 2023 and zuid["waarde"] == 120.0 and zuid["gebied"] == "WK000102"
    assert zuid["verwacht"] > 120 and zuid["jaren"] == "2019–2023"
    assert table.loc["P1.2", "status"] == "op koers"  # 500 per 1.000 is far above the forecast


def test_a_measured_target_year_is_met_or_not(tiny_facts):
    """Zuid's rate is 100 per 1.000 in 2022 (160 + 80 · 3 = 400 of 4.000); the gemeente's
    46,7 (160 + 400 = 560 of 12.000): judged on those values, not forecast."""
    table = evaluate(_budget(90.0, target_year=2022), tiny_facts, 2023).set_index("doel")
    zuid, gemeente = table.loc["P1.1"], table.loc["P1.2"]
    assert zuid["status"] == "niet gehaald" and zuid["verwacht"] == 100.0
    assert zuid["uitleg"] == ("In 2022 was de waarde 100,0: de streefwaarde 90,0 voor 2022 "
                              "is niet gehaald.")
    assert zuid["ondergrens"] is None or pd.isna(zuid["ondergrens"])
    assert gemeente["status"] == "gehaald" and gemeente["verwacht"] == pytest.approx(560 / 12)
    assert gemeente["uitleg"].startswith("In 2022 was de waarde 46,7: de streefwaarde 500,0")
    assert zuid["waarde"] == 120.0  # the newest value is still shown beside it


def test_a_rate_is_forecast_on_the_log_scale(tiny_facts):
    """Zuid rises 40, 60, 80, 100, 120: on the log scale the forecast grows by the
    median yearly ratio, so it stays above 0 and curves upward."""
    row = evaluate(_budget(30.0, target_year=2030), tiny_facts, 2023).set_index("doel")
    zuid = row.loc["P1.1"]
    assert zuid["ondergrens"] > 0 and zuid["verwacht"] > 120 + 7 * 20


def test_evaluation_uses_only_years_up_to_the_report_year(tiny_facts):
    row = evaluate(_budget(30.0), tiny_facts, 2021).set_index("doel").loc["P1.1"]
    assert row["jaar"] == 2021 and row["waarde"] == 80.0
    assert row["status"] == "onbekend"  # three years: too few to forecast


def test_series_and_band_follow_the_comparable_years(tiny_facts):
    values = series(tiny_facts, "bijstand_per_1000", "WK000102", 2023)
    assert values["jaar"].tolist() == [2019, 2020, 2021, 2022, 2023]
    goal = evaluate(_budget(30.0), tiny_facts, 2023).iloc[0]
    drawn = band(tiny_facts, goal, 2023)
    assert drawn["jaar"].tolist() == [2023, 2024, 2025, 2026]
    assert (drawn["onder"] < drawn["boven"]).all()
    # a boundary change in 2021: earlier years are not comparable
    broken = dataclasses.replace(tiny_facts, breaks=pd.Series({"WK000102": 2021}))
    assert series(broken, "bijstand_per_1000", "WK000102", 2023)["jaar"].min() == 2021
    assert band(broken, goal, 2023) is None  # three comparable years: no band


def test_status_counts_and_changes(tiny_facts):
    now = evaluate(_budget(30.0), tiny_facts, 2023)
    counts = status_counts(now)
    assert counts.columns.tolist() == ["programma", "op koers", "risico", "uit koers",
                                       "gehaald", "niet gehaald", "onbekend"]
    assert counts.iloc[0][["op koers", "uit koers"]].tolist() == [1, 1]
    before = evaluate(_budget(30.0), tiny_facts, 2021)
    changed = changes(now, before)
    assert set(changed["doel"]) == {"P1.1", "P1.2"}  # newer values and statuses
    assert changed.set_index("doel").loc["P1.1", "status_vorig"] == "onbekend"
    assert changes(now, now).empty


def test_a_budget_without_goals_gives_an_empty_table_with_every_column(tiny_facts):
    from helpers.analysis.goals import GOAL_COLUMNS
    from helpers.workspace.begroting import Begroting

    empty = Begroting.model_validate({"gemeente": "GM0001", "begrotingsjaar": 2024,
                                      "programmas": [{"id": "P1", "naam": "Werk"}]})
    table = evaluate(empty, tiny_facts, 2023)
    assert table.empty and list(table.columns) == GOAL_COLUMNS
    assert list(table.columns) == list(evaluate(_budget(30.0), tiny_facts, 2023).columns)
    assert table[table["status"] == "uit koers"].empty  # what the reports filter on
