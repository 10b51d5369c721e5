"""The programmamonitor (``notebooks/20_programmamonitor.ipynb``): one programme of the
budget — its goals with targets, forecasts and status, the explanation and duiding per
goal, the indicators per wijk, the budget and the agreed actions.

``start`` opens the workspace, finds the programme and shows the header; every other
function is one section of the report. A programme without goals, or goals whose
indicators have no figures, gets every section, each saying so in Dutch.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import altair as alt
import pandas as pd
from IPython.display import HTML, Markdown

from helpers.analysis import goals as goal_analysis
from helpers.errors import StuurkitError
from helpers.indicators.facts import Facts
from helpers.numbers import format_number
from helpers.presentation import charts, maps, tables
from helpers.presentation.declare import declare
from helpers.reports import common
from helpers.workspace import Workspace
from helpers.workspace.begroting import LoadedProgramme, Programme

__all__ = ["ProgrammeMonitor", "monitor", "start", "goals_table", "goal_charts", "goal_texts",
           "breakdown_maps", "budget", "actions", "sources"]

# analysts' commentary is markdown; raw HTML in it is shown as text, never executed


@dataclass
class ProgrammeMonitor:
    """One programme of the budget in one report year."""

    workspace: Workspace
    facts: Facts
    loaded: LoadedProgramme
    programme: Programme
    year: int

    @cached_property
    def goals(self) -> pd.DataFrame:
        """The programme's goal indicators (rows of ``goals.evaluate``); empty, without
        columns, when the budget has no goals at all."""
        table = goal_analysis.evaluate(self.loaded.begroting, self.facts, self.year)
        if table.empty:
            return table
        return table[table["programma"] == self.programme.id].reset_index(drop=True)

    def no_goals(self) -> HTML:
        """The sentence that stands in for a section about goals when there are none."""
        return common.sentence(f"Programma {self.programme.id} ({self.programme.naam}) heeft "
                               f"nog geen doelen in {self.loaded.source.name}.",
                               emphasis=True)

    def series(self, indicator: str, area: str) -> pd.DataFrame:
        """Usable, comparable values of one indicator for one area up to the year."""
        return goal_analysis.series(self.facts, indicator, area, self.year)

    def band(self, goal_row) -> pd.DataFrame | None:
        """Forecast band from the last observed year to the target year."""
        return goal_analysis.band(self.facts, goal_row, self.year)

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


def monitor(ws: Workspace, facts: Facts, programme_id: str, year: int) -> ProgrammeMonitor:
    """The monitor of one programme; ``StuurkitError`` lists the programme ids."""
    loaded = common.budget(ws, facts)
    for programme in loaded.begroting.programmas:
        if programme.id == programme_id:
            return ProgrammeMonitor(ws, facts, loaded, programme, year)
    known = ", ".join(f"{p.id} ({p.naam})" for p in loaded.begroting.programmas) or "(geen)"
    raise StuurkitError(f"Programme {programme_id!r} is not in {loaded.source}; known "
                        f"programmes: {known}.")


def start(workspace: str, programme: str, year: int) -> ProgrammeMonitor:
    """Open the workspace, find the programme, set up charts and show the header."""
    ws, facts = common.load(workspace)
    view = monitor(ws, facts, programme, year)
    common.setup_charts(ws)
    p = view.programme
    holder = f" · {p.portefeuillehouder}" if p.portefeuillehouder else ""
    common.header(f"Programmamonitor {p.naam}", ws,
                  f"programma {p.id}{holder} · verslagjaar {year}")
    return view


def goals_table(monitor: ProgrammeMonitor) -> tables.Table | HTML:
    """Every goal indicator: baseline, target, now, trend, status, owner."""
    goals = monitor.goals
    if goals.empty:
        return monitor.no_goals()
    frame = pd.DataFrame({
        "Doel": goals["doel"] + " " + goals["titel"], "Indicator": goals["label"],
        "Nulmeting": [f"{format_number(v, d)} ({y})" for v, d, y in zip(
            goals["nulmeting"], goals["decimals"], goals["nulmeting_jaar"], strict=True)],
        "Streefwaarde": [f"{format_number(v, d)} ({y})" for v, d, y in zip(
            goals["streefwaarde"], goals["decimals"], goals["streefjaar"], strict=True)],
        "Nu": [f"{format_number(v, d)} ({int(y)})" if pd.notna(y) else "–" for v, d, y in zip(
            goals["waarde"], goals["decimals"], goals["jaar"], strict=True)],
        "Trend": goals["trend"], "Status": goals["status"], "Eigenaar": goals["eigenaar"],
    })
    catalogue = monitor.facts.catalogue
    return tables.frame_table(frame, f"Doelen van {monitor.programme.naam}, verslagjaar "
                                     f"{monitor.year}", badges=("Trend", "Status"),
                              row_header="Doel",
                              indicators=[catalogue[i] for i in goals["indicator"]],
                              value_columns=("Nulmeting", "Streefwaarde", "Nu"))


def goal_charts(monitor: ProgrammeMonitor) -> alt.ConcatChart | HTML | Markdown:
    """Each goal indicator over the years with its target and forecast band."""
    if monitor.goals.empty:
        return monitor.no_goals()
    panels, shown = [], []
    for row in monitor.goals.itertuples(index=False):
        series = monitor.series(row.indicator, row.gebied)
        if series.empty:
            continue
        shown.append(monitor.facts.catalogue[row.indicator])
        panels.append(charts.goal_trend(
            series, f"{row.doel} {row.label}", row.unit, row.streefjaar, row.streefwaarde,
            monitor.band(row), monitor.facts.breaks.get(row.gebied)))
    if not panels:
        return Markdown("*Geen cijfers voor de indicatoren van dit programma.*")
    return declare(alt.concat(*panels, columns=2).properties(
        title=f"{monitor.programme.naam}: ontwikkeling, streefwaarde en verwachting",
        description=f"{len(panels)} grafieken, één per doelindicator van "
                    f"{monitor.programme.naam}: de gemeten waarden, de streefwaarde en de "
                    "verwachting tot het streefjaar."), {"waarde": shown})


def goal_texts(monitor: ProgrammeMonitor) -> HTML:
    """Per goal: each indicator's status explained, and the analysts' duiding."""
    if monitor.goals.empty:
        return monitor.no_goals()
    duiding = monitor.duiding()
    goals = []
    for goal in monitor.programme.doelen:
        rows = monitor.goals[monitor.goals["doel"] == goal.id]
        goals.append({"id": goal.id, "title": goal.titel, "duiding": duiding.get(goal.id),
                      "rows": [{"badge": tables.badge(r.status), "label": r.label,
                                "text": r.uitleg} for r in rows.itertuples(index=False)]})
    return common.render("goal_texts.html.j2", goals=goals)


def breakdown_maps(monitor: ProgrammeMonitor) -> alt.ConcatChart | HTML | Markdown:
    """The programme's indicators per wijk, each in its newest year."""
    if monitor.goals.empty:
        return monitor.no_goals()
    ws, facts = monitor.workspace, monitor.facts
    panels, shown = [], []
    for row in monitor.goals.drop_duplicates("indicator").itertuples(index=False):
        indicator = facts.catalogue[row.indicator]
        if "wijk" not in indicator.levels:
            continue
        usable = facts.usable(indicator.id, until=monitor.year)
        if usable[usable["level"] == "wijk"].empty:
            continue
        year = int(usable.loc[usable["level"] == "wijk", "year"].max())
        obs = facts.observations
        data = obs[(obs["indicator"] == indicator.id) & (obs["level"] == "wijk")
                   & (obs["year"] == year)].rename(columns={"area_code": "code"})
        shown.append(indicator)
        panels.append(maps.choropleth(facts.areas_for(year, "wijk"), data,
                                      f"{indicator.label} ({year})", indicator.unit,
                                      indicator.decimals, width=300, water=ws.water))
    if not panels:
        return Markdown("*Geen indicatoren van dit programma met cijfers per wijk.*")
    return declare(alt.concat(*panels, columns=2).resolve_scale(fill="independent").properties(
        description=f"{len(panels)} kaarten van de wijken, één per indicator van "
                    f"{monitor.programme.naam}."), {"waarde": shown})


def budget(monitor: ProgrammeMonitor) -> alt.Chart | Markdown:
    """Begroot against realisatie per year."""
    data = monitor.budget()
    if data.empty:
        return Markdown("*Geen budget opgenomen in de begroting.*")
    return charts.budget(data, monitor.programme.budget_eenheid)


def actions(monitor: ProgrammeMonitor) -> HTML | tables.Table:
    """The agreed actions with who, when and their status."""
    frame = monitor.actions()
    if frame.empty:
        return common.sentence("Er zijn geen acties afgesproken.")
    return tables.frame_table(frame, f"Afgesproken acties {monitor.programme.naam}",
                              badges=("Status",))


def sources(monitor: ProgrammeMonitor) -> HTML:
    """Where the figures come from."""
    return common.sources(monitor.workspace, monitor.facts.catalogue)
