"""Geometry of the demo gemeente "Voorbeeldstad": a believable, fictional city.

The city is built in four steps, all driven by one ``numpy`` random generator so the
result is reproducible:

1. an irregular outline (a radius that wobbles with the angle) and a meandering river
   that crosses the city just south of the centre;
2. buurt seeds, dense in the centre and sparse in the outskirts, and a few wijk seeds;
3. all linework (outline, river banks, Voronoi edges of the buurt seeds) is noded once,
   densified, polygonised into faces, and every face is moved by one smooth
   displacement field. Because shared edges are the *same* coordinates in both faces
   and the field is a pure function of position, neighbouring faces still share their
   borders exactly: the result is a valid coverage with organic, irregular borders;
4. faces are assigned to buurten (land faces stay on their own river bank, water faces
   go to the buurt whose Voronoi cell they lie in) and buurten to wijken.

A "ghost" seed creates one face that belongs to one buurt before the boundary change
year and to its neighbour from that year on (CBS ``ind_wbi`` = 3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.ops import split

__all__ = ["CityGeometry", "build_city", "CENTRE", "BOUNDARY_CHANGE_YEAR"]

CENTRE = (171_500.0, 441_500.0)  # RD New (EPSG:28992); a fictional place on the map
RADIUS = 4_300.0  # metres, mean radius of the outline
BOUNDARY_CHANGE_YEAR = 2022
_SEGMENT = 45.0  # metres between vertices before displacement
_RIVER_HALF_WIDTH = 38.0


@dataclass(frozen=True)
class CityGeometry:
    """The generated geometry.

    Attributes
    ----------
    faces : list of shapely Polygons (the finest pieces; a valid coverage)
    face_water : bool per face
    face_buurt_before, face_buurt_after : buurt index per face, before and from
        ``BOUNDARY_CHANGE_YEAR``
    buurt_seeds : (n, 2) array of seed points
    buurt_wijk : wijk index per buurt
    wijk_seeds : (m, 2) array
    changed_buurten : the two buurt indices whose boundary changes
    kind : per buurt "centrum", "stad", "dorp", "bedrijven", "park" or "nieuwbouw"
    """

    faces: list[Polygon]
    face_water: np.ndarray
    face_buurt_before: np.ndarray
    face_buurt_after: np.ndarray
    buurt_seeds: np.ndarray
    buurt_wijk: np.ndarray
    wijk_seeds: np.ndarray
    changed_buurten: tuple[int, int]
    kind: list[str]


def _outline(rng: np.random.Generator) -> Polygon:
    theta = np.linspace(0, 2 * np.pi, 361)[:-1]
    radius = np.ones_like(theta)
    for harmonic, amplitude in ((2, 0.10), (3, 0.08), (5, 0.05), (7, 0.03), (11, 0.015)):
        radius += amplitude * np.sin(harmonic * theta + rng.uniform(0, 2 * np.pi))
    radius *= RADIUS
    x = CENTRE[0] + radius * np.cos(theta) * 1.15  # a little wider than high
    y = CENTRE[1] + radius * np.sin(theta) * 0.9
    return Polygon(np.column_stack([x, y]))


def _river(rng: np.random.Generator) -> LineString:
    x = np.linspace(CENTRE[0] - 2.2 * RADIUS, CENTRE[0] + 2.2 * RADIUS, 400)
    t = (x - CENTRE[0]) / RADIUS
    y = CENTRE[1] - 420 + 700 * np.sin(1.3 * t + rng.uniform(0.2, 0.6)) * np.exp(-0.15 * t**2)
    y += 160 * np.sin(3.7 * t + rng.uniform(0, 2 * np.pi))
    y += 0.18 * (x - CENTRE[0])  # flows from south-west to north-east
    return LineString(np.column_stack([x, y]))


def _displace(coords: np.ndarray, phases: np.ndarray) -> np.ndarray:
    """A smooth displacement field; a pure function of position (keeps shared edges)."""
    x = (coords[:, 0] - CENTRE[0]) / 1000.0
    y = (coords[:, 1] - CENTRE[1]) / 1000.0
    dx = 55 * np.sin(2.9 * x + 1.7 * y + phases[0]) + 30 * np.sin(6.1 * y - 2.3 * x + phases[1])
    dy = 55 * np.sin(2.3 * y - 1.9 * x + phases[2]) + 30 * np.sin(5.7 * x + 2.9 * y + phases[3])
    return np.column_stack([coords[:, 0] + dx, coords[:, 1] + dy])


def _min_distance(point: np.ndarray) -> float:
    r = np.hypot(point[0] - CENTRE[0], point[1] - CENTRE[1]) / RADIUS
    return 230.0 + 720.0 * r**1.3


def _buurt_seeds(
    rng: np.random.Generator, outline: Polygon, river: Polygon, target: int
) -> np.ndarray:
    minx, miny, maxx, maxy = outline.bounds
    inner = outline.buffer(-120)
    seeds: list[np.ndarray] = []
    attempts = 0
    while len(seeds) < target and attempts < 200_000:
        attempts += 1
        # sample more often near the centre
        r = RADIUS * 1.2 * rng.random() ** 0.8
        a = rng.uniform(0, 2 * np.pi)
        p = np.array([CENTRE[0] + r * np.cos(a) * 1.15, CENTRE[1] + r * np.sin(a) * 0.9])
        if not (minx <= p[0] <= maxx and miny <= p[1] <= maxy):
            continue
        point = Point(p)
        if not inner.contains(point) or river.distance(point) < 140:
            continue
        d = _min_distance(p)
        if any(np.hypot(*(p - s)) < d for s in seeds):
            continue
        seeds.append(p)
    return np.array(seeds)


def _wijk_seeds(rng: np.random.Generator) -> np.ndarray:
    seeds = [np.array([CENTRE[0] + 80, CENTRE[1] + 420])]  # binnenstad, north bank
    for count, radius in ((4, 1_900.0), (6, 3_500.0)):
        start = rng.uniform(0, 2 * np.pi)
        for k in range(count):
            a = start + 2 * np.pi * k / count + rng.uniform(-0.25, 0.25)
            seeds.append(
                np.array(
                    [CENTRE[0] + radius * np.cos(a) * 1.15, CENTRE[1] + radius * np.sin(a) * 0.9]
                )
            )
    return np.array(seeds)


def _side(point: Point, north: Polygon) -> int:
    return 1 if north.contains(point) else 0


def build_city(rng: np.random.Generator, n_buurten: int = 92) -> CityGeometry:
    """Build the demo city's geometry (see the module docstring)."""
    outline = _outline(rng)
    river_line = _river(rng)
    river_poly = river_line.buffer(_RIVER_HALF_WIDTH, cap_style="flat").intersection(outline)
    halves = sorted(split(outline, river_line).geoms, key=lambda g: g.centroid.y)
    north = halves[-1]
    phases = rng.uniform(0, 2 * np.pi, 4)

    seeds = _buurt_seeds(rng, outline, river_poly, n_buurten)
    wijk_seeds = _wijk_seeds(rng)

    # The ghost seed: a piece of land between two outskirt buurten that changes hands.
    radii = np.hypot(seeds[:, 0] - CENTRE[0], seeds[:, 1] - CENTRE[1])
    outer = [i for i in np.argsort(-radii) if radii[i] < 0.85 * RADIUS]
    a = int(outer[0])
    dist_a = np.hypot(*(seeds - seeds[a]).T)
    side_a = _side(Point(seeds[a]), north)
    b = next(
        int(j)
        for j in np.argsort(dist_a)[1:]
        if _side(Point(seeds[j]), north) == side_a
    )
    ghost = seeds[a] + 0.45 * (seeds[b] - seeds[a])
    all_seeds = np.vstack([seeds, ghost])

    envelope = outline.buffer(3 * RADIUS).envelope
    cells = shapely.voronoi_polygons(shapely.MultiPoint(all_seeds), extend_to=envelope)
    cells = list(cells.geoms)
    # voronoi_polygons does not keep input order: match cells to seeds
    cell_owner = np.empty(len(cells), dtype=int)
    seed_points = shapely.points(all_seeds)
    for i, cell in enumerate(cells):
        hits = np.flatnonzero(shapely.contains(cell, seed_points))
        cell_owner[i] = hits[0]

    lines = [outline.exterior, river_poly.boundary]
    lines += [c.exterior.intersection(outline) for c in cells]
    # node all linework with snap-rounding on a 2 m grid: fully noded, and without the
    # sub-metre edges that the displacement could fold over
    noded = shapely.union_all([g for g in lines if not g.is_empty], grid_size=2.0)
    noded = shapely.segmentize(noded, _SEGMENT)
    raw_faces = [f for f in shapely.polygonize([noded]).geoms if f.area > 1.0]

    ghost_index = len(seeds)
    cell_tree = shapely.STRtree(cells)
    faces: list[Polygon] = []
    water: list[bool] = []
    owner_before: list[int] = []
    for face in raw_faces:
        rep = face.point_on_surface()
        if not outline.contains(rep):
            continue
        cell_idx = cell_tree.query(rep, predicate="within")
        cell_seed = int(cell_owner[cell_idx[0]])
        is_water = bool(river_poly.contains(rep))
        if is_water:
            owner = a if cell_seed == ghost_index else cell_seed
        else:
            side = _side(rep, north)
            if cell_seed == ghost_index:
                owner = ghost_index
            elif _side(Point(seeds[cell_seed]), north) == side:
                owner = cell_seed
            else:  # a piece of a cell across the river: nearest seed on this bank
                same = [i for i in range(len(seeds)) if _side(Point(seeds[i]), north) == side]
                d = np.hypot(seeds[same, 0] - rep.x, seeds[same, 1] - rep.y)
                owner = same[int(np.argmin(d))]
        moved = shapely.transform(face, lambda c: _displace(c, phases))
        faces.append(moved)
        water.append(is_water)
        owner_before.append(owner)

    owner_before_arr = np.array(owner_before)
    owner_after_arr = owner_before_arr.copy()
    owner_before_arr[owner_before_arr == ghost_index] = a
    owner_after_arr[owner_after_arr == ghost_index] = b

    buurt_wijk = _assign_wijken(seeds, wijk_seeds, north, faces, owner_before_arr, water)
    kind = _buurt_kinds(rng, seeds, buurt_wijk, (a, b))
    return CityGeometry(
        faces=faces,
        face_water=np.array(water),
        face_buurt_before=owner_before_arr,
        face_buurt_after=owner_after_arr,
        buurt_seeds=seeds,
        buurt_wijk=buurt_wijk,
        wijk_seeds=wijk_seeds,
        changed_buurten=(a, b),
        kind=kind,
    )


