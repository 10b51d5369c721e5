"""Integer-code helpers of the LP audit (read by ``lp_problem``): the computed
indicators as the LP reads them, observations as integer-code arrays (``Rows``),
lookups, joins and distinct keys on numpy arrays, and Python's rounding, vectorised."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.indicators.catalogue import Catalogue

__all__ = ["Indicator", "computed", "Rows", "positions", "member", "pairs", "unique",
           "distinct", "rounded"]


@dataclass(frozen=True)
class Indicator:
    numerator: str
    denominators: tuple[str, ...]
    scale: float
    decimals: int
    min_count: int
    part: bool  # a proportion: the numerator is part of the denominator


def computed(catalogue: Catalogue, ids) -> dict[str, Indicator]:
    return {i: Indicator(catalogue[i].numerator, tuple(catalogue[i].denominators),
                          float(catalogue[i].scale), int(catalogue[i].decimals),
                          int(catalogue[i].min_count), catalogue[i].kind == "proportion")
            for i in ids if i in catalogue and catalogue[i].computed}


@dataclass
class Rows:
    """The observations of computed indicators on integer codes; ``position``: their
    place in the frame they came from."""

    position: np.ndarray
    indicator: np.ndarray
    area: np.ndarray
    year: np.ndarray
    level: np.ndarray
    usable: np.ndarray
    suppressed: np.ndarray
    value: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray


def positions(index: pd.Index, values: pd.Series) -> np.ndarray:
    """``index.get_indexer(values)`` through the distinct values (a few indicators or
    areas among millions of rows: strings are looked up once, not per row)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    found = np.append(index.get_indexer(uniques), -1)
    return found[codes]


def member(values: pd.Series, wanted) -> np.ndarray:
    """``values.isin(wanted)`` through the distinct values (a missing value is never
    wanted): a categorical's codes are read as they are."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return np.append(pd.Index(uniques).isin(list(wanted)), False)[codes]


def pairs(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of positions ``(i, j)`` with ``left[i] == right[j]`` (an inner join on
    integer codes)."""
    order = np.argsort(right, kind="stable")
    ordered = right[order]
    start = np.searchsorted(ordered, left, "left")
    count = np.searchsorted(ordered, left, "right") - start
    i = np.repeat(np.arange(len(left)), count)
    within = np.arange(len(i)) - np.repeat(np.cumsum(count) - count, count)
    return i, order[np.repeat(start, count) + within]


def unique(key: np.ndarray, inverse: bool = False):
    """``np.unique`` of integer keys by sorting (faster than hashing for millions),
    optionally with the position of each key among the distinct ones."""
    ordered = np.sort(key)
    distinct = ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])] if len(
        ordered) else ordered
    return (distinct, np.searchsorted(distinct, key)) if inverse else distinct


def distinct(*codes: np.ndarray) -> tuple[np.ndarray, ...]:
    """The distinct combinations of equally long integer code arrays, sorted (through
    one integer per combination)."""
    if not len(codes[0]):
        return codes
    low = [int(c.min()) for c in codes]
    size = [int(c.max()) - lo + 1 for c, lo in zip(codes, low, strict=True)]
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for c, lo, n in zip(codes, low, size, strict=True):
        key = key * n + (c - lo)
    key = unique(key)
    out = []
    for lo, n in zip(reversed(low), reversed(size), strict=True):
        out.append(key % n + lo)
        key = key // n
    return tuple(reversed(out))


def rounded(value: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    """``round(v, decimals)`` per value as Python rounds it (correctly, half to even
    on the decimal digits), vectorised: numpy's rounding differs from it only next to a
    half, where Python's is taken."""
    scaled = value * 10.0 ** decimals
    out = np.round(scaled) / 10.0 ** decimals
    near = np.flatnonzero(np.abs(np.abs(scaled - np.floor(scaled)) - 0.5) < 1e-6)
    out[near] = [round(float(v), int(d)) for v, d in zip(value[near], decimals[near],
                                                        strict=True)]
    return out
