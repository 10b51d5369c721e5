"""CBS wijk- en buurtkaart geometries, in every naming era, as the Areas frame.

``read_kaart(path, level, vintage)`` returns one row per area with the columns of the
Areas model (``code, name, level, parent, vintage, geometry``) in EPSG:28992, land only
(CBS splits areas in a land part ``WATER == "NEE"`` and a water part ``"JA"``), and
``read_water`` returns the water parts for map backgrounds.

Attribute names differ per era: ≤2021 upper case (``BU_CODE``), 2022+ PDOK camelCase
(``buurtcode``) and snake_case (``buurt_code``); all are recognised.

CBS publishes the kaart for the whole country. Given a ``gemeente``, both readers keep
that gemeente's areas only, filtering while the file is read (an attribute filter on the
code column), so the rest of the country is never turned into geometries.

Geometry is checked before it is used (``helpers.sources.geometry``), naming the areas:
polygons only, finite coordinates that fit the declared CRS and lie in the Netherlands.
A buurt or wijk without the code of the area above it is refused.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections import OrderedDict
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from helpers import model
from helpers.errors import DataError
from helpers.sources.geometry import check_polygons, examples, to_rd
from helpers.sources.registry import (
    CBS_LICENCE,
    Probe,
    Reader,
    Request,
    year_in_name,
)

__all__ = ["read_kaart", "read_water", "detect_level", "read_frame", "candidates", "pick",
           "layer_for", "water_mask", "CRS", "READER", "GEO_SUFFIXES"]

log = logging.getLogger(__name__)

CRS = "EPSG:28992"
GEO_SUFFIXES = frozenset({".gpkg", ".shp", ".geojson", ".json", ".fgb"})


def candidates(level: str, what: str) -> list[str]:
    short, long = model.PREFIX[level], level
    suffix = {"code": "CODE", "naam": "NAAM"}[what]
    return [f"{short}_{suffix}", f"{long}{what}", f"{long}_{what}", f"{short.lower()}_{what}",
            "statcode" if what == "code" else "statnaam"]


def pick(frame: pd.DataFrame, names: list[str], path: Path, what: str) -> str:
    lower = {c.lower(): c for c in frame.columns}
    for name in names:
        if name.lower() in lower:
            return lower[name.lower()]
    raise DataError(
        f"{path}: no {what} column found (looked for {', '.join(names)}). Is this a CBS "
        "wijk- en buurtkaart layer of the right level?"
    )


def layer_for(path: Path, level: str | None) -> str | None:
    """The layer of a multi-layer file (GeoPackage) that holds ``level``."""
    if path.suffix.lower() != ".gpkg":
        return None
    import pyogrio

    layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    if len(layers) == 1 or level is None:
        return layers[0]
    words = {"buurt": ("buurt",), "wijk": ("wijk",), "gemeente": ("gemeente", "gem_")}[level]
    hits = [name for name in layers if any(w in name.lower() for w in words)]
    if not hits:
        raise DataError(f"{path}: no layer for {level} among {', '.join(layers)}. "
                        "Name the layer in stuurkit.yml (kaart: layer:).")
    return hits[0]


def _geojson_properties(path: Path) -> list[str]:
    """Property names of the first feature of a GeoJSON FeatureCollection, read from the
    start of the file (``[]`` when they are not there)."""
    with path.open("rb") as handle:
        head = handle.read(1 << 20).decode("utf-8", errors="ignore")
    features = head.find('"features"')
    start = head.find('"properties"', features) if features >= 0 else -1
    start = head.find("{", start) if start >= 0 else -1
    try:
        found = json.JSONDecoder().raw_decode(head, start)[0] if start >= 0 else {}
    except ValueError:  # the first feature's properties end beyond the part read
        return []
    return [str(name) for name in found] if isinstance(found, dict) else []


def _gemeente_filter(path: Path, level: str, layer: str | None, gemeente: str) -> str:
    """An attribute filter (OGR SQL) that keeps at least every row whose ``level`` code
    has the gemeente's digits (``BU0344…``, ``WK0344…``): a few more rows may pass, the
    exact selection is made after reading.

    The code column of a GeoJSON file is looked up in its first feature: asking GDAL for
    the fields would parse the whole file once more.
    """
    import pyogrio

    names = candidates(level, "code")
    fields = _geojson_properties(path) if path.suffix.lower() in (".geojson", ".json") else []
    if not {c.lower() for c in names} & {f.lower() for f in fields}:
        try:
            fields = [str(f) for f in pyogrio.read_info(path, layer=layer)["fields"]]
        except Exception as exc:  # pyogrio raises several types for unreadable files
            raise DataError(f"{path}: cannot read geometry file ({exc}).") from exc
    code = pick(pd.DataFrame(columns=fields), names, path, f"{level} code")
    return f"\"{code}\" LIKE '%{model.gemeente_digits(gemeente)}%'"


_READS: OrderedDict[tuple, gpd.GeoDataFrame] = OrderedDict()  # a gemeente's recent reads
_KEPT_READS = 8


def read_frame(path: Path, level: str | None = None, layer: str | None = None,
               gemeente: str | None = None) -> gpd.GeoDataFrame:
    """The layer as read, in EPSG:28992; with ``gemeente`` (and ``level``) only the rows
    that may belong to it (see ``_gemeente_filter``). Such a gemeente's part of a file is
    read once per process while the file is unchanged (``read_kaart`` and ``read_water``
    of the same layer share it); every call gets its own copy."""
    if not (gemeente and level and path.exists()):
        return _read_file(path, level, layer, gemeente)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns, level, layer,
           gemeente)
    if key not in _READS:
        _READS[key] = _read_file(path, level, layer, gemeente)
        while len(_READS) > _KEPT_READS:
            _READS.popitem(last=False)
    _READS.move_to_end(key)
    return _READS[key].copy()


def _read_file(path: Path, level: str | None, layer: str | None, gemeente: str | None
               ) -> gpd.GeoDataFrame:
    if not path.exists():
        raise DataError(f"{path}: file not found. Check the 'kaart' entries in stuurkit.yml.")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty. Download the kaart again.")
    try:
        layer = layer or layer_for(path, level)
        where = _gemeente_filter(path, level, layer, gemeente) if gemeente and level else None
        frame = gpd.read_file(path, layer=layer, where=where)
    except DataError:
        raise
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise DataError(f"{path}: cannot read geometry file ({exc}).") from exc
    if frame.crs is None:
        raise DataError(f"{path}: the file has no coordinate reference system. Add one "
                        "(CBS files are EPSG:28992, RD New; for a shapefile keep the .prj).")
    if frame.empty and where:
        raise DataError(f"{path}: no {level} areas of {gemeente} in this layer; is this the "
                        "right file for this gemeente?")
    if frame.empty:
        raise DataError(f"{path}: the layer has no features.")
    return frame  # in its declared CRS: ``geometry.to_rd`` checks and transforms what is used


def detect_level(path: str | Path) -> str:
    """The lowest level a kaart file describes (buurt, wijk or gemeente)."""
    path = Path(path)
    frame = read_frame(path)
    lower = {c.lower() for c in frame.columns}
    for level in model.BOTTOM_UP:
        codes = candidates(level, "code")[:4]
        if any(c.lower() in lower for c in codes):
            return level
        if any(c.lower() in lower for c in candidates(level, "naam")[:4]):
            raise DataError(f"{path}: has {level} names but no {level} code column (looked "
                            f"for {', '.join(codes)}). Use CBS's original file.")
    if "statcode" in lower:
        codes = frame[[c for c in frame.columns if c.lower() == "statcode"][0]].astype(str)
        return model.level_of(codes.iloc[0]) or "buurt"
    raise DataError(f"{path}: no buurt, wijk or gemeente code column found; is this a CBS "
                    "wijk- en buurtkaart layer?")


def water_mask(frame: pd.DataFrame) -> pd.Series:
    column = next((c for c in frame.columns if c.lower() == "water"), None)
    if column is None:
        return pd.Series(False, index=frame.index)
    return frame[column].astype(str).str.strip().str.upper().eq("JA")


def _repair(frame: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    invalid = ~frame.geometry.is_valid
    if invalid.any():
        warnings.warn(
            f"{path}: {int(invalid.sum())} invalid geometries repaired with make_valid.",
            stacklevel=3,
        )
        frame.loc[invalid, "geometry"] = shapely.make_valid(frame.geometry[invalid].values)
    return frame


def read_kaart(path: str | Path, level: str, vintage: int, layer: str | None = None,
               gemeente: str | None = None) -> gpd.GeoDataFrame:
    """Read one kaart layer (gemeente, wijk or buurt) as land polygons per area.

    Rows without a usable code (empty, ``-99999999``) are skipped with a warning, as
    are areas that only have water. A ``jaar`` column (files that hold several years)
    selects the rows of ``vintage``. With ``gemeente`` (``GM0344``) only the areas whose
    code has its digits (``code[2:6]``) are read; none is an error naming the gemeente.

    Examples
    --------
    >>> read_kaart("data/demo/raw/buurten_2022.geojson", "buurt", 2022)  # doctest: +SKIP
    """
    if level not in model.LEVELS:
        raise DataError(f"{path}: level {level!r} is not one of gemeente, wijk, buurt.")
    path = Path(path)
    frame = read_frame(path, level, layer, gemeente)
    if gemeente:
        codes = frame[pick(frame, candidates(level, "code"), path, f"{level} code")].astype(
            str).str.strip()
        if not model.in_gemeente(codes, gemeente).any():
            raise DataError(f"{path}: no {level} areas of {gemeente} in this layer; is this "
                            "the right file for this gemeente?")
        # other gemeenten's areas go; a row without a valid code stays, to be named below
        frame = frame[~model.of_other_gemeente(codes, gemeente)]
    year_column = next((c for c in frame.columns if c.lower() == "jaar"), None)
    if year_column is not None:
        frame = frame[pd.to_numeric(frame[year_column], errors="coerce") == int(vintage)]
        if frame.empty:
            raise DataError(f"{path}: no rows with jaar = {vintage}. Give the right vintage.")
    code = pick(frame, candidates(level, "code"), path, f"{level} code")
    name = pick(frame, candidates(level, "naam"), path, f"{level} name")
    parent_level = model.PARENT_LEVEL[level]
    frame = frame.assign(code=frame[code].astype(str).str.strip())
    usable = frame["code"].str.match(model.CODE.pattern)
    if (~usable).any():
        warnings.warn(f"{path}: {int((~usable).sum())} rows without a valid {level} code "
                      f"skipped (e.g. {frame.loc[~usable, 'code'].iloc[0]!r}).", stacklevel=2)
    frame = frame[usable]
    water = water_mask(frame)
    land = frame[~water].copy()
    water_only = sorted(set(frame.loc[water, "code"]) - set(land["code"]))
    if water_only:
        warnings.warn(f"{path}: {len(water_only)} areas are water only and have no land to "
                      f"draw: {', '.join(water_only[:5])}.", stacklevel=2)
    if land.empty:
        raise DataError(f"{path}: no land areas with a {level} code.")
    land = land[~land["code"].str.match(model.SPECIAL_BUURT.pattern)]
    check_polygons(land, land["code"], path, level)
    land = _repair(to_rd(land, land["code"], path, level), path)
    if parent_level:
        parent = pick(frame, candidates(parent_level, "code"), path, f"{parent_level} code")
        land["parent"] = land[parent].astype(str).str.strip()
        expected = model.parent_code(land["code"])
        blank = land[parent].isna() | land["parent"].isin(["", "nan", "None"])
        if blank.any():
            raise DataError(
                f"{path}: {int(blank.sum())} {level} areas have no {parent_level} code, e.g. "
                f"{examples(land['code'], blank)}; their figures could not be summed into "
                f"their {parent_level}. Use CBS's original file.")
        wrong = land[land["parent"] != expected]
        if len(wrong):
            row = wrong.iloc[0]
            raise DataError(
                f"{path}: {len(wrong)} {level} areas lie in another {parent_level} than their "
                f"code says, e.g. {row['code']} in {row['parent']} (its code puts it in "
                f"{expected[wrong.index[0]]}). Statistics would be summed into the wrong "
                "area; use CBS's original file.")
    else:
        land["parent"] = None
    land["name"] = land[name].astype(str).str.strip()
    duplicated = land.drop_duplicates(["code", "name"])["code"]
    if duplicated.duplicated().any():
        twice = duplicated[duplicated.duplicated()].iloc[0]
        raise DataError(f"{path}: code {twice} appears with different names; one code must "
                        "be one area. Fix the file or use CBS's original.")
    dissolved = land.dissolve(by="code", as_index=False, aggfunc={"name": "first",
                                                                 "parent": "first"})
    dissolved["level"] = level
    dissolved["vintage"] = int(vintage)
    dissolved = dissolved.sort_values("code").reset_index(drop=True)
    return gpd.GeoDataFrame(dissolved[model.AREA_COLUMNS], geometry="geometry", crs=CRS)


def read_water(path: str | Path, gemeente: str | None = None) -> gpd.GeoSeries:
    """The water parts of a gemeente kaart layer, dissolved into one geometry series;
    with ``gemeente`` (``GM0344``) only that gemeente's water."""
    path = Path(path)
    frame = read_frame(path, "gemeente", gemeente=gemeente)
    if gemeente:
        code = pick(frame, candidates("gemeente", "code"), path, "gemeente code")
        frame = frame[model.in_gemeente(frame[code].astype(str).str.strip(), gemeente)]
    water = frame[water_mask(frame)]
    water = water[water.geometry.notna() & ~water.geometry.is_empty]
    if water.empty:
        return gpd.GeoSeries([], crs=CRS)
    lower = {c.lower(): c for c in water.columns}
    code = next((lower[c.lower()] for c in candidates("gemeente", "code") if c.lower() in lower),
                None)
    codes = water[code].astype(str) if code else pd.Series(water.index.astype(str),
                                                           index=water.index)
    water = to_rd(water, codes, path, "water")
    return gpd.GeoSeries([shapely.union_all(water.geometry.values)], crs=CRS)


