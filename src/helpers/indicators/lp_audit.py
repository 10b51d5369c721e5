"""An audit of disclosure control by linear programming: what can be recovered of a
suppressed count from everything that is published.

For every suppressed observation of a computed indicator, ``intervals`` finds the
smallest and largest value its numerator count can take that is consistent with the
published observations (HiGHS through ``scipy.optimize.linprog``). The unknowns are the
counts of every source variable per area and year — as the kit holds them, so a CBS
count is the rounded one. What is published constrains them:

* **shown observations**: their numerator and denominator (a denominator list, as the
  opleiding indicators have, is the sum); a value without a count behind it (CBS's
  rounded percentage) pins ``scale × numerator / denominator`` to within the page's
  rounding (``decimals``), which is linear in both counts;
* **all levels**: a wijk's count is the sum of its buurten, the gemeente's the sum of its
  wijken (``hierarchy``), for every variable;
* **linked tables**: a total and its breakdowns (``LINKED_TABLES``: the five age groups
  add up to the inwoners, …), per area and year;
* every count is at least 0, and the numerator of a proportion (a part of its
  denominator) at most its denominator.

A count that CBS rounds (every published value of that variable at that level a multiple
of ``ROUNDED_TO``) makes a sum hold only to within its rounding: a relation over k such
counts may be off by ``ROUNDED_TO × k`` (CBS and the demo round at random to a multiple
of 5, so one held count may be up to 5 from the exact figure). Counts that are not
rounded — the gemeente's own registrations and the sums the kit makes of them — add up
exactly. Integrality is relaxed: the bounds are those of real-valued counts, so an
interval may be up to one unit wider than the integers in it. The tolerance is per
relation; a formulation with one exact figure per cell shared by all its relations would
be tighter where rounded relations share cells (not done: the rounded CBS counts make
such cells loose either way).

Every number a page or its Excel workbook shows is one of the shown observations,
rounded (``helpers.publish.audit`` checks the workbook against its page), and the audit
takes their numerators and denominators as published exactly: it bounds what the
published files give away. Means, medians and indices (``variable`` indicators) are not
modelled; none of them is a count the kit suppresses.

The problem falls apart into small independent pieces: a published count is a
constant, so only the unknown counts that share a relation are solved together
(connected components of the constraint graph); each piece takes two LPs per
suppressed cell in it. ``Auditor`` keeps the problem between the rounds of
``disclosure``: a publication that suppresses a few more cells changes only the pieces
those cells (and the rows they drop) belong to, and only those are solved again — the
intervals are exactly those of a fresh ``audit``, which builds and solves everything.

**Protection rule** (``audit``, with the true numbers): a suppressed count ``n`` with
``1 ≤ n < min_count`` (the primary rule of ``disclosure``) is *pinned* when its interval
is narrower than ``min_count`` — then it can be read off within ±``min_count``/2 and
told to be a small count. A count can never be hidden beyond its own denominator (a
buurt of 6 inwoners has at most 6 65-plussers, and its inwoners are published): there the
interval must span the denominator (``min(min_count, denominator)``). Two suppressed
siblings whose sum is published (a wijk total) are protected exactly when that sum is at
least ``min_count`` — the rule ``disclosure`` uses.

Examples
--------
>>> found = audit(truth, facts.observations, facts.catalogue, facts.hierarchy)  # doctest: +SKIP
>>> int(found["pinned"].sum())  # doctest: +SKIP
0
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from helpers.indicators.catalogue import Catalogue
from helpers.indicators.lp_problem import TINY, Problem, Relations

__all__ = ["LINKED_TABLES", "ROUNDED_TO", "intervals", "audit", "Auditor", "of_workspace",
           "Relations"]

log = logging.getLogger(__name__)

LINKED_TABLES: Relations = {
    # name: (total, breakdowns that add up to it), per area and year; the variables of
    # sources/kwb_variables.csv whose StatLine paths share a parent and cover it
    "leeftijdsgroepen": ("a_inw", ("a_00_14", "a_15_24", "a_25_44", "a_45_64", "a_65_oo")),
    "geslacht": ("a_inw", ("a_man", "a_vrouw")),
    "burgerlijke staat": ("a_inw", ("a_ongeh", "a_gehuwd", "a_gesch", "a_verwed")),
    "herkomstland": ("a_inw", ("a_nl_all", "a_eur_al", "a_neu_al")),
    "niet-westerse migratieachtergrond": (
        "a_nw_all", ("a_marok", "a_antaru", "a_suri", "a_tur", "a_ov_nw")),
    "huishoudens": ("a_hh", ("a_1p_hh", "a_hh_z_k", "a_hh_m_k")),
    "brandstof": ("a_pau", ("a_bst_b", "a_bst_nb")),
    "bedrijfsvestigingen": ("a_bedv", ("a_bed_a", "a_bed_bf", "a_bed_gi", "a_bed_hj",
                                       "a_bed_kl", "a_bed_mn", "a_bed_oq", "a_bed_ru")),
}
"""The linked tables, named once: read here and by ``disclosure``."""

ROUNDED_TO = 5.0
"""CBS's rounding of counts below gemeente level (see the module docstring)."""

