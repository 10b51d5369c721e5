"""A code that names another area in another year: its figures are withheld, never drawn
on the wrong polygon (helpers.workspace.indeling)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from helpers.workspace import indeling
from tests.conftest import DEMO


def _areas(vintage: int, names: dict[str, str], side: float = 1000.0) -> gpd.GeoDataFrame:
    rows = []
    for i, (code, name) in enumerate(names.items()):
        level = {"GM": "gemeente", "WK": "wijk", "BU": "buurt"}[code[:2]]
        rows.append({"code": code, "name": name, "level": level, "vintage": vintage,
                     "geometry": shapely.box(i * side, 0, (i + 1) * side, side)})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:28992")


def _tidy(year: int, rows: dict[str, tuple[str, float | None]], variable: str = "a_inw"
          ) -> pd.DataFrame:
    return pd.DataFrame([{"area_code": c, "level": "wijk", "year": year, "variable": variable,
                          "value": v, "status": "ok", "source": f"kwb-{year}.csv", "name": n}
                         for c, (n, v) in rows.items()])


KAART_2015 = _areas(2015, {"WK036300": "Stadsdeel Centrum", "WK036301": "Stadsdeel Westpoort"})


def _check(tidy: pd.DataFrame, kaart: gpd.GeoDataFrame = KAART_2015):
    names = indeling.source_names(tidy, "kwb.csv")
    return indeling.mismatches(names, tidy.drop(columns="name"), lambda year: kaart)


def test_a_code_that_names_another_area_is_withheld_with_both_names():
    tidy = _tidy(2017, {"WK036300": ("Burgwallen-Oude Zijde", 4295.0),
                        "WK036301": ("Stadsdeel Westpoort", 200.0)})
    found = _check(tidy)
    assert [(m.code, m.year, m.vintage, m.witness) for m in found] == [
        ("WK036300", 2017, 2015, "name")]
    assert not found[0].error  # another vintage: the indeling changed, a warning
    line = found[0].line()
    assert "Burgwallen-Oude Zijde" in line and "Stadsdeel Centrum" in line and "2015" in line
    kept = indeling.withhold(tidy, found)
    assert kept["area_code"].tolist() == ["WK036301"]


def test_the_same_name_written_otherwise_is_the_same_area():
    tidy = _tidy(2017, {"WK036300": ("Wijk 00 stadsdeel  centrum", 1.0),
                        "WK036301": ("STADSDEEL-WESTPOORT ", 2.0)})
    assert _check(tidy) == []


def test_stated_areas_are_compared_with_cbs_s_own_area_of_the_kaart_year():
    """A polygon simplified upstream is no yardstick where CBS states the area of the
    kaart's year: 2015 says 150 ha (the polygon 100 ha), 2017 says 152 ha: the same area."""
    kaart = _areas(2015, {"WK036300": "Stadsdeel Centrum"})
    tidy = pd.concat([_tidy(2015, {"WK036300": ("Stadsdeel Centrum", 150.0)}, "a_lan_ha"),
                      _tidy(2017, {"WK036300": ("Stadsdeel Centrum", 152.0)}, "a_lan_ha")])
    assert _check(tidy, kaart) == []
    moved = pd.concat([tidy[tidy["year"] == 2015],
                       _tidy(2017, {"WK036300": ("Stadsdeel Centrum", 120.0)}, "a_lan_ha")])
    assert [(m.year, m.witness) for m in _check(moved, kaart)] == [(2017, "area")]


def test_a_mismatch_in_the_kaart_s_own_year_is_an_error():
    tidy = _tidy(2015, {"WK036300": ("Burgwallen-Oude Zijde", 1.0)})
    (found,) = _check(tidy)
    assert found.error


