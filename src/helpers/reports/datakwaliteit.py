"""The datakwaliteit report (``notebooks/90_datakwaliteit.ipynb``): coverage per source
and year, secret, missing and suppressed shares, stale data, boundary and code changes,
names that did not map, and the raw files with their provenance.

``start`` opens the workspace and shows the header; every other function is one section.
"""

from __future__ import annotations

from dataclasses import dataclass

from IPython.display import HTML

from helpers.analysis import quality
from helpers.indicators.facts import Facts
from helpers.presentation import tables
from helpers.reports import common
from helpers.workspace import Workspace
from helpers.workspace.check import unmapped_names
from helpers.workspace.provenance import retrieved

__all__ = ["Datakwaliteit", "start", "coverage", "status_shares", "stale", "boundary_changes",
           "unmapped", "provenance"]


@dataclass(frozen=True)
class Datakwaliteit:
    """A workspace's data, looked at in one reference year."""

    workspace: Workspace
    facts: Facts
    year: int


def start(workspace: str, year: int) -> Datakwaliteit:
    """Open the workspace, set up charts and show the header of the quality report."""
    ws, facts = common.load(workspace)
    common.setup_charts(ws)
    common.header("Datakwaliteit", ws, f"bronnen, dekking en actualiteit · peiljaar {year}")
    return Datakwaliteit(ws, facts, year)


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


def provenance(report: Datakwaliteit) -> tables.Table:
    """The raw files with where they came from (a download day nobody recorded: onbekend)."""
    entries = [{**e, "retrieved": retrieved(e)} for e in report.workspace.provenance]
    return tables.frame_table(quality.provenance(entries),
                              "Bronbestanden en herkomst")
