"""Maps for reports: the gemeente with one area highlighted.

A map without areas to draw (no kaart layer of that level for the year) is a
``charts.no_data`` note saying so.

Geometry is prepared for drawing: coverage-preserving simplification (neighbours keep
sharing their borders) to half a pixel of the drawn map but at least 10 m, rounding to
whole metres (written as integers), clockwise exterior rings (what Vega expects) — and
only the columns that the map draws are embedded. The prepared geometry and its GeoJSON
are kept per content and tolerance (``simplify``), so successive maps of the same areas
(another indicator, year or highlight) reuse them.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import warnings
from collections import OrderedDict
from dataclasses import dataclass

import altair as alt
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from IPython.display import HTML

from helpers import model
from helpers.analysis.profile import AreaProfile
from helpers.numbers import format_number
from helpers.presentation.charts import no_data
from helpers.presentation.declare import declare
from helpers.presentation.theme import AREA, NO_DATA, WATER

__all__ = ["prepare", "simplify", "tolerance_for", "location", "choropleth", "classify",
           "SCHEMES", "MIN_TOLERANCE"]

SCHEMES = ("quantiles", "natural_breaks", "fixed")
NO_DATA_LABEL = "geen gegevens"
SUPPRESSED_LABEL = "onderdrukt"
SUPPRESSED = "#9E9E9E"
# sequential, colour-blind safe (ColorBrewer Blues, 3-7 classes)
SEQUENTIAL = ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"]


MIN_TOLERANCE = 10.0  # metres: finer detail does not show on a map of a gemeente
PIXEL_FRACTION = 0.5  # simplify to half a pixel of the drawn map
_CACHE_SIZE = 16


@dataclass(frozen=True)
class _Drawing:
    """Geometry ready for drawing and its GeoJSON (whole metres as integers)."""

    geoms: np.ndarray
    features: tuple


_DRAWINGS: OrderedDict[tuple[str, float], _Drawing] = OrderedDict()


def tolerance_for(bounds, width: int) -> float:
    """Simplification tolerance (map units) for a map of ``bounds`` drawn ``width`` px wide.

    Half a pixel of the drawn map, and at least ``MIN_TOLERANCE`` (10 m): a gemeente
    keeps 10 m, a national map of buurten (≈ 370 m per pixel at 520 px) gets ≈ 185 m.

    >>> tolerance_for((0, 0, 10_000, 8_000), 520)
    10.0
    >>> round(tolerance_for((0, 0, 192_000, 160_000), 520))
    185
    """
    extent = max(float(bounds[2] - bounds[0]), 0.0)
    return max(MIN_TOLERANCE, PIXEL_FRACTION * extent / max(width, 1))


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _digest(geoms: np.ndarray) -> str:
    digest = hashlib.sha1()
    for wkb in shapely.to_wkb(geoms):
        digest.update(b"-" if wkb is None else wkb)
    return digest.hexdigest()


def _drawing(geoms, tolerance: float) -> _Drawing:
    """Simplified (as a coverage), rounded, valid, oriented geometry; kept per content."""
    geoms = np.asarray(geoms, dtype=object)
    key = (_digest(geoms), float(tolerance))
    if key in _DRAWINGS:
        _DRAWINGS.move_to_end(key)
        return _DRAWINGS[key]
    if tolerance > 0 and len(geoms) > 1:
        geoms = shapely.coverage_simplify(geoms, tolerance)
    geoms = shapely.transform(geoms, lambda c: np.round(c, 0))
    geoms = shapely.orient_polygons(shapely.make_valid(geoms), exterior_cw=True)
    features = tuple(None if text is None else json.loads(text, parse_float=_number)
                     for text in shapely.to_geojson(geoms))
    drawing = _Drawing(geoms, features)
    _DRAWINGS[key] = drawing
    while len(_DRAWINGS) > _CACHE_SIZE:
        _DRAWINGS.popitem(last=False)
    return drawing


def simplify(geoms, tolerance: float) -> np.ndarray:
    """Geometry ready for drawing: simplified as a coverage (neighbours keep sharing their
    borders; no area disappears), rounded to whole metres, made valid, exterior rings
    clockwise. Computed once per distinct input and tolerance, then reused.

    >>> square = shapely.box(0, 0, 1000.4, 1000)
    >>> simplify([square], 10.0)[0].bounds
    (0.0, 0.0, 1000.0, 1000.0)
    """
    return _drawing(geoms, tolerance).geoms.copy()


def prepare(areas: gpd.GeoDataFrame, columns: list[str], tolerance: float | None = None,
            width: int = 520) -> gpd.GeoDataFrame:
    """Slim geometry for drawing (``simplify``); ``tolerance`` by default from the map's
    extent and ``width`` (``tolerance_for``)."""
    if tolerance is None:
        tolerance = tolerance_for(areas.total_bounds, width)
    return gpd.GeoDataFrame(areas[columns].reset_index(drop=True),
                            geometry=list(simplify(areas.geometry.values, tolerance)),
                            crs=areas.crs)


def _features(frame: gpd.GeoDataFrame, columns: list[str], tolerance: float | None = None,
              width: int = 520) -> tuple[dict, np.ndarray]:
    """Chart data of areas as GeoJSON features (the drawn columns, ``type``, ``geometry``)
    and the bounds of the drawn geometry. Given to altair as values (``{"values": …}``),
    what it would make of a frame of them, without a per-chart copy and conversion of
    the frame: the GeoJSON is made once per geometry (``simplify``'s cache)."""
    if tolerance is None:
        tolerance = tolerance_for(frame.geometry.total_bounds, width)
    drawing = _drawing(frame.geometry.values, tolerance)
    lists = [[_plain(v) for v in frame[c].tolist()] for c in columns]
    values = [{**dict(zip(columns, row, strict=True)), "type": "Feature", "geometry": shape}
              for *row, shape in zip(*lists, drawing.features, strict=True)]
    return {"values": values}, shapely.total_bounds(drawing.geoms)


def _plain(value):
    """A cell as JSON has it, as altair's frame conversion writes it: missing and
    infinite numbers → None, numpy scalars → Python's, a moment → ISO text; anything
    else not plain JSON is refused (the drawn columns are texts and flags)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT or (
            isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, str | bool | int | float):
        return value
    raise TypeError(f"a map cell of type {type(value).__name__} ({value!r}): draw texts, "
                    "flags or numbers")


def _water_layer(water: gpd.GeoSeries) -> alt.Chart:
    """Water surfaces as a light-blue background layer (no data columns). Its features
    as a frame: a layer's own values would be deep-copied with it by altair."""
    pond, _ = _features(gpd.GeoDataFrame(geometry=water.values, crs=water.crs), [],
                        tolerance=0)
    return alt.Chart(pd.DataFrame(pond["values"])).mark_geoshape(fill=WATER, stroke=None,
                                                                 aria=False)


def location(profile: AreaProfile, water: gpd.GeoSeries | None = None, width: int = 560
             ) -> alt.LayerChart | HTML:
    """Map of the gemeente's areas of the same level, the profiled area highlighted (on
    the gemeente's ``water``, when given); a ``no_data`` note when the kaart has no areas
    of that level for the year."""
    areas = profile.facts.areas_for(profile.year, profile.level)
    if areas.empty:
        return no_data(f"Geen kaart: de kaartlagen hebben geen {profile.level}en van "
                       f"{profile.year}.")
    areas = areas.assign(gekozen=areas["code"] == profile.code)
    shapes, bounds = _features(areas.rename(columns={"name": "naam"}), ["naam", "gekozen"],
                               width=width)
    aspect = (bounds[3] - bounds[1]) / max(bounds[2] - bounds[0], 1)
    height = int(width * aspect)
    projection = {"type": "identity", "reflectY": True}
    layers = []
    if water is not None and len(water):
        layers.append(_water_layer(water))
    layers.append(
        alt.Chart().mark_geoshape(stroke="white", strokeWidth=0.8, aria=False).encode(
            fill=alt.condition("datum.gekozen", alt.value(AREA), alt.value(NO_DATA)),
            tooltip=[alt.Tooltip("naam:N", title="Gebied")],
        )
    )
    chart = alt.layer(
        *layers, data=shapes, projection=alt.Projection(**projection),
        width=width, height=height,
        title=f"Ligging van {profile.name} in {profile.gemeente_name}",
        description=f"Kaart van {profile.gemeente_name} met de {len(shapes['values'])} "
                    f"gebieden van het niveau {profile.level}; {profile.name} is gemarkeerd.",
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
               width: int = 520) -> alt.LayerChart | HTML:
    """A choropleth of one indicator.

    ``data``: ``code, value, status`` per area. Areas without a value are drawn as
    *geen gegevens*, suppressed ones as *onderdrukt*, each with its own legend entry.
    Only the name, the class and the formatted value are embedded. Without ``areas``
    (no kaart layer of the level): a ``no_data`` note.
    """
    if areas.empty:
        return no_data(f"Geen kaart van {title}: de kaartlagen hebben geen gebieden van "
                       "dit niveau en jaar.")
    frame = areas[["code", "name", "geometry"]].merge(
        data[["code", "value", "status"]], on="code", how="left")
    frame["status"] = frame["status"].fillna(model.MISSING)
    shown = frame["value"].where(frame["status"].isin(model.USABLE))
    classes, order = classify(shown, scheme, k, bins, decimals)
    frame["klasse"] = classes
    frame.loc[frame["status"] == model.SUPPRESSED, "klasse"] = SUPPRESSED_LABEL
    frame["klasse"] = frame["klasse"].fillna(NO_DATA_LABEL)
    frame["waarde"] = [format_number(v, decimals, s) for v, s in zip(frame["value"],
                                                                      frame["status"],
                                                                      strict=True)]
    drawn = ["naam", "klasse", "waarde"]
    if highlight is not None:  # the outline layer filters on it
        frame["gekozen"] = frame["code"] == highlight
        drawn.append("gekozen")
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=areas.crs)
    shapes, bounds = _features(frame.rename(columns={"name": "naam"}), drawn, width=width)
    palette = SEQUENTIAL[:len(order)] if len(order) <= 3 else list(
        np.array(SEQUENTIAL)[np.linspace(0, len(SEQUENTIAL) - 1, len(order)).round().astype(int)])
    domain = [*order, SUPPRESSED_LABEL, NO_DATA_LABEL]
    colours = [*palette, SUPPRESSED, NO_DATA]
    height = int(width * (bounds[3] - bounds[1]) / max(bounds[2] - bounds[0], 1))
    layers = []
    if water is not None and len(water):
        layers.append(_water_layer(water))
    layers.append(alt.Chart().mark_geoshape(stroke="white", strokeWidth=0.6,
                                            aria=False).encode(
        fill=alt.Fill("klasse:N", title=unit, scale=alt.Scale(domain=domain, range=colours),
                      legend=alt.Legend(orient="right")),
        tooltip=[alt.Tooltip("naam:N", title="Gebied"), alt.Tooltip("waarde:N", title=unit)],
    ))
    if highlight is not None:
        layers.append(alt.Chart().transform_filter("datum.gekozen").mark_geoshape(
            fill=None, stroke=AREA, strokeWidth=2.5, aria=False))
    if labels:
        points = prepare(frame.rename(columns={"name": "naam"}), drawn, width=width)
        points = points.assign(geometry=points.geometry.representative_point())
        layers.append(alt.Chart(points).mark_text(fontSize=9, color="#222222").encode(
            longitude="x:Q", latitude="y:Q", text="naam:N").transform_calculate(
            x="datum.geometry.coordinates[0]", y="datum.geometry.coordinates[1]"))
    known = frame[frame["status"].isin(model.USABLE)].dropna(subset=["value"])
    if len(known):
        top, low = known.loc[known["value"].idxmax()], known.loc[known["value"].idxmin()]
        summary = (f"Kaart: {title}. Hoogste waarde in {top['name']} ({top['waarde']}), "
                   f"laagste in {low['name']} ({low['waarde']}); "
                   f"{int((~frame['status'].isin(model.USABLE)).sum())} gebieden "
                   "zonder getoonde waarde.")
    else:
        summary = f"Kaart: {title}. Geen gebied heeft een getoonde waarde."
    # the areas' features are the layered chart's own data, which the area layers share
    # (given to a layer, altair would deep-copy them with it and convert them per layer),
    # and every property is given at once (each ``.properties`` makes the chart again)
    return alt.layer(*layers, data=shapes,
                     projection=alt.Projection(type="identity", reflectY=True),
                     width=width, height=height, title=title, description=summary)
