"""The demo gemeente's areas: codes and names, and the wijk- en buurtkaart files.

Writes the kaart per boundary vintage in the CBS naming of its era (≤2021 upper case
``BU_CODE``, 2022+ PDOK camelCase ``buurtcode``), each area split in a land part
(``WATER`` = ``NEE``) and a water part (``JA``), as CBS does.
"""

from __future__ import annotations

import json

import numpy as np
import shapely

from helpers.sources.demo import names as demo_names
from helpers.sources.demo.geometry import BOUNDARY_CHANGE_YEAR

__all__ = ["area_codes", "vintage_parts", "kaart_files", "DEMO_CODE", "DEMO_NAME", "VINTAGES"]

DEMO_CODE = "GM9901"
DEMO_NAME = "Voorbeeldstad"
VINTAGES = (2017, BOUNDARY_CHANGE_YEAR)


def area_codes(city) -> tuple[list[str], list[str], list[str], list[str]]:
    """Wijk and buurt codes and names; buurten numbered north to south within a wijk."""
    n_wijk = len(city.wijk_seeds)
    wijk_codes = [f"WK{DEMO_CODE[2:]}{w + 1:02d}" for w in range(n_wijk)]
    buurt_codes = [""] * len(city.buurt_seeds)
    buurt_names = [""] * len(city.buurt_seeds)
    centre_names = iter(demo_names.BUURT_NAMES[:18])
    other_names = iter(demo_names.BUURT_NAMES[18:])
    kind_names = {k: iter(v) for k, v in demo_names.KIND_NAMES.items()}
    for w in range(n_wijk):
        members = np.flatnonzero(city.buurt_wijk == w)
        order = sorted(members, key=lambda i: (-round(city.buurt_seeds[i][1], -2),
                                               city.buurt_seeds[i][0]))
        for k, i in enumerate(order, start=1):
            buurt_codes[i] = f"BU{DEMO_CODE[2:]}{w + 1:02d}{k:02d}"
            kind = city.kind[i]
            if kind in kind_names:
                buurt_names[i] = next(kind_names[kind])
            elif kind == "centrum":
                buurt_names[i] = next(centre_names)
            else:
                buurt_names[i] = next(other_names)
    return wijk_codes, list(demo_names.WIJK_NAMES[:n_wijk]), buurt_codes, buurt_names


def _union(geoms):
    """Union of valid polygons (empty parts ignored); an empty polygon when none."""
    parts = [g for g in geoms if g is not None and not g.is_empty]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def vintage_parts(city, vintage: int) -> tuple[list, list, list, list]:
    """Land and water geometry per buurt for one boundary vintage."""
    owner = city.face_buurt_before if vintage < BOUNDARY_CHANGE_YEAR else city.face_buurt_after
    n = len(city.buurt_seeds)
    land, water = [], []
    for i in range(n):
        land.append(_union(
            [f for f, o, w in zip(city.faces, owner, city.face_water, strict=True)
             if o == i and not w]))
        water.append(_union(
            [f for f, o, w in zip(city.faces, owner, city.face_water, strict=True)
             if o == i and w]))
    wijk_land, wijk_water = [], []
    for w in range(len(city.wijk_seeds)):
        members = np.flatnonzero(city.buurt_wijk == w)
        wijk_land.append(_union([land[i] for i in members]))
        wijk_water.append(_union([water[i] for i in members]))
    return land, water, wijk_land, wijk_water


def _clean(geom):
    """Polygons only (coverage_union can return collections), rounded to 1 cm."""
    parts = [g for g in getattr(geom, "geoms", [geom])
             if g.geom_type in ("Polygon", "MultiPolygon") and not g.is_empty]
    if not parts:
        return None
    merged = shapely.union_all(parts)
    rounded = shapely.transform(merged, lambda c: np.round(c, 2))
    return shapely.orient_polygons(rounded, exterior_cw=False)


def _feature(props: dict, geom) -> dict:
    return {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}


def _geojson(name: str, features: list[dict]) -> str:
    doc = {
        "type": "FeatureCollection",
        "name": name,
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
        "features": features,
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"


def kaart_files(city, codes, ind_wbi: dict[int, dict[str, int]]) -> dict[str, str]:
    """The wijk- en buurtkaart per vintage: ≤2021 upper case, 2022+ camelCase names."""
    wijk_codes, wijk_names, buurt_codes, buurt_names = codes
    files: dict[str, str] = {}
    for vintage in VINTAGES:
        land, water, wijk_land, wijk_water = vintage_parts(city, vintage)
        old = vintage < 2022
        wbi = ind_wbi[vintage]
        buurt_features, wijk_features = [], []
        for i, code in enumerate(buurt_codes):
            w = int(city.buurt_wijk[i])
            for is_water, geom in ((False, land[i]), (True, water[i])):
                geom = _clean(geom)
                if geom is None:
                    continue
                flag = "JA" if is_water else "NEE"
                props = (
                    {"BU_CODE": code, "BU_NAAM": buurt_names[i], "WK_CODE": wijk_codes[w],
                     "GM_CODE": DEMO_CODE, "GM_NAAM": DEMO_NAME, "IND_WBI": wbi[code],
                     "WATER": flag}
                    if old else
                    {"buurtcode": code, "buurtnaam": buurt_names[i], "wijkcode": wijk_codes[w],
                     "gemeentecode": DEMO_CODE, "gemeentenaam": DEMO_NAME,
                     "indelingswijzigingWijkenEnBuurten": str(wbi[code]), "water": flag}
                )
                buurt_features.append(_feature(props, geom))
        for w, code in enumerate(wijk_codes):
            for is_water, geom in ((False, wijk_land[w]), (True, wijk_water[w])):
                geom = _clean(geom)
                if geom is None:
                    continue
                flag = "JA" if is_water else "NEE"
                props = (
                    {"WK_CODE": code, "WK_NAAM": wijk_names[w], "GM_CODE": DEMO_CODE,
                     "GM_NAAM": DEMO_NAME, "IND_WBI": wbi[code], "WATER": flag}
                    if old else
                    {"wijkcode": code, "wijknaam": wijk_names[w], "gemeentecode": DEMO_CODE,
                     "gemeentenaam": DEMO_NAME,
                     "indelingswijzigingWijkenEnBuurten": str(wbi[code]), "water": flag}
                )
                wijk_features.append(_feature(props, geom))
        gm_land = _clean(_union([g for g in wijk_land]))
        gm_water = _clean(_union([g for g in wijk_water]))
        gm_features = []
        for flag, geom in (("NEE", gm_land), ("JA", gm_water)):
            props = ({"GM_CODE": DEMO_CODE, "GM_NAAM": DEMO_NAME, "WATER": flag} if old else
                     {"gemeentecode": DEMO_CODE, "gemeentenaam": DEMO_NAME, "water": flag})
            gm_features.append(_feature(props, geom))
        layer = "cbs_{}_" + str(vintage) if old else "{}"
        files[f"raw/buurten_{vintage}.geojson"] = _geojson(layer.format("buurten"),
                                                            buurt_features)
        files[f"raw/wijken_{vintage}.geojson"] = _geojson(layer.format("wijken"), wijk_features)
        files[f"raw/gemeenten_{vintage}.geojson"] = _geojson(
            f"gemeenten{vintage}" if old else "gemeenten", gm_features)
    return files
