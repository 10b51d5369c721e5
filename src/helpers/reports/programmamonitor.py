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
from IPython.display import HTML, Markdown, display

from helpers import model
from helpers.analysis import goals as goal_analysis
from helpers.analysis.loop import agreements, as_of
from helpers.analysis.trends import target_decimals
from helpers.errors import StuurkitError
from helpers.indicators.facts import Facts
from helpers.numbers import format_number
from helpers.presentation import charts, maps, tables
from helpers.presentation.declare import declare
from helpers.reports import common
from helpers.reports.comparison import goal_indicators
from helpers.reports.comparison import section as peer_section
from helpers.reports.errors import prepare
from helpers.workspace import Workspace
from helpers.workspace.begroting import LoadedProgramme, Programme

__all__ = ["ProgrammeMonitor", "monitor", "start", "key_message", "goals_table",
           "goal_charts", "goal_texts", "breakdown_maps", "budget", "actions", "signals",
           "lessons",
           "comparison",
           "sources"]

# the notebook's section headings the key message links to
_GOALS_SECTION = "Doelen in één oogopslag"
_AREAS_SECTION = "De wijken"
_ACTIONS_SECTION = "Afgesproken acties"

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
        """Begroot and realisatie per year (``jaar, soort, bedrag``) as known in the report
        year: a later year has its begroot amount only (``Programme.budget_as_of``)."""
        rows = []
        for line in self.programme.budget_as_of(self.year):
            rows.append({"jaar": line.jaar, "soort": "begroot", "bedrag": line.begroot})
            if line.realisatie is not None:
                rows.append({"jaar": line.jaar, "soort": "realisatie", "bedrag": line.realisatie})
        return pd.DataFrame(rows, columns=["jaar", "soort", "bedrag"])

    def actions(self) -> pd.DataFrame:
        """The programme's agreed actions, each with whether it is on time at the end
        of the report year (``helpers.analysis.loop.agreements``)."""
        found = agreements(self.loaded.begroting, self.year)
        found = found[found["programma"] == self.programme.id]
        day = as_of(self.year)
        return pd.DataFrame({
            "Doel": found["doel"], "Actie": found["actie"], "Wie": found["wie"],
            "Gereed": found["gereed"], "Status": found["status"],
            f"Op {day:%d-%m-%Y}": [f"over tijd ({d} dagen)" if s == "over tijd" else s
                                   for s, d in zip(found["stand"], found["dagen_over"],
                                                   strict=True)],
        }).reset_index(drop=True)

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
    raise StuurkitError(f"De parameter programme = {programme_id!r} is geen programma van "
                        f"{loaded.source}; kies een van: {known}.")


def start(workspace: str, programme: str, year: int) -> ProgrammeMonitor:
    """Open the workspace, find the programme, set up charts and show the header."""
    prepare(workspace)  # a user's mistake: a short Dutch message
    ws, facts = common.load(workspace)
    view = monitor(ws, facts, programme, year)
    common.setup_charts(ws)
    p = view.programme
    holder = f" · {p.portefeuillehouder}" if p.portefeuillehouder else ""
    common.header(f"Programmamonitor {p.naam}", ws,
                  f"programma {p.id}{holder} · verslagjaar {year}")
    return view


def key_message(monitor: ProgrammeMonitor) -> HTML:
    """The conclusion first: the programme's goals per status, the wijken and buurten
    with a signal about its indicators and its actions, in one sentence and as tiles
    linking to their sections."""
    goals = monitor.goals
    words, tiles = common.goal_summary(goals["status"] if not goals.empty else [],
                                       _GOALS_SECTION)
    found = common.signals_of(monitor.facts, monitor.loaded, monitor.year)
    areas = common.signal_areas(found[found["programma"] == monitor.programme.id])
    parts = [f"{monitor.programme.naam}: {words}"]
    if any(areas.values()):
        parts.append(f"signalen over {common.areas_phrase(areas)}")
    for level, label in (("wijk", ("wijk met een signaal", "wijken met een signaal")),
                         ("buurt", ("buurt met een signaal", "buurten met een signaal"))):
        if areas[level]:
            tiles.append(common.Tile(areas[level], label[areas[level] != 1], _AREAS_SECTION))
    statuses = list(monitor.actions()["Status"])
    if statuses:
        counts = {s: statuses.count(s) for s in model.ACTION_STATUSES if s in statuses}
        parts.append(common.counted(len(statuses), "actie", "acties") + ": " + ", ".join(
            f"{n} {status}" for status, n in counts.items()))
        tiles += [common.Tile(n, status, _ACTIONS_SECTION, status=True)
                  for status, n in counts.items()]
    return common.key_message("; ".join(parts) + ".", tiles)


