"""Catalogue indicators computed from tidy source variables into observations.

Observations (one row per area × year × indicator) have the columns
``model.OBSERVATION_COLUMNS``:
``area_code, level, year, indicator, value, numerator, denominator, status, source``.

* count / proportion / rate: ``value = numerator / denominator × scale`` with both
  kept, so comparisons and confidence intervals can use them (variables that exist only
  at buurt level are first summed to wijk and gemeente by ``aggregation.aggregate_up``);
* mean / median / index (and a proportion or rate given as ``variable``): taken as
  published at each level, never from a row ``aggregate_up`` summed (``SUMMED``): a sum
  of buurt means or shares is no mean or share of the wijk. Only a ``count`` given as
  ``variable`` takes such a sum.
* a proportion whose catalogue entry names a ``share`` (CBS's published, rounded
  percentage of the same numerator over the same denominator: the kaart's
  ``P_00_14_JR``) takes that share for an area-year whose numerator count is absent (no
  row, no value, or a status that is not usable — except the kit's own ``suppressed``,
  which a share must never undo) while the share is usable: value = share / 100 ×
  ``scale``, numerator NaN (a rounded percentage is no count, and none is invented),
  denominator as available, the share's status, and as source the share's source with
  `` (afgerond percentage)``. Where the count is there, the count wins: one area-year is
  never a mix of both. Such a row has no interval (``analysis.stats``: niet vergeleken)
  and is not suppressed as a small count (``disclosure``).

At national scale (≈ 14,000 buurten, 13 million tidy rows) the work is done on integer
codes of the string columns and numpy arrays; the string columns of the result are made
once at the end (``benchmarks/run.py`` measures it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import model
from helpers.indicators.aggregation import SUMMED
from helpers.indicators.aggregation import codes as _codes
from helpers.indicators.catalogue import Catalogue, Indicator

__all__ = ["compute", "SHARE_SOURCE"]

SHARE_SOURCE = "{source} (afgerond percentage)"
"""Source of a value taken from CBS's published rounded percentage (``share``)."""


class _Wide:
    """The input variables as matrices: one row per (area, level, year), one column per
    variable — values (float), status and source as codes (``-1``: no value)."""

    def __init__(self, variables: pd.DataFrame, names: list[str]):
        var_codes, var_names = _codes(variables["variable"])
        wanted = np.flatnonzero(var_names.isin(names))
        column_of = np.full(len(var_names), -1)
        column_of[wanted] = np.arange(len(wanted))
        self.columns = {name: i for i, name in enumerate(var_names[wanted])}
        # codes of every row, then of the rows wanted (cheaper than selecting rows of a
        # large frame of strings)
        take = np.flatnonzero(column_of[var_codes] >= 0)
        column = column_of[var_codes[take]]

        def codes(name: str, sort: bool) -> tuple[np.ndarray, pd.Index]:
            every, distinct = _codes(variables[name], sort=sort)
            return every[take], distinct

        area, self.areas = codes("area_code", sort=True)
        level, self.levels = codes("level", sort=True)
        year, self.years = codes("year", sort=True)
        status, self.statuses = codes("status", sort=False)
        source, self.sources = codes("source", sort=False)
        n_levels, n_years = len(self.levels), len(self.years)
        # rows sorted by (area_code, level, year), as a pivot would order them
        key = (area * n_levels + level) * n_years + year
        present = np.zeros(len(self.areas) * n_levels * n_years, dtype=bool)
        present[key] = True
        keys = np.flatnonzero(present)
        row = (np.cumsum(present) - 1)[key]
        self.area, rest = np.divmod(keys, n_levels * n_years)
        self.level, self.year = np.divmod(rest, n_years)
        cell = row * len(wanted) + column
        first = _first_of(cell)
        shape = (len(keys), len(wanted))
        self.value = np.full(shape, np.nan)
        self.value.flat[cell[first]] = variables["value"].to_numpy(dtype=float)[take[first]]
        self.status = np.full(shape, -1, dtype=np.int32)
        self.status.flat[cell[first]] = status[first]
        self.source = np.full(shape, -1, dtype=np.int32)
        self.source.flat[cell[first]] = source[first]
        self.summed = np.zeros(shape, dtype=bool)  # a sum of parts (``SUMMED``)
        if SUMMED in variables.columns:
            made = variables[SUMMED].eq(True).to_numpy()[take[first]]
            self.summed.flat[cell[first]] = made
        # a missing status or source is "no value" (-1)
        for matrix, distinct in ((self.status, self.statuses), (self.source, self.sources)):
            missing = np.flatnonzero(pd.isna(distinct))
            if len(missing):
                matrix[np.isin(matrix, missing)] = -1


def _first_of(cell: np.ndarray) -> np.ndarray:
    """Positions of the first occurrence of every cell (one variable from two sources:
    the first wins); all positions when no cell repeats."""
    if len(cell) == 0 or np.bincount(cell).max() <= 1:
        return np.arange(len(cell))
    _, first = np.unique(cell, return_index=True)
    return np.sort(first)


