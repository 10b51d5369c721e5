"""The demo gemeente generator: determinism, geometry, the CBS layout, the budget."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import yaml

from helpers.sources import demo
from helpers.sources.demo.geometry import CENTRE

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    return demo.build_files()


def _kwb(files, year: int) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(files[f"raw/kwb-{year}.csv"]), dtype=str,
                       keep_default_na=False)


def test_regenerating_gives_byte_identical_files(files, tmp_path):
    assert demo.build_files() == files
    written = demo.generate(tmp_path / "demo")
    assert {str(p.relative_to(tmp_path / "demo")) for p in written} == set(files)


def test_committed_demo_matches_the_generator(files):
    committed = {str(p.relative_to(DEMO)): p.read_text(encoding="utf-8")
                 for p in DEMO.rglob("*") if p.is_file() and "cache" not in p.parts
                 and not p.name.startswith(".stuurkit-")}  # lock files of runs
    assert set(committed) == set(files), "run `make demo-data` and commit data/demo"
    changed = [name for name in files if committed[name] != files[name]]
    assert not changed, f"data/demo is stale for {changed}; run `make demo-data`"


def test_gemeente_code_is_not_a_real_cbs_code():
    assert demo.DEMO_CODE == "GM9901"  # real codes end below GM2000


@pytest.mark.parametrize("vintage", [2017, 2022])
def test_areas_form_a_valid_coverage(files, vintage):
    buurten = gpd.read_file(io.StringIO(files[f"raw/buurten_{vintage}.geojson"]))
    assert buurten.crs.to_epsg() == 28992
    assert buurten.geometry.is_valid.all()
    assert shapely.coverage_is_valid(buurten.geometry.values)
    code = "BU_CODE" if vintage < 2022 else "buurtcode"
    n_buurten = buurten[code].nunique()
    assert 80 <= n_buurten <= 100
    wijken = gpd.read_file(io.StringIO(files[f"raw/wijken_{vintage}.geojson"]))
    assert shapely.coverage_is_valid(wijken.geometry.values)
    wk = "WK_CODE" if vintage < 2022 else "wijkcode"
    assert 10 <= wijken[wk].nunique() <= 12
    gemeente = gpd.read_file(io.StringIO(files[f"raw/gemeenten_{vintage}.geojson"]))
    # buurten and wijken tile the whole gemeente (land and water) without gaps
    total = gemeente.geometry.area.sum()
    assert buurten.geometry.area.sum() == pytest.approx(total, rel=1e-6)
    assert wijken.geometry.area.sum() == pytest.approx(total, rel=1e-6)


def test_city_is_believable(files):
    buurten = gpd.read_file(io.StringIO(files["raw/buurten_2022.geojson"]))
    land = buurten[buurten["water"] == "NEE"]
    water = buurten[buurten["water"] == "JA"]
    assert len(water) >= 5, "a river crosses the city"
    # irregular shapes: far more vertices than a grid or plain Voronoi cells would have
    vertices = shapely.get_num_coordinates(land.geometry.values)
    assert np.median(vertices) > 30
    # a dense centre: buurten near the centre are smaller than those at the edge
    centre = shapely.Point(*CENTRE)
    dist = land.geometry.centroid.distance(centre)
    inner = land[dist < dist.quantile(0.25)].geometry.area.median()
    outer = land[dist > dist.quantile(0.75)].geometry.area.median()
    assert inner < outer / 2


def test_kwb_files_have_the_cbs_download_layout(files):
    for year in demo.YEARS:
        kwb = _kwb(files, year)
        assert list(kwb.columns[:7]) == ["gwb_code_10", "gwb_code_8", "regio", "gm_naam",
                                         "recs", "gwb_code", "ind_wbi"]
        variables = [c for c in kwb.columns[7:]]
        assert len(variables) >= 40, year
        for needed in ("a_inw", "a_00_14", "a_65_oo", "a_hh", "g_wozbag", "p_koopw",
                       "a_soz_wb", "g_gas", "a_pau", "a_opp_ha", "g_afs_hp", "bev_dich"):
            assert needed in variables, (year, needed)
        assert set(kwb["recs"]) == {"Gemeente", "Wijk", "Buurt"}
        assert (kwb["gwb_code_8"] == kwb["gwb_code_10"].str[2:]).all()
        assert kwb["gwb_code_10"].iloc[0] == "GM9901"


def test_herkomst_definition_changes_in_2023(files):
    assert "a_nw_all" in _kwb(files, 2022).columns
    assert "a_nw_all" not in _kwb(files, 2023).columns
    assert "a_neu_al" in _kwb(files, 2023).columns


def test_counts_below_gemeente_level_are_multiples_of_five(files):
    kwb = _kwb(files, 2023)
    below = kwb[kwb["recs"] != "Gemeente"]
    for column in ("a_inw", "a_00_14", "a_hh", "a_soz_wb", "a_pau"):
        values = pd.to_numeric(below[column], errors="coerce").dropna()
        assert (values % 5 == 0).all(), column
    gemeente = int(kwb.loc[0, "a_inw"])
    assert gemeente % 5 != 0 or gemeente % 7 != 0  # the gemeente total is exact


def test_small_buurten_are_secret(files):
    kwb = _kwb(files, 2023)
    buurten = kwb[kwb["recs"] == "Buurt"]
    small = buurten[buurten["a_inw"].astype(int) < 200]
    assert len(small) >= 2
    assert (small["g_ink_po"] == ".").all()
    assert (buurten["g_ink_po"] == ".").sum() < len(buurten) / 2


def test_newest_year_is_filled_in_stages(files):
    kwb = _kwb(files, 2024)
    assert (kwb["g_ink_po"] == ".").all()  # income is not yet published
    assert (kwb["a_inw"] != ".").all()


def test_one_boundary_change_with_ind_wbi_3(files):
    changed = {}
    for year in demo.YEARS:
        kwb = _kwb(files, year)
        hits = kwb.loc[kwb["ind_wbi"] == "3", "gwb_code_10"].tolist()
        if hits:
            changed[year] = hits
    assert list(changed) == [2022]
    codes = [c for c in changed[2022] if c.startswith("BU")]
    assert len(codes) == 2  # the buurt that grew and the one that gave up land
    old = gpd.read_file(io.StringIO(files["raw/buurten_2017.geojson"]))
    new = gpd.read_file(io.StringIO(files["raw/buurten_2022.geojson"]))
    for code in codes:
        a = old[(old["BU_CODE"] == code) & (old["WATER"] == "NEE")].geometry.union_all()
        b = new[(new["buurtcode"] == code) & (new["water"] == "NEE")].geometry.union_all()
        assert abs(a.area - b.area) > 10_000, f"{code} kept its boundary"


def test_some_wijken_deteriorate_and_some_improve(files):
    def rate(year):
        kwb = _kwb(files, year)
        wijk = kwb[kwb["recs"] == "Wijk"].set_index("regio")
        return wijk["a_soz_wb"].astype(float) / wijk["a_inw"].astype(float)

    change = rate(2023) / rate(2017)
    assert (change > 1.2).sum() >= 1, "a wijk where benefits rise (signal)"
    assert (change < 0.85).sum() >= 1, "a wijk that improves"


def test_registrations_are_long_form(files):
    reg = pd.read_csv(io.StringIO(files["raw/registraties.csv"]), dtype={"area_code": str})
    assert list(reg.columns) == ["area_code", "year", "variable", "value"]
    assert {"meldingen_openbare_ruimte", "wmo_clienten", "bijstandsuitkeringen"} <= set(
        reg["variable"])
    assert set(demo.YEARS) <= set(reg["year"])
    assert not reg.duplicated(["area_code", "year", "variable"]).any()


def test_begroting_ties_goals_to_indicators_targets_owners_and_actions(files):
    from helpers.indicators import catalogue

    cat = catalogue.load()
    doc = yaml.safe_load(files["begroting.yml"])
    programmes = doc["programmas"]
    goals = [g for p in programmes for g in p["doelen"]]
    assert len(programmes) >= 5 and len(goals) >= 12
    for goal in goals:
        assert goal["eigenaar"] and goal["titel"]
        assert goal["acties"], goal["id"]
        for action in goal["acties"]:
            assert set(action) == {"wat", "wie", "gereed", "status"}
        for entry in goal["indicatoren"]:
            assert entry["indicator"] in cat, entry["indicator"]
            assert entry["streefwaarde"]["jaar"] > entry["nulmeting"]["jaar"]
    for programme in programmes:
        assert all({"jaar", "begroot", "realisatie"} == set(b) for b in programme["budget"])
    duiding = [name for name in files if name.startswith("duiding/")]
    assert len(duiding) >= 3


def test_baselines_agree_with_the_computed_indicators(demo_facts):
    doc = yaml.safe_load((DEMO / "begroting.yml").read_text())
    obs = demo_facts.observations
    gm = obs[obs["area_code"] == "GM9901"].set_index(["indicator", "year"])["value"]
    for programme in doc["programmas"]:
        for goal in programme["doelen"]:
            for entry in goal["indicatoren"]:
                base = entry["nulmeting"]
                computed = gm[(entry["indicator"], base["jaar"])]
                assert computed == pytest.approx(base["waarde"], abs=0.051), entry["indicator"]


def test_provenance_checksums_match_the_raw_files(files):
    prov = yaml.safe_load(files["raw/provenance.yml"])["files"]
    assert {e["file"] for e in prov} == {n[4:] for n in files
                                         if n.startswith("raw/") and n != "raw/provenance.yml"}
    for entry in prov:
        digest = hashlib.sha256(files["raw/" + entry["file"]].encode()).hexdigest()
        assert digest == entry["sha256"], entry["file"]
        assert entry["retrieved"] and entry["licence"]
