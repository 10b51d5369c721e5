"""Catalogue indicators computed from tidy source variables into observations.

Observations (one row per area × year × indicator) have the columns
``area_code, level, year, indicator, value, numerator, denominator, status, source``.

* count / proportion / rate: ``value = numerator / denominator × scale`` with both
  kept, so comparisons and confidence intervals can use them. Variables that exist only
  at buurt level (the gemeente's own registrations) are first summed to wijk and
  gemeente — numerators and denominators are summed, percentages never averaged.
* mean / median / index: taken as published at each level (cannot be re-aggregated).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.catalogue import Catalogue

__all__ = ["OBSERVATION_COLUMNS", "aggregate_up", "compute"]

OBSERVATION_COLUMNS = [
    "area_code", "level", "year", "indicator", "value", "numerator", "denominator",
    "status", "source",
]
_CHILD = {"wijk": "buurt", "gemeente": "wijk"}
_STATUS_RANK = {"ok": 0, "provisional": 1, "missing": 2, "secret": 3}


def aggregate_up(variables: pd.DataFrame, parents: pd.DataFrame) -> pd.DataFrame:
    """Add wijk and gemeente sums for variables that only exist at lower levels.

    Parameters
    ----------
    variables : tidy rows (see ``helpers.sources.kwb.TIDY_COLUMNS``).
    parents : ``year, code, parent, level`` — the area hierarchy valid in each year.

    A sum is only as good as its parts: when any part is missing or secret the sum is
    marked with that status and has no value.
    """
    out = [variables]
    current = variables
    names = {v: k for k, v in _STATUS_RANK.items()}
    for level in ("wijk", "gemeente"):
        child = _CHILD[level]
        have = current.loc[current["level"] == level, ["variable", "year"]].drop_duplicates()
        rows = current[current["level"] == child]
        rows = rows.merge(have.assign(_present=True), on=["variable", "year"], how="left")
        rows = rows[rows["_present"].isna()].drop(columns="_present")
        if rows.empty:
            continue
        links = parents.loc[parents["level"] == child, ["year", "code", "parent"]]
        rows = rows.merge(links.rename(columns={"code": "area_code"}),
                          on=["year", "area_code"], how="inner")
        rows["_rank"] = rows["status"].map(_STATUS_RANK).fillna(2)
        summed = rows.groupby(["parent", "year", "variable"], as_index=False).agg(
            value=("value", "sum"), worst=("_rank", "max"), source=("source", "first"))
        summed["status"] = summed["worst"].map(names)
        summed.loc[summed["worst"] >= 2, "value"] = np.nan
        summed = summed.rename(columns={"parent": "area_code"}).drop(columns="worst")
        summed["level"] = level
        out.append(summed)
        current = pd.concat([current, summed], ignore_index=True)
    return pd.concat(out, ignore_index=True)


def _wide(variables: pd.DataFrame, names: list[str]) -> tuple[pd.DataFrame, pd.DataFrame,
                                                                pd.DataFrame]:
    subset = variables[variables["variable"].isin(names)]
    keys = ["area_code", "level", "year", "variable"]
    # few distinct statuses and sources: categories make the pivot cheap at scale
    indexed = subset.assign(status=subset["status"].astype("category"),
                            source=subset["source"].astype("category")
                            ).set_index(keys)[["value", "status", "source"]]
    if indexed.index.has_duplicates:  # one variable from two sources: the first wins
        indexed = indexed[~indexed.index.duplicated(keep="first")]
    wide = indexed.unstack("variable")
    value = wide["value"]
    status = wide["status"].astype(object)
    source = wide["source"].astype(object)
    return value, status, source


def _combine_status(*statuses: pd.Series) -> pd.Series:
    ranks = pd.concat([s.map(_STATUS_RANK).fillna(2) for s in statuses], axis=1).max(axis=1)
    return ranks.map({v: k for k, v in _STATUS_RANK.items()})


def compute(variables: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Compute every catalogue indicator for every area and year present."""
    names = sorted({v for ind in catalogue.values() for v in ind.inputs})
    value_all, status_all, source_all = _wide(variables, names)
    levels = value_all.index.get_level_values("level")
    subsets: dict[tuple[str, ...], tuple] = {}
    frames = []
    for ind in catalogue.values():
        if not any(name in value_all.columns for name in ind.inputs):
            continue  # no input anywhere: nothing to compute
        key = tuple(ind.levels)
        if key not in subsets:  # the rows of these levels, selected once
            mask = np.asarray(levels.isin(ind.levels))
            value, status, source = value_all[mask], status_all[mask], source_all[mask]
            subsets[key] = (value, status, source, pd.Series(np.nan, index=value.index),
                            pd.Series("missing", index=value.index))
        value, status, source, empty, none = subsets[key]

        def col(frame, name, default):
            return frame[name] if name in frame.columns else default

        if ind.computed:
            num = col(value, ind.numerator, empty)
            num_status = col(status, ind.numerator, none)
            src = col(source, ind.numerator, empty)
            if ind.denominators:
                parts = ind.denominators
                den = sum(col(value, d, empty) for d in parts)
                st = _combine_status(num_status, *(col(status, d, none) for d in parts))
                with np.errstate(divide="ignore", invalid="ignore"):
                    val = num / den.where(den > 0) * ind.scale
                den_src = col(source, parts[0], empty)
                src = src.where(src == den_src, src.astype(str) + "; " + den_src.astype(str))
            else:
                den = empty
                st = num_status
                val = num * ind.scale
        else:
            val = col(value, ind.variable, empty)
            st = col(status, ind.variable, none)
            num = den = empty
            src = col(source, ind.variable, empty)
        frame = pd.DataFrame({
            "indicator": ind.id, "value": val, "numerator": num, "denominator": den,
            "status": st.fillna("missing"), "source": src,
        }, index=value.index)
        frame = frame[frame["source"].notna() | frame["value"].notna()].reset_index()
        frame.loc[frame["value"].isna() & frame["status"].isin(["ok", "provisional"]),
                  "status"] = "missing"
        frames.append(frame)
    obs = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=OBSERVATION_COLUMNS)
    obs["year"] = obs["year"].astype(int)
    for c in ("value", "numerator", "denominator"):
        obs[c] = obs[c].astype(float)
    return obs[OBSERVATION_COLUMNS].sort_values(["indicator", "area_code", "year"]).reset_index(
        drop=True)
