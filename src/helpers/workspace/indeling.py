"""Which area a code names in which year: statistics are only shown on the area they are of.

CBS reuses codes. Amsterdam's WK036300 was "Stadsdeel Centrum" (86,360 inhabitants) in
the 2015 indeling and is "Burgwallen-Oude Zijde" (4,295) from 2016; Groningen's GM0014
kept its code and name when it absorbed Haren and Ten Boer in 2019 and doubled its land.
A workspace shows the statistics of year Y on the kaart layer of the vintage that applies
to Y (``core.vintage_for``); when that vintage is another year's, a code may name another
area there. Two witnesses say so, compared per code and year:

* **the name** (of a wijk or buurt: CBS never gives a gemeente's code to another
  gemeente, and a gemeente outline may be the union of its wijken, named from
  ``stuurkit.yml``): KWB downloads, StatLine exports and kaart attribute tables write each
  area's name beside its figures (``model.AREA_NAME``); it must be the kaart's name of
  that code (compared after ``name_key``: case, accents, punctuation and a leading
  "Wijk 01"/"Buurt 01" do not count) — unless CBS states the same land area for the
  code in both years: then the area was renamed (De Uithof → Utrecht Science Park) and
  its figures are shown, the rename listed;
* **the land area** (only across years): the statistics' own ``a_lan_ha`` (land,
  hectares; else ``a_opp_ha``, land and water) must fit the area of the code in the
  kaart's year — CBS's stated area of that year where the workspace has it, else the
  polygon drawn (``AREA_TOLERANCE``).

A code whose figures fail either test for a year is **not shown** with that year's
figures: its rows of that year are withheld from the workspace (``withhold``), and every
case is listed (``Mismatch``) for ``stuurkit check`` and the datakwaliteit report, with
the fix (the kaart layer of that year). A figure the kit withholds is missing; a figure
on the wrong area would be wrong. When the kaart layer *is* of the statistics' own year
a mismatch means one of two files is wrong: that is an error, not a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers import model
from helpers.sources.statline import name_key  # one normaliser: export matching, here

__all__ = ["Mismatch", "name_key", "source_names", "mismatches", "withhold", "breaks",
           "AREA_TOLERANCE", "POLYGON_TOLERANCE"]

# polygon area / stated area: simplified CBS polygons are within 2 %; a boundary change
# that moves a tenth of an area is another area for steering purposes
AREA_TOLERANCE = (0.9, 1.1)
# against a polygon (no stated area of the kaart's year): kaart files found in the wild
# were simplified and had water cut off upstream (Groningen 2015: buurten 10–30 % off)
POLYGON_TOLERANCE = (0.75, 1.33)
_TOTAL_AREA_LOW = 0.5  # a_opp_ha includes water: the land polygon may be much smaller


@dataclass(frozen=True)
class Mismatch:
    """One code whose figures of ``year`` are of another area than the kaart draws."""

    code: str
    level: str
    year: int
    vintage: int  # the kaart layer the year is shown on
    witness: str  # "name", "area", or "renamed" (another name, CBS's same stated area)
    kaart: str  # the kaart's name (and area)
    stated: str  # what the statistics say
    file: str

    @property
    def withheld(self) -> bool:
        """True when the figures are not shown (a rename of the same area is shown)."""
        return self.witness != "renamed"

    @property
    def error(self) -> bool:
        """True when the kaart is of the statistics' own year: one of the files is wrong."""
        return self.vintage == self.year

    def line(self) -> str:
        """One line for ``check`` and logs."""
        if self.witness == "renamed":
            return (f"{self.code} ({self.year}) is '{self.stated}' in {self.file}, "
                    f"{self.kaart} in the kaart {self.vintage}: renamed, the same area by "
                    "CBS's stated land area; its figures are shown")
        said = (f"is '{self.stated}' in {self.file}" if self.witness == "name"
                else f"has {self.stated} in {self.file}")
        return (f"{self.code} ({self.year}) {said}, but the kaart {self.vintage} draws "
                f"{self.kaart}")