def test_a_code_with_the_same_name_but_another_land_area_is_withheld():
    """Groningen kept its code and name when it absorbed Haren and Ten Boer: the stated
    land area then no longer fits the polygon."""
    kaart = _areas(2015, {"GM0014": "Groningen"}, side=1000.0)  # 100 ha
    tidy = pd.concat([
        _tidy(2024, {"GM0014": ("Groningen", 240.0)}, "a_lan_ha"),
        _tidy(2024, {"GM0014": ("Groningen", 240_000.0)}, "a_inw"),
        _tidy(2016, {"GM0014": ("Groningen", 101.0)}, "a_lan_ha"),
    ]).assign(level="gemeente")
    found = _check(tidy, kaart)
    assert [(m.code, m.year, m.witness) for m in found] == [("GM0014", 2024, "area")]
    assert "240 ha" in found[0].line() and "100 ha" in found[0].line()
    kept = indeling.withhold(tidy, found)
    assert kept["year"].tolist() == [2016]


def test_total_area_with_water_may_exceed_the_land_polygon():
    kaart = _areas(2015, {"GM0014": "Groningen"})  # 100 ha of land
    ok = _tidy(2017, {"GM0014": ("Groningen", 160.0)}, "a_opp_ha").assign(level="gemeente")
    assert _check(ok, kaart) == []
    too_small = ok.assign(value=70.0)  # less than the land drawn
    assert [m.witness for m in _check(too_small, kaart)] == ["area"]


def test_codes_the_kaart_does_not_have_are_not_compared_here():
    tidy = _tidy(2017, {"WK036399": ("Nieuw", 1.0)})
    assert _check(tidy) == []


@pytest.mark.parametrize("name,key", [("Buurt 12 De Hoef", "de hoef"),
                                      ("Zuilen-Oost", "zuilen oost"),
                                      ("Wijk 01", "wijk 01")])
def test_name_key(name, key):
    assert indeling.name_key(name) == key


def test_a_series_starts_anew_where_a_code_names_another_area():
    tidy = pd.concat([
        _tidy(2015, {"WK036300": ("Stadsdeel Centrum", 86_360.0)}),
        _tidy(2017, {"WK036300": ("Burgwallen-Oude Zijde", 4_200.0)}),
        _tidy(2019, {"WK036300": ("Burgwallen-Oude Zijde", 4_295.0)}),
        _tidy(2015, {"WK036301": ("De Uithof", 10.0)}),
        _tidy(2017, {"WK036301": ("Utrecht Science Park", 11.0)}),
        _tidy(2015, {"WK036301": ("De Uithof", 300.0)}, "a_lan_ha"),
        _tidy(2017, {"WK036301": ("Utrecht Science Park", 301.0)}, "a_lan_ha"),
    ])
    found = indeling.breaks(indeling.source_names(tidy, "x"), tidy.drop(columns="name"))
    assert found.to_dict() == {"WK036300": 2017}  # a rename of the same area is no break


def test_the_gemeentes_own_merger_breaks_its_goal_series(ws_copy):
    """A gemeente keeps its code and name when it absorbs another (Groningen, 2019): its
    stated land area grows, and its goals are forecast from that year on only."""
    from helpers.analysis import goals
    from helpers.indicators import facts
    from helpers.workspace import open_workspace

    for year in range(2017, 2022):  # before 2022 the gemeente was 15% smaller
        path = ws_copy / "raw" / f"kwb-{year}.csv"
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        own = table["gwb_code_10"] == "GM9901"
        table.loc[own, "a_lan_ha"] = str(round(float(table.loc[own, "a_lan_ha"].iloc[0]) * .85))
        table.to_csv(path, index=False)
    ws = open_workspace(ws_copy)
    assert ws.breaks["GM9901"] == 2022
    drawn = goals.series(facts.of(ws), "bijstand_per_1000", "GM9901", 2024)["jaar"]
    # the demo as it is: one area all along, every year in the series
    demo = open_workspace(DEMO)
    assert "GM9901" not in demo.breaks.index
    whole = goals.series(facts.of(demo), "bijstand_per_1000", "GM9901", 2024)["jaar"]
    assert whole.min() < 2020 and drawn.tolist() == [y for y in whole if y >= 2022]
