"""The bestuursoverzicht (``notebooks/30_bestuursoverzicht.ipynb``): every programme's
goals at a glance, the most important signals and what changed since last year — one
page for the college and the council.

``start`` opens the workspace, evaluates every programme and shows the header; every
other function is one section of the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import altair as alt
import pandas as pd
from IPython.display import HTML, Markdown

from helpers.analysis import goals as goal_analysis
from helpers.analysis.signals import signals
from helpers.indicators.facts import Facts
from helpers.numbers import format_number
from helpers.presentation import charts, tables
from helpers.presentation.declare import declare
from helpers.reports import common
from helpers.workspace import Workspace
from helpers.workspace.begroting import LoadedProgramme

__all__ = ["Overview", "start", "status_chart", "status_table", "top_signals", "changes",
           "sources"]

@dataclass
class Overview:
    """Every programme's goals at a glance, the top signals and the change on last year."""

    workspace: Workspace
    facts: Facts
    loaded: LoadedProgramme
    year: int

    @cached_property
    def goals(self) -> pd.DataFrame:
        return goal_analysis.evaluate(self.loaded.begroting, self.facts, self.year)

    @cached_property
    def previous(self) -> pd.DataFrame:
        return goal_analysis.evaluate(self.loaded.begroting, self.facts, self.year - 1)

    @cached_property
    def signals(self) -> pd.DataFrame:
        return signals(self.facts, self.loaded.begroting, self.year)

    def status_counts(self) -> pd.DataFrame:
        """Per programme the number of goal indicators per target status."""
        return goal_analysis.status_counts(self.goals)

    def changes(self) -> pd.DataFrame:
        """Goal indicators whose status or newest value changed since last year."""
        return goal_analysis.changes(self.goals, self.previous)


def start(workspace: str, year: int) -> Overview:
    """Open the workspace, evaluate every programme, set up charts, show the header."""
    ws, facts = common.load(workspace)
    view = Overview(ws, facts, common.budget(ws, facts), year)
    common.setup_charts(ws)
    common.header("Bestuursoverzicht", ws,
                  f"alle programma's in één oogopslag · verslagjaar {year}")
    return view


def status_table(view: Overview) -> tables.Table | HTML:
    """Per programme the number of goal indicators per status."""
    counts = view.status_counts()
    if counts.empty:
        return common.sentence(f"De begroting ({view.loaded.source.name}) bevat nog geen "
                               "doelen.", emphasis=True)
    return tables.frame_table(counts.rename(columns={"programma": "Programma"}),
                              f"Doelen per programma naar status, verslagjaar {view.year}",
                              row_header="Programma")


def status_chart(view: Overview) -> alt.Chart | Markdown:
    """The same as a stacked bar per programme."""
    counts = view.status_counts()
    if counts.empty:
        return Markdown("*De begroting bevat nog geen doelen.*")
    return declare(charts.status_bars(counts), {})  # numbers of goals, not of people


def top_signals(view: Overview, limit: int = 10) -> HTML | tables.Table:
    """The most severe early warnings."""
    return tables.signal_table(view.signals, f"De belangrijkste signalen ({view.year})", limit)


def changes(view: Overview) -> HTML | tables.Table:
    """Goal indicators whose status or newest value changed since last year."""
    changed = view.changes()
    if changed.empty:
        return common.sentence(f"Geen veranderingen ten opzichte van {view.year - 1}.")
    frame = pd.DataFrame({
        "Doel": changed["doel"] + " " + changed["titel"], "Indicator": changed["label"],
        f"Status {view.year - 1}": changed["status_vorig"], f"Status {view.year}":
            changed["status"],
        "Waarde": [f"{format_number(v, d)} ({int(y)})" if pd.notna(y) else "–"
                   for v, d, y in zip(changed["waarde"], changed["decimals"], changed["jaar"],
                                      strict=True)],
    })
    catalogue = view.facts.catalogue
    return tables.frame_table(frame, f"Wat is veranderd sinds {view.year - 1}",
                              badges=(f"Status {view.year - 1}", f"Status {view.year}"),
                              row_header="Doel",
                              indicators=[catalogue[i] for i in changed["indicator"]],
                              value_columns=("Waarde",))


def sources(view: Overview) -> HTML:
    """Where the figures come from."""
    return common.sources(view.workspace, view.facts.catalogue)
