"""The verkenner (``notebooks/00_verkenner.ipynb``): pick an indicator, year, level and
area; map, trend and ranking follow.

``Explorer`` holds the state and makes the three views; it knows nothing of widgets and
is unit-tested directly. ``start`` builds the ipywidgets controls, shows the views in
display slots and updates those slots in place when a control changes.

An indicator without figures at the chosen level (also the notebook's default, in a
workspace that lacks its source) is a normal state: the year control then offers only
the chosen year, and each view says in Dutch that there are no figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import geopandas as gpd
import pandas as pd
from IPython.display import HTML, display

from helpers import memo, model
from helpers.analysis.stats import compare_with_parent
from helpers.errors import StuurkitError
from helpers.indicators.facts import Facts
from helpers.numbers import format_number
from helpers.presentation import charts, maps, tables
from helpers.presentation.declare import declare
from helpers.reports import common
from helpers.reports.errors import prepare
from helpers.workspace import Workspace

__all__ = ["Explorer", "start"]

LEVELS = model.SUB_LEVELS


@dataclass
class Explorer:
    """State of the verkenner and the views that follow from it."""

    workspace: Workspace
    facts: Facts
    indicator: str
    year: int
    level: str = "wijk"
    area: str | None = None

    def __post_init__(self) -> None:
        self.set(indicator=self.indicator, year=self.year, level=self.level, area=self.area)

    # ------------------------------------------------------------ options
    def indicator_options(self) -> list[tuple[str, str]]:
        """(label, id) of every indicator available at the current level."""
        return [(f"{i.theme}: {i.label}", i.id) for i in self.facts.catalogue.values()
                if self.level in i.levels]

    def _keep(self, key: tuple, make):
        """What a change asks several times (the options, each view), kept with the
        facts (``helpers.memo``; they do not change): per indicator, per (indicator,
        level) and per (year, level). Only read, never changed."""
        return memo.kept(self.facts, ("verkenner", *key), make)

    def _rows(self) -> pd.DataFrame:
        """The observations of the indicator, every year (kept: read, never changed)."""
        return self._keep(("rows", self.indicator),
                          lambda: self.facts.of_indicator(self.indicator))

    def _usable(self) -> pd.DataFrame:
        """``Facts.usable`` of the indicator (kept: read, never changed)."""
        return self._keep(("usable", self.indicator),
                          lambda: self.facts.usable(self.indicator))

    def _areas(self) -> gpd.GeoDataFrame:
        """The areas of the current year and level (kept: read, never changed)."""
        return self._keep(("areas", self.year, self.level),
                          lambda: self.facts.areas_for(self.year, self.level))

    def year_options(self) -> list[int]:
        """The years with a usable value of the indicator at the current level."""
        def make() -> tuple[int, ...]:
            usable = self._usable()
            usable = usable[usable["level"] == self.level]
            return tuple(sorted(int(y) for y in usable["year"].unique()))
        return list(self._keep(("years", self.indicator, self.level), make))

    def year_choices(self) -> list[int]:
        """What the year control offers: ``year_options``, or the chosen year alone when
        the indicator has no figures at this level (the views then say so)."""
        return self.year_options() or [self.year]

    def has_data(self) -> bool:
        """Whether the indicator has a usable value at the current level in any year."""
        return bool(self.year_options())

    def area_options(self) -> list[tuple[str, str]]:
        def make() -> tuple[tuple[str, str], ...]:
            areas = self._areas().sort_values("name")
            return tuple((f"{n} ({c})", c) for c, n in zip(areas["code"], areas["name"],
                                                             strict=True))
        return list(self._keep(("area_options", self.year, self.level), make))

    # ------------------------------------------------------------ state
    def set(self, **changes) -> None:
        """Change the state; keeps it consistent: an area of the wrong level is dropped,
        and a level change keeps the indicator when it exists at the new level and
        otherwise takes the first one of the same theme there (then any)."""
        catalogue = self.facts.catalogue
        indicator = changes.get("indicator", self.indicator)
        if indicator not in catalogue:
            raise StuurkitError(f"Indicator {indicator!r} staat niet in de catalogus; kies er "
                                "een uit de lijst.")
        level = changes.get("level", self.level)
        if level not in LEVELS:
            raise StuurkitError(f"Niveau {level!r} bestaat niet; kies "
                                f"{' of '.join(LEVELS)}.")
        if level not in catalogue[indicator].levels:
            if "indicator" in changes and level == self.level:
                raise StuurkitError(f"{catalogue[indicator].label} heeft geen cijfers per "
                                    f"{level}; kies een ander niveau.")
            theme = catalogue[indicator].theme
            there = [i for i in catalogue.values() if level in i.levels]
            if not there:
                raise StuurkitError(f"Er zijn geen indicatoren per {level}; kies een ander "
                                    "niveau.")
            indicator = next((i.id for i in there if i.theme == theme), there[0].id)
        self.indicator, self.level = indicator, level
        years = self.year_options()
        year = int(changes.get("year", self.year))
        self.year = year if year in years else (years[-1] if years else year)
        area = changes.get("area", self.area)
        self.area = area if area in {c for _, c in self.area_options()} else None

    # ------------------------------------------------------------ views
    def values(self) -> pd.DataFrame:
        rows = self._rows()
        return rows[rows["year"] == self.year]

    def compared(self) -> pd.DataFrame:
        """``compare_with_parent`` of every indicator in the current year (each row is
        compared on its own: the same rows as comparing one indicator's values; one
        comparison costs about what a whole year costs, pandas' per-call work, so a
        change of indicator or level only selects)."""
        def make() -> pd.DataFrame:
            obs = self.facts.observations
            return compare_with_parent(obs[obs["year"] == self.year], self.facts.catalogue,
                                       self.facts.hierarchy)
        return self._keep(("compared", self.year), make)

    def _no_data(self) -> HTML:
        ind = self.facts.catalogue[self.indicator]
        return common.sentence(f"Geen gegevens: er zijn geen cijfers van {ind.label.lower()} "
                               f"per {self.level}. Kies een andere indicator of een ander "
                               "niveau.", emphasis=True)

    def map(self) -> alt.LayerChart | HTML:
        if not self.has_data():
            return self._no_data()
        ind = self.facts.catalogue[self.indicator]
        rows = self.values()
        rows = rows[rows["level"] == self.level].rename(columns={"area_code": "code"})
        return declare(maps.choropleth(
            self._areas(), rows,
            f"{ind.label} per {self.level} ({self.year})", ind.unit, ind.decimals,
            highlight=self.area, water=self.workspace.water), {"waarde": [ind]})

    def trend(self) -> alt.Chart | HTML:
        facts = self.facts
        ind = facts.catalogue[self.indicator]
        codes = [facts.gemeente] + ([self.area] if self.area else [])
        names = {facts.gemeente: facts.gemeente_name}
        if self.area:
            names[self.area] = facts.name(self.area)
        rows = self._usable()
        rows = rows[rows["area_code"].isin(codes)]
        data = pd.DataFrame({"jaar": rows["year"], "waarde": rows["value"].round(3),
                             "gebied": rows["area_code"].map(names)})
        if data.empty:  # the chart's "geen gegevens" note: no values to declare
            return charts.area_trend(data, ind.label, ind.unit, list(names.values()))
        return declare(charts.area_trend(data, ind.label, ind.unit, list(names.values())),
                       {"waarde": [ind]})

    def ranking(self) -> HTML | tables.Table:
        if not self.has_data():
            return self._no_data()
        facts = self.facts
        ind = facts.catalogue[self.indicator]
        compared = self.compared()
        rows = compared[(compared["indicator"] == self.indicator)
                        & (compared["level"] == self.level)]
        names = facts.area_names
        rows = rows.sort_values("value", ascending=ind.polarity == "lower_is_better",
                                na_position="last")
        frame = pd.DataFrame({
            "Gebied": [f"▶ {names.get(c, c)}" if c == self.area else names.get(c, c)
                       for c in rows["area_code"]],
            "Waarde": [format_number(v, ind.decimals, s) for v, s in
                       zip(rows["value"], rows["status"], strict=True)],
            "Verschil met omliggend gebied (95%)": rows["vergelijking_95"],
        })
        return tables.frame_table(frame, f"{ind.label} ({ind.unit}) per {self.level}, "
                                         f"{self.year}", badges=(
                                             "Verschil met omliggend gebied (95%)",),
                                  row_header="Gebied", indicators=[ind] * len(frame),
                                  value_columns=("Waarde",))


def start(workspace: str, indicator: str, year: int, level: str) -> Explorer:
    """Show the verkenner's controls and views; returns the explorer (its state)."""
    prepare(workspace)  # a user's mistake: a short Dutch message
    import ipywidgets as widgets

    ws, facts = common.load(workspace)
    explorer = Explorer(ws, facts, indicator, year, level)
    common.setup_charts(ws)
    common.header("Verkenner", ws, "kies een indicator, jaar, niveau en gebied")
    pick_indicator = widgets.Dropdown(options=explorer.indicator_options(),
                                      value=explorer.indicator, description="Indicator",
                                      layout=widgets.Layout(width="520px"))
    pick_year = widgets.Dropdown(options=explorer.year_choices(), value=explorer.year,
                                 description="Jaar", disabled=not explorer.has_data())
    pick_level = widgets.ToggleButtons(options=list(LEVELS), value=explorer.level,
                                       description="Niveau")
    pick_area = widgets.Dropdown(options=[("(geen)", None), *explorer.area_options()],
                                 value=explorer.area, description="Gebied")
    display(widgets.VBox([pick_indicator, widgets.HBox([pick_year, pick_level]), pick_area]))
    slots = [display(view, display_id=True) for view in
             (explorer.map(), explorer.trend(), explorer.ranking())]

    busy = {"now": False}

    def refresh(change) -> None:
        if busy["now"]:  # our own updates of options/values below
            return
        busy["now"] = True
        try:
            _refresh()
        finally:
            busy["now"] = False

    def _refresh() -> None:
        try:
            explorer.set(indicator=pick_indicator.value, year=pick_year.value,
                         level=pick_level.value, area=pick_area.value)
        except StuurkitError as exc:
            slots[0].update(common.sentence(str(exc), strong=True))
            return
        pick_indicator.options = explorer.indicator_options()
        pick_indicator.value = explorer.indicator
        pick_year.options = explorer.year_choices()
        pick_year.value = explorer.year
        pick_year.disabled = not explorer.has_data()
        pick_area.options = [("(geen)", None), *explorer.area_options()]
        pick_area.value = explorer.area
        for slot, view in zip(slots, (explorer.map(), explorer.trend(), explorer.ranking()),
                              strict=True):
            slot.update(view)

    for control in (pick_indicator, pick_year, pick_level, pick_area):
        control.observe(refresh, names="value")
    return explorer
