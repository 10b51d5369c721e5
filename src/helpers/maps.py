"""Maps for reports: the gemeente with one area highlighted.

Geometry is prepared once per map: coverage-preserving simplification (neighbours keep
sharing their borders), rounding to whole metres, clockwise exterior rings (what Vega
expects) — and only the columns that the map draws are embedded.
"""

from __future__ import annotations

import warnings

import altair as alt
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from helpers.audit import declare
from helpers.numbers import format_number
from helpers.profile import AreaProfile
from helpers.theme import HIGHLIGHT, NO_DATA, WATER

__all__ = ["prepare", "location", "choropleth", "classify", "SCHEMES"]

SCHEMES = ("quantiles", "natural_breaks", "fixed")
NO_DATA_LABEL = "geen gegevens"
SUPPRESSED_LABEL = "onderdrukt"
SUPPRESSED = "#9E9E9E"
# sequential, colour-blind safe (ColorBrewer Blues, 3-7 classes)
SEQUENTIAL = ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"]


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


def _water_layer(water: gpd.GeoSeries) -> alt.Chart:
    """Water surfaces as a light-blue background layer (no data columns)."""
    pond = gpd.GeoDataFrame(geometry=list(shapely.orient_polygons(
        shapely.transform(water.values, lambda c: np.round(c, 0)), exterior_cw=True)),
        crs=water.crs)
    return alt.Chart(pond).mark_geoshape(fill=WATER, stroke=None, aria=False)


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
        layers.append(_water_layer(ws.water))
    layers.append(
        alt.Chart(shapes).mark_geoshape(stroke="white", strokeWidth=0.8, aria=False).encode(
            fill=alt.condition("datum.gekozen", alt.value(HIGHLIGHT), alt.value(NO_DATA)),
            tooltip=[alt.Tooltip("naam:N", title="Gebied")],
        )
    )
    chart = alt.layer(*layers).project(**projection).properties(
        width=width, height=height,
        title=f"Ligging van {profile.name} in {profile.gemeente_name}",
        description=f"Kaart van {profile.gemeente_name} met de {len(shapes)} gebieden van "
                    f"het niveau {profile.level}; {profile.name} is gemarkeerd.",
    )
    return declare(chart, {})  # names only, no indicator values


def classify(values: pd.Series, scheme: str = "quantiles", k: int = 5,
             bins: list[float] | None = None, decimals: int = 1) -> tuple[pd.Series, list[str]]:
    """Class label per value and the ordered list of labels (Dutch number format).

    ``scheme``: ``quantiles``, ``natural_breaks`` (Fisher–Jenks) or ``fixed`` (with
    ``bins``, upper bounds). Missing values get no label.
    """
    import mapclassify

    if scheme not in SCHEMES:
        raise ValueError(f"scheme {scheme!r}: use one of {', '.join(SCHEMES)}")
    present = values.dropna()
    labels = pd.Series(None, index=values.index, dtype=object)
    if present.empty:
        return labels, []
    distinct = present.nunique()
    k = max(1, min(k, distinct))
    if scheme == "fixed":
        if not bins:
            raise ValueError("scheme 'fixed' needs bins (upper bounds of the classes)")
        result = mapclassify.UserDefined(present.to_numpy(), bins=list(bins))
    elif distinct > k:
        # mapclassify warns when it lowers k for ties, and when numba is absent
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            method = mapclassify.FisherJenks if scheme == "natural_breaks" else \
                mapclassify.Quantiles
            result = method(present.to_numpy(), k=k)
    else:
        result = None
    if result is None:  # as many or fewer distinct values than classes
        uppers = sorted(present.unique())
        lowers = uppers
        names = [format_number(u, decimals) for u in uppers]
        index = present.map({u: i for i, u in enumerate(uppers)})
    else:
        uppers = list(result.bins)
        lowers = [float(present.min()), *uppers[:-1]]
        names = [f"{format_number(lo, decimals)} – {format_number(hi, decimals)}"
                 for lo, hi in zip(lowers, uppers, strict=True)]
        index = pd.Series(result.yb, index=present.index)
    labels.loc[present.index] = [names[i] for i in index]
    used = [n for i, n in enumerate(names) if (index == i).any()]
    return labels, used


