"""What the programme reports show: one programme (programmamonitor) and the whole
budget at a glance (bestuursoverzicht). Pure: reads the workspace, returns frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from helpers.errors import StuurkitError
from helpers.programme import LoadedProgramme, Programme, evaluate, load_programme
from helpers.signals import signals
from helpers.trends import MIN_FORECAST_YEARS, prediction_interval
from helpers.workspace import Workspace

__all__ = ["ProgrammeMonitor", "Overview", "programme_monitor", "overview", "STATUSES"]

STATUSES = ["op koers", "risico", "uit koers", "onbekend"]


@dataclass
class ProgrammeMonitor:
    """One programme of the budget in one report year."""

    workspace: Workspace
    loaded: LoadedProgramme
    programme: Programme
    year: int

    @cached_property
    def goals(self) -> pd.DataFrame:
        table = evaluate(self.loaded, self.workspace, self.year)
        return table[table["programma"] == self.programme.id].reset_index(drop=True)

    def series(self, indicator: str, area: str) -> pd.DataFrame:
        """Usable, comparable values of one indicator for one area up to the year."""
        obs = self.workspace.observations
        rows = obs[(obs["indicator"] == indicator) & (obs["area_code"] == area)
                   & obs["status"].isin(["ok", "provisional"]) & (obs["year"] <= self.year)]
        start = self.workspace.breaks.get(area)
        if start is not None:
            rows = rows[rows["year"] >= start]
        return rows.sort_values("year").rename(columns={"year": "jaar", "value": "waarde"})

    def band(self, goal_row) -> pd.DataFrame | None:
        """Forecast band from the last observed year to the target year."""
        series = self.series(goal_row.indicator, goal_row.gebied).dropna(subset=["waarde"])
        last = int(series["jaar"].max()) if len(series) else None
        if (last is None or goal_row.streefjaar <= last
                or len(series) < MIN_FORECAST_YEARS):
            return None
        years = np.arange(last, goal_row.streefjaar + 1)
        decimals = self.workspace.catalogue[goal_row.indicator].decimals
        _, lower, upper = prediction_interval(series["jaar"], series["waarde"], years, decimals)
        return pd.DataFrame({"jaar": years.astype(int), "onder": lower, "boven": upper})

    def budget(self) -> pd.DataFrame:
        rows = []
        for line in self.programme.budget:
            rows.append({"jaar": line.jaar, "soort": "begroot", "bedrag": line.begroot})
            if line.realisatie is not None:
                rows.append({"jaar": line.jaar, "soort": "realisatie", "bedrag": line.realisatie})
        return pd.DataFrame(rows, columns=["jaar", "soort", "bedrag"])

    def actions(self) -> pd.DataFrame:
        rows = [{"Doel": goal.id, "Actie": a.wat, "Wie": a.wie,
                 "Gereed": a.gereed.strftime("%d-%m-%Y"), "Status": a.status}
                for goal in self.programme.doelen for a in goal.acties]
        return pd.DataFrame(rows, columns=["Doel", "Actie", "Wie", "Gereed", "Status"])

    def duiding(self) -> dict[str, str]:
        """Commentary of this report year per goal id (falls back to the year before)."""
        texts = {}
        for goal in self.programme.doelen:
            for year in (self.year, self.year - 1):
                if (goal.id, year) in self.loaded.duiding:
                    texts[goal.id] = self.loaded.duiding[(goal.id, year)]
                    break
        return texts


def programme_monitor(ws: Workspace, programme_id: str, year: int) -> ProgrammeMonitor:
    """The monitor of one programme; ``StuurkitError`` lists the programme ids."""
    loaded = load_programme(ws)
    for programme in loaded.begroting.programmas:
        if programme.id == programme_id:
            return ProgrammeMonitor(ws, loaded, programme, year)
    known = ", ".join(f"{p.id} ({p.naam})" for p in loaded.begroting.programmas) or "(geen)"
    raise StuurkitError(f"Programme {programme_id!r} is not in {loaded.source}; known "
                        f"programmes: {known}.")


@dataclass
class Overview:
    """Every programme's goals at a glance, the top signals and the change on last year."""

    workspace: Workspace
    loaded: LoadedProgramme
    year: int

    @cached_property
    def goals(self) -> pd.DataFrame:
        return evaluate(self.loaded, self.workspace, self.year)

    @cached_property
    def previous(self) -> pd.DataFrame:
        return evaluate(self.loaded, self.workspace, self.year - 1)

    @cached_property
    def signals(self) -> pd.DataFrame:
        return signals(self.workspace, self.loaded, self.year)

    def status_counts(self) -> pd.DataFrame:
        """Per programme the number of goal indicators per target status."""
        goals = self.goals
        if goals.empty:
            return pd.DataFrame(columns=["programma", *STATUSES])
        counts = pd.crosstab(goals["programma_naam"], goals["status"]).reindex(
            columns=STATUSES, fill_value=0)
        order = list(dict.fromkeys(goals["programma_naam"]))
        return counts.reindex(order).reset_index().rename(
            columns={"programma_naam": "programma"})

    def changes(self) -> pd.DataFrame:
        """Goal indicators whose status or newest value changed since last year."""
        now, before = self.goals, self.previous
        if now.empty:
            return now
        merged = now.merge(before[["doel", "indicator", "status", "waarde", "jaar"]],
                           on=["doel", "indicator"], suffixes=("", "_vorig"))
        changed = merged[(merged["status"] != merged["status_vorig"])
                         | (merged["jaar"] != merged["jaar_vorig"])]
        return changed.reset_index(drop=True)


def overview(ws: Workspace, year: int) -> Overview:
    return Overview(ws, load_programme(ws), year)
