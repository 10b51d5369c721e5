"""Observations in groups, on integer codes (read by ``disclosure``): the siblings under a
parent, a suppressed parent whose children are all shown, and the complements that
protect them.

``Coded`` holds the indicator, year and area of every observation as integer codes and
the parent links between the areas; each group is found with numpy on those codes (a
national publication has millions of observations, and merging their string columns
costs more than the rest). ``categorical`` gives the same observations with categorical
code columns, which the LP audit reads on their codes.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from helpers import model
from helpers.indicators.catalogue import Catalogue
from helpers.indicators.lp_arrays import pairs

__all__ = ["Coded", "GROUP"]

GROUP = ["indicator", "year", "parent"]
"""The key of a group of siblings: an indicator in a year under one parent."""


class Coded:
    """Observations and hierarchy on integer codes: indicator, year and area of every row,
    and the parent links between area codes (only links whose child and parent both
    occur in the observations matter)."""

    def __init__(self, obs: pd.DataFrame, hierarchy: pd.DataFrame | None = None):
        self.indicator, self.indicators = pd.factorize(obs["indicator"], use_na_sentinel=False)
        self.area, self.areas = pd.factorize(obs["area_code"], use_na_sentinel=False)
        self.year = obs["year"].to_numpy()
        if hierarchy is None:
            self.links = pd.DataFrame({"year": [], "area": [], "parent": []}, dtype=int)
            return
        areas = pd.Index(self.areas)
        links = pd.DataFrame({"year": hierarchy["year"].to_numpy(),
                              "area": areas.get_indexer(hierarchy["code"]),
                              "parent": areas.get_indexer(hierarchy["parent"])})
        links.loc[hierarchy["parent"].isna().to_numpy(), "parent"] = -1
        self.links = links[(links["area"] >= 0) & (links["parent"] >= 0)]

    def per_row(self, catalogue: Catalogue, attribute: str, default) -> np.ndarray:
        """A catalogue attribute per row (``default`` for indicators not in it)."""
        values = [getattr(catalogue[i], attribute) if i in catalogue else default
                  for i in self.indicators]
        return np.asarray(values + [default])[self.indicator]

    def categorical(self, obs: pd.DataFrame) -> pd.DataFrame:
        """``obs`` with indicator, area and status as categoricals (status with
        ``suppressed`` among its categories): the same rows, which the LP audit reads on
        their codes instead of factorising millions of strings again."""
        status, statuses = pd.factorize(obs["status"])
        columns = {"status": pd.Categorical.from_codes(status, categories=pd.Index(
            statuses).union([model.SUPPRESSED], sort=False))}
        for name, codes, values in (("indicator", self.indicator, self.indicators),
                                    ("area_code", self.area, self.areas)):
            if not pd.isna(values).any():
                columns[name] = pd.Categorical.from_codes(codes, categories=values)
        return obs.assign(**columns)

    def frame(self, rows: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame({"row": rows, "indicator": self.indicator[rows],
                             "year": self.year[rows], "area": self.area[rows]})

    def lone(self, suppressed: np.ndarray, shown: np.ndarray) -> pd.DataFrame:
        """(indicator, year, parent) groups with one suppressed child and a shown parent."""
        return self.unprotected(suppressed, shown, None, None, None)

    def unprotected(self, suppressed: np.ndarray, shown: np.ndarray,
                    numerator: np.ndarray | None, denominator: np.ndarray | None,
                    threshold: np.ndarray | None) -> pd.DataFrame:
        """Groups (indicator, year, parent) under a shown parent whose suppressed children
        do not protect each other: one alone, or (with the true numbers given) numerators
        or denominators that add up to less than the threshold. Adds ``gap``: how much
        numerator a complement must bring."""
        children = self.frame(np.flatnonzero(suppressed)).merge(
            self.links, on=["year", "area"], how="inner")
        rows = children["row"].to_numpy()
        if numerator is None:
            children = children.assign(num=np.inf, den=np.inf, den_n=0, limit=0.0)
        else:
            children = children.assign(num=numerator[rows], den=denominator[rows],
                                       den_n=~np.isnan(denominator[rows]), limit=threshold[rows])
        groups = children.groupby(GROUP).agg(n=("row", "size"), num=("num", "sum"),
                                              den=("den", "sum"), den_n=("den_n", "sum"),
                                              limit=("limit", "max"))
        weak = (groups["n"] == 1) | (groups["num"] < groups["limit"]) | (
            (groups["den_n"] > 0) & (groups["den"] < groups["limit"]))
        lone = groups[weak].reset_index()
        lone["gap"] = np.maximum(lone["limit"] - lone["num"].where(np.isfinite(lone["num"]), 0),
                                 1.0)
        lone = lone[[*GROUP, "gap"]]
        if lone.empty:
            return lone
        candidates = np.flatnonzero(shown & np.isin(self.area, lone["parent"].unique()))
        parents = self.frame(candidates).rename(columns={"area": "parent"})
        return lone.merge(parents[GROUP].drop_duplicates(), on=GROUP, how="inner")

    @cached_property
    def _kin(self) -> tuple[np.ndarray, ...]:
        """Every row of an area with a parent in its year, on integer keys (the same every
        round): the row, its (year code, parent) key, the year code of every row, and per
        (year code, parent) key how many children the parent has."""
        years, year = _year_codes(self.year)
        n, link_year = len(self.areas), self.links["year"].to_numpy()
        at = np.minimum(np.searchsorted(years, link_year), max(len(years) - 1, 0))
        ok = years[at] == link_year if len(years) else np.zeros(len(at), dtype=bool)
        parent = self.links["parent"].to_numpy()[ok]
        row, link = _joined(year * n + self.area, at[ok] * n + self.links["area"].to_numpy()[ok])
        family = year[row] * n + parent[link]
        return row, family, year, np.bincount(at[ok] * n + parent, minlength=len(years) * n)

    def hidden_parents(self, suppressed: np.ndarray, shown: np.ndarray,
                       threshold: np.ndarray) -> pd.DataFrame:
        """Groups (indicator, year, parent) whose parent is suppressed while every one of
        its children is shown: the parent is their sum. ``gap``: the parent's
        ``min_count`` (a complement must bring that much)."""
        row, family, year, size = self._kin
        kid = shown[row]
        count = np.bincount(self.indicator[row[kid]] * len(size) + family[kid],
                            minlength=len(self.indicators) * len(size))
        complete = (count > 0) & (count == np.tile(size, len(self.indicators)))
        found = np.flatnonzero(suppressed)
        found = found[complete[self.indicator[found] * len(size)
                               + year[found] * len(self.areas) + self.area[found]]]
        return pd.DataFrame({"indicator": self.indicator[found], "year": self.year[found],
                             "parent": self.area[found],
                             "gap": np.maximum(threshold[found], 1.0)})

    def complement(self, lone: pd.DataFrame, shown: np.ndarray,
                   numerator: np.ndarray) -> np.ndarray:
        """Rows to suppress so that no unprotected group stays so: per group the shown
        sibling with the smallest numerator that closes its gap (else the largest),
        else the parent itself."""
        groups = self.links.merge(lone[["year", "parent"]].drop_duplicates(),
                                  on=["year", "parent"])
        near = np.flatnonzero(np.isin(self.indicator, lone["indicator"].unique())
                              & np.isin(self.area, groups["area"].unique()))
        candidates = self.frame(near).merge(self.links, on=["year", "area"], how="inner").merge(
            lone, on=GROUP, how="inner")
        candidates = candidates[shown[candidates["row"].to_numpy()]]
        number = numerator[candidates["row"].to_numpy()]
        short = ~(number >= candidates["gap"].to_numpy())  # NaN counts as short
        candidates = candidates.assign(short=short, order=np.where(short, -number, number))
        picked = candidates.sort_values(["short", "order"], na_position="last").groupby(
            GROUP).head(1)
        uncovered = lone[GROUP].merge(picked[GROUP].drop_duplicates(), on=GROUP, how="left",
                                       indicator=True)
        uncovered = uncovered.loc[uncovered["_merge"] == "left_only", GROUP]
        extra = picked["row"].to_numpy()
        if len(uncovered):
            rows = np.flatnonzero(np.isin(self.area, uncovered["parent"].unique()))
            parents = self.frame(rows).rename(columns={"area": "parent"}).merge(
                uncovered, on=GROUP, how="inner")
            extra = np.concatenate([extra, parents["row"].to_numpy()])
        return extra


def _year_codes(year: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(year, return_inverse=True)`` of calendar years, without sorting."""
    if not len(year):
        return np.unique(year, return_inverse=True)
    low = int(year.min())
    present = np.bincount(year - low) > 0
    return np.flatnonzero(present) + low, (np.cumsum(present) - 1)[year - low]


def _joined(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pairs`` of small non-negative integer keys: through a table of the right side's
    keys where each occurs once (the hierarchy names one parent per area and year)."""
    size = int(max(left.max(initial=-1), right.max(initial=-1))) + 1
    if size > 4 * (len(left) + len(right)) + 1_000_000 or (
            len(right) and np.bincount(right, minlength=size).max() > 1):
        return pairs(left, right)
    at = np.full(size, -1, dtype=np.int64)
    at[right] = np.arange(len(right))
    found = at[left]
    row = np.flatnonzero(found >= 0)
    return row, found[row]
