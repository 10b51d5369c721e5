"""The gemeente-level figures of every gemeente that a workspace's files hold.

CBS's national files (a KWB download, the kaart's gemeente layer with its statistics)
hold every gemeente; the workspace keeps them whole in ``raw/`` and its own figures are
that gemeente's part. ``variables(ws)`` reads the same files again for the gemeente rows
of *all* gemeenten (some 350 rows a year and variable), cached per file like every other
parsed source: what comparisons with Nederland and with similar gemeenten are made of.
Where files overlap, the workspace's precedence rule decides, as for its own figures.

Where a file has the row of Nederland (``NL00``: CBS's KWB download, a StatLine export
with Nederland selected), ``combined`` keeps it apart (``country``): the figures CBS
publishes for the country, which every gemeente's figures cannot give for a mean, a
distance or a published percentage.

A gemeente that merged (herindeling) keeps or gets a code whose area is not the area of
its earlier years: ``mergers`` finds, per code, the years from which its land area
differs by more than ``MERGER_SHARE`` from the national year before, or from which the
code exists at all, so a series across a merger is never compared silently.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from helpers import model
from helpers.sources import READERS, Probe, Reader
from helpers.sources.registry import COUNTRY
from helpers.workspace import precedence

__all__ = ["variables", "combined", "Combined", "areas", "mergers", "MERGER_SHARE", "LAND_AREA",
           "NATIONAL_SHARE"]

MERGER_SHARE = 0.05  # a land area 5% larger or smaller than the year before: a merger
LAND_AREA = "a_lan_ha"  # the variable of a gemeente's land area (ha)


def _national_sections() -> list[str]:
    return [s for s in READERS.tidy_sections
            if any(r.national for r in READERS if r.section == s)]


def variables(ws) -> pd.DataFrame:
    """Tidy rows (``model.TIDY_COLUMNS`` and ``name``, each code's newest name) of every
    gemeente at gemeente level in the workspace's national files, every year they hold;
    an empty frame when no file holds more than the workspace's own gemeente."""
    return combined(ws).tidy


class Combined(NamedTuple):
    """What the national files hold (``combined``)."""

    tidy: pd.DataFrame  # ``variables``
    country: pd.DataFrame  # tidy rows of NL00 (level ``model.COUNTRY_LEVEL``), every year
    conflicts: list[precedence.Conflict]


def combined(ws) -> Combined:
    """``variables``, the rows of Nederland and the conflicts between files the
    precedence rule decided (two files giving another figure for one gemeente — or for
    Nederland —, year and variable): listed by the datakwaliteit report, never decided
    silently."""
    parts, names = [], []
    for section in _national_sections():
        for entry in ws.config.sources.files(section):
            # every gemeente's rows; a StatLine export that names its regions only is
            # matched to the workspace's own areas as usual (it holds no other gemeente)
            request = ws.request(entry, gemeente=None, country=True)

            def parse(request=request, section=section) -> pd.DataFrame:
                probe = Probe(request)
                reader: Reader = READERS.detect(probe, section)
                frame = reader.load(probe)
                land = frame.attrs.pop(COUNTRY, None)  # a frame in attrs breaks concat
                frame = frame[frame["level"] == "gemeente"]
                if land is not None and len(land):
                    frame = pd.concat([frame, land], ignore_index=True)
                return frame.reset_index(drop=True).astype({"area_code": str,
                                                           "variable": str})

            key = "-".join(str(entry.get(k) or "") for k in ("level", "vintage", "layer",
                                                              "year"))
            frame = ws.cache.frame(request.path, f"national-{section}-{key}-land", parse)
            parts.append(precedence.Part(entry["file"], frame.drop(columns=model.AREA_NAME,
                                                                   errors="ignore"),
                                         int(entry.get("priority") or 0)))
            names.append(frame)
    if not parts:
        return Combined(pd.DataFrame(columns=[*model.TIDY_COLUMNS, model.AREA_NAME]),
                        pd.DataFrame(columns=model.TIDY_COLUMNS), [])
    tidy, conflicts, _ = precedence.combine(parts)
    land = tidy["level"].eq(model.COUNTRY_LEVEL)
    country = tidy[land & tidy["status"].isin(model.USABLE) & tidy["value"].notna()]
    country = country[model.TIDY_COLUMNS].reset_index(drop=True)
    tidy = tidy[~land]
    # a code without a single figure in a year is no gemeente of that year's figures
    # (CBS's GM0998 "Buitenland" in the kaart's gemeente layer)
    usable = tidy["status"].isin(model.USABLE) & tidy["value"].notna()
    held = usable.groupby([tidy["area_code"], tidy["year"]]).transform("any")
    tidy = tidy[held]
    if tidy["area_code"].nunique() <= 1:
        return Combined(tidy.iloc[0:0], country,
                        [c for c in conflicts if c.area_code == model.COUNTRY_CODE])
    named = pd.concat(names, ignore_index=True)
    if model.AREA_NAME in named:
        newest = named.dropna(subset=[model.AREA_NAME]).sort_values("year").drop_duplicates(
            "area_code", keep="last").set_index("area_code")[model.AREA_NAME]
        tidy[model.AREA_NAME] = tidy["area_code"].map(newest).map(
            _visible, na_action="ignore")
    kept = set(tidy["area_code"]) | {model.COUNTRY_CODE}
    return Combined(tidy.reset_index(drop=True), country,
                    [c for c in conflicts if c.area_code in kept])


_INVISIBLE = dict.fromkeys([*range(0x200B, 0x2010), *range(0x202A, 0x202F),
                            *range(0x2066, 0x206A), 0xFEFF, *range(0x00, 0x20), 0x7F])


def _visible(name: str) -> str:
    """A gemeente's name from a file without control, bidi or zero-width characters (they
    could reorder or hide what a report shows beside it)."""
    return str(name).translate(_INVISIBLE).strip()


def areas(ws) -> pd.DataFrame:
    """``code, vintage, hectares``: the land area of every gemeente in the workspace's
    national gemeente layers (from the polygons), each vintage."""
    rows = []
    for entry in ws.config.sources.kaart:
        if entry.level != "gemeente":
            continue
        request = ws.request({"file": entry.file, "level": entry.level,
                              "vintage": entry.vintage}, gemeente=None, areas=None)

        def parse(request=request) -> pd.DataFrame:
            probe = Probe(request)
            # the polygons only: a row the full schema refuses (a national layer of 2012
            # has a gemeente without a name) still has its code and outline
            layer = READERS.detect(probe, "kaart").read(probe)
            codes = layer["code"].astype(str)
            layer = layer[codes.map(lambda c: bool(model.GEMEENTE_CODE.match(c)))
                          & layer.geometry.notna()]
            return pd.DataFrame({"code": layer["code"].astype(str),
                                 "vintage": layer["vintage"].astype(int),
                                 "hectares": layer.geometry.area.to_numpy() / 1e4})

        rows.append(ws.cache.frame(request.path, f"national-areas-{entry.vintage}", parse))
    if not rows:
        return pd.DataFrame(columns=["code", "vintage", "hectares"])
    return pd.concat(rows, ignore_index=True).drop_duplicates(["code", "vintage"])


NATIONAL_SHARE = 0.5
"""A year (or kaart layer) holds the country when it has at least this share of the most
gemeenten any year holds; a regional file's year (24 gemeenten of one provincie beside
national years of 390) says nothing about which codes exist or how large they are. Not
more: mergers alone took the country from 415 gemeenten (2012) to 342 (2024)."""


def _national_years(counts: pd.Series) -> list[int]:
    return sorted(int(y) for y, n in counts.items() if n >= NATIONAL_SHARE * counts.max())


def mergers(tidy: pd.DataFrame, land: pd.DataFrame | None = None) -> pd.DataFrame:
    """``code, year, reason``: per gemeente code the years from which its series is not
    comparable with the years before, judged on the national years only
    (``NATIONAL_SHARE``): the code first has figures after the first national year, or its
    land area changed by more than ``MERGER_SHARE`` between two national years — CBS's
    stated land area (``LAND_AREA``) where the files give it, else the polygons' area
    (``areas``; land and water, of national kaart layers only: a regional layer holds
    clipped slivers of its neighbours)."""
    usable = tidy[tidy["status"].isin(model.USABLE) & tidy["value"].notna()
                  & (tidy["variable"] != model.PROVINCIE_VARIABLE)]
    columns = ["code", "year", "reason"]
    if usable.empty:
        return pd.DataFrame(columns=columns)
    years = _national_years(usable.groupby("year")["area_code"].nunique())
    held = usable[usable["year"].isin(years)]
    rows = []
    present = held.groupby("area_code")["year"].agg(set)
    for code, seen in present.items():
        first = min(seen)
        if first > years[0]:
            rows.append({"code": code, "year": int(first),
                         "reason": f"{code} bestaat pas sinds {int(first)} (herindeling)"})
    stated = held.loc[held["variable"] == LAND_AREA, ["area_code", "year", "value"]]
    stated = stated.assign(what="het landoppervlak (CBS)")
    if land is not None and len(land):
        drawn = land.rename(columns={"code": "area_code", "vintage": "year",
                                     "hectares": "value"})
        per_layer = drawn.groupby("year")["area_code"].nunique()
        drawn = drawn[drawn["year"].isin(_national_years(per_layer))
                      & drawn["year"].isin(years)]
        known = set(zip(stated["area_code"], stated["year"], strict=True))
        drawn = drawn[[(c, y) not in known for c, y in zip(drawn["area_code"],
                                                           drawn["year"], strict=True)]]
        stated = pd.concat([stated, drawn.assign(what="de oppervlakte op de kaart")],
                           ignore_index=True)
    for code, series in stated.sort_values(["area_code", "year"]).groupby("area_code"):
        values, when = series["value"].to_numpy(float), series["year"].to_numpy(int)
        what = series["what"].to_numpy()
        for k in range(1, len(values)):
            if what[k] != what[k - 1]:
                continue  # a stated land area beside a drawn one (with water): not comparable
            change = values[k] / values[k - 1] - 1 if values[k - 1] > 0 else 0.0
            if abs(change) > MERGER_SHARE:
                rows.append({"code": code, "year": int(when[k]),
                             "reason": f"{what[k]} van {code} veranderde tussen "
                                       f"{int(when[k - 1])} en {int(when[k])} met "
                                       f"{change:+.0%} (herindeling of grenswijziging)"})
    return pd.DataFrame(rows, columns=columns).sort_values(["code", "year"]).reset_index(
        drop=True)
