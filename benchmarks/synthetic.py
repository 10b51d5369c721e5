"""Synthetic scale-ups of the demo workspace for the benchmarks (generated, never committed).

``national``  the demo's tidy variables copied to 342 gemeenten: per gemeente 41 demo
              buurten spread over 10 of its wijken (≈ 14,000 buurten, 3,420 wijken),
              every copy's values scaled by its own random factor.
``national_buurten``  the same 14,022 buurten as geometry: the demo's buurten translated
              per gemeente onto a 19 × 18 grid (≈ 190 × 165 km, about the Netherlands).
``big_gemeente``  one gemeente with 500 buurten: copies of the demo's wijken side by side
              (a workspace object whose areas, variables and water are the copies).

All codes keep the CBS pattern (``GM`` + 4 digits, ``WK`` + 6, ``BU`` + 8).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

GEMEENTEN = 342
BUURTEN_PER_GEMEENTE = 41
WIJKEN_PER_GEMEENTE = 10
GRID_COLUMNS = 19
NATIONAL_COLUMNS, NATIONAL_WEST = 28, 15  # the national copies' grid (``_copy_kaart``)


def _chosen_buurten(hierarchy: pd.DataFrame) -> list[str]:
    """41 buurten spread over the first 10 wijken: the i-th buurt of each wijk in turn."""
    links = hierarchy.loc[hierarchy["level"] == "buurt", ["code", "parent"]].drop_duplicates(
        "code").sort_values("code")
    wijken = sorted(links["parent"].unique())[:WIJKEN_PER_GEMEENTE]
    links = links[links["parent"].isin(wijken)]
    links = links.assign(rank=links.groupby("parent").cumcount())
    ordered = links.sort_values(["rank", "parent"])["code"]
    return sorted(ordered.iloc[:BUURTEN_PER_GEMEENTE])


def _recode(codes, copy: np.ndarray) -> np.ndarray:
    """Codes of copy ``k``: ``BU99010101`` → ``BU`` + ``k + 1`` as 4 digits + the rest.

    ``codes`` repeats one gemeente's codes for every copy (``copy`` says which copy a
    row belongs to); the new codes are built once per distinct code and copy.
    """
    index, distinct = pd.factorize(pd.Series(codes))  # a missing code (no parent): -1
    digits = np.char.mod("%04d", np.arange(1, GEMEENTEN + 1))
    table = np.array([[c[:2] + d + c[6:] for c in distinct] + [None] for d in digits],
                     dtype=object)
    return table[copy, index]


def national(ws) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tidy variables and hierarchy of 342 copies of (part of) the demo gemeente."""
    base, hierarchy = ws.variables_raw, ws.hierarchy
    buurten = _chosen_buurten(hierarchy)
    keep = set(buurten) | set(hierarchy.loc[hierarchy["code"].isin(buurten), "parent"])
    keep |= {ws.config.gemeente.code}
    base = base[base["area_code"].isin(keep)].reset_index(drop=True)
    hierarchy = hierarchy[hierarchy["code"].isin(keep)].reset_index(drop=True)
    factor = np.random.default_rng(1).uniform(0.8, 1.2, size=GEMEENTEN)

    def copies(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        copy = np.repeat(np.arange(GEMEENTEN), len(frame))
        out = frame.iloc[np.tile(np.arange(len(frame)), GEMEENTEN)].reset_index(drop=True)
        for column in columns:
            out[column] = pd.array(_recode(out[column], copy), dtype=frame[column].dtype)
        if "value" in out:
            out["value"] = out["value"] * factor[copy]
        return out

    return copies(base, ["area_code"]), copies(hierarchy, ["code", "parent"])


def national_buurten(ws, year: int = 2024):
    """The 14,022 buurten of ``national`` as a GeoDataFrame (``code, name, geometry``)."""
    import geopandas as gpd
    import shapely

    areas = ws.areas_for(year, "buurt")
    areas = areas[areas["code"].isin(_chosen_buurten(ws.hierarchy))].reset_index(drop=True)
    x0, y0, x1, y1 = ws.areas_for(year, "gemeente").total_bounds
    step_x, step_y = (x1 - x0) * 1.05, (y1 - y0) * 1.05
    g = np.arange(GEMEENTEN)
    offset = np.column_stack([g % GRID_COLUMNS * step_x, -(g // GRID_COLUMNS) * step_y])
    copy = np.repeat(g, len(areas))
    geoms = np.tile(areas.geometry.values, GEMEENTEN)
    counts = shapely.get_num_coordinates(geoms)
    shifts = np.repeat(offset[copy], counts, axis=0)
    geoms = shapely.transform(geoms, lambda c: c + shifts)
    frame = pd.DataFrame({"code": _recode(np.tile(areas["code"], GEMEENTEN), copy),
                          "name": np.tile(areas["name"], GEMEENTEN)})
    frame["name"] = frame["name"] + " (" + frame["code"].str[2:6] + ")"
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=areas.crs)


def _wijk_copy(codes: pd.Series, k: int, wijken: int) -> pd.Series:
    """Wijk and buurt codes of copy ``k``: wijk number ``k × wijken + w``; gemeente kept."""
    sub = codes.str.len() > 6
    number = codes[sub].str[6:8].astype(int) + k * wijken
    return codes.where(~sub, codes[sub].str[:6] + number.map("{:02d}".format)
                       + codes[sub].str[8:])


def big_gemeente(ws, buurten: int = 500):
    """A workspace like the demo whose gemeente has ``buurten`` buurten.

    The demo's wijken (with their buurten) are copied side by side (new wijk numbers,
    geometry shifted east, values scaled per copy) until there are ``buurten`` buurten;
    the last copy is cut off. Hierarchy, variables and observations then follow from the
    real code paths of ``Workspace``.
    """
    import geopandas as gpd
    import shapely

    from helpers.workspace import Workspace

    areas = ws.areas
    per_copy = int((ws.areas_for(ws.vintages[-1], "buurt")).shape[0])
    copies = -(-buurten // per_copy)
    wijken = int(areas.loc[areas["level"] == "wijk", "code"].nunique())
    # the buurten kept in the last copy: the first ones by code
    last = sorted(areas.loc[areas["level"] == "buurt", "code"].unique())[
        :buurten - (copies - 1) * per_copy]
    last_wijken = {"WK" + c[2:8] for c in last}
    x0, _, x1, _ = areas.total_bounds
    shift = (x1 - x0) * 1.02
    rng = np.random.default_rng(2)
    area_parts, variable_parts, water_parts = [], [], []
    tidy = ws.variables_raw
    for k in range(copies):
        own = areas[areas["level"] != "gemeente"]
        rows = tidy[tidy["level"] != "gemeente"]
        if k == copies - 1:
            own = own[own["code"].isin(set(last) | last_wijken)]
            rows = rows[rows["area_code"].isin(set(last) | last_wijken)]
        own = own.assign(code=_wijk_copy(own["code"], k, wijken),
                         parent=_wijk_copy(own["parent"], k, wijken),
                         name=own["name"] + ("" if k == 0 else f" {k + 1}"),
                         geometry=own.geometry.translate(k * shift, 0))
        area_parts.append(own)
        variable_parts.append(rows.assign(
            area_code=_wijk_copy(rows["area_code"], k, wijken),
            value=rows["value"] * (1.0 if k == 0 else rng.uniform(0.8, 1.2))))
        water_parts.append(ws.water.translate(k * shift, 0))
    copied = pd.concat(area_parts, ignore_index=True)
    gemeente = areas[areas["level"] == "gemeente"].copy()
    gemeente["geometry"] = [
        shapely.union_all(copied.loc[(copied["level"] == "wijk")
                                     & (copied["vintage"] == v)].geometry.values)
        for v in gemeente["vintage"]]
    big = Workspace(ws.root, ws.config)
    # assigned through the properties (``reads.kept`` is a data descriptor: a value put
    # in ``__dict__`` would be ignored and the demo's files read instead)
    big.areas = gpd.GeoDataFrame(pd.concat([gemeente, copied], ignore_index=True),
                                 geometry="geometry", crs=areas.crs)
    big.variables_raw = pd.concat([tidy[tidy["level"] == "gemeente"], *variable_parts],
                                  ignore_index=True)
    big.water = gpd.GeoSeries(pd.concat(water_parts, ignore_index=True), crs=ws.water.crs)
    return big


# ------------------------------------------------------- national workspace


def _digits(copy: int) -> str:
    """The 4 gemeente digits of national copy ``copy`` (1 … 341; never 9901)."""
    return f"{copy:04d}"


def _recode_text(value: str, digits: str) -> str:
    """``GM9901`` / ``WK990103`` / ``BU99010304`` (or the bare ``99010304``) of copy
    ``digits``; any other text unchanged."""
    if len(value) >= 6 and value[:2] in ("GM", "WK", "BU") and value[2:6].isdigit():
        return value[:2] + digits + value[6:]
    if len(value) in (4, 6, 8) and value.isdigit():
        return digits + value[4:]
    return value


def _copy_kwb(source, target, keep: set[str], gemeente_name: str, copies: int) -> int:
    """A national ``kwb-YYYY.csv``: the source's rows unchanged, then ``copies`` copies of
    its rows in ``keep`` with codes rewritten and names changed. Returns the row count."""
    import csv
    import io

    text = source.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    at = {name: header.index(name) for name in header}
    template = [row for row in body if row[at["gwb_code_10"]] in keep]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    for copy in range(1, copies + 1):
        digits = _digits(copy)
        name = f"{gemeente_name} {digits}"
        for row in template:
            row = list(row)
            for column in ("gwb_code_10", "gwb_code_8", "gwb_code"):
                row[at[column]] = _recode_text(row[at[column]], digits)
            row[at["gm_naam"]] = name
            row[at["regio"]] = name if row[at["recs"]] == "Gemeente" else (
                f"{row[at['regio']]} ({digits})")
            writer.writerow(row)
    target.write_text(text + ("" if text.endswith("\n") else "\n") + out.getvalue(),
                      encoding="utf-8")
    return len(body) + copies * len(template)


def _copy_kaart(source, target, keep: set[str], gemeente_name: str, copies: int,
                step: tuple[float, float]) -> int:
    """A national kaart GeoJSON: the source's features unchanged, then ``copies`` copies
    of its features whose own code is in ``keep`` — every code property rewritten, names
    changed, geometry moved to copy ``k``'s cell of a ``NATIONAL_COLUMNS``-wide grid below
    the source gemeente, rounded to centimetres. Returns the feature count."""
    import json

    import shapely

    doc = json.loads(source.read_text(encoding="utf-8"))
    features = doc.pop("features")
    code_keys = [k for k in features[0]["properties"]
                 if k.lower() in ("gm_code", "wk_code", "bu_code", "gemeentecode",
                                  "wijkcode", "buurtcode")]
    own = next(k for k in ("BU_CODE", "buurtcode", "WK_CODE", "wijkcode", "GM_CODE",
                           "gemeentecode") if k in code_keys)
    template = [f for f in features if f["properties"][own] in keep]
    shapes = np.array([shapely.from_geojson(json.dumps(f["geometry"])) for f in template])
    copy = np.repeat(np.arange(1, copies + 1), len(template))
    # rows below the source gemeente's, 28 cells wide from 15 cells west of it: every copy
    # inside the Netherlands' RD box (x 0–300 km, y 290–630 km), as the kaart reader checks
    offset = np.column_stack([(copy % NATIONAL_COLUMNS - NATIONAL_WEST) * step[0],
                              -(copy // NATIONAL_COLUMNS + 1) * step[1]])
    geoms = np.tile(shapes, copies)
    shifts = np.repeat(offset, shapely.get_num_coordinates(geoms), axis=0)
    moved = shapely.to_geojson(shapely.transform(geoms, lambda c: np.round(c + shifts, 2)))
    parts = [json.dumps(f, separators=(",", ":")) for f in features]
    for number, (k, feature) in enumerate(zip(copy, np.tile(np.array(template), copies),
                                              strict=True)):
        digits = _digits(int(k))
        props = dict(feature["properties"])
        for key in code_keys:
            props[key] = _recode_text(props[key], digits)
        for key in props:
            if key.lower() in ("gm_naam", "gemeentenaam"):
                props[key] = f"{gemeente_name} {digits}"
            elif key.lower() in ("wk_naam", "wijknaam", "bu_naam", "buurtnaam"):
                props[key] = f"{props[key]} ({digits})"
        parts.append('{"type":"Feature","properties":'
                     + json.dumps(props, separators=(",", ":"), ensure_ascii=False)
                     + ',"geometry":' + moved[number] + "}")
    head = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)[:-1]
    target.write_text(head + ',"features":[' + ",".join(parts) + "]}", encoding="utf-8")
    return len(parts)


def national_workspace(folder, demo=None, copies: int = GEMEENTEN - 1) -> dict[str, int]:
    """Write a workspace in ``folder`` that imported CBS's *national* files as they come.

    A copy of the demo workspace (``demo``, default ``data/demo``; its ``cache/`` left
    out) whose raw KWB downloads (``kwb-YYYY.csv``) and kaart layers (gemeenten, wijken,
    buurten of every vintage, GeoJSON) hold the demo gemeente unchanged plus ``copies``
    other gemeenten (``GM0001`` …): per copy the demo's 41 buurten of ``national`` with
    their 10 wijken, codes rewritten in every code column, names changed, geometry moved
    on a grid so that no copy overlaps another. The workspace is still the demo
    gemeente's, so its numbers must equal the demo's. ``raw/provenance.yml`` gets the new
    files' checksums. Returns the counts of gemeenten, wijken and buurten in the 2024
    KWB file.
    """
    import shutil
    from pathlib import Path

    import geopandas as gpd
    import yaml

    from helpers.paths import data_dir
    from helpers.workspace import open_workspace
    from helpers.workspace.cache import sha256

    demo = Path(demo) if demo else data_dir() / "demo"
    folder = Path(folder)
    ws = open_workspace(demo)
    buurten = _chosen_buurten(ws.hierarchy)
    keep = set(buurten) | set(ws.hierarchy.loc[ws.hierarchy["code"].isin(buurten), "parent"])
    keep |= {ws.config.gemeente.code}
    name = ws.config.gemeente.name
    shutil.copytree(demo, folder, ignore=shutil.ignore_patterns("cache", ".stuurkit-*"))
    raw = folder / "raw"
    provenance = yaml.safe_load((raw / "provenance.yml").read_text(encoding="utf-8"))
    recorded = {entry["file"]: entry for entry in provenance["files"]}
    kaart = [k for k in ws.config.sources.kaart]
    x0, y0, x1, y1 = pd.concat(
        [gpd.read_file(ws.path(k.file)) for k in kaart if k.level == "gemeente"]).total_bounds
    step = ((x1 - x0) * 1.05, (y1 - y0) * 1.05)
    for entry in ws.config.sources.kwb_files():
        source = ws.path(entry.file)
        if source.name.startswith("kwb-"):  # not the list of gemeenten (gebieden-2024.csv)
            _copy_kwb(source, raw / source.name, keep, name, copies)
    for layer in kaart:
        source = ws.path(layer.file)
        _copy_kaart(source, raw / source.name, keep, name, copies, step)
    for file, entry in recorded.items():
        entry["sha256"] = sha256(raw / file)
    (raw / "provenance.yml").write_text(
        yaml.safe_dump(provenance, sort_keys=False, allow_unicode=True), encoding="utf-8")
    newest = sorted(raw.glob("kwb-*.csv"))[-1]
    codes = pd.read_csv(newest, usecols=["gwb_code_10"], dtype=str)["gwb_code_10"]
    prefix = codes.str[:2].value_counts()
    return {"gemeenten": int(prefix.get("GM", 0)), "wijken": int(prefix.get("WK", 0)),
            "buurten": int(prefix.get("BU", 0))}
