"""Goal texts that agree with their figures (issue 16 items 4, 5 and 8): a target with
more decimals than its indicator is written and judged unrounded; a target met already
says so, and the status still follows the forecast interval; the change since last year
gives both values and only what changed."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from helpers import model
from helpers.analysis.goals import changes, evaluate
from helpers.analysis.trends import forecast, target_decimals
from helpers.numbers import format_number

YEARS = [2017, 2018, 2019, 2020, 2021, 2022, 2023]


@pytest.mark.parametrize("target, decimals, expected", [
    (68.0, 0, 0), (6.3, 0, 1), (26.2, 0, 1), (1087.2, 0, 1), (7.25, 1, 2), (0.7, 1, 1),
    (21.0, 1, 1), (1 / 3, 1, 4)])
def test_a_target_keeps_the_decimals_it_needs(target, decimals, expected):
    assert target_decimals(target, decimals) == expected


def _figures(text: str) -> list[str]:
    return re.findall(r"\d[\d.]*(?:,\d+)?", text)


def test_a_target_with_more_decimals_is_written_unrounded():
    """Constant at 7 (no decimals), target 6,3 down: the text names 6,3, not 6."""
    result = forecast(YEARS, [7.0] * 7, 2026, 6.3, "down", decimals=0, scale="percentage")
    assert "de streefwaarde 6,3 " in result.explanation
    assert "streefwaarde 6 " not in result.explanation


def test_a_measured_year_is_judged_against_the_unrounded_target():
    """Published 68 (67,6 rounded) does not reach a target of 68,4: rounding the target
    to 68 called it gehaald."""
    result = forecast([2020, 2021, 2022, 2023], [66.0, 67.0, 67.0, 67.6], 2023, 68.4, "up",
                      decimals=0)
    assert result.status == model.NOT_MET
    assert result.explanation == ("In 2023 was de waarde 68: de streefwaarde 68,4 voor 2023 "
                                  "is niet gehaald.")


def test_the_status_agrees_with_the_bounds_and_target_as_written():
    """Bounds are written with the indicator's decimals, the target unrounded: ``uit
    koers`` only when the written interval lies wholly on the wrong side of the written
    target, ``risico`` when the written target lies inside it."""
    for target in (10.0, 10.4, 10.5, 11.0, 11.2, 11.5, 12.0):
        result = forecast(YEARS, [6.0, 6.5, 7.0, 7.5, 8.0, 8.0, 8.0], 2026, target, "up",
                          decimals=0, scale="percentage")
        lower = round(result.lower)
        upper = round(result.upper)
        assert _figures(result.explanation)[1:4] == [
            format_number(result.lower, 0), format_number(result.upper, 0),
            format_number(target, target_decimals(target, 0))]
        expected = (model.ON_TRACK if lower >= target else model.OFF_TRACK
                    if upper < target else model.AT_RISK)
        assert result.status == expected, (target, lower, upper)


def test_a_target_met_already_says_so_and_the_interval_decides():
    """0,7 every year against a target of 0,7 (lower is better): met now; the 95%
    interval for 2026 (0,5–0,9) holds values that miss it, so ``risico`` — and the
    sentence says both."""
    result = forecast(YEARS, [0.7] * 7, 2026, 0.7, "down", decimals=1, scale="rate")
    assert result.status == model.AT_RISK
    span = f"tussen {format_number(result.lower, 1)} en {format_number(result.upper, 1)}"
    assert result.explanation == (
        f"In 2023 haalde de waarde 0,7 de streefwaarde 0,7 al, maar bij de huidige "
        f"ontwikkeling komt de waarde in 2026 naar verwachting {span} uit: de streefwaarde "
        "ligt binnen die marge, dus het doel kan in 2026 alsnog worden gemist.")
    assert round(result.lower, 1) <= 0.7 <= round(result.upper, 1)


def test_a_target_met_with_the_whole_interval_on_its_side_is_on_track():
    result = forecast(YEARS, [20.0, 22.0, 24.0, 26.0, 28.0, 30.0, 32.0], 2026, 25.0, "up",
                      decimals=1, scale="percentage")
    assert result.status == model.ON_TRACK and round(result.lower, 1) >= 25
    assert result.explanation.startswith("In 2023 haalde de waarde 32,0 de streefwaarde 25,0 "
                                         "al; bij de huidige ontwikkeling")
    assert result.explanation.endswith("de streefwaarde blijft gehaald.")


def test_the_demo_goals_write_their_targets_unrounded(demo_facts, demo_budget):
    table = evaluate(demo_budget.begroting, demo_facts, 2024).set_index("doel")
    assert "de streefwaarde 6,3 " in table.loc["P1.3", "uitleg"]
    assert "de streefwaarde 26,2 " in table.loc["P3.1", "uitleg"]
    gas = table.loc["P4.1"]  # 1.038 in 2023 against 1.087,2, lower is better
    assert gas["uitleg"].startswith("In 2023 haalde de waarde 1.038 de streefwaarde 1.087,2 al")
    for row in table.itertuples():
        if row.status in (model.ON_TRACK, model.AT_RISK, model.OFF_TRACK):
            shown = format_number(row.streefwaarde, target_decimals(row.streefwaarde,
                                                                    row.decimals))
            assert f"streefwaarde {shown}" in row.uitleg, row.Index


def _goal(doel: str, status: str, waarde: float | None, jaar: int | None,
          decimals: int = 1) -> dict:
    return {"doel": doel, "indicator": f"i_{doel}", "titel": doel, "label": doel,
            "decimals": decimals, "status": status, "waarde": waarde, "jaar": jaar}


def test_changes_give_both_values_and_only_what_changed():
    before = pd.DataFrame([_goal("A", "risico", 25.0, 2023), _goal("B", "uit koers", 71.94, 2023),
                           _goal("C", "risico", 8.0, 2023), _goal("D", "op koers", 8.04, 2022),
                           _goal("E", "onbekend", None, None)])
    now = pd.DataFrame([_goal("A", "risico", 25.0, 2024),  # newer year, same value: no change
                        _goal("B", "uit koers", 72.84, 2024),
                        _goal("C", "uit koers", 8.0, 2023),  # only the status
                        _goal("D", "op koers", 7.96, 2023),  # 8,0 both times as shown
                        _goal("E", "onbekend", 3.0, 2024)])
    changed = changes(now, before).set_index("doel")
    assert list(changed.index) == ["B", "C", "E"]
    assert changed.loc["B", ["waarde_vorig", "jaar_vorig", "verschil"]].tolist() == [
        71.94, 2023, 0.9]
    assert changed.loc["C", ["status_vorig", "status", "verschil"]].tolist() == [
        "risico", "uit koers", 0.0]
    assert pd.isna(changed.loc["E", "verschil"]) and pd.isna(changed.loc["E", "waarde_vorig"])
    assert changes(now, now).empty and "verschil" in changes(now, now).columns


def test_the_demo_changes_since_last_year_are_real_changes(demo_facts, demo_budget):
    now = evaluate(demo_budget.begroting, demo_facts, 2024)
    changed = changes(now, evaluate(demo_budget.begroting, demo_facts, 2023))
    assert len(changed) and "P3.1" not in set(changed["doel"])  # 25 in 2023 and in 2024
    for row in changed.itertuples():
        moved = format_number(row.waarde, row.decimals) != format_number(row.waarde_vorig,
                                                                          row.decimals)
        assert moved or row.status != row.status_vorig, row.doel