def source_names(frame: pd.DataFrame, file: str) -> pd.DataFrame:
    """``file, area_code, level, year, name`` of a tidy frame that has names."""
    if model.AREA_NAME not in frame.columns:
        return pd.DataFrame(columns=["file", "area_code", "level", "year", "name"])
    named = frame[frame[model.AREA_NAME].notna()]
    return (named[["area_code", "level", "year", model.AREA_NAME]]
            .drop_duplicates(["area_code", "year"])
            .rename(columns={model.AREA_NAME: "name"}).assign(file=file))


def _stated_areas(variables: pd.DataFrame) -> pd.DataFrame:
    """``area_code, year, hectares, land`` from the statistics' own area variables."""
    rows = variables[variables["variable"].isin(["a_lan_ha", "a_opp_ha"])
                     & variables["value"].notna() & (variables["value"] > 0)]
    if rows.empty:
        return pd.DataFrame(columns=["area_code", "year", "hectares", "land", "file"])
    rows = rows.assign(land=rows["variable"].eq("a_lan_ha"))
    rows = rows.sort_values("land", ascending=False).drop_duplicates(["area_code", "year"])
    return rows.rename(columns={"value": "hectares"})[
        ["area_code", "year", "hectares", "land", "source"]].rename(columns={"source": "file"})


def _shown(value: float) -> str:
    return f"{value:,.0f} ha".replace(",", ".")


def _borrowed(stated: pd.DataFrame, names: pd.DataFrame) -> pd.DataFrame:
    """``stated`` completed for the codes and years that have a name but no stated area
    (KWB's first release of a year leaves ``a_lan_ha`` empty): the area stated in the
    nearest year the code had the same name."""
    if stated.empty or names.empty:
        return stated
    keyed = names[["area_code", "year", "name"]].assign(key=names["name"].map(name_key))
    known = stated.merge(keyed, on=["area_code", "year"])
    lacking = keyed.merge(stated[["area_code", "year"]], on=["area_code", "year"],
                          how="left", indicator=True)
    lacking = lacking[lacking["_merge"] == "left_only"].drop(columns="_merge")
    pairs = lacking.merge(known, on=["area_code", "key"], suffixes=("", "_from"))
    if pairs.empty:
        return stated
    pairs = pairs.assign(distance=(pairs["year"] - pairs["year_from"]).abs()).sort_values(
        "distance").drop_duplicates(["area_code", "year"])
    return pd.concat([stated, pairs[["area_code", "year", "hectares", "land", "file"]]],
                     ignore_index=True)


def _same_area(stated: pd.DataFrame, named: pd.DataFrame, year: int) -> np.ndarray:
    """Per row of ``named`` (a code whose name in ``year`` differs from the kaart's):
    True when CBS states the same area for it in ``year`` and in the kaart's year — a
    rename, as De Uithof became Utrecht Science Park — within ``AREA_TOLERANCE``."""
    if named.empty:
        return np.zeros(0, dtype=bool)
    keyed = named[["area_code", "vintage"]].reset_index(drop=True)
    now = keyed.merge(stated[stated["year"] == year][["area_code", "hectares", "land"]],
                      on="area_code", how="left")
    both = now.merge(stated.rename(columns={"year": "vintage", "hectares": "then",
                                            "land": "land_then"})[
        ["area_code", "vintage", "then", "land_then"]], on=["area_code", "vintage"],
        how="left")
    ratio = both["then"] / both["hectares"]
    return ((both["vintage"] != year) & both["land"].eq(both["land_then"])
            & ratio.between(*AREA_TOLERANCE)).to_numpy(dtype=bool)


