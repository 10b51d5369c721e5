"""Area profile: one wijk (or buurt) against the gemeente, for one report year.

``area_profile(facts, area, year)`` gathers what the wijkprofiel shows: the area and the
gemeente, the key figures (each indicator's newest value up to ``year``, the same year
for both areas), the trends, the profile against all areas of its level (``spine_data``)
and where the area's boundary changed. Frames in, frames out: no files, no display.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from helpers import memo
from helpers.analysis.stats import TEST_TEXT, compare_with_parent
from helpers.errors import StuurkitError
from helpers.indicators.catalogue import Indicator
from helpers.indicators.facts import Facts
from helpers.model import MISSING, USABLE
from helpers.numbers import format_number

__all__ = ["AreaProfile", "Differences", "area_profile", "spine_data", "differences_in_words",
           "KEY_FIGURE_COLUMNS", "SPINE_COLUMNS"]

KEY_FIGURE_COLUMNS = ["indicator", "theme", "label", "unit", "decimals", "polarity",
                      "description", "source", "year", "value", "status", "gemeente_value",
                      "gemeente_status"]
SPINE_COLUMNS = ["indicator", "label", "theme", "minimum", "maximum", "q25", "q75", "punt",
                 "vergelijking", "vergelijking_998", "waarde", "referentie", "value",
                 "parent_value", "jaar", "methode"]


@dataclass(frozen=True)
class AreaProfile:
    """Everything the wijkprofiel report shows about one area."""

    facts: Facts
    code: str
    name: str
    level: str
    year: int
    gemeente_code: str
    gemeente_name: str
    indicators: list[Indicator]
    observations: pd.DataFrame  # area and gemeente, years <= year, these indicators
    break_year: int | None  # newest year with a boundary change of the area (ind_wbi 3)
    parent_code: str
    parent_name: str

    @property
    def title(self) -> str:
        kind = {"wijk": "Wijkprofiel", "buurt": "Buurtprofiel"}.get(self.level, "Profiel")
        return f"{kind} {self.name}"

    @cached_property
    def _spine(self) -> pd.DataFrame:
        return _spine_data(self)  # a report shows it six times: made once per profile

    def key_figures(self) -> pd.DataFrame:
        """One row per indicator: newest usable year ≤ report year, area and gemeente."""
        return self._key_figures.copy()  # a report shows it twice: made once per profile

    @cached_property
    def _key_figures(self) -> pd.DataFrame:
        obs = self.observations
        own = obs[obs["area_code"] == self.code]
        usable_year = own[own["status"].isin(USABLE)].groupby("indicator")["year"].max()
        newest_year = own.groupby("indicator")["year"].max()
        own_rows = _first_rows(own)
        gm_rows = _first_rows(obs[obs["area_code"] == self.gemeente_code])
        rows = []
        for ind in self.indicators:
            year = int(usable_year[ind.id]) if ind.id in usable_year.index else None
            shown_year = year if year else newest_year.get(ind.id)
            value, status = own_rows.get((ind.id, shown_year), (None, MISSING))
            gm_value, gm_status = gm_rows.get((ind.id, year or self.year), (None, MISSING))
            if year is None and gm_status in USABLE:
                # the area has no figure: the row is of the gemeente's, in the report's
                # year (and the area's status is of that year, or it has none)
                year = self.year
                if shown_year != year:
                    value, status = None, MISSING
            rows.append({
                "indicator": ind.id,
                "theme": ind.theme,
                "label": ind.label,
                "unit": ind.unit,
                "decimals": ind.decimals,
                "polarity": ind.polarity,
                "description": ind.description,
                "source": ind.source,
                "year": year,
                "value": value,
                "status": status,
                "gemeente_value": gm_value,
                "gemeente_status": gm_status,
            })
        return pd.DataFrame(rows, columns=KEY_FIGURE_COLUMNS)

    def trends(self) -> pd.DataFrame:
        """Usable values over the years: ``indicator, label, unit, year, value, gebied``.

        Years before the area's newest boundary change are left out for the area
        (not comparable); the gemeente keeps its full series. Counts are shown for the
        area only (a wijk's count beside the gemeente's total says nothing).
        """
        obs = self.observations[self.observations["status"].isin(USABLE)]
        counts = {i.id for i in self.indicators if i.kind == "count"}
        obs = obs[~(obs["indicator"].isin(counts) & (obs["area_code"] == self.gemeente_code))]
        if self.break_year is not None:
            obs = obs[(obs["area_code"] != self.code) | (obs["year"] >= self.break_year)]
        labels = {i.id: i.label for i in self.indicators}
        units = {i.id: i.unit for i in self.indicators}
        names = {self.code: self.name, self.gemeente_code: self.gemeente_name}
        return pd.DataFrame({
            "indicator": obs["indicator"],
            "label": obs["indicator"].map(labels),
            "unit": obs["indicator"].map(units),
            "year": obs["year"].astype(int),
            "value": obs["value"],
            "gebied": obs["area_code"].map(names),
        }).reset_index(drop=True)


def _first_rows(obs: pd.DataFrame) -> dict[tuple[str, int], tuple[float, str]]:
    """(indicator, year) → (value, status) of the first row of each, as a boolean
    selection's ``iloc[0]`` would give it."""
    first = obs.drop_duplicates(["indicator", "year"])
    return dict(zip(zip(first["indicator"], first["year"], strict=True),
                    zip(first["value"], first["status"], strict=True), strict=True))


