"""Disclosure control, applied to observations before anything is drawn or published.

Primary suppression, per indicator ``min_count`` from the catalogue: a computed value
(count, proportion, rate) is suppressed when its numerator is between 1 and
``min_count - 1``, or its denominator is below ``min_count``.

Complementary suppression: a suppressed part could be recovered from its parent's total
minus the other parts (buurten of a wijk, wijken of the gemeente). So in every group of
siblings with exactly one suppressed value, the sibling with the smallest numerator is
suppressed too; when no sibling is left to hide it, the parent is suppressed. This is
repeated until no group has a lone suppressed value.

A suppressed row keeps no value, numerator or denominator, so no chart or table built
from it can reveal the small count. Values that CBS already kept secret (``.``) arrive
with status ``secret`` and stay missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import model
from helpers.indicators.catalogue import Catalogue

__all__ = ["suppress", "lone_suppressions"]

_GROUP = ["indicator", "year", "parent"]


class _Coded:
    """Observations and hierarchy on integer codes: indicator, year and area of every row,
    and the parent links between area codes (only links whose child and parent both
    occur in the observations matter)."""

    def __init__(self, obs: pd.DataFrame, hierarchy: pd.DataFrame | None = None):
        self.indicator, self.indicators = pd.factorize(obs["indicator"], use_na_sentinel=False)
        if hierarchy is None:
            return
        self.area, self.areas = pd.factorize(obs["area_code"], use_na_sentinel=False)
        self.year = obs["year"].to_numpy()
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

    def frame(self, rows: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame({"row": rows, "indicator": self.indicator[rows],
                             "year": self.year[rows], "area": self.area[rows]})

    def lone(self, suppressed: np.ndarray, shown: np.ndarray) -> pd.DataFrame:
        """(indicator, year, parent) groups with one suppressed child and a shown parent."""
        children = self.frame(np.flatnonzero(suppressed)).merge(
            self.links, on=["year", "area"], how="inner")
        counts = children.groupby(_GROUP).size()
        lone = counts[counts == 1].reset_index()[_GROUP]
        if lone.empty:
            return lone
        candidates = np.flatnonzero(shown & np.isin(self.area, lone["parent"].unique()))
        parents = self.frame(candidates).rename(columns={"area": "parent"})
        return lone.merge(parents[_GROUP].drop_duplicates(), on=_GROUP, how="inner")

    def complement(self, lone: pd.DataFrame, shown: np.ndarray,
                   numerator: np.ndarray) -> np.ndarray:
        """Rows to suppress so that no lone group stays recoverable: per group the shown
        sibling with the smallest numerator, else the parent itself."""
        groups = self.links.merge(lone[["year", "parent"]].drop_duplicates(),
                                  on=["year", "parent"])
        near = np.flatnonzero(np.isin(self.indicator, lone["indicator"].unique())
                              & np.isin(self.area, groups["area"].unique()))
        candidates = self.frame(near).merge(self.links, on=["year", "area"], how="inner").merge(
            lone, on=_GROUP, how="inner")
        candidates = candidates[shown[candidates["row"].to_numpy()]]
        candidates = candidates.assign(numerator=numerator[candidates["row"].to_numpy()])
        picked = candidates.sort_values("numerator", na_position="last").groupby(
            _GROUP).head(1)
        uncovered = lone.merge(picked[_GROUP].drop_duplicates(), on=_GROUP, how="left",
                               indicator=True)
        uncovered = uncovered.loc[uncovered["_merge"] == "left_only", _GROUP]
        extra = picked["row"].to_numpy()
        if len(uncovered):
            rows = np.flatnonzero(np.isin(self.area, uncovered["parent"].unique()))
            parents = self.frame(rows).rename(columns={"area": "parent"}).merge(
                uncovered, on=_GROUP, how="inner")
            extra = np.concatenate([extra, parents["row"].to_numpy()])
        return extra


def _primary(obs: pd.DataFrame, threshold: np.ndarray) -> np.ndarray:
    num = obs["numerator"].to_numpy(dtype=float)
    den = obs["denominator"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        small = ((num > 0) & (num < threshold)) | (~np.isnan(den) & (den < threshold))
    return small & (threshold > 0)


def lone_suppressions(obs: pd.DataFrame, hierarchy: pd.DataFrame) -> pd.DataFrame:
    """Groups (indicator, year, parent) with exactly one suppressed child and a shown parent."""
    coded = _Coded(obs, hierarchy)
    status = obs["status"]
    lone = coded.lone((status == model.SUPPRESSED).to_numpy(), status.isin(model.USABLE).to_numpy())
    if lone.empty:
        return pd.DataFrame({"indicator": obs["indicator"].iloc[:0],
                             "year": obs["year"].iloc[:0], "parent": hierarchy["parent"].iloc[:0]
                             }).reset_index(drop=True)
    return pd.DataFrame({
        "indicator": pd.Series(coded.indicators.take(lone["indicator"].to_numpy())),
        "year": lone["year"].to_numpy(),
        "parent": pd.Series(coded.areas.take(lone["parent"].to_numpy())),
    }).sort_values(_GROUP).reset_index(drop=True)


def suppress(observations: pd.DataFrame, catalogue: Catalogue,
             hierarchy: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return a copy with small counts suppressed (status ``suppressed``, no numbers).

    Works on integer codes of indicator, year and area; only the groups that hold a
    suppressed cell are looked at in each round of complementary suppression.
    """
    coded = _Coded(observations, hierarchy)
    hide = _primary(observations, coded.per_row(catalogue, "min_count", 0).astype(float))
    if hierarchy is not None:
        computed = coded.per_row(catalogue, "computed", False).astype(bool)
        status = observations["status"]
        suppressed = computed & (hide | (status == model.SUPPRESSED).to_numpy())
        shown = computed & ~hide & status.isin(model.USABLE).to_numpy()
        numerator = observations["numerator"].to_numpy(dtype=float)
        for _ in range(10):
            lone = coded.lone(suppressed, shown)
            if lone.empty:
                break
            extra = coded.complement(lone, shown, numerator)
            hide[extra] = True
            suppressed[extra] = computed[extra]
            shown[extra] = False
    # a new frame of the unchanged columns and the masked ones (no copy of the rest)
    changed = {c: observations[c].mask(hide) for c in ("value", "numerator", "denominator")}
    changed["status"] = observations["status"].mask(hide, model.SUPPRESSED)
    return pd.DataFrame({c: changed.get(c, observations[c]) for c in observations.columns},
                        index=observations.index, copy=False)
