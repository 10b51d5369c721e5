"""One figure per area, year and variable when several files give it: the precedence rule.

A workspace often holds overlapping files: the KWB download and a StatLine export of
the same year, one year imported as CSV and as xlsx, a first and a later release. Which
figure is shown is decided here, in one place, by these rules in this order:

1. an explicit ``priority`` on the file's entry in ``stuurkit.yml`` (higher wins;
   default 0);
2. a value beats a CBS marker (``.`` secret, ``-`` missing): CBS's ``.`` in one table
   does not hide the figure another table publishes;
3. a later release of the same table beats an earlier one (the release is the export
   time in a StatLine file name, ``…_14102024_164034.csv``, else the recorded download
   day in provenance);
4. otherwise the file listed first in ``stuurkit.yml``.

Nothing is decided silently: ``combine`` returns, beside the one row per key, every
**conflict** (two files give numbers that differ beyond their rounding: ``0,64`` and
``0,6`` agree, ``0,6`` and ``0,4`` do not) with the rule that decided, and every
**duplicate** (two files that give the same figures for a year: one year imported twice).
``stuurkit check`` lists both with counts and examples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from helpers import model

__all__ = ["Part", "Conflict", "Duplicate", "combine", "release_in_name", "RULES"]

KEYS = ["area_code", "year", "variable"]
RULES = ("priority", "value beats marker", "later release", "listed first")
_EXPORTED = re.compile(r"_([0-3][0-9])([01][0-9])((?:19|20)[0-9]{2})_[0-9]{6}(?=\.[^.]+$)")
_DUPLICATE_SHARE = 0.9  # of the smaller file's figures given by both, and equal


def release_in_name(name: str) -> date | None:
    """The export day in a StatLine file name (``…_14102024_164034.csv``), else ``None``.

    >>> release_in_name("Nabijheid_buurt_2023_14102024_164034.csv")
    datetime.date(2024, 10, 14)
    >>> release_in_name("kwb-2023.xlsx") is None
    True
    """
    match = _EXPORTED.search(name)
    if not match:
        return None
    try:
        return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        return None


@dataclass(frozen=True)
class Part:
    """One file's tidy rows with what the rule needs to know about the file."""

    file: str
    frame: pd.DataFrame
    priority: int = 0
    release: date | None = None


@dataclass(frozen=True)
class Conflict:
    """Files that give different numbers for one key, and the figure that is shown."""

    area_code: str
    year: int
    variable: str
    shown: tuple[str, float]  # file, value
    other: tuple[str, float]
    rule: str  # which of RULES decided

    def line(self) -> str:
        return (f"{self.area_code} / {self.year} / {self.variable}: {self.shown[1]:g} from "
                f"{self.shown[0]} is shown, {self.other[1]:g} from {self.other[0]} is not "
                f"({self.rule})")


@dataclass(frozen=True)
class Duplicate:
    """Two files that give the same figures for a year."""

    first: str
    second: str
    year: int
    figures: int

    def line(self) -> str:
        return (f"{self.second} repeats {self.first} for {self.year} ({self.figures:,} "
                "figures); remove one of them from sources.kwb").replace(",", ".")


def _decimals(values: np.ndarray) -> np.ndarray:
    """Decimals each value is written with (0–6)."""
    out = np.full(values.shape, 6)
    for d in range(5, -1, -1):
        out = np.where(np.isclose(values, np.round(values, d), rtol=0, atol=1e-9), d, out)
    return out


def _agree(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """True where two numbers are the same figure up to the rounding of the coarser."""
    coarse = np.minimum(_decimals(a), _decimals(b))
    return np.abs(a - b) <= 0.5 * 10.0 ** (-coarse) + 1e-9


def combine(parts: list[Part]) -> tuple[pd.DataFrame, list[Conflict], list[Duplicate]]:
    """The rows of all ``parts`` with one row per area, year and variable (see the
    module docstring), the conflicts and the duplicates."""
    frames = [p.frame.assign(_part=i) for i, p in enumerate(parts) if len(p.frame)]
    if not frames:
        empty = parts[0].frame if parts else pd.DataFrame(columns=model.TIDY_COLUMNS)
        return empty.iloc[0:0], [], []
    rows = pd.concat(frames, ignore_index=True)
    twice = rows.duplicated(KEYS, keep=False)
    if not twice.any():
        return rows.drop(columns="_part"), [], []
    single, many = rows[~twice], rows[twice]
    part = many["_part"].to_numpy()
    priority = np.array([p.priority for p in parts])[part]
    usable = many["status"].isin(model.USABLE).to_numpy()
    newest = max((p.release for p in parts if p.release), default=None)
    age = np.array([(newest - p.release).days if p.release and newest else 10**6
                    for p in parts])[part]
    ranked = many.assign(_priority=-priority, _marker=~usable, _age=age).sort_values(
        [*KEYS, "_priority", "_marker", "_age", "_part"], kind="stable")
    best = ranked.drop_duplicates(KEYS, keep="first")
    conflicts = _conflicts(parts, ranked, best)
    duplicates = _duplicates(parts, many)
    kept = pd.concat([single, best.drop(columns=["_priority", "_marker", "_age"])],
                     ignore_index=True).drop(columns="_part")
    return kept, conflicts, duplicates


def _conflicts(parts: list[Part], ranked: pd.DataFrame, best: pd.DataFrame
               ) -> list[Conflict]:
    values = ranked[ranked["value"].notna()]
    merged = values.merge(best[[*KEYS, "value", "_part", "_priority", "_marker", "_age"]],
                          on=KEYS, suffixes=("", "_shown"))
    merged = merged[(merged["_part"] != merged["_part_shown"]) & merged["value_shown"].notna()]
    differ = merged[~_agree(merged["value"].to_numpy(float),
                            merged["value_shown"].to_numpy(float))]
    found = []
    for row in differ.to_dict("records"):
        if row["_priority_shown"] != row["_priority"]:
            rule = RULES[0]
        elif row["_age_shown"] != row["_age"]:
            rule = RULES[2]
        else:
            rule = RULES[3]
        found.append(Conflict(row["area_code"], int(row["year"]), row["variable"],
                              (parts[row["_part_shown"]].file, float(row["value_shown"])),
                              (parts[row["_part"]].file, float(row["value"])), rule))
    return found


def _duplicates(parts: list[Part], many: pd.DataFrame) -> list[Duplicate]:
    found = []
    sizes = {(i, int(y)): n for (i, y), n in
             pd.concat([p.frame.assign(_part=i) for i, p in enumerate(parts)])
             .groupby(["_part", "year"]).size().items()}
    pairs = many.merge(many, on=KEYS, suffixes=("", "_b"))
    pairs = pairs[pairs["_part"] < pairs["_part_b"]]
    equal = (pairs["status"] == pairs["status_b"]) & (
        (pairs["value"].isna() & pairs["value_b"].isna())
        | np.isclose(pairs["value"], pairs["value_b"], rtol=1e-9, atol=1e-9))
    counted = pairs[equal].groupby(["_part", "_part_b", "year"]).size()
    for (a, b, year), n in counted.items():
        smaller = min(sizes[(a, int(year))], sizes[(b, int(year))])
        if n >= _DUPLICATE_SHARE * smaller:
            found.append(Duplicate(parts[a].file, parts[b].file, int(year), int(n)))
    return found
