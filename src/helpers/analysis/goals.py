"""How the goals of the programme budget are doing: per goal indicator the newest value,
the trend and the target status from the forecast (``helpers.analysis.trends``).

Frames in, frames out: ``evaluate(begroting, facts, year)`` reads the observations of
``Facts`` and nothing else. ``series`` and ``band`` give what the goal charts draw.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import model
from helpers.analysis.trends import (
    MIN_FORECAST_YEARS,
    direction,
    forecast,
    prediction_interval,
    trend_test,
)
from helpers.indicators.catalogue import Indicator
from helpers.indicators.facts import Facts
from helpers.workspace.begroting import Begroting

__all__ = ["GOAL_COLUMNS", "CHANGE_COLUMNS", "evaluate", "series", "band", "status_counts",
           "changes", "forecast_scale"]


def _comparable(facts: Facts, indicator: str, area: str, year: int) -> pd.DataFrame:
    """Usable values of one indicator for one area up to ``year``, from the area's newest
    boundary change on, by year."""
    rows = facts.comparable(facts.usable(indicator, area, until=year), area)
    return rows.sort_values("year")


def forecast_scale(indicator: Indicator) -> str:
    """The scale an indicator is forecast on (``trends.SCALES``), from its catalogue kind:

    * a ``proportion`` in ``%`` is a ``percentage`` (0–100); a proportion computed with
      ``scale: 1`` is a ``share`` (0–1) — both forecast on the logit scale, never outside;
    * a ``rate`` (and a proportion in another unit, e.g. per 1.000: no upper bound is
      known) or a ``count`` is forecast on the log scale: never below 0;
    * a ``mean``, ``median`` or ``index`` is forecast as it is (``free``): its range is
      not in the catalogue (an index in % may exceed 100).

    The kind, not the unit, decides: it is validated (``Indicator.kind``), the unit is
    free text; the unit only tells a percentage from another proportion.

    >>> from helpers.indicators import catalogue
    >>> forecast_scale(catalogue.load()["aandeel_65plus"])
    'percentage'
    """
    if indicator.kind == "proportion":
        if indicator.unit.strip() == "%":
            return "percentage"
        return "share" if indicator.computed and indicator.scale == 1 else "rate"
    return {"rate": "rate", "count": "count"}.get(indicator.kind, "free")


GOAL_COLUMNS = [
    "programma", "programma_naam", "doel", "titel", "eigenaar", "indicator", "label", "unit",
    "decimals", "gebied", "nulmeting_jaar", "nulmeting", "streefjaar", "streefwaarde", "jaar",
    "waarde", "trend", "status", "verwacht", "ondergrens", "bovengrens", "uitleg", "jaren",
    "schaal"]


def evaluate(begroting: Begroting, facts: Facts, year: int) -> pd.DataFrame:
    """One row per goal indicator: newest value up to ``year``, trend, target status with
    its forecast and explanation (``GOAL_COLUMNS``; no rows for a budget without goals)."""
    rows = []
    for prog, goal in begroting.goals():
        for entry in goal.indicatoren:
            indicator = facts.catalogue[entry.indicator]
            area = entry.gebied or facts.gemeente
            values = _comparable(facts, entry.indicator, area, year)
            way = direction(indicator.polarity, entry.nulmeting.waarde, entry.streefwaarde.waarde)
            scale = forecast_scale(indicator)
            outlook = forecast(values["year"], values["value"], entry.streefwaarde.jaar,
                               entry.streefwaarde.waarde, way, indicator.decimals,
                               scale=scale)
            trend = trend_test(values["year"], values["value"],
                               values["numerator"] if indicator.computed else None,
                               values["denominator"] if indicator.computed else None,
                               indicator.polarity if indicator.polarity != "neutral" else
                               ("higher_is_better" if way == "up" else "lower_is_better"))
            last = values.iloc[-1] if len(values) else None
            rows.append({
                "programma": prog.id, "programma_naam": prog.naam, "doel": goal.id,
                "titel": goal.titel, "eigenaar": goal.eigenaar, "indicator": entry.indicator,
                "label": indicator.label, "unit": indicator.unit, "decimals": indicator.decimals,
                "gebied": area,
                "nulmeting_jaar": entry.nulmeting.jaar, "nulmeting": entry.nulmeting.waarde,
                "streefjaar": entry.streefwaarde.jaar, "streefwaarde": entry.streefwaarde.waarde,
                "jaar": int(last["year"]) if last is not None else None,
                "waarde": float(last["value"]) if last is not None else None,
                "trend": trend.assessment, "status": outlook.status,
                "verwacht": outlook.expected, "ondergrens": outlook.lower,
                "bovengrens": outlook.upper, "uitleg": outlook.explanation,
                "jaren": f"{outlook.years[0]}–{outlook.years[-1]}" if outlook.years else "",
                "schaal": scale,
            })
    return pd.DataFrame(rows, columns=GOAL_COLUMNS)


def series(facts: Facts, indicator: str, area: str, year: int) -> pd.DataFrame:
    """Usable, comparable values of one indicator for one area up to the year, as the goal
    charts draw them (``jaar``, ``waarde`` and the observation's other columns)."""
    return _comparable(facts, indicator, area, year).rename(
        columns={"year": "jaar", "value": "waarde"})


def band(facts: Facts, goal_row, year: int) -> pd.DataFrame | None:
    """Forecast band (``jaar, onder, boven``) from the last observed year to the target
    year of one goal indicator (a row of ``evaluate``); ``None`` when there is none to
    draw (target year passed, too few years)."""
    values = series(facts, goal_row.indicator, goal_row.gebied, year).dropna(subset=["waarde"])
    last = int(values["jaar"].max()) if len(values) else None
    if last is None or goal_row.streefjaar <= last or len(values) < MIN_FORECAST_YEARS:
        return None
    years = np.arange(last, goal_row.streefjaar + 1)
    _, lower, upper = prediction_interval(values["jaar"], values["waarde"], years,
                                          int(goal_row.decimals), scale=goal_row.schaal)
    return pd.DataFrame({"jaar": years.astype(int), "onder": lower, "boven": upper})



def status_counts(goals: pd.DataFrame) -> pd.DataFrame:
    """Per programme (``programma``: its name) the number of goal indicators per target
    status (``model.TARGET_STATUSES``), programmes in budget order."""
    statuses = list(model.TARGET_STATUSES)
    if goals.empty:
        return pd.DataFrame(columns=["programma", *statuses])
    counts = pd.crosstab(goals["programma_naam"], goals["status"]).reindex(
        columns=statuses, fill_value=0)
    order = list(dict.fromkeys(goals["programma_naam"]))
    return counts.reindex(order).reset_index().rename(columns={"programma_naam": "programma"})


CHANGE_COLUMNS = ["status_vorig", "waarde_vorig", "jaar_vorig", "verschil"]


def _shown(value, decimals) -> float | None:
    """A value as the reports show it (rounded to the indicator's decimals); None: none."""
    return None if value is None or pd.isna(value) else round(float(value), int(decimals))


def changes(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """Goal indicators (rows of ``evaluate``) whose status or shown value (rounded to the
    indicator's decimals) differs from the evaluation of the year before, with
    ``status_vorig``, ``waarde_vorig``, ``jaar_vorig`` and ``verschil`` (the shown value
    minus the shown value before; NaN when either is missing) added. A newer year with
    the same value and status is no change; an empty frame means nothing changed.

    >>> import pandas as pd
    >>> now = pd.DataFrame({"doel": ["D1", "D2"], "indicator": ["a", "b"], "decimals": [1, 0],
    ...                     "status": ["risico", "op koers"], "waarde": [8.84, 7.2],
    ...                     "jaar": [2023, 2023]})
    >>> before = now.assign(waarde=[8.71, 6.9], jaar=[2022, 2022])
    >>> changes(now, before)[["doel", "waarde_vorig", "verschil"]].to_dict("records")
    [{'doel': 'D1', 'waarde_vorig': 8.71, 'verschil': 0.1}]
    """
    if now.empty or before.empty:
        return now.iloc[:0].assign(**{c: [] for c in CHANGE_COLUMNS})
    merged = now.merge(before[["doel", "indicator", "status", "waarde", "jaar"]],
                       on=["doel", "indicator"], suffixes=("", "_vorig"))
    shown_now = [_shown(v, d) for v, d in zip(merged["waarde"], merged["decimals"],
                                              strict=True)]
    shown_before = [_shown(v, d) for v, d in zip(merged["waarde_vorig"], merged["decimals"],
                                                 strict=True)]
    merged["verschil"] = [round(a - b, int(d)) if a is not None and b is not None else np.nan
                          for a, b, d in zip(shown_now, shown_before, merged["decimals"],
                                             strict=True)]
    value_changed = pd.Series([a != b for a, b in zip(shown_now, shown_before, strict=True)],
                              index=merged.index)
    changed = merged[(merged["status"] != merged["status_vorig"]) | value_changed]
    return changed.reset_index(drop=True)
