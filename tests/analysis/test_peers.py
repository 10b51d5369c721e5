"""Nederland and similar gemeenten (helpers.analysis.peers, helpers.workspace.national):
peer groups on CBS's real national files, and hand-computed comparisons."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from helpers import model
from helpers.analysis import peers
from helpers.errors import DataError
from helpers.indicators import catalogue

from ..conftest import ROOT

NATIONAL = ROOT.parent / "shared" / "real-data" / "national"


@pytest.fixture(scope="module")
def utrecht_national(tmp_path_factory):
    """A workspace of Utrecht that imported the national gemeente files as found."""
    if not NATIONAL.is_dir():
        pytest.skip(f"real CBS data not available ({NATIONAL} does not exist)")
    from helpers.workspace import national, open_workspace
    from helpers.workspace.importer import import_files, init_workspace

    root = tmp_path_factory.mktemp("national") / "utrecht"
    init_workspace(root, "GM0344")
    import_files(root, sorted(NATIONAL.glob("gemeenten_*_geoinzicht.geojson")),
                 level="gemeente")
    ws = open_workspace(root)
    return ws, national.variables(ws)


def _inwoners_in_file(year: int) -> dict[str, float]:
    data = json.loads((NATIONAL / f"gemeenten_{year}_geoinzicht.geojson").read_text())
    return {f["properties"]["gemeentecode"]: f["properties"]["aantal_inwoners"]
            for f in data["features"] if f["properties"].get("aantal_inwoners") is not None}


def test_every_gemeente_is_kept_beside_the_workspaces_own(utrecht_national):
    ws, tidy = utrecht_national
    assert set(tidy["level"]) == {"gemeente"}
    per_year = tidy.groupby("year")["area_code"].nunique()
    # as the README of the files says (343 and 416 features), without GM0998 "Buitenland"
    assert per_year[2024] == 342 and per_year[2012] == 415
    assert ws.variables_raw["area_code"].str.startswith("GM0344").all()  # own part unchanged


def test_the_size_class_of_utrecht_holds_the_gemeenten_over_250000_in_the_file(
        utrecht_national):
    _, tidy = utrecht_national
    group = peers.by_size(tidy, "GM0344", 2024)
    over = sorted(c for c, n in _inwoners_in_file(2024).items() if n >= 250_000)
    assert over == ["GM0344", "GM0363", "GM0518", "GM0599"]  # Utrecht, A'dam, Den Haag, R'dam
    assert list(group.members) == [c for c in over if c != "GM0344"]
    assert group.label == "Gemeenten met 250.000 inwoners of meer (2024)"
    assert "gemeentegrootteklasse" in group.method


def test_the_urbanity_class_comes_from_the_file(utrecht_national):
    _, tidy = utrecht_national
    group = peers.by_urbanity(tidy, "GM0344", 2024)
    classes = tidy[(tidy["variable"] == "ste_mvs") & (tidy["year"] == 2024)].set_index(
        "area_code")["value"]
    assert classes["GM0344"] == 1
    assert set(group.members) == set(classes[classes == 1].index) - {"GM0344"}
    assert group.label.startswith("Zeer sterk stedelijke gemeenten")


def test_ten_nearest_neighbours_with_their_method(utrecht_national):
    _, tidy = utrecht_national
    group, table = peers.nearest(tidy, "GM0344", 2024)
    assert len(group) == 10 and "GM0344" not in group.members
    assert table["code"].iloc[0] == "GM0344" and table["afstand"].iloc[0] == 0
    assert table["afstand"].is_monotonic_increasing
    assert list(group.members) == table["code"].iloc[1:11].tolist()
    # the three other big cities are among Utrecht's neighbours on structure
    assert {"GM0363", "GM0518", "GM0599"} <= set(group.members)
    assert "euclidische afstand" in group.method and "z-scores" in group.method
    assert "aantal inwoners (log)" in group.method
    assert "Niet beschikbaar en weggelaten: aandeel huurwoningen" in group.method


def test_a_merger_breaks_the_series(utrecht_national):
    from helpers.workspace import national

    ws, tidy = utrecht_national
    found = national.mergers(tidy, national.areas(ws))
    groningen = found[found["code"] == "GM0014"]
    assert 2019 in set(groningen["year"])  # with Haren and Ten Boer on 1 January 2019
    assert "GM1966" in set(found["code"])  # Het Hogeland, new in 2019
    assert "GM0344" not in set(found["code"])


def test_a_hand_chosen_group_names_unknown_codes(utrecht_national):
    _, tidy = utrecht_national
    group = peers.chosen(tidy, "GM0344", 2024, ["GM0363", "GM0344", "GM0599"])
    assert group.members == ("GM0363", "GM0599") and group.kind == "eigen keuze"
    with pytest.raises(DataError, match="GM0014x, GM0017 niet onder de gemeenten van 2024"):
        peers.chosen(tidy, "GM0344", 2024, ["GM0363", "GM0014x", "GM0017"])


# ------------------------------------------------------------------ hand-computed


def _obs(values: dict[str, tuple[float, float]], indicator: str = "bijstand_per_1000",
         year: int = 2024) -> pd.DataFrame:
    rows = [{"area_code": code, "level": "gemeente", "year": year, "indicator": indicator,
             "numerator": n, "denominator": d, "value": n / d * 1000 if d else np.nan,
             "status": model.OK, "source": "test"} for code, (n, d) in values.items()]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def cat():
    return catalogue.load()


def test_nederland_is_the_sum_of_counts_not_a_mean_of_rates(cat):
    obs = _obs({"GM0001": (10, 1000), "GM0002": (90, 3000), "GM0003": (100, 1000)})
    nl = peers.nederland(obs, cat).set_index("indicator").loc["bijstand_per_1000"]
    assert nl["value"] == pytest.approx(200 / 5000 * 1000)  # 40, not the mean 46,7
    assert nl["gemeenten"] == 3 and "som van de tellers" in nl["method"]


def test_nederland_is_missing_when_a_gemeente_lacks_its_figure(cat):
    obs = _obs({"GM0001": (10, 1000), "GM0002": (90, 3000)})
    obs = pd.concat([obs, _obs({"GM0003": (np.nan, np.nan)}).assign(status=model.MISSING)])
    nl = peers.nederland(obs, cat).iloc[0]
    assert np.isnan(nl["value"]) and nl["method"].startswith("niet te berekenen: 1 van 3")


def test_the_comparison_ranks_by_polarity_and_says_so(cat):
    # bijstand: lower is better. Own 20 per 1000; peers 10, 30, 40, 50 → median 35
    obs = _obs({"GM0001": (20, 1000), "GM0002": (10, 1000), "GM0003": (30, 1000),
                "GM0004": (40, 1000), "GM0005": (50, 1000)})
    group = peers.PeerGroup("GM0001", 2024, "eigen keuze", "Eigen vergelijkingsgroep (2024)",
                            "", ("GM0002", "GM0003", "GM0004", "GM0005"))
    country = peers.nederland(obs, cat)
    out = peers.compare(obs, country, group, cat, "bijstand_per_1000")
    assert out["median"] == 35 and (out["low"], out["high"]) == (10, 50)
    assert out["rank"] == 2 and out["n"] == 4  # only GM0002 has fewer
    assert out["nederland"] == pytest.approx(30)
    assert "beter dan de mediaan van de eigen vergelijkingsgroep (2024)" in out["sentence"]
    assert "plaats 2 van 5" in out["sentence"]
    # five gemeenten are no country: their total is named for what it is
    assert "; alle 5 gemeenten 30,0" in out["sentence"]
    assert peers.country_label(342) == "Nederland"


def test_equal_as_shown_is_called_equal(cat):
    decimals = cat["bijstand_per_1000"].decimals
    tiny = 10.0 ** -(decimals + 2)
    obs = _obs({"GM0001": (20 + tiny, 1000), "GM0002": (20, 1000)})
    group = peers.PeerGroup("GM0001", 2024, "eigen keuze", "Groep", "", ("GM0002",))
    out = peers.compare(obs, peers.nederland(obs, cat), group, cat, "bijstand_per_1000")
    assert "gelijk aan de mediaan" in out["sentence"]


def _published(indicator: str, value: float, year: int = 2024) -> pd.DataFrame:
    """Nederland's row as ``National.country`` holds it (the files' NL00 row)."""
    return pd.DataFrame([{"area_code": model.COUNTRY_CODE, "level": model.COUNTRY_LEVEL,
                          "year": year, "indicator": indicator, "value": value,
                          "numerator": np.nan, "denominator": np.nan, "status": model.OK,
                          "source": "CBS Kerncijfers wijken en buurten 2024"}])


def test_nederland_of_a_published_indicator_is_cbss_own_figure(cat):
    # a mean distance cannot be summed from gemeenten: only CBS's NL00 row gives it
    assert not cat["afstand_huisarts"].computed
    obs = _obs({"GM0001": (10, 1000), "GM0002": (90, 3000)})
    published = pd.concat([_published("afstand_huisarts", 1.1),
                           _published("bijstand_per_1000", 99.0)])
    country = peers.nederland(obs, cat, published=published).set_index("indicator")
    assert country.loc["afstand_huisarts", "value"] == 1.1
    assert country.loc["afstand_huisarts", "label"] == "Nederland"
    assert country.loc["afstand_huisarts", "method"] == (
        "door CBS gepubliceerd voor Nederland (CBS Kerncijfers wijken en buurten 2024)")
    # two gemeenten are no country: CBS's figure for Nederland is shown, not their total
    assert country.loc["bijstand_per_1000", "value"] == 99.0
    assert len(country) == 2


def test_a_total_of_the_whole_country_stays_the_sum_beside_cbss_figure(cat):
    obs = _obs({f"GM{n:04d}": (10, 1000) for n in range(1, peers.COUNTRY_MIN_GEMEENTEN + 1)})
    country = peers.nederland(obs, cat, published=_published("bijstand_per_1000", 9.7))
    assert country["value"].tolist() == [pytest.approx(10.0)]  # counts, exact
    assert "som van de tellers" in country["method"].iloc[0]
    # a year without the gemeenten's figures still has CBS's
    lacking = pd.concat([obs, _obs({"GM9999": (np.nan, np.nan)}).assign(status=model.MISSING)])
    country = peers.nederland(lacking, cat, published=_published("bijstand_per_1000", 9.7))
    assert country["value"].tolist() == [9.7]
    assert country["method"].iloc[0].startswith("door CBS gepubliceerd")


def test_nederland_from_the_real_files_is_the_sum_of_every_gemeente(utrecht_national):
    from helpers.indicators import national

    ws, _ = utrecht_national
    figures = national.of(ws)
    country = peers.nederland(figures.observations, figures.catalogue).set_index(
        ["indicator", "year"])
    in_file = _inwoners_in_file(2024)
    assert country.loc[("inwoners", 2024), "value"] == sum(in_file.values())  # 17.942.942
    assert country.loc[("inwoners", 2024), "gemeenten"] == 342  # not GM0998 Buitenland
    assert "gewogen gemiddelde" in country.loc[("aandeel_65plus", 2024), "method"]


def test_the_report_section_shows_each_group_with_its_method(utrecht_national, monkeypatch):
    from helpers.reports import comparison

    ws, _ = utrecht_national
    shown = []
    monkeypatch.setattr(comparison, "display", lambda *objects: shown.extend(objects))
    comparison.section(ws, 2024, ["aandeel_65plus", "inwoners", "bijstand_per_1000"])
    html = "".join(o._repr_html_() for o in shown)
    assert "Gemeenten met 250.000 inwoners of meer (2024)" in html
    assert "euclidische afstand" in html and "Amsterdam" in html
    assert "Geen landelijke cijfers op gemeenteniveau voor: Personen met bijstand" in html
    assert "17.942.942" in html  # Nederland, nl-NL


def test_the_demo_compares_with_its_fictional_peers(demo_ws, monkeypatch):
    from helpers.reports import comparison

    shown = []
    monkeypatch.setattr(comparison, "display", lambda *objects: shown.extend(objects))
    comparison.section(demo_ws, 2024, ["aandeel_65plus", "inwoners"])
    html = "".join(o._repr_html_() for o in shown)
    assert "Gemeenten met 150.000 tot 250.000 inwoners (2024)" in html
    assert "De 10 meest vergelijkbare gemeenten (2024)" in html
    assert "alle 33 gemeenten" in html
    assert "Nederland" not in html.replace("Gebieden in Nederland", "")
    # the provincie, from the demo's table
    assert "Gemeenten in de provincie Gelderland (2024)" in html


def test_without_national_files_the_section_says_how_to_add_them():
    from helpers.indicators.national import National

    empty = National("GM0001", catalogue.load(), pd.DataFrame(columns=model.TIDY_COLUMNS),
                     pd.DataFrame(columns=model.OBSERVATION_COLUMNS),
                     pd.DataFrame(columns=["code", "year", "reason"]))
    (note,) = peers.why_not(empty, 2024)
    assert "geen landelijk bestand" in note and "stuurkit import" in note


def _tidy(rows) -> pd.DataFrame:
    return pd.DataFrame([{"area_code": c, "level": "gemeente", "year": y, "variable": v,
                          "value": float(x), "status": model.OK, "source": "test"}
                         for c, y, v, x in rows])


def test_the_provincie_group_uses_the_newest_table_up_to_the_year():
    tidy = _tidy([("GM0001", 2022, "pv_code", 26), ("GM0002", 2022, "pv_code", 26),
                  ("GM0003", 2022, "pv_code", 27), ("GM0004", 2022, "pv_code", 26),
                  ("GM0001", 2025, "pv_code", 27),  # a later table is not used for 2024
                  *[(c, 2024, "a_inw", 10_000) for c in ("GM0001", "GM0002", "GM0003",
                                                         "GM0005")]])
    group = peers.by_province(tidy, "GM0001", 2024)
    assert group.members == ("GM0002",)  # GM0004 has no figures in 2024: not a peer then
    assert group.label == "Gemeenten in de provincie Utrecht (2024)" and group.kind == "provincie"
    assert "Gebieden in Nederland 2022" in group.method
    assert "1 van de 4 gemeenten van 2024 staan niet in die tabel" in group.method  # GM0005
    early = peers.by_province(tidy, "GM0001", 2020)  # before every table: the first one
    assert "Gebieden in Nederland 2022" in early.method


def test_without_a_provincie_table_the_reason_says_how_to_get_it():
    tidy = _tidy([("GM0001", 2024, "a_inw", 10_000), ("GM0002", 2024, "a_inw", 20_000)])
    with pytest.raises(DataError, match="Gebieden in Nederland.*stuurkit fetch"):
        peers.by_province(tidy, "GM0001", 2024)


def test_the_wijkprofiel_compares_a_wijk_with_the_country(demo_ws):
    from helpers.indicators import national
    from helpers.reports import wijkprofiel

    report = wijkprofiel.start(str(demo_ws.root), "WK990101", 2024)
    table = wijkprofiel.key_figures(report)
    here = national.of(demo_ws)
    country = peers.nederland(here.observations, here.catalogue).set_index(
        ["indicator", "year"])["value"]
    column = "alle 33 gemeenten"  # the demo's 33 gemeenten are no country
    assert f'<th scope="col" class="num">{column}</th>' in table.data
    assert column in table.caption
    shown = table.frame.set_index("Indicator")[column]
    assert shown["Aantal inwoners"] == country[("inwoners", 2024)]
    assert shown.notna().sum() >= 10


def test_the_country_is_computed_once_per_national_object_and_copied(demo_ws):
    from helpers.indicators import national

    here = national.of(demo_ws)
    first = peers.country(here)
    assert first.equals(peers.nederland(here.observations, here.catalogue,
                                        peers.listed(here.variables)))
    first.loc[:, "value"] = -1.0
    assert not (peers.country(here)["value"] == -1.0).any()


def test_the_short_section_names_the_members_of_its_one_group(demo_ws, monkeypatch):
    """The bestuursoverzicht shows one group: which gemeenten are in it is on the page."""
    from helpers.indicators import national
    from helpers.reports import comparison

    shown = []
    monkeypatch.setattr(comparison, "display", lambda *objects: shown.extend(objects))
    comparison.section(demo_ws, 2024, ["aandeel_65plus", "inwoners"], main_only=True)
    html = "".join(o._repr_html_() for o in shown)
    assert html.count("<strong>") == 1 and "stuurkit-peers-members" in html
    group = next(g for g in peers.groups(national.of(demo_ws), 2024)
                 if g.label in html)
    names = national.of(demo_ws).names
    assert all(names.get(code, code) in html for code in group.members)


def test_the_short_section_says_which_figures_of_nederland_cbs_published(demo_ws,
                                                                         monkeypatch):
    """One line says how Nederland was made: the sum, and CBS's own figure where the sum
    could not be made (never the sum for a figure it is not)."""
    from helpers.reports import comparison

    made = comparison.comparisons(demo_ws, 2024, ["aandeel_65plus", "inwoners"])
    groups, found, notes = made
    found = found.copy()
    found.loc[found["indicator"] == "aandeel_65plus", "nederland_method"] = (
        f"{peers.PUBLISHED} (CBS Kerncijfers wijken en buurten 2024)")
    monkeypatch.setattr(comparison, "comparisons", lambda *args: (groups, found, notes))
    shown = []
    monkeypatch.setattr(comparison, "display", lambda *objects: shown.extend(objects))
    comparison.section(demo_ws, 2024, ["aandeel_65plus", "inwoners"], main_only=True)
    html = "".join(o._repr_html_() for o in shown)
    assert ("de som van de tellers gedeeld door de som van de noemers van alle gemeenten; "
            "voor 65-plussers het cijfer dat CBS voor Nederland publiceert") in html


def test_a_mean_of_rounded_percentages_gives_way_to_cbss_exact_figure(cat):
    # shares published without counts: their weighted mean is an approximation
    obs = _obs({f"GM{n:04d}": (10, 1000) for n in range(1, peers.COUNTRY_MIN_GEMEENTEN + 1)},
               indicator="aandeel_65plus").assign(numerator=np.nan, value=19.0)
    approximate = peers.nederland(obs, cat).set_index("indicator").loc["aandeel_65plus"]
    assert approximate["method"].startswith("gewogen gemiddelde")
    exact = peers.nederland(obs, cat, published=_published("aandeel_65plus", 19.18))
    assert exact["value"].tolist() == [19.18]
    assert exact["method"].iloc[0].startswith(peers.PUBLISHED)