def _suppressed_cells(problem: Problem) -> pd.DataFrame:
    """One row per suppressed cell (variable, area, year), in that order: its cell
    number, its level, the indicators suppressed there and the largest ``min_count``
    among them."""
    rows = problem.rows
    at = np.flatnonzero(rows.suppressed)
    indicator = rows.indicator[at]
    cell = problem.cell(problem.numerator_of[indicator], rows.area[at], rows.year[at])
    names = problem.indicator_index
    order = np.lexsort((np.argsort(np.argsort(names.to_numpy(dtype=object)))[indicator], cell))
    cell, indicator, level = cell[order], indicator[order], rows.level[at][order]
    cells, first = np.unique(cell, return_index=True)
    # the names, joined where a cell has more than one (few do)
    joined = names.to_numpy(dtype=object)[indicator[first]]
    several = np.flatnonzero(np.diff(np.append(first, len(cell))) > 1)
    if len(several):
        more = np.isin(cell, cells[several])
        joined[several] = pd.Series(names.take(indicator[more]), dtype=object).groupby(
            cell[more], sort=True).agg(", ".join).to_numpy()
    min_count = np.maximum.reduceat(problem.min_count_of[indicator], first) if len(cell) else (
        np.array([], dtype=int))
    level = level[first]
    levels = problem.levels.to_numpy(dtype=object)
    return pd.DataFrame({
        "variable": problem.variables.take(problem.cell_variable[cells]).astype(object),
        "area_code": problem.areas.take(problem.cell_area[cells]).astype(object),
        "year": problem.years[problem.cell_year[cells]],
        "level": np.where(level >= 0, levels[np.maximum(level, 0)], None),
        "indicators": joined, "min_count": min_count.astype(int),
        "cell": cells})


def _bounded(problem: Problem, cells: pd.DataFrame) -> pd.DataFrame:
    low, high, lps = problem.solve(cells["cell"].to_numpy())
    log.info("lp_audit: %d suppressed cells, %d LPs", len(cells), lps)
    return cells.assign(low=low, high=high).drop(columns="cell")


def intervals(published: pd.DataFrame, catalogue: Catalogue, hierarchy: pd.DataFrame,
              relations: Relations | None = None, rounded_to: float = ROUNDED_TO
              ) -> pd.DataFrame:
    """For every suppressed observation of a computed indicator, the interval
    ``[low, high]`` of its numerator count consistent with everything published (see
    the module docstring). One row per cell (variable, area, year), with the indicators
    suppressed there; ``high`` is ``inf`` when nothing bounds it. ``rounded_to=0``
    takes every count as exact (an adversary who knows the unrounded figures).

    Examples
    --------
    >>> intervals(facts.observations, facts.catalogue, facts.hierarchy).head()  # doctest: +SKIP
    """
    problem = Problem(published, catalogue, hierarchy,
                       LINKED_TABLES if relations is None else relations, rounded_to)
    return _bounded(problem, _suppressed_cells(problem))


