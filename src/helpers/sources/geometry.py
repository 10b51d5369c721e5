"""Geometry checked where it enters: polygons only, in the Netherlands, in RD New.

``check_polygons`` refuses areas without an outline (null or empty geometry, points,
lines, GeometryCollections); ``to_rd`` refuses coordinates that are not finite, that do
not fit the CRS the file declares, or that lie outside the Netherlands once in RD New
(EPSG:28992, ``RD_BOUNDS``), and returns the frame in RD New. Every message names the
file and the areas (their codes).

Coordinates that fit another CRS are never reinterpreted: lon/lat declared as RD, or RD
metres in a file without a CRS (a GeoJSON without ``crs`` means lon/lat, RFC 7946), are
refused with the fix — set the file's CRS — rather than guessed, so that a file whose
CRS is wrong in another way is not drawn in the wrong place.

Examples
--------
>>> import shapely
>>> frame = gpd.GeoDataFrame(geometry=[shapely.box(5.1, 52.1, 5.2, 52.2)], crs=4326)
>>> round(to_rd(frame, pd.Series(["BU99010101"]), "x.geojson", "buurt").total_bounds[0])
135321
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from helpers.errors import DataError

__all__ = ["RD_BOUNDS", "POLYGONAL", "CRS", "check_polygons", "to_rd", "examples"]

CRS = "EPSG:28992"
# the Netherlands in RD New (EPSG:28992), with a margin: x 0–300 km, y 290–630 km
RD_BOUNDS = (0.0, 290_000.0, 300_000.0, 630_000.0)
POLYGONAL = ("Polygon", "MultiPolygon")


def examples(codes: pd.Series, bad, what=None) -> str:
    """``BU99010101, BU99010102 …`` (with ``what`` per code when given)."""
    picked = codes[bad]
    shown = [f"{c} ({what[i]})" if what is not None else str(c)
             for i, c in zip(picked.index[:3], picked.iloc[:3], strict=False)]
    return ", ".join(shown) + (" …" if len(picked) > 3 else "")


def check_polygons(frame: gpd.GeoDataFrame, codes: pd.Series, path: Path,
                       level: str) -> None:
    """Refuse areas without a polygon: null or empty geometry, points, lines, collections."""
    geometry = frame.geometry
    missing = geometry.isna() | geometry.is_empty
    if missing.any():
        raise DataError(f"{path}: {int(missing.sum())} {level} areas have no geometry (null or "
                        f"empty), e.g. {examples(codes, missing)}; a map cannot draw them. "
                        "Use CBS's original file.")
    types = geometry.geom_type
    other = ~types.isin(POLYGONAL)
    if other.any():
        raise DataError(f"{path}: {int(other.sum())} {level} areas are not polygons, e.g. "
                        f"{examples(codes, other, types)}; an area needs its outline "
                        "(Polygon or MultiPolygon). Use CBS's original file — a simplified "
                        "copy may have turned small areas into points or lines.")


def _range(bounds: np.ndarray) -> str:
    return (f"x {bounds[:, 0].min():,.6g} to {bounds[:, 2].max():,.6g}, "
            f"y {bounds[:, 1].min():,.6g} to {bounds[:, 3].max():,.6g}")


def to_rd(frame: gpd.GeoDataFrame, codes: pd.Series, path: Path, level: str
           ) -> gpd.GeoDataFrame:
    """``frame`` (its areas polygons: ``check_polygons``) in EPSG:28992, after checking
    that its coordinates are finite, fit the declared CRS and lie in the Netherlands."""
    crs = frame.crs
    coordinates, row = shapely.get_coordinates(frame.geometry.values, return_index=True)
    infinite = np.zeros(len(frame), dtype=bool)
    infinite[np.unique(row[~np.isfinite(coordinates).all(axis=1)])] = True
    bounds = shapely.bounds(frame.geometry.values)
    if infinite.any():
        raise DataError(f"{path}: {int(infinite.sum())} {level} areas have coordinates that "
                        f"are not numbers (NaN or infinite), e.g. "
                        f"{examples(codes, pd.Series(infinite, index=codes.index))}. Use "
                        "CBS's original file.")
    lonlat = ((bounds[:, 0] >= -180) & (bounds[:, 2] <= 180) & (bounds[:, 1] >= -90)
              & (bounds[:, 3] <= 90))
    x0, y0, x1, y1 = RD_BOUNDS
    rd = ((bounds[:, 0] >= x0) & (bounds[:, 2] <= x1) & (bounds[:, 1] >= y0)
          & (bounds[:, 3] <= y1))
    declared = crs.name or crs.to_string()
    if crs.is_geographic and not lonlat.all():
        if rd.all():
            raise DataError(
                f"{path}: the coordinates ({_range(bounds)}) are RD New metres (EPSG:28992), but "
                f"the file says they are longitude/latitude ({declared}; a GeoJSON without a "
                "'crs' means lon/lat). Set the CRS to EPSG:28992 — e.g. ogr2ogr -a_srs "
                "EPSG:28992 — or export the file again with its CRS.")
        raise DataError(f"{path}: coordinates ({_range(bounds)}) are not longitude/latitude, "
                        f"which the file declares ({declared}), e.g. "
                        f"{examples(codes, pd.Series(~lonlat, index=codes.index))}. Set the "
                        "file's real CRS or use CBS's original file.")
    if not crs.is_geographic and lonlat.all():
        raise DataError(f"{path}: the coordinates ({_range(bounds)}) are longitude/latitude, but "
                        f"the file declares {declared}. Set the CRS to EPSG:4326 — e.g. "
                        "ogr2ogr -a_srs EPSG:4326 — or export the file again with its CRS.")
    if crs.to_epsg() != 28992:
        try:
            frame = frame.to_crs(CRS)
        except Exception as exc:  # pyproj raises several types
            raise DataError(f"{path}: cannot transform {declared} to {CRS} ({exc}).") from exc
        bounds = shapely.bounds(frame.geometry.values)
    with np.errstate(invalid="ignore"):
        outside = ~((bounds[:, 0] >= x0) & (bounds[:, 2] <= x1) & (bounds[:, 1] >= y0)
                    & (bounds[:, 3] <= y1))
    if outside.any():
        raise DataError(
            f"{path}: {int(outside.sum())} {level} areas lie outside the Netherlands (in RD "
            f"New: {_range(bounds[outside])}; the Netherlands is x {x0:,.0f}–{x1:,.0f}, y "
            f"{y0:,.0f}–{y1:,.0f}), e.g. {examples(codes, pd.Series(outside, index=codes.index))}"
            f". Is the CRS right (the file declares {declared})? Use CBS's original file.")
    return frame
