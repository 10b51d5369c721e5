"""The statistics a CBS wijk- en buurtkaart carries: its attribute tables as tidy rows.

From 2013 to 2023 the kaart carries the KWB figures as attributes of every area
(``AANT_INW``, ``P_00_14_JR``, ``AANTAL_HH`` ≤2021; PDOK camelCase names 2022+; apps'
own keys), and for many users this is *the* source. ``read_attributes`` reads them from
a ``.dbf`` or CSV attribute table, or from any layer of a GeoPackage, shapefile or
GeoJSON, as tidy rows with the area's name (``model.AREA_NAME``); a kaart layer that
carries figures is imported with them (``kaart.READER`` lists them as a ``kwb`` table of
the kaart's own year, read by ``ATTRIBUTES``). CBS's sentinels (``-99999999``,
``-99999997``, …) become missing values, never numbers.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import model
from helpers.errors import DataError
from helpers.sources import csvtable, kaart, numbertext
from helpers.sources import variables as varmap
from helpers.sources.registry import (
    CBS_LICENCE,
    Reader,
    Request,
    describe_statistics,
    year_entry,
    year_in_name,
)

__all__ = ["read_attributes", "has_statistics", "ATTRIBUTES", "MISSING_BELOW"]

MISSING_BELOW = -99_999_990  # CBS kaart sentinels: -99999999, -99999998, -99999997


def _statistic_columns(frame: pd.DataFrame, columns: list[str], path: Path) -> pd.DataFrame:
    """The columns that hold numbers: numeric columns, and text columns whose every
    non-empty cell is a number (a column that mixes numbers and text is not guessed at:
    it is left out with a warning naming it). An infinite number is refused."""
    kept = {}
    for column in columns:
        if pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(
                frame[column]):
            values = frame[column].astype(float)
            infinite = np.isinf(values)
            if infinite.any():
                raise DataError(f"{path}: column {column!r} holds an infinite value (row "
                                f"{int(infinite.idxmax()) + 1}); a statistic is a number.")
            kept[column] = values
            continue
        cells = frame[column].astype(str).str.strip()
        filled = cells != ""
        number = numbertext.parse(cells.where(filled), str(path), column)  # notation per column
        if not filled.any() or number[filled].isna().all():
            continue  # a text column (names, codes)
        if number[filled].isna().any() or np.isinf(number).any():
            warnings.warn(f"{path}: column {column!r} mixes numbers and text (e.g. "
                          f"{cells[filled & ~np.isfinite(number)].iloc[0]!r}); it is left "
                          "out.", stacklevel=3)
            continue
        kept[column] = number
    return pd.DataFrame(kept, index=frame.index)


def _table(path: Path, layer: str | None) -> pd.DataFrame:
    """The attribute table as read: a CSV strictly (no shifted or half-read rows), any
    other file without its geometry."""
    if not path.exists():
        raise DataError(f"{path}: file not found.")
    if path.suffix.lower() in (".csv", ".txt"):
        return csvtable.read_csv(path)
    import pyogrio

    try:
        return pyogrio.read_dataframe(path, layer=layer or kaart.layer_for(path, None),
                                      read_geometry=False)
    except DataError:
        raise
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise DataError(f"{path}: cannot read attribute table ({exc}).") from exc


def read_attributes(path: str | Path, year: int, mapping: varmap.Mapping | None = None,
                    gemeente: str | None = None, layer: str | None = None) -> pd.DataFrame:
    """The statistics in a kaart's attribute table (``.dbf``, CSV, or any layer of a
    GeoPackage, shapefile or GeoJSON: ``layer``) as tidy rows; a ``jaar`` column (a file
    of several years) selects the rows of ``year``.

    Sentinels ≤ -99999990 become missing values (status ``missing``), never numbers.
    Only land rows with a valid area code are read (``WATER`` = ``NEE``; CBS's special
    buurten left out); with ``gemeente`` only that gemeente's. Names map through the
    variable mapping's ``kaart`` scheme (``AANT_INW`` → ``a_inw``), others keep their own.
    """
    path = Path(path)
    mapping = mapping or varmap.load_mapping()
    text = path.suffix.lower() in (".csv", ".txt")
    frame = _table(path, layer)
    if frame.empty:
        raise DataError(f"{path}: the attribute table has no rows.")
    year_column = next((c for c in frame.columns if c.lower() == "jaar"), None)
    if year_column is not None:
        frame = frame[pd.to_numeric(frame[year_column], errors="coerce") == int(year)]
        if frame.empty:
            raise DataError(f"{path}: no rows with jaar = {year}. Give the right year.")
        frame = frame.reset_index(drop=True)
    lower = {x.lower() for x in frame.columns}
    level = next((lvl for lvl in model.BOTTOM_UP
                  if any(c.lower() in lower for c in kaart.candidates(lvl, "code")[:4])), None)
    if level is None:
        raise DataError(f"{path}: no BU_CODE, WK_CODE or GM_CODE column; is this a kaart "
                        "attribute table?")
    code = kaart.pick(frame, kaart.candidates(level, "code"), path, f"{level} code")
    codes = frame[code].astype(str).str.strip()
    keep = ~kaart.water_mask(frame) & ~codes.str.match(model.SPECIAL_BUURT.pattern)
    if gemeente is not None:
        keep &= ~model.of_other_gemeente(codes, gemeente)
    frame, codes = frame[keep], codes[keep]
    valid = codes.str.match(model.CODE.pattern)
    blank = codes.isin(["", "nan", "None"]) | codes.str.fullmatch(r"-9{7,8}[0-9]?")
    if (~valid & ~blank).any():
        at = (~valid & ~blank).idxmax()
        hint = (" It looks like a code without its prefix or leading zeros."
                if codes[at].isdigit() else "")
        raise DataError(f"{path}, row {int(at) + (2 if text else 1)}: area code {codes[at]!r} "
                        f"is not a CBS code (GMdddd, WKdddddd, BUdddddddd).{hint}")
    if blank.any():
        warnings.warn(f"{path}: {int(blank.sum())} rows without an area code skipped.",
                      stacklevel=2)
    frame, codes = frame[valid], codes[valid]
    twice = codes[codes.duplicated()]
    if len(twice):
        when = f" in jaar {year}" if year_column is not None else ""
        raise DataError(f"{path}: area code {twice.iloc[0]} occurs twice{when}; one row per "
                        "area. Remove the duplicate row.")
    skip = {code.lower(), "water", "jaar"} | {
        c.lower() for lvl in model.LEVELS
        for c in kaart.candidates(lvl, "code") + kaart.candidates(lvl, "naam")}
    numeric = _statistic_columns(frame, [c for c in frame.columns if c.lower() not in skip],
                                 path)
    renamed = varmap.rename(list(numeric.columns), "kaart", mapping)
    long = numeric.rename(columns=renamed).assign(
        area_code=codes.values, level=level
    ).melt(id_vars=["area_code", "level"], var_name="variable", value_name="value")
    sentinel = long["value"] <= MISSING_BELOW
    long["status"] = np.where(sentinel | long["value"].isna(), model.MISSING, model.OK)
    long.loc[sentinel, "value"] = np.nan
    long["year"] = int(year)
    long["source"] = f"CBS wijk- en buurtkaart {year} ({path.name})"
    lower = {c.lower(): c for c in frame.columns}
    name = next((lower[c.lower()] for c in kaart.candidates(level, "naam")[:4]
                 if c.lower() in lower), None)
    if name is None:
        return long[model.TIDY_COLUMNS].reset_index(drop=True)
    named = dict(zip(codes, frame[name].astype(str).str.strip(), strict=True))
    long[model.AREA_NAME] = long["area_code"].map(named).replace({"": None, "nan": None})
    return long[[*model.TIDY_COLUMNS, model.AREA_NAME]].reset_index(drop=True)


def has_statistics(path: Path, level: str, layer: str | None, gemeente: str | None) -> bool:
    """True when a layer carries figures beside its codes and names (CBS's kaart
    2013–2023: ``AANT_INW``, ``P_00_14_JR``, …; PDOK's camelCase; apps' own keys) — not
    only the boundary-change code every kaart layer has (``IND_WBI``)."""
    frame = kaart.read_frame(path, level, layer, gemeente)
    skip = {"water", "jaar", "geometry"} | {
        c.lower() for lvl in model.LEVELS
        for c in kaart.candidates(lvl, "code") + kaart.candidates(lvl, "naam")}
    columns = [c for c in frame.columns if str(c).lower() not in skip]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the attribute reader warns when it reads them
        found = _statistic_columns(pd.DataFrame(frame.drop(columns="geometry")), columns,
                                   path).columns
    mapping = varmap.load_mapping()  # a copy: what it records is not this file's reading
    ids = varmap.rename([str(c) for c in found], "kaart", mapping)
    return any(ids[str(c)] != "ind_wbi" for c in found)


def _attributes_year(request: Request) -> Request:
    year = request.year or year_in_name(request.path)
    if year is None:
        raise DataError(f"{request.path}: cannot tell the statistics year from the file "
                        "name; give it with --year YEAR.")
    return request.but(year=year)


def _expand(request: Request) -> list[tuple[str, Request]]:
    """A table of several years (a ``jaar`` column) is one table per year, unless a year
    is given."""
    if request.year is None:
        frame = _table(request.path, request.layer)
        column = next((c for c in frame.columns if str(c).lower() == "jaar"), None)
        if column is not None:
            years = sorted({int(y) for y in pd.to_numeric(frame[column], errors="coerce")
                            .dropna() if 1900 <= y <= 2100})
            if years:
                return [("kwb", request.but(year=year)) for year in years]
    return [("kwb", _attributes_year(request))]


_CODES = frozenset(c.lower() for level in model.LEVELS for c in kaart.candidates(level, "code")[:4])


def _attributes_entry(relative: str, detail: dict) -> dict:
    return {**year_entry(relative, detail), **({"layer": detail["layer"]}
                                               if detail.get("layer") else {})}


ATTRIBUTES = Reader(
    kind="kaart-attributes", section="kwb",
    what="kaart attribute tables (.dbf, .csv; the figures in a kaart layer)",
    looks_like="a kaart attribute table (BU_CODE, WK_CODE or GM_CODE, …)",
    suffixes=frozenset({".dbf", ".csv", ".txt", *kaart.GEO_SUFFIXES}), tabular=True,
    detect=lambda probe: probe.suffix in {".dbf", *kaart.GEO_SUFFIXES} or bool(
        _CODES & probe.columns),
    resolve=_attributes_year, expand=_expand,
    read=lambda probe: read_attributes(probe.path, _attributes_year(probe.request).year,
                                       probe.request.mapping, probe.request.gemeente,
                                       probe.request.layer),
    describe=lambda own, probe: {**describe_statistics(own, probe),
                                 **({"layer": probe.request.layer}
                                    if probe.request.layer else {})},
    entry=_attributes_entry,
    label=lambda probe, detail: (f"CBS wijk- en buurtkaart {detail['year']}, kenmerken "
                                 f"({probe.path.name})"),
    licence=CBS_LICENCE)
