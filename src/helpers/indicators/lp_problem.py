"""The published figures as a linear program (read by ``lp_audit``).

``Problem`` holds the cells (variable, area, year) — the counts as the kit holds them —
the relations between them as sparse rows ``low ≤ A·x ≤ high`` (parent = Σ children at
every level, a linked table's total = Σ breakdowns, a shown denominator list = its sum,
a shown rate within its rounding, a proportion's numerator ≤ its denominator), the
published counts that fix cells and the rounding each relation allows; ``solve`` bounds
target cells piece by piece (see ``lp_audit`` for what the model assumes and why).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

from helpers import model
from helpers.errors import DataError
from helpers.indicators.catalogue import Catalogue

__all__ = ["Problem", "Relations", "KEY", "TINY"]

Relations = dict[str, tuple[str, tuple[str, ...]]]
"""name → (total, the breakdowns that add up to it), per area and year."""

KEY = ["variable", "area_code", "year"]
TINY = 1e-6
_UNBOUNDED = 1e9  # a count above this has no bound from what is published


@dataclass(frozen=True)
class _Indicator:
    numerator: str
    denominators: tuple[str, ...]
    scale: float
    decimals: int
    min_count: int
    part: bool  # a proportion: the numerator is part of the denominator


def _computed(catalogue: Catalogue, ids) -> dict[str, _Indicator]:
    return {i: _Indicator(catalogue[i].numerator, tuple(catalogue[i].denominators),
                          float(catalogue[i].scale), int(catalogue[i].decimals),
                          int(catalogue[i].min_count), catalogue[i].kind == "proportion")
            for i in ids if i in catalogue and catalogue[i].computed}


def _narrow(frame: pd.DataFrame, indicators: dict, areas) -> pd.DataFrame:
    """The rows of computed indicators and the columns the audit reads, area and
    indicator as categories."""
    frame = frame.loc[frame["indicator"].isin(list(indicators)),
                      [c for c in model.OBSERVATION_COLUMNS if c != "source"]]
    return frame.assign(indicator=pd.Categorical(frame["indicator"], categories=list(indicators)),
                        area_code=pd.Categorical(frame["area_code"], categories=areas))


def _positions(index: pd.Index, values: pd.Series) -> np.ndarray:
    """``index.get_indexer(values)`` through the distinct values (a few variables or
    years among millions of rows: strings are looked up once, not per row)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    found = np.append(index.get_indexer(uniques), -1)
    return found[codes]


