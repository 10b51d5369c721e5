"""Every gemeente's indicators, for comparisons with Nederland and with peers.

``of(ws)`` computes every catalogue indicator for the gemeente rows of all gemeenten
that the workspace's national files hold (``helpers.workspace.national``), with the same
disclosure control as the workspace's own figures (``suppress``; at gemeente level
alone there is no hierarchy to complement in), and the years from which a gemeente's
series is broken by a merger; and the indicators of Nederland as CBS publishes them
(the files' ``NL00`` rows: ``country``), computed and controlled the same way. Made once
per workspace object, like ``facts.of``.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from helpers import model
from helpers.indicators import catalogue as catalogues
from helpers.indicators.catalogue import Catalogue
from helpers.indicators.computation import compute
from helpers.indicators.disclosure import suppress
from helpers.workspace import Workspace, reads
from helpers.workspace import national as files

__all__ = ["National", "of"]


@dataclass(frozen=True, eq=False)
class National:
    """The gemeente level of the whole country, as frames."""

    gemeente: str  # the workspace's own gemeente
    catalogue: Catalogue
    variables: pd.DataFrame  # tidy, every gemeente (the structure peers are chosen on)
    observations: pd.DataFrame  # model.OBSERVATION_COLUMNS, disclosure control applied
    mergers: pd.DataFrame  # code, year, reason (``helpers.workspace.national.mergers``)
    conflicts: tuple = ()  # precedence.Conflict: files that disagree, and what is shown
    # Nederland's indicators from the files' NL00 rows (``model.OBSERVATION_COLUMNS``,
    # level ``model.COUNTRY_LEVEL``): what CBS publishes for the country
    country: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=model.OBSERVATION_COLUMNS))

    @property
    def empty(self) -> bool:
        """True when the workspace holds no national file (only its own gemeente)."""
        return self.variables.empty

    @cached_property
    def names(self) -> dict[str, str]:
        """Gemeente code → its newest name in the files."""
        if model.AREA_NAME not in self.variables:
            return {}
        named = self.variables.dropna(subset=[model.AREA_NAME])
        return dict(zip(named["area_code"], named[model.AREA_NAME], strict=True))

    @property
    def years(self) -> list[int]:
        """The years with figures (a year of a provincie table alone has none)."""
        figures = self.variables[self.variables["variable"] != model.PROVINCIE_VARIABLE]
        return sorted(int(y) for y in figures["year"].unique())

    def comparable(self, code: str, years: list[int]) -> list[int]:
        """The ``years`` of ``code``'s series from its newest merger on."""
        since = self.mergers.loc[self.mergers["code"] == code, "year"]
        return [y for y in years if not len(since) or y >= since.max()]


_MADE: weakref.WeakKeyDictionary[Workspace, tuple[National, dict]] = (
    weakref.WeakKeyDictionary())


def of(ws: Workspace) -> National:
    """The national figures of a workspace (see the module docstring)."""
    kept = _MADE.get(ws)
    if kept is None:
        with reads.capture() as got:  # recorded again for every report that uses them
            found = _made(ws)
        kept = _MADE[ws] = (found, got)
    reads.replay(kept[1])
    return kept[0]


def _made(ws: Workspace) -> National:
    """The national figures of a workspace, computed."""
    catalogue = catalogues.for_workspace(ws)
    tidy, land, conflicts = files.combined(ws)
    country = _country(land, catalogue)
    if tidy.empty:
        observations = pd.DataFrame(columns=model.OBSERVATION_COLUMNS)
        merged = pd.DataFrame(columns=["code", "year", "reason"])
    else:
        observations = suppress(compute(tidy.drop(columns=model.AREA_NAME,
                                                  errors="ignore"), catalogue), catalogue)
        observations = observations[observations["level"] == "gemeente"]
        model.validate(observations, "observations",
                       f"{ws.root}: the indicators of every gemeente")
        merged = files.mergers(tidy, files.areas(ws))
    return National(ws.gemeente, catalogue, tidy, observations.reset_index(drop=True),
                    merged, tuple(conflicts), country)


def _country(land: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """The indicators of the files' NL00 rows, each computed from the country's own
    figures as a gemeente's are from its own (and put through the same disclosure
    control), at level ``model.COUNTRY_LEVEL``."""
    if land.empty:
        return pd.DataFrame(columns=model.OBSERVATION_COLUMNS)
    # computed as one area of the gemeente level: an indicator's rule for a gemeente is
    # the rule for any area that is not split into parts here
    found = suppress(compute(land.assign(level="gemeente"), catalogue), catalogue)
    found = found[found["level"] == "gemeente"].assign(level=model.COUNTRY_LEVEL)
    return found.reset_index(drop=True)