def _assign_wijken(
    seeds: np.ndarray,
    wijk_seeds: np.ndarray,
    north: Polygon,
    faces: list[Polygon],
    owner: np.ndarray,
    water: list[bool],
) -> np.ndarray:
    """Nearest wijk seed on the same bank; then make every wijk one piece of land."""
    wijk_side = np.array([_side(Point(w), north) for w in wijk_seeds])
    assignment = np.empty(len(seeds), dtype=int)
    for i, s in enumerate(seeds):
        side = _side(Point(s), north)
        candidates = np.flatnonzero(wijk_side == side)
        d = np.hypot(wijk_seeds[candidates, 0] - s[0], wijk_seeds[candidates, 1] - s[1])
        assignment[i] = candidates[int(np.argmin(d))]

    land = [
        shapely.coverage_union_all([f for f, o, w in zip(faces, owner, water, strict=True)
                                    if o == i and not w])
        for i in range(len(seeds))
    ]
    for _ in range(20):
        changed = False
        for w in range(len(wijk_seeds)):
            members = np.flatnonzero(assignment == w)
            if len(members) == 0:
                continue
            union = shapely.union_all([land[i] for i in members])
            if union.geom_type == "Polygon":
                continue
            main = max(union.geoms, key=lambda g: g.area)
            for i in members:
                if land[i].intersects(main) and land[i].intersection(main).area > 0:
                    continue
                # move the stray buurt to the wijk it shares most border with
                best, best_len = None, 0.0
                for j in range(len(seeds)):
                    if assignment[j] == w:
                        continue
                    length = land[i].boundary.intersection(land[j].boundary).length
                    if length > best_len:
                        best, best_len = j, length
                if best is not None:
                    assignment[i] = assignment[best]
                    changed = True
        if not changed:
            break
    return assignment


def _buurt_kinds(
    rng: np.random.Generator, seeds: np.ndarray, buurt_wijk: np.ndarray, changed: tuple[int, int]
) -> list[str]:
    r = np.hypot(seeds[:, 0] - CENTRE[0], seeds[:, 1] - CENTRE[1]) / RADIUS
    kinds = []
    for i, ri in enumerate(r):
        if buurt_wijk[i] == 0:
            kinds.append("centrum")
        elif ri > 0.78:
            kinds.append("dorp")
        else:
            kinds.append("stad")
    outskirts = [i for i in np.argsort(-r) if i not in changed and kinds[i] != "centrum"]
    kinds[changed[1]] = "nieuwbouw"
    for i in outskirts[1:4:2]:
        kinds[i] = "bedrijven"
    # a park near the river in the city
    mid = [i for i in np.argsort(np.abs(r - 0.45)) if kinds[i] == "stad"]
    kinds[mid[int(rng.integers(0, 3))]] = "park"
    return kinds