def goals_table(monitor: ProgrammeMonitor) -> tables.Table | HTML:
    """Every goal indicator: baseline, target, now, trend, status, owner."""
    goals = monitor.goals
    if goals.empty:
        return monitor.no_goals()
    frame = pd.DataFrame({
        "Doel": goals["doel"] + " " + goals["titel"], "Indicator": goals["label"],
        # a baseline or target with more decimals than the indicator is written unrounded
        "Nulmeting": [f"{format_number(v, target_decimals(v, d))} ({y})" for v, d, y in zip(
            goals["nulmeting"], goals["decimals"], goals["nulmeting_jaar"], strict=True)],
        "Streefwaarde": [f"{format_number(v, target_decimals(v, d))} ({y})" for v, d, y in zip(
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


def budget(monitor: ProgrammeMonitor) -> alt.Chart | Markdown | HTML:
    """Begroot against realisatie per year up to the report year; a later year shows its
    begroting only, and a sentence under the chart says so."""
    data = monitor.budget()
    if data.empty:
        return Markdown("*Geen budget opgenomen in de begroting.*")
    chart = charts.budget(data, monitor.programme.budget_eenheid)
    later = sorted(int(y) for y in data.loc[data["jaar"] > monitor.year, "jaar"].unique())
    if not later:
        return chart
    display(chart)
    years = str(later[0]) if len(later) == 1 else f"{later[0]}–{later[-1]}"
    return common.sentence(f"Voor {years}, na verslagjaar {monitor.year}, staat alleen het "
                           "begrote bedrag (begroting); de realisatie van die jaren hoort niet "
                           "bij dit verslag.", emphasis=True)


def actions(monitor: ProgrammeMonitor) -> HTML | tables.Table:
    """The agreed actions with who, when and their status."""
    frame = monitor.actions()
    if frame.empty:
        return common.sentence("Er zijn geen acties afgesproken.")
    return tables.frame_table(frame, f"Afgesproken acties {monitor.programme.naam}",
                              badges=("Status",))


def signals(monitor: ProgrammeMonitor) -> HTML | tables.Table:
    """Every early warning about this programme: its goals (off course, target year
    near, missed), its agreements and duiding (the steering loop) and its indicators in
    the wijken — each with what it is based on."""
    found = common.signals_of(monitor.facts, monitor.loaded, monitor.year)
    found = found[found["programma"] == monitor.programme.id]
    return tables.signal_table(found, f"Signalen {monitor.programme.naam} ({monitor.year})",
                               area_links=common.links(monitor.workspace, monitor.year).areas())


def lessons(monitor: ProgrammeMonitor) -> HTML | tables.Table:
    """The learning log: per goal what was decided and what would be done next, from
    the front matter of its duiding files (``besluit``, ``vervolgactie``, ``datum``),
    newest first, up to the report year."""
    rows = []
    for goal in monitor.programme.doelen:
        per_year = monitor.loaded.lessons.of_goal(goal.id)  # reads this goal's files only
        for year in sorted((y for y in per_year if y <= monitor.year), reverse=True):
            meta = per_year[year]
            rows.append({"Doel": f"{goal.id} {goal.titel}", "Jaar": str(year),
                         "Besluit": meta.get("besluit"),
                         "Vervolgactie": meta.get("vervolgactie"),
                         "Datum": meta.get("datum")})
    if not rows:
        return common.sentence(
            "Nog geen lessen vastgelegd. Begin een duidingsbestand (duiding/<jaar>/<doel>.md) "
            "met besluit, vervolgactie en datum tussen twee regels ---, dan staat hier per "
            "doel hoe erop is gestuurd.", emphasis=True)
    return tables.frame_table(pd.DataFrame(rows), f"Besluiten en vervolgacties "
                                                  f"{monitor.programme.naam}, nieuwste eerst",
                              row_header="Doel")


def comparison(monitor: ProgrammeMonitor) -> None:
    """The programme's gemeente-wide goal indicators against Nederland and every peer
    group (``helpers.reports.comparison``)."""
    peer_section(monitor.workspace, monitor.year, goal_indicators(
        [monitor.programme], monitor.facts.gemeente))


def sources(monitor: ProgrammeMonitor) -> HTML:
    """Where the figures come from."""
    return common.sources(monitor.workspace, monitor.facts.catalogue)