def _measured(stated: pd.DataFrame, drawn: pd.DataFrame, year: int) -> list[Mismatch]:
    """Codes whose stated area in ``year`` does not fit the area drawn for them from a
    kaart of another year. The stated area of the kaart's own year is the yardstick
    where the statistics have it (CBS's figures against CBS's figures: a polygon that was
    simplified or had its water cut off upstream does not count); else the polygon."""
    other = drawn[drawn["vintage"] != year]
    now = stated[stated["year"] == year].merge(
        other[["code", "name", "level", "hectares", "vintage"]], left_on="area_code",
        right_on="code", suffixes=("", "_kaart"))
    if now.empty:
        return []
    then = stated.rename(columns={"hectares": "hectares_then", "land": "land_then",
                                  "year": "vintage"})[
        ["area_code", "vintage", "hectares_then", "land_then"]]
    now = now.merge(then, on=["area_code", "vintage"], how="left")
    same_kind = now["land_then"].eq(now["land"]) & now["hectares_then"].notna()
    yardstick = now["hectares_then"].where(same_kind, now["hectares_kaart"])
    ratio = yardstick / now["hectares"]
    low = np.where(same_kind, AREA_TOLERANCE[0],
                   np.where(now["land"], POLYGON_TOLERANCE[0], _TOTAL_AREA_LOW))
    high = np.where(same_kind, AREA_TOLERANCE[1], POLYGON_TOLERANCE[1])
    off = now[(ratio < low) | (ratio > high)]
    return [Mismatch(r.area_code, r.level, year, int(r.vintage), "area",
                     f"'{r.name}' on {_shown(y)}", f"{_shown(r.hectares)} "
                     f"({'land' if r.land else 'land and water'})", r.file)
            for r, y in zip(off.itertuples(index=False), yardstick[off.index], strict=True)]


def mismatches(names: pd.DataFrame, variables: pd.DataFrame,
               areas_for: Callable[[int], pd.DataFrame]) -> list[Mismatch]:
    """Every code and year whose statistics name or measure another area than the kaart
    layer that year is shown on (``areas_for(year)``: code, name, level, vintage,
    geometry)."""
    found: list[Mismatch] = []
    stated = _borrowed(_stated_areas(variables), names)
    for year in sorted({int(y) for y in pd.concat([names["year"], stated["year"]])}):
        drawn = areas_for(year)
        if drawn.empty:
            continue
        drawn = drawn.assign(key=drawn["name"].map(name_key),
                             hectares=drawn.geometry.area / 10_000)
        named = names[(names["year"] == year) & (names["level"] != "gemeente")].merge(
            drawn[["code", "name", "key", "vintage"]], left_on="area_code", right_on="code",
            suffixes=("", "_kaart"))
        other = named[named["name"].map(name_key) != named["key"]]
        same = _same_area(stated, other, year)
        found += [Mismatch(r.area_code, r.level, year, int(r.vintage),
                           "renamed" if kept else "name", f"'{r.name_kaart}'", r.name, r.file)
                  for r, kept in zip(other.itertuples(index=False), same, strict=True)]
        seen = {(m.code, m.year) for m in found}  # each code and year once
        found += [m for m in _measured(stated, drawn, year) if (m.code, m.year) not in seen]
    return sorted(found, key=lambda m: (m.year, model.LEVELS.index(m.level), m.code))


def breaks(names: pd.DataFrame, variables: pd.DataFrame) -> pd.Series:
    """Per area code, the newest year from which its figures are of another area than
    before: its name in the statistics changed from one year to the next and CBS's
    stated land area did not stay the same (a rename is no break). A trend starts anew
    there, as after CBS's ``ind_wbi`` = 3 (Groningen's wijken before and after 2019)."""
    if names.empty:
        return pd.Series(dtype=int)
    stated = _borrowed(_stated_areas(variables), names)
    keyed = (names.assign(key=names["name"].map(name_key))
             .drop_duplicates(["area_code", "year"]).sort_values(["area_code", "year"]))
    keyed = keyed.merge(stated[["area_code", "year", "hectares", "land"]],
                        on=["area_code", "year"], how="left")
    before = keyed.groupby("area_code")[["key", "hectares", "land"]].shift()
    changed = before["key"].notna() & (keyed["key"] != before["key"])
    ratio = keyed["hectares"] / before["hectares"]
    renamed = (keyed["land"] == before["land"]) & ratio.between(*AREA_TOLERANCE)
    found = keyed[changed & ~renamed]
    return found.groupby("area_code")["year"].max().astype(int)


def withhold(variables: pd.DataFrame, found: list[Mismatch]) -> pd.DataFrame:
    """``variables`` without the rows of every code and year in ``found``."""
    out = {(m.code, m.year) for m in found if m.withheld}
    if not out:
        return variables
    out = pd.MultiIndex.from_tuples(out)
    keys = pd.MultiIndex.from_arrays([variables["area_code"], variables["year"]])
    return variables[~keys.isin(out)].reset_index(drop=True)
