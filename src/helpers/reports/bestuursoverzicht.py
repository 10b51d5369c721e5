"""The bestuursoverzicht (``notebooks/30_bestuursoverzicht.ipynb``): every programme's
goals at a glance, the most important signals, the agreements, what changed since last
year and where the gemeente stands among similar gemeenten — two printed A4 pages for
the college and the council (the sources are in the page's footer; the details in the
programmamonitors, wijkprofielen and Datakwaliteit, which it links to).

``start`` opens the workspace, evaluates every programme and shows the header; every
other function is one section of the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd
from IPython.display import HTML, display

from helpers.analysis import goals as goal_analysis
from helpers.analysis import loop
from helpers.analysis.signals import AREA_KIND, GOAL_KINDS, STALE, signals
from helpers.indicators.facts import Facts
from helpers.numbers import format_number
from helpers.presentation import tables
from helpers.reports import common
from helpers.reports.comparison import goal_indicators
from helpers.reports.comparison import section as peer_section
from helpers.reports.errors import prepare
from helpers.workspace import Workspace
from helpers.workspace.begroting import LoadedProgramme

__all__ = ["Overview", "start", "key_message", "status_table", "top_signals",
           "changes", "agreements", "overdue_owners", "comparison"]

# signals shown per kind (``signals.SEVERITY``) in the overview, and where the rest are
TOP_SIGNALS = 5  # rows of the signals table: the overview prints on two A4 pages
_FOUND_IN = {**dict.fromkeys(GOAL_KINDS, "de programmamonitors"),
             **dict.fromkeys(AREA_KIND.values(), "de wijkprofielen"),
             STALE: "het rapport Datakwaliteit",
             **dict.fromkeys(loop.KINDS, "de programmamonitors")}

# the notebook's section headings the key message links to
_GOALS_SECTION = "Stand van de doelen"
_SIGNALS_SECTION = "Belangrijkste signalen"

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
        return signals(self.facts, self.loaded.begroting, self.year, self.loaded.duiding)

    @cached_property
    def links(self) -> common.Links:
        """The other reports of the schedule, to link to."""
        return common.links(self.workspace, self.year,
                            [p.id for p in self.loaded.begroting.programmas])

    def status_counts(self) -> pd.DataFrame:
        """Per programme the number of goal indicators per target status."""
        return goal_analysis.status_counts(self.goals)

    def changes(self) -> pd.DataFrame:
        """Goal indicators whose status or newest value changed since last year."""
        return goal_analysis.changes(self.goals, self.previous)


def start(workspace: str, year: int) -> Overview:
    """Open the workspace, evaluate every programme, set up charts, show the header."""
    prepare(workspace)  # a user's mistake: a short Dutch message
    ws, facts = common.load(workspace)
    view = Overview(ws, facts, common.budget(ws, facts), year)
    common.setup_charts(ws)
    common.header("Bestuursoverzicht", ws,
                  f"alle programma's in één oogopslag · verslagjaar {year}")
    return view


def key_message(view: Overview) -> HTML:
    """The conclusion first: goals per status, the wijken and buurten with a signal and
    the number of signals, in one sentence and as tiles linking to their sections."""
    goals = view.goals
    words, tiles = common.goal_summary(goals["status"] if not goals.empty else [],
                                       _GOALS_SECTION)
    areas = common.signal_areas(view.signals)
    total = len(view.signals)
    sentence = f"{words[0].upper()}{words[1:]}; {common.counted(total, 'signaal', 'signalen')}"
    if any(areas.values()):
        sentence += f", over {common.areas_phrase(areas)}"
    tiles.append(common.Tile(total, "signalen" if total != 1 else "signaal", _SIGNALS_SECTION))
    for level, label in (("wijk", ("wijk met een signaal", "wijken met een signaal")),
                         ("buurt", ("buurt met een signaal", "buurten met een signaal"))):
        if areas[level]:
            tiles.append(common.Tile(areas[level], label[areas[level] != 1], _SIGNALS_SECTION))
    return common.key_message(sentence + ".", tiles)


def status_table(view: Overview) -> tables.Table | HTML:
    """Per programme the number of goal indicators per status; each programme links to
    its programmamonitor when the schedule makes one."""
    counts = view.status_counts()
    if counts.empty:
        return common.sentence(f"De begroting ({view.loaded.source.name}) bevat nog geen "
                               "doelen.", emphasis=True)
    ids = {p.naam: p.id for p in view.loaded.begroting.programmas}
    monitors = [view.links.programme(ids[name]) if name in ids else None
                for name in counts["programma"]]
    return tables.frame_table(counts.rename(columns={"programma": "Programma"}),
                              f"Doelen per programma naar status, verslagjaar {view.year}",
                              row_header="Programma", links={"Programma": monitors})


def top_signals(view: Overview, limit: int = TOP_SIGNALS) -> HTML | tables.Table:
    """The most severe early warnings, at most ``limit`` (the page is read in ten
    seconds and printed on two): first the most severe of each kind, so that no kind
    (stale data, say) is crowded out by another, then the next most severe. A sentence
    says how many of each kind are left out, and in which report they are."""
    found = view.signals
    first = found.groupby("soort", sort=False).head(1).head(limit)
    rest = found.drop(first.index).head(max(0, limit - len(first)))
    shown = found.loc[sorted([*first.index, *rest.index])]
    table = tables.signal_table(shown, f"De belangrijkste signalen ({view.year}): de "
                                       f"ernstigste van elke soort, ten hoogste {limit}; "
                                       "waarop elk is gebaseerd, staat in het rapport dat "
                                       "erover gaat", area_links=view.links.areas(),
                                basis=False)
    left = found.drop(shown.index)["soort"].map(
        lambda kind: _FOUND_IN.get(kind, "de andere rapporten")).value_counts(sort=False)
    if left.empty:
        return table
    display(table)
    parts = [f"{n} in {where}" for where, n in left.items()]
    listing = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]
    total = int(left.sum())
    return common.sentence(f"Niet getoond: nog {total} {'signaal' if total == 1 else 'signalen'}"
                           f" — {listing}.")


def _measured(value, decimals, year) -> str:
    """A goal's value with the year it was measured in ("72,8 (2024)"), or "–"."""
    return f"{format_number(value, int(decimals))} ({int(year)})" if pd.notna(year) else "–"


