"""Maps for reports: the gemeente with one area highlighted.

Geometry is prepared once per map: coverage-preserving simplification (neighbours keep
sharing their borders), rounding to whole metres, clockwise exterior rings (what Vega
expects) — and only the columns that the map draws are embedded.
"""

from __future__ import annotations

import altair as alt
import geopandas as gpd
import numpy as np
import shapely

from helpers.profile import AreaProfile
from helpers.theme import HIGHLIGHT, NO_DATA, WATER

__all__ = ["prepare", "location"]


def prepare(areas: gpd.GeoDataFrame, columns: list[str], tolerance: float = 10.0
            ) -> gpd.GeoDataFrame:
    """Slim geometry for drawing: simplified as a coverage, rounded, oriented."""
    geoms = areas.geometry.values
    if tolerance > 0 and len(geoms) > 1:
        geoms = shapely.coverage_simplify(geoms, tolerance)
    geoms = shapely.transform(geoms, lambda c: np.round(c, 0))
    geoms = shapely.orient_polygons(shapely.make_valid(geoms), exterior_cw=True)
    return gpd.GeoDataFrame(areas[columns].reset_index(drop=True), geometry=list(geoms),
                            crs=areas.crs)


def location(profile: AreaProfile, width: int = 560) -> alt.LayerChart:
    """Map of the gemeente's areas of the same level, the profiled area highlighted."""
    ws = profile.workspace
    areas = ws.areas_for(profile.year, profile.level)
    areas = areas.assign(gekozen=areas["code"] == profile.code)
    shapes = prepare(areas.rename(columns={"name": "naam"}), ["naam", "gekozen"])
    bounds = shapes.total_bounds
    aspect = (bounds[3] - bounds[1]) / max(bounds[2] - bounds[0], 1)
    height = int(width * aspect)
    projection = {"type": "identity", "reflectY": True}
    layers = []
    if len(ws.water):
        water = gpd.GeoDataFrame({"soort": ["water"]}, geometry=list(shapely.orient_polygons(
            shapely.transform(ws.water.values, lambda c: np.round(c, 0)), exterior_cw=True)),
            crs=ws.water.crs)
        layers.append(alt.Chart(water).mark_geoshape(fill=WATER, stroke=None))
    layers.append(
        alt.Chart(shapes).mark_geoshape(stroke="white", strokeWidth=0.8).encode(
            fill=alt.condition("datum.gekozen", alt.value(HIGHLIGHT), alt.value(NO_DATA)),
            tooltip=[alt.Tooltip("naam:N", title="Gebied")],
        )
    )
    return alt.layer(*layers).project(**projection).properties(
        width=width, height=height,
        title=f"Ligging van {profile.name} in {profile.gemeente_name}",
    )
