"""Sums of tidy variables up the area hierarchy: buurt → wijk → gemeente.

Variables that exist only at a lower level (the gemeente's own registrations per buurt)
are summed to the levels above, so that counts, numerators and denominators exist where
indicators are computed — sums of counts, never averages of percentages. A sum is only
as good as its parts: when any part is missing or secret, the sum has that status and
no value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import model

__all__ = ["aggregate_up", "codes"]


def codes(values: pd.Series, sort: bool = False) -> tuple[np.ndarray, pd.Index]:
    """Integer codes and distinct values (a missing value is a value of its own)."""
    found, distinct = pd.factorize(values, sort=sort, use_na_sentinel=False)
    return found, pd.Index(distinct)


def aggregate_up(variables: pd.DataFrame, parents: pd.DataFrame) -> pd.DataFrame:
    """Add wijk and gemeente sums for variables that only exist at lower levels.

    Parameters
    ----------
    variables : tidy rows (``model.TIDY_COLUMNS``).
    parents : ``year, code, parent, level`` — the area hierarchy valid in each year.

    A sum is only as good as its parts: when any part is missing or secret the sum is
    marked with that status and has no value.

    The rows to sum are found on integer codes of level, variable and year, so the
    (national-scale) tidy frame is never filtered or merged as a whole.
    """
    out = [variables]
    names = {v: k for k, v in model.STATUS_RANK.items()}
    var_codes, var_names = codes(variables["variable"])
    year_codes, year_values = codes(variables["year"])
    level_codes, level_names = codes(variables["level"])
    level_names = list(level_names)
    level_names += [n for n in model.BOTTOM_UP if n not in level_names]
    n_years = len(year_values)
    # per part of ``current`` (the input, then each level's sums): level, variable × year
    parts = [(variables, level_codes, var_codes * n_years + year_codes)]
    for level in model.BOTTOM_UP[1:]:  # wijk, then gemeente
        child = model.CHILD_LEVEL[level]
        code, child_code = level_names.index(level), level_names.index(child)
        have = np.zeros(len(var_names) * n_years, dtype=bool)
        for _, lv, key in parts:
            have[key[lv == code]] = True
        picked = [frame.iloc[np.flatnonzero((lv == child_code) & ~have[key])]
                  for frame, lv, key in parts]
        rows = pd.concat(picked, ignore_index=True) if len(picked) > 1 else picked[0]
        if rows.empty:
            continue
        links = parents.loc[parents["level"] == child, ["year", "code", "parent"]]
        rows = rows.merge(links.rename(columns={"code": "area_code"}),
                          on=["year", "area_code"], how="inner")
        rows["_rank"] = rows["status"].map(model.STATUS_RANK).fillna(2)
        summed = rows.groupby(["parent", "year", "variable"], as_index=False).agg(
            value=("value", "sum"), worst=("_rank", "max"), source=("source", "first"))
        summed["status"] = summed["worst"].map(names)
        summed.loc[summed["worst"] >= 2, "value"] = np.nan
        summed = summed.rename(columns={"parent": "area_code"}).drop(columns="worst")
        summed["level"] = level
        out.append(summed)
        key = (np.asarray(var_names.get_indexer(summed["variable"])) * n_years
               + np.asarray(year_values.get_indexer(summed["year"])))
        parts.append((summed, np.full(len(summed), code), key))
    return pd.concat(out, ignore_index=True)