class Auditor:
    """``audit`` of one set of observations published again and again, as the rounds of
    ``disclosure`` do (each suppresses a few more cells): the LP problem is built once
    and updated, and only the pieces that changed since the last audit are solved again
    (``Problem.republish``) — the intervals are those a fresh ``audit`` gives.

    Examples
    --------
    >>> auditor = Auditor(truth, facts.catalogue, facts.hierarchy)  # doctest: +SKIP
    >>> first = auditor.audit(published, sensitive_only=True)  # doctest: +SKIP
    >>> second = auditor.audit(published_again, sensitive_only=True)  # doctest: +SKIP
    """

    def __init__(self, truth: pd.DataFrame, catalogue: Catalogue, hierarchy: pd.DataFrame,
                 relations: Relations | None = None, rounded_to: float = ROUNDED_TO):
        self.truth, self.catalogue, self.hierarchy = truth, catalogue, hierarchy
        self.relations = LINKED_TABLES if relations is None else relations
        self.rounded_to = rounded_to
        self.problem: Problem | None = None

    def audit(self, published: pd.DataFrame, sensitive_only: bool = False) -> pd.DataFrame:
        """``audit`` of ``published`` (the same observations as before, in the same
        order) against the truth."""
        if self.problem is None:
            self.problem = Problem(published, self.catalogue, self.hierarchy, self.relations,
                                   self.rounded_to, truth=self.truth)
            self.truth = None  # held by the problem as counts per cell
        else:
            self.problem.republish(published)
        return _judged(self.problem, sensitive_only)


def _judged(problem: Problem, sensitive_only: bool) -> pd.DataFrame:
    found = _suppressed_cells(problem)
    cell = found["cell"].to_numpy()
    found["value"] = problem.truth["value"][cell]
    found["denominator"] = problem.truth["denominator"][cell]
    value = found["value"].to_numpy(dtype=float)
    limit = found["min_count"].to_numpy(dtype=float)
    sensitive = (value >= 1) & (value < limit)
    if sensitive_only:
        found, value, limit = found[sensitive], value[sensitive], limit[sensitive]
        sensitive = sensitive[sensitive]
    found = _bounded(problem, found.reset_index(drop=True))
    required = np.fmin(limit, found["denominator"].to_numpy(dtype=float))
    width = found["high"].to_numpy(dtype=float) - found["low"].to_numpy(dtype=float)
    return found.assign(
        sensitive=sensitive, required=required,
        contains=np.isnan(value) | ((found["low"] - TINY <= value)
                                    & (value <= found["high"] + TINY)),
        pinned=sensitive & (width < required - TINY))


def audit(truth: pd.DataFrame, published: pd.DataFrame, catalogue: Catalogue,
          hierarchy: pd.DataFrame, relations: Relations | None = None,
          rounded_to: float = ROUNDED_TO, sensitive_only: bool = False) -> pd.DataFrame:
    """``intervals`` of the published observations judged against the true numbers
    (``truth``: the same observations before disclosure control; which counts are
    rounded is judged from them). Adds per cell the true count ``value``, whether it is
    ``sensitive`` (``1 ≤ value < min_count``), the width ``required`` by the protection
    rule (``min(min_count, denominator)``), whether the interval ``contains`` the true
    count (it must: else the audit is wrong) and whether the cell is ``pinned``
    (sensitive, and its interval narrower than required). ``sensitive_only`` bounds
    only the sensitive cells (the others get no row): what ``disclosure`` asks.

    Examples
    --------
    >>> found = audit(truth, facts.observations, facts.catalogue, facts.hierarchy)  # doctest: +SKIP
    >>> found.loc[found["pinned"], ["area_code", "indicators", "low", "high"]]  # doctest: +SKIP
    """
    return Auditor(truth, catalogue, hierarchy, relations, rounded_to).audit(
        published, sensitive_only)


def of_workspace(ws) -> pd.DataFrame:
    """``audit`` of a workspace's published observations (``facts.of``) against its
    true numbers (the same sums and indicators before disclosure control). Every number
    a page or its Excel workbook shows is one of these observations, rounded
    (``helpers.publish.audit`` checks the workbook against its page), so the audit of
    the observations bounds what the published files give away."""
    from helpers.indicators import facts

    found = facts.of(ws)
    truth = facts.unprotected(ws, found.catalogue, found.hierarchy)
    return audit(truth, found.observations, found.catalogue, found.hierarchy)