def spine_data(profile: AreaProfile) -> pd.DataFrame:
    """Per indicator: the spread over all areas of the profiled area's level, the
    parent's value and the area's own, scaled for ``charts.spine``; ``vergelijking`` and
    ``vergelijking_998`` test the area against the rest of its parent, ``methode`` says
    how (``stats.TEST_TEXT``).

    Uses each indicator's newest usable year up to the report year; indicators without
    a value for the area or its parent are left out. An area without any such value
    (no figures, or only counts) gives an empty frame that still has every column
    (``SPINE_COLUMNS``).
    """
    return profile._spine.copy()  # computed once per profile (the facts do not change)


def _compared(facts: Facts, obs: pd.DataFrame, year: int, newest: pd.Series) -> pd.DataFrame:
    """``compare_with_parent`` of every area in each indicator's ``newest`` year: the same
    for the profiles of most areas of a gemeente (their newest years agree), so kept per
    ``Facts`` object, the report year and those years (``helpers.memo``; only read)."""
    key = ("compared", year, tuple(sorted((str(i), int(y)) for i, y in newest.items())),
           tuple(sorted(obs["indicator"].unique())))
    return memo.kept(facts, key, lambda: compare_with_parent(
        obs[obs["year"] == obs["indicator"].map(newest)], facts.catalogue, facts.hierarchy))


def _spine_data(profile: AreaProfile) -> pd.DataFrame:
    facts = profile.facts
    obs = facts.usable(until=profile.year)
    obs = obs[obs["indicator"].isin([i.id for i in profile.indicators])]
    own = obs[obs["area_code"] == profile.code]
    newest = own.groupby("indicator")["year"].max()
    compared = _compared(facts, obs, profile.year, newest)
    me = compared[compared["area_code"] == profile.code].set_index("indicator")
    peers = compared[compared["level"] == profile.level]
    out = []
    for ind in profile.indicators:
        if ind.id not in me.index or ind.kind == "count":
            continue
        row = me.loc[ind.id]
        values = peers.loc[peers["indicator"] == ind.id, "value"]
        parent = row["parent_value"]
        if pd.isna(parent) or values.empty or pd.isna(row["value"]):
            continue
        reach = max(abs(values.max() - parent), abs(values.min() - parent), 1e-9)
        sign = -1.0 if ind.polarity == "lower_is_better" else 1.0

        def scaled(v, reach=reach, parent=parent, sign=sign):
            return float(np.clip(sign * (v - parent) / reach, -1, 1))

        ends = sorted([scaled(values.min()), scaled(values.max())])
        quarters = sorted([scaled(values.quantile(0.25)), scaled(values.quantile(0.75))])
        out.append({
            "indicator": ind.id, "label": ind.label, "theme": ind.theme,
            "minimum": ends[0], "maximum": ends[1], "q25": quarters[0], "q75": quarters[1],
            "punt": scaled(row["value"]), "vergelijking": row["vergelijking_95"],
            "vergelijking_998": row["vergelijking_998"],
            "waarde": f"{format_number(row['value'], ind.decimals)} {ind.unit}",
            "referentie": f"{format_number(parent, ind.decimals)} {ind.unit}",
            "value": float(row["value"]), "parent_value": float(parent),
            "jaar": int(row["year"]),
            "methode": TEST_TEXT[row["vergelijking_methode"]],
        })
    return pd.DataFrame(out, columns=SPINE_COLUMNS)


