"""The facts of a workspace: every frame the analysis and the reports draw on.

``Facts`` holds frames and the catalogue only — the areas of every boundary vintage,
the area hierarchy per year, the boundary breaks and the observations with disclosure
control applied — so the analysis functions that take it read no files, and tests build
one from tiny in-memory frames.

``of(ws)`` makes the facts of a workspace: its tidy variables summed up the hierarchy
(``aggregate_up``), every catalogue indicator computed (``compute``) and small counts
suppressed (``suppress``); the observations are checked against their schema before any
report can draw them. They are made once per workspace object: a warm kernel keeps an
unchanged workspace open between reports (``helpers.workspace.open_workspace``), and with
it its facts; and kept on disk for the next process while every file they were made from
is unchanged (``helpers.indicators.factstore``).

Examples
--------
>>> facts = of(open_workspace("demo"))  # doctest: +SKIP
>>> facts.name("WK990101")  # doctest: +SKIP
'Binnenstad'
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd

from helpers import model
from helpers.errors import UnknownAreaError
from helpers.indicators import catalogue as catalogues
from helpers.indicators import factstore
from helpers.indicators.aggregation import aggregate_up, count_variables
from helpers.indicators.catalogue import Catalogue
from helpers.indicators.computation import compute
from helpers.indicators.disclosure import suppress
from helpers.workspace import Workspace, reads
from helpers.workspace.core import areas_for

__all__ = ["Facts", "of"]


@dataclass(frozen=True, eq=False)
class Facts:
    """What is known of one gemeente, as frames (see the module docstring)."""

    gemeente: str  # CBS code, GM0344
    gemeente_name: str
    catalogue: Catalogue
    areas: gpd.GeoDataFrame  # model.AREA_COLUMNS, every vintage
    hierarchy: pd.DataFrame  # year, code, parent, level
    breaks: pd.Series  # area code → newest year with a boundary change (ind_wbi 3)
    observations: pd.DataFrame  # model.OBSERVATION_COLUMNS, disclosure control applied

    @cached_property
    def area_names(self) -> dict[str, str]:
        """Area code → name (for a code in several vintages: the last layer listed)."""
        return dict(zip(self.areas["code"], self.areas["name"], strict=False))

    def area(self, code: str) -> pd.Series:
        """The newest record of an area; ``UnknownAreaError`` when the kaart has none."""
        hits = self.areas[self.areas["code"] == code]
        if hits.empty:
            raise UnknownAreaError(f"Area code {code!r} is not among the areas of "
                                   f"{self.gemeente} {self.gemeente_name} (its kaart layers); "
                                   "import the kaart layer that holds it.")
        return hits.sort_values("vintage").iloc[-1]

    def name(self, code: str) -> str:
        """An area's newest name; the gemeente's own name for its code."""
        return self.gemeente_name if code == self.gemeente else str(self.area(code)["name"])

    def areas_for(self, year: int, level: str | None = None) -> gpd.GeoDataFrame:
        """The areas as they were in ``year`` (see ``helpers.workspace.core.areas_for``)."""
        return areas_for(self.areas, year, level)

    @cached_property
    def _rows_of(self) -> dict[str, np.ndarray]:
        """Per indicator the positions of its observations, in order."""
        return dict(self.observations.groupby("indicator", sort=False, observed=True).indices)

    def of_indicator(self, indicator: str) -> pd.DataFrame:
        """The observations of one indicator (the rows, index and order of filtering
        ``observations`` on it; a verkenner change selects several times)."""
        rows = self._rows_of.get(indicator, np.array([], dtype=np.intp))
        return self.observations.iloc[rows]

    def usable(self, indicator: str | None = None, area: str | None = None,
               until: int | None = None) -> pd.DataFrame:
        """Observations whose value may be shown (``model.USABLE``), optionally of one
        indicator, one area and up to a year."""
        obs = self.of_indicator(indicator) if indicator is not None else self.observations
        keep = obs["status"].isin(model.USABLE)
        if area is not None:
            keep &= obs["area_code"] == area
        if until is not None:
            keep &= obs["year"] <= until
        return obs[keep]

    def comparable(self, series: pd.DataFrame, area: str) -> pd.DataFrame:
        """The rows of one area's series from its newest boundary change on (earlier years
        are not comparable)."""
        start = self.breaks.get(area)
        return series if start is None else series[series["year"] >= start]


_MADE: weakref.WeakKeyDictionary[Workspace, tuple[Facts, dict]] = (
    weakref.WeakKeyDictionary())


def unprotected(ws: Workspace, catalogue: Catalogue, hierarchy: pd.DataFrame
                ) -> pd.DataFrame:
    """Every indicator of the workspace computed, before disclosure control: what ``of``
    suppresses in, and the true numbers ``lp_audit.of_workspace`` judges against."""
    variables = aggregate_up(ws.variables_raw, hierarchy, ws.own_variables,
                             counts=count_variables(catalogue))
    return compute(variables, catalogue)


def of(ws: Workspace) -> Facts:
    """The facts of a workspace, made once per workspace object (see the module docstring)."""
    kept = _MADE.get(ws)
    if kept is None:
        with reads.capture() as got:  # recorded again for every report that uses them
            stored = factstore.load(ws)
            if stored is None:
                catalogue = catalogues.for_workspace(ws)
                hierarchy = ws.hierarchy
                frames = {"observations": suppress(unprotected(ws, catalogue, hierarchy),
                                                   catalogue, hierarchy),
                          "hierarchy": hierarchy, "breaks": ws.breaks}
                frames = factstore.save(ws, frames, dict(got))
            else:
                frames, inputs = stored
                reads.replay(inputs)  # what they were made from, as if read now
                catalogue = catalogues.for_workspace(ws)
            model.validate(frames["observations"], "observations",
                           f"{ws.root}: the computed indicators")
            found = Facts(gemeente=ws.gemeente, gemeente_name=ws.config.gemeente.name,
                          catalogue=catalogue, areas=ws.areas, hierarchy=frames["hierarchy"],
                          breaks=frames["breaks"], observations=frames["observations"])
        kept = _MADE[ws] = (found, got)
    reads.replay(kept[1])
    return kept[0]
