"""Disclosure control, applied to observations before anything is drawn or published.

Primary suppression, per indicator ``min_count`` from the catalogue: a computed value
(count, proportion, rate) is suppressed when its numerator is between 1 and
``min_count - 1``, or its denominator is below ``min_count``.

Complementary suppression: a suppressed part could be recovered from its parent's total
minus the other parts (buurten of a wijk, wijken of the gemeente): a group of siblings
under a shown parent is *unprotected* when it has exactly one suppressed value, or when
the suppressed values' numerators (or denominators) add up to less than ``min_count`` —
then the parent minus the shown siblings gives a small count, exactly or nearly (a
complement of 0 would give it exactly). In every unprotected group one more shown
sibling is suppressed: the smallest whose numerator closes the gap to ``min_count``
(else the largest); with no sibling left, the parent. Two more kinds of group too:

* **all levels**: a suppressed parent whose children are all shown is their sum (a
  complement wijk whose buurten are shown gives away the wijk it was to protect); one of
  its children is suppressed with it, the smallest whose numerator reaches the parent's
  ``min_count`` (else the largest);
* **linked tables** (``LINKED_TABLES``: a total and its breakdowns, such as the five age
  groups that add up to the inwoners): where every breakdown is published by an
  indicator and one is suppressed alone, or the suppressed ones add up to less than
  ``min(min_count, denominator)``, a shown breakdown of the same area and year is
  suppressed with them, chosen the same way.

This is repeated until no group is unprotected; a group that stays unprotected with
nothing left to suppress is a ``DataError`` naming it (never a silent give-up).

Closing each group on its own is not enough where linked tables cross the levels (the
age groups of a buurt, of its siblings and of its wijk: a cell can be pinned by the
combination of sums none of which is unprotected alone). So with a hierarchy the result
is proved by ``lp_audit``: the interval of every suppressed small count consistent
with everything that would be published, by linear programming. While a cell can be
pinned within less than ``min(min_count, denominator)``, one more published cell next
to it — the same variable in a sibling, another breakdown of its table, its parent or
child, its table's total; or, one step further, next to a suppressed neighbour — is
suppressed, the nearest whose count reaches ``min_count`` (else the largest), the
groups are closed again and the audit repeated (``Auditor``: only the LP's pieces that
changed are solved again). It ends when the audit pins nothing; a pinned cell with no
published neighbour left is a ``DataError`` naming it. (A workbook is rounded like its
page; ``helpers.publish.audit`` checks.)

A value without a count behind it (CBS's published rounded percentage, numerator NaN)
is never suppressed as a small count: CBS protected it before publishing, and the kit
holds no count to protect. It takes part in complementary suppression like any shown
sibling (share × denominator gives its count to within the rounding), with its count
estimated as value × denominator / scale inside this module only; what is published
keeps a NaN numerator. Where the count exists, ``compute`` has used it instead.

A suppressed row keeps no value, numerator or denominator. Values CBS kept secret
(``.``) arrive with status ``secret`` and stay missing.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from helpers import model
from helpers.errors import DataError
from helpers.indicators.catalogue import Catalogue
from helpers.indicators.groups import GROUP as _GROUP
from helpers.indicators.groups import Coded as _Coded
from helpers.indicators.lp_audit import LINKED_TABLES, Auditor

__all__ = ["suppress", "lone_suppressions", "unprotected_groups", "LINKED_TABLES"]


def _linked(coded: _Coded, catalogue: Catalogue, suppressed: np.ndarray, shown: np.ndarray,
            numerator: np.ndarray, denominator: np.ndarray, threshold: np.ndarray
            ) -> np.ndarray:
    """Rows to suppress so that no linked table (``LINKED_TABLES``: a total and
    its breakdowns, per area and year) gives a suppressed breakdown away: where every
    breakdown is published by an indicator and some but not all are suppressed, one
    alone or together less than ``min(min_count, denominator)``, the shown breakdown
    with the smallest numerator that closes the gap is suppressed too (else the
    largest). A table with a breakdown that no indicator shows protects itself."""
    of_variable: dict[str, list[int]] = {}
    for code, indicator in enumerate(coded.indicators):
        if indicator in catalogue and catalogue[indicator].computed:
            of_variable.setdefault(catalogue[indicator].numerator, []).append(code)
    pieces = []
    for table, (_, parts) in enumerate(LINKED_TABLES.values()):
        if not all(part in of_variable for part in parts):
            continue
        part_of = np.full(len(coded.indicators) + 1, -1)
        for k, part in enumerate(parts):
            part_of[of_variable[part]] = k
        rows = np.flatnonzero((part_of[coded.indicator] >= 0) & (suppressed | shown))
        pieces.append(pd.DataFrame({
            "row": rows, "table": table, "part": part_of[coded.indicator[rows]],
            "parts": len(parts), "area": coded.area[rows], "year": coded.year[rows],
            "hidden": suppressed[rows], "num": numerator[rows], "den": denominator[rows],
            "limit": threshold[rows]}))
    if not pieces:
        return np.array([], dtype=int)
    rows = pd.concat(pieces, ignore_index=True)
    key = ["table", "area", "year"]
    hidden_num = rows["num"].where(rows["hidden"], 0.0).fillna(0.0)
    groups = rows.assign(hidden_num=hidden_num).groupby(key).agg(
        present=("part", "nunique"), parts=("parts", "first"), hidden=("hidden", "sum"),
        hidden_num=("hidden_num", "sum"), den=("den", "max"), limit=("limit", "max"))
    need = np.fmin(groups["limit"], groups["den"].fillna(np.inf))
    weak = ((groups["present"] == groups["parts"]) & (groups["hidden"] >= 1)
            & (groups["hidden"] < groups["parts"])
            & ((groups["hidden"] == 1) | (groups["hidden_num"] < need)))
    gaps = np.maximum(need - groups["hidden_num"], 1.0)[weak].rename("gap").reset_index()
    candidates = rows[~rows["hidden"]].merge(gaps, on=key)
    number = candidates["num"].to_numpy()
    short = ~(number >= candidates["gap"].to_numpy())  # NaN counts as short
    candidates = candidates.assign(short=short, order=np.where(short, -number, number))
    picked = candidates.sort_values(["short", "order"], na_position="last").groupby(
        key).head(1)
    return picked["row"].to_numpy()


def _counts(obs: pd.DataFrame, coded: _Coded, catalogue: Catalogue) -> np.ndarray:
    """Numerators, with a published share's count estimated (value × denominator / scale)
    where it has none: used to choose complements, never published."""
    num = obs["numerator"].to_numpy(dtype=float)
    val = obs["value"].to_numpy(dtype=float)
    den = obs["denominator"].to_numpy(dtype=float)
    scale = coded.per_row(catalogue, "scale", 1.0).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate = val * den / scale
    return np.where(np.isnan(num), estimate, num)


def _primary(obs: pd.DataFrame, threshold: np.ndarray) -> np.ndarray:
    num = obs["numerator"].to_numpy(dtype=float)
    den = obs["denominator"].to_numpy(dtype=float)
    published = np.isnan(num) & ~np.isnan(obs["value"].to_numpy(dtype=float))  # no count
    with np.errstate(invalid="ignore"):
        small = ((num > 0) & (num < threshold)) | (~np.isnan(den) & (den < threshold))
    return small & (threshold > 0) & ~published


def _stuck(lone: pd.DataFrame, coded: _Coded) -> DataError:
    """The error when groups stay unprotected with nothing left to suppress."""
    shown = "; ".join(f"{coded.indicators[r.indicator]} {r.year} under "
                      f"{coded.areas[r.parent]}" for r in lone.head(5).itertuples())
    return DataError(
        f"Disclosure control cannot protect {len(lone)} group(s) of suppressed values "
        f"({shown}): every cell that could be suppressed with them already is. Check the "
        "hierarchy of these areas (stuurkit check) — a parent must list all its parts.")


def lone_suppressions(obs: pd.DataFrame, hierarchy: pd.DataFrame) -> pd.DataFrame:
    """Groups (indicator, year, parent) with exactly one suppressed child and a shown parent."""
    coded = _Coded(obs, hierarchy)
    status = obs["status"]
    lone = coded.lone((status == model.SUPPRESSED).to_numpy(), status.isin(model.USABLE).to_numpy())
    if lone.empty:
        return pd.DataFrame({"indicator": obs["indicator"].iloc[:0],
                             "year": obs["year"].iloc[:0], "parent": hierarchy["parent"].iloc[:0]
                             }).reset_index(drop=True)
    return pd.DataFrame({
        "indicator": pd.Series(coded.indicators.take(lone["indicator"].to_numpy())),
        "year": lone["year"].to_numpy(),
        "parent": pd.Series(coded.areas.take(lone["parent"].to_numpy())),
    }).sort_values(_GROUP).reset_index(drop=True)


def unprotected_groups(observations: pd.DataFrame, statuses: pd.Series, catalogue: Catalogue,
                       hierarchy: pd.DataFrame) -> pd.DataFrame:
    """Groups (indicator, year, parent) left unprotected (see the module docstring) when
    ``observations`` (with their true numbers) are published with ``statuses``: a
    suppressed child alone, or suppressed children whose numerators or denominators add
    up to less than ``min_count`` under a shown parent. Empty after ``suppress``."""
    coded = _Coded(observations, hierarchy)
    computed = coded.per_row(catalogue, "computed", False).astype(bool)
    lone = coded.unprotected(
        computed & (statuses == model.SUPPRESSED).to_numpy(),
        computed & statuses.isin(model.USABLE).to_numpy(),
        _counts(observations, coded, catalogue),
        observations["denominator"].to_numpy(dtype=float),
        coded.per_row(catalogue, "min_count", 0).astype(float))
    return pd.DataFrame({
        "indicator": pd.Series(coded.indicators.take(lone["indicator"].to_numpy())),
        "year": lone["year"].to_numpy(),
        "parent": pd.Series(coded.areas.take(lone["parent"].to_numpy()), dtype=object),
    }).sort_values(_GROUP).reset_index(drop=True)


def _masked(observations: pd.DataFrame, hide: np.ndarray) -> pd.DataFrame:
    """``observations`` with the rows of ``hide`` suppressed: a new frame of the
    unchanged columns and the masked ones (no copy of the rest)."""
    changed = {c: observations[c].mask(hide) for c in ("value", "numerator", "denominator")}
    changed["status"] = observations["status"].mask(hide, model.SUPPRESSED)
    return pd.DataFrame({c: changed.get(c, observations[c]) for c in observations.columns},
                        index=observations.index, copy=False)


class _Rounds:
    """The state of complementary suppression: which rows are hidden, suppressed and
    shown, and the numbers that choose complements."""

    def __init__(self, observations: pd.DataFrame, catalogue: Catalogue, coded: _Coded,
                 hide: np.ndarray):
        self.coded, self.catalogue, self.hide = coded, catalogue, hide
        self.computed = coded.per_row(catalogue, "computed", False).astype(bool)
        status = observations["status"]
        self.suppressed = self.computed & (hide | (status == model.SUPPRESSED).to_numpy())
        self.shown = self.computed & ~hide & status.isin(model.USABLE).to_numpy()
        self.numerator = _counts(observations, coded, catalogue)
        self.denominator = observations["denominator"].to_numpy(dtype=float)
        self.threshold = coded.per_row(catalogue, "min_count", 0).astype(float)
        self.variables, self.variable, self.single = self._variable_codes()
        self._code_of = {v: k for k, v in enumerate(self.variables)}  # per pinned cell

    def _variable_codes(self) -> tuple[pd.Index, np.ndarray, np.ndarray]:
        """The variables the computed indicators read, and per row the code of its
        numerator and of its denominator where that is one variable (-1: none)."""
        catalogue, ids = self.catalogue, self.coded.indicators
        specs = [catalogue[i] if i in catalogue and catalogue[i].computed else None
                 for i in ids]
        single = [s.denominators[0] if s is not None and len(s.denominators) == 1 else None
                  for s in specs]
        numerator = [s.numerator if s is not None else None for s in specs]
        variables = pd.Index(sorted({v for v in (*numerator, *single) if v is not None}))
        code = {v: k for k, v in enumerate(variables)}
        of = [np.array([code.get(v, -1) for v in (*names, None)])[self.coded.indicator]
              for names in (numerator, single)]
        return variables, of[0], of[1]

    def add(self, extra: np.ndarray) -> None:
        self.hide[extra] = True
        self.suppressed[extra] = self.computed[extra]
        self.shown[extra] = False

    def close(self) -> None:
        """Suppress complements until no group is unprotected (each round hides at least
        one more shown cell, so this ends); ``DataError`` when one cannot be protected."""
        coded = self.coded
        while True:
            lone = pd.concat([
                coded.unprotected(self.suppressed, self.shown, self.numerator,
                                  self.denominator, self.threshold),
                coded.hidden_parents(self.suppressed, self.shown, self.threshold)],
                ignore_index=True)
            extra = np.concatenate([
                coded.complement(lone, self.shown, self.numerator) if len(lone) else [],
                _linked(coded, self.catalogue, self.suppressed, self.shown, self.numerator,
                        self.denominator, self.threshold)]).astype(int)
            extra = np.unique(extra[~self.hide[extra]])
            if not len(extra):
                if len(lone):
                    raise _stuck(lone, coded)
                return
            self.add(extra)

    @cached_property
    def _fixing(self) -> tuple[np.ndarray, np.ndarray]:
        """The rows that publish each count (variable, area, year): as their numerator,
        or as their denominator where it is one variable — sorted by an integer key."""
        computed = np.flatnonzero(self.computed)
        rows = np.concatenate([computed, computed])
        variable = np.concatenate([self.variable[computed], self.single[computed]])
        rows, variable = rows[variable >= 0], variable[variable >= 0]
        key = self._key(variable, self.coded.area[rows], self.coded.year[rows])
        order = np.argsort(key, kind="stable")
        return key[order], rows[order]

    def _key(self, variable, area, year) -> np.ndarray:
        """One integer per (variable code, area code, year)."""
        years = 10_000  # calendar years
        return ((np.asarray(variable, dtype=np.int64) * (len(self.coded.areas) + 1) + area)
                * years + np.asarray(year, dtype=np.int64))

    def fixing(self, variable: str, area: int, year: int) -> np.ndarray:
        """The rows that publish the count of ``variable`` in ``area`` and ``year``."""
        keys, rows = self._fixing
        code = self._code_of.get(variable, -1)
        if code < 0:
            return np.array([], dtype=int)
        key = self._key(code, area, year)
        return rows[np.searchsorted(keys, key, "left"):np.searchsorted(keys, key, "right")]

    @cached_property
    def _links(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """The links by (year, child) and by (year, parent): sorted keys and the other
        end of each link."""
        links = self.coded.links
        year = links["year"].to_numpy(dtype=np.int64)
        out = {}
        for by, other in (("area", "parent"), ("parent", "area")):
            key = year * (len(self.coded.areas) + 1) + links[by].to_numpy(dtype=np.int64)
            order = np.argsort(key, kind="stable")
            out[by] = (key[order], links[other].to_numpy()[order])
        return out

    def _linked_to(self, by: str, areas, year: int) -> np.ndarray:
        """The parents (``by="area"``) or children (``by="parent"``) of ``areas``."""
        keys, other = self._links[by]
        key = year * (len(self.coded.areas) + 1) + np.asarray(areas, dtype=np.int64)
        start, stop = np.searchsorted(keys, key, "left"), np.searchsorted(keys, key, "right")
        return np.concatenate([other[a:b] for a, b in zip(np.atleast_1d(start),
                                                          np.atleast_1d(stop), strict=True)]
                              or [np.array([], dtype=int)])

    def _related(self, variable: str, area: int, year: int) -> tuple[list, list, list]:
        """The cells (variable, area) that share a relation with one cell, in three
        tiers: the same variable in a sibling area and the other breakdowns of its
        linked tables in the same area; the same variable in its parent and children;
        the totals of its linked tables in the same area."""
        parents = self._linked_to("area", [area], year)
        siblings = self._linked_to("parent", parents, year)
        children = self._linked_to("parent", [area], year)
        parts = {p for _, ps in LINKED_TABLES.values() if variable in ps for p in ps}
        totals = {t for t, ps in LINKED_TABLES.values() if variable in ps}
        return ([(variable, int(a)) for a in siblings if a != area]
                + [(p, area) for p in sorted(parts - {variable})],
                [(variable, int(a)) for a in (*parents, *children)],
                [(t, area) for t in sorted(totals)])

    def _publishing(self, variable: str, area: int, year: int) -> np.ndarray:
        rows = self.fixing(variable, area, year)
        return rows[self.shown[rows]]

    def around(self, pinned: pd.DataFrame) -> np.ndarray:
        """Rows to suppress so that each pinned cell (variable, area, year) gains room:
        a published cell that shares a relation with it or with a suppressed cell that
        does (see ``_related``) — nearest first — the one with the smallest count that
        reaches ``min_count`` (else the largest); hidden with every shown row that
        publishes it."""
        area_code = {a: k for k, a in enumerate(self.coded.areas)}
        picked = []
        for cell in pinned.itertuples():
            v, area, year = cell.variable, area_code.get(cell.area_code, -1), int(cell.year)
            direct = self._related(v, area, year)
            seen, candidates = {(v, area)}, []
            hops = [(0, direct[0]), (2, direct[1]), (3, direct[2])]
            for variable, where in (c for tier in direct for c in tier):
                if not len(self._publishing(variable, where, year)):
                    near = self._related(variable, where, year)
                    hops += [(1, near[0]), (2, near[1]), (3, near[2])]
            for rank, tier in hops:
                for variable, where in tier:
                    rows = self._publishing(variable, where, year)
                    if (variable, where) in seen or not len(rows):
                        continue
                    seen.add((variable, where))
                    own = self.variable[rows] == self._code_of[variable]
                    counts = np.concatenate([self.numerator[rows][own],
                                             self.denominator[rows][~own]])
                    count = np.nanmax(counts) if (~np.isnan(counts)).any() else np.nan
                    candidates.append((not count >= cell.min_count, rank, count, rows))
            if not candidates:
                raise DataError(
                    f"Disclosure control cannot protect {v} of {cell.area_code} {year}: it "
                    f"can be read off the published figures within [{cell.low:g}, "
                    f"{cell.high:g}] and no published cell next to it is left to suppress. "
                    "Check the hierarchy of this area (stuurkit check).")
            # a cell that reaches min_count, nearest and smallest first; else the largest
            best = min(candidates, key=lambda c: (c[0], c[1], -np.nan_to_num(c[2], nan=-1)
                                                  if c[0] else c[2]))
            picked.append(best[3])
        return np.unique(np.concatenate(picked)).astype(int)


def suppress(observations: pd.DataFrame, catalogue: Catalogue,
             hierarchy: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return a copy with small counts suppressed (status ``suppressed``, no numbers).

    Works on integer codes of indicator, year and area; only the groups that hold a
    suppressed cell are looked at in each round of complementary suppression. With a
    hierarchy the result is proved by ``lp_audit``: while a small count can still be
    pinned from what would be published (where linked tables cross the levels, closing
    each group on its own does not always leave room), a cell next to it is suppressed
    too and the groups are closed again.
    """
    coded = _Coded(observations, hierarchy)
    hide = _primary(observations, coded.per_row(catalogue, "min_count", 0).astype(float))
    if hierarchy is not None:
        rounds = _Rounds(observations, catalogue, coded, hide)
        rounds.close()
        work = coded.categorical(observations)  # the audit reads codes, not strings
        auditor = Auditor(work, catalogue, hierarchy)  # solves what changed
        while rounds.suppressed.any():  # each round hides one more shown cell: it ends
            found = auditor.audit(_masked(work, hide), sensitive_only=True)
            pinned = found[found["pinned"]]
            if pinned.empty:
                break
            rounds.add(rounds.around(pinned))
            rounds.close()
    return _masked(observations, hide)
