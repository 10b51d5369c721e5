"""The demo gemeente "Voorbeeldstad" (GM9901): a complete, fictional workspace.

``generate(out_dir)`` writes ``stuurkit.yml``, ``raw/`` (KWB files in the CBS download
layout for 2017-2024, the wijk- en buurtkaart in two naming eras, the gemeente's own
registrations, ``provenance.yml``), ``begroting.yml`` and ``duiding/``. One fixed
seed drives everything: running it twice gives byte-identical files. No real
gemeente uses code GM9901.

Run it with ``stuurkit demo-data [PATH]``.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
import yaml

from helpers.files import write_text_atomic
from helpers.sources.demo import begroting as demo_begroting
from helpers.sources.demo import kaart as demo_kaart
from helpers.sources.demo import peers as demo_peers
from helpers.sources.demo.geometry import BOUNDARY_CHANGE_YEAR, CENTRE, RADIUS, build_city
from helpers.sources.demo.stats import (
    MIN_HOMES,
    MIN_INHABITANTS,
    UNPUBLISHED_LAST_YEAR,
    VARIABLES,
    aggregate,
    buurt_year,
    make_profile,
)

__all__ = ["generate", "DEMO_CODE", "DEMO_NAME", "DEMO_SEED", "YEARS"]

log = logging.getLogger(__name__)

DEMO_CODE = demo_kaart.DEMO_CODE
DEMO_NAME = demo_kaart.DEMO_NAME
DEMO_SEED = 20_261_126
YEARS = tuple(range(2017, 2025))
GENERATED_ON = "2026-11-26"  # fixed, so that regenerating gives identical files
_VINTAGES = demo_kaart.VINTAGES
_SOURCE = "Stuurkit demo-generator (fictieve gegevens, helpers.sources.demo)"
_LICENCE = "CC0 1.0 (fictieve demogegevens)"
# wijk index -> yearly change of affluence: two wijken deteriorate, two improve
_WIJK_TREND = {2: -0.075, 7: -0.065, 3: 0.06, 10: 0.045}


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream])


# --------------------------------------------------------------------- statistics


def _round5(rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
    """CBS: counts below gemeente level randomly rounded to multiples of 5."""
    lower = np.floor(values / 5.0) * 5.0
    up = rng.random(len(values)) < (values - lower) / 5.0
    return lower + 5.0 * up


def _fmt(value, decimals: int) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "."
    if isinstance(value, str):
        return value
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _amenities(rng: np.random.Generator, land: list, inhabitants: np.ndarray,
               count: int) -> np.ndarray:
    """Amenity locations, more where more people live."""
    weights = inhabitants / inhabitants.sum()
    points = []
    while len(points) < count:
        i = rng.choice(len(land), p=weights)
        minx, miny, maxx, maxy = land[i].bounds
        p = shapely.Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if land[i].contains(p):
            points.append((p.x, p.y))
    return np.array(points)


def _nearest_km(origins: np.ndarray, targets: np.ndarray) -> np.ndarray:
    return _distances(origins, targets).min(axis=1) / 1000.0


def _distances(origins: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Metres from every origin (rows) to every target (columns)."""
    return np.hypot(origins[:, None, 0] - targets[None, :, 0],
                    origins[:, None, 1] - targets[None, :, 1])


