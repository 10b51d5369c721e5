"""Bounds of target cells in a linear program of published figures, piece by piece
(read by ``lp_problem``: ``Problem.solve``).

The problem (``lp_problem.Problem``) gives ``value`` (a published count per cell, NaN
when unknown), ``matrix``/``low``/``high`` (its rows), ``n_rows``, ``keys`` (one per
cell), ``changed`` (cells changed since the last solve) and ``low_of``/``high_of`` (the
bounds found so far, kept between solves).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

from helpers.errors import DataError

__all__ = ["bounds", "TINY", "UNBOUNDED"]

TINY = 1e-6
UNBOUNDED = 1e9  # a count above this has no bound from what is published


def bounds(problem, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """The smallest and largest value of each target cell, and the number of LPs.

    Published cells are constants; the unknown cells fall apart into independent
    pieces (connected components of the rows). One LP holds every piece: its
    objective is the sum of one target per piece, and since the pieces share no row
    the optimum is the optimum of each piece on its own — so a round of two LPs
    (min, max) bounds one target in every piece, and there are as many rounds as
    the most targets in one piece. Bounds found before are kept for the pieces that
    did not change since (see the module docstring).
    """
    targets = np.asarray(targets, dtype=np.int64)
    lowest = np.full(len(targets), np.nan)
    highest = np.full(len(targets), np.nan)
    fixed = ~np.isnan(problem.value)
    known = fixed[targets]
    lowest[known] = highest[known] = problem.value[targets[known]]
    free = np.flatnonzero(~fixed)
    column = np.full(len(problem.keys), -1)
    column[free] = np.arange(len(free))
    constant = problem.matrix @ np.where(fixed, problem.value, 0.0)
    coo = problem.matrix.tocoo()
    keep = column[coo.col] >= 0
    a = sparse.csr_array((coo.data[keep], (coo.row[keep], column[coo.col[keep]])),
                         shape=(problem.n_rows, len(free)))
    del coo, keep
    touched = np.flatnonzero(np.diff(a.indptr) > 0)
    a = a[touched]
    low = problem.low[touched] - constant[touched]
    high = problem.high[touched] - constant[touched]
    graph = sparse.bmat([[None, a.T], [a, None]], format="csr")
    _, label = connected_components(graph, directed=False)
    del graph
    row_label = label[len(free):]
    column_label = label[:len(free)]
    # forget the bounds of every piece that changed since they were found
    stale = np.isin(column_label, np.unique(column_label[column[problem.changed & ~fixed]]))
    problem.low_of[free[stale]] = np.nan
    problem.high_of[free[stale]] = np.nan
    problem.low_of[fixed] = problem.high_of[fixed] = np.nan
    problem.changed[:] = False
    todo = pd.DataFrame({"target": np.flatnonzero(~known)})
    cells = targets[todo["target"].to_numpy()]
    reuse = ~np.isnan(problem.low_of[cells])
    lowest[todo["target"].to_numpy()[reuse]] = problem.low_of[cells[reuse]]
    highest[todo["target"].to_numpy()[reuse]] = problem.high_of[cells[reuse]]
    todo = todo[~reuse]
    todo["column"] = column[targets[todo["target"].to_numpy()]]
    todo = todo.drop_duplicates("column")  # a cell asked for twice is solved once
    todo["piece"] = column_label[todo["column"].to_numpy()]
    todo["round"] = todo.groupby("piece").cumcount()
    lps = 0
    if len(todo):  # only the pieces with a target
        keep_column = np.isin(column_label, todo["piece"].unique())
        keep_row = np.isin(row_label, todo["piece"].unique())
        renumber = np.cumsum(keep_column) - 1
        a, low, high = a[keep_row][:, keep_column], low[keep_row], high[keep_row]
        row_label, column_label = row_label[keep_row], column_label[keep_column]
        todo["column"] = renumber[todo["column"].to_numpy()]
        free = free[keep_column]
    for _, batch in todo.groupby("round"):
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
        for sign, out in ((1.0, problem.low_of), (-1.0, problem.high_of)):
            lps += 1
            result = linprog(sign * objective, A_ub=a_ub if len(b_ub) else None,
                             b_ub=b_ub if len(b_ub) else None,
                             A_eq=a_eq if len(b_eq) else None,
                             b_eq=b_eq if len(b_eq) else None,
                             bounds=(0, UNBOUNDED), method="highs")
            if result.status == 2:
                raise DataError(
                    "The published figures contradict each other: no counts satisfy "
                    "all sums and linked tables (lp_audit). Check the rounding assumed "
                    "(ROUNDED_TO) and LINKED_TABLES against the data.")
            if result.status != 0:
                raise DataError(f"The LP audit could not solve its problem: "
                                f"{result.message}")
            found = result.x[columns]
            out[free[batch["column"].to_numpy()]] = np.where(found > UNBOUNDED / 2,
                                                             np.inf, found)
    unknown = np.flatnonzero(~known)
    lowest[unknown] = problem.low_of[targets[unknown]]
    highest[unknown] = problem.high_of[targets[unknown]]
    return lowest, highest, lps
