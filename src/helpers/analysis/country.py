"""Nederland's value of each indicator, and what a total of gemeenten may be called.

``nederland`` computes it from the sums of every gemeente's numerators and denominators
(a share without counts: weighted by its denominator), only when every gemeente of the
year has both; where that gives no figure of the whole country, or only an
approximation, CBS's own figure for Nederland (the files' NL00 rows, ``published``)
takes its place. A total of fewer gemeenten than ``COUNTRY_MIN_GEMEENTEN`` — or lacking
one of CBS's list of the year — is named for what it is ("alle 33 gemeenten"), never
Nederland. Used by ``helpers.analysis.peers``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import model
from helpers.indicators.catalogue import Catalogue

__all__ = ["nederland", "country_label", "listed", "is_published", "COUNTRY_NAME",
           "PUBLISHED", "PUBLISHED_WORDS", "COUNTRY_MIN_GEMEENTEN"]

COUNTRY_NAME = "Nederland"
PUBLISHED = "door CBS gepubliceerd voor Nederland"  # the method of a figure of NL00 rows
PUBLISHED_WORDS = "het cijfer dat CBS voor Nederland publiceert"  # the same, in a sentence
_WEIGHTED = "gewogen gemiddelde van de gepubliceerde (afgeronde) percentages"
COUNTRY_MIN_GEMEENTEN = 300
"""Fewer gemeenten than this in a year's files is not the country (there were 342 in 2024
and never fewer than 340 since 2012): their total is named "alle … gemeenten in de
bestanden", not Nederland."""


def is_published(methods: pd.Series) -> pd.Series:
    """Per method (of ``nederland``'s ``method`` column) whether it is CBS's own figure
    for Nederland rather than a total of the gemeenten' figures."""
    return methods.fillna("").astype(str).str.startswith(PUBLISHED)


def listed(tidy: pd.DataFrame) -> dict[int, set[str]]:
    """Per year the gemeenten CBS's *Gebieden in Nederland* of that year lists (every
    gemeente of the country then): what a total must cover to be called Nederland."""
    rows = tidy[tidy["variable"] == model.PROVINCIE_VARIABLE]
    return {int(y): set(part["area_code"]) for y, part in rows.groupby("year")}


def nederland(observations: pd.DataFrame, catalogue: Catalogue,
              gemeenten_of: dict[int, set[str]] | None = None,
              published: pd.DataFrame | None = None) -> pd.DataFrame:
    """``indicator, year, value, gemeenten, method, label`` for Nederland (``label``:
    ``country_label`` — a file of a few gemeenten is no country), from the gemeente
    observations of every gemeente: Σ numerators / Σ denominators × scale, or — for a
    share published without counts — the shares weighted by their denominators; no
    value (and the reason in ``method``) when a gemeente lacks the figures.

    ``gemeenten_of`` (``listed``): the gemeenten of the country per year; a total that
    lacks one of them is not called Nederland, whatever the count.

    ``published``: Nederland's indicators as CBS publishes them (``National.country``,
    the files' NL00 rows). They give the value where the gemeenten's figures give none
    that may be called Nederland — a published mean, distance or percentage
    (``variable:``), a year of few gemeenten or one that lacks a gemeente's figure — and
    where those figures give only an approximation (a mean of rounded percentages,
    weighted); a total of every gemeente's counts stays what it is (exact where CBS
    rounds)."""
    rows = []
    gemeenten = observations.groupby("year")["area_code"].nunique()
    present = observations.groupby("year")["area_code"].agg(set)
    absent = {int(y): sorted((gemeenten_of or {}).get(int(y), set()) - codes)
              for y, codes in present.items()}
    for (indicator, year), part in observations.groupby(["indicator", "year"]):
        spec = catalogue.get(indicator)
        if spec is None or not spec.computed:
            continue
        total = int(gemeenten[year])
        usable = part[part["status"].isin(model.USABLE)]
        if spec.denominators:
            usable = usable[usable["denominator"].notna()]
        counted = usable["numerator"].notna()
        value, method = np.nan, ""
        if len(usable) < total:
            method = (f"niet te berekenen: {total - len(usable)} van {total} gemeenten "
                      "zonder cijfer")
        elif not spec.denominators:
            value = float(usable["numerator"].sum()) if counted.all() else np.nan
            method = (f"som van {total} gemeenten" if counted.all() else
                      "niet te berekenen: niet elke gemeente heeft een telling")
        elif counted.all():
            value = spec.scale * usable["numerator"].sum() / usable["denominator"].sum()
            method = f"som van de tellers gedeeld door de som van de noemers ({total} gemeenten)"
        else:
            weights = usable["denominator"]
            value = float((usable["value"] * weights).sum() / weights.sum())
            method = f"{_WEIGHTED} van {total} gemeenten"
        label = country_label(total)
        if absent.get(int(year)):
            lacking = absent[int(year)]
            label = f"alle {total} gemeenten"
            method += (f"; {len(lacking)} gemeente(n) van CBS' Gebieden in Nederland {year} "
                       f"ontbreken in de cijfers (bijvoorbeeld {lacking[0]}): geen Nederland")
        rows.append({"indicator": indicator, "year": int(year), "value": value,
                     "gemeenten": total, "method": method, "label": label})
    columns = ["indicator", "year", "value", "gemeenten", "method", "label"]
    computed = pd.DataFrame(rows, columns=columns)
    if published is None or published.empty:
        return computed
    given = published[published["status"].isin(model.USABLE) & published["value"].notna()
                      & published["indicator"].isin(list(catalogue))]
    given = pd.DataFrame({
        "indicator": given["indicator"], "year": given["year"].astype(int),
        "value": given["value"].astype(float), "gemeenten": 0,
        "method": f"{PUBLISHED} (" + given["source"].astype(str) + ")",
        "label": COUNTRY_NAME})
    called = (computed["value"].notna() & computed["label"].eq(COUNTRY_NAME)
              & ~computed["method"].str.startswith(_WEIGHTED))
    keep = computed[called]
    taken = given.merge(keep[["indicator", "year"]], how="left", indicator=True)
    taken = taken[taken.pop("_merge") == "left_only"]
    lacking = computed[~called].merge(taken[["indicator", "year"]], how="left",
                                      indicator=True)
    lacking = lacking[lacking.pop("_merge") == "left_only"]
    return pd.concat([keep, taken, lacking], ignore_index=True)[columns].sort_values(
        ["indicator", "year"], ignore_index=True)


def country_label(gemeenten: int) -> str:
    """What the total of ``gemeenten`` gemeenten is called (see ``COUNTRY_MIN_GEMEENTEN``)."""
    return (COUNTRY_NAME if gemeenten >= COUNTRY_MIN_GEMEENTEN
            else f"alle {gemeenten} gemeenten")
