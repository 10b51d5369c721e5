"""Sums of tidy variables up the area hierarchy: buurt → wijk → gemeente.

Variables that exist only at a lower level (the gemeente's own registrations per buurt)
are summed to the levels above, so that counts, numerators and denominators exist where
indicators are computed — sums of counts, never averages of percentages.

Per area, not per variable: a wijk (or the gemeente) gets the sum of its parts for a
variable and year when it has no row of its own. A sum is only as good as its parts:
all the parts the hierarchy names for that year must have a row, and when a part is
missing (no row, or a missing value) or secret, the sum has that status and no value.
An area that has a row of its own keeps it; where other areas of its level are summed
for the same variable and year, its own value must agree with the sum of its complete
parts (within rounding: less than half a unit apart), or ``aggregate_up`` refuses with
a ``DataError`` naming the area, variable, year and both values — one of the two is
wrong, and the gemeente's sum would carry the error. Where every area of a level has a
row of its own (CBS's tables, whose buurten are rounded on their own), nothing is summed
and nothing compared.

Only counts are summed. A variable that the variable mapping (``sources/
kwb_variables.csv``) gives another unit than ``aantal`` or ``ha`` — a percentage such as
the kaart's ``P_00_14_JR`` (``p_00_14``), a density, a code — or that is an average or
median by CBS's name prefix (``g_``, ``m_``) is never summed: a wijk or gemeente has such
a figure only from its own published row. Means are not weighted up (a weighted mean
would need its weight beside it in every part, and CBS publishes the wijk's and
gemeente's own means anyway); medians cannot be. Variables the mapping does not know may
be counts when they are the gemeente's own registrations (``own``), unless a row of the
variable gives a numerator and a denominator (a registered ratio, whose value is
numerator / denominator × a unit); an unmapped column of a CBS table (a StatLine
distance, an average "binnen 3 km") is never summed.

What a registration measures only the catalogue says, so every row ``aggregate_up``
makes is marked in the column ``SUMMED``: ``computation.compute`` takes a summed row as
a numerator or denominator, or as an indicator of kind ``count``, and never as a
published mean, median, index or share (buurt means 30, 20 and 40 are no wijk mean 50 and
no gemeente mean 90). The numerators and denominators are summed and the ratio is
computed from the sums. A caller that has the catalogue passes its counts
(``counts=count_variables(catalogue)``): then an unmapped variable it does not read as a
count is not summed at all, nor are its own wijk rows compared with sums of buurt means.

Examples
--------
>>> tidy = pd.DataFrame({"area_code": ["BU00010101", "BU00010102", "WK000102"],
...                      "level": ["buurt", "buurt", "wijk"], "year": 2023,
...                      "variable": "meldingen", "value": [2.0, 3.0, 7.0],
...                      "status": "ok", "source": "eigen"})
>>> links = pd.DataFrame({"year": 2023, "level": ["buurt", "buurt", "wijk", "wijk"],
...                       "code": ["BU00010101", "BU00010102", "WK000101", "WK000102"],
...                       "parent": ["WK000101", "WK000101", "GM0001", "GM0001"]})
>>> out = aggregate_up(tidy, links)
>>> out.set_index("area_code")["value"].to_dict()
{'BU00010101': 2.0, 'BU00010102': 3.0, 'WK000102': 7.0, 'WK000101': 5.0, 'GM0001': 12.0}
>>> out[SUMMED].tolist()  # the rows made here
[False, False, False, True, True]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from helpers import model
from helpers.errors import DataError
from helpers.sources import variables as varmap

if TYPE_CHECKING:
    from helpers.indicators.catalogue import Catalogue

__all__ = ["aggregate_up", "codes", "count_variables", "SUMMED"]

SUMMED = "summed"
"""Column of ``aggregate_up``'s result: ``True`` on a row it made (a sum of parts), which
``computation.compute`` uses only where a count is wanted."""

_KEYS = ["parent", "year", "variable"]
_UNUSABLE = model.STATUS_RANK[model.MISSING]  # this rank and above: no value
_SHOWN = 5  # disagreements named in one message


def codes(values: pd.Series, sort: bool = False) -> tuple[np.ndarray, pd.Index]:
    """Integer codes and distinct values (a missing value is a value of its own, last
    when sorted); a categorical's codes are read as they are (its categories that occur,
    in their order, or sorted), integers of a small range (years) through a table (in
    their order)."""
    if values.dtype.kind in "iu" and len(values):  # years: a table, no hashing or sorting
        numbers = values.to_numpy()
        low, high = int(numbers.min()), int(numbers.max())
        if high - low <= 4 * len(numbers) + 1_000:
            present = np.bincount(numbers - low, minlength=high - low + 1) > 0
            return ((np.cumsum(present) - 1)[numbers - low],
                    pd.Index(np.flatnonzero(present) + low, dtype=values.dtype))
    if not isinstance(values.dtype, pd.CategoricalDtype):
        found, distinct = pd.factorize(values, sort=sort, use_na_sentinel=False)
        return found, pd.Index(distinct)
    categories = values.cat.categories
    found = values.cat.codes.to_numpy().astype(np.intp)
    found[found < 0] = len(categories)  # missing
    present = np.bincount(found, minlength=len(categories) + 1) > 0
    distinct = categories[present[:-1]]
    if present[-1]:
        distinct = distinct.append(pd.Index([np.nan], dtype=distinct.dtype))
    found = (np.cumsum(present) - 1)[found]
    if sort and not distinct[:len(distinct) - present[-1]].is_monotonic_increasing:
        order = np.append(np.argsort(distinct[:len(distinct) - present[-1]].to_numpy(
            dtype=object), kind="stable"), np.arange(len(distinct))[len(distinct) - present[-1]:])
        rank = np.empty(len(order), dtype=np.intp)
        rank[order] = np.arange(len(order))
        distinct, found = distinct[order], rank[found]
    return found, distinct


_SUMMED_UNITS = frozenset({"aantal", "ha"})  # units of a mapped variable that add up
_NOT_SUMMED_PREFIXES = ("g_", "m_")  # CBS: gemiddelde, mediaan (g_hhgro is in "aantal")


def _ratios(variables: pd.DataFrame, var_codes: np.ndarray, n_vars: int) -> np.ndarray:
    """Per variable id: does any of its rows give a numerator and a denominator (a
    registered ratio: its value is numerator / denominator × a unit, no count)?"""
    if not {"numerator", "denominator"} <= set(variables.columns):
        return np.zeros(n_vars, dtype=bool)
    both = (variables["numerator"].notna() & variables["denominator"].notna()).to_numpy()
    return np.bincount(var_codes[both], minlength=n_vars) > 0


def count_variables(catalogue: Catalogue) -> set[str]:
    """The variables a catalogue reads as counts: every numerator and denominator, and
    the variable of an indicator of kind ``count`` (``aggregate_up``'s ``counts``)."""
    found = set()
    for ind in catalogue.values():
        if ind.computed:
            found.update([ind.numerator, *ind.denominators])
        elif ind.kind == "count":
            found.add(ind.variable)
    return found


def _summable(names: pd.Index, own: set[str] | None, counts: set[str] | None,
              ratios: np.ndarray) -> np.ndarray:
    """Per variable id: may it be summed up the hierarchy (see the module docstring)? A
    variable the mapping does not know is summed only when it is the gemeente's own
    (``own``; ``None``: every unknown one) — an unmapped CBS column may be a distance —,
    a count (``counts``; ``None``: not known) and not a registered ratio (``ratios``)."""
    units = varmap.load_mapping().units

    def summed(name: str, ratio: bool) -> bool:
        if name in units:
            return units[name] in _SUMMED_UNITS and not name.startswith(_NOT_SUMMED_PREFIXES)
        return ((own is None or name in own) and (counts is None or name in counts)
                and not ratio)

    return np.array([summed(str(name), bool(ratio))
                     for name, ratio in zip(names, ratios, strict=True)], dtype=bool)


def _disagreements(level: str, both: pd.DataFrame) -> None:
    """Refuse own rows that contradict the complete sum of their parts."""
    usable = (both["worst"] < _UNUSABLE) & both["own_status"].isin(model.USABLE)
    # CBS's kaart rounds every count to a multiple of 5, each area on its own: a sum of n
    # rounded parts may be 2.5 × (n + 1) away from the rounded whole
    fives = (both["own_value"] % 5 == 0) & (both["value"] % 5 == 0)
    allowed = np.where(fives, 2.5 * (both["parts"] + 1), 0.5 - 1e-9)
    apart = (both["value"] - both["own_value"]).abs() > allowed
    wrong = both[usable & apart]
    if wrong.empty:
        return
    shown = "; ".join(
        f"{r.parent} / {r.variable} / {r.year}: {r.own_value:g} in {r.own_source}, but its "
        f"{int(r.parts)} {model.CHILD_LEVEL[level]}en sum to {r.value:g}"
        for r in wrong.head(_SHOWN).itertuples())
    more = f" (and {len(wrong) - _SHOWN} more)" if len(wrong) > _SHOWN else ""
    raise DataError(
        f"The {level} figures contradict the sums of their parts: {shown}{more}. The kit "
        f"sums the {model.CHILD_LEVEL[level]}en for the other {level}en of these variables, "
        "so both cannot be right; correct the registration (or leave the "
        f"{level}'s own row out and let the kit sum it).")


def _of_areas(frame: pd.DataFrame, rows: np.ndarray, links: pd.DataFrame,
              year_values: pd.Index) -> np.ndarray:
    """Which of ``rows`` (positions in ``frame``) are of an area that has parts in that
    year (a parent in ``links``), on integer codes."""
    area, distinct = codes(frame["area_code"].take(rows))
    years = np.asarray(year_values.get_indexer(frame["year"].take(rows)))
    n = len(year_values)
    parent = np.asarray(distinct.get_indexer(links["parent"]))
    year = np.asarray(year_values.get_indexer(links["year"]))
    valid = np.unique((parent * n + year)[(parent >= 0) & (year >= 0)])
    return np.isin(area * n + years, valid)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """A few rows of a frame whose text columns may be categoricals, with plain text
    columns (merged and grouped as the text columns of other input are)."""
    return frame.astype({c: frame[c].cat.categories.dtype for c in frame.columns
                         if isinstance(frame[c].dtype, pd.CategoricalDtype)})


def _same_categories(parts: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """The input and its sums with one categorical dtype per categorical column of the
    input (its categories, then the new values of the sums), so that they are
    concatenated on codes instead of as millions of strings."""
    first = parts[0]
    kinds = {c: first[c].dtype for c in first.columns
             if isinstance(first[c].dtype, pd.CategoricalDtype)}
    if not kinds or len(parts) == 1:
        return parts
    for column, kind in kinds.items():
        new = pd.Index(pd.unique(pd.concat([p[column] for p in parts[1:]]).dropna()))
        new = new.difference(kind.categories, sort=False).astype(kind.categories.dtype)
        kinds[column] = pd.CategoricalDtype(kind.categories.append(new))
    return [first.astype(kinds)] + [p.astype({c: k for c, k in kinds.items() if c in p})
                                    for p in parts[1:]]


def aggregate_up(variables: pd.DataFrame, parents: pd.DataFrame,
                 own: set[str] | None = None, *,
                 counts: set[str] | None = None) -> pd.DataFrame:
    """Add wijk and gemeente sums, per area, where an area has no row of its own (see the
    module docstring).

    Parameters
    ----------
    variables : tidy rows (``model.TIDY_COLUMNS``).
    parents : ``year, code, parent, level`` — the area hierarchy valid in each year.
    own : the variables of the gemeente's own data (registrations): of the variables the
        mapping does not know, only these are summed (``None``: all of them).
    counts : the variables the catalogue reads as counts (``count_variables``): of the
        variables the mapping does not know, only these are summed (``None``: not
        known; then ``compute`` still never shows a sum as a mean or share, see
        ``SUMMED``).

    The (variable, year) pairs to look at are found on integer codes first — those where
    some area of the level has no row of its own — so the (national-scale) tidy frame
    is never merged as a whole.
    """
    out = [variables]
    names = {v: k for k, v in model.STATUS_RANK.items()}
    var_codes, var_names = codes(variables["variable"])
    year_codes, year_values = codes(variables["year"])
    level_codes, level_names = codes(variables["level"])
    level_names = list(level_names)
    level_names += [n for n in model.BOTTOM_UP if n not in level_names]
    n_years = len(year_values)
    n_keys = len(var_names) * n_years
    ratios = _ratios(variables, var_codes, len(var_names))
    summable = np.repeat(_summable(var_names, own, counts, ratios),
                         n_years)  # per variable × year key
    # per part of ``current`` (the input, then each level's sums): level, variable × year
    parts = [(variables, level_codes, var_codes * n_years + year_codes)]
    for level in model.BOTTOM_UP[1:]:  # wijk, then gemeente
        child = model.CHILD_LEVEL[level]
        code, child_code = level_names.index(level), level_names.index(child)
        links = parents.loc[parents["level"] == child, ["year", "code", "parent"]]
        areas = links.groupby("year")["parent"].nunique()  # areas of the level per year
        per_year = np.asarray(areas.reindex(year_values).fillna(0), dtype=np.int64)
        frame, lv, key = parts[0]
        at_level = np.flatnonzero(lv == code)
        own_rows = np.bincount(
            key[at_level[_of_areas(frame, at_level, links, year_values)]],
            minlength=n_keys)  # rows of the level's areas per key
        candidate = (own_rows < np.tile(per_year, len(var_names))) & summable  # one lacks
        # one take from the input: the parts and the level's own rows of those keys
        first = _plain(frame.iloc[np.flatnonzero(((lv == child_code) | (lv == code))
                                                 & candidate[key])])
        mine = first[first["level"] == level]
        picked = [first[first["level"] == child]] + [
            _plain(part.iloc[np.flatnonzero((lv_ == child_code) & candidate[key_])])
            for part, lv_, key_ in parts[1:]]
        rows = pd.concat(picked, ignore_index=True) if len(picked) > 1 else picked[0]
        if rows.empty:
            continue
        rows = rows.merge(links.rename(columns={"code": "area_code"}),
                          on=["year", "area_code"], how="inner")
        rows["_rank"] = rows["status"].map(model.STATUS_RANK).fillna(_UNUSABLE)
        summed = rows.groupby(_KEYS, as_index=False).agg(
            value=("value", "sum"), worst=("_rank", "max"), parts=("_rank", "size"),
            source=("source", "first"))
        expected = links.groupby(["year", "parent"]).size().rename("expected").reset_index()
        summed = summed.merge(expected, on=["year", "parent"], how="left")
        incomplete = summed["parts"] < summed["expected"]  # a part without a row
        summed.loc[incomplete, "worst"] = np.maximum(summed.loc[incomplete, "worst"],
                                                     _UNUSABLE)
        mine = mine[[c for c in model.TIDY_COLUMNS if c != "level"]].rename(
            columns={"area_code": "parent", "value": "own_value", "status": "own_status",
                     "source": "own_source"})
        summed = summed.merge(mine, on=_KEYS, how="left", indicator=True)
        has_own = (summed.pop("_merge") == "both").to_numpy()
        _disagreements(level, summed[has_own & ~incomplete.to_numpy()])
        summed = summed[~has_own].drop(columns=["own_value", "own_status", "own_source",
                                                "parts", "expected"])
        summed["status"] = summed["worst"].map(names)
        summed.loc[summed["worst"] >= _UNUSABLE, "value"] = np.nan
        summed = summed.rename(columns={"parent": "area_code"}).drop(columns="worst")
        summed["level"] = level
        out.append(summed)
        key = (np.asarray(var_names.get_indexer(summed["variable"])) * n_years
               + np.asarray(year_values.get_indexer(summed["year"])))
        parts.append((summed, np.full(len(summed), code), key))
    result = pd.concat(_same_categories(out), ignore_index=True)
    made = np.arange(len(result)) >= len(variables)  # the sums follow the rows as read
    if SUMMED in variables.columns:
        made |= result[SUMMED].eq(True).to_numpy()
    result[SUMMED] = made
    return result