def _statistics(city, codes) -> tuple[dict[str, str], pd.DataFrame, dict[int, dict[str, int]]]:
    wijk_codes, wijk_names, buurt_codes, buurt_names = codes
    n = len(buurt_codes)
    radius = np.hypot(city.buurt_seeds[:, 0] - CENTRE[0], city.buurt_seeds[:, 1] - CENTRE[1])
    trend = np.zeros(len(wijk_codes))
    for w, value in _WIJK_TREND.items():
        trend[w] = value
    profile = make_profile(_rng(DEMO_SEED, 2), radius / RADIUS, city.buurt_wijk, city.kind, trend)

    parts = {v: demo_kaart.vintage_parts(city, v) for v in _VINTAGES}
    land_ha = {v: np.array([g.area for g in parts[v][0]]) / 1e4 for v in _VINTAGES}
    water_ha = {v: np.array([g.area for g in parts[v][1]]) / 1e4 for v in _VINTAGES}
    centroids = {v: np.array([[g.point_on_surface().x, g.point_on_surface().y]
                              for g in parts[v][0]]) for v in _VINTAGES}

    rng_amen = _rng(DEMO_SEED, 3)
    base_inw = profile.density * land_ha[_VINTAGES[0]]
    amen = {
        "g_afs_hp": _amenities(rng_amen, parts[2017][0], base_inw, 22),
        "g_afs_gs": _amenities(rng_amen, parts[2017][0], base_inw, 20),
        "g_afs_kv": _amenities(rng_amen, parts[2017][0], base_inw, 34),
        "g_afs_sc": _amenities(rng_amen, parts[2017][0], base_inw, 30),
    }
    # a huisartsenpraktijk in De Horsten (wijk index 7) closes in 2021
    zuiderveld = city.wijk_seeds[7]
    closing = int(np.argmin(np.hypot(*(amen["g_afs_hp"] - zuiderveld).T)))

    postcode = [f"79{int(city.buurt_wijk[i]) + 10:02d}" for i in range(n)]
    wijk_of = pd.Series([wijk_codes[w] for w in city.buurt_wijk], index=range(n))
    a, b = city.changed_buurten
    changed_wijken = {wijk_codes[city.buurt_wijk[a]], wijk_codes[city.buurt_wijk[b]]}
    ind_wbi: dict[int, dict[str, int]] = {}
    for year in YEARS:
        wbi = {c: 1 for c in [DEMO_CODE, *wijk_codes, *buurt_codes]}
        if year == BOUNDARY_CHANGE_YEAR:
            wbi[buurt_codes[a]] = wbi[buurt_codes[b]] = 3
            if len(changed_wijken) > 1:
                for c in changed_wijken:
                    wbi[c] = 3
        ind_wbi[year] = wbi

    files: dict[str, str] = {}
    gemeente_frames = []
    registrations = []
    rng_reg = _rng(DEMO_SEED, 5)
    for year in YEARS:
        vintage = max(v for v in _VINTAGES if v <= year)
        rng = _rng(DEMO_SEED, 100 + year)
        distances = {}
        for name, targets in amen.items():
            if name == "g_afs_hp" and year >= 2021:
                targets = np.delete(targets, closing, axis=0)
            distances[name] = _nearest_km(centroids[vintage], targets)
        schools = (_distances(centroids[vintage], amen["g_afs_sc"]) < 3000).sum(axis=1)
        schools = schools.astype(float)
        buurt = buurt_year(rng, profile, year, land_ha[vintage], water_ha[vintage], distances,
                           schools, postcode)
        wijk = aggregate(buurt, wijk_of)
        gemeente = aggregate(buurt, pd.Series(DEMO_CODE, index=buurt.index))
        frames = {"Buurt": buurt, "Wijk": wijk, "Gemeente": gemeente}
        for level, frame in frames.items():
            land_series = pd.Series(land_ha[vintage])
            land = {"Buurt": land_series,
                    "Wijk": land_series.groupby(wijk_of).sum(),
                    "Gemeente": land_series.groupby(lambda _: DEMO_CODE).sum()}[level]
            land = land.to_numpy()
            frame["bev_dich"] = frame["a_inw"].to_numpy() / (land / 100)
            frame["g_pau_hh"] = frame["a_pau"] / frame["a_hh"]
            frame["g_pau_km"] = frame["a_pau"].to_numpy() / (land / 100)
            if level != "Buurt":
                frame["ste_oad"] = (frame["a_woning"] + frame["a_bedv"]).to_numpy() * 1.1 / (
                    land / 100)
                frame["ste_mvs"] = 5 - np.digitize(frame["ste_oad"], [500, 1000, 1500, 2500])
                frame["pst_mvp"] = None
                frame["pst_dekp"] = np.nan

        # own registrations: exact counts per buurt (not rounded: these are our own data)
        t = year - 2017
        meldingen = rng_reg.poisson(buurt["a_inw"] * 0.045 * (1 + 0.9 * profile.urban)
                                    * np.exp(-1.6 * profile.trend * t)
                                    + np.where(np.array(city.kind) == "bedrijven", 25, 0))
        wmo = rng_reg.poisson(buurt["a_wmo_t"] * 0.92)
        bijstand = rng_reg.poisson(buurt["a_soz_wb"] * 0.82 * (1.06 if year == 2024 else 1))
        for i, code in enumerate(buurt_codes):
            registrations += [
                (code, year, "meldingen_openbare_ruimte", int(meldingen[i])),
                (code, year, "wmo_clienten", int(wmo[i])),
                (code, year, "bijstandsuitkeringen", int(bijstand[i])),
            ]
        inw_total = float(gemeente["a_inw"].iloc[0])
        restafval = 205 - 4 * t - (30 if year >= 2023 else 0) + rng_reg.normal(0, 2)
        registrations += [
            (DEMO_CODE, year, "restafval_kg_per_inwoner", round(float(restafval), 1)),
            (DEMO_CODE, year, "formatie_fte", round(inw_total * (7.1 + 0.05 * t) / 1000, 1)),
            (DEMO_CODE, year, "overhead_pct", round(float(11.8 - 0.1 * t
                                                          + rng_reg.normal(0, 0.15)), 1)),
        ]

        files[f"raw/kwb-{year}.csv"] = _kwb_csv(
            rng, year, frames, codes, city.buurt_wijk, ind_wbi[year])
        # baselines in the budget use the published (rounded) gemeente row
        published = pd.read_csv(io.StringIO(files[f"raw/kwb-{year}.csv"]), nrows=1, dtype=str)
        gemeente_frames.append(published.drop(columns=["gwb_code_10", "gwb_code_8", "regio",
                                                       "gm_naam", "recs", "gwb_code"])
                               .apply(pd.to_numeric, errors="coerce").assign(year=year))

    for variable, (start, step, noise, decimals, first, last) in sorted(
            demo_begroting.BBV_SERIES.items()):
        for year in range(first, last + 1):
            value = start + step * (year - 2017) + rng_reg.normal(0, noise)
            registrations.append((DEMO_CODE, year, variable, round(float(value), decimals)))
    reg = pd.DataFrame(registrations, columns=["area_code", "year", "variable", "value"])
    reg = reg.sort_values(["year", "area_code", "variable"], kind="stable").reset_index(drop=True)
    gm = pd.concat(gemeente_frames).set_index("year")
    gm["meldingen_openbare_ruimte"] = reg[reg.variable == "meldingen_openbare_ruimte"].groupby(
        "year")["value"].sum()
    own = reg[reg.area_code == DEMO_CODE]
    for var in sorted(own["variable"].unique()):
        gm[var] = own[own.variable == var].set_index("year")["value"]
    files["raw/registraties.csv"] = reg.to_csv(index=False, lineterminator="\n")
    return files, gm, ind_wbi


