"""Shared fixtures: the demo workspace, copies of it to break, real-data paths."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAIN = sys.modules["__main__"]  # before any test makes an IPython shell (which replaces it)
DEMO = ROOT / "data" / "demo"
NOTEBOOK = ROOT / "notebooks" / "10_wijkprofiel.ipynb"
BIN = Path(sys.executable).parent
REAL_DATA = ROOT.parent / "shared" / "real-data" / "GM0344_Utrecht"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def demo_ws():
    """The committed demo workspace, opened once per session."""
    from helpers.workspace import open_workspace

    return open_workspace(DEMO)


@pytest.fixture(scope="session")
def demo_facts(demo_ws):
    """The demo's facts: observations, areas, hierarchy, breaks, catalogue."""
    from helpers.indicators import facts

    return facts.of(demo_ws)


@pytest.fixture(scope="session")
def demo_budget(demo_ws, demo_facts):
    """The demo's programme budget, validated against its catalogue."""
    from helpers.workspace.begroting import load_programme

    return load_programme(demo_ws, demo_facts.catalogue)


def tiny_facts_frames():
    """A gemeente of two wijken with three buurten, 2019–2023, as in-memory frames: one
    rate (``bijstand_per_1000``, lower is better) that rises fast in WK000102, and the
    inhabitants count. Returns ``Facts``."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    from helpers.indicators import catalogue
    from helpers.indicators.facts import Facts

    areas = gpd.GeoDataFrame({
        "code": ["GM0001", "WK000101", "WK000102", "BU00010101", "BU00010102", "BU00010201"],
        "name": ["Klein", "Noord", "Zuid", "Noord-A", "Noord-B", "Zuid-A"],
        "level": ["gemeente", "wijk", "wijk", "buurt", "buurt", "buurt"],
        "parent": [None, "GM0001", "GM0001", "WK000101", "WK000101", "WK000102"],
        "vintage": 2019,
        "geometry": [shapely.box(0, 0, 2000, 1000, ccw=False), shapely.box(0, 0, 1000, 1000),
                     shapely.box(1000, 0, 2000, 1000), shapely.box(0, 0, 500, 1000),
                     shapely.box(500, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000)],
    }, geometry="geometry", crs="EPSG:28992")
    years = range(2019, 2024)
    hierarchy = pd.concat([areas[["code", "parent", "level"]].assign(year=y) for y in years],
                          ignore_index=True)
    # benefits per 1.000: Zuid rises 40 → 120, Noord stays at 20
    people = {"BU00010101": 4000, "BU00010102": 4000, "BU00010201": 4000}
    rows = []
    for i, year in enumerate(years):
        cases = {"BU00010101": 80, "BU00010102": 80, "BU00010201": 160 + 80 * i}
        wijk = {"WK000101": (160, 8000), "WK000102": (cases["BU00010201"], 4000)}
        counts = {**{c: (cases[c], people[c]) for c in cases}, **wijk,
                  "GM0001": (160 + cases["BU00010201"], 12000)}
        for code, (num, den) in counts.items():
            level = {"GM": "gemeente", "WK": "wijk", "BU": "buurt"}[code[:2]]
            rows.append({"area_code": code, "level": level, "year": year,
                         "indicator": "bijstand_per_1000", "value": num / den * 1000,
                         "numerator": float(num), "denominator": float(den), "status": "ok",
                         "source": "test"})
            rows.append({"area_code": code, "level": level, "year": year,
                         "indicator": "inwoners", "value": float(den), "numerator": float(den),
                         "denominator": float("nan"), "status": "ok", "source": "test"})
    from helpers import model

    observations = model.validate(pd.DataFrame(rows), "observations", "tiny_facts")
    return Facts(gemeente="GM0001", gemeente_name="Klein", catalogue=catalogue.load(),
                 areas=model.validate(areas, "areas", "tiny_facts"), hierarchy=hierarchy,
                 breaks=pd.Series(dtype=int), observations=observations)


@pytest.fixture
def tiny_facts():
    """``tiny_facts_frames()`` (see there), fresh for each test."""
    return tiny_facts_frames()


@pytest.fixture
def ws_copy(tmp_path: Path) -> Path:
    """A private copy of the demo workspace that a test may break."""
    target = tmp_path / "kopie"
    shutil.copytree(DEMO, target, ignore=shutil.ignore_patterns("cache"))
    return target


@pytest.fixture(scope="session")
def real_data() -> Path:
    """Real CBS/PDOK files for Utrecht; tests using them skip when the folder is absent."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real CBS data not available ({REAL_DATA} does not exist)")
    return REAL_DATA


