"""The datakwaliteit report (``notebooks/90_datakwaliteit.ipynb``): coverage per source
and year, secret, missing and suppressed shares, stale data, boundary and code changes,
names that did not map, and the raw files with their provenance.

``start`` opens the workspace and shows the header; every other function is one section.
"""

from __future__ import annotations

from dataclasses import dataclass

from IPython.display import HTML

from helpers import model
from helpers.analysis import quality
from helpers.indicators.facts import Facts
from helpers.numbers import format_number
from helpers.presentation import tables
from helpers.reports import common
from helpers.reports.errors import prepare
from helpers.workspace import Workspace
from helpers.workspace.check import unmapped_names
from helpers.workspace.provenance import retrieved

__all__ = ["Datakwaliteit", "start", "key_message", "coverage", "status_shares", "stale",
           "boundary_changes", "unmapped", "comparisons", "provenance"]

# the notebook's section headings the key message links to
_SHARES_SECTION = "Geheim, ontbrekend en onderdrukt"
_STALE_SECTION = "Actualiteit"
_CHANGES_SECTION = "Grens- en codewijzigingen"
_UNMAPPED_SECTION = "Ongekoppelde namen"


@dataclass(frozen=True)
class Datakwaliteit:
    """A workspace's data, looked at in one reference year."""

    workspace: Workspace
    facts: Facts
    year: int


def start(workspace: str, year: int) -> Datakwaliteit:
    """Open the workspace, set up charts and show the header of the quality report."""
    prepare(workspace)  # a user's mistake: a short Dutch message
    ws, facts = common.load(workspace)
    common.setup_charts(ws)
    common.header("Datakwaliteit", ws, f"bronnen, dekking en actualiteit · peiljaar {year}")
    return Datakwaliteit(ws, facts, year)


def key_message(report: Datakwaliteit) -> HTML:
    """The conclusion first: the usable share of the reference year's figures, the stale
    indicators, the boundary and code changes and the names without a mapping, in one
    sentence and as tiles linking to their sections."""
    ws, facts = report.workspace, report.facts
    obs = facts.observations
    year = obs[obs["year"] == report.year]
    usable = 100 * year["status"].isin(model.USABLE).mean() if len(year) else None
    stale_n = len(quality.stale(obs, facts.catalogue, facts.gemeente, report.year))
    changes_n = len(quality.boundary_changes(ws.variables_raw, facts.area_names,
                                             ws.code_changes))
    unmapped_n = len(quality.unmapped(unmapped_names(ws)))
    parts = []
    if usable is not None:
        parts.append(f"{format_number(usable, 0)}% van de waarnemingen van {report.year} is "
                     "bruikbaar")
    parts += [common.counted(stale_n, "indicator verouderd of ontbrekend",
                             "indicatoren verouderd of ontbrekend"),
              common.counted(changes_n, "grens- of codewijziging", "grens- of codewijzigingen"),
              common.counted(unmapped_n, "ongekoppelde naam", "ongekoppelde namen")]
    text = "; ".join(parts) + "."
    shares = [] if usable is None else [common.Tile(usable, "bruikbaar", _SHARES_SECTION,
                                                     unit="%")]
    tiles = shares + [common.Tile(stale_n, "verouderd of ontbrekend", _STALE_SECTION),
              common.Tile(changes_n, "grens- of codewijzigingen", _CHANGES_SECTION),
              common.Tile(unmapped_n, "ongekoppelde namen", _UNMAPPED_SECTION)]
    return common.key_message(text[0].upper() + text[1:], tiles)


def coverage(report: Datakwaliteit) -> tables.Table:
    """Per source and year: areas, variables, cells and the share that is usable."""
    return tables.frame_table(quality.coverage(report.workspace.variables_raw),
                              "Dekking per bron en jaar",
                              numeric={"gebieden": 0, "variabelen": 0, "cellen": 0,
                                       "bruikbaar_pct": 1})


def status_shares(report: Datakwaliteit) -> tables.Table:
    """Per year and level the shares of usable, secret, missing and suppressed values."""
    return tables.frame_table(quality.status_shares(report.facts.observations),
                              "Aandeel waarnemingen per status (%), per jaar en niveau",
                              numeric={"bruikbaar_pct": 1, "geheim_pct": 1,
                                       "ontbreekt_pct": 1, "onderdrukt_pct": 1})


def stale(report: Datakwaliteit) -> HTML | tables.Table:
    """Indicators whose newest value is older than they allow."""
    facts = report.facts
    frame = quality.stale(facts.observations, facts.catalogue, facts.gemeente, report.year)
    if frame.empty:
        return common.sentence("Alle indicatoren zijn actueel.")
    return tables.frame_table(frame, f"Verouderde of ontbrekende gegevens ({report.year})")


def boundary_changes(report: Datakwaliteit) -> HTML | tables.Table:
    """Areas whose boundary or code changed, and what that means for their series."""
    ws = report.workspace
    frame = quality.boundary_changes(ws.variables_raw, report.facts.area_names,
                                     ws.code_changes)
    if frame.empty:
        return common.sentence("Geen grens- of codewijzigingen.")
    return tables.frame_table(frame, "Grens- en codewijzigingen (ind_wbi)")


def unmapped(report: Datakwaliteit) -> HTML | tables.Table:
    """Column names of the sources that are not in the variable mapping."""
    frame = quality.unmapped(unmapped_names(report.workspace))
    if frame.empty:
        return common.sentence("Alle variabelen zijn gekoppeld.")
    return tables.frame_table(frame, "Namen zonder koppeling in de variabelentabel")


def comparisons(report: Datakwaliteit) -> HTML | tables.Table:
    """The comparisons with Nederland and similar gemeenten that could not be made for
    the budget's gemeente-wide goal indicators, and why."""
    from helpers.reports import comparison

    ws = report.workspace
    budget = common.budget(ws, report.facts)
    indicators = comparison.goal_indicators(budget.begroting.programmas, ws.gemeente)
    found = comparison.missing(ws, report.year, indicators)
    if found.empty:
        return common.sentence("Alle vergelijkingen met Nederland en vergelijkbare "
                               "gemeenten konden worden gemaakt.")
    return tables.frame_table(found, f"Vergelijkingen die niet konden worden gemaakt "
                                     f"({report.year})", row_header="Vergelijking")


def provenance(report: Datakwaliteit) -> tables.Table:
    """The raw files with where they came from (a download day nobody recorded: onbekend)."""
    entries = [{**e, "retrieved": retrieved(e)} for e in report.workspace.provenance]
    return tables.frame_table(quality.provenance(entries),
                              "Bronbestanden en herkomst")