def _combine_source(src: pd.Series, den_src: pd.Series) -> pd.Series:
    """Source of a ratio: the numerator's, or ``"numerator's; denominator's"``."""
    return src.where(src == den_src, src.astype(str) + "; " + den_src.astype(str))


class _Vocabulary:
    """Distinct output values (statuses, sources; missing is one value) and their codes."""

    def __init__(self, values) -> None:
        self.values: list = []
        self._code: dict = {}
        self.input = np.array([self.code(v) for v in values] + [self.code(np.nan)])
        """codes of the input's distinct values; the last one for "no value" (``-1``)"""

    def code(self, value) -> int:
        key = ("na",) if pd.isna(value) else ("v", value)
        if key not in self._code:
            self._code[key] = len(self.values)
            self.values.append(value)
        return self._code[key]

    def isna(self) -> np.ndarray:
        return np.array([pd.isna(v) for v in self.values])

    def array(self) -> np.ndarray:
        out = np.empty(len(self.values), dtype=object)
        out[:] = self.values
        return out


class _Pieces:
    """Each indicator's observations as arrays, collected column by column."""

    FIELDS = ("rows", "value", "numerator", "denominator", "status", "source")

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.columns: dict[str, list[np.ndarray]] = {f: [] for f in self.FIELDS}

    def add(self, id_: str, keep: np.ndarray, **arrays: np.ndarray) -> None:
        self.ids.append(id_)
        for field, values in arrays.items():
            small = np.int32 if field in ("rows", "status", "source") else None
            self.columns[field].append(values[keep].astype(small, copy=False) if small
                                       else values[keep])

    def take(self, field: str) -> np.ndarray:
        """One column of all pieces (the pieces' arrays are let go)."""
        values = self.columns[field]
        out = np.concatenate(values)
        values.clear()
        return out