@pytest.fixture(scope="session")
def executed(tmp_path_factory) -> Path:
    """The wijkprofiel of Rivierkwartier, run by the papermill CLI from another folder."""
    work = tmp_path_factory.mktemp("elders")
    out = work / "out.ipynb"
    env = {k: v for k, v in os.environ.items() if k not in ("STUURKIT_RENDER",
                                                            "JPY_SESSION_NAME")}
    subprocess.run(
        [str(BIN / "papermill"), str(NOTEBOOK), str(out), "-p", "area_code", "WK990103",
         "-p", "year", "2024", "--no-progress-bar"],
        cwd=work, env=env, check=True, capture_output=True, text=True, timeout=300,
    )
    return out


@pytest.fixture(scope="session")
def report_html(executed, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("rapport") / "wijkprofiel_WK990103.html"
    subprocess.run([str(BIN / "stuurkit"), "publish", str(executed), str(target)],
                   check=True, capture_output=True, text=True)
    return target


NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
DEMO_PARAMETERS = {"10_wijkprofiel": {"area_code": "WK990108"},
                   "20_programmamonitor": {"programme": "P1"}}


def _run_and_publish(notebook: Path, folder: Path, parameters: dict) -> Path:
    import papermill as pm

    from helpers.publish import html as publish

    executed = folder / notebook.name
    pm.execute_notebook(str(notebook), str(executed), parameters=parameters,
                        progress_bar=False, cwd=str(folder))
    return publish.publish_notebook(executed, folder / f"{notebook.stem}.html")[0]


@pytest.fixture(scope="session")
def demo_reports(tmp_path_factory) -> dict[str, Path]:
    """Every notebook executed on the demo workspace and published, once per session."""
    folder = tmp_path_factory.mktemp("demo_reports")
    return {nb.stem: _run_and_publish(nb, folder, DEMO_PARAMETERS.get(nb.stem, {}))
            for nb in NOTEBOOKS}


UTRECHT_BEGROTING = """\
gemeente: GM0344
begrotingsjaar: 2025
programmas:
  - id: W
    naam: Wonen
    budget: [{jaar: 2024, begroot: 10.0, realisatie: 9.5}]
    doelen:
      - id: W.1
        titel: Meer koopwoningen in de wijken
        eigenaar: Team Wonen
        indicatoren:
          - indicator: aandeel_koopwoningen
            nulmeting: {jaar: 2023, waarde: 44}
            streefwaarde: {jaar: 2026, waarde: 46}
        acties:
          - {wat: Startersregeling, wie: Team Wonen, gereed: '2025-12-31', status: lopend}
"""


@pytest.fixture(scope="session")
def utrecht(real_data, tmp_path_factory) -> Path:
    """A workspace built from the real Utrecht files with `init` + `import`."""
    from helpers.workspace.importer import import_files, init_workspace

    root = init_workspace(tmp_path_factory.mktemp("utrecht") / "utrecht", "GM0344", "Utrecht")
    import_files(root, [real_data / "kwb-2023_GM0344.csv", real_data / "kwb-2024_GM0344.csv",
                        real_data / "buurten_2015_GM0344.geojson",
                        real_data / "wijken_2024_GM0344.geojson"])
    (root / "begroting.yml").write_text(UTRECHT_BEGROTING, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def utrecht_reports(utrecht, tmp_path_factory) -> dict[str, Path]:
    """Every notebook executed on the Utrecht workspace and published."""
    folder = tmp_path_factory.mktemp("utrecht_reports")
    common = {"workspace": str(utrecht), "year": 2024}
    extra = {"10_wijkprofiel": {"area_code": "WK034401"},
             "20_programmamonitor": {"programme": "W"},
             "00_verkenner": {"indicator": "aandeel_65plus", "year": 2024}}
    return {nb.stem: _run_and_publish(nb, folder, {**common, **extra.get(nb.stem, {})})
            for nb in NOTEBOOKS}
