"""The published figures as a linear program (read by ``lp_audit``).

``Problem`` holds the cells (variable, area, year) — the counts as the kit holds them —
the relations between them as sparse rows ``low ≤ A·x ≤ high`` (parent = Σ children at
every level, a linked table's total = Σ breakdowns, a proportion's numerator ≤ its
denominator; and, from the shown observations, a denominator list = its sum and a rate
within its rounding), the published counts that fix cells and the rounding each
relation allows; ``solve`` bounds target cells piece by piece (see ``lp_audit`` for what
the model assumes and why).

Everything runs on integer codes (indicator, variable, area, year, level) and numpy
arrays: a national problem has millions of cells, and string columns cost more to merge
than the LPs to solve.

``republish`` takes another publication of the same observations (other rows
suppressed, as the rounds of ``disclosure`` make): it updates the published counts and
the rows of the shown observations, and marks as changed every cell whose published
count changed and every cell of a row that was dropped or added or that holds such a
cell. ``solve`` keeps the bounds it found. A piece (connected component over the
unknown cells) with no changed cell is the same piece, with the same rows and
constants, as when it was solved: its rows hold no changed cell, so each was there
before, with the same unknowns; and a row it had before that is gone or changed would
have marked its cells. So its bounds are reused and only the changed pieces are solved
again — on the whole problem, never on a part cut out of it (no assumption about where
pieces end, such as gemeente boundaries, is needed).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd
from scipy import sparse

from helpers import model
from helpers.errors import DataError
from helpers.indicators.catalogue import Catalogue
from helpers.indicators.lp_arrays import (
    Rows,
    computed,
    distinct,
    member,
    pairs,
    positions,
    rounded,
    unique,
)
from helpers.indicators.lp_pieces import TINY, bounds

__all__ = ["Problem", "Relations", "KEY", "TINY"]

Relations = dict[str, tuple[str, tuple[str, ...]]]
"""name → (total, the breakdowns that add up to it), per area and year."""

KEY = ["variable", "area_code", "year"]


class Problem:
    """The cells (variable, area, year), the relations between them as sparse rows
    ``low ≤ A·x ≤ high``, and the published counts that fix cells."""

    def __init__(self, published: pd.DataFrame, catalogue: Catalogue,
                 hierarchy: pd.DataFrame, relations: Relations, rounded_to: float,
                 truth: pd.DataFrame | None = None):
        self.relations = relations
        self.rounded_to = rounded_to
        self.indicators = computed(catalogue, published["indicator"].unique())
        self._code_catalogue()
        links = hierarchy[hierarchy["parent"].notna()]
        areas = [pd.unique(published["area_code"].dropna()),
                 pd.unique(hierarchy["code"].dropna()), pd.unique(links["parent"])]
        self.areas = pd.Index(np.unique(np.concatenate([np.asarray(a, dtype=object)
                                                        for a in areas])))
        levels = [pd.unique(published["level"].dropna()), list(model.LEVEL_OF_PREFIX.values())]
        self.levels = pd.Index(sorted({str(v) for vs in levels for v in vs}))
        years = [published["year"].to_numpy(), hierarchy["year"].to_numpy()]
        self.years = np.unique(np.concatenate(years).astype(np.int64))
        self._index = published.index
        self._seen: dict = {}
        self.rows = self._code(published)
        self._link_year = np.searchsorted(self.years, links["year"].to_numpy(np.int64))
        self._link_area = positions(self.areas, links["code"])
        self._link_parent = positions(self.areas, links["parent"])
        self._cells()
        truth_rows = None if truth is None else self._code(truth)
        self.true_value = None if truth_rows is None else self._counts(truth_rows, False)
        self.truth = None if truth_rows is None else self._per_cell(truth_rows)
        self._seen = {}
        self.value = self._counts(self.rows, True)
        self.slack = self._slack(truth_rows if truth_rows is not None else self._shown(self.rows))
        structure, *self._structure = self._structural()  # bounds; the matrix: on top
        self._n_structure = structure.shape[0]
        self._assemble(structure, self._shown_block(self.rows))
        del structure
        self.low_of = np.full(len(self.keys), np.nan)  # bounds found by solve, per cell
        self.high_of = np.full(len(self.keys), np.nan)
        self.changed = np.zeros(len(self.keys), dtype=bool)  # since the last solve

    # ------------------------------------------------------------------ codes

    def _code_catalogue(self) -> None:
        specs = list(self.indicators.values())
        names = {v for s in specs for v in (s.numerator, *s.denominators)}
        names |= {v for total, parts in self.relations.values() for v in (total, *parts)}
        self.variables = pd.Index(sorted(names))
        code = {v: k for k, v in enumerate(self.variables)}
        self.indicator_index = pd.Index(list(self.indicators))
        longest = max((len(s.denominators) for s in specs), default=0)
        self.numerator_of = np.array([code[s.numerator] for s in specs], dtype=np.int64)
        self._dens = np.full((len(specs), max(longest, 1)), -1, dtype=np.int64)
        for k, s in enumerate(specs):
            self._dens[k, :len(s.denominators)] = [code[d] for d in s.denominators]
        self._n_dens = np.array([len(s.denominators) for s in specs], dtype=np.int64)
        self._single = np.where(self._n_dens == 1, self._dens[:, 0], -1)
        self._scale = np.array([s.scale for s in specs], dtype=float)
        self._decimals = np.array([s.decimals for s in specs], dtype=np.int64)
        self.min_count_of = np.array([s.min_count for s in specs], dtype=np.int64)
        self._part = np.array([s.part for s in specs], dtype=bool)

    def _positions(self, index: pd.Index, frame: pd.DataFrame, column: str) -> np.ndarray:
        """``_positions`` of a column, once per column array (the truth and a
        publication made from it by masking share their code columns)."""
        array = frame[column].array
        seen = self._seen.get(column)
        if seen is not None and seen[0] is array:
            return seen[1]
        found = positions(index, frame[column])
        self._seen[column] = (array, found)
        return found

    def _code(self, frame: pd.DataFrame) -> Rows:
        indicator = self._positions(self.indicator_index, frame, "indicator")
        keep = np.flatnonzero(indicator >= 0)
        year = frame["year"].to_numpy(np.int64)[keep]
        return Rows(
            position=keep.astype(np.int32 if len(frame) < 2 ** 31 else np.int64),
            indicator=indicator[keep].astype(np.int32),
            area=self._positions(self.areas, frame, "area_code")[keep].astype(np.int32),
            year=self._year_codes(year).astype(np.int16),
            level=self._positions(self.levels, frame, "level")[keep].astype(np.int8),
            usable=member(frame["status"], model.USABLE)[keep],
            suppressed=member(frame["status"], [model.SUPPRESSED])[keep],
            value=frame["value"].to_numpy(float)[keep],
            numerator=frame["numerator"].to_numpy(float)[keep],
            denominator=frame["denominator"].to_numpy(float)[keep])

    def _year_codes(self, year: np.ndarray) -> np.ndarray:
        at = np.minimum(np.searchsorted(self.years, year), len(self.years) - 1)
        return np.where(self.years[at] == year, at, -1)

    def _key(self, variable, area, year) -> np.ndarray:
        variable, area, year = (np.asarray(c, dtype=np.int64) for c in (variable, area, year))
        key = (variable * len(self.areas) + area) * len(self.years) + year
        return np.where((variable < 0) | (area < 0) | (year < 0), -1, key)

    def cell(self, variable, area, year) -> np.ndarray:
        """The cell number of each (variable, area, year) code triple; -1 where none."""
        key = self._key(variable, area, year)
        if not len(self.keys):
            return np.full(len(key), -1)
        if self._dense is not None:
            return np.where(key >= 0, self._dense[np.maximum(key, 0)], -1)
        at = np.minimum(np.searchsorted(self.keys, key), len(self.keys) - 1)
        return np.where((key >= 0) & (self.keys[at] == key), at, -1)

    def cell_of(self, frame: pd.DataFrame, variable: str = "variable") -> np.ndarray:
        """The cell number of each row of a frame of ``KEY`` columns (-1 where none)."""
        return self.cell(positions(self.variables, frame[variable]),
                         positions(self.areas, frame["area_code"]),
                         self._year_codes(frame["year"].to_numpy(np.int64)))

    def _cells(self) -> None:
        """Every variable an indicator reads (and the linked tables hold) in every area
        of each year it is read in; cells numbered in (variable, area, year) order."""
        rows, years = self.rows, len(self.years)
        ind, year = distinct(rows.indicator, rows.year)
        uses = np.column_stack([self.numerator_of, self._dens])[ind]
        variable, year = uses.ravel(), np.repeat(year, uses.shape[1])
        variable, year = distinct(variable[variable >= 0], year[variable >= 0])
        # a linked table where a breakdown is read by no indicator: its count is unknown
        # everywhere, so the table only says that the others add up to at most the total
        referenced = set(variable.tolist())
        linked, self.partial = [], set()
        for r, (name, (total, parts)) in enumerate(self.relations.items()):
            codes = self.variables.get_indexer([total, *parts])
            active = np.unique(year[np.isin(variable, codes[1:])])
            linked += [(r, v, y) for y in active.tolist() for v in codes.tolist()
                       if v in referenced]
            if not set(codes[1:].tolist()) <= referenced:
                self.partial.add(name)
        self._linked = np.array(linked, dtype=np.int64).reshape(-1, 3)
        variable, year = distinct(np.concatenate([variable, self._linked[:, 1]]),
                                   np.concatenate([year, self._linked[:, 2]]))
        self._var_year = (variable, year)
        area, area_year = distinct(
            np.concatenate([rows.area, self._link_area, self._link_parent]),
            np.concatenate([rows.year, self._link_year, self._link_year]))
        self._area_year = (area, area_year)
        i, j = pairs(year, area_year)
        self.keys = np.sort(self._key(variable[i], area[j], year[i]))
        # every key → its cell, where that table is small enough (a lookup, no search)
        size = len(self.variables) * len(self.areas) * years
        self._dense = None
        if size <= 8 * len(self.keys) + 1_000_000:
            self._dense = np.full(size, -1, dtype=np.int64 if len(self.keys) >= 2**31
                                  else np.int32)
            self._dense[self.keys] = np.arange(len(self.keys))
        self.cell_variable = (self.keys // (len(self.areas) * years)).astype(np.int32)
        self.cell_area = (self.keys // years % len(self.areas)).astype(np.int32)
        self.cell_year = (self.keys % years).astype(np.int32)
        level = positions(self.levels, model.level_of(pd.Series(self.areas, dtype=object)))
        self.cell_level = level.astype(np.int8)[self.cell_area]

    @cached_property
    def cells(self) -> pd.DataFrame:
        """The cells as a frame: ``variable, area_code, year, level, cell``."""
        level = self.cell_level
        return pd.DataFrame({
            "variable": self.variables.take(self.cell_variable),
            "area_code": self.areas.take(self.cell_area),
            "year": self.years[self.cell_year],
            "level": np.where(level >= 0, self.levels.to_numpy(dtype=object)[level], None),
            "cell": np.arange(len(self.keys))})

    # ------------------------------------------------------------------ counts

    @staticmethod
    def _shown(rows: Rows) -> Rows:
        return Rows(*(getattr(rows, f)[rows.usable] for f in rows.__dataclass_fields__))

    def _known(self, rows: Rows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The counts ``rows`` hold: each row's numerator, and its denominator when it
        is one variable — as (cell, count, level of the row)."""
        single = self._single[rows.indicator]
        den = np.flatnonzero(single >= 0)
        cell = np.concatenate([self.cell(self.numerator_of[rows.indicator], rows.area, rows.year),
                               self.cell(single[den], rows.area[den], rows.year[den])])
        count = np.concatenate([rows.numerator, rows.denominator[den]])
        level = np.concatenate([rows.level, rows.level[den]])
        keep = ~np.isnan(count) & (cell >= 0)
        return cell[keep], count[keep], level[keep]

    def _counts(self, rows: Rows, shown_only: bool) -> np.ndarray:
        """The count of every cell that ``rows`` fix (NaN elsewhere)."""
        cell, count, _ = self._known(self._shown(rows) if shown_only else rows)
        value = np.full(len(self.keys), np.nan)
        value[cell] = count
        return value

    def _slack(self, rows: Rows) -> np.ndarray:
        """The rounding of each cell: a count is exact unless every count ``rows`` hold
        of its variable at its level is a multiple of the rounding (where none is held
        at its level: at any level)."""
        cell, count, level = self._known(rows)
        step = self.rounded_to or 1.0
        at = level >= 0
        group = self.cell_variable[cell[at]] * len(self.levels) + level[at]
        size = len(self.variables) * len(self.levels)
        held = np.bincount(group, minlength=size).reshape(len(self.variables), -1)
        fives = np.bincount(group, weights=count[at] % step == 0, minlength=size
                            ).reshape(len(self.variables), -1)
        all_fives = (held > 0) & (fives == held)
        any_level = all_fives.any(axis=1)
        level = np.maximum(self.cell_level, 0)
        per_level = held[self.cell_variable, level] > 0
        rounded = np.where(per_level & (self.cell_level >= 0),
                           all_fives[self.cell_variable, level], any_level[self.cell_variable])
        return np.where(rounded, self.rounded_to, 0.0)

    def _per_cell(self, rows: Rows) -> dict[str, np.ndarray]:
        """Per cell, from the true numbers: the first numerator of the rows whose
        numerator it is, and their smallest denominator."""
        cell = self.cell(self.numerator_of[rows.indicator], rows.area, rows.year)
        value = np.full(len(self.keys), np.nan)
        counted = np.flatnonzero((cell >= 0) & ~np.isnan(rows.numerator))
        first_cell, first = np.unique(cell[counted], return_index=True)
        value[first_cell] = rows.numerator[counted][first]
        denominator = np.full(len(self.keys), np.nan)
        has = np.flatnonzero((cell >= 0) & ~np.isnan(rows.denominator))
        smallest = pd.Series(rows.denominator[has]).groupby(cell[has]).min()
        denominator[smallest.index.to_numpy()] = smallest.to_numpy()
        return {"value": value, "denominator": denominator}

    # ------------------------------------------------------------------ rows

    def _widened(self, matrix: sparse.csr_array, low: np.ndarray, high: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
        """What the true numbers do not satisfy is no fact an adversary can use: a
        relation the data break (a source's own total that is not the sum of its parts)
        holds only as far as the true numbers let it."""
        if self.true_value is None:
            return low, high
        unknown = np.isnan(self.true_value)
        whole = (abs(matrix) @ unknown.astype(float)) == 0
        residual = matrix @ np.where(unknown, 0.0, self.true_value)
        return (np.where(whole, np.fmin(low, residual), low),
                np.where(whole, np.fmax(high, residual), high))

    @staticmethod
    def _block(terms: list, bounds: list, columns: int) -> tuple:
        """Sparse rows from ``(row, cell, coef)`` and ``(low, high)`` parts (each part's
        rows numbered from 0); ``terms`` is emptied on the way (millions of terms)."""
        n_rows, n_terms = sum(len(b[0]) for b in bounds), sum(len(t[0]) for t in terms)
        index = np.int32 if max(n_rows, columns, n_terms) < 2 ** 31 else np.int64
        row, cell, coef = (np.empty(n_terms, dtype=d) for d in (index, index, float))
        offset = at = 0
        for k, (low, _) in enumerate(bounds):  # filled part by part, each let go
            part, terms[k] = terms[k], None
            size = len(part[0])
            row[at:at + size] = part[0] + offset
            cell[at:at + size], coef[at:at + size] = part[1], part[2]
            offset, at = offset + len(low), at + size
            del part
        terms.clear()
        matrix = sparse.csr_array((coef, (row, cell)), shape=(offset, columns))
        del row, cell, coef
        low = np.concatenate([b[0] for b in bounds] or [np.array([])]).astype(float)
        high = np.concatenate([b[1] for b in bounds] or [np.array([])]).astype(float)
        return matrix, low, high

    def _levels_rows(self) -> tuple:
        """All levels: parent − Σ children = 0."""
        variable, year = self._var_year
        i, j = pairs(self._link_year, year)
        child = self.cell(variable[j], self._link_area[i], self._link_year[i])
        parent = self.cell(variable[j], self._link_parent[i], self._link_year[i])
        del i, j
        ok = (child >= 0) & (parent >= 0)
        child, parent = child[ok], parent[ok]
        group, first = unique(parent, inverse=True)
        del parent
        zeros = np.zeros(len(group))
        return ((np.concatenate([first, np.arange(len(group))]),
                 np.concatenate([child, group]),
                 np.concatenate([-np.ones(len(child)), np.ones(len(group))])), (zeros, zeros))

    def _linked_rows(self) -> tuple:
        """Linked tables: total − Σ breakdowns = 0 (≤ 0 where a breakdown is unknown
        everywhere)."""
        area, area_year = self._area_year
        relation, variable, year = self._linked.T
        i, j = pairs(year, area_year)
        cell = self.cell(variable[i], area[j], year[i])
        row_key = (relation[i] * len(self.areas) + area[j]) * len(self.years) + year[i]
        keys, row = unique(row_key, inverse=True)
        totals = self.variables.get_indexer([t for t, _ in self.relations.values()])
        sign = np.where(variable[i] == totals[relation[i]], 1.0, -1.0)
        partial = np.array([n in self.partial for n in self.relations] or [False])
        of_row = keys // (len(self.areas) * len(self.years))
        return (row, cell, sign), (np.zeros(len(keys)), np.where(partial[of_row], np.inf, 0.0))

    def _part_rows(self) -> tuple:
        """A proportion's numerator is part of its denominator: n − Σd ≤ 0."""
        rows = self.rows
        at = np.flatnonzero(self._part[rows.indicator])
        ind, area, year = distinct(rows.indicator[at], rows.area[at], rows.year[at])
        dens = self._dens[ind]
        row = np.arange(len(ind))
        k, d = np.nonzero(dens >= 0)
        return ((np.concatenate([row, row[k]]),
                 np.concatenate([self.cell(self.numerator_of[ind], area, year),
                                 self.cell(dens[k, d], area[k], year[k])]),
                 np.concatenate([np.ones(len(ind)), -np.ones(len(k))])),
                (np.full(len(ind), -np.inf), np.zeros(len(ind))))

    def _structural(self) -> tuple:
        """The rows that hold whatever is shown: all levels, linked tables (within the
        rounding of their terms) and a proportion's numerator ≤ its denominator."""
        terms, bounds = [], []
        for make in (self._levels_rows, self._linked_rows, self._part_rows):
            term, bound = make()
            terms.append(term)
            bounds.append(bound)
        relations = len(bounds[0][0]) + len(bounds[1][0])
        matrix, low, high = self._block(terms, bounds, len(self.keys))
        self.n_relations = relations
        # a sum or linked table holds to within the rounding of its terms
        slack = np.zeros(len(low))
        slack[:relations] = abs(matrix[:relations]) @ self.slack
        return (matrix, *self._widened(matrix, low - slack, high + slack))

    def _shown_block(self, rows: Rows) -> tuple:
        """The rows that the shown observations add, and the observation (a position in
        ``rows``) each comes from: a denominator that is a sum of variables; a shown
        value without its numerator or its denominator, v as the page rounds it (± h,
        half its last decimal): scale·n − (v + h)·Σd ≤ 0 ≤ scale·n − (v − h)·Σd; for a
        count (no denominator) scale·n between v − h and v + h."""
        terms, bounds, source = [], [], []
        n_dens = self._n_dens[rows.indicator]
        # shown rows: a denominator that is a sum of variables
        at = np.flatnonzero(rows.usable & (n_dens > 1) & ~np.isnan(rows.denominator))
        dens = self._dens[rows.indicator[at]]
        k, d = np.nonzero(dens >= 0)
        terms.append((k, self.cell(dens[k, d], rows.area[at][k], rows.year[at][k]),
                      np.ones(len(k))))
        bounds.append((rows.denominator[at], rows.denominator[at]))
        source.append(at)
        # shown rates within their rounding
        at = np.flatnonzero(rows.usable & ~np.isnan(rows.value)
                            & (np.isnan(rows.numerator) | np.isnan(rows.denominator)))
        ind, area, year = rows.indicator[at], rows.area[at], rows.year[at]
        decimals = self._decimals[ind]
        half = 0.5 * 10.0 ** -decimals
        value = rounded(rows.value[at], decimals)
        scale = self._scale[ind]
        counted = self._n_dens[ind] == 0
        num = self.cell(self.numerator_of[ind], area, year)
        dens = self._dens[ind]
        k, d = np.nonzero(dens >= 0)
        den = self.cell(dens[k, d], area[k], year[k])
        index = np.arange(len(at))
        for edge, low, high in (
                (value + half, np.full(len(at), -np.inf), np.where(counted, value + half, 0)),
                (value - half, np.where(counted, value - half, 0), np.full(len(at), np.inf))):
            terms.append((np.concatenate([index, k]), np.concatenate([num, den]),
                          np.concatenate([scale, -edge[k]])))
            bounds.append((low, high))
            source.append(at)
        matrix, low, high = self._block(terms, bounds, len(self.keys))
        return (matrix, *self._widened(matrix, low, high), np.concatenate(source))

    def _assemble(self, structure: sparse.csr_array, shown: tuple) -> None:
        """The matrix of the structural rows and those of the shown observations (the
        shown block itself is not kept: only the observation each row comes from)."""
        self.matrix = sparse.vstack([structure, shown[0]], format="csr")
        if self.matrix.nnz < 2 ** 31 and max(self.matrix.shape) < 2 ** 31:
            self.matrix.indices = self.matrix.indices.astype(np.int32)
            self.matrix.indptr = self.matrix.indptr.astype(np.int32)
        self.low = np.concatenate([self._structure[0], shown[1]])
        self.high = np.concatenate([self._structure[1], shown[2]])
        self.n_rows = self.matrix.shape[0]
        self._source = shown[3]

    # ------------------------------------------------------------------ rounds

    def republish(self, published: pd.DataFrame) -> None:
        """Take another publication of the same observations (the same rows in the
        same order, other rows suppressed; a problem built with the true numbers): the
        published counts and the rows of the shown observations follow it, and the
        cells whose piece may have changed are remembered, so that ``solve`` solves
        only those pieces again.

        Examples
        --------
        >>> problem = Problem(first, cat, hierarchy, {}, 5.0, truth=truth)  # doctest: +SKIP
        >>> problem.republish(second)  # doctest: +SKIP
        """
        if len(published) != len(self._index) or not published.index.equals(self._index):
            raise DataError("Problem.republish takes the observations it was built from "
                            "(the same rows in the same order), with other rows suppressed.")
        if self.true_value is None:
            raise DataError("Problem.republish needs the true numbers (truth=…): the "
                            "rounding of each count is judged from them, so that it stays "
                            "the same between publications.")
        old = self.rows
        status = published["status"]
        rows = Rows(old.position, old.indicator, old.area, old.year, old.level,
                     usable=member(status, model.USABLE)[old.position],
                     suppressed=member(status, [model.SUPPRESSED])[old.position],
                     **{c: published[c].to_numpy(float)[old.position]
                        for c in ("value", "numerator", "denominator")})

        def differs(a, b):
            return ~((a == b) | (np.isnan(a) & np.isnan(b)))

        moved = (old.usable != rows.usable) | (old.suppressed != rows.suppressed)
        for c in ("value", "numerator", "denominator"):
            moved |= differs(getattr(old, c), getattr(rows, c))
        moved = np.flatnonzero(moved)  # the observations whose rows may differ
        value = self._counts(rows, True)
        changed = differs(self.value, value)  # the cells whose published count differs
        self.rows, self.value = rows, value
        # a piece that changed holds a cell that changed, or a cell of a row that was
        # dropped or added or holds a cell that changed (before or after)
        dirty = [np.flatnonzero(changed)]

        def touched(matrix: sparse.csr_array, source: np.ndarray) -> np.ndarray:
            moved_rows = np.concatenate([np.zeros(self._n_structure, dtype=bool),
                                         np.isin(source, moved)])
            hits = np.flatnonzero(changed[matrix.indices])  # terms in a changed cell
            moved_rows[np.searchsorted(matrix.indptr, hits, "right") - 1] = True
            return matrix[np.flatnonzero(moved_rows)].indices

        dirty.append(touched(self.matrix, self._source))
        structure = self.matrix[:self._n_structure]
        self.matrix = None  # the old rows go before the new ones are stacked
        self._assemble(structure, self._shown_block(rows))
        del structure
        dirty.append(touched(self.matrix, self._source))
        self.changed[np.concatenate(dirty)] = True

    # ------------------------------------------------------------------ solve

    def solve(self, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
        """The smallest and largest value of each target cell, and the number of LPs
        (``lp_pieces.bounds``: piece by piece, bounds of unchanged pieces kept)."""
        return bounds(self, targets)
