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

from helpers.catalogue import Catalogue

__all__ = ["suppress", "lone_suppressions"]

_SHOWN = ("ok", "provisional")


def _primary(obs: pd.DataFrame, catalogue: Catalogue) -> pd.Series:
    threshold = obs["indicator"].map({k: v.min_count for k, v in catalogue.items()}).fillna(0)
    num, den = obs["numerator"], obs["denominator"]
    small = ((num > 0) & (num < threshold)) | (den.notna() & (den < threshold))
    return small & (threshold > 0)


def _links(hierarchy: pd.DataFrame) -> pd.DataFrame:
    return hierarchy.rename(columns={"code": "area_code"})[["year", "area_code", "parent"]]


def lone_suppressions(obs: pd.DataFrame, hierarchy: pd.DataFrame) -> pd.DataFrame:
    """Groups (indicator, year, parent) with exactly one suppressed child and a shown parent."""
    links = _links(hierarchy)
    suppressed = obs.loc[obs["status"] == "suppressed", ["indicator", "year", "area_code"]]
    children = suppressed.merge(links, on=["year", "area_code"], how="inner")
    children = children[children["parent"].notna()]
    counts = children.groupby(["indicator", "year", "parent"]).size()
    lone = counts[counts == 1].reset_index()[["indicator", "year", "parent"]]
    if lone.empty:
        return lone
    parents = obs[obs["area_code"].isin(set(lone["parent"]))
                  & obs["status"].isin(_SHOWN)][["indicator", "year", "area_code"]]
    return lone.merge(parents.rename(columns={"area_code": "parent"}),
                      on=["indicator", "year", "parent"], how="inner")


def suppress(observations: pd.DataFrame, catalogue: Catalogue,
             hierarchy: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return a copy with small counts suppressed (status ``suppressed``, no numbers)."""
    obs = observations.copy()
    computed = obs["indicator"].map({k: v.computed for k, v in catalogue.items()}).fillna(False)
    hide = _primary(obs, catalogue)
    obs.loc[hide, ["value", "numerator", "denominator"]] = np.nan
    obs.loc[hide, "status"] = "suppressed"
    if hierarchy is None:
        return obs
    links = _links(hierarchy)
    computed = computed.astype(bool)
    for _ in range(10):
        lone = lone_suppressions(obs[computed], hierarchy)
        if lone.empty:
            break
        groups = links.merge(lone[["year", "parent"]].drop_duplicates(), on=["year", "parent"])
        near = obs[obs["indicator"].isin(set(lone["indicator"]))
                   & obs["area_code"].isin(set(groups["area_code"]))].reset_index()
        candidates = near.merge(links, on=["year", "area_code"], how="inner").merge(
            lone, on=["indicator", "year", "parent"], how="inner")
        candidates = candidates[candidates["status"].isin(_SHOWN)]
        picked = candidates.sort_values("numerator", na_position="last").groupby(
            ["indicator", "year", "parent"]).head(1)
        extra = list(picked["index"])
        covered = set(map(tuple, picked[["indicator", "year", "parent"]].to_numpy()))
        for group in lone.itertuples(index=False):
            if (group.indicator, group.year, group.parent) in covered:
                continue
            parent = obs.index[(obs["indicator"] == group.indicator)
                               & (obs["year"] == group.year)
                               & (obs["area_code"] == group.parent)]
            extra.extend(parent)
        obs.loc[extra, ["value", "numerator", "denominator"]] = np.nan
        obs.loc[extra, "status"] = "suppressed"
    return obs