class Problem:
    """The cells (variable, area, year), the relations between them as sparse rows
    ``low ≤ A·x ≤ high``, and the published counts that fix cells."""

    def __init__(self, published: pd.DataFrame, catalogue: Catalogue,
                 hierarchy: pd.DataFrame, relations: Relations, rounded_to: float,
                 truth: pd.DataFrame | None = None):
        self.relations = relations
        self.rounded_to = rounded_to
        self.indicators = _computed(catalogue, published["indicator"].unique())
        # the columns this reads, area and indicator as categories (integer codes: the
        # string columns of a national problem cost more to merge than to solve)
        areas = pd.concat([published["area_code"], hierarchy["code"], hierarchy["parent"]
                           ]).dropna().unique()
        self.truth = None if truth is None else _narrow(truth, self.indicators, areas)
        obs = _narrow(published, self.indicators, areas)
        hierarchy = hierarchy.assign(code=pd.Categorical(hierarchy["code"], categories=areas),
                                     parent=pd.Categorical(hierarchy["parent"],
                                                           categories=areas))
        self.obs = obs
        used = pd.DataFrame([(i, v) for i, ind in self.indicators.items()
                             for v in (ind.numerator, *ind.denominators)],
                            columns=["indicator", "variable"])
        years = obs[["indicator", "year"]].drop_duplicates().merge(used, on="indicator")
        var_years = years[["variable", "year"]].drop_duplicates()
        # a linked table where a breakdown is read by no indicator: its count is unknown
        # everywhere, so the table only says that the others add up to at most the total
        linked, self.partial = [], set()
        referenced = set(var_years["variable"])
        for name, (total, parts) in relations.items():
            active = var_years.loc[var_years["variable"].isin(parts), "year"].unique()
            linked += [(name, v, y) for y in active for v in (total, *parts)
                       if v in referenced]
            if not set(parts) <= referenced:
                self.partial.add(name)
        self.linked = pd.DataFrame(linked, columns=["relation", "variable", "year"])
        var_years = pd.concat([var_years, self.linked[["variable", "year"]]]).drop_duplicates()
        links = hierarchy.loc[hierarchy["parent"].notna(), ["year", "code", "parent"]]
        areas = pd.concat([obs[["year", "area_code"]],
                           links[["year", "code"]].rename(columns={"code": "area_code"}),
                           links[["year", "parent"]].rename(columns={"parent": "area_code"})]
                          ).drop_duplicates()
        cells = var_years.merge(areas, on="year").reset_index(drop=True)
        cells["cell"] = np.arange(len(cells))
        cells["level"] = model.level_of(cells["area_code"].astype(str))
        self.cells = cells
        # cells by integer key (variable, area, year codes): cell_of looks up by that
        self._variables = pd.Index(cells["variable"].unique())
        self._areas = pd.Index(cells["area_code"].unique())
        self._years = pd.Index(np.sort(cells["year"].unique()))
        key = self._key(cells["variable"], cells["area_code"], cells["year"])
        self._order = np.argsort(key, kind="stable")
        self._sorted = key[self._order]
        self.links = links
        self._fix()
        self._rows()

    def _key(self, variable: pd.Series, area: pd.Series, year: pd.Series) -> np.ndarray:
        """One integer per (variable, area, year); -1 where one of them is no cell's."""
        v = _positions(self._variables, variable)
        a = _positions(self._areas, area)
        y = _positions(self._years, year)
        key = (v.astype(np.int64) * len(self._areas) + a) * len(self._years) + y
        return np.where((v < 0) | (a < 0) | (y < 0), -1, key)

    def cell_of(self, frame: pd.DataFrame, variable: str = "variable") -> np.ndarray:
        """The cell number of each row of ``frame`` (NaN where it is no cell)."""
        key = self._key(frame[variable], frame["area_code"], frame["year"])
        at = np.minimum(np.searchsorted(self._sorted, key), len(self._sorted) - 1)
        found = (key >= 0) & (self._sorted[at] == key) if len(self._sorted) else key < -1
        cell = self._order[at] if len(self._sorted) else np.zeros(len(key), dtype=int)
        return cell if found.all() else np.where(found, cell, np.nan)

    def _known(self, rows: pd.DataFrame) -> pd.DataFrame:
        """The counts ``rows`` hold: each row's numerator, and its denominator when it
        is one variable (``variable, area_code, year, level, count``)."""
        rows = rows[rows["indicator"].isin(list(self.indicators))]
        num = rows.assign(variable=rows["indicator"].map(
            {i: d.numerator for i, d in self.indicators.items()}), count=rows["numerator"])
        single = {i: d.denominators[0] for i, d in self.indicators.items()
                  if len(d.denominators) == 1}
        den = rows[rows["indicator"].isin(list(single))]
        den = den.assign(variable=den["indicator"].map(single), count=den["denominator"])
        return pd.concat([num, den])[[*KEY, "level", "count"]].dropna(subset=["count"])

    def _fix(self) -> None:
        """Published counts: a shown row's numerator, and its denominator when it is one
        variable; the rounding of each (variable, level) from what is published — or,
        when the true numbers are given, from them (a count is exact unless every true
        count of its variable at its level is a multiple of the rounding)."""
        known = self._known(self.obs[self.obs["status"].isin(model.USABLE)])
        self.value = np.full(len(self.cells), np.nan)
        self.value[self.cell_of(known)] = known["count"].to_numpy(dtype=float)
        self.true_value = None
        if self.truth is not None:
            known = self._known(self.truth)
            self.true_value = np.full(len(self.cells), np.nan)
            self.true_value[self.cell_of(known)] = known["count"].to_numpy(dtype=float)
        step = self.rounded_to or 1.0
        rounded = known.assign(fives=(known["count"] % step == 0)).groupby(
            ["variable", "level"])["fives"].all()
        per_level = self.cells[["variable", "level"]].merge(
            rounded.reset_index(), on=["variable", "level"], how="left")["fives"]
        any_level = self.cells["variable"].map(rounded.groupby(level=0).any())
        fives = per_level.fillna(any_level).fillna(False).to_numpy(dtype=bool)
        self.slack = np.where(fives, self.rounded_to, 0.0)

    def _rows(self) -> None:
        terms: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # row, cell, coef
        bounds: list[tuple[np.ndarray, np.ndarray]] = []  # low, high per row
        self.n_rows = 0

        def add(rows: np.ndarray, cell: np.ndarray, coef: np.ndarray,
                low: np.ndarray, high: np.ndarray) -> None:
            terms.append((rows + self.n_rows, cell.astype(int), coef))
            bounds.append((low, high))
            self.n_rows += len(low)

        # all levels: parent − Σ children = 0
        cells = self.cells
        child = self.links.merge(cells[["variable", "year"]].drop_duplicates(), on="year")
        child["cell"] = self.cell_of(child.assign(area_code=child["code"]))
        child["parent_cell"] = self.cell_of(child.assign(area_code=child["parent"]))
        child = child.dropna(subset=["cell", "parent_cell"])
        group, first = np.unique(child["parent_cell"].to_numpy(dtype=int), return_inverse=True)
        zeros = np.zeros(len(group))
        add(np.concatenate([first, np.arange(len(group))]),
            np.concatenate([child["cell"].to_numpy(dtype=int), group]),
            np.concatenate([-np.ones(len(child)), np.ones(len(group))]), zeros, zeros)
        # linked tables: total − Σ breakdowns = 0
        parts = self.linked.merge(cells[["year", "area_code"]].drop_duplicates(), on="year")
        parts["cell"] = self.cell_of(parts)
        parts["row"] = parts.groupby(["relation", "year", "area_code"], observed=True).ngroup()
        totals = {name: total for name, (total, _) in self.relations.items()}
        sign = np.where(parts["variable"] == parts["relation"].map(totals), 1.0, -1.0)
        relation = parts.groupby("row")["relation"].first()
        zeros = np.zeros(len(relation))
        add(parts["row"].to_numpy(dtype=int), parts["cell"].to_numpy(dtype=int), sign,
            zeros, np.where(relation.isin(self.partial), np.inf, 0.0))
        self.n_relations = self.n_rows
        # shown rows: a denominator that is a sum of variables
        shown = self.obs[self.obs["status"].isin(model.USABLE)].reset_index(drop=True)
        several = {i for i, d in self.indicators.items() if len(d.denominators) > 1}
        multi = shown[shown["indicator"].isin(list(several)) & shown["denominator"].notna()]
        multi = multi.reset_index(drop=True)
        longest = max((len(d.denominators) for d in self.indicators.values()), default=0)
        each = [multi.assign(row=multi.index, variable=[
                    dens[k] if len(dens) > k else None
                    for dens in (self.indicators[i].denominators for i in multi["indicator"])])
                for k in range(longest)]
        if len(multi):
            each = pd.concat(each).dropna(subset=["variable"])
            total = multi["denominator"].to_numpy(dtype=float)
            add(each["row"].to_numpy(), self.cell_of(each), np.ones(len(each)), total, total)
        self._rates(shown, add)
        # a proportion's numerator is part of its denominator: n − Σd ≤ 0
        parts = self.obs[self.obs["indicator"].isin(
            [i for i, d in self.indicators.items() if d.part])]
        parts = parts[["indicator", "area_code", "year"]].drop_duplicates().reset_index(drop=True)
        if len(parts):
            spec = [self.indicators[i] for i in parts["indicator"]]
            terms_of = [parts.assign(variable=[s.numerator for s in spec], row=parts.index,
                                     coef=1.0)]
            for k in range(max(len(s.denominators) for s in spec)):
                variable = [s.denominators[k] if len(s.denominators) > k else None
                            for s in spec]
                terms_of.append(parts.assign(variable=variable, row=parts.index, coef=-1.0))
            each = pd.concat(terms_of).dropna(subset=["variable"])
            add(each["row"].to_numpy(), self.cell_of(each), each["coef"].to_numpy(),
                np.full(len(parts), -np.inf), np.zeros(len(parts)))
        row = np.concatenate([t[0] for t in terms])
        col = np.concatenate([t[1] for t in terms])
        coef = np.concatenate([t[2] for t in terms])
        self.matrix = sparse.csr_array((coef, (row, col)), shape=(self.n_rows, len(cells)))
        self.low = np.concatenate([b[0] for b in bounds])
        self.high = np.concatenate([b[1] for b in bounds])
        # a sum or linked table holds to within the rounding of its terms
        slack = np.abs(self.matrix[:self.n_relations]) @ self.slack
        self.low[:self.n_relations] -= slack
        self.high[:self.n_relations] += slack
        if self.true_value is not None:
            # what the true numbers do not satisfy is no fact an adversary can use: a
            # relation the data break (a source's own total that is not the sum of its
            # parts) holds only as far as the true numbers let it
            unknown = np.isnan(self.true_value)
            whole = (np.abs(self.matrix) @ unknown.astype(float)) == 0
            residual = self.matrix @ np.where(unknown, 0.0, self.true_value)
            self.low = np.where(whole, np.fmin(self.low, residual), self.low)
            self.high = np.where(whole, np.fmax(self.high, residual), self.high)

    def _rates(self, shown: pd.DataFrame, add) -> None:
        """A shown value without its numerator or its denominator, v as the page rounds
        it (± h, half its last decimal): scale·n − (v + h)·Σd ≤ 0 ≤ scale·n − (v − h)·Σd;
        for a count (no denominator) scale·n between v − h and v + h."""
        rows = shown[shown["value"].notna()
                     & (shown["numerator"].isna() | shown["denominator"].isna())]
        rows = rows.reset_index(drop=True)
        if rows.empty:
            return
        spec = [self.indicators[i] for i in rows["indicator"]]
        half = np.array([0.5 * 10.0 ** -s.decimals for s in spec])
        value = np.array([round(float(v), s.decimals)
                          for v, s in zip(rows["value"], spec, strict=True)])
        scale = np.array([s.scale for s in spec])
        counted = np.array([not s.denominators for s in spec])
        num = self.cell_of(rows.assign(variable=[s.numerator for s in spec]))
        dens = [(self.cell_of(rows.assign(variable=[
            s.denominators[k] if len(s.denominators) > k else s.numerator for s in spec])),
            np.array([len(s.denominators) > k for s in spec]))
            for k in range(max(len(s.denominators) for s in spec))]
        index = np.arange(len(rows))
        for edge, low, high in (
                (value + half, np.full(len(rows), -np.inf), np.where(counted, value + half, 0)),
                (value - half, np.where(counted, value - half, 0), np.full(len(rows), np.inf))):
            row = [index] + [index[which] for _, which in dens]
            cell = [num] + [den[which] for den, which in dens]
            coef = [scale] + [-edge[which] for _, which in dens]
            add(np.concatenate(row), np.concatenate(cell), np.concatenate(coef), low, high)

    def solve(self, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
        """The smallest and largest value of each target cell, and the number of LPs.

        Published cells are constants; the unknown cells fall apart into independent
        pieces (connected components of the rows). One LP holds every piece: its
        objective is the sum of one target per piece, and since the pieces share no row
        the optimum is the optimum of each piece on its own — so a round of two LPs
        (min, max) bounds one target in every piece, and there are as many rounds as
        the most targets in one piece.
        """
        lowest = np.full(len(targets), np.nan)
        highest = np.full(len(targets), np.nan)
        fixed = ~np.isnan(self.value)
        known = fixed[targets]
        lowest[known] = highest[known] = self.value[targets[known]]
        free = np.flatnonzero(~fixed)
        column = np.full(len(self.cells), -1)
        column[free] = np.arange(len(free))
        constant = self.matrix[:, np.flatnonzero(fixed)] @ self.value[fixed]
        a = self.matrix[:, free].tocsr()
        touched = np.flatnonzero(np.diff(a.indptr) > 0)
        a = a[touched]
        low = self.low[touched] - constant[touched]
        high = self.high[touched] - constant[touched]
        graph = sparse.bmat([[None, a.T], [a, None]], format="csr")
        _, label = connected_components(graph, directed=False)
        todo = pd.DataFrame({"target": np.flatnonzero(~known)})
        todo["column"] = column[targets[todo["target"].to_numpy()]]
        todo["piece"] = label[todo["column"].to_numpy()]
        todo["round"] = todo.groupby("piece").cumcount()
        row_label = label[len(free):]
        column_label = label[:len(free)]
        lps = 0
        for _, batch in todo.groupby("round"):
            # only the pieces that hold a target in this round
            keep_column = np.isin(column_label, batch["piece"].unique())
            keep_row = np.isin(row_label, batch["piece"].unique())
            renumber = np.cumsum(keep_column) - 1
            columns = renumber[batch["column"].to_numpy()]
            part = a[keep_row][:, keep_column]
            part_low, part_high = low[keep_row], high[keep_row]
            equal = np.abs(part_high - part_low) <= TINY
            upper = ~equal & np.isfinite(part_high)
            lower = ~equal & np.isfinite(part_low)
            a_ub = sparse.vstack([part[upper], -part[lower]]).tocsr()
            b_ub = np.concatenate([part_high[upper], -part_low[lower]])
            a_eq, b_eq = part[equal].tocsr(), (part_low[equal] + part_high[equal]) / 2
            objective = np.zeros(part.shape[1])
            objective[columns] = 1.0
            for sign, out in ((1.0, lowest), (-1.0, highest)):
                lps += 1
                result = linprog(sign * objective, A_ub=a_ub if len(b_ub) else None,
                                 b_ub=b_ub if len(b_ub) else None,
                                 A_eq=a_eq if len(b_eq) else None,
                                 b_eq=b_eq if len(b_eq) else None,
                                 bounds=(0, _UNBOUNDED), method="highs")
                if result.status == 2:
                    raise DataError(
                        "The published figures contradict each other: no counts satisfy "
                        "all sums and linked tables (lp_audit). Check the rounding assumed "
                        "(ROUNDED_TO) and LINKED_TABLES against the data.")
                if result.status != 0:
                    raise DataError(f"The LP audit could not solve its problem: "
                                    f"{result.message}")
                found = result.x[columns]
                out[batch["target"].to_numpy()] = np.where(found > _UNBOUNDED / 2, np.inf,
                                                           found)
        return lowest, highest, lps