def choropleth(areas: gpd.GeoDataFrame, data: pd.DataFrame, title: str, unit: str,
               decimals: int = 1, scheme: str = "quantiles", k: int = 5,
               bins: list[float] | None = None, highlight: str | None = None,
               labels: bool = False, water: gpd.GeoSeries | None = None,
               width: int = 520) -> alt.LayerChart:
    """A choropleth of one indicator.

    ``data``: ``code, value, status`` per area. Areas without a value are drawn as
    *geen gegevens*, suppressed ones as *onderdrukt*, each with its own legend entry.
    Only the name, the class and the formatted value are embedded.
    """
    frame = areas[["code", "name", "geometry"]].merge(
        data[["code", "value", "status"]], on="code", how="left")
    frame["status"] = frame["status"].fillna("missing")
    shown = frame["value"].where(frame["status"].isin(["ok", "provisional"]))
    classes, order = classify(shown, scheme, k, bins, decimals)
    frame["klasse"] = classes
    frame.loc[frame["status"] == "suppressed", "klasse"] = SUPPRESSED_LABEL
    frame["klasse"] = frame["klasse"].fillna(NO_DATA_LABEL)
    frame["waarde"] = [format_number(v, decimals, s) for v, s in zip(frame["value"],
                                                                      frame["status"],
                                                                      strict=True)]
    drawn = ["naam", "klasse", "waarde"]
    if highlight is not None:  # the outline layer filters on it
        frame["gekozen"] = frame["code"] == highlight
        drawn.append("gekozen")
    shapes = prepare(frame.rename(columns={"name": "naam"}), drawn)
    palette = SEQUENTIAL[:len(order)] if len(order) <= 3 else list(
        np.array(SEQUENTIAL)[np.linspace(0, len(SEQUENTIAL) - 1, len(order)).round().astype(int)])
    domain = [*order, SUPPRESSED_LABEL, NO_DATA_LABEL]
    colours = [*palette, SUPPRESSED, NO_DATA]
    bounds = shapes.total_bounds
    height = int(width * (bounds[3] - bounds[1]) / max(bounds[2] - bounds[0], 1))
    layers = []
    if water is not None and len(water):
        layers.append(_water_layer(water))
    layers.append(alt.Chart(shapes).mark_geoshape(stroke="white", strokeWidth=0.6,
                                                  aria=False).encode(
        fill=alt.Fill("klasse:N", title=unit, scale=alt.Scale(domain=domain, range=colours),
                      legend=alt.Legend(orient="right")),
        tooltip=[alt.Tooltip("naam:N", title="Gebied"), alt.Tooltip("waarde:N", title=unit)],
    ))
    if highlight is not None:
        layers.append(alt.Chart(shapes).transform_filter("datum.gekozen").mark_geoshape(
            fill=None, stroke=HIGHLIGHT, strokeWidth=2.5, aria=False))
    if labels:
        points = shapes.assign(geometry=shapes.geometry.representative_point())
        layers.append(alt.Chart(points).mark_text(fontSize=9, color="#222222").encode(
            longitude="x:Q", latitude="y:Q", text="naam:N").transform_calculate(
            x="datum.geometry.coordinates[0]", y="datum.geometry.coordinates[1]"))
    known = frame[frame["status"].isin(["ok", "provisional"])].dropna(subset=["value"])
    if len(known):
        top, low = known.loc[known["value"].idxmax()], known.loc[known["value"].idxmin()]
        summary = (f"Kaart: {title}. Hoogste waarde in {top['name']} ({top['waarde']}), "
                   f"laagste in {low['name']} ({low['waarde']}); "
                   f"{int((~frame['status'].isin(['ok', 'provisional'])).sum())} gebieden "
                   "zonder getoonde waarde.")
    else:
        summary = f"Kaart: {title}. Geen gebied heeft een getoonde waarde."
    return alt.layer(*layers).project(type="identity", reflectY=True).properties(
        width=width, height=height, title=title, description=summary)