def compute(variables: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Compute every catalogue indicator for every area and year present.

    Works on matrices of integer codes (one pass over the input, numpy per indicator)
    and builds the string columns of the result once at the end.
    """
    names = sorted({v for ind in catalogue.values() for v in ind.inputs})
    wide = _Wide(variables, names)
    statuses, sources = _Vocabulary(wide.statuses), _Vocabulary(wide.sources)
    # a combined status is the worst by rank; unknown and missing statuses rank as missing
    rank_of = np.array([2 if pd.isna(s) else model.STATUS_RANK.get(s, 2) for s in wide.statuses]
                       + [2])
    status_of_rank = np.array([statuses.code(k) for k in sorted(model.STATUS_RANK,
                                                                  key=model.STATUS_RANK.get)])
    missing = statuses.code(model.MISSING)
    shown = [statuses.code(status) for status in model.USABLE]
    level_names = np.asarray(wide.levels, dtype=object)
    pieces = _Pieces()
    for ind in sorted(catalogue.values(), key=lambda i: i.id):
        if not any(name in wide.columns for name in ind.inputs):
            continue  # no input anywhere: nothing to compute
        rows = np.flatnonzero(np.isin(level_names, ind.levels)[wide.level])

        def col(matrix: np.ndarray, name: str, default, rows=rows) -> np.ndarray:
            j = wide.columns.get(name)
            return np.full(len(rows), default) if j is None else matrix[rows, j]

        nothing = np.full(len(rows), np.nan)
        if ind.computed:
            num = col(wide.value, ind.numerator, np.nan)
            if ind.denominators:
                den = sum(col(wide.value, d, np.nan) for d in ind.denominators)
                rank = rank_of[col(wide.status, ind.numerator, -1)]
                for d in ind.denominators:
                    rank = np.maximum(rank, rank_of[col(wide.status, d, -1)])
                status = status_of_rank[rank]
                with np.errstate(divide="ignore", invalid="ignore"):
                    val = num / np.where(den > 0, den, np.nan) * ind.scale
                source = _ratio_source(ind, wide, sources, col(wide.source, ind.numerator, -1),
                                       col(wide.source, ind.denominators[0], -1))
                if ind.share is not None and ind.share in wide.columns:
                    val, num, status, source = _from_share(
                        ind, wide, statuses, sources, col, val, num, status, source)
            else:
                den = nothing
                status = statuses.input[col(wide.status, ind.numerator, -1)]
                val = num * ind.scale
                source = sources.input[col(wide.source, ind.numerator, -1)]
        else:
            val = col(wide.value, ind.variable, np.nan)
            status = col(wide.status, ind.variable, -1)
            source = col(wide.source, ind.variable, -1)
            if ind.kind != "count":  # a published mean, median, share: never a sum
                summed = col(wide.summed, ind.variable, False)
                val = np.where(summed, np.nan, val)
                status, source = np.where(summed, -1, status), np.where(summed, -1, source)
            status, source = statuses.input[status], sources.input[source]
            num = den = nothing
        keep = ~sources.isna()[source] | ~np.isnan(val)
        status = np.where(status == statuses.input[-1], missing, status)  # no status
        status = np.where(np.isnan(val) & np.isin(status, shown), missing, status)
        pieces.add(ind.id, keep, rows=rows, value=val, numerator=num, denominator=den,
                   status=status, source=source)
    if not pieces.ids:
        obs = pd.DataFrame(columns=model.OBSERVATION_COLUMNS)
        obs["year"] = obs["year"].astype(int)
        for c in ("value", "numerator", "denominator"):
            obs[c] = obs[c].astype(float)
        return obs
    return _assemble(pieces, wide, statuses, sources)


def _from_share(ind: Indicator, wide: _Wide, statuses: _Vocabulary, sources: _Vocabulary,
                col, val: np.ndarray, num: np.ndarray, status: np.ndarray,
                source: np.ndarray) -> tuple[np.ndarray, ...]:
    """Value, numerator, status and source of a proportion where, per area-year, the
    published share replaces absent counts (see the module docstring)."""
    usable = np.array([s in model.USABLE for s in wide.statuses] + [False])
    suppressed = np.array([s == model.SUPPRESSED for s in wide.statuses] + [False])
    num_status = col(wide.status, ind.numerator, -1)
    share = col(wide.value, ind.share, np.nan)
    share_status = col(wide.status, ind.share, -1)
    counted = ~np.isnan(num) & usable[num_status]
    take = ~counted & ~suppressed[num_status] & ~np.isnan(share) & usable[share_status]
    if not take.any():
        return val, num, status, source
    val, num, status, source = val.copy(), num.copy(), status.copy(), source.copy()
    val[take] = share[take] / 100 * ind.scale
    num[take] = np.nan
    status[take] = statuses.input[share_status[take]]
    share_source = col(wide.source, ind.share, -1)[take]
    distinct, back = np.unique(share_source, return_inverse=True)
    labels = [SHARE_SOURCE.format(source=wide.sources[c] if c >= 0 else "CBS")
              for c in distinct]  # a missing source is -1 in ``_Wide``
    source[take] = np.array([sources.code(label) for label in labels])[back]
    return val, num, status, source


def _ratio_source(ind: Indicator, wide: _Wide, sources: _Vocabulary, num: np.ndarray,
                  den: np.ndarray) -> np.ndarray:
    """Source codes of a ratio from its numerator's and denominator's source codes.

    ``_combine_source`` is evaluated once per distinct pair of sources (on Series of the
    same kinds as whole columns: object, or float NaN for a variable that is absent),
    then looked up per row.
    """
    n = len(wide.sources) + 1  # the last code: no value (-1)
    pair = np.where(num < 0, n - 1, num) * n + np.where(den < 0, n - 1, den)
    distinct = np.unique(pair)
    values = np.empty(n, dtype=object)
    values[:] = [*wide.sources, np.nan]

    def side(codes: np.ndarray, name: str) -> pd.Series:
        if name not in wide.columns:
            return pd.Series(np.nan, index=range(len(codes)))
        return pd.Series(values[codes], dtype=object)

    combined = _combine_source(side(distinct // n, ind.numerator),
                               side(distinct % n, ind.denominators[0]))
    table = np.zeros(n * n, dtype=np.int64)
    table[distinct] = [sources.code(v) for v in combined]
    return table[pair]


def _assemble(pieces: _Pieces, wide: _Wide, statuses: _Vocabulary,
              sources: _Vocabulary) -> pd.DataFrame:
    """The observations frame, sorted by indicator, area code and year."""
    wide.value = wide.status = wide.source = wide.summed = None  # not needed: free them
    indicator = np.repeat(np.arange(len(pieces.ids)),
                          [len(r) for r in pieces.columns["rows"]]).astype(np.int32)
    rows = pieces.take("rows")
    area, year, level = wide.area[rows], wide.year[rows], wide.level[rows]
    del rows
    # pieces come in indicator order, rows in (area, level, year) order: that is sorted
    # unless an area code has two levels; then sort as a stable sort of the rows would
    order = None
    same = (np.diff(indicator) == 0) & (np.diff(area) == 0)
    if (same & (np.diff(year) <= 0)).any():
        order = np.lexsort((level, year, area, indicator))
        indicator, area, year, level = indicator[order], area[order], year[order], level[order]
    del same

    def column(field: str) -> np.ndarray:
        values = pieces.take(field)
        return values if order is None else values[order]

    obs = pd.DataFrame({
        "area_code": pd.Series(wide.areas.take(area)),
        "level": pd.Series(wide.levels.take(level)),
        "year": np.asarray(wide.years, dtype=int)[year],
        "indicator": pd.Series(pd.Index(pieces.ids, dtype="str").take(indicator)),
    }, copy=False)
    for field in ("value", "numerator", "denominator"):
        obs[field] = column(field)
    obs["status"] = pd.Series(statuses.array()[column("status")], dtype=object)
    obs["source"] = pd.Series(sources.array()[column("source")], dtype=object)
    return obs