# ------------------------------------------------------------------ the readers

def _gpkg_levels(path: Path) -> dict[str, str]:
    """``level → layer`` of a GeoPackage: each layer's level from its code columns (a
    buurt layer also has wijk and gemeente codes; the lowest level counts), the first
    layer of each level."""
    import pyogrio

    found: dict[str, str] = {}
    try:
        for name, _ in pyogrio.list_layers(path):
            fields = {str(f).lower() for f in pyogrio.read_info(path, layer=name)["fields"]}
            level = next((lvl for lvl in model.BOTTOM_UP if any(
                c.lower() in fields for c in candidates(lvl, "code")[:4])), None)
            if level is not None:
                found.setdefault(level, str(name))
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise DataError(f"{path}: cannot read geometry file ({exc}).") from exc
    return found


def _years(path: Path, level: str, layer: str | None, gemeente: str | None) -> list[int]:
    """The years of a layer that holds several (a ``jaar`` column), else ``[]``."""
    frame = read_frame(path, level, layer, gemeente)
    column = next((c for c in frame.columns if c.lower() == "jaar"), None)
    if column is None:
        return []
    years = pd.to_numeric(frame[column], errors="coerce").dropna()
    return sorted({int(y) for y in years if 1900 <= y <= 2100})


def _resolve(request: Request) -> Request:
    """Level, layer and vintage of a layer to import: as given, else found in the file
    (of a GeoPackage the lowest level's layer; of a file of several years the first)."""
    path, level, layer = request.path, request.level, request.layer
    if path.suffix.lower() == ".gpkg" and layer is None:
        levels = _gpkg_levels(path)
        if level is not None and level not in levels:
            raise DataError(f"{path}: no {level} layer (layers with codes: "
                            f"{', '.join(f'{v} ({k})' for k, v in levels.items()) or 'none'}).")
        level = level or next((lvl for lvl in model.BOTTOM_UP if lvl in levels), None)
        layer = levels.get(level) if level else None
    level = level or detect_level(path)
    vintage = request.vintage
    if vintage is None:
        years = _years(path, level, layer, request.gemeente)
        vintage = years[0] if years else year_in_name(path)
    if vintage is None:
        raise DataError(f"{path}: cannot tell the kaart's year from its name; give "
                        "it with --vintage YEAR (the year of the kaart: CBS's kaart of 2015 "
                        "holds the figures of 1 January 2015).")
    return request.but(level=level, vintage=vintage, layer=layer)