@dataclass(frozen=True)
class Differences:
    """The largest significant differences in words, as plain text: an introduction and
    per indicator its label and the sentence (the report's template writes them)."""

    intro: str
    items: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return "\n".join([self.intro, *(f"- {label}: {text}" for label, text in self.items)])


def differences_in_words(profile: AreaProfile, spine: pd.DataFrame, limit: int = 5
                         ) -> Differences:
    """The largest significant differences with the parent as Dutch sentences."""
    if spine.empty:
        return Differences("Er zijn geen indicatoren om te vergelijken.")
    parent = profile.parent_name
    significant = spine[spine["vergelijking_998"].isin(["beter", "slechter", "hoger", "lager"])]
    if significant.empty:
        return Differences(f"{profile.name} wijkt bij geen enkele indicator significant "
                           f"(99,8%) af van {parent}.")
    significant = significant.assign(afstand=(significant["punt"]).abs()).sort_values(
        "afstand", ascending=False).head(limit)
    words = {"beter": "gunstiger dan", "slechter": "ongunstiger dan", "hoger": "hoger dan",
             "lager": "lager dan"}
    items = tuple((str(r.label), f"{r.waarde} in {profile.name}, {words[r.vergelijking_998]} "
                                 f"{parent} ({r.referentie}; {r.jaar}).")
                  for r in significant.itertuples())
    return Differences(f"De grootste significante verschillen (99,8%) met {parent}:", items)


def area_profile(facts: Facts, area: pd.Series, year: int) -> AreaProfile:
    """Build the profile of ``area`` (a wijk or buurt: a record of ``facts.areas``) for
    report year ``year``."""
    code = str(area["code"])
    if area["level"] == "gemeente":
        raise StuurkitError(
            f"De parameter area_code = {code!r} is de gemeente zelf; geef de code van een "
            f"wijk of buurt (bijvoorbeeld {facts.areas_for(year, 'wijk')['code'].iloc[0]})."
        )
    years = sorted(facts.observations["year"].unique())
    if year not in years:
        raise StuurkitError(
            f"De parameter year = {year} is geen jaar met cijfers van "
            f"{facts.gemeente_name}; kies een jaar van {years[0]} tot en met {years[-1]}."
        )
    indicators = facts.catalogue.for_level(area["level"])
    ids = {i.id for i in indicators}
    obs = facts.observations
    obs = obs[obs["indicator"].isin(ids) & obs["area_code"].isin([code, facts.gemeente])
              & (obs["year"] <= year)].reset_index(drop=True)
    found = facts.breaks.get(code)
    break_year = int(found) if found is not None and found <= year else None
    parent_code = str(area["parent"]) if area["parent"] else facts.gemeente
    return AreaProfile(
        facts=facts, code=code, name=str(area["name"]), level=str(area["level"]), year=year,
        gemeente_code=facts.gemeente, gemeente_name=facts.gemeente_name,
        indicators=indicators, observations=obs, break_year=break_year,
        parent_code=parent_code, parent_name=facts.name(parent_code),
    )
