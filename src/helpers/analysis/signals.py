"""Early warnings: one table across programmes and areas, most severe first.

Kinds of signal, each saying what it is based on:

``doel uit koers``
    a goal indicator's forecast misses the target (``helpers.analysis.trends.forecast``).
``doel niet gehaald``
    the target year has been measured and the value missed the target.
``streefjaar nadert``
    the target year is at most two years after the report year and the goal is at risk.
``wijk wijkt af en verslechtert`` / ``buurt wijkt af en verslechtert``
    a wijk or buurt is significantly worse than the rest of its parent (else than its
    parent) at 99.8% in the newest year *and* its own trend over the last five
    comparable years is worsening; the text gives the value it was compared with.
``verouderde gegevens``
    the newest value of an indicator in use is older than the indicator allows
    (``max_age`` in the catalogue).

and, given the budget's duiding, the signals about the steering loop
(``helpers.analysis.loop``): ``afspraak verlopen``, ``geen verbeteractie``, ``geen
duiding``, ``status verslechterd zonder duiding``, ``actie afgerond, doel uit koers``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from helpers import memo, model
from helpers.analysis.goals import evaluate
from helpers.analysis.loop import KINDS as LOOP_KINDS
from helpers.analysis.loop import loop_signals
from helpers.analysis.stats import TEST_TEXT, compare_with_parent
from helpers.analysis.trends import trend_test
from helpers.indicators.facts import Facts
from helpers.numbers import format_number
from helpers.workspace.begroting import Begroting

__all__ = ["signals", "SIGNAL_COLUMNS", "SEVERITY", "AREA_KIND", "GOAL_KINDS", "STALE"]

# a neighbourhood that deviates, named by its level
AREA_KIND = {level: f"{level} wijkt af en verslechtert" for level in model.SUB_LEVELS}
STALE = "verouderde gegevens"
# the kinds about a goal of the budget
GOAL_KINDS = ("doel uit koers", "doel niet gehaald", "streefjaar nadert")
SEVERITY = {"doel uit koers": 1, "doel niet gehaald": 1, **dict.fromkeys(AREA_KIND.values(), 2),
            "streefjaar nadert": 2, STALE: 3, **LOOP_KINDS}
SIGNAL_COLUMNS = ["ernst", "soort", "programma", "doel", "indicator", "gebied", "gebied_naam",
                  "jaar", "uitleg", "basis"]
NEAR_YEARS = 2
# how the forecast's scale (goals.forecast_scale, trends.SCALES) is named in a signal's basis
SCALE_WORDS = {"percentage": "logitschaal", "share": "logitschaal", "rate": "logschaal",
               "count": "logschaal", "free": "de gemeten schaal"}


def _goal_signals(goals: pd.DataFrame, year: int, names: dict[str, str]) -> list[dict]:
    rows = []
    for goal in goals.itertuples(index=False):
        base = (f"Voorspelling op {goal.jaren} (Theil–Sen op {SCALE_WORDS[goal.schaal]}, "
                "95%-voorspellingsinterval dat ook jaarlijkse doorwerking van toevallige "
                "schommelingen dekt)")
        if goal.status == model.NOT_MET:
            rows.append({"soort": "doel niet gehaald", "programma": goal.programma,
                         "doel": goal.doel, "indicator": goal.indicator, "gebied": goal.gebied,
                         "jaar": goal.jaar, "uitleg": f"{goal.titel}: {goal.uitleg}",
                         "basis": f"Gemeten waarde in het streefjaar {goal.streefjaar}"})
        elif goal.status == model.OFF_TRACK:
            rows.append({"soort": "doel uit koers", "programma": goal.programma,
                         "doel": goal.doel, "indicator": goal.indicator, "gebied": goal.gebied,
                         "jaar": goal.jaar,
                         "uitleg": f"{goal.titel}: {goal.uitleg}", "basis": base})
        elif goal.status == model.AT_RISK and goal.streefjaar - year <= NEAR_YEARS:
            rows.append({"soort": "streefjaar nadert", "programma": goal.programma,
                         "doel": goal.doel, "indicator": goal.indicator, "gebied": goal.gebied,
                         "jaar": goal.jaar,
                         "uitleg": f"{goal.titel}: het streefjaar {goal.streefjaar} is dichtbij "
                                   f"en het doel loopt risico. {goal.uitleg}", "basis": base})
    return rows


def _area_signals(facts: Facts, year: int, goal_of: dict[str, tuple[str, str]],
                  names: dict[str, str]) -> list[dict]:
    polar = {k for k, v in facts.catalogue.items() if v.polarity != "neutral"}
    usable = facts.usable(until=year)
    usable = usable[usable["indicator"].isin(polar)]
    latest = usable[usable["level"] != "gemeente"].groupby("indicator")["year"].max()
    newest = usable[usable["year"] == usable["indicator"].map(latest)]
    compared = compare_with_parent(newest, facts.catalogue, facts.hierarchy)
    worse = compared[(compared["vergelijking_998"] == "slechter")
                     & compared["level"].isin(model.SUB_LEVELS)]
    rows = []
    for row in worse.itertuples(index=False):
        indicator = facts.catalogue[row.indicator]
        series = facts.comparable(usable[(usable["area_code"] == row.area_code)
                                         & (usable["indicator"] == row.indicator)],
                                  row.area_code)
        trend = trend_test(series["year"], series["value"], series["numerator"],
                           series["denominator"], indicator.polarity)
        if trend.assessment != "verslechtert":
            continue
        programma, doel = goal_of.get(row.indicator, ("", ""))
        value = format_number(row.value, indicator.decimals)
        parent_name = names.get(row.parent, row.parent)
        if pd.notna(row.rest_value):  # what the test compared with: the rest of the parent
            against = (f"{format_number(row.rest_value, indicator.decimals)} "
                       f"{indicator.unit} in de rest van {parent_name}")
        else:
            against = (f"{format_number(row.parent_value, indicator.decimals)} "
                       f"{indicator.unit} in {parent_name}")
        rows.append({
            "soort": AREA_KIND[row.level], "programma": programma, "doel": doel,
            "indicator": row.indicator, "gebied": row.area_code, "jaar": int(row.year),
            "uitleg": f"{names.get(row.area_code, row.area_code)}: {indicator.label.lower()} "
                      f"{value} {indicator.unit} tegen {against}, en het wordt slechter.",
            "basis": f"{TEST_TEXT[row.vergelijking_methode].capitalize()} (99,8%), "
                     f"{names.get(row.parent, row.parent)} in {int(row.year)}; "
                     f"{trend.method} over {trend.years[0]}–{trend.years[-1]}",
        })
    return rows


def _stale_signals(facts: Facts, year: int, used: set[str],
                   goal_of: dict[str, tuple[str, str]]) -> list[dict]:
    gemeente = facts.gemeente
    rows = []
    for indicator_id in sorted(used):
        indicator = facts.catalogue[indicator_id]
        series = facts.usable(indicator_id, gemeente, until=year)
        newest = int(series["year"].max()) if len(series) else None
        if newest is not None and year - newest <= indicator.max_age:
            continue
        programma, doel = goal_of.get(indicator_id, ("", ""))
        shown = f"het nieuwste cijfer is van {newest}" if newest else "er zijn geen cijfers"
        rows.append({
            "soort": STALE, "programma": programma, "doel": doel,
            "indicator": indicator_id, "gebied": gemeente, "jaar": newest,
            "uitleg": f"{indicator.label}: {shown}; verwacht uiterlijk "
                      f"{year - indicator.max_age}.",
            "basis": f"Bron {indicator.source}; maximale ouderdom {indicator.max_age} jaar "
                     "(catalogus)",
        })
    return rows


def signals(facts: Facts, begroting: Begroting, year: int,
            duiding: dict[tuple[str, int], str] | None = None,
            today: dt.date | None = None) -> pd.DataFrame:
    """Every signal for report year ``year``, most severe first (see module docstring).
    With the budget's ``duiding`` (``LoadedProgramme.duiding``), also the signals about
    the steering loop (``helpers.analysis.loop``; ``today`` fixes its reference date).

    Without ``duiding`` the table depends only on the facts, the budget and the year: it
    is made once per ``Facts`` object and budget content (``helpers.memo``), and a copy
    handed out (every wijkprofiel of a run shows the gemeente's signals)."""
    if duiding is not None:
        return _signals(facts, begroting, year, duiding, today)
    return memo.kept(facts, ("signals", begroting.model_dump_json(), year),
                     lambda: _signals(facts, begroting, year, None, None)).copy()


def _signals(facts: Facts, begroting: Begroting, year: int,
             duiding: dict[tuple[str, int], str] | None, today: dt.date | None
             ) -> pd.DataFrame:
    goals = evaluate(begroting, facts, year)
    names = {**facts.area_names, facts.gemeente: facts.gemeente_name}
    goal_of = {row.indicator: (row.programma, row.doel)
               for row in goals.itertuples(index=False)}
    rows = _goal_signals(goals, year, names)
    rows += _area_signals(facts, year, goal_of, names)
    rows += _stale_signals(facts, year, set(goals["indicator"]) if len(goals) else set(),
                           goal_of)
    if duiding is not None:
        rows += loop_signals(begroting, goals, evaluate(begroting, facts, year - 1), duiding,
                             year, today)
    table = pd.DataFrame(rows, columns=[c for c in SIGNAL_COLUMNS if c != "ernst"])
    table.insert(0, "ernst", table["soort"].map(SEVERITY))
    table["gebied_naam"] = table["gebied"].map(names)
    table = table[SIGNAL_COLUMNS]
    return table.sort_values(["ernst", "programma", "doel", "gebied"], kind="stable"
                             ).reset_index(drop=True)