def _change(difference, decimals) -> str:
    """The change of a shown value, signed ("+0,9", "-1,2"; "0,0": only the status moved)."""
    if pd.isna(difference):
        return "–"
    return ("+" if difference > 0 else "") + format_number(difference, int(decimals))


def changes(view: Overview) -> HTML | tables.Table:
    """Goal indicators whose status or shown value changed since last year: the value and
    status of both years and the change; a sentence when nothing changed."""
    changed = view.changes()
    before, now = view.year - 1, view.year
    if changed.empty:
        return common.sentence(f"Geen veranderingen ten opzichte van {before}: elk doel heeft "
                               "dezelfde status en dezelfde waarde als een jaar eerder.")
    decimals = changed["decimals"]
    frame = pd.DataFrame({
        "Doel": changed["doel"] + " " + changed["titel"], "Indicator": changed["label"],
        f"Waarde {before}": [_measured(v, d, y) for v, d, y in zip(
            changed["waarde_vorig"], decimals, changed["jaar_vorig"], strict=True)],
        f"Waarde {now}": [_measured(v, d, y) for v, d, y in zip(
            changed["waarde"], decimals, changed["jaar"], strict=True)],
        "Verandering": [_change(v, d) for v, d in zip(changed["verschil"], decimals,
                                                      strict=True)],
        f"Status {before}": changed["status_vorig"], f"Status {now}": changed["status"],
    })
    catalogue = view.facts.catalogue
    return tables.frame_table(frame, f"Wat is veranderd sinds {before}: doelen waarvan de "
                                     "status of de waarde veranderde",
                              badges=(f"Status {before}", f"Status {now}"),
                              row_header="Doel",
                              indicators=[catalogue[i] for i in changed["indicator"]],
                              value_columns=(f"Waarde {before}", f"Waarde {now}"))


def agreements(view: Overview) -> HTML | tables.Table:
    """The agreed actions per programme: done, on time, overdue, dropped — each
    programme linking to its monitor, where every action is listed."""
    found = loop.agreements(view.loaded.begroting, view.year)
    if found.empty:
        return common.sentence("Er zijn geen acties afgesproken.")
    counts = loop.agreement_counts(found, "programma_naam")
    ids = {p.naam: p.id for p in view.loaded.begroting.programmas}
    day = loop.as_of(view.year)
    return tables.frame_table(
        counts.rename(columns={"programma_naam": "Programma"}),
        f"Afgesproken acties per programma op {day:%d-%m-%Y}",
        row_header="Programma",
        links={"Programma": [view.links.programme(ids[n]) if n in ids else None
                             for n in counts["programma_naam"]]})


def overdue_owners(view: Overview) -> HTML:
    """Who holds agreements past their date, in one sentence (the programmamonitors list
    every action with its owner)."""
    found = loop.agreements(view.loaded.begroting, view.year)
    late = found[found["stand"] == "over tijd"]
    day = loop.as_of(view.year)
    if late.empty:
        return common.sentence(f"Op {day:%d-%m-%Y} is geen afgesproken actie over tijd.")
    counts = loop.agreement_counts(late, "wie")
    named = [f"{who} ({n})" for who, n in zip(counts["wie"], counts["over tijd"],
                                               strict=True)]
    return common.sentence(f"Over tijd op {day:%d-%m-%Y}, per eigenaar: "
                           + ", ".join(named) + ".")


def comparison(view: Overview) -> None:
    """The gemeente's goal indicators against Nederland and its main peer group."""
    peer_section(view.workspace, view.year, goal_indicators(
        view.loaded.begroting.programmas, view.facts.gemeente), main_only=True)