def _expand(request: Request) -> list[tuple[str, Request]]:
    """Everything one kaart file holds, as ``(section, request)``: each level's layer of
    a GeoPackage (unless a level or layer is asked for), each year of a file of several
    years (unless a vintage is given), and the statistics of every such layer and year
    as a table of the ``kwb`` section (the kaart's own year)."""
    from helpers.sources import kaartstats  # it reads the layers this module reads

    first = _resolve(request)
    path = request.path
    if path.suffix.lower() == ".gpkg" and request.level is None and request.layer is None:
        layers = [(lvl, lay) for lvl, lay in _gpkg_levels(path).items()]
    else:
        layers = [(first.level, first.layer)]
    found: list[tuple[str, Request]] = []
    for level, layer in layers:
        years = ([first.vintage] if request.vintage is not None
                 else _years(path, level, layer, request.gemeente) or [first.vintage])
        statistics = kaartstats.has_statistics(path, level, layer, request.gemeente)
        for year in years:
            found.append(("kaart", request.but(level=level, layer=layer, vintage=year)))
            if statistics:
                found.append(("kwb", request.but(year=year, layer=layer, level=None,
                                                 vintage=None)))
    found.sort(key=lambda item: (item[0] != "kaart" or item[1] != first, item[0] != "kaart"))
    return found


def _read_layer(probe: Probe) -> gpd.GeoDataFrame:
    request = probe.request
    return read_kaart(request.path, request.level, request.vintage, request.layer,
                      gemeente=request.gemeente)


READER = Reader(
    kind="kaart", section="kaart", what="kaart layers (.gpkg, .shp, .geojson)",
    looks_like="a kaart layer", suffixes=GEO_SUFFIXES, detect=lambda probe: True,
    read=_read_layer, resolve=_resolve, expand=_expand,
    describe=lambda own, probe: {"level": probe.request.level,
                                 "vintage": int(probe.request.vintage), "areas": len(own),
                                 **({"layer": probe.request.layer}
                                    if probe.request.layer else {})},
    entry=lambda relative, detail: {"file": relative, "level": detail["level"],
                                    "vintage": detail["vintage"],
                                    **({"layer": detail["layer"]} if "layer" in detail
                                       else {})},
    label=lambda probe, detail: (f"CBS wijk- en buurtkaart {detail['vintage']} "
                                 f"({detail['level']})"),
    licence=CBS_LICENCE)