def _kwb_csv(rng, year: int, frames: dict[str, pd.DataFrame], codes, buurt_wijk,
             wbi: dict[str, int]) -> str:
    wijk_codes, wijk_names, buurt_codes, buurt_names = codes
    columns = [v for v in VARIABLES if v.years[0] <= year <= v.years[1]]
    header = ["gwb_code_10", "gwb_code_8", "regio", "gm_naam", "recs", "gwb_code", "ind_wbi"]
    header += [v.name for v in columns]
    last_year = year == YEARS[-1]

    def row(level: str, code: str, name: str, values: pd.Series) -> list[str]:
        out = [code, code[2:], name, DEMO_NAME, level, code, str(wbi[code])]
        inhabitants = values["a_inw"]
        homes = values["a_woning"]
        for v in columns:
            value = values[v.name]
            if last_year and v.group in UNPUBLISHED_LAST_YEAR or level != "Gemeente" and (
                inhabitants < MIN_INHABITANTS.get(v.group, 0)
                or homes < MIN_HOMES.get(v.group, 0)
            ):
                value = None
            out.append(_fmt(value, v.decimals))
        return out

    def rounded(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        for v in columns:
            if v.agg == "sum" and v.group != "gebied":
                frame[v.name] = _round5(rng, frame[v.name].to_numpy(dtype=float))
        return frame

    buurt = rounded(frames["Buurt"])
    wijk = rounded(frames["Wijk"])
    gemeente = frames["Gemeente"].copy()
    for v in columns:
        if v.agg == "sum":
            gemeente[v.name] = np.round(gemeente[v.name].to_numpy(dtype=float))
    lines = [header, row("Gemeente", DEMO_CODE, DEMO_NAME, gemeente.iloc[0])]
    for w, wcode in enumerate(wijk_codes):
        lines.append(row("Wijk", wcode, wijk_names[w], wijk.loc[wcode]))
        members = sorted(np.flatnonzero(buurt_wijk == w), key=lambda i: buurt_codes[i])
        for i in members:
            lines.append(row("Buurt", buurt_codes[i], buurt_names[i], buurt.iloc[i]))
    lines += demo_peers.peer_lines(header, lines[1], year)  # as a national file holds them
    return "".join(",".join(_quote(c) for c in line) + "\n" for line in lines)


def _quote(cell: str) -> str:
    return f'"{cell}"' if ("," in cell or '"' in cell) else cell


# --------------------------------------------------------------- budget and config


def _indicator_value(gm: pd.DataFrame, indicator: str, year: int) -> float:
    numerator, denominator, scale = demo_begroting.FORMULAS[indicator]
    value = gm.loc[year, numerator]
    if denominator:
        value = value / gm.loc[year, denominator] * scale
    return float(value)


def _begroting(gm: pd.DataFrame) -> str:
    programmes = []
    for prog in demo_begroting.PROGRAMMES:
        goals = []
        for goal_id, title, owner, indicators, actions in prog["doelen"]:
            entries = []
            for indicator, base_year, target_year, change in indicators:
                base = _indicator_value(gm, indicator, base_year)
                entries.append({
                    "indicator": indicator,
                    "nulmeting": {"jaar": base_year, "waarde": round(base, 1)},
                    "streefwaarde": {"jaar": target_year, "waarde": round(base * (1 + change), 1)},
                })
            goals.append({
                "id": goal_id,
                "titel": title,
                "eigenaar": owner,
                "indicatoren": entries,
                "acties": [{"wat": what, "wie": who, "gereed": due, "status": status}
                           for what, who, due, status in actions],
            })
        budget = []
        for i, (year, amount) in enumerate(sorted(prog["budget"].items())):
            realised = None if year >= 2026 else round(amount * (0.96 + 0.017 * ((i * 7) % 5)), 1)
            budget.append({"jaar": year, "begroot": amount, "realisatie": realised})
        programmes.append({
            "id": prog["id"],
            "naam": prog["naam"],
            "portefeuillehouder": prog["portefeuillehouder"],
            "budget_eenheid": "miljoen euro",
            "budget": budget,
            "doelen": goals,
        })
    doc = {"gemeente": DEMO_CODE, "begrotingsjaar": 2026, "programmas": programmes}
    header = (
        "# Programmabegroting van de demogemeente Voorbeeldstad (fictief).\n"
        "# Gegenereerd door helpers.sources.demo; nulmetingen komen uit de demogegevens.\n"
    )
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


# the wijk whose buurten get a buurtprofiel (all 92 would make `make demo` slow):
# Rivierkwartier, 7 buurten, two of them with a signal
_BUURTPROFIELEN_WIJK = 2


def _config(files: Iterable[str], buurten_of: str) -> str:
    files = sorted(files)
    doc = {
        "gemeente": {"code": DEMO_CODE, "name": DEMO_NAME},
        "demo": True,
        "sources": {
            "kwb": [f for f in files if Path(f).name.startswith("kwb-")]
            + [f for f in files if Path(f).name.startswith("gebieden-")],
            "kaart": [
                {"file": f"raw/{layer}_{v}.geojson", "level": level, "vintage": v}
                for v in _VINTAGES
                for layer, level in (("gemeenten", "gemeente"), ("wijken", "wijk"),
                                     ("buurten", "buurt"))
            ],
            "registrations": ["raw/registraties.csv"],
        },
        "programme": "begroting.yml",
        "duiding": "duiding",
        "schedule": [
            {"name": "bestuursoverzicht", "notebook": "30_bestuursoverzicht.ipynb",
             "parameters": {"year": YEARS[-1]}},
            {"name": "programmamonitors", "notebook": "20_programmamonitor.ipynb",
             "for_each": "programma", "parameters": {"year": YEARS[-1]}},
            {"name": "wijkprofielen", "notebook": "10_wijkprofiel.ipynb", "for_each": "wijk",
             "parameters": {"year": YEARS[-1]}},
            {"name": "buurtprofielen", "notebook": "10_wijkprofiel.ipynb", "for_each": "buurt",
             "within": buurten_of, "parameters": {"year": YEARS[-1]}},
            {"name": "datakwaliteit", "notebook": "90_datakwaliteit.ipynb",
             "parameters": {"year": YEARS[-1]}},
        ],
    }
    header = (
        "# Stuurkit workspace: demogemeente Voorbeeldstad (fictief).\n"
        "# Generated by `stuurkit demo-data`; edit a copy, not this file.\n"
    )
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def _provenance(files: dict[str, str]) -> str:
    entries = []
    for name in sorted(files):
        if not name.startswith("raw/"):
            continue
        entries.append({
            "file": name[len("raw/"):],
            "source": _SOURCE,
            "url": None,
            "retrieved": GENERATED_ON,
            "licence": _LICENCE,
            "sha256": hashlib.sha256(files[name].encode("utf-8")).hexdigest(),
        })
    return yaml.safe_dump({"files": entries}, sort_keys=False, allow_unicode=True)


# ----------------------------------------------------------------------- writing


def _city():
    """The first city from the seed's streams whose wijken all look like wijken.

    Deterministic: the same streams are tried in the same order every time.
    """
    for attempt in range(100):
        city = build_city(_rng(DEMO_SEED, 1_000 + attempt))
        sizes = np.bincount(city.buurt_wijk, minlength=len(city.wijk_seeds))
        if sizes.min() >= 4 and sizes.max() <= 15:
            return city
    raise RuntimeError("no acceptable demo city in 100 attempts; adjust demo_geometry")


def build_files() -> dict[str, str]:
    """Every file of the demo workspace as ``{relative path: text}``."""
    city = _city()
    codes = demo_kaart.area_codes(city)
    stats, gm, ind_wbi = _statistics(city, codes)
    files: dict[str, str] = dict(stats)
    files.update(demo_kaart.kaart_files(city, codes, {v: ind_wbi[v] for v in _VINTAGES}))
    files[f"raw/gebieden-{YEARS[-1]}.csv"] = demo_peers.gebieden_csv(DEMO_CODE, DEMO_NAME)
    files["raw/provenance.yml"] = _provenance(files)
    files["begroting.yml"] = _begroting(gm)
    for (year, goal), text in sorted(demo_begroting.DUIDING.items()):
        files[f"duiding/{year}/{goal}.md"] = text
    files["stuurkit.yml"] = _config(files, codes[0][_BUURTPROFIELEN_WIJK])
    return files


def generate(out_dir: str | Path) -> list[Path]:
    """Write the demo workspace into ``out_dir`` and return the written paths.

    All files are computed in memory first, then each is written to a temporary file and
    renamed into place, so a failure never leaves a half-written file. (``stuurkit
    demo-data`` holds the workspace's lock meanwhile: ``helpers.workspace.importer``.)

    Examples
    --------
    >>> paths = generate(tmp_path / "demo")  # doctest: +SKIP
    """
    out = Path(out_dir)
    files = build_files()
    written = []
    for name, text in sorted(files.items()):
        target = out / name
        write_text_atomic(target, text)
        written.append(target)
    log.info("wrote %d demo files to %s", len(written), out)
    return written
